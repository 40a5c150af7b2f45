//! How the guide screen changes, through the guided session every face shares: resuming or
//! starting a playbook, answering, running a step's check through the checks screen's runner
//! (with the failure time of the scanned logs), asking the user when a check could not tell,
//! confirming destructive steps explicitly, and asking for progress to be saved after every
//! step. Pure like the rest of `update`.

use super::action::Effect;
use super::checks;
use super::state::{App, DetailState, ScanPhase};
use crate::checks::CheckResult;
use crate::guide::machine::{AnsweredBy, CheckOutcome, Input};
use crate::guide::session::{self, Pending, ResumeWish, ScanFacts, Session};
use crate::guide::store::Saved;
use crate::kb::playbook::{Playbook, Step};

/// The playbook the guide shows.
pub fn playbook(app: &App) -> Option<&Playbook> {
    match &app.guide.session {
        Some(s) => Some(&s.playbook),
        None => app.matcher.kb().playbooks().get(app.guide.playbook),
    }
}

/// The step waiting for input.
pub fn current_step(app: &App) -> Option<&Step> {
    app.guide.session.as_ref()?.step().ok()
}

/// What the current step waits for.
pub fn pending(app: &App) -> Option<Pending> {
    app.guide.session.as_ref()?.pending().ok()
}

/// What the scanned logs tell the guide.
fn scan_facts(app: &App) -> Option<ScanFacts> {
    match &app.scan.phase {
        ScanPhase::Done(report) => Some(ScanFacts::from_report(report)),
        _ => None,
    }
}

/// The guide was shown: read the saved progress once.
pub fn shown(app: &mut App) -> Vec<Effect> {
    if app.guide.session.is_some() || app.guide.offer.is_some() {
        return Vec::new();
    }
    match app.matcher.kb().playbooks().get(app.guide.playbook) {
        Some(p) => vec![Effect::LoadProgress(p.id.clone())],
        None => Vec::new(),
    }
}

/// What was saved for a playbook arrived: the shared resume policy decides (offer it, or
/// start fresh saying why).
pub fn loaded(app: &mut App, id: &str, saved: Result<Saved, String>) {
    let Some(book) = app.matcher.kb().playbooks().get(app.guide.playbook).filter(|p| p.id == id).cloned() else {
        return;
    };
    let start = session::starting_point(&book, saved, ResumeWish::Offer);
    let scan = scan_facts(app);
    let g = &mut app.guide;
    g.session = Some(Session::new(book, start.progress, scan));
    g.offer = start.offer;
    g.notice = start.notice.map(|n| capitalise(&n));
    g.choice = 0;
    preselect(app);
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}

/// Takes the offered progress.
pub fn resume(app: &mut App) {
    if let (Some(p), Some(s)) = (app.guide.offer.take(), app.guide.session.as_mut()) {
        s.progress = p;
        s.undecided = None;
        app.guide.choice = 0;
        preselect(app);
    }
}

/// Starts the playbook over (the saved progress is replaced on the first save).
pub fn restart(app: &mut App) -> Vec<Effect> {
    let Some(book) = playbook(app).cloned() else { return Vec::new() };
    let scan = scan_facts(app);
    let g = &mut app.guide;
    g.offer = None;
    g.notice = None;
    g.last_check = None;
    g.awaiting = None;
    g.choice = 0;
    let fresh = crate::guide::machine::start(&book);
    g.session = Some(Session::new(book, fresh.clone(), scan));
    preselect(app);
    vec![Effect::SaveProgress(Box::new(fresh))]
}

/// Moves to the next playbook and reads its saved progress.
pub fn next_playbook(app: &mut App) -> Vec<Effect> {
    let count = app.matcher.kb().playbooks().len().max(1);
    let g = &mut app.guide;
    g.playbook = (g.playbook + 1) % count;
    g.session = None;
    g.offer = None;
    g.notice = None;
    g.last_check = None;
    g.awaiting = None;
    g.choice = 0;
    shown(app)
}

/// How many choices the current step offers (a question's, or yes/no after an unknown check).
fn choice_count(app: &App) -> usize {
    match pending(app) {
        Some(Pending::Question { .. }) => current_step(app).map_or(0, |s| s.choices.len()),
        Some(Pending::Undecided { .. }) => 2,
        _ => 0,
    }
}

/// Moves the selected choice.
pub fn move_choice(app: &mut App, down: bool) {
    let count = choice_count(app);
    if count == 0 {
        return;
    }
    let g = &mut app.guide;
    g.choice = if down { (g.choice + 1).min(count - 1) } else { g.choice.saturating_sub(1) };
}

