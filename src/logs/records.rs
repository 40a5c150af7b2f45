//! Joining lines into records (a stack trace, an event with its description, a wrapped MSI
//! message) and reading each record's timestamp, level and component per format.

use super::format::{LogFormat, CONFIGLOG_LINE, SAVED_EVENTS_HEADER};
use super::lines::Line;
use serde::Serialize;

/// Most lines one record may join; the rest start new records.
const MAX_RECORD_LINES: usize = 200;
/// Most bytes one record may hold.
const MAX_RECORD_BYTES: usize = 128 * 1024;

/// How serious a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Informational or unknown.
    Info,
    /// A warning.
    Warning,
    /// An error.
    Error,
}

/// One logical entry of a log.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based line where it starts.
    pub line: u64,
    /// 1-based line where it ends.
    pub end_line: u64,
    /// Time (or date and time) as written, when the format has one.
    pub timestamp: Option<String>,
    /// Error, warning or info.
    pub level: Level,
    /// Writer of the record: ConfigLog component, event source, MSI context.
    pub component: Option<String>,
    /// The text, lines joined with `\n`, prefixes kept.
    pub text: String,
    /// For event-log records, the event id.
    pub event_id: Option<u32>,
    /// Format-specific marker bits found while classifying (MSI: which markers the line holds).
    pub flags: u32,
    /// A one-line summary when the first line says little (an event block's `Event[4]:`).
    pub headline: Option<String>,
}

impl Record {
    /// The line that stands for the record in lists and templates: its headline when it has
    /// one, else its first line.
    pub fn first_line(&self) -> &str {
        self.headline.as_deref().unwrap_or_else(|| self.text.lines().next().unwrap_or(""))
    }

    /// A key that sorts records by time, for formats whose timestamps carry a date.
    pub fn time_key(&self) -> Option<String> {
        self.timestamp.as_deref().and_then(sortable_time)
    }
}

/// `2017-01-11T22:41:37.000` or `1/11/2017 10:41:37 PM` (month first, as Event Viewer writes it
/// in US English) as `2017-01-11T22:41:37`; `None` for anything else.
pub fn sortable_time(text: &str) -> Option<String> {
    let t = text.trim();
    if let Some(iso) = t.get(..19).filter(|p| p.is_ascii() && p.as_bytes()[4] == b'-' && p.as_bytes()[10] == b'T') {
        return Some(iso.to_string());
    }
    let mut parts = t.split_whitespace();
    let date: Vec<u32> = parts.next()?.split('/').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let time: Vec<u32> = parts.next()?.split(':').map(|p| p.parse().ok()).collect::<Option<_>>()?;
    let (&[month, day, year], &[hour, minute, second]) = (date.as_slice(), time.as_slice()) else { return None };
    let hour = match parts.next().map(str::to_ascii_uppercase).as_deref() {
        Some("PM") if hour < 12 => hour + 12,
        Some("AM") if hour == 12 => 0,
        _ => hour,
    };
    Some(format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}"))
}

/// Builds records from lines, one format's rules.
#[derive(Debug)]
pub struct RecordBuilder {
    format: LogFormat,
    current: Option<Draft>,
}

#[derive(Debug)]
struct Draft {
    line: u64,
    end_line: u64,
    lines: usize,
    text: String,
}

impl RecordBuilder {
    /// A builder for `format`.
    pub fn new(format: LogFormat) -> Self {
        RecordBuilder { format, current: None }
    }

    /// Takes the next line; returns the record it completes, if any.
    pub fn push(&mut self, line: Line<'_>) -> Option<Record> {
        let continues = self.current.as_ref().is_some_and(|d| {
            d.lines < MAX_RECORD_LINES
                && d.text.len() < MAX_RECORD_BYTES
                && (is_continuation(self.format, line.text) || continues_msi_property(self.format, &d.text, line.text))
        });
        if continues {
            let draft = self.current.as_mut().expect("checked above");
            draft.text.push('\n');
            draft.text.push_str(line.text);
            draft.end_line = line.number;
            draft.lines += 1;
            return None;
        }
        let done = self.current.take().map(|d| finish(self.format, d));
        self.current = Some(Draft { line: line.number, end_line: line.number, lines: 1, text: line.text.to_string() });
        done
    }

    /// The record still open at the end of the file.
    pub fn finish(&mut self) -> Option<Record> {
        self.current.take().map(|d| finish(self.format, d))
    }
}

/// Whether a line continues the record before it rather than starting a new one.
fn is_continuation(format: LogFormat, line: &str) -> bool {
    match format {
        // MSI lines are records of their own; only indented text continues one.
        LogFormat::Msi => line.starts_with([' ', '\t']) && !line.trim().is_empty(),
        LogFormat::Configlog => !line.starts_with('[') || !CONFIGLOG_LINE.is_match(line),
        LogFormat::Eventlog => {
            !(is_event_block_start(line) || is_saved_event_start(line) || line.starts_with(SAVED_EVENTS_HEADER))
        }
        LogFormat::Setup => false,
        LogFormat::Generic => {
            let trimmed = line.trim_start();
            (line.len() != trimmed.len() && !trimmed.is_empty())
                || trimmed.starts_with("--- ")
                || trimmed.starts_with("Stack trace")
                || trimmed.starts_with("Inner exception")
                || trimmed.starts_with("Server stack trace")
        }
    }
}

