//! Preparing pasted text for matching.
//!
//! A paste becomes one `clean` text (JSON escapes undone, typography folded, line endings
//! unified) that every reported span points into, and two views of it, each with a map back
//! to `clean` byte offsets:
//! - `flat`: log-line prefixes removed and all white space (line breaks too) collapsed to one
//!   space; regexes, codes, event ids and MSI errors are found here;
//! - `squash`: only letters and digits, lower-cased; phrases are found here, so a line wrapped
//!   in the middle of a word, smart quotes or odd punctuation do not stop a match.

use crate::hash::{fnv_step, FNV_OFFSET};
use regex::Regex;
use std::sync::LazyLock;

/// A word of the text: its place in `clean` and a hash of its lower-cased letters and digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    /// Byte offset in `clean` where the word starts.
    pub start: usize,
    /// Byte offset in `clean` just past the word.
    pub end: usize,
    /// FNV-1a hash of the lower-cased word.
    pub hash: u64,
}

/// A paste ready for matching.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The cleaned text; every span refers to it.
    pub clean: String,
    /// Prefix-free, white-space-collapsed single line.
    pub flat: String,
    flat_map: Vec<u32>,
    /// Lower-case letters and digits only.
    pub squash: String,
    squash_map: Vec<u32>,
    /// The words of `flat`, in order.
    pub words: Vec<Word>,
}

impl Prepared {
    /// Prepares `raw` for matching.
    pub fn new(raw: &str) -> Self {
        let clean = clean(raw);
        let (flat, flat_map) = flatten(&clean);
        let mut squash = String::with_capacity(flat.len());
        let mut squash_map = Vec::with_capacity(flat.len());
        let mut words = Vec::new();
        let mut current: Option<(usize, u64)> = None;
        let mut last_end = 0;
        for (i, c) in flat.char_indices() {
            let at = flat_map[i] as usize;
            if c.is_alphanumeric() {
                let (start, mut hash) = current.unwrap_or((at, FNV_OFFSET));
                for lower in c.to_lowercase() {
                    let mut buf = [0u8; 4];
                    for &byte in lower.encode_utf8(&mut buf).as_bytes() {
                        squash_map.push(at as u32);
                        hash = fnv_step(hash, byte);
                    }
                    squash.push(lower);
                }
                current = Some((start, hash));
                last_end = at + char_len_at(&clean, at);
            } else if let Some((start, hash)) = current.take() {
                words.push(Word { start, end: last_end, hash });
            }
        }
        if let Some((start, hash)) = current {
            words.push(Word { start, end: last_end, hash });
        }
        Prepared { clean, flat, flat_map, squash, squash_map, words }
    }

    /// Maps a byte range of `flat` to the byte range of `clean` it came from.
    pub fn flat_to_clean(&self, start: usize, end: usize) -> (usize, usize) {
        map_range(&self.clean, &self.flat_map, start, end)
    }

    /// Maps a byte range of `squash` to the byte range of `clean` it came from.
    pub fn squash_to_clean(&self, start: usize, end: usize) -> (usize, usize) {
        map_range(&self.clean, &self.squash_map, start, end)
    }

    /// Whether `clean` has a word boundary just before byte `at`.
    pub fn boundary_before(&self, at: usize) -> bool {
        !self.clean[..at].chars().next_back().is_some_and(char::is_alphanumeric)
    }

    /// Whether `clean` has a word boundary at byte `at`.
    pub fn boundary_after(&self, at: usize) -> bool {
        !self.clean[at..].chars().next().is_some_and(char::is_alphanumeric)
    }
}

fn map_range(clean: &str, map: &[u32], start: usize, end: usize) -> (usize, usize) {
    if start >= end || end > map.len() {
        let at = map.get(start).map_or(clean.len(), |&m| m as usize);
        return (at, at);
    }
    let first = map[start] as usize;
    let last = map[end - 1] as usize;
    (first, last + char_len_at(clean, last))
}

fn char_len_at(text: &str, at: usize) -> usize {
    text[at..].chars().next().map_or(0, char::len_utf8)
}

