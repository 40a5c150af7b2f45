//! How the guide screen changes: resuming or starting a playbook, answering, running a step's
//! check through the checks screen's runner, and asking for progress to be saved after every
//! step. Pure like the rest of `update`.

use super::action::Effect;
use super::checks;
use super::state::{App, DetailState, ScanPhase};
use crate::checks::CheckResult;
use crate::guide::machine::{self, AnsweredBy, CheckOutcome, Input, Progress};
use crate::guide::store::Saved;
use crate::kb::playbook::{Playbook, Step, StepKind};

/// The playbook the guide shows.
pub fn playbook(app: &App) -> Option<&Playbook> {
    app.matcher.kb().playbooks().get(app.guide.playbook)
}

/// The step waiting for input.
pub fn current_step(app: &App) -> Option<&Step> {
    let progress = app.guide.progress.as_ref()?;
    machine::current(playbook(app)?, progress).ok()
}

/// The guide was shown: read the saved progress once.
pub fn shown(app: &mut App) -> Vec<Effect> {
    if app.guide.progress.is_some() || app.guide.offer.is_some() {
        return Vec::new();
    }
    match playbook(app) {
        Some(p) => vec![Effect::LoadProgress(p.id.clone())],
        None => Vec::new(),
    }
}

/// What was saved for a playbook arrived: offer to resume, or start fresh (saying why).
pub fn loaded(app: &mut App, id: &str, saved: Result<Saved, String>) {
    let Some(book) = playbook(app).filter(|p| p.id == id).cloned() else { return };
    let g = &mut app.guide;
    g.progress = Some(machine::start(&book));
    g.choice = 0;
    match saved {
        Ok(Saved::Resume(p)) => g.offer = Some(p),
        Ok(Saved::Changed(p)) => {
            g.notice =
                Some(format!("The playbook changed since your progress was saved (at `{}`); starting over.", p.current))
        }
        Ok(Saved::None) => {}
        Err(e) => g.notice = Some(format!("Saved progress could not be read ({e}); starting over.")),
    }
    preselect(app);
}

/// Takes the offered progress.
pub fn resume(app: &mut App) {
    if let Some(p) = app.guide.offer.take() {
        app.guide.progress = Some(p);
        app.guide.choice = 0;
        preselect(app);
    }
}

/// Starts the playbook over (the saved progress is replaced on the first save).
pub fn restart(app: &mut App) -> Vec<Effect> {
    let Some(book) = playbook(app).cloned() else { return Vec::new() };
    let g = &mut app.guide;
    g.offer = None;
    g.notice = None;
    g.last_check = None;
    g.awaiting = None;
    g.choice = 0;
    let fresh = machine::start(&book);
    g.progress = Some(fresh.clone());
    preselect(app);
    vec![Effect::SaveProgress(Box::new(fresh))]
}

/// Moves to the next playbook and reads its saved progress.
pub fn next_playbook(app: &mut App) -> Vec<Effect> {
    let count = app.matcher.kb().playbooks().len().max(1);
    let g = &mut app.guide;
    g.playbook = (g.playbook + 1) % count;
    g.progress = None;
    g.offer = None;
    g.notice = None;
    g.last_check = None;
    g.awaiting = None;
    g.choice = 0;
    shown(app)
}

/// Moves the selected choice of a question.
pub fn move_choice(app: &mut App, down: bool) {
    let count = current_step(app).map_or(0, |s| s.choices.len());
    if count == 0 {
        return;
    }
    let g = &mut app.guide;
    g.choice = if down { (g.choice + 1).min(count - 1) } else { g.choice.saturating_sub(1) };
}

/// Enter: answer the question, go past an info or action step, or run the step's check.
pub fn enter(app: &mut App) -> Vec<Effect> {
    if app.guide.offer.is_some() {
        resume(app);
        return Vec::new();
    }
    let Some(step) = current_step(app).cloned() else { return Vec::new() };
    match step.kind {
        StepKind::Question => match step.choices.get(app.guide.choice) {
            Some(c) => apply(app, Input::Choice(c.value.clone(), AnsweredBy::User)),
            None => Vec::new(),
        },
        StepKind::Info | StepKind::Action => apply(app, Input::Continue),
        StepKind::Check => {
            if app.guide.awaiting.is_some() {
                return Vec::new();
            }
            let Some(id) = step.check.clone() else { return Vec::new() };
            let effects = checks::start(app, Some(id));
            if effects.is_empty() {
                app.guide.notice =
                    Some("Checks are already running; wait for them (screen 4), then press Enter again.".into());
            } else {
                app.guide.awaiting = Some(app.checks.run);
                app.guide.notice = None;
            }
            effects
        }
        StepKind::Done => Vec::new(),
    }
}

/// A check the guide waits for finished: its outcome decides the branch.
pub fn check_finished(app: &mut App, run: u64, result: &CheckResult) -> Vec<Effect> {
    if app.guide.awaiting != Some(run) {
        return Vec::new();
    }
    app.guide.awaiting = None;
    let outcome = CheckOutcome { id: result.id.clone(), status: result.status, detail: result.detail.clone() };
    app.guide.last_check = Some(outcome.clone());
    apply(app, Input::Check(outcome))
}

/// The run a check step waited for ended without a result (cancelled).
pub fn run_done(app: &mut App, run: u64) {
    if app.guide.awaiting == Some(run) {
        app.guide.awaiting = None;
        app.guide.notice = Some("The check did not finish; press Enter to run it again.".into());
    }
}

/// Advances the machine and asks for the progress to be saved.
fn apply(app: &mut App, input: Input) -> Vec<Effect> {
    let Some(book) = playbook(app).cloned() else { return Vec::new() };
    if !matches!(input, Input::Check(_)) {
        app.guide.last_check = None;
    }
    let Some(progress) = app.guide.progress.as_mut() else { return Vec::new() };
    match machine::advance(&book, progress, input) {
        Ok(()) => {
            let saved: Progress = progress.clone();
            app.guide.choice = 0;
            preselect(app);
            vec![Effect::SaveProgress(Box::new(saved))]
        }
        Err(e) => {
            app.guide.notice = Some(e.to_string());
            Vec::new()
        }
    }
}

/// At a question the scanned logs answer (the failed phase), selects that answer.
fn preselect(app: &mut App) {
    let phase = match &app.scan.phase {
        ScanPhase::Done(report) => Some(report.phase.name()),
        _ => None,
    };
    let Some(step) = current_step(app) else { return };
    if let Some(value) = machine::scan_answer(step, phase) {
        if let Some(i) = step.choices.iter().position(|c| c.value == value) {
            app.guide.choice = i;
        }
    }
}

/// The scanned logs' answer to the current question, to show beside it.
pub fn scan_hint(app: &App) -> Option<String> {
    let ScanPhase::Done(report) = &app.scan.phase else { return None };
    machine::scan_answer(current_step(app)?, Some(report.phase.name()))
}

/// The knowledge entry of the current step, opened in full.
pub fn entry_detail(app: &App) -> Option<DetailState> {
    let issue = current_step(app)?.issue.clone()?;
    let entry = app.matcher.kb().entries().iter().position(|e| e.id == issue)?;
    Some(DetailState { entry, why: Vec::new(), step: 0, scroll: 0 })
}
