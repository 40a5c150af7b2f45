//! A guided session: the one workflow every face drives (`recover` in a terminal or from an
//! answers file, the TUI's Guide screen). It owns the resume policy, the visit cap, the answers
//! the scanned logs give, what a check that could not tell leads to, and what each step shows.
//! Faces only ask, draw and print.

use super::machine::{self, AnsweredBy, CheckOutcome, GuideError, Input, Progress};
use super::store::Saved;
use crate::checks::Outcome;
use crate::kb::playbook::{FromScan, Playbook, Procedure, Step, StepKind};
use crate::kb::KnowledgeBase;
use crate::logs::ScanReport;
use serde::Serialize;

/// How often one step may come back in a walk before it is taken for an endless loop.
pub const MAX_VISITS: usize = 25;

/// What the scanned logs tell a session.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScanFacts {
    /// The failed phase (`install`, ...), when one was found.
    pub phase: Option<String>,
    /// The root cause's knowledge entry, when one matched.
    pub root_cause_issue: Option<String>,
    /// The root-cause line (secrets masked).
    pub root_cause_text: Option<String>,
    /// When the failure happened, as far as the logs tell.
    pub failure_time: Option<crate::logs::when::TimeRange>,
}

impl ScanFacts {
    /// The facts of a finished scan.
    pub fn from_report(report: &ScanReport) -> Self {
        let root = report.root_cause.as_ref();
        ScanFacts {
            phase: Some(report.phase.name().to_string()).filter(|p| p != "none"),
            root_cause_issue: root.and_then(|r| r.issue_id.clone()),
            root_cause_text: root.map(|r| crate::report::redact::secrets(&r.text).into_owned()),
            failure_time: root.and_then(|r| r.when.clone()),
        }
    }
}

/// What the caller wants done with saved progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeWish {
    /// Continue the saved progress (`--resume`).
    Resume,
    /// Start over.
    Restart,
    /// Offer it to the user (a prompt, the TUI's resume screen).
    Offer,
    /// A scripted run: start fresh and say that the saved progress is replaced.
    Scripted,
}

/// Where a session starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Start {
    /// The progress to walk from.
    pub progress: Progress,
    /// Whether it is resumed saved progress.
    pub resumed: bool,
    /// Saved progress to offer (with [`ResumeWish::Offer`]).
    pub offer: Option<Progress>,
    /// A note for the user (a changed playbook, saved progress set aside).
    pub notice: Option<String>,
}

/// The resume policy: what saved progress becomes, for every face.
pub fn starting_point(playbook: &Playbook, saved: Result<Saved, String>, wish: ResumeWish) -> Start {
    let fresh = machine::start(playbook);
    let start = |notice: Option<String>| Start { progress: fresh.clone(), resumed: false, offer: None, notice };
    if wish == ResumeWish::Restart {
        return start(None);
    }
    match saved {
        // Saved progress whose step is gone (an edited playbook or a hand-edited file) cannot
        // be resumed: say so instead of stopping.
        Ok(Saved::Resume(p)) if playbook.step(&p.current).is_none() => start(Some(format!(
            "saved progress of `{}` stops at step `{}`, which the playbook no longer has; starting over",
            playbook.id, p.current
        ))),
        Ok(Saved::Resume(p)) => match wish {
            ResumeWish::Resume => Start { progress: p, resumed: true, offer: None, notice: None },
            ResumeWish::Offer => Start { progress: fresh.clone(), resumed: false, offer: Some(p), notice: None },
            _ => start(Some(format!(
                "saved progress of `{}` at “{}” is replaced by this run (use --resume to continue it)",
                playbook.id,
                step_title(playbook, &p.current)
            ))),
        },
        Ok(Saved::Changed(p)) => start(Some(format!(
            "the playbook `{}` changed since progress was saved at “{}”; starting over",
            playbook.id,
            step_title(playbook, &p.current)
        ))),
        Ok(Saved::None) if wish == ResumeWish::Resume => {
            start(Some(format!("no saved progress for `{}`; starting at the beginning", playbook.id)))
        }
        Ok(Saved::None) => start(None),
        Err(e) => start(Some(format!("saved progress could not be read ({e}); starting over"))),
    }
}

/// A step's title, or its id when the playbook has no such step.
pub fn step_title<'a>(playbook: &'a Playbook, id: &'a str) -> &'a str {
    playbook.step(id).map_or(id, |s| s.title.as_str())
}

