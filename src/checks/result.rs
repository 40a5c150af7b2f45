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

    /// Whether the check found something wrong (a failure or a warning): `check` exits 1.
    /// A check that could not tell (skipped, error) is never a problem, and never a pass.
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Warn | Status::Fail)
    }

    /// The three-valued outcome: a warning is an evaluated "does not fully hold", so it counts
    /// as a fail; skipped and error could not tell.
    pub fn outcome(self) -> Outcome {
        match self {
            Status::Pass => Outcome::Pass,
            Status::Warn | Status::Fail => Outcome::Fail,
            Status::Skipped | Status::Error => Outcome::Unknown,
        }
    }
}

/// What a check established: it holds, it does not, or it could not tell. Unknown is never
/// shown or used as either of the other two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The expectation holds.
    Pass,
    /// It does not hold (a failure or a warning).
    Fail,
    /// The check could not tell (see [`UnknownReason`]).
    Unknown,
}

impl Outcome {
    /// The name used in JSON and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Unknown => "unknown",
        }
    }
}

/// Why a check could not tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnknownReason {
    /// Not run: no SQL connection, the connection failed, cancelled, a variable not set.
    Skipped,
    /// The check does not apply here (another operating system, a feature not configured).
    NotApplicable,
    /// The probe ran and failed, timed out or panicked.
    Error,
    /// Nobody ran it (for example `--no-checks`).
    NotEvaluated,
    /// The login lacks a right the read needs, so "no rows" could mean "nothing there" or
    /// "not shown to you": the check refuses to guess.
    NoPermission,
    /// The probe read an answer, but the answer does not decide (one version number that two
    /// releases share, a file that says nothing about its copies elsewhere).
    Undetermined,
}

impl UnknownReason {
    /// The name used in JSON and on screen.
    pub fn as_str(self) -> &'static str {
        match self {
            UnknownReason::Skipped => "skipped",
            UnknownReason::NotApplicable => "not-applicable",
            UnknownReason::Error => "error",
            UnknownReason::NotEvaluated => "not-evaluated",
            UnknownReason::NoPermission => "no-permission",
            UnknownReason::Undetermined => "undetermined",
        }
    }

    /// A phrase for "the check could not tell: …".
    pub fn phrase(self) -> &'static str {
        match self {
            UnknownReason::Skipped => "it was not run",
            UnknownReason::NotApplicable => "it does not apply here",
            UnknownReason::Error => "it failed to run",
            UnknownReason::NotEvaluated => "it was not evaluated",
            UnknownReason::NoPermission => "the login may not read what it needs",
            UnknownReason::Undetermined => "what it read does not decide",
        }
    }
}

/// What a probe concluded, before the spec's severity turns a miss into `fail` or `warn`.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// The expectation holds; the detail says what was seen.
    Pass(String),
    /// The expectation does not hold.
    Miss(String),
    /// The expectation does not hold, and another entry explains why (a refused connection,
    /// a failed login: established, so a failure, not an unknown).
    MissExplained {
        /// What was seen.
        detail: String,
        /// The entry that explains it.
        issue: Option<String>,
    },
    /// Worth a warning whatever the severity (e.g. a backup older than the warning age).
    Warn(String),
    /// Not run, and why.
    Skip(String),
    /// Does not apply here (another operating system, a feature this group does not use).
    NotApplicable(String),
    /// Could not read: the login lacks a right the read needs (named in the detail).
    NoPermission(String),
    /// Read, but what was read does not decide either way (the detail says why).
    Undetermined(String),
    /// A verdict with structured facts the probe read (a restore point's backup files).
    WithData(Box<Verdict>, serde_json::Value),
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

    /// What the verdict says in words (the inner verdict's, for one with data).
    pub fn detail(&self) -> &str {
        match self {
            Verdict::Pass(d)
            | Verdict::Miss(d)
            | Verdict::Warn(d)
            | Verdict::Skip(d)
            | Verdict::NotApplicable(d)
            | Verdict::NoPermission(d)
            | Verdict::Undetermined(d) => d,
            Verdict::MissExplained { detail, .. } | Verdict::Error { detail, .. } => detail,
            Verdict::WithData(inner, _) => inner.detail(),
        }
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
    /// pass / fail / unknown: what the check established (a warning is a fail).
    pub outcome: Outcome,
    /// Why it could not tell, on an unknown outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unknown_reason: Option<UnknownReason>,
    /// Structured facts a probe read, for the steps that use them (a restore point, say).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl CheckResult {
    /// Turns a probe's verdict into a result under the spec's severity, naming the entry and
    /// fix step from `kb`.
    pub fn from_verdict(spec: &CheckSpec, verdict: Verdict, kb: &KnowledgeBase, duration_ms: u64) -> Self {
        if let Verdict::WithData(inner, data) = verdict {
            return Self::from_verdict(spec, *inner, kb, duration_ms).with_data(Some(data));
        }
        let miss_status = if spec.severity <= Severity::Error { Status::Fail } else { Status::Warn };
        let (status, detail, issue, reason) = match verdict {
            Verdict::Pass(d) => (Status::Pass, d, None, None),
            Verdict::Miss(d) => (miss_status, d, None, None),
            Verdict::MissExplained { detail, issue } => (miss_status, detail, issue, None),
            Verdict::Warn(d) => (Status::Warn, d, None, None),
            Verdict::Skip(d) => (Status::Skipped, d, None, Some(UnknownReason::Skipped)),
            Verdict::NotApplicable(d) => (Status::Skipped, d, None, Some(UnknownReason::NotApplicable)),
            Verdict::Error { detail, issue } => (Status::Error, detail, issue, Some(UnknownReason::Error)),
            Verdict::NoPermission(d) => (Status::Error, d, None, Some(UnknownReason::NoPermission)),
            Verdict::Undetermined(d) => (Status::Skipped, d, None, Some(UnknownReason::Undetermined)),
            // Unwrapped above; a nested wrapper says so instead of guessing.
            Verdict::WithData(..) => {
                (Status::Error, "a probe returned nested data".into(), None, Some(UnknownReason::Error))
            }
        };
        let explained_elsewhere = issue.is_some();
        let issue_id = issue.unwrap_or_else(|| spec.issue.clone());
        // A read the login may not make is mended by rights, not by the entry's fix.
        let fix = match (status, reason) {
            (Status::Pass | Status::Skipped, _) | (_, Some(UnknownReason::NoPermission)) => None,
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
            outcome: status.outcome(),
            unknown_reason: reason,
            data: None,
        }
    }

    /// The same result carrying structured facts from the probe.
    pub fn with_data(mut self, data: Option<serde_json::Value>) -> Self {
        self.data = data;
        self
    }

    /// A check nobody ran (`--no-checks`, or not asked for): unknown, not evaluated.
    pub fn not_evaluated(spec: &CheckSpec, why: &str) -> Self {
        CheckResult {
            id: spec.id.clone(),
            title: spec.title.clone(),
            status: Status::Skipped,
            detail: why.to_string(),
            issue_id: Some(spec.issue.clone()),
            fix: None,
            duration_ms: 0,
            outcome: Outcome::Unknown,
            unknown_reason: Some(UnknownReason::NotEvaluated),
            data: None,
        }
    }
}

