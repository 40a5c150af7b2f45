//! The playbook state machine: where the user is, what they answered, what each check said.
//! Pure: it never runs a check or touches a file; callers feed it answers and check outcomes.

use crate::checks::Status;
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
            // Only a pass takes the pass branch: a check that could not tell is not a pass.
            let next = if outcome.status == Status::Pass { step.pass.clone() } else { step.fail.clone() };
            (
                next.unwrap_or_default(),
                Visit { step: step.id.clone(), answer: None, check: Some(outcome), by: AnsweredBy::Check },
            )
        }
        (_, Input::Continue) => return Err(wrong("a plain continue")),
        (_, Input::Choice(..)) => return Err(wrong("a choice")),
        (_, Input::Check(_)) => return Err(wrong("a check result")),
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
    (step.from_scan.as_deref() == Some("phase") && step.choices.iter().any(|c| c.value == phase))
        .then(|| phase.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::playbook::parse_playbook;
    use crate::kb::Origin;

    fn book() -> Playbook {
        let text = "id: t-book\ntitle: T\nstart: q\nsteps:\n  - id: q\n    kind: question\n    title: Which?\n    from_scan: phase\n    choices:\n      - {value: install, label: A, next: c}\n      - {value: prerequisites, label: B, next: end}\n  - id: c\n    kind: check\n    title: Check\n    check: x\n    pass: end\n    fail: act\n  - id: act\n    kind: action\n    title: Do\n    command: fix.exe\n    next: end\n  - id: end\n    kind: done\n    title: Done\n";
        parse_playbook(text, Origin { layer: "t".into(), file: "t.yaml".into(), line: 0 }).unwrap()
    }

    #[test]
    fn answers_branch_and_a_check_that_cannot_tell_takes_the_fail_branch() {
        let b = book();
        let mut p = start(&b);
        assert_eq!(scan_answer(current(&b, &p).unwrap(), Some("install")).as_deref(), Some("install"));
        assert_eq!(scan_answer(current(&b, &p).unwrap(), Some("reconfiguration")), None);
        advance(&b, &mut p, Input::Choice("INSTALL".into(), AnsweredBy::Scan)).unwrap();
        assert_eq!(p.current, "c");
        let skipped = CheckOutcome { id: "x".into(), status: Status::Skipped, detail: "not applicable".into() };
        advance(&b, &mut p, Input::Check(skipped)).unwrap();
        assert_eq!(p.current, "act");
        assert_eq!(remaining(&b, &p).iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["act", "end"]);
        advance(&b, &mut p, Input::Continue).unwrap();
        assert!(p.finished);
        assert_eq!(advance(&b, &mut p, Input::Continue), Err(GuideError::Finished));
        assert_eq!(p.path.len(), 3);
        assert_eq!(p.path[0].by, AnsweredBy::Scan);
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