/// In an MSI property dump a value may span lines: text that starts no MSI line of its own
/// belongs to the `Property(S): NAME = value` before it.
fn continues_msi_property(format: LogFormat, record: &str, line: &str) -> bool {
    const STARTS: [&str; 7] = ["Property(", "MSI (", "=== ", "Action ", "CustomAction ", "Info ", "Error "];
    format == LogFormat::Msi && record.starts_with("Property(") && !STARTS.iter().any(|s| line.starts_with(s))
}

fn is_event_block_start(line: &str) -> bool {
    line.starts_with("Event[") && line.trim_end().ends_with("]:")
}

/// `Error\t12/1/2017 10:14:55 AM\tENTSSO\t10536\t...` — a row of an Event Viewer text export.
fn is_saved_event_start(line: &str) -> bool {
    const LEVELS: [&str; 7] =
        ["Error\t", "Warning\t", "Information\t", "Critical\t", "Verbose\t", "Audit Success\t", "Audit Failure\t"];
    LEVELS.iter().any(|l| line.starts_with(l))
}

fn finish(format: LogFormat, d: Draft) -> Record {
    let mut record = Record {
        line: d.line,
        end_line: d.end_line,
        timestamp: None,
        level: Level::Info,
        component: None,
        text: d.text,
        event_id: None,
        flags: 0,
        headline: None,
    };
    match format {
        LogFormat::Msi => super::msi::classify(&mut record),
        LogFormat::Configlog => classify_configlog(&mut record),
        LogFormat::Eventlog => classify_event(&mut record),
        LogFormat::Setup => {
            record.text = strip_tags(&record.text);
            record.level = keyword_level(&record.text);
        }
        LogFormat::Generic => record.level = keyword_level(&record.text),
    }
    record
}

fn classify_configlog(r: &mut Record) {
    if let Some(c) = CONFIGLOG_LINE.captures(&r.text) {
        r.timestamp = Some(c[1].to_string());
        r.component = Some(c[3].trim().to_string());
        r.level = match c[2].to_ascii_lowercase().as_str() {
            "error" | "fatal" => Level::Error,
            "warning" | "warn" => Level::Warning,
            _ => Level::Info,
        };
    } else {
        r.level = keyword_level(&r.text);
    }
}

/// Both event-log text exports: `wevtutil` blocks (`Level: Error`) and tab-delimited rows.
fn classify_event(r: &mut Record) {
    if r.text.starts_with(SAVED_EVENTS_HEADER) {
        return;
    }
    let first = r.text.lines().next().unwrap_or("").to_string();
    if is_saved_event_start(&first) {
        let cols: Vec<&str> = first.split('\t').collect();
        r.level = event_level(cols[0]);
        r.timestamp = cols.get(1).map(|s| s.to_string());
        r.component = cols.get(2).map(|s| s.to_string());
        r.event_id = cols.get(3).and_then(|s| s.trim().parse().ok());
        let description = cols.get(5..).map(|c| c.join(" ")).unwrap_or_default();
        let source = r.component.as_deref().unwrap_or("event");
        let id = r.event_id.map(|n| format!(" {n}")).unwrap_or_default();
        r.headline = Some(format!("{source}{id}: {}", description.trim().trim_start_matches('"')));
        return;
    }
    let mut lines = r.text.lines();
    for line in lines.by_ref() {
        let t = line.trim();
        if let Some(v) = t.strip_prefix("Level:") {
            r.level = event_level(v.trim());
        } else if let Some(v) = t.strip_prefix("Source:") {
            r.component = Some(v.trim().to_string());
        } else if let Some(v) = t.strip_prefix("Date:") {
            r.timestamp = Some(v.trim().to_string());
        } else if let Some(v) = t.strip_prefix("Event ID:") {
            r.event_id = v.trim().parse().ok();
        } else if let Some(rest) = t.strip_prefix("Description:") {
            let description = Some(rest.trim())
                .filter(|d| !d.is_empty())
                .or_else(|| lines.find(|l| !l.trim().is_empty()).map(str::trim));
            let source = r.component.as_deref().unwrap_or("event");
            let id = r.event_id.map(|n| format!(" {n}")).unwrap_or_default();
            r.headline = Some(format!("{source}{id}: {}", description.unwrap_or("")));
            break;
        }
    }
}

fn event_level(name: &str) -> Level {
    match name.trim() {
        "Error" | "Critical" | "Audit Failure" => Level::Error,
        "Warning" => Level::Warning,
        _ => Level::Info,
    }
}

