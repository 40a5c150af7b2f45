//! How the checks screen changes: the connection form, starting and cancelling runs, and the
//! events of a run arriving. Pure like the rest of `update`: work goes out as effects.

use super::action::Effect;
use super::state::{App, RowState, FORM_FIELDS, FORM_TRUST};
use crate::checks::sql::SqlTarget;
use crate::checks::RunEvent;

/// The SQL Server the form describes: none when the server is empty, else a target (or why the
/// fields do not make one).
pub fn form_target(app: &App) -> Result<Option<SqlTarget>, String> {
    let f = &app.checks.form;
    let [server, database, user, password] = f.fields.each_ref().map(|e| e.text().trim().to_string());
    if server.is_empty() {
        return Ok(None);
    }
    let database = if database.is_empty() { crate::checks::sql::DEFAULT_DATABASE.to_string() } else { database };
    let target = SqlTarget::from_form(&server, &database, &user, &password, f.trust)?;
    if target.needs_password() {
        return Err(format!("enter the password of SQL login {user} (or set {})", crate::checks::sql::PASSWORD_ENV));
    }
    Ok(Some(target))
}

/// Starts a run of `ids` (all checks when empty) with the form's connection.
pub fn start(app: &mut App, only: Option<String>) -> Vec<Effect> {
    start_with(app, only, crate::checks::runner::CheckContext::default())
}

/// [`start`] with what the guide knows beyond the specs (the failure time of the scanned logs).
pub fn start_with(app: &mut App, only: Option<String>, context: crate::checks::runner::CheckContext) -> Vec<Effect> {
    if app.checks.running {
        return Vec::new();
    }
    let target = match form_target(app) {
        Ok(t) => t,
        Err(why) => {
            app.checks.message = Some(why);
            app.checks.editing = true;
            return Vec::new();
        }
    };
    let c = &mut app.checks;
    c.editing = false;
    c.run += 1;
    c.running = true;
    c.cancelling = false;
    c.message = Some(match &target {
        Some(t) => format!("against {}", t.describe()),
        None => "no SQL Server given: the SQL checks are skipped (e to fill in the connection)".to_string(),
    });
    let ids: Vec<String> = match only {
        Some(id) => vec![id],
        None => c.rows.iter().map(|r| r.id.clone()).collect(),
    };
    for row in c.rows.iter_mut().filter(|r| ids.contains(&r.id)) {
        row.state = RowState::Queued;
    }
    vec![Effect::RunChecks(c.run, ids, target.map(Box::new), Box::new(context))]
}

/// Re-runs the selected check.
pub fn rerun_selected(app: &mut App) -> Vec<Effect> {
    let id = app.checks.rows.get(app.checks.selected).map(|r| r.id.clone());
    match id {
        Some(id) => start(app, Some(id)),
        None => Vec::new(),
    }
}

/// Applies an event of run `run`; events of an older run are dropped.
pub fn event(app: &mut App, run: u64, event: RunEvent) {
    if run != app.checks.run {
        return;
    }
    let now = app.now;
    match event {
        RunEvent::Started(id) => {
            if let Some(row) = app.checks.rows.iter_mut().find(|r| r.id == id) {
                row.state = RowState::Running(now);
            }
        }
        RunEvent::Finished(mut result) => {
            result.detail = crate::report::redact::secrets(&result.detail).into_owned();
            if let Some(row) = app.checks.rows.iter_mut().find(|r| r.id == result.id) {
                row.state = RowState::Done(result);
            }
        }
    }
}

/// Run `run` ended; `error` says why it could not run at all.
pub fn done(app: &mut App, run: u64, error: Option<String>) {
    if run != app.checks.run {
        return;
    }
    let c = &mut app.checks;
    c.running = false;
    c.cancelling = false;
    for row in c.rows.iter_mut().filter(|r| matches!(r.state, RowState::Queued | RowState::Running(_))) {
        row.state = RowState::NotRun;
    }
    let results: Vec<crate::checks::CheckResult> = c
        .rows
        .iter()
        .filter_map(|r| match &r.state {
            RowState::Done(result) => Some(result.clone()),
            _ => None,
        })
        .collect();
    c.message = Some(match error {
        Some(e) => e,
        None => banner(&results),
    });
}

/// The line the Checks screen shows after a run: the counts, and what could not be checked and
/// why, so "not run" is never read as "fine".
pub fn banner(results: &[crate::checks::CheckResult]) -> String {
    use crate::checks::{Completeness, Summary};
    let summary = Summary::of(results);
    let reasons: Vec<String> =
        crate::checks::result::unknown_reasons(results).into_iter().map(|(why, n)| format!("{why} ({n})")).collect();
    match summary.completeness() {
        Completeness::Complete => format!("{}: everything was checked and nothing failed", summary.line()),
        Completeness::Problems if reasons.is_empty() => summary.line(),
        _ => format!("{}. Not evaluated: {}", summary.line(), reasons.join("; ")),
    }
}

/// Asks the running checks to stop.
pub fn cancel(app: &mut App) -> Vec<Effect> {
    if !app.checks.running {
        return Vec::new();
    }
    app.checks.cancelling = true;
    vec![Effect::CancelChecks]
}

/// Moves the form's focus to the next (or previous) field, wrapping.
pub fn move_focus(app: &mut App, forward: bool) {
    let count = FORM_FIELDS.len() + 1;
    let f = &mut app.checks.form;
    f.focus = if forward { (f.focus + 1) % count } else { (f.focus + count - 1) % count };
}

/// Typed text in the form: into the focused field, or Space ticks the trust box.
pub fn type_text(app: &mut App, text: &str) {
    let f = &mut app.checks.form;
    if f.focus == FORM_TRUST {
        if text == " " {
            f.trust = !f.trust;
        }
        return;
    }
    // A server, database or user name is one line; a pasted line break ends it.
    let line = text.lines().next().unwrap_or("");
    f.fields[f.focus].insert(line);
}

/// The registry's Management database location fills an empty form.
pub fn registry_target(app: &mut App, found: Option<(String, String)>) {
    let f = &mut app.checks.form;
    if let Some((server, database)) = found {
        if f.fields[0].text().is_empty() {
            f.fields[0].insert(&server);
            f.fields[1].clear();
            f.fields[1].insert(&database);
            app.checks.message = Some(format!("connection read from the BizTalk registry: {server} / {database}"));
        }
    }
}

/// The checks screen was shown: read the registry once, for a configured BizTalk server.
pub fn shown(app: &mut App) -> Vec<Effect> {
    if app.checks.looked_up {
        return Vec::new();
    }
    app.checks.looked_up = true;
    vec![Effect::FindRegistryTarget]
}