/// How a set of results adds up: the line `check` prints last and the rule every verdict uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// Checks that warned.
    pub warned: usize,
    /// Checks that could not tell (skipped, not applicable, error, not evaluated).
    pub not_run: usize,
}

impl Summary {
    /// Counts the results.
    pub fn of(results: &[CheckResult]) -> Self {
        let mut s = Summary::default();
        for r in results {
            match r.status {
                Status::Pass => s.passed += 1,
                Status::Fail => s.failed += 1,
                Status::Warn => s.warned += 1,
                Status::Skipped | Status::Error => s.not_run += 1,
            }
        }
        s
    }

    /// The overall verdict: anything failed or warned, else anything unknown, else complete.
    pub fn completeness(&self) -> Completeness {
        if self.failed + self.warned > 0 {
            Completeness::Problems
        } else if self.not_run > 0 {
            Completeness::Incomplete
        } else {
            Completeness::Complete
        }
    }

    /// `N passed, N failed, N warned, N not run`.
    pub fn line(&self) -> String {
        format!("{} passed, {} failed, {} warned, {} not run", self.passed, self.failed, self.warned, self.not_run)
    }
}

/// The three states every command's exit code follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Completeness {
    /// Everything asked for was evaluated and nothing failed.
    Complete,
    /// Something failed, warned or blocks.
    Problems,
    /// Nothing failed, but something could not be evaluated.
    Incomplete,
}

impl Completeness {
    /// The worse of two (problems over incomplete over complete).
    pub fn and(self, other: Completeness) -> Completeness {
        use Completeness::*;
        match (self, other) {
            (Problems, _) | (_, Problems) => Problems,
            (Incomplete, _) | (_, Incomplete) => Incomplete,
            _ => Complete,
        }
    }

    /// The exit code: 0 complete, 1 problems, 4 incomplete.
    pub fn exit_code(self) -> u8 {
        match self {
            Completeness::Complete => crate::exit::OK,
            Completeness::Problems => crate::exit::FOUND,
            Completeness::Incomplete => crate::exit::INCOMPLETE,
        }
    }
}

/// The reasons a set of results could not tell, each with how many checks it stopped, most
/// frequent first ("not applicable on Linux (14)"), for banners and summaries.
pub fn unknown_reasons(results: &[CheckResult]) -> Vec<(String, usize)> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for r in results.iter().filter(|r| r.outcome == Outcome::Unknown) {
        let why = short_reason(&r.detail);
        match counts.iter_mut().find(|(w, _)| *w == why) {
            Some((_, n)) => *n += 1,
            None => counts.push((why, 1)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counts
}

/// A detail cut to its reason: the part before a parenthesis or a colon's explanation.
fn short_reason(detail: &str) -> String {
    let cut = detail.find(" (").unwrap_or(detail.len());
    detail[..cut].trim().to_string()
}

/// The fix step's text: the numbered step, or the entry's first step when none is named.
fn fix_text(kb: &KnowledgeBase, issue: &str, step: Option<usize>) -> Option<String> {
    let entry = kb.get(issue)?;
    let index = step.map_or(0, |s| s.saturating_sub(1));
    let step = entry.fix.get(index)?;
    let text = crate::text::squash_space(&step.step);
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
