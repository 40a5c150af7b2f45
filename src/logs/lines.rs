//! Splitting decoded text into lines with a length cap, so a single 100 MB line costs at most
//! [`MAX_LINE`] bytes of memory and is reported as cut, not swallowed.

/// Longest line kept, in bytes; the rest of a longer line is dropped and counted.
pub const MAX_LINE: usize = 64 * 1024;

/// One line of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: u64,
    /// The text, without the line ending, at most [`MAX_LINE`] bytes.
    pub text: &'a str,
    /// When the line was longer than [`MAX_LINE`]: its full length in bytes.
    pub cut_from: Option<usize>,
}

/// Turns a stream of text chunks into lines. `\n`, `\r\n` and a lone `\r` (old Mac-style
/// files) all end a line.
#[derive(Debug, Default)]
pub struct LineSplitter {
    partial: String,
    dropped: usize,
    number: u64,
    /// The previous chunk ended with `\r`: a `\n` starting this one belongs to it.
    after_cr: bool,
}

impl LineSplitter {
    /// A splitter at line 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// Emits every line completed by `chunk`; keeps the unfinished tail for the next call.
    pub fn feed(&mut self, chunk: &str, mut emit: impl FnMut(Line<'_>)) {
        let bytes = chunk.as_bytes();
        let mut start = 0;
        if std::mem::take(&mut self.after_cr) && bytes.first() == Some(&b'\n') {
            start = 1;
        }
        for end in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if end < start {
                continue; // the \n of a \r\n already ended the line
            }
            let piece = &chunk[start..end];
            if self.partial.is_empty() && self.dropped == 0 {
                self.number += 1;
                let (text, cut_from) = cap(piece, piece.len());
                emit(Line { number: self.number, text, cut_from });
            } else {
                self.push_partial(piece);
                self.emit_partial(&mut emit);
            }
            start = end + 1;
            if bytes[end] == b'\r' {
                match bytes.get(end + 1) {
                    Some(b'\n') => start = end + 2,
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
        }
        if start < chunk.len() {
            self.push_partial(&chunk[start..]);
        }
    }

    /// Emits the last line when the text does not end with a line break.
    pub fn finish(&mut self, mut emit: impl FnMut(Line<'_>)) {
        if !self.partial.is_empty() || self.dropped > 0 {
            self.emit_partial(&mut emit);
        }
    }

    /// Lines emitted so far.
    pub fn lines(&self) -> u64 {
        self.number
    }

    fn push_partial(&mut self, piece: &str) {
        let room = MAX_LINE.saturating_sub(self.partial.len());
        if piece.len() <= room && self.dropped == 0 {
            self.partial.push_str(piece);
        } else {
            let keep = floor_boundary(piece, room.min(piece.len()));
            self.partial.push_str(&piece[..keep]);
            self.dropped += piece.len() - keep;
        }
    }

    fn emit_partial(&mut self, emit: &mut impl FnMut(Line<'_>)) {
        self.number += 1;
        let full = self.partial.len() + self.dropped;
        emit(Line { number: self.number, text: &self.partial, cut_from: (self.dropped > 0).then_some(full) });
        self.partial.clear();
        self.dropped = 0;
    }
}

/// The first [`MAX_LINE`] bytes of a line (on a char boundary) and its length when cut.
fn cap(text: &str, full: usize) -> (&str, Option<usize>) {
    if text.len() <= MAX_LINE {
        (text, None)
    } else {
        (&text[..floor_boundary(text, MAX_LINE)], Some(full))
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&str]) -> Vec<(u64, String, Option<usize>)> {
        let mut out = Vec::new();
        let mut s = LineSplitter::new();
        for c in chunks {
            s.feed(c, |l| out.push((l.number, l.text.to_string(), l.cut_from)));
        }
        s.finish(|l| out.push((l.number, l.text.to_string(), l.cut_from)));
        out
    }

    #[test]
    fn lines_split_across_chunks_with_crlf_and_no_final_newline() {
        let got = split(&["one\r\ntw", "o\r\n\nthr", "ee"]);
        assert_eq!(
            got,
            vec![(1, "one".into(), None), (2, "two".into(), None), (3, "".into(), None), (4, "three".into(), None)]
        );
    }

    #[test]
    fn lone_carriage_returns_end_lines_even_across_chunks() {
        let got: Vec<String> = split(&["a\rb\r", "\nc\r", "d\r\n"]).into_iter().map(|l| l.1).collect();
        assert_eq!(got, ["a", "b", "c", "d"]);
        let numbers: Vec<u64> = split(&["x\r\ny\n\nz"]).into_iter().map(|l| l.0).collect();
        assert_eq!(numbers, [1, 2, 3, 4]);
    }

    #[test]
    fn a_huge_line_is_capped_and_reported() {
        let huge = "x".repeat(MAX_LINE * 3 + 5);
        let got = split(&[&huge[..MAX_LINE * 2], &huge[MAX_LINE * 2..], "\nnext"]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].1.len(), MAX_LINE);
        assert_eq!(got[0].2, Some(MAX_LINE * 3 + 5));
        assert_eq!(got[1], (2, "next".into(), None));
        let single = split(&[&format!("{huge}\n")]);
        assert_eq!(single[0].2, Some(huge.len()));
    }
}
