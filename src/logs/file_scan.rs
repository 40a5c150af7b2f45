//! One pass over one file: decode, split, build records, classify, match the records that can
//! match, keep context around first occurrences, group unknown errors, and choose the file's
//! root-cause candidate. Memory stays bounded whatever the file size.

use super::decode::{self, Encoding, TextReader};
use super::format::{self, LogFormat};
use super::lines::{Line, LineSplitter, MAX_LINE};
use super::msi::MsiSummary;
use super::phase::{phase_of, UpgradePhase};
use super::records::{Level, Record, RecordBuilder};
use super::report::{ContextLine, FileReport, Place};
use super::template::template;
use super::ScanOptions;
use crate::matcher::Matcher;
use regex::Regex;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::LazyLock;

/// Characters of a line kept for display.
const SHOWN: usize = 300;
/// Lines read before the format is decided.
const DETECT_LINES: usize = 100;
/// Most unknown-error groups one file keeps; past it the rarest group is dropped (and counted
/// in `unmatched_omitted`, which counts groups).
pub const MAX_GROUPS: usize = 500;
/// Recent error records remembered for choosing the MSI root cause.
const WINDOW: usize = 40;
/// How far above `Return value 3` its cause may be, in lines.
const WINDOW_LINES: u64 = 400;

/// A known issue seen in one file.
#[derive(Debug, Clone)]
pub struct FileFinding {
    /// Records that matched.
    pub count: u64,
    /// First place.
    pub first: Place,
    /// Last place.
    pub last: Place,
    /// Context around the first place.
    pub context: Vec<ContextLine>,
    after_needed: usize,
}

/// One file's root-cause candidate.
#[derive(Debug, Clone)]
pub struct FileRoot {
    /// Known issue, if matched.
    pub issue_id: Option<String>,
    /// Where.
    pub place: Place,
    /// Why this line.
    pub reason: String,
    /// Context around it.
    pub context: Vec<ContextLine>,
    /// Sort key for "earliest" across files (timestamp when known).
    pub phase: Option<(UpgradePhase, String)>,
    /// Supporting lines for the phase.
    pub evidence: Vec<Place>,
    /// ConfigLog feature being configured when it happened.
    pub feature: Option<(String, Place)>,
    after_needed: usize,
}

/// Everything one file contributes to the report.
#[derive(Debug, Clone)]
pub struct FileScan {
    /// The file's entry in `files`.
    pub report: FileReport,
    /// Known issues by id.
    pub findings: HashMap<String, FileFinding>,
    /// Unknown errors by template: count and first place.
    pub unmatched: HashMap<String, (u64, Place)>,
    /// Groups dropped past [`MAX_GROUPS`].
    pub unmatched_omitted: u64,
    /// The root-cause candidate.
    pub root: Option<FileRoot>,
    /// Catalogued codes in the file's matched records, each once, with its first place.
    pub codes: Vec<(crate::matcher::codes::CodeInfo, Place)>,
}