/// FNV-1a of a lower-case word, as [`Word::hash`] computes it.
pub fn word_hash(word: &str) -> u64 {
    crate::hash::fnv(FNV_OFFSET, word.as_bytes())
}

/// Undoes JSON escaping when the text looks escaped, folds typography, unifies line endings.
pub fn clean(raw: &str) -> String {
    let text = if looks_json_escaped(raw) { json_unescape(raw) } else { raw.to_string() };
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{00B4}' => out.push('\''),
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => out.push('"'),
            '\u{00A0}' | '\u{2007}' | '\u{2009}' | '\u{202F}' | '\t' => out.push(' '),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{200E}' | '\u{200F}' | '\u{FEFF}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// True when the text carries JSON string escapes rather than real line breaks and quotes:
/// `\"`, a `\uXXXX`, an escaped CRLF, an escaped drive path (`C:\\`), or several `\n` in a
/// text with no real line break. A single `\n` inside a Windows path is left alone.
fn looks_json_escaped(raw: &str) -> bool {
    if has_non_json_escape(raw) {
        return false;
    }
    static STRONG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\\"|\\u[0-9a-fA-F]{4}|\\r\\n|[A-Za-z]:\\\\"#).expect("static regex"));
    if STRONG.is_match(raw) {
        return true;
    }
    let escaped_newlines = raw.matches("\\n").count();
    escaped_newlines >= 2 && !raw.contains('\n')
}

/// A backslash followed by something JSON never escapes (`\P`, `\M`, ...): a Windows path,
/// so the text is not JSON-escaped whatever else it holds.
fn has_non_json_escape(raw: &str) -> bool {
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' | 'u') => {}
                _ => return true,
            }
        }
    }
    false
}

/// Decodes JSON string escapes; an unknown escape is kept as written. Outer quotes of a
/// whole-text string literal are dropped.
fn json_unescape(raw: &str) -> String {
    let trimmed = raw.trim();
    let body = if trimmed.len() >= 2 && trimmed.starts_with('"') && trimmed.ends_with('"') {
        &trimmed[1..trimmed.len() - 1]
    } else {
        raw
    };
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('n') => push_and_skip(&mut out, &mut chars, '\n'),
            Some('r') => push_and_skip(&mut out, &mut chars, '\r'),
            Some('t') => push_and_skip(&mut out, &mut chars, '\t'),
            Some('"') => push_and_skip(&mut out, &mut chars, '"'),
            Some('\\') => push_and_skip(&mut out, &mut chars, '\\'),
            Some('/') => push_and_skip(&mut out, &mut chars, '/'),
            Some('b') | Some('f') => push_and_skip(&mut out, &mut chars, ' '),
            Some('u') => {
                let rest: String = chars.clone().skip(1).take(4).collect();
                match u32::from_str_radix(&rest, 16) {
                    Ok(unit) if rest.len() == 4 => {
                        for _ in 0..5 {
                            chars.next();
                        }
                        out.push(decode_unit(unit, &mut chars));
                    }
                    _ => out.push('\\'),
                }
            }
            _ => out.push('\\'),
        }
    }
    out
}

fn push_and_skip(out: &mut String, chars: &mut std::iter::Peekable<std::str::Chars<'_>>, c: char) {
    out.push(c);
    chars.next();
}

/// A `\uXXXX` unit, combined with a following low surrogate when it is a high one.
fn decode_unit(unit: u32, chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> char {
    if (0xD800..0xDC00).contains(&unit) {
        let lookahead: String = chars.clone().take(6).collect();
        if let Some(low) = lookahead.strip_prefix("\\u").and_then(|h| u32::from_str_radix(h, 16).ok()) {
            if (0xDC00..0xE000).contains(&low) {
                for _ in 0..6 {
                    chars.next();
                }
                return char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)).unwrap_or('\u{FFFD}');
            }
        }
    }
    char::from_u32(unit).unwrap_or('\u{FFFD}')
}