/// What the current step waits for.
#[derive(Debug, Clone, PartialEq)]
pub enum Pending {
    /// A question; with the answer the scanned logs give, when they give one.
    Question {
        /// The logs' answer (the first time the question is met).
        from_scan: Option<String>,
    },
    /// A check to run.
    Check {
        /// The check's id.
        check: String,
    },
    /// The check could not tell: the step's question goes to the user (yes: pass, no: fail).
    Undecided {
        /// The question.
        question: String,
        /// What the check said.
        outcome: CheckOutcome,
    },
    /// An info or action step to go past.
    Proceed,
    /// A destructive action: the user must confirm explicitly that it was done.
    ConfirmDestructive {
        /// What it affects.
        affects: String,
    },
    /// The playbook is finished.
    Done,
}

/// One playbook being walked.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// The playbook.
    pub playbook: Playbook,
    /// Where the walk is.
    pub progress: Progress,
    /// What the scanned logs tell.
    pub scan: Option<ScanFacts>,
    /// A check outcome that could not tell, waiting for the user's decision.
    pub undecided: Option<CheckOutcome>,
}

impl Session {
    /// A session from its starting point.
    pub fn new(playbook: Playbook, progress: Progress, scan: Option<ScanFacts>) -> Self {
        Session { playbook, progress, scan, undecided: None }
    }

    /// The step waiting.
    pub fn step(&self) -> Result<&Step, GuideError> {
        machine::current(&self.playbook, &self.progress)
    }

    /// What the current step waits for.
    pub fn pending(&self) -> Result<Pending, GuideError> {
        let step = self.step()?;
        if self.progress.finished || step.kind == StepKind::Done {
            return Ok(Pending::Done);
        }
        Ok(match step.kind {
            StepKind::Question => Pending::Question { from_scan: self.scan_answer() },
            StepKind::Check => match &self.undecided {
                Some(outcome) => Pending::Undecided { question: question_for(step), outcome: outcome.clone() },
                None => Pending::Check { check: step.check.clone().unwrap_or_default() },
            },
            StepKind::Action if step.destructive.is_some() => {
                Pending::ConfirmDestructive { affects: step.destructive.clone().unwrap_or_default() }
            }
            StepKind::Info | StepKind::Action => Pending::Proceed,
            StepKind::Done => Pending::Done,
        })
    }

    /// The scanned logs' answer to the current question: only the first time it is met, so a
    /// user who comes back to it (a rerun that failed again) is asked.
    pub fn scan_answer(&self) -> Option<String> {
        let step = self.step().ok()?;
        let visits = self.progress.path.iter().filter(|v| v.step == step.id).count();
        if visits > 0 {
            return None;
        }
        machine::scan_answer(step, self.scan.as_ref().and_then(|s| s.phase.as_deref()))
    }

    /// The answer the logs suggest for the current question, whether or not it was taken (the
    /// TUI preselects it).
    pub fn scan_hint(&self) -> Option<String> {
        machine::scan_answer(self.step().ok()?, self.scan.as_ref().and_then(|s| s.phase.as_deref()))
    }

    /// How many times the user (not the logs) has answered the current step.
    pub fn answered_by_user(&self) -> usize {
        let id = self.progress.current.as_str();
        self.progress.path.iter().filter(|v| v.step == id && v.by == AnsweredBy::User).count()
    }

    /// Applies an input. A check that could not tell on a step without an `unknown` branch
    /// moves nothing: the session then waits for [`Session::decide`].
    pub fn apply(&mut self, input: Input) -> Result<(), GuideError> {
        let step_id = self.progress.current.clone();
        let visits = self.progress.path.iter().filter(|v| v.step == step_id).count();
        if visits >= MAX_VISITS {
            return Err(GuideError::Loop { step: step_id, visits });
        }
        match machine::advance(&self.playbook, &mut self.progress, input.clone()) {
            Err(GuideError::CannotTell { .. }) => {
                if let Input::Check(outcome) = input {
                    self.undecided = Some(outcome);
                }
                Ok(())
            }
            Err(e) => Err(e),
            Ok(()) => {
                self.undecided = None;
                Ok(())
            }
        }
    }

    /// The user's answer to the question of a check that could not tell.
    pub fn decide(&mut self, holds: bool) -> Result<(), GuideError> {
        let Some(outcome) = self.undecided.clone() else {
            return Err(GuideError::WrongKind {
                step: self.progress.current.clone(),
                kind: "check".into(),
                input: "a decision (its check has not run)",
            });
        };
        self.apply(Input::Decided(outcome, holds))
    }

