//! What a check ends as: the values the CLI prints, `--json` serialises and the TUI shows.

use crate::kb::{CheckSpec, KnowledgeBase, Severity};
use serde::Serialize;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The expectation holds.
    Pass,
    /// It holds only partly, or a warning-severity expectation does not hold.
    Warn,
    /// A blocker- or error-severity expectation does not hold.
    Fail,
    /// Not run, with the reason (not applicable here, no SQL connection, ...).
    Skipped,
    /// The probe could not tell: it failed, timed out or panicked.
    Error,
}

impl Status {
    /// The name used in JSON and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skipped => "skipped",
            Status::Error => "error",
        }
    }

    /// Whether this outcome makes `check` exit 1.
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Warn | Status::Fail | Status::Error)
    }
}

/// What a probe concluded, before the spec's severity turns a miss into `fail` or `warn`.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The expectation holds; the detail says what was seen.
    Pass(String),
    /// The expectation does not hold.
    Miss(String),
    /// Worth a warning whatever the severity (e.g. a backup older than the warning age).
    Warn(String),
    /// Not run, and why.
    Skip(String),
    /// The probe could not tell; optionally a knowledge entry that explains the failure (a
    /// refused connection, a failed login) instead of the check's own entry.
    Error {
        /// What went wrong, in words.
        detail: String,
        /// The entry that explains it, when one does.
        issue: Option<String>,
    },
}

impl Verdict {
    /// An error explained by the check's own entry.
    pub fn error(detail: impl Into<String>) -> Self {
        Verdict::Error { detail: detail.into(), issue: None }
    }
}

/// One finished check: the JSON contract's fields plus the fix step that repairs a miss.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// The check's id.
    pub id: String,
    /// The check's title.
    pub title: String,
    /// pass / warn / fail / skipped / error.
    pub status: Status,
    /// What was seen, or why it was skipped or could not run.
    pub detail: String,
    /// The knowledge entry that explains this result.
    pub issue_id: Option<String>,
    /// The step of that entry that repairs a miss (not on a pass).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// How long the probe took.
    pub duration_ms: u64,
}

impl CheckResult {
    /// Turns a probe's verdict into a result under the spec's severity, naming the entry and
    /// fix step from `kb`.
    pub fn from_verdict(spec: &CheckSpec, verdict: Verdict, kb: &KnowledgeBase, duration_ms: u64) -> Self {
        let miss_status = if spec.severity <= Severity::Error { Status::Fail } else { Status::Warn };
        let (status, detail, issue) = match verdict {
            Verdict::Pass(d) => (Status::Pass, d, None),
            Verdict::Miss(d) => (miss_status, d, None),
            Verdict::Warn(d) => (Status::Warn, d, None),
            Verdict::Skip(d) => (Status::Skipped, d, None),
            Verdict::Error { detail, issue } => (Status::Error, detail, issue),
        };
        let explained_elsewhere = issue.is_some();
        let issue_id = issue.unwrap_or_else(|| spec.issue.clone());
        let fix = match status {
            Status::Pass | Status::Skipped => None,
            _ => fix_text(kb, &issue_id, if explained_elsewhere { None } else { spec.fix_step }),
        };
        CheckResult {
            id: spec.id.clone(),
            title: spec.title.clone(),
            status,
            detail,
            issue_id: Some(issue_id),
            fix,
            duration_ms,
        }
    }
}

/// The fix step's text: the numbered step, or the entry's first step when none is named.
fn fix_text(kb: &KnowledgeBase, issue: &str, step: Option<usize>) -> Option<String> {
    let entry = kb.get(issue)?;
    let index = step.map_or(0, |s| s.saturating_sub(1));
    let step = entry.fix.get(index)?;
    let text = crate::report::text::squash_space(&step.step);
    Some(match &step.command {
        Some(command) => format!("{text} ({command})"),
        None => text,
    })
}

/// How many results have each status, in the order they are reported.
pub fn tally(results: &[CheckResult]) -> [(Status, usize); 5] {
    let count = |s: Status| results.iter().filter(|r| r.status == s).count();
    [Status::Pass, Status::Warn, Status::Fail, Status::Skipped, Status::Error].map(|s| (s, count(s)))
}