/// Scans one file. Never fails: problems become `skipped` or `notes`.
pub fn scan_file(
    path: &Path,
    special: bool,
    matcher: &Matcher,
    options: &ScanOptions,
    done: &AtomicU64,
    cancel: &AtomicBool,
) -> FileScan {
    let shown = path.display().to_string();
    let empty = |report| FileScan {
        report,
        findings: HashMap::new(),
        unmatched: HashMap::new(),
        unmatched_omitted: 0,
        root: None,
        codes: Vec::new(),
    };
    let file = match open_for_reading(path, special) {
        Ok(f) => f,
        Err(e) => return empty(FileReport::skipped(&shown, 0, open_error(&e))),
    };
    let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
    // A FIFO or a device named on its own is read, but only so far.
    let limit = if special { super::SPECIAL_LIMIT } else { u64::MAX };
    let mut file = std::io::Read::take(file, limit);
    let head = match decode::read_head(&mut file) {
        Ok(h) => h,
        Err(e) => return empty(FileReport::skipped(&shown, bytes, format!("cannot read: {e}"))),
    };
    if head.is_empty() {
        return empty(FileReport::skipped(&shown, bytes, "empty file"));
    }
    let Some((encoding, bom)) = decode::choose(&head, options.encoding) else {
        done.fetch_add(bytes, Ordering::Relaxed);
        return empty(FileReport::skipped(
            &shown,
            bytes,
            "binary file (not text: it holds NUL bytes or control characters)",
        ));
    };
    let mut scan = Scanner::new(shown, bytes, encoding, matcher, options);
    if matches!(encoding, Encoding::Utf16Le | Encoding::Utf16Be) && (bytes.saturating_sub(bom as u64)) % 2 == 1 {
        scan.report.notes.push("odd number of bytes for UTF-16: the last byte was replaced by U+FFFD".into());
    }
    let mut reader = TextReader::new(file, encoding, head, bom);
    let mut splitter = LineSplitter::new();
    let mut chunk = String::new();
    let mut reported = 0u64;
    loop {
        if cancel.load(Ordering::Relaxed) {
            scan.report.notes.push("cancelled before the end of the file".into());
            break;
        }
        chunk.clear();
        match reader.next_chunk(&mut chunk) {
            Ok(true) => splitter.feed(&chunk, |line| scan.line(line)),
            Ok(false) => break,
            Err(e) => {
                scan.report.notes.push(format!("read error after {} bytes: {e}", reader.bytes_read));
                break;
            }
        }
        done.fetch_add(reader.bytes_read - reported, Ordering::Relaxed);
        reported = reader.bytes_read;
    }
    splitter.finish(|line| scan.line(line));
    done.fetch_add(bytes.saturating_sub(reported), Ordering::Relaxed);
    scan.finish()
}

/// Opens a file to read. A FIFO is opened without waiting for a writer (Unix), so a pipe nobody
/// writes to reads as empty instead of blocking for ever.
fn open_for_reading(path: &Path, special: bool) -> std::io::Result<File> {
    #[cfg(unix)]
    if special {
        use std::os::unix::fs::OpenOptionsExt;
        let file = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)?;
        // Back to blocking reads, now that the open did not wait.
        use std::os::fd::AsRawFd;
        let fd = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor we own, with flags read from it.
        unsafe {
            let flags = libc::fcntl(fd, libc::F_GETFL);
            if flags >= 0 {
                libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
            }
        }
        return Ok(file);
    }
    let _ = special;
    File::open(path)
}

fn open_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot open: {e}"),
    }
}

/// Most distinct HRESULTs a ConfigLog's entry lists.
const MAX_HRESULTS: usize = 20;

static HRESULT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i-u)\b0x[0-9a-f]{8}\b").expect("static regex"));

static FEATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:Configuring|Validating|Unconfiguring|Upgrading|Building feature XML for)(?: feature)?:\s*(.+?)\s*$",
    )
    .expect("static regex")
});

/// Context lines taken for a record, and how many "after" lines were still to come.
type Captured = (Vec<ContextLine>, usize);

/// The root-cause candidate of a non-MSI log: the record, its known issue, its context.
type ErrorCandidate = (Record, Option<String>, Option<Captured>);

/// The streaming state of one file.
struct Scanner<'a> {
    matcher: &'a Matcher,
    context: usize,
    report: FileReport,
    forced_format: Option<LogFormat>,
    format: Option<LogFormat>,
    pending_lines: Vec<(u64, String, Option<usize>)>,
    builder: Option<RecordBuilder>,
    recent: VecDeque<(u64, String)>,
    findings: HashMap<String, FileFinding>,
    waiting_after: Vec<String>,
    unmatched: HashMap<String, (u64, Place)>,
    unmatched_omitted: u64,
    msi: Option<MsiSummary>,
    feature: Option<(String, Place)>,
    error_window: VecDeque<(Record, Option<String>)>,
    root: Option<FileRoot>,
    codes: Vec<(crate::matcher::codes::CodeInfo, Place)>,
    first_error: Option<ErrorCandidate>,
    setup_event: Option<Record>,
    cut_lines: u64,
    nul_noted: bool,
}

