//! Reading what the user hands over, always with a bound: a file, standard input, a device or a
//! FIFO named on purpose never makes the tool read without end. Beyond the bound the caller
//! gets a clear error (and gives no partial answer).

use std::io::Read;
use std::path::Path;

/// Most bytes of a pasted error (`match -`, `report --text`) read.
pub const PASTE_LIMIT: u64 = 16 * 1024 * 1024;
/// Most bytes of an answers file.
pub const ANSWERS_LIMIT: u64 = 1024 * 1024;
/// Most bytes of a saved-progress file.
pub const PROGRESS_LIMIT: u64 = 4 * 1024 * 1024;

/// Why input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// The operating system refused.
    #[error("cannot read {what}: {source}")]
    Io {
        /// What was read.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// More than the bound.
    #[error("{what} is larger than {limit}; nothing was read from it (the limit is fixed: split the input)")]
    TooLarge {
        /// What was read.
        what: String,
        /// The bound, in words.
        limit: String,
    },
}

/// `16 MB`, `1 MB`, `512 KB`.
pub fn size_words(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// Reads at most `limit` bytes from `reader`; more is an error.
pub fn read_bounded(reader: impl Read, limit: u64, what: &str) -> Result<Vec<u8>, InputError> {
    let mut buf = Vec::new();
    reader.take(limit + 1).read_to_end(&mut buf).map_err(|source| InputError::Io { what: what.to_string(), source })?;
    if buf.len() as u64 > limit {
        return Err(InputError::TooLarge { what: what.to_string(), limit: size_words(limit) });
    }
    Ok(buf)
}

/// Reads a file (or `-`, standard input) of at most `limit` bytes.
pub fn read_path(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    if path.as_os_str() == "-" {
        return read_bounded(std::io::stdin().lock(), limit, "standard input");
    }
    let what = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| InputError::Io { what: what.clone(), source })?;
    read_bounded(file, limit, &what)
}

/// Reads a text file of at most `limit` bytes as UTF-8 (invalid bytes replaced).
pub fn read_text(path: &Path, limit: u64) -> Result<String, InputError> {
    let bytes = read_path(path, limit)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_longer_than_the_bound_is_refused_without_reading_it_all() {
        let endless = std::io::repeat(0);
        let err = read_bounded(endless, 1024, "the stream").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the stream is larger than 1 KB; nothing was read from it (the limit is fixed: split the input)"
        );
        assert_eq!(read_bounded(&b"abc"[..], 3, "x").unwrap(), b"abc");
        assert_eq!(size_words(16 * 1024 * 1024), "16 MB");
    }
}
