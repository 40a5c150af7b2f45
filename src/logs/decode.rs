//! Bytes to text, in whatever encoding Windows wrote: UTF-8 with or without BOM, UTF-16 LE/BE
//! with a BOM or recognised from the byte pattern, and Windows-1252 when the bytes are not
//! UTF-8. Streaming: a file of any size is decoded chunk by chunk; invalid sequences become
//! U+FFFD, never an error.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::io::{self, Read};

/// A text encoding the scanner reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-16 little-endian (what Windows calls "Unicode").
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16 big-endian.
    #[serde(rename = "utf-16be")]
    Utf16Be,
    /// The Western European legacy code page.
    #[serde(rename = "windows-1252")]
    Windows1252,
}

impl Encoding {
    /// Every encoding, for `--encoding` help and parsing.
    pub const ALL: [Encoding; 4] = [Encoding::Utf8, Encoding::Utf16Le, Encoding::Utf16Be, Encoding::Windows1252];

    /// The name used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    /// Parses a name as [`Encoding::name`] writes it (case-insensitive, `utf8` also accepted).
    pub fn parse(name: &str) -> Option<Self> {
        let lower = name.trim().to_ascii_lowercase().replace('_', "-");
        match lower.as_str() {
            "utf8" => Some(Encoding::Utf8),
            "utf16le" | "utf-16" | "unicode" => Some(Encoding::Utf16Le),
            "utf16be" => Some(Encoding::Utf16Be),
            "cp1252" | "latin1" => Some(Encoding::Windows1252),
            other => Encoding::ALL.into_iter().find(|e| e.name() == other),
        }
    }

    pub(crate) fn coder(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the first bytes of a file say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// Text in this encoding, after a byte-order mark of this many bytes.
    Text(Encoding, usize),
    /// Not text (NUL bytes or control characters where no text encoding has them).
    Binary,
}

/// How many bytes [`sniff`] looks at.
pub const SNIFF_LEN: usize = 64 * 1024;

/// Decides a file's encoding from its first bytes (up to [`SNIFF_LEN`]).
pub fn sniff(head: &[u8]) -> Sniffed {
    match head {
        [0xEF, 0xBB, 0xBF, ..] => return Sniffed::Text(Encoding::Utf8, 3),
        [0xFF, 0xFE, ..] => return Sniffed::Text(Encoding::Utf16Le, 2),
        [0xFE, 0xFF, ..] => return Sniffed::Text(Encoding::Utf16Be, 2),
        _ => {}
    }
    if let Some(utf16) = utf16_without_bom(head) {
        return Sniffed::Text(utf16, 0);
    }
    if looks_binary(head) {
        return Sniffed::Binary;
    }
    match std::str::from_utf8(head) {
        Ok(_) => Sniffed::Text(Encoding::Utf8, 0),
        // A character cut at the end of the sample is not an error.
        Err(e) if e.error_len().is_none() => Sniffed::Text(Encoding::Utf8, 0),
        Err(_) => Sniffed::Text(Encoding::Windows1252, 0),
    }
}

/// UTF-16 without a BOM: mostly-ASCII text puts a zero in every other byte.
fn utf16_without_bom(head: &[u8]) -> Option<Encoding> {
    let pairs = head.len() / 2;
    if pairs < 8 {
        return None;
    }
    let (mut zero_even, mut zero_odd) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        zero_even += usize::from(pair[0] == 0);
        zero_odd += usize::from(pair[1] == 0);
    }
    let many = pairs * 4 / 10;
    let few = pairs / 20;
    if zero_odd >= many && zero_even <= few {
        Some(Encoding::Utf16Le)
    } else if zero_even >= many && zero_odd <= few {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// NUL bytes, or many control characters that text files do not carry.
fn looks_binary(head: &[u8]) -> bool {
    if head.contains(&0) {
        return true;
    }
    let controls = head.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C)).count();
    controls * 100 > head.len().max(1) * 5
}

/// The encoding to read a file in and the BOM length to skip: the forced one when given
/// (text or not), else what [`sniff`] found; `None` for binary that nothing forces.
pub fn choose(head: &[u8], forced: Option<Encoding>) -> Option<(Encoding, usize)> {
    match (sniff(head), forced) {
        (Sniffed::Text(_, bom), Some(e)) => Some((e, bom)),
        (Sniffed::Binary, Some(e)) => Some((e, 0)),
        (Sniffed::Text(e, bom), None) => Some((e, bom)),
        (Sniffed::Binary, None) => None,
    }
}

/// Reads a byte stream and hands out decoded text in chunks.
pub struct TextReader<R: Read> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    finished: bool,
    /// Bytes read from the stream so far (BOM included).
    pub bytes_read: u64,
}

/// Size of one read from the underlying file.
const READ_CHUNK: usize = 256 * 1024;