impl<'a> Scanner<'a> {
    fn new(path: String, bytes: u64, encoding: Encoding, matcher: &'a Matcher, options: &ScanOptions) -> Self {
        let mut report = FileReport::skipped(&path, bytes, "");
        report.skipped = None;
        report.encoding = Some(encoding);
        Scanner {
            matcher,
            context: options.context,
            report,
            forced_format: options.format,
            format: None,
            pending_lines: Vec::new(),
            builder: None,
            recent: VecDeque::new(),
            findings: HashMap::new(),
            waiting_after: Vec::new(),
            unmatched: HashMap::new(),
            unmatched_omitted: 0,
            msi: None,
            feature: None,
            error_window: VecDeque::new(),
            root: None,
            codes: Vec::new(),
            first_error: None,
            setup_event: None,
            cut_lines: 0,
            nul_noted: false,
        }
    }

    /// Takes one line: until the format is known, lines wait; then each goes to the records.
    fn line(&mut self, line: Line<'_>) {
        if self.format.is_none() {
            self.pending_lines.push((line.number, line.text.to_string(), line.cut_from));
            if self.pending_lines.len() >= DETECT_LINES {
                self.decide_format();
            }
            return;
        }
        self.process(line);
    }

    fn decide_format(&mut self) {
        let format = self.forced_format.unwrap_or_else(|| {
            let firsts: Vec<&str> = self.pending_lines.iter().map(|(_, t, _)| t.as_str()).collect();
            format::detect(&firsts)
        });
        self.format = Some(format);
        self.report.format = Some(format);
        self.builder = Some(RecordBuilder::new(format));
        if format == LogFormat::Msi {
            self.msi = Some(MsiSummary::new());
        }
        for (number, text, cut_from) in std::mem::take(&mut self.pending_lines) {
            self.process(Line { number, text: &text, cut_from });
        }
    }

    fn process(&mut self, line: Line<'_>) {
        if memchr::memchr(0, line.text.as_bytes()).is_some() {
            // Binary data after a text start: shown as U+FFFD, never as raw NUL bytes.
            if !self.nul_noted {
                self.nul_noted = true;
                self.report.notes.push(format!(
                    "line {} holds NUL bytes (binary data inside a text file); they are shown as U+FFFD",
                    line.number
                ));
            }
            let cleaned = line.text.replace('\0', "\u{FFFD}");
            return self.process_clean(Line { number: line.number, text: &cleaned, cut_from: line.cut_from });
        }
        self.process_clean(line);
    }

    fn process_clean(&mut self, line: Line<'_>) {
        if line.cut_from.is_some() {
            self.cut_lines += 1;
            if self.cut_lines == 1 {
                self.report.notes.push(format!(
                    "line {} is {} bytes long; only its first {} KiB were examined",
                    line.number,
                    line.cut_from.unwrap_or_default(),
                    MAX_LINE / 1024
                ));
            }
        }
        if let Some(record) = self.builder.as_mut().and_then(|b| b.push(line)) {
            self.record(record);
        }
        self.feed_after(line.number, line.text);
        self.remember(line.number, line.text);
    }

    /// Keeps the last lines for "before" context, recycling their buffers.
    fn remember(&mut self, number: u64, text: &str) {
        let keep = self.context + 64;
        let mut slot = if self.recent.len() >= keep {
            self.recent.pop_front().map(|(_, s)| s).unwrap_or_default()
        } else {
            String::new()
        };
        slot.clear();
        slot.push_str(shorten(text));
        self.recent.push_back((number, slot));
    }

