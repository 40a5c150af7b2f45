//! Scripted answers (`recover --answers FILE`): question step id → choice value (a list for a
//! question met again), check id → the status to assume, and the destructive steps the script
//! confirms. An answer source like a person at a prompt, for automation and tests.

use super::machine::CheckOutcome;
use super::session::AnswerSource;
use crate::checks::Status;
use crate::kb::playbook::Step;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// An answers file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedAnswers {
    /// Question step id → choice value, or a list of values for a question met again. A check
    /// step's id answers its question when the check cannot tell (`yes` / `no`).
    #[serde(default)]
    pub answers: BTreeMap<String, OneOrMany>,
    /// Check id → the status to assume instead of running it, or a list of statuses for the
    /// first, second, … time the check runs (then it runs for real).
    #[serde(default)]
    pub checks: BTreeMap<String, StatusOrMany>,
    /// Destructive steps the script confirms as done; a walk stops at any other.
    #[serde(default)]
    pub confirm: Vec<String>,
    /// How many times each scripted check has been used.
    #[serde(skip)]
    used: BTreeMap<String, usize>,
}

/// One scripted status, or one per run of the check.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum StatusOrMany {
    /// The same status every time.
    One(Status),
    /// The n-th status for the n-th run.
    Many(Vec<Status>),
}

impl ScriptedAnswers {
    /// Whether the script gives an outcome for this check (so no live run, and no connection,
    /// is needed for it).
    pub fn scripts_check(&self, check: &str) -> bool {
        self.checks.contains_key(check)
    }
}

/// One answer, or one per visit of the step.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    /// The same answer the first time only.
    One(String),
    /// The n-th answer for the n-th time.
    Many(Vec<String>),
}

impl OneOrMany {
    /// The answer for the `visit`-th time the step is met (0-based); `None` once used up.
    pub fn nth(&self, visit: usize) -> Option<&str> {
        match self {
            OneOrMany::One(v) if visit == 0 => Some(v),
            OneOrMany::One(_) => None,
            OneOrMany::Many(list) => list.get(visit).map(String::as_str),
        }
    }
}

impl ScriptedAnswers {
    /// Reads an answers file (YAML or JSON), at most [`crate::input::ANSWERS_LIMIT`] bytes.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = crate::input::read_text(path, crate::input::ANSWERS_LIMIT).map_err(|e| match e {
            crate::input::InputError::Io { source, .. } => {
                format!("cannot read the answers file {}: {source}", path.display())
            }
            other => format!("the answers file: {other}"),
        })?;
        serde_saphyr::from_str(&text).map_err(|e| {
            let at = e.location().map(|l| format!(":{}:{}", l.line(), l.column())).unwrap_or_default();
            format!("{}{at}: {}", path.display(), e.without_snippet().to_string().lines().next().unwrap_or(""))
        })
    }
}

impl AnswerSource for ScriptedAnswers {
    fn choose(&mut self, step: &Step, answered_before: usize) -> Option<String> {
        self.answers.get(&step.id).and_then(|v| v.nth(answered_before)).map(str::to_string)
    }

    fn decide(
        &mut self,
        step: &Step,
        _question: &str,
        _outcome: &CheckOutcome,
        answered_before: usize,
    ) -> Option<bool> {
        match self.answers.get(&step.id)?.nth(answered_before)?.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "pass" => Some(true),
            "no" | "n" | "false" | "fail" => Some(false),
            _ => None,
        }
    }

    fn proceed(&mut self, _step: &Step) -> bool {
        true
    }

    fn confirm_destructive(&mut self, step: &Step, _affects: &str) -> bool {
        self.confirm.iter().any(|c| c == &step.id)
    }

    fn scripted_check(&mut self, check: &str) -> Option<Status> {
        let n = self.used.entry(check.to_string()).or_insert(0);
        let status = match self.checks.get(check)? {
            StatusOrMany::One(s) => Some(*s),
            StatusOrMany::Many(list) => list.get(*n).copied(),
        };
        *n += 1;
        status
    }
}
