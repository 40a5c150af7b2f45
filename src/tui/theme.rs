//! Styles, with and without colour. Every state is also shown by a symbol or a word, so the
//! screen reads the same under `NO_COLOR`.

use crate::kb::Severity;
use crate::matcher::Confidence;
use ratatui::style::{Color, Modifier, Style};

/// The styles one frame is drawn with.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Colour when allowed.
    pub fn new(color: bool) -> Self {
        Theme { color }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// Headings and the active tab.
    pub fn strong(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Secondary text.
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    /// The selected row.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Matched text inside a log line or a paste.
    pub fn mark(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::Yellow)
        } else {
            Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
        }
    }

    /// An error.
    pub fn bad(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    /// Something not established (a check that could not tell).
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// A good state.
    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }

    /// Border of the focused pane.
    pub fn focus_border(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Confidence as symbols and a word, with its style.
    pub fn confidence(&self, c: Confidence) -> (&'static str, Style) {
        match c {
            Confidence::High => ("●●● high  ", self.fg(Color::Green).add_modifier(Modifier::BOLD)),
            Confidence::Medium => ("●●○ medium", self.fg(Color::Yellow)),
            Confidence::Low => ("●○○ low   ", self.dim()),
        }
    }

    /// Severity as a bracketed word, with its style.
    pub fn severity(&self, s: Severity) -> (&'static str, Style) {
        match s {
            Severity::Blocker => ("[blocker]", self.bad()),
            Severity::Error => ("[error]  ", self.fg(Color::Red)),
            Severity::Warning => ("[warning]", self.fg(Color::Yellow)),
            Severity::Info => ("[info]   ", self.dim()),
        }
    }

    /// A check's status as a symbol and word, with its style (the symbol tells it without colour).
    pub fn status(&self, s: crate::checks::Status) -> (&'static str, Style) {
        use crate::checks::Status;
        match s {
            Status::Pass => ("✓ pass ", self.good()),
            Status::Warn => ("! warn ", self.fg(Color::Yellow).add_modifier(Modifier::BOLD)),
            Status::Fail => ("✗ fail ", self.bad()),
            Status::Skipped => ("– skip ", self.dim()),
            Status::Error => ("? error", self.bad()),
        }
    }
}
