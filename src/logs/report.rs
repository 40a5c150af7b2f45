//! The result of a scan: the same values in JSON, in the TUI and in reports. Field names are a
//! contract (see the README).

use super::decode::Encoding;
use super::format::LogFormat;
use super::msi::MsiSummary;
use super::phase::UpgradePhase;
use serde::Serialize;

/// A place in a log: file, 1-based line, the line's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The file as given or found under a given folder.
    pub path: String,
    /// 1-based line number.
    pub line: u64,
    /// The line's text (at most a few hundred characters).
    pub text: String,
}

/// One line shown around a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextLine {
    /// 1-based line number.
    pub line: u64,
    /// The line's text.
    pub text: String,
}

/// What happened to one input file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileReport {
    /// The file.
    pub path: String,
    /// Detected (or forced) format; `null` when skipped.
    pub format: Option<LogFormat>,
    /// Detected (or forced) encoding; `null` when skipped.
    pub encoding: Option<Encoding>,
    /// Size in bytes.
    pub bytes: u64,
    /// Records read.
    pub records: u64,
    /// Why the file was not read, or `null`.
    pub skipped: Option<String>,
    /// Things worth knowing about how it was read (a cut line, an odd byte count).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// For Windows Installer logs: product, operation, failing action, exit code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub msi: Option<MsiSummary>,
    /// For ConfigLogs: the feature being configured when the first error happened.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    /// For ConfigLogs: the distinct HRESULTs in error records, in order of appearance.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hresults: Vec<String>,
}

impl FileReport {
    /// A report for a file that could not be read.
    pub fn skipped(path: &str, bytes: u64, reason: impl Into<String>) -> Self {
        FileReport {
            path: path.to_string(),
            format: None,
            encoding: None,
            bytes,
            records: 0,
            skipped: Some(reason.into()),
            notes: Vec::new(),
            msi: None,
            feature: None,
            hresults: Vec::new(),
        }
    }
}

/// What failed first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RootCause {
    /// The known issue behind it, when one matches.
    pub issue_id: Option<String>,
    /// The file.
    pub path: String,
    /// 1-based line.
    pub line: u64,
    /// The line's text.
    pub text: String,
    /// Why this line was chosen.
    pub reason: String,
    /// Lines around it.
    pub context: Vec<ContextLine>,
    /// When it happened, as far as the log tells (its own local time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<super::when::TimeRange>,
}

/// Which phase of the upgrade failed, and the lines that show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseReport {
    /// The phase.
    pub phase: UpgradePhase,
    /// One sentence on why.
    pub reason: String,
    /// The lines that show it.
    pub evidence: Vec<Place>,
}

/// A known issue found in the logs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The knowledge entry.
    pub issue_id: String,
    /// Its title.
    pub title: String,
    /// Its severity.
    pub severity: String,
    /// How many records matched it.
    pub count: u64,
    /// The first place.
    pub first: Place,
    /// The last place.
    pub last: Place,
    /// Lines around the first place.
    pub context: Vec<ContextLine>,
}

/// Errors that match no known issue, grouped by their normalised template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnmatchedGroup {
    /// The error with its variable parts replaced by placeholders.
    pub template: String,
    /// How many records had it.
    pub count: u64,
    /// The first one.
    pub first: Place,
}

/// A code found in a log, explained, with its first place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanCode {
    /// The explanation.
    #[serde(flatten)]
    pub code: crate::matcher::codes::CodeInfo,
    /// Where it first appears.
    pub first: Place,
}

/// The whole answer of `scan`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanReport {
    /// Always 1 for this layout.
    pub schema: u32,
    /// Every input file, in order.
    pub files: Vec<FileReport>,
    /// What failed first, or `null` when nothing failed.
    pub root_cause: Option<RootCause>,
    /// The upgrade phase that failed (`none` when nothing did).
    pub phase: UpgradePhase,
    /// Why that phase, and the evidence lines.
    pub phase_detail: PhaseReport,
    /// Known issues found, most frequent first.
    pub findings: Vec<Finding>,
    /// Unknown errors, most frequent first.
    pub unmatched: Vec<UnmatchedGroup>,
    /// Unknown-error groups left out because there were too many.
    pub unmatched_omitted: u64,
    /// Catalogued codes in the matched records, explained, each with where it first appears.
    pub codes: Vec<ScanCode>,
    /// The scan was cancelled before every file was read.
    pub cancelled: bool,
    /// Files that hit an internal error (a bug) and were skipped.
    pub internal_errors: usize,
}

impl ScanReport {
    /// Files that could be read.
    pub fn files_read(&self) -> usize {
        self.files.iter().filter(|f| f.skipped.is_none()).count()
    }

    /// Whether anything was found (a finding, an unknown error, or a root cause).
    pub fn found_anything(&self) -> bool {
        !self.findings.is_empty() || !self.unmatched.is_empty() || self.root_cause.is_some()
    }

    /// Files that could not be read, with why (`path: reason`).
    pub fn unread(&self) -> Vec<String> {
        self.files.iter().filter_map(|f| f.skipped.as_ref().map(|why| format!("{}: {why}", f.path))).collect()
    }

    /// Problems when something was found; incomplete when nothing was but a file could not be
    /// read or the scan was cancelled; complete otherwise.
    pub fn completeness(&self) -> crate::checks::Completeness {
        use crate::checks::Completeness;
        if self.found_anything() {
            Completeness::Problems
        } else if self.cancelled || self.internal_errors > 0 || self.files_read() < self.files.len() {
            Completeness::Incomplete
        } else {
            Completeness::Complete
        }
    }
}