    /// What the checks of this session know beyond their specs (the failure time).
    pub fn check_context(&self) -> crate::checks::runner::CheckContext {
        crate::checks::runner::CheckContext {
            failure_time: self.scan.as_ref().and_then(|s| s.failure_time.clone()),
            platforms: None,
        }
    }

    /// The steps taken, as each face shows them.
    pub fn taken(&self) -> Vec<TakenStep> {
        self.progress
            .path
            .iter()
            .map(|v| {
                let title = step_title(&self.playbook, &v.step).to_string();
                let (mark, said) = match (&v.check, &v.answer) {
                    (Some(c), Some(a)) => (
                        Mark::Undecided,
                        format!(
                            "the check could not tell ({}); you answered {a}",
                            crate::text::squash_space(&c.detail)
                        ),
                    ),
                    (Some(c), None) if c.outcome() == Outcome::Unknown => {
                        (Mark::Undecided, format!("could not tell: {}", crate::text::squash_space(&c.detail)))
                    }
                    (Some(c), None) if c.outcome() == Outcome::Fail => {
                        (Mark::Failed, format!("{} ({})", c.status.as_str(), c.id))
                    }
                    (Some(c), None) => (Mark::Established, format!("{} ({})", c.status.as_str(), c.id)),
                    (None, Some(a)) => {
                        let from = if v.by == AnsweredBy::Scan { " (from the logs)" } else { "" };
                        (Mark::Established, format!("{a}{from}"))
                    }
                    (None, None) => (Mark::Established, String::new()),
                };
                TakenStep { step: v.step.clone(), title, mark, said }
            })
            .collect()
    }

    /// What a step shows: its text, entry, commands (a generated procedure included), the logs'
    /// root cause where the playbook asks for it, and what a destructive action affects.
    pub fn view(&self, kb: &KnowledgeBase, step: &Step) -> StepView {
        let entry = step.issue.as_deref().and_then(|i| kb.get(i));
        let entry_fix = match (step.kind, &step.command, step.procedure, entry) {
            (StepKind::Action, None, None, Some(e)) => e
                .fix
                .iter()
                .map(|f| FixLine { step: crate::text::squash_space(&f.step), command: f.command.clone() })
                .collect(),
            _ => Vec::new(),
        };
        let root_cause =
            (step.from_scan == Some(FromScan::RootCause)).then_some(self.scan.as_ref()).flatten().and_then(|s| {
                let entry = s.root_cause_issue.as_deref().and_then(|i| kb.get(i));
                (s.root_cause_text.is_some() || entry.is_some()).then(|| RootCauseView {
                    text: s.root_cause_text.clone(),
                    entry: entry.map(|e| EntryRef { id: e.id.clone(), title: e.title.clone() }),
                    first_fix: entry.and_then(|e| e.fix.first()).map(|f| crate::text::squash_space(&f.step)),
                })
            });
        let command = match step.procedure {
            Some(Procedure::RestoreToMark) => Some(super::restore::script(kb, &self.progress)),
            None => step.command.clone(),
        };
        StepView {
            id: step.id.clone(),
            kind: step.kind,
            title: step.title.clone(),
            text: crate::text::squash_space(&step.text),
            entry: entry.map(|e| EntryRef { id: e.id.clone(), title: e.title.clone() }),
            entry_fix,
            root_cause,
            command,
            destructive: step.destructive.clone(),
            ask: (step.kind == StepKind::Check).then(|| question_for(step)),
        }
    }
}

/// The question a check step puts to the user when its check could not tell.
pub fn question_for(step: &Step) -> String {
    step.ask.clone().unwrap_or_else(|| step.title.clone())
}

/// How a taken step is marked: established (✓), failed (✗), or decided by a person after its
/// check could not tell (?), never ✓.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mark {
    /// Answered, gone past, or a check that passed.
    Established,
    /// A check that found a failure or a warning.
    Failed,
    /// The check could not tell.
    Undecided,
}

impl Mark {
    /// The symbol every face uses.
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Established => "✓",
            Mark::Failed => "✗",
            Mark::Undecided => "?",
        }
    }
}

/// One step taken, as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TakenStep {
    /// The step's id.
    pub step: String,
    /// Its title.
    pub title: String,
    /// How it is marked.
    pub mark: Mark,
    /// The answer, or what the check said.
    pub said: String,
}

/// A knowledge entry named by a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryRef {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
}

/// One fix step of an entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixLine {
    /// What to do.
    pub step: String,
    /// The exact command, when there is one.
    pub command: Option<String>,
}

