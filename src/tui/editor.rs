//! The multi-line text being pasted or typed: one `String` and a cursor, cheap for a 1 MB paste
//! (appending is amortised O(1); only the visible lines are ever laid out).

/// An editable text with a cursor (a byte offset on a char boundary).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Editor {
    text: String,
    cursor: usize,
}

impl Editor {
    /// An empty editor.
    pub fn new() -> Self {
        Self::default()
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor's byte offset.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Inserts text at the cursor (a typed character or a pasted block); `\r\n` and `\r`
    /// become `\n`.
    pub fn insert(&mut self, s: &str) {
        let normalized;
        let s = if s.contains('\r') {
            normalized = s.replace("\r\n", "\n").replace('\r', "\n");
            normalized.as_str()
        } else {
            s
        };
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
    }

    /// Deletes the character before the cursor.
    pub fn backspace(&mut self) {
        if let Some((i, _)) = self.text[..self.cursor].char_indices().next_back() {
            self.text.replace_range(i..self.cursor, "");
            self.cursor = i;
        }
    }

    /// Deletes the character at the cursor.
    pub fn delete(&mut self) {
        if let Some(c) = self.text[self.cursor..].chars().next() {
            self.text.replace_range(self.cursor..self.cursor + c.len_utf8(), "");
        }
    }

    /// Moves the cursor one character left or right.
    pub fn move_horizontal(&mut self, right: bool) {
        self.cursor = if right {
            self.text[self.cursor..].chars().next().map_or(self.cursor, |c| self.cursor + c.len_utf8())
        } else {
            self.text[..self.cursor].char_indices().next_back().map_or(0, |(i, _)| i)
        };
    }

    /// Moves the cursor to the start or end of its line.
    pub fn move_line_edge(&mut self, end: bool) {
        let (start, stop) = self.line_bounds(self.cursor);
        self.cursor = if end { stop } else { start };
    }

    /// Moves the cursor one line up or down, keeping the column where the line allows.
    pub fn move_vertical(&mut self, down: bool) {
        let (start, stop) = self.line_bounds(self.cursor);
        let column = self.text[start..self.cursor].chars().count();
        let target = if down {
            if stop >= self.text.len() {
                return;
            }
            stop + 1
        } else {
            if start == 0 {
                return;
            }
            start - 1
        };
        let (t_start, t_stop) = self.line_bounds(target);
        self.cursor = self.text[t_start..t_stop].char_indices().nth(column).map_or(t_stop, |(i, _)| t_start + i);
    }

    /// Empties the editor.
    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }

    /// The line number (0-based) and column (in characters) of the cursor.
    pub fn cursor_position(&self) -> (usize, usize) {
        let before = &self.text[..self.cursor];
        let line = memchr::memchr_iter(b'\n', before.as_bytes()).count();
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[start..].chars().count())
    }

    /// Number of lines.
    pub fn line_count(&self) -> usize {
        memchr::memchr_iter(b'\n', self.text.as_bytes()).count() + 1
    }

    /// Byte ranges of the lines `first..first + count`.
    pub fn line_ranges(&self, first: usize, count: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::with_capacity(count);
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', self.text.as_bytes()).chain(std::iter::once(self.text.len()));
        for (index, nl) in ends.enumerate() {
            if index >= first {
                out.push((start, nl));
                if out.len() == count {
                    break;
                }
            }
            start = nl + 1;
            if start > self.text.len() {
                break;
            }
        }
        out
    }

    fn line_bounds(&self, at: usize) -> (usize, usize) {
        let start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let stop = self.text[at..].find('\n').map_or(self.text.len(), |i| at + i);
        (start, stop)
    }
}

#[cfg(test)]
mod tests {
    use super::Editor;

    #[test]
    fn typing_moving_and_deleting() {
        let mut e = Editor::new();
        e.insert("héllo\r\nworld");
        assert_eq!(e.text(), "héllo\nworld");
        assert_eq!(e.cursor_position(), (1, 5));
        e.move_vertical(false);
        assert_eq!(e.cursor_position(), (0, 5));
        e.backspace();
        assert_eq!(e.text(), "héll\nworld");
        e.move_line_edge(false);
        e.move_horizontal(true);
        e.delete();
        assert_eq!(e.text(), "hll\nworld");
        assert_eq!(e.line_count(), 2);
        assert_eq!(e.line_ranges(1, 5), vec![(4, 9)]);
    }

    #[test]
    fn a_megabyte_paste_is_one_insert() {
        let mut e = Editor::new();
        let big = "Login failed for user 'sa'.\n".repeat(40_000);
        e.insert(&big);
        assert_eq!(e.line_count(), 40_001);
        assert_eq!(e.line_ranges(39_999, 3).len(), 2);
    }
}