/// Enter: answer the question, decide a check that could not tell, go past an info or action
/// step, or run the step's check. A destructive action is not passed by Enter: it needs `y`.
pub fn enter(app: &mut App) -> Vec<Effect> {
    if app.guide.offer.is_some() {
        resume(app);
        return Vec::new();
    }
    let (Some(step), Some(pending)) = (current_step(app).cloned(), pending(app)) else { return Vec::new() };
    match pending {
        Pending::Question { .. } => match step.choices.get(app.guide.choice) {
            Some(c) => {
                let by = if session_hint(app).as_deref() == Some(c.value.as_str()) && answered_from_logs_ok(app) {
                    AnsweredBy::Scan
                } else {
                    AnsweredBy::User
                };
                apply(app, Input::Choice(c.value.clone(), by))
            }
            None => Vec::new(),
        },
        Pending::Undecided { .. } => {
            let holds = app.guide.choice == 0;
            let result = app.guide.session.as_mut().map(|s| s.decide(holds));
            after(app, result)
        }
        Pending::Proceed => apply(app, Input::Continue),
        Pending::ConfirmDestructive { .. } => {
            app.guide.notice = Some(
                "This step changes the servers and cannot be undone. Press y once you have done it (Enter alone does not mark it done)."
                    .into(),
            );
            Vec::new()
        }
        Pending::Check { check } => {
            if app.guide.awaiting.is_some() {
                return Vec::new();
            }
            let context = app.guide.session.as_ref().map(Session::check_context).unwrap_or_default();
            let effects = checks::start_with(app, Some(check), context);
            if effects.is_empty() {
                app.guide.notice =
                    Some("Checks are already running; wait for them (screen 4), then press Enter again.".into());
            } else {
                app.guide.awaiting = Some(app.checks.run);
                app.guide.notice = None;
            }
            effects
        }
        Pending::Done => Vec::new(),
    }
}

/// `y`: confirms that the destructive action of the current step was done.
pub fn confirm(app: &mut App) -> Vec<Effect> {
    match pending(app) {
        Some(Pending::ConfirmDestructive { .. }) => {
            app.guide.notice = None;
            apply(app, Input::Continue)
        }
        _ => Vec::new(),
    }
}

/// The logs' answer counts as theirs only the first time the question is met.
fn answered_from_logs_ok(app: &App) -> bool {
    app.guide.session.as_ref().is_some_and(|s| s.scan_answer().is_some())
}

fn session_hint(app: &App) -> Option<String> {
    app.guide.session.as_ref()?.scan_hint()
}

/// A check the guide waits for finished: its outcome decides the branch, or (when it could not
/// tell) the guide asks the step's question.
pub fn check_finished(app: &mut App, run: u64, result: &CheckResult) -> Vec<Effect> {
    if app.guide.awaiting != Some(run) {
        return Vec::new();
    }
    app.guide.awaiting = None;
    let outcome = CheckOutcome::from_result(result);
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

/// Advances the session and asks for the progress to be saved.
fn apply(app: &mut App, input: Input) -> Vec<Effect> {
    if !matches!(input, Input::Check(_)) {
        app.guide.last_check = None;
    }
    let result = app.guide.session.as_mut().map(|s| s.apply(input));
    after(app, result)
}

fn after(app: &mut App, result: Option<Result<(), crate::guide::machine::GuideError>>) -> Vec<Effect> {
    match result {
        Some(Ok(())) => {
            app.guide.choice = 0;
            preselect(app);
            match &app.guide.session {
                Some(s) if s.undecided.is_none() => vec![Effect::SaveProgress(Box::new(s.progress.clone()))],
                _ => Vec::new(),
            }
        }
        Some(Err(e)) => {
            app.guide.notice = Some(e.to_string());
            Vec::new()
        }
        None => Vec::new(),
    }
}

/// At a question the scanned logs answer (the failed phase), selects that answer.
fn preselect(app: &mut App) {
    let Some(value) = session_hint(app) else { return };
    let Some(step) = current_step(app) else { return };
    if let Some(i) = step.choices.iter().position(|c| c.value == value) {
        app.guide.choice = i;
    }
}

/// The scanned logs' answer to the current question, to show beside it.
pub fn scan_hint(app: &App) -> Option<String> {
    session_hint(app)
}

/// The knowledge entry of the current step, opened in full.
pub fn entry_detail(app: &App) -> Option<DetailState> {
    let issue = current_step(app)?.issue.clone()?;
    let entry = app.matcher.kb().entries().iter().position(|e| e.id == issue)?;
    Some(DetailState { entry, why: Vec::new(), step: 0, scroll: 0 })
}