impl<R: Read> TextReader<R> {
    /// Decodes `inner` as `encoding`, skipping `bom_len` bytes first; `head` holds bytes
    /// already read from the start of the stream (the sniffed sample).
    pub fn new(inner: R, encoding: Encoding, head: Vec<u8>, bom_len: usize) -> Self {
        let bytes_read = head.len() as u64;
        let end = head.len();
        let mut input = head;
        input.resize(end.max(READ_CHUNK), 0);
        TextReader {
            inner,
            decoder: encoding.coder().new_decoder_without_bom_handling(),
            input,
            start: bom_len.min(end),
            end,
            finished: false,
            bytes_read,
        }
    }

    /// Appends the next piece of decoded text to `out`; returns `false` at the end of input.
    pub fn next_chunk(&mut self, out: &mut String) -> io::Result<bool> {
        if self.finished {
            return Ok(false);
        }
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
            let n = read_full(&mut self.inner, &mut self.input[..READ_CHUNK])?;
            self.end = n;
            self.bytes_read += n as u64;
        }
        let last = self.end == self.start;
        let src = &self.input[self.start..self.end];
        out.reserve(self.decoder.max_utf8_buffer_length(src.len()).unwrap_or(src.len() * 3 + 16));
        let (_, read, _) = self.decoder.decode_to_string(src, out, last);
        self.start += read;
        if last {
            self.finished = true;
        }
        Ok(true)
    }
}

/// Fills `buf` as far as the stream allows (short reads retried, interruptions ignored).
fn read_full<R: Read>(reader: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads the sample used by [`sniff`] from the start of a stream.
pub fn read_head<R: Read>(reader: &mut R) -> io::Result<Vec<u8>> {
    let mut head = vec![0; SNIFF_LEN];
    let n = read_full(reader, &mut head)?;
    head.truncate(n);
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], forced: Option<Encoding>) -> (Encoding, String) {
        let mut cursor = std::io::Cursor::new(bytes.to_vec());
        let head = read_head(&mut cursor).unwrap();
        let (enc, bom) = match (forced, sniff(&head)) {
            (Some(e), Sniffed::Text(_, bom)) => (e, bom),
            (Some(e), Sniffed::Binary) => (e, 0),
            (None, Sniffed::Text(e, bom)) => (e, bom),
            (None, Sniffed::Binary) => panic!("binary"),
        };
        let mut reader = TextReader::new(cursor, enc, head, bom);
        let mut out = String::new();
        while reader.next_chunk(&mut out).unwrap() {}
        (enc, out)
    }

    fn utf16(text: &str, le: bool) -> Vec<u8> {
        text.encode_utf16().flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() }).collect()
    }

    #[test]
    fn boms_are_recognised_and_dropped() {
        assert_eq!(decode_all(b"\xEF\xBB\xBFhello", None), (Encoding::Utf8, "hello".into()));
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16("Return value 3.\r\n", true));
        assert_eq!(decode_all(&le, None), (Encoding::Utf16Le, "Return value 3.\r\n".into()));
        let mut be = vec![0xFE, 0xFF];
        be.extend(utf16("héllo", false));
        assert_eq!(decode_all(&be, None), (Encoding::Utf16Be, "héllo".into()));
    }

    #[test]
    fn utf16_without_bom_is_recognised_from_the_zero_bytes() {
        let text = "MSI (s) (2C:64) [15:48:23:562]: Note: 1: 1402\r\n";
        assert_eq!(decode_all(&utf16(text, true), None), (Encoding::Utf16Le, text.into()));
        assert_eq!(decode_all(&utf16(text, false), None), (Encoding::Utf16Be, text.into()));
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252() {
        assert_eq!(decode_all(b"caf\xE9 cr\xE8me", None), (Encoding::Windows1252, "café crème".into()));
    }

    #[test]
    fn odd_length_utf16_and_forced_wrong_encodings_never_panic() {
        let mut odd = vec![0xFF, 0xFE];
        odd.extend(utf16("abc", true));
        odd.push(b'x');
        let (_, text) = decode_all(&odd, None);
        assert_eq!(text, "abc\u{FFFD}");
        let (_, text) = decode_all(b"\xff\xff\xfe", Some(Encoding::Utf8));
        assert!(text.chars().all(|c| c == '\u{FFFD}'));
    }

    #[test]
    fn binary_is_detected() {
        assert_eq!(sniff(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"), Sniffed::Binary);
        assert_eq!(sniff(b"plain text\r\n"), Sniffed::Text(Encoding::Utf8, 0));
    }

    #[test]
    fn large_streams_decode_across_chunk_boundaries() {
        let line = "Action ended 15:48:23: InstallFinalize. Return value 1. é\r\n";
        let text = line.repeat(20_000);
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(utf16(&text, true));
        let (_, out) = decode_all(&bytes, None);
        assert_eq!(out, text);
    }

    #[test]
    fn encoding_names_parse() {
        assert_eq!(Encoding::parse("UTF-16LE"), Some(Encoding::Utf16Le));
        assert_eq!(Encoding::parse("windows-1252"), Some(Encoding::Windows1252));
        assert_eq!(Encoding::parse("ebcdic"), None);
    }
}
