//! The playbook state machine: where the user is, what they answered, what each check said.
//! Pure: it never runs a check or touches a file; callers feed it answers and check outcomes.

use crate::checks::{CheckResult, Outcome, Status, UnknownReason};
use crate::kb::playbook::{Playbook, Step, StepKind};
use serde::{Deserialize, Serialize};

/// What a check step was told.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckOutcome {
    /// The check's id.
    pub id: String,
    /// Its status.
    pub status: Status,
    /// What it saw (or that the outcome was scripted).
    pub detail: String,
    /// Why it could not tell, when it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<UnknownReason>,
    /// Structured facts the check read (a restore point, say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl CheckOutcome {
    /// The outcome of a finished check.
    pub fn from_result(result: &CheckResult) -> Self {
        CheckOutcome {
            id: result.id.clone(),
            status: result.status,
            detail: result.detail.clone(),
            reason: result.unknown_reason,
            data: result.data.clone(),
        }
    }

    /// An outcome given by an answers file instead of a run.
    pub fn scripted(id: &str, status: Status) -> Self {
        let reason = match status {
            Status::Skipped => Some(UnknownReason::Skipped),
            Status::Error => Some(UnknownReason::Error),
            _ => None,
        };
        CheckOutcome { id: id.to_string(), status, detail: "scripted by the answers file".into(), reason, data: None }
    }

    /// pass / fail / unknown.
    pub fn outcome(&self) -> Outcome {
        self.status.outcome()
    }
}

/// Who answered a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnsweredBy {
    /// The user (a prompt, the TUI, an answers file).
    User,
    /// The scanned logs (the upgrade phase).
    Scan,
    /// A live check.
    Check,
}

impl Visit {
    /// Whether this step was decided by a person after its check could not tell: such a step
    /// is never shown as established by the check.
    pub fn after_unknown(&self) -> bool {
        self.check.as_ref().is_some_and(|c| c.outcome() == Outcome::Unknown)
    }
}

/// One step taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    /// The step's id.
    pub step: String,
    /// The choice taken, for a question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
    /// The check's outcome, for a check step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<CheckOutcome>,
    /// Who answered.
    pub by: AnsweredBy,
}

/// Progress through one playbook; saved after every step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// The playbook's id.
    pub playbook: String,
    /// The playbook's hash when this progress began (a different hash: the playbook changed).
    pub hash: String,
    /// The step waiting for input (the done step once finished).
    pub current: String,
    /// Steps taken, in order.
    pub path: Vec<Visit>,
    /// A done step was reached.
    pub finished: bool,
}

/// What moves the machine on from the current step.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// Continue past an info or action step.
    Continue,
    /// Answer a question with a choice's value.
    Choice(String, AnsweredBy),
    /// A check step's outcome.
    Check(CheckOutcome),
    /// A check step whose check could not tell, decided by the user's answer to its `ask`
    /// question: `true` (yes) takes `pass`, `false` takes `fail`.
    Decided(CheckOutcome, bool),
}

/// Why an input does not fit the current step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuideError {
    /// The playbook is finished.
    #[error("the playbook is finished")]
    Finished,
    /// The current step is not in the playbook (a changed playbook).
    #[error("step `{0}` is not in the playbook")]
    NoStep(String),
    /// The answer is not one of the step's choices.
    #[error("step `{step}` has no choice `{given}`; choose one of: {choices}")]
    BadChoice {
        /// The step.
        step: String,
        /// What was given.
        given: String,
        /// The values allowed.
        choices: String,
    },
    /// The check could not tell and the step has no `unknown` branch: ask the user its `ask`
    /// question and give the answer as [`Input::Decided`].
    #[error("the check of step `{step}` could not tell: {detail}")]
    CannotTell {
        /// The step.
        step: String,
        /// What the check said.
        detail: String,
    },
    /// The same step came back too often: scripted answers that never leave a loop.
    #[error("step `{step}` came back {visits} times; the scripted answers loop (give a list that leaves the loop)")]
    Loop {
        /// The step.
        step: String,
        /// How often it was visited.
        visits: usize,
    },
    /// The input is for another kind of step.
    #[error("step `{step}` is a {kind} step and cannot take {input}")]
    WrongKind {
        /// The step.
        step: String,
        /// Its kind.
        kind: String,
        /// What was given.
        input: &'static str,
    },
}