    /// Lines after a first occurrence, for its context.
    fn feed_after(&mut self, number: u64, text: &str) {
        if !self.waiting_after.is_empty() {
            let context = ContextLine { line: number, text: shorten(text).to_string() };
            let findings = &mut self.findings;
            self.waiting_after.retain(|id| match findings.get_mut(id) {
                Some(f) if f.after_needed > 0 && f.context.last().is_none_or(|c| number > c.line) => {
                    f.context.push(context.clone());
                    f.after_needed -= 1;
                    f.after_needed > 0
                }
                Some(f) => f.after_needed > 0,
                None => false,
            });
        }
        if let Some(root) =
            self.root.as_mut().filter(|r| r.after_needed > 0 && r.context.last().is_none_or(|c| number > c.line))
        {
            root.context.push(ContextLine { line: number, text: shorten(text).to_string() });
            root.after_needed -= 1;
        }
    }

    /// Context for a record: up to `context` lines before it, its own lines (up to 20), and the
    /// lines after it already read; returns how many "after" lines are still to come.
    fn context_for(&self, r: &Record) -> (Vec<ContextLine>, usize) {
        let mut out: Vec<ContextLine> = self
            .recent
            .iter()
            .filter(|(n, _)| *n < r.line)
            .rev()
            .take(self.context)
            .map(|(n, t)| ContextLine { line: *n, text: t.clone() })
            .collect();
        out.reverse();
        out.extend(
            r.text
                .lines()
                .take(20)
                .enumerate()
                .map(|(i, t)| ContextLine { line: r.line + i as u64, text: shorten(t).to_string() }),
        );
        let seen_after: Vec<ContextLine> = self
            .recent
            .iter()
            .filter(|(n, _)| *n > r.end_line)
            .take(self.context)
            .map(|(n, t)| ContextLine { line: *n, text: t.clone() })
            .collect();
        let still_needed = self.context - seen_after.len();
        out.extend(seen_after);
        (out, still_needed)
    }

    fn place(&self, r: &Record) -> Place {
        Place { path: self.report.path.clone(), line: r.line, text: shorten(r.first_line()).to_string() }
    }

    fn record(&mut self, r: Record) {
        self.report.records += 1;
        if let Some(msi) = self.msi.as_mut() {
            msi.observe(&r);
        }
        if self.format == Some(LogFormat::Configlog) {
            if let Some(c) = FEATURE.captures(r.first_line()) {
                let feature = c[1].trim_end_matches(['.', ':']).to_string();
                self.feature = Some((feature, self.place(&r)));
            }
        }
        if r.level < Level::Warning {
            return;
        }
        let issue = self.match_record(&r);
        if r.level == Level::Error && self.format == Some(LogFormat::Configlog) {
            for code in HRESULT.find_iter(&r.text) {
                let code = format!("0x{}", code.as_str()[2..].to_ascii_uppercase());
                if self.report.hresults.len() < MAX_HRESULTS && !self.report.hresults.contains(&code) {
                    self.report.hresults.push(code);
                }
            }
        }
        if r.level == Level::Error {
            let outcome = self.format == Some(LogFormat::Msi) && super::msi::is_outcome(super::msi::message(&r.text));
            if issue.is_none() && !outcome {
                self.group_unmatched(&r);
            }
            self.root_candidate(&r, issue.clone());
        }
    }

    /// Runs the matcher on a record that can match; records every confident issue; returns the
    /// best one.
    fn match_record(&mut self, r: &Record) -> Option<String> {
        if !self.matcher.may_match(&r.text) {
            return None;
        }
        let mut report = self.matcher.match_whole(&r.text);
        for code in std::mem::take(&mut report.codes) {
            if self.codes.len() < crate::matcher::codes::MAX_CODES
                && !self.codes.iter().any(|(c, _)| c.code == code.code && c.catalogue == code.catalogue)
            {
                let place = self.place(r);
                self.codes.push((code, place));
            }
        }
        let mut best = None;
        for m in report.confident() {
            // The record's own issue, for the root cause, is a specific entry: an area's triage
            // or a generic status on the same line says the line failed, not why.
            if self.matcher.entry(m.entry).tier() == crate::kb::Tier::Specific {
                best.get_or_insert_with(|| m.id.clone());
            }
            let place = self.place(r);
            match self.findings.get_mut(&m.id) {
                Some(f) => {
                    f.count += 1;
                    f.last = place;
                }
                None => {
                    let (context, after_needed) = self.context_for(r);
                    let finding = FileFinding { count: 1, first: place.clone(), last: place, context, after_needed };
                    if after_needed > 0 {
                        self.waiting_after.push(m.id.clone());
                    }
                    self.findings.insert(m.id.clone(), finding);
                }
            }
        }
        best
    }

