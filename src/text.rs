//! Plain-text helpers shared by the command line and the terminal UI.

/// Greedy word wrap: `text`'s words (white space folded) in lines of at most `width`
/// characters; a word longer than `width` stands alone on its line.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// Collapses every run of white space (YAML folded text, line breaks) into one space.
pub fn squash_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn words_wrap_at_the_width_and_long_words_stand_alone() {
        assert_eq!(wrap("aa bb  cc\ndd", 5), ["aa bb", "cc dd"]);
        assert_eq!(wrap("abcdefgh ij", 4), ["abcdefgh", "ij"]);
        assert!(wrap("   ", 4).is_empty());
    }
}

/// `text` with every control character but line feed and tab shown escaped (`\u{1b}`), so
/// text from a log, a paste or a file name cannot drive the terminal it is printed to.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let is_control = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c == '\r' {
            continue;
        }
        if is_control(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod printable_tests {
    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        assert_eq!(super::printable("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(super::printable("\u{1b}]0;owned\u{7}title"), "\\u{1b}]0;owned\\u{7}title");
        assert_eq!(super::printable("line\r\n"), "line\n");
        assert_eq!(super::printable("a\u{202e}b"), "a\\u{202e}b");
    }
}