/// Fresh progress at the playbook's start.
pub fn start(playbook: &Playbook) -> Progress {
    Progress {
        playbook: playbook.id.clone(),
        hash: playbook.hash(),
        current: playbook.start.clone(),
        path: Vec::new(),
        finished: is_done(playbook, &playbook.start),
    }
}

fn is_done(playbook: &Playbook, id: &str) -> bool {
    playbook.step(id).is_some_and(|s| s.kind == StepKind::Done)
}

/// The step waiting for input.
pub fn current<'a>(playbook: &'a Playbook, progress: &Progress) -> Result<&'a Step, GuideError> {
    playbook.step(&progress.current).ok_or_else(|| GuideError::NoStep(progress.current.clone()))
}

/// Applies one input to the current step and moves on.
pub fn advance(playbook: &Playbook, progress: &mut Progress, input: Input) -> Result<(), GuideError> {
    if progress.finished {
        return Err(GuideError::Finished);
    }
    let step = current(playbook, progress)?;
    let kind = format!("{:?}", step.kind).to_lowercase();
    let wrong = |input: &'static str| GuideError::WrongKind { step: step.id.clone(), kind: kind.clone(), input };
    let (next, visit) = match (step.kind, input) {
        (StepKind::Info | StepKind::Action, Input::Continue) => (
            step.next.clone().unwrap_or_default(),
            Visit { step: step.id.clone(), answer: None, check: None, by: AnsweredBy::User },
        ),
        (StepKind::Question, Input::Choice(value, by)) => {
            let choice = step.choices.iter().find(|c| c.value.eq_ignore_ascii_case(value.trim())).ok_or_else(|| {
                GuideError::BadChoice {
                    step: step.id.clone(),
                    given: value.clone(),
                    choices: step.choices.iter().map(|c| c.value.as_str()).collect::<Vec<_>>().join(", "),
                }
            })?;
            (choice.next.clone(), Visit { step: step.id.clone(), answer: Some(choice.value.clone()), check: None, by })
        }
        (StepKind::Check, Input::Check(outcome)) => {
            // A check that could not tell is neither a pass nor a failure.
            let next = match outcome.outcome() {
                Outcome::Pass => step.pass.clone(),
                Outcome::Fail => step.fail.clone(),
                Outcome::Unknown => match &step.unknown {
                    Some(branch) => Some(branch.clone()),
                    None => return Err(GuideError::CannotTell { step: step.id.clone(), detail: outcome.detail }),
                },
            };
            (
                next.unwrap_or_default(),
                Visit { step: step.id.clone(), answer: None, check: Some(outcome), by: AnsweredBy::Check },
            )
        }
        (StepKind::Check, Input::Decided(outcome, holds)) => {
            let next = if holds { step.pass.clone() } else { step.fail.clone() };
            let answer = Some(if holds { "yes" } else { "no" }.to_string());
            (
                next.unwrap_or_default(),
                Visit { step: step.id.clone(), answer, check: Some(outcome), by: AnsweredBy::User },
            )
        }
        (_, Input::Continue) => return Err(wrong("a plain continue")),
        (_, Input::Choice(..)) => return Err(wrong("a choice")),
        (_, Input::Check(_) | Input::Decided(..)) => return Err(wrong("a check result")),
    };
    progress.path.push(visit);
    progress.finished = is_done(playbook, &next);
    progress.current = next;
    Ok(())
}

/// The steps still ahead: every step reachable from the current one, nearest first.
pub fn remaining<'a>(playbook: &'a Playbook, progress: &Progress) -> Vec<&'a Step> {
    let mut order: Vec<&str> = vec![progress.current.as_str()];
    let mut i = 0;
    while i < order.len() {
        if let Some(step) = playbook.step(order[i]) {
            for t in step.targets() {
                if !order.contains(&t) {
                    order.push(t);
                }
            }
        }
        i += 1;
    }
    order.into_iter().filter_map(|id| playbook.step(id)).collect()
}

