//! `--log-file` / `BTS_DOCTOR_LOG`: `tracing` events written to a file (never to the terminal,
//! so the TUI's screen stays clean), every line passed through secret redaction first.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// A file writer that masks secrets in every line before it reaches the disk.
#[derive(Clone)]
struct RedactingFile(Arc<Mutex<File>>);

impl Write for RedactingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let masked = crate::report::redact::secrets(&text);
        let mut file = self.0.lock().map_err(|_| std::io::Error::other("log file lock poisoned"))?;
        file.write_all(masked.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.lock().map_err(|_| std::io::Error::other("log file lock poisoned"))?.flush()
    }
}

/// Starts logging to `path` (appending), at debug level. Returns why it could not.
pub fn start(path: &Path) -> Result<(), String> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open the log file {}: {e}", path.display()))?;
    let writer = RedactingFile(Arc::new(Mutex::new(file)));
    tracing_subscriber::fmt()
        .with_ansi(false)
        .with_target(false)
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .try_init()
        .map_err(|e| format!("cannot start logging: {e}"))
}
