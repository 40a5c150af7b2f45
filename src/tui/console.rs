//! The Windows console (conhost on Windows Server 2012 R2): whether to draw in colour, and the
//! output code page. The decisions are pure functions, tested everywhere; only the calls that
//! read and set the console are Windows-only.

use std::ffi::OsStr;

/// The UTF-8 code page.
pub const UTF8: u32 = 65001;

/// Whether the TUI draws in colour: not when the console cannot interpret escape sequences
/// (conhost without virtual-terminal processing), not when `NO_COLOR` is set to anything
/// non-empty, not when `TERM` is `dumb`.
pub fn colour_wanted(supports_vt: bool, no_color: Option<&OsStr>, term: Option<&OsStr>) -> bool {
    supports_vt && no_color.is_none_or(|v| v.is_empty()) && term.is_none_or(|t| t != "dumb")
}

/// Whether the output code page must be switched to UTF-8 for the run, and if so the one to put
/// back at exit: `Some(current)` unless it already is 65001. 0 is what `GetConsoleOutputCP`
/// returns when there is no console (output redirected): nothing to switch then.
pub fn code_page_to_restore(current: u32) -> Option<u32> {
    (current != UTF8 && current != 0).then_some(current)
}

/// Holds the console's output code page at UTF-8 while it lives and puts the old one back when
/// dropped, which happens on a normal return, an error return and a panic's unwinding alike.
/// Does nothing outside Windows.
#[derive(Debug)]
pub struct Utf8Output {
    restore: Option<u32>,
}

impl Utf8Output {
    /// Switches the output code page to UTF-8 if it is not already.
    pub fn switch() -> Self {
        let restore = code_page_to_restore(sys::output_code_page()).filter(|_| sys::set_output_code_page(UTF8));
        Utf8Output { restore }
    }

    /// The code page that will be put back, if one was switched.
    pub fn restores(&self) -> Option<u32> {
        self.restore
    }
}

impl Drop for Utf8Output {
    fn drop(&mut self) {
        if let Some(cp) = self.restore.take() {
            sys::set_output_code_page(cp);
        }
    }
}

/// Whether the console interprets escape sequences (always outside Windows).
pub fn supports_vt() -> bool {
    sys::supports_vt()
}

#[cfg(windows)]
mod sys {
    use windows_sys::Win32::System::Console::{GetConsoleOutputCP, SetConsoleOutputCP};

    pub fn output_code_page() -> u32 {
        // SAFETY: no arguments; returns 0 when the process has no console.
        unsafe { GetConsoleOutputCP() }
    }

    pub fn set_output_code_page(cp: u32) -> bool {
        // SAFETY: takes a code page number; returns 0 on failure.
        unsafe { SetConsoleOutputCP(cp) != 0 }
    }

    pub fn supports_vt() -> bool {
        ratatui::crossterm::ansi_support::supports_ansi()
    }
}

#[cfg(not(windows))]
mod sys {
    pub fn output_code_page() -> u32 {
        super::UTF8
    }

    pub fn set_output_code_page(_cp: u32) -> bool {
        false
    }

    pub fn supports_vt() -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_goes_without_vt_with_no_color_and_on_a_dumb_terminal() {
        assert!(colour_wanted(true, None, None));
        assert!(colour_wanted(true, Some(OsStr::new("")), Some(OsStr::new("xterm"))));
        assert!(!colour_wanted(false, None, None));
        assert!(!colour_wanted(true, Some(OsStr::new("1")), None));
        assert!(!colour_wanted(true, None, Some(OsStr::new("dumb"))));
    }

    #[test]
    fn the_code_page_is_switched_only_when_it_is_not_utf8_and_the_old_one_comes_back() {
        assert_eq!(code_page_to_restore(437), Some(437));
        assert_eq!(code_page_to_restore(850), Some(850));
        assert_eq!(code_page_to_restore(UTF8), None);
        assert_eq!(code_page_to_restore(0), None);
    }

    #[test]
    fn outside_windows_nothing_is_switched() {
        assert_eq!(Utf8Output::switch().restores(), None);
    }
}
