//! Recognising what kind of log a file is, from its content (never its name).

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// The kinds of log the scanner understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Windows Installer verbose log (`msiexec /l*v`, BizTalk `setup.exe /L`).
    Msi,
    /// BizTalk Configuration log, `ConfigLog(...).log`.
    Configlog,
    /// BizTalk setup's own log (`Setup(...).htm`, update `setup.log`).
    Setup,
    /// Event-log text export (`wevtutil qe /f:text` or Event Viewer "Save as text").
    Eventlog,
    /// Anything else: one record per line, stack traces joined.
    Generic,
}

impl LogFormat {
    /// The name used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Msi => "msi",
            LogFormat::Configlog => "configlog",
            LogFormat::Setup => "setup",
            LogFormat::Eventlog => "eventlog",
            LogFormat::Generic => "generic",
        }
    }

    /// Parses a name as [`LogFormat::name`] writes it.
    pub fn parse(name: &str) -> Option<Self> {
        [LogFormat::Msi, LogFormat::Configlog, LogFormat::Setup, LogFormat::Eventlog, LogFormat::Generic]
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// A ConfigLog line start: `[1:57:09 PM Error ConfigHelper]`.
pub static CONFIGLOG_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\[(\d{1,2}:\d{2}:\d{2}(?:\s?[AaPp][Mm])?)\s+(\w+)\s+([^\]]*)\]\s?").expect("static regex")
});

/// Header of an Event Viewer "Save as text" (tab-delimited) export.
pub const SAVED_EVENTS_HEADER: &str = "Level\tDate and Time\tSource\tEvent ID\tTask Category";

/// Decides the format from the first lines of a file (up to about a hundred).
pub fn detect(first_lines: &[&str]) -> LogFormat {
    let mut configlog = 0;
    let mut setup_html = false;
    for raw in first_lines {
        let line = raw.trim_start_matches('\u{FEFF}');
        if line.starts_with("=== Verbose logging started")
            || line.starts_with("MSI (s) (")
            || line.starts_with("MSI (c) (")
            || line.starts_with("=== Logging started")
        {
            return LogFormat::Msi;
        }
        if line.starts_with("Event[") && line.trim_end().ends_with("]:")
            || line.starts_with(SAVED_EVENTS_HEADER)
            || line.trim_start().starts_with("Log Name:")
        {
            return LogFormat::Eventlog;
        }
        if CONFIGLOG_LINE.is_match(line) {
            configlog += 1;
        }
        let lower = line.to_ascii_lowercase();
        if lower.contains("<html") || lower.contains("<title>") && lower.contains("setup") {
            setup_html = true;
        }
    }
    if configlog >= 2 {
        LogFormat::Configlog
    } else if setup_html {
        LogFormat::Setup
    } else {
        LogFormat::Generic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_recognised_from_content() {
        assert_eq!(
            detect(&["=== Verbose logging started: 1/12/2017  0:37:59  Build type: SHIP UNICODE 5.00.10011.00 ==="]),
            LogFormat::Msi
        );
        assert_eq!(detect(&["MSI (c) (2C:64) [15:48:23:562]: Resetting cached policy values"]), LogFormat::Msi);
        assert_eq!(
            detect(&["[1:57:09 PM Info Configuration] x", "[1:57:10 PM Error ConfigHelper] y"]),
            LogFormat::Configlog
        );
        assert_eq!(detect(&["Event[0]:", "  Log Name: Application"]), LogFormat::Eventlog);
        assert_eq!(detect(&["Level\tDate and Time\tSource\tEvent ID\tTask Category"]), LogFormat::Eventlog);
        assert_eq!(detect(&["<html><head><title>Microsoft BizTalk Server 2016 Setup</title>"]), LogFormat::Setup);
        assert_eq!(detect(&["2017-01-12 00:37:59 INFO starting", "plain"]), LogFormat::Generic);
        assert_eq!(LogFormat::parse("MSI"), Some(LogFormat::Msi));
    }
}