/// The answer scanned logs give a question that takes one (`from_scan: phase`): the phase's
/// name, when it is one of the choices.
pub fn scan_answer(step: &Step, phase: Option<&str>) -> Option<String> {
    let phase = phase?;
    (step.from_scan == Some(crate::kb::playbook::FromScan::Phase) && step.choices.iter().any(|c| c.value == phase))
        .then(|| phase.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::playbook::parse_playbook;
    use crate::kb::Origin;

    fn book() -> Playbook {
        parse_playbook(&book_text(), Origin { layer: "t".into(), file: "t.yaml".into(), line: 0 }).unwrap()
    }

    fn book_text() -> String {
        "id: t-book\ntitle: T\nstart: q\nsteps:\n  - id: q\n    kind: question\n    title: Which?\n    from_scan: phase\n    choices:\n      - {value: install, label: A, next: c}\n      - {value: prerequisites, label: B, next: end}\n  - id: c\n    kind: check\n    title: Check\n    check: x\n    pass: end\n    fail: act\n    ask: Is it there?\n  - id: act\n    kind: action\n    title: Do\n    command: fix.exe\n    next: end\n  - id: end\n    kind: done\n    title: Done\n".to_string()
    }

    #[test]
    fn a_check_that_cannot_tell_takes_no_branch_until_the_user_decides() {
        let b = book();
        let mut p = start(&b);
        assert_eq!(scan_answer(current(&b, &p).unwrap(), Some("install")).as_deref(), Some("install"));
        assert_eq!(scan_answer(current(&b, &p).unwrap(), Some("reconfiguration")), None);
        advance(&b, &mut p, Input::Choice("INSTALL".into(), AnsweredBy::Scan)).unwrap();
        assert_eq!(p.current, "c");
        for status in [Status::Skipped, Status::Error] {
            let unknown = CheckOutcome::scripted("x", status);
            let err = advance(&b, &mut p, Input::Check(unknown)).unwrap_err();
            assert!(matches!(err, GuideError::CannotTell { .. }), "{err:?}");
            assert_eq!(p.current, "c", "an unknown outcome takes neither branch");
            assert_eq!(p.path.len(), 1);
        }
        let unknown = CheckOutcome::scripted("x", Status::Error);
        advance(&b, &mut p, Input::Decided(unknown, false)).unwrap();
        assert_eq!(p.current, "act");
        assert!(p.path[1].after_unknown());
        assert_eq!(p.path[1].answer.as_deref(), Some("no"));
        assert_eq!(p.path[1].by, AnsweredBy::User);
        assert_eq!(remaining(&b, &p).iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["act", "end"]);
        advance(&b, &mut p, Input::Continue).unwrap();
        assert!(p.finished);
        assert_eq!(advance(&b, &mut p, Input::Continue), Err(GuideError::Finished));
        assert_eq!(p.path.len(), 3);
        assert_eq!(p.path[0].by, AnsweredBy::Scan);
    }

    #[test]
    fn pass_fail_warn_and_an_unknown_branch_each_lead_their_own_way() {
        let with_branch = book_text().replace("    fail: act\n", "    fail: act\n    unknown: end\n");
        let b = parse_playbook(&with_branch, Origin { layer: "t".into(), file: "t.yaml".into(), line: 0 }).unwrap();
        for (status, next) in [
            (Status::Pass, "end"),
            (Status::Fail, "act"),
            (Status::Warn, "act"),
            (Status::Skipped, "end"),
            (Status::Error, "end"),
        ] {
            let mut p = start(&b);
            advance(&b, &mut p, Input::Choice("install".into(), AnsweredBy::User)).unwrap();
            advance(&b, &mut p, Input::Check(CheckOutcome::scripted("x", status))).unwrap();
            let expected = if next == "end" { true } else { p.current == "act" };
            assert!(expected && (p.current == next || (next == "end" && p.finished)), "{status:?} -> {}", p.current);
        }
    }

    #[test]
    fn wrong_inputs_say_what_the_step_takes() {
        let b = book();
        let mut p = start(&b);
        let err = advance(&b, &mut p, Input::Choice("maybe".into(), AnsweredBy::User)).unwrap_err();
        assert_eq!(err.to_string(), "step `q` has no choice `maybe`; choose one of: install, prerequisites");
        assert!(matches!(advance(&b, &mut p, Input::Continue), Err(GuideError::WrongKind { .. })));
        assert_eq!(p.current, "q", "a refused input changes nothing");
    }
}