    fn group_unmatched(&mut self, r: &Record) {
        // Masked first: the template keeps no secret, and masking still sees the text as written.
        let key = template(&crate::report::redact::secrets(r.first_line()));
        if key.is_empty() {
            return;
        }
        if let Some(entry) = self.unmatched.get_mut(&key) {
            entry.0 += 1;
            return;
        }
        if self.unmatched.len() >= MAX_GROUPS {
            // Full: the rarest group makes room, so a frequent error seen late still shows.
            let rarest = self
                .unmatched
                .iter()
                .min_by_key(|(_, (count, place))| (*count, std::cmp::Reverse(place.line)))
                .map(|(k, _)| k.clone());
            if let Some(k) = rarest {
                self.unmatched.remove(&k);
                self.unmatched_omitted += 1;
            }
        }
        let place = self.place(r);
        self.unmatched.insert(key, (1, place));
    }

    /// MSI: the first `Return value 3` decides, and its cause is looked for just above it.
    /// Other formats: the first error. Later failures (rollback) are not second causes.
    fn root_candidate(&mut self, r: &Record, issue: Option<String>) {
        if self.format == Some(LogFormat::Eventlog) {
            // Exports are often newest first: keep the earliest error by time.
            if self.setup_event.is_none() && r.component.as_deref() == Some("MsiInstaller") {
                self.setup_event = Some(r.clone());
            }
            let earlier = match (&self.first_error, r.time_key()) {
                (None, _) => true,
                (Some((old, _, _)), Some(key)) => old.time_key().is_none_or(|old_key| key < old_key),
                (Some(_), None) => false,
            };
            if earlier {
                // Its context is taken now, while the lines around it are at hand.
                let context = self.context_for(r);
                self.first_error = Some((r.clone(), issue, Some(context)));
            }
            return;
        }
        if self.root.is_some() {
            return;
        }
        if self.first_error.is_none() {
            let context = self.context_for(r);
            self.first_error = Some((r.clone(), issue.clone(), Some(context)));
        }
        if self.format != Some(LogFormat::Msi) {
            self.set_root(r.clone(), issue, "the first error in the log".into());
            return;
        }
        let is_failure = self.msi.as_ref().is_some_and(|m| m.is_first_failure(r));
        if !is_failure {
            self.error_window.push_back((r.clone(), issue));
            if self.error_window.len() > WINDOW {
                self.error_window.pop_front();
            }
            return;
        }
        let near: Vec<&(Record, Option<String>)> =
            self.error_window.iter().filter(|(e, _)| e.line + WINDOW_LINES >= r.line).collect();
        let chosen = near
            .iter()
            .find(|(_, i)| i.is_some())
            .or_else(|| {
                near.iter().find(|(e, _)| {
                    super::msi::message(&e.text).contains("Error ") || e.text.contains("returned actual error code")
                })
            })
            .or_else(|| near.first())
            .map(|(e, i)| (e.clone(), i.clone()));
        let action = self.msi.as_ref().and_then(|m| m.failed_action.clone()).unwrap_or_default();
        match chosen {
            Some((cause, cause_issue)) => self.set_root(
                cause,
                cause_issue.or(issue),
                format!("the error logged just before action {action} ended with Return value 3 (the first failure)"),
            ),
            None => self.set_root(
                r.clone(),
                issue,
                format!("action {action} ended with Return value 3 (the first failure)"),
            ),
        }
    }