/// Error and warning words, for formats without a level field.
pub fn keyword_level(text: &str) -> Level {
    use std::sync::LazyLock;
    static ERROR: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"(?i-u)\b(error|errors|fatal|exception|failed|failure|fails|cannot|could not|unable to|denied)\b",
        )
        .expect("static regex")
    });
    static WARNING: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?i-u)\b(warn|warning)\b").expect("static regex"));
    static GATE: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(["error", "fatal", "exception", "fail", "cannot", "could not", "unable to", "denied", "warn"])
            .expect("static automaton")
    });
    if !GATE.is_match(text) {
        return Level::Info;
    }
    let first = text.lines().next().unwrap_or("");
    if ERROR.is_match(first) || text.contains("\n   at ") && ERROR.is_match(text) {
        Level::Error
    } else if WARNING.is_match(first) {
        Level::Warning
    } else {
        Level::Info
    }
}

/// HTML without its tags and with the common entities decoded (BizTalk's `Setup(...).htm`).
fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    crate::text::squash_space(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(format: LogFormat, text: &str) -> Vec<Record> {
        let mut b = RecordBuilder::new(format);
        let mut out = Vec::new();
        for (i, l) in text.lines().enumerate() {
            out.extend(b.push(Line { number: i as u64 + 1, text: l, cut_from: None }));
        }
        out.extend(b.finish());
        out
    }

    #[test]
    fn generic_stack_traces_join_their_exception() {
        let r = records(
            LogFormat::Generic,
            "2017-01-12 10:00:00 INFO start\n2017-01-12 10:00:01 ERROR boom\nSystem.Exception: bad\n   at A.B()\n   at C.D()\n--- End of inner exception stack trace ---\nnext",
        );
        assert_eq!(r.len(), 4);
        assert_eq!(r[1].level, Level::Error);
        assert_eq!(r[0].level, Level::Info);
        assert_eq!((r[2].line, r[2].end_line), (3, 6));
        assert_eq!(r[2].level, Level::Error);
    }

    #[test]
    fn configlog_levels_and_components_are_read() {
        let r = records(
            LogFormat::Configlog,
            "[1:57:09 PM Info Configuration] go\n[1:57:09 PM Error ConfigHelper] SQL error: 08001\ncontinued text",
        );
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].level, Level::Error);
        assert_eq!(r[1].component.as_deref(), Some("ConfigHelper"));
        assert_eq!(r[1].timestamp.as_deref(), Some("1:57:09 PM"));
        assert!(r[1].text.ends_with("continued text"));
    }

    #[test]
    fn wevtutil_blocks_and_saved_rows_become_events() {
        let text = "Event[0]:\n  Log Name: Application\n  Source: ENTSSO\n  Date: 2017-12-01T10:14:55.000\n  Event ID: 10536\n  Level: Error\n  Description: \nSSO failed.\n\nEvent[1]:\n  Level: Information";
        let r = records(LogFormat::Eventlog, text);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].level, r[0].event_id, r[0].component.as_deref()), (Level::Error, Some(10536), Some("ENTSSO")));
        assert_eq!(r[0].first_line(), "ENTSSO 10536: SSO failed.");
        assert_eq!(r[0].time_key().as_deref(), Some("2017-12-01T10:14:55"));
        assert_eq!(r[1].level, Level::Info);
        let saved = "Level\tDate and Time\tSource\tEvent ID\tTask Category\nError\t12/1/2017 10:14:55 AM\tENTSSO\t10536\tNone\t\"SSO failed\nsecond line\"\nInformation\t12/1/2017 10:14:56 AM\tMsiInstaller\t1035\tNone\tok";
        let r = records(LogFormat::Eventlog, saved);
        assert_eq!(r.len(), 3);
        assert_eq!((r[1].level, r[1].event_id), (Level::Error, Some(10536)));
        assert_eq!(r[1].first_line(), "ENTSSO 10536: SSO failed");
        assert!(r[1].text.contains("second line"));
        assert_eq!(r[1].time_key().as_deref(), Some("2017-12-01T10:14:55"));
        assert_eq!(sortable_time("12/1/2017 12:05:00 AM").as_deref(), Some("2017-12-01T00:05:00"));
        assert_eq!(sortable_time("2017-01-11T22:41:3→"), None);
        assert_eq!(sortable_time("日本語の日付"), None);
    }

    #[test]
    fn msi_property_values_spanning_lines_stay_one_record() {
        let r = records(
            LogFormat::Msi,
            "Property(S): ADDLOCAL = WMI\nProperty(S): NOTES = first line\nsecond line\nProperty(S): X = 1\nMSI (s) (2C:64) [15:48:23:562]: Note: 1: 1402",
        );
        assert_eq!(r.len(), 4);
        assert_eq!(r[1].text, "Property(S): NOTES = first line\nsecond line");
    }

    #[test]
    fn html_setup_logs_lose_their_tags() {
        let r = records(
            LogFormat::Setup,
            "<tr><td>[12:15:33]</td><td>Error: installation of SQLXML failed&nbsp;(1603)</td></tr>",
        );
        assert_eq!(r[0].text, "[12:15:33] Error: installation of SQLXML failed (1603)");
        assert_eq!(r[0].level, Level::Error);
    }
}
