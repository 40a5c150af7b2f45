//! Saving progress: one JSON file per playbook in the user's data directory, written to a
//! temporary file, flushed and renamed over the old one, so a killed process leaves either the
//! old or the new progress and never half a file.

use super::machine::Progress;
use crate::kb::playbook::Playbook;
use std::path::{Path, PathBuf};

/// The environment variable that moves the data directory (tests, portable installs).
pub const DATA_ENV: &str = "BTS_DOCTOR_DATA";

/// Where progress files live.
#[derive(Debug, Clone)]
pub struct Store {
    dir: PathBuf,
}

/// What saved progress means for a playbook.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved {
    /// Nothing saved (or the saved run had finished).
    None,
    /// Progress to resume.
    Resume(Progress),
    /// Progress saved against another version of the playbook: it cannot be resumed safely.
    Changed(Progress),
}

impl Store {
    /// A store in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Store { dir: dir.into() }
    }

    /// The user's store: `BTS_DOCTOR_DATA`, else the platform data directory's `progress`.
    pub fn default_location() -> Option<Self> {
        if let Some(dir) = std::env::var_os(DATA_ENV).filter(|d| !d.is_empty()) {
            return Some(Store::new(PathBuf::from(dir).join("progress")));
        }
        directories::ProjectDirs::from("", "", "bts-doctor").map(|p| Store::new(p.data_dir().join("progress")))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, playbook: &str) -> PathBuf {
        self.dir.join(format!("{playbook}.json"))
    }

    /// Writes the progress atomically (a temporary file renamed over the old one).
    pub fn save(&self, progress: &Progress) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let text = serde_json::to_vec_pretty(progress).map_err(std::io::Error::other)?;
        crate::atomic::write(&self.path(&progress.playbook), &text)
    }

    /// Reads the saved progress of a playbook, if any.
    pub fn load(&self, playbook: &str) -> std::io::Result<Option<Progress>> {
        let path = self.path(playbook);
        match crate::input::read_path(&path, crate::input::PROGRESS_LIMIT) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, format!("saved progress is damaged: {e}"))
            }),
            Err(crate::input::InputError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                Ok(None)
            }
            Err(crate::input::InputError::Io { source, .. }) => Err(source),
            Err(e) => Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())),
        }
    }

    /// What is saved for this playbook, checked against its current hash.
    pub fn saved(&self, playbook: &Playbook) -> std::io::Result<Saved> {
        Ok(match self.load(&playbook.id)? {
            None => Saved::None,
            // A finished walk has nothing to resume, whatever version it ran against.
            Some(p) if p.finished => Saved::None,
            Some(p) if p.hash != playbook.hash() => Saved::Changed(p),
            Some(p) => Saved::Resume(p),
        })
    }

    /// Takes the playbook's walk for this process: a second walk of the same playbook (another
    /// `recover`, another TUI) would overwrite this one's progress without a word, so it is
    /// refused while the returned guard lives. The operating system releases it if the process
    /// dies.
    pub fn lock(&self, playbook: &str) -> Result<WalkLock, String> {
        use fs4::FileExt;
        std::fs::create_dir_all(&self.dir).map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let path = self.dir.join(format!("{playbook}.lock"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        match FileExt::try_lock(&file) {
            Ok(()) => Ok(WalkLock { _file: file }),
            Err(fs4::TryLockError::WouldBlock) => Err(format!(
                "another bts-doctor is walking `{playbook}` now (it holds {}); finish or stop it first, so neither overwrites the other's progress",
                path.display()
            )),
            Err(fs4::TryLockError::Error(e)) => Err(format!("cannot lock {}: {e}", path.display())),
        }
    }

    /// Forgets a playbook's progress.
    pub fn clear(&self, playbook: &str) -> std::io::Result<()> {
        match std::fs::remove_file(self.path(playbook)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

/// Holds a playbook's walk (see [`Store::lock`]); released when dropped.
#[derive(Debug)]
pub struct WalkLock {
    _file: std::fs::File,
}
