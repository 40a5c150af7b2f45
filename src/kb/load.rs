//! Finding and reading knowledge layers: the embedded files first, then overlay directories
//! (platform config dir, `BTS_DOCTOR_KB`, `--kb DIR`), each adding entries or replacing one by id.

use super::model::{Entry, Origin};
use super::parse::parse_entry;
use super::problem::{LoadError, Problem};
use super::KnowledgeBase;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The environment variable holding overlay directories (separated like `PATH`).
pub const KB_ENV: &str = "BTS_DOCTOR_KB";

/// Which knowledge layers to load, lowest first.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Start from the knowledge embedded in the binary.
    pub embedded: bool,
    /// Overlay directories that may be absent without complaint (the platform config dir).
    pub optional_dirs: Vec<PathBuf>,
    /// Overlay directories the user named; a missing one is an error.
    pub dirs: Vec<PathBuf>,
}

impl Sources {
    /// The embedded knowledge alone.
    pub fn embedded_only() -> Self {
        Sources { embedded: true, ..Default::default() }
    }

    /// The standard stack: embedded (unless `no_embedded`), the platform config directory's
    /// `knowledge` folder, the directories in `BTS_DOCTOR_KB`, then `cli_dirs`.
    pub fn discover(cli_dirs: &[PathBuf], no_embedded: bool) -> Self {
        let optional_dirs = directories::ProjectDirs::from("", "", "bts-doctor")
            .map(|p| vec![p.config_dir().join("knowledge")])
            .unwrap_or_default();
        let mut dirs: Vec<PathBuf> = std::env::var_os(KB_ENV)
            .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
            .unwrap_or_default();
        dirs.extend(cli_dirs.iter().cloned());
        Sources { embedded: !no_embedded, optional_dirs, dirs }
    }

    /// Loads every layer and merges them into one knowledge base.
    pub fn load(&self) -> Result<KnowledgeBase, LoadError> {
        let mut layers = Vec::new();
        let mut problems = Vec::new();
        if self.embedded {
            let files = super::embedded::FILES
                .iter()
                .filter(|(path, _)| is_issue_path(path))
                .map(|(path, text)| (path.to_string(), Ok(text.to_string())))
                .collect();
            layers.push(Layer { name: "embedded".into(), files });
        }
        for dir in &self.optional_dirs {
            if dir.is_dir() {
                layers.push(read_dir_layer(dir, &mut problems));
            }
        }
        for dir in &self.dirs {
            if dir.is_dir() {
                layers.push(read_dir_layer(dir, &mut problems));
            } else {
                let why = if dir.exists() { "is not a directory" } else { "does not exist" };
                problems.push(Problem::error(
                    &dir.display().to_string(),
                    None,
                    None,
                    format!("knowledge directory {why}"),
                ));
            }
        }
        merge(layers, problems)
    }
}

/// Only entries live in `issues/`; other folders (checks, playbooks) are other models.
fn is_issue_path(path: &str) -> bool {
    path.starts_with("knowledge/issues/")
}

/// One layer's files: path and text (or why the text could not be read).
struct Layer {
    name: String,
    files: Vec<(String, Result<String, String>)>,
}

/// Reads `dir/*.yaml` and `dir/issues/**/*.yaml`.
fn read_dir_layer(dir: &Path, problems: &mut Vec<Problem>) -> Layer {
    let mut paths = Vec::new();
    collect(dir, false, &mut paths, problems);
    let issues = dir.join("issues");
    if issues.is_dir() {
        collect(&issues, true, &mut paths, problems);
    }
    paths.sort();
    let files = paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read(&p)
                .map_err(|e| e.to_string())
                .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_string()));
            (p.display().to_string(), text)
        })
        .collect();
    Layer { name: dir.display().to_string(), files }
}

fn collect(dir: &Path, recurse: bool, out: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(Problem::error(
                &dir.display().to_string(),
                None,
                None,
                format!("cannot read directory: {e}"),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if recurse {
                collect(&path, true, out, problems);
            }
        } else if matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(path);
        }
    }
}

/// Parses every layer, then lets each later layer add entries or replace them by id.
fn merge(layers: Vec<Layer>, mut problems: Vec<Problem>) -> Result<KnowledgeBase, LoadError> {
    let mut by_id: HashMap<String, Entry> = HashMap::new();
    let mut replaced = Vec::new();
    for layer in layers {
        let mut seen_here: HashMap<String, String> = HashMap::new();
        for (file, text) in layer.files {
            let text = match text {
                Ok(t) => t,
                Err(why) => {
                    problems.push(Problem::error(&file, None, None, format!("cannot read: {why}")));
                    continue;
                }
            };
            let origin = Origin { layer: layer.name.clone(), file: file.clone(), line: 0 };
            let entry = match parse_entry(&text, origin) {
                Ok(e) => e,
                Err(mut errs) => {
                    problems.append(&mut errs);
                    continue;
                }
            };
            if let Some(first) = seen_here.get(&entry.id) {
                problems.push(Problem::error(
                    &file,
                    Some(entry.origin.line),
                    None,
                    format!("duplicate id `{}`: already defined in {first}", entry.id),
                ));
                continue;
            }
            seen_here.insert(entry.id.clone(), file.clone());
            if let Some(old) = by_id.insert(entry.id.clone(), entry) {
                replaced.push(Replacement { id: old.id, old: old.origin, new_file: file });
            }
        }
    }
    if problems.iter().any(|p| p.level == super::problem::Level::Error) {
        return Err(LoadError { problems });
    }
    let mut entries: Vec<Entry> = by_id.into_values().collect();
    entries.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(KnowledgeBase::from_parts(entries, replaced))
}

/// An overlay entry that replaced a lower layer's entry with the same id.
#[derive(Debug, Clone, PartialEq)]
pub struct Replacement {
    /// The id both define.
    pub id: String,
    /// Where the replaced entry came from.
    pub old: Origin,
    /// The file that replaced it.
    pub new_file: String,
}