    fn set_root(&mut self, r: Record, issue_id: Option<String>, reason: String) {
        self.set_root_with(r, issue_id, reason, None);
    }

    /// Sets the root cause; `context` when it was taken earlier (at end of file the lines
    /// around an early record are gone).
    fn set_root_with(
        &mut self,
        r: Record,
        issue_id: Option<String>,
        reason: String,
        context: Option<(Vec<ContextLine>, usize)>,
    ) {
        let (context, after_needed) = context.map_or_else(|| self.context_for(&r), |(c, _)| (c, 0));
        let place = self.place(&r);
        let feature = self.feature.clone();
        self.root = Some(FileRoot {
            issue_id,
            place,
            reason,
            context,
            phase: None,
            evidence: Vec::new(),
            feature,
            after_needed,
        });
    }

    fn finish(mut self) -> FileScan {
        if self.format.is_none() {
            self.decide_format();
        }
        if let Some(record) = self.builder.as_mut().and_then(RecordBuilder::finish) {
            self.record(record);
        }
        if self.root.is_none() {
            if let Some((r, issue, context)) = self.first_error.take() {
                let reason = match self.format {
                    Some(LogFormat::Msi) => "the first error (no action ended with Return value 3)".to_string(),
                    Some(LogFormat::Eventlog) => "the earliest error event".to_string(),
                    _ => "the first error in the log".to_string(),
                };
                self.set_root_with(r, issue, reason, context);
            }
        }
        let format = self.format.unwrap_or(LogFormat::Generic);
        if let Some(msi) = self.msi.as_mut() {
            msi.finalize();
        }
        if let Some(root) = self.root.as_mut() {
            let feature = root.feature.clone();
            root.phase =
                phase_of(format, self.msi.as_ref(), &root.place.text, feature.as_ref().map(|(f, _)| f.as_str()));
            if let (None, Some(event)) = (&root.phase, &self.setup_event) {
                // An installer failure event says which step failed even when an earlier error
                // is the root cause.
                root.phase = phase_of(format, None, event.first_line(), None);
                let text = shorten(event.first_line()).to_string();
                root.evidence.push(Place { path: root.place.path.clone(), line: event.line, text });
            }
            if let Some((_, place)) = feature {
                root.evidence.push(place);
            }
            if let Some(msi) = self.msi.as_ref() {
                if let (Some(line), Some(action)) = (msi.failed_action_line, msi.failed_action.as_ref()) {
                    if line != root.place.line {
                        let text = format!("Action ended: {action}. Return value 3.");
                        root.evidence.push(Place { path: root.place.path.clone(), line, text });
                    }
                }
            }
            root.evidence.push(root.place.clone());
            root.evidence.sort_by_key(|p| p.line);
        }
        if self.cut_lines > 1 {
            self.report.notes.push(format!(
                "{} lines were longer than {} KiB and were cut",
                self.cut_lines,
                MAX_LINE / 1024
            ));
        }
        self.report.msi = self.msi.take();
        self.report.feature = self.root.as_ref().and_then(|r| r.feature.clone()).or(self.feature).map(|(f, _)| f);
        FileScan {
            report: self.report,
            findings: self.findings,
            unmatched: self.unmatched,
            unmatched_omitted: self.unmatched_omitted,
            root: self.root,
            codes: self.codes,
        }
    }
}

/// At most [`SHOWN`] bytes of a line, cut on a character boundary.
fn shorten(text: &str) -> &str {
    if text.len() <= SHOWN {
        return text;
    }
    let mut cut = SHOWN;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    &text[..cut]
}

#[cfg(test)]
mod tests {
    use super::open_error;
    use std::io::{Error, ErrorKind};

    #[test]
    fn open_errors_read_plainly() {
        assert_eq!(open_error(&Error::from(ErrorKind::PermissionDenied)), "permission denied");
        assert_eq!(open_error(&Error::from(ErrorKind::NotFound)), "does not exist");
        assert!(open_error(&Error::other("disk on fire")).starts_with("cannot open: "));
    }
}