/// Log-line prefixes that carry no meaning for matching: MSI verbose, ConfigLog, timestamps.
static LOG_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:",
        r"MSI \([a-zA-Z]\) \([0-9A-Fa-f]{1,4}[:!][0-9A-Fa-f]{1,4}\) \[[0-9:]+\]:\s*",
        r"|\[\d{1,2}:\d{2}:\d{2}(?:\s?[AaPp][Mm])?\s+\w+\s+[^\]]*\]\s*",
        r"|\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\s*",
        r"(?:\[?(?:ERROR|ERR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL)\]?\s*[:\-]?\s*)?",
        r"|\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm])?\s*",
        r"|\[\d{1,2}:\d{2}:\d{2}(?:[.:]\d+)?\]\s*",
        r")"
    ))
    .expect("static regex")
});

/// Builds the `flat` view and its byte map into `clean`.
fn flatten(clean: &str) -> (String, Vec<u32>) {
    let mut flat = String::with_capacity(clean.len());
    let mut map = Vec::with_capacity(clean.len());
    let mut offset: usize = 0;
    for line in clean.split('\n') {
        let skip = LOG_PREFIX.find(line).map_or(0, |m| m.end());
        let mut pending_space: Option<usize> = (!flat.is_empty()).then_some(offset.saturating_sub(1));
        for (i, c) in line[skip..].char_indices() {
            let at = offset + skip + i;
            if c.is_whitespace() {
                if !flat.is_empty() && pending_space.is_none() {
                    pending_space = Some(at);
                }
                continue;
            }
            if let Some(space_at) = pending_space.take() {
                flat.push(' ');
                map.push(space_at as u32);
            }
            let before = flat.len();
            flat.push(c);
            map.extend(std::iter::repeat_n(at as u32, flat.len() - before));
        }
        offset += line.len() + 1;
    }
    (flat, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escaped_text_is_unescaped_and_windows_paths_are_not() {
        let p = Prepared::new(r#""Login failed for user 'CONTOSO\\svc'.\r\nReason: \"x\" \u2019ok""#);
        assert_eq!(p.clean, "Login failed for user 'CONTOSO\\svc'.\nReason: \"x\" 'ok");
        let path = r"Cannot open C:\new\file.txt";
        assert_eq!(clean(path), path);
        let paths = r"Error 5003.Regsvcs failed for assembly C:\Program Files\BizTalk\new\net\Microsoft.BizTalk.Deployment.dll.";
        assert_eq!(clean(paths), paths);
    }

    #[test]
    fn prefixes_and_line_breaks_disappear_from_the_flat_view() {
        let p = Prepared::new("MSI (s) (2C!64) [15:48:23:562]: Product: X -- Error 25009.\n[1:57:09 PM Error ConfigHelper] SQL error: 08001\n2017-01-12 00:37:59 ERROR: boom  here");
        assert_eq!(p.flat, "Product: X -- Error 25009. SQL error: 08001 boom here");
    }

    #[test]
    fn spans_map_back_to_the_clean_text() {
        let p = Prepared::new("MSI (s) (2C:64) [15:48:23:562]: Error 1603.\n  next   line");
        let at = p.flat.find("next").unwrap();
        let (s, e) = p.flat_to_clean(at, p.flat.len());
        assert_eq!(&p.clean[s..e], "next   line");
        let sq = p.squash.find("error1603").unwrap();
        let (s, e) = p.squash_to_clean(sq, sq + "error1603".len());
        assert_eq!(&p.clean[s..e], "Error 1603");
    }

    #[test]
    fn squash_joins_words_split_by_a_hard_wrap() {
        let p = Prepared::new("SSO Master Secret Ser\nver service is\r\nnot running");
        assert!(p.squash.contains("ssomastersecretserverserviceisnotrunning"));
        assert_eq!(p.words.len(), 9);
        assert_eq!(p.words[3].hash, word_hash("ser"));
    }

    #[test]
    fn smart_quotes_and_dashes_fold() {
        assert_eq!(clean("computer \u{2018}.\u{2019} \u{201C}x\u{201D} a\u{2014}b"), "computer '.' \"x\" a-b");
    }
}