/// The logs' root cause, shown where the playbook asks for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RootCauseView {
    /// The root-cause line.
    pub text: Option<String>,
    /// Its entry.
    pub entry: Option<EntryRef>,
    /// The entry's first fix step.
    pub first_fix: Option<String>,
}

/// Everything a face shows of one step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepView {
    /// The step's id.
    pub id: String,
    /// Its kind.
    pub kind: StepKind,
    /// One line.
    pub title: String,
    /// Why, and what to do.
    pub text: String,
    /// Its knowledge entry.
    pub entry: Option<EntryRef>,
    /// The entry's fix steps, for an action that names no command of its own.
    pub entry_fix: Vec<FixLine>,
    /// The logs' root cause (steps with `from_scan: root-cause`).
    pub root_cause: Option<RootCauseView>,
    /// The exact command or script.
    pub command: Option<String>,
    /// What a destructive action affects.
    pub destructive: Option<String>,
    /// A check step's question for when the check cannot tell.
    pub ask: Option<String>,
}

/// Where answers come from in a walk: a person at a prompt, or an answers file.
pub trait AnswerSource {
    /// A question's answer (a choice's value); `None` stops the walk.
    fn choose(&mut self, step: &Step, answered_before: usize) -> Option<String>;
    /// The answer to a check step's question after its check could not tell; `None` stops.
    fn decide(&mut self, step: &Step, question: &str, outcome: &CheckOutcome, answered_before: usize) -> Option<bool>;
    /// Go past an info or action step; `false` stops.
    fn proceed(&mut self, step: &Step) -> bool;
    /// An explicit confirmation that a destructive action was done; `false` stops.
    fn confirm_destructive(&mut self, step: &Step, affects: &str) -> bool;
    /// An outcome to assume for a check instead of running it.
    fn scripted_check(&mut self, _check: &str) -> Option<crate::checks::Status> {
        None
    }
    /// What happened, for a face that prints as it goes.
    fn told(&mut self, _event: Told<'_>) {}
}

/// What a walk tells its answer source.
#[derive(Debug)]
pub enum Told<'a> {
    /// A step is about to be asked or shown, as it shows.
    Step(&'a StepView),
    /// A question was answered from the logs.
    FromScan(&'a str),
    /// A check ran (or was scripted).
    CheckRan(&'a CheckOutcome),
    /// The playbook is finished at this step.
    Finished(&'a Step),
}

/// Walks until the playbook is done or the source stops; `run_check` runs a live check,
/// `save` stores the progress after every step.
pub fn walk(
    session: &mut Session,
    kb: &KnowledgeBase,
    source: &mut dyn AnswerSource,
    run_check: &mut dyn FnMut(&str, &crate::checks::runner::CheckContext) -> CheckOutcome,
    save: &mut dyn FnMut(&Progress),
) -> Result<(), GuideError> {
    loop {
        let step = session.step()?.clone();
        let view = session.view(kb, &step);
        match session.pending()? {
            Pending::Done => {
                source.told(Told::Finished(&step));
                return Ok(());
            }
            Pending::Question { from_scan: Some(value) } => {
                source.told(Told::FromScan(&value));
                session.apply(Input::Choice(value, AnsweredBy::Scan))?;
            }
            Pending::Question { from_scan: None } => {
                source.told(Told::Step(&view));
                let Some(value) = source.choose(&step, session.answered_by_user()) else { return Ok(()) };
                session.apply(Input::Choice(value, AnsweredBy::User))?;
            }
            Pending::Check { check } => {
                source.told(Told::Step(&view));
                let outcome = match source.scripted_check(&check) {
                    Some(status) => CheckOutcome::scripted(&check, status),
                    None => run_check(&check, &session.check_context()),
                };
                source.told(Told::CheckRan(&outcome));
                session.apply(Input::Check(outcome))?;
                if session.undecided.is_some() {
                    continue;
                }
            }
            Pending::Undecided { question, outcome } => {
                let before = session.answered_by_user();
                let Some(holds) = source.decide(&step, &question, &outcome, before) else { return Ok(()) };
                session.decide(holds)?;
            }
            Pending::Proceed => {
                source.told(Told::Step(&view));
                if !source.proceed(&step) {
                    return Ok(());
                }
                session.apply(Input::Continue)?;
            }
            Pending::ConfirmDestructive { affects } => {
                source.told(Told::Step(&view));
                if !source.confirm_destructive(&step, &affects) {
                    return Ok(());
                }
                session.apply(Input::Continue)?;
            }
        }
        save(&session.progress);
    }
}
