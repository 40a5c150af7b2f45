//! Walking folders so that every walk ends: links are followed, but a folder already walked
//! (a loop, or two links to one place) is not walked again, each file is listed once however
//! many paths lead to it, and the depth and the number of entries are bounded. FIFOs, sockets
//! and devices found in a folder are listed as skipped with the reason: reading one can block
//! for ever. Used for scanned log folders and knowledge overlays alike.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// How far a walk goes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Folders below the root (a deeper one is not walked, and is said so).
    pub max_depth: usize,
    /// Entries looked at in all.
    pub max_entries: usize,
}

/// The bounds every walk uses unless told otherwise.
pub const LIMITS: Limits = Limits { max_depth: 32, max_entries: 200_000 };

/// What a walk found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A regular file (or a link to one) to read.
    File(PathBuf),
    /// Something not read, with why.
    Skipped(PathBuf, String),
}

/// What a file system object is, for the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    /// A folder.
    Dir,
    /// A FIFO, a socket or a device: reading may block or never end.
    Special(&'static str),
    /// Gone, or a link to nothing.
    Missing,
}

/// The kind of `path`, links followed.
pub fn kind(path: &Path) -> Kind {
    let Ok(meta) = std::fs::metadata(path) else { return Kind::Missing };
    let t = meta.file_type();
    if t.is_dir() {
        return Kind::Dir;
    }
    if t.is_file() {
        return Kind::File;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Kind::Special("a FIFO (named pipe)");
        }
        if t.is_socket() {
            return Kind::Special("a socket");
        }
        if t.is_block_device() || t.is_char_device() {
            return Kind::Special("a device");
        }
    }
    Kind::Special("not a regular file")
}

/// What identifies a file or folder whatever the path to it: device and inode on Unix, the
/// canonical path elsewhere.
fn identity(path: &Path) -> Option<(u64, u64, PathBuf)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some((meta.dev(), meta.ino(), PathBuf::new()))
    }
    #[cfg(not(unix))]
    {
        Some((0, 0, std::fs::canonicalize(path).ok()?))
    }
}

/// Every file below `root` that `wanted` accepts (by its path), in sorted order per folder, and
/// what was skipped and why.
pub fn walk(root: &Path, limits: Limits, wanted: &dyn Fn(&Path) -> bool) -> Vec<Found> {
    let mut out = Vec::new();
    let mut seen_dirs = HashSet::new();
    let mut seen_files = HashSet::new();
    let mut budget = limits.max_entries;
    if let Some(id) = identity(root) {
        seen_dirs.insert(id);
    }
    walk_into(root, 0, limits, wanted, &mut seen_dirs, &mut seen_files, &mut budget, &mut out);
    out
}

#[allow(clippy::too_many_arguments)]
fn walk_into(
    dir: &Path,
    depth: usize,
    limits: Limits,
    wanted: &dyn Fn(&Path) -> bool,
    seen_dirs: &mut HashSet<(u64, u64, PathBuf)>,
    seen_files: &mut HashSet<(u64, u64, PathBuf)>,
    budget: &mut usize,
    out: &mut Vec<Found>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            out.push(Found::Skipped(dir.to_path_buf(), format!("cannot read this folder: {e}")));
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    children.sort();
    for child in children {
        if *budget == 0 {
            out.push(Found::Skipped(
                dir.to_path_buf(),
                format!("more than {} entries: the rest of this folder was not walked", limits.max_entries),
            ));
            return;
        }
        *budget -= 1;
        match kind(&child) {
            Kind::Dir => {
                let Some(id) = identity(&child) else { continue };
                if !seen_dirs.insert(id) {
                    out.push(Found::Skipped(
                        child,
                        "a folder already walked (a link loop, or a second link to it)".into(),
                    ));
                } else if depth + 1 > limits.max_depth {
                    out.push(Found::Skipped(child, format!("deeper than {} folders: not walked", limits.max_depth)));
                } else {
                    walk_into(&child, depth + 1, limits, wanted, seen_dirs, seen_files, budget, out);
                }
            }
            Kind::File if wanted(&child) => {
                let first = identity(&child).is_none_or(|id| seen_files.insert(id));
                if first {
                    out.push(Found::File(child));
                } else {
                    out.push(Found::Skipped(child, "the same file as another path already listed".into()));
                }
            }
            Kind::File => {}
            Kind::Special(what) if wanted(&child) => out.push(Found::Skipped(
                child,
                format!("{what}: not read in a folder (name it on its own to read it, up to a bound)"),
            )),
            Kind::Special(_) => {}
            Kind::Missing => {
                if std::fs::symlink_metadata(&child).is_ok() && wanted(&child) {
                    out.push(Found::Skipped(child, "a link to nothing".into()));
                }
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn loops_and_second_links_are_walked_once_and_specials_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        std::fs::write(root.join("a/b/x.log"), "x").unwrap();
        std::os::unix::fs::symlink(root, root.join("a/b/up")).unwrap();
        std::os::unix::fs::symlink(".", root.join("self")).unwrap();
        std::os::unix::fs::symlink(root.join("a/b/x.log"), root.join("again.log")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling.log")).unwrap();
        let fifo = root.join("pipe.log");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let found = walk(root, LIMITS, &|_| true);
        let files: Vec<_> = found.iter().filter_map(|f| if let Found::File(p) = f { Some(p) } else { None }).collect();
        assert_eq!(files.len(), 1, "{found:?}");
        let skipped = |needle: &str| found.iter().any(|f| matches!(f, Found::Skipped(_, why) if why.contains(needle)));
        assert!(skipped("a folder already walked"), "{found:?}");
        assert!(skipped("the same file as another path"), "{found:?}");
        assert!(skipped("a FIFO"), "{found:?}");
        assert!(skipped("a link to nothing"), "{found:?}");
    }

    #[test]
    fn depth_and_entry_bounds_say_what_was_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let mut deep = dir.path().to_path_buf();
        for i in 0..5 {
            deep = deep.join(format!("d{i}"));
        }
        std::fs::create_dir_all(&deep).unwrap();
        let found = walk(dir.path(), Limits { max_depth: 2, max_entries: 100 }, &|_| true);
        assert!(
            found.iter().any(|f| matches!(f, Found::Skipped(_, why) if why.contains("deeper than 2"))),
            "{found:?}"
        );
        for i in 0..10 {
            std::fs::write(dir.path().join(format!("f{i}.log")), "x").unwrap();
        }
        let found = walk(dir.path(), Limits { max_depth: 8, max_entries: 4 }, &|_| true);
        assert!(found.iter().any(|f| matches!(f, Found::Skipped(_, why) if why.contains("more than 4 entries"))));
    }
}
