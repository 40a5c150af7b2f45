//! `update`: the one place state changes. Pure: it reads the action and the state, changes the
//! state and returns the effects (background work) to start; it never does I/O itself.

use super::action::{Action, Effect};
use super::checks;
use super::guide;
use super::keymap::Ctx;
use super::layout;
use super::state::{App, DetailState, LogViewer, ScanItem, ScanPhase, Screen};
use std::path::PathBuf;

/// Quiet time after the last edit before the text is matched, in milliseconds.
pub const DEBOUNCE_MS: u64 = 120;
/// Rows a page key moves.
const PAGE: usize = 10;

/// Applies one action; returns the background work to start.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    use Action::*;
    match action {
        ForceQuit | Quit => {
            app.quit = true;
            let mut effects = vec![Effect::Quit];
            if matches!(app.scan.phase, ScanPhase::Running { .. }) {
                effects.insert(0, Effect::CancelScan);
            }
            if app.checks.running {
                effects.insert(0, Effect::CancelChecks);
            }
            return effects;
        }
        ToggleHelp => app.help = !app.help,
        ShowScreen(screen) => {
            app.help = false;
            app.detail = None;
            app.screen = screen;
            if screen == Screen::Checks {
                return checks::shown(app);
            }
            if screen == Screen::Guide {
                return guide::shown(app);
            }
        }
        Back => back(app),
        FocusNext => focus_next(app),
        Up | Down | PageUp | PageDown | Home | End | Left | Right => return navigate(app, &action),
        Scroll(down) => return navigate(app, if down { &Down } else { &Up }),
        Click(col, row) => return click(app, col, row),
        Open if app.screen == Screen::Guide && app.detail.is_none() => return guide::enter(app),
        Open => open(app),
        ViewLog if app.screen == Screen::Guide => app.detail = guide::entry_detail(app),
        ViewLog => return view_log(app),
        Toggle => toggle_step(app),
        Filter => match app.screen {
            Screen::Knowledge => app.knowledge.typing = true,
            Screen::Checks => app.checks.editing = true,
            Screen::Paste => app.paste.on_results = false,
            _ => {}
        },
        InsertText(text) if app.context() == Ctx::ChecksForm => checks::type_text(app, &text),
        InsertText(text) => edit(app, |e| e.insert(&text)),
        Paste(text) => {
            if !app.context().is_typing() {
                app.detail = None;
                app.help = false;
                app.screen = Screen::Paste;
                app.paste.on_results = false;
            }
            if app.context() == Ctx::ChecksForm {
                checks::type_text(app, &text);
            } else {
                edit(app, |e| e.insert(&text));
            }
        }
        Newline => edit(app, |e| e.insert("\n")),
        Backspace => edit(app, |e| e.backspace()),
        Delete => edit(app, |e| e.delete()),
        Clear => edit(app, |e| e.clear()),
        Complete => return vec![Effect::Complete(app.scan.prompt.text().to_string())],
        Completions(list) => complete(app, list),
        Submit => return submit(app),
        CancelScan => {
            if let ScanPhase::Running { cancelling, .. } = &mut app.scan.phase {
                *cancelling = true;
                return vec![Effect::CancelScan];
            }
        }
        NewScan => {
            app.scan.phase = ScanPhase::Prompt;
            app.scan.viewer = None;
        }
        ScanProgress(p) => {
            if let ScanPhase::Running { progress, .. } = &mut app.scan.phase {
                *progress = Some(p);
            }
        }
        ScanDone(report) => {
            app.scan.phase = ScanPhase::Done(report);
            app.scan.selected = 0;
        }
        LogLoaded(path, line, result) => {
            // Only the load the open viewer asked for: an older one may finish later.
            if let Some(v) = app.scan.viewer.as_mut().filter(|v| v.path == path && v.target == line) {
                match result {
                    Ok(lines) => {
                        v.top = lines.iter().position(|(n, _)| *n + 5 >= v.target).unwrap_or(0);
                        v.lines = lines;
                        v.error = None;
                    }
                    Err(e) => v.error = Some(e),
                }
            }
        }
        NextError | PrevError => return jump_error(app, action == NextError),
        RunChecks => return checks::start(app, None),
        RerunCheck => return checks::rerun_selected(app),
        CancelChecks => return checks::cancel(app),
        CheckEvent(run, event) => {
            let finished = match &event {
                crate::checks::RunEvent::Finished(r) => Some(r.clone()),
                crate::checks::RunEvent::Started(_) => None,
            };
            checks::event(app, run, event);
            if let Some(result) = finished {
                return guide::check_finished(app, run, &result);
            }
        }
        ChecksDone(run, error) => {
            checks::done(app, run, error);
            guide::run_done(app, run);
        }
        NextPlaybook => return guide::next_playbook(app),
        Restart => return guide::restart(app),
        ConfirmDone => return guide::confirm(app),
        ProgressLoaded(id, saved) => guide::loaded(app, &id, saved),
        ProgressNotSaved(why) => app.guide.notice = Some(format!("Progress was not saved: {why}")),
        ExportReport => return vec![Effect::ExportReport(Box::new(export_job(app)))],
        Exported(result) => {
            let text = match result {
                Ok(path) => format!("report written: {path}"),
                Err(why) => format!("report not written: {why}"),
            };
            app.toast = Some((text, app.now));
        }
        RegistryTarget(found) => checks::registry_target(app, found),
        Tick(now) => {
            app.now = now;
            return debounce(app);
        }
        Resize(w, h) => app.size = (w, h),
        Matched(generation, report) => {
            app.paste.matching = false;
            if generation == app.paste.generation {
                app.paste.report = Some(*report);
                app.paste.selected = 0;
            }
            return debounce(app);
        }
    }
    Vec::new()
}

/// Everything the screens show, for the report (Ctrl+E).
fn export_job(app: &App) -> super::action::ExportJob {
    let paste = app.paste.report.clone().map(|r| (app.paste.editor.text().to_string(), r));
    let scan = match &app.scan.phase {
        ScanPhase::Done(report) => Some((**report).clone()),
        _ => None,
    };
    let checks = app
        .checks
        .rows
        .iter()
        .filter_map(|r| match &r.state {
            super::state::RowState::Done(result) => Some(result.clone()),
            _ => None,
        })
        .collect();
    super::action::ExportJob {
        paste,
        scan,
        checks,
        target: checks::form_target(app).ok().flatten(),
        progress: app.guide.session.as_ref().map(|s| s.progress.clone()),
    }
}

/// Sends the pasted text for matching once it has been still for [`DEBOUNCE_MS`].
fn debounce(app: &mut App) -> Vec<Effect> {
    let p = &mut app.paste;
    match p.edited_at {
        Some(at) if !p.matching && app.now.saturating_sub(at) >= DEBOUNCE_MS => {
            p.edited_at = None;
            if p.editor.text().trim().is_empty() {
                p.report = None;
                return Vec::new();
            }
            p.matching = true;
            vec![Effect::Match(p.generation, p.editor.text().to_string())]
        }
        _ => Vec::new(),
    }
}

/// Applies an edit to whichever text has the focus.
fn edit(app: &mut App, f: impl FnOnce(&mut super::editor::Editor)) {
    match app.screen {
        Screen::Paste => {
            f(&mut app.paste.editor);
            app.paste.generation += 1;
            app.paste.edited_at = Some(app.now);
        }
        Screen::Scan if matches!(app.scan.phase, ScanPhase::Prompt) => {
            f(&mut app.scan.prompt);
            app.scan.completions.clear();
        }
        Screen::Knowledge => {
            f(&mut app.knowledge.filter);
            app.knowledge.typing = true;
            refilter(app);
        }
        Screen::Checks if app.checks.editing => {
            let form = &mut app.checks.form;
            if let Some(e) = form.fields.get_mut(form.focus) {
                f(e);
            }
        }
        _ => {}
    }
}

fn back(app: &mut App) {
    if app.help {
        app.help = false;
    } else if app.detail.is_some() {
        app.detail = None;
    } else if app.scan.viewer.is_some() && app.screen == Screen::Scan {
        app.scan.viewer = None;
    } else if app.screen == Screen::Knowledge && app.knowledge.typing {
        app.knowledge.filter.clear();
        app.knowledge.typing = false;
        refilter(app);
    } else if app.screen == Screen::Paste && app.paste.on_results {
        app.paste.on_results = false;
    } else if app.screen == Screen::Checks && app.checks.editing {
        app.checks.editing = false;
    }
}

fn focus_next(app: &mut App) {
    match app.screen {
        Screen::Paste => app.paste.on_results = !app.paste.on_results,
        Screen::Knowledge => app.knowledge.typing = !app.knowledge.typing,
        Screen::Checks if app.checks.editing => checks::move_focus(app, true),
        Screen::Checks => app.checks.editing = true,
        _ => {}
    }
}

/// Moves the cursor within a line: left, right, to the line's start or end.
fn move_in_line(e: &mut super::editor::Editor, action: &Action) {
    match action {
        Action::Left => e.move_horizontal(false),
        Action::Right => e.move_horizontal(true),
        Action::Home => e.move_line_edge(false),
        Action::End => e.move_line_edge(true),
        _ => {}
    }
}

/// Moves a selection `len` long by the action.
fn step(selected: usize, len: usize, action: &Action) -> usize {
    if len == 0 {
        return 0;
    }
    match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (selected + 1).min(len - 1),
        Action::PageUp => selected.saturating_sub(PAGE),
        Action::PageDown => (selected + PAGE).min(len - 1),
        Action::Home => 0,
        Action::End => len - 1,
        _ => selected.min(len - 1),
    }
}

fn navigate(app: &mut App, action: &Action) -> Vec<Effect> {
    match app.context() {
        Ctx::PasteInput => {
            let e = &mut app.paste.editor;
            match action {
                Action::Up => e.move_vertical(false),
                Action::Down => e.move_vertical(true),
                _ => move_in_line(e, action),
            }
        }
        Ctx::ScanPrompt | Ctx::KnowledgeFilter => {
            let e = if app.screen == Screen::Scan { &mut app.scan.prompt } else { &mut app.knowledge.filter };
            move_in_line(e, action);
        }
        Ctx::PasteResults => {
            let len = app.paste.report.as_ref().map_or(0, |r| r.matches.len());
            app.paste.selected = step(app.paste.selected, len, action);
        }
        Ctx::Knowledge => app.knowledge.selected = step(app.knowledge.selected, app.knowledge.shown.len(), action),
        Ctx::Guide => guide::move_choice(app, matches!(action, Action::Down | Action::PageDown | Action::End)),
        Ctx::Checks | Ctx::ChecksRunning => {
            app.checks.selected = step(app.checks.selected, app.checks.rows.len(), action)
        }
        Ctx::ChecksForm => match action {
            Action::Up => checks::move_focus(app, false),
            Action::Down => checks::move_focus(app, true),
            _ => {
                let f = &mut app.checks.form;
                if let Some(e) = f.fields.get_mut(f.focus) {
                    move_in_line(e, action);
                }
            }
        },
        Ctx::ScanResults => app.scan.selected = step(app.scan.selected, app.scan_items().len(), action),
        Ctx::LogViewer => {
            if let Some(v) = app.scan.viewer.as_mut() {
                v.top = step(v.top, v.lines.len(), action);
            }
        }
        Ctx::Detail => {
            let steps = app.detail.as_ref().map_or(0, |d| app.matcher.entry(d.entry).fix.len());
            if let Some(d) = app.detail.as_mut() {
                match action {
                    Action::PageDown => d.scroll = d.scroll.saturating_add(PAGE as u16),
                    Action::PageUp => d.scroll = d.scroll.saturating_sub(PAGE as u16),
                    _ => d.step = step(d.step, steps, action),
                }
            }
        }
        _ => {}
    }
    Vec::new()
}

fn open(app: &mut App) {
    let opened = match app.screen {
        Screen::Paste => {
            app.paste.report.as_ref().and_then(|r| r.matches.get(app.paste.selected)).map(|m| DetailState {
                entry: m.entry,
                why: m.why.iter().map(|w| (w.signature.clone(), w.matched.clone())).collect(),
                step: 0,
                scroll: 0,
            })
        }
        Screen::Knowledge => app.knowledge.shown.get(app.knowledge.selected).map(|&entry| DetailState {
            entry,
            why: Vec::new(),
            step: 0,
            scroll: 0,
        }),
        Screen::Scan => match (&app.scan.phase, app.scan_items().get(app.scan.selected)) {
            (ScanPhase::Done(report), Some(ScanItem::Finding(i))) => {
                let f = &report.findings[*i];
                app.matcher.kb().entries().iter().position(|e| e.id == f.issue_id).map(|entry| DetailState {
                    entry,
                    why: vec![(format!("{}:{}", f.first.path, f.first.line), f.first.text.clone())],
                    step: 0,
                    scroll: 0,
                })
            }
            _ => None,
        },
        Screen::Checks => checks_detail(app),
        _ => None,
    };
    if opened.is_some() {
        app.detail = opened;
    } else if app.screen == Screen::Scan {
        let _ = view_log(app);
    }
}

/// Space ticks or unticks the selected fix step. A destructive step is ticked only by a second
/// Space right after the warning: an explicit confirmation that it was done.
fn toggle_step(app: &mut App) {
    let Some(d) = &app.detail else { return };
    let entry = app.matcher.entry(d.entry);
    let (id, step, count) = (entry.id.clone(), d.step, entry.fix.len());
    let destructive = entry.fix.get(step).and_then(|s| s.destructive.clone());
    let ticked = app.ticked.get(&id).and_then(|t| t.get(step)).copied().unwrap_or(false);
    if let (Some(affects), false) = (destructive, ticked) {
        if app.confirming != Some((id.clone(), step)) {
            app.confirming = Some((id, step));
            app.toast = Some((format!("Destructive: {affects} Press Space again to mark it done."), app.now));
            return;
        }
    }
    app.confirming = None;
    let ticks = app.ticked.entry(id).or_insert_with(|| vec![false; count]);
    if let Some(t) = ticks.get_mut(step) {
        *t = !*t;
    }
}

/// Opens the log viewer at the selected result's first place.
fn view_log(app: &mut App) -> Vec<Effect> {
    let ScanPhase::Done(report) = &app.scan.phase else { return Vec::new() };
    let (place, mark) = match app.scan_items().get(app.scan.selected) {
        Some(ScanItem::Finding(i)) => (report.findings[*i].first.clone(), report.findings[*i].first.text.clone()),
        Some(ScanItem::Unmatched(i)) => (report.unmatched[*i].first.clone(), report.unmatched[*i].first.text.clone()),
        None => match &report.root_cause {
            Some(r) => {
                (crate::logs::Place { path: r.path.clone(), line: r.line, text: r.text.clone() }, r.text.clone())
            }
            None => return Vec::new(),
        },
    };
    let mut error_lines: Vec<u64> = report
        .findings
        .iter()
        .flat_map(|f| [&f.first, &f.last])
        .chain(report.unmatched.iter().map(|u| &u.first))
        .chain(report.root_cause.iter().map(|_| &place))
        .filter(|p| p.path == place.path)
        .map(|p| p.line)
        .collect();
    if let Some(root) = report.root_cause.as_ref().filter(|r| r.path == place.path) {
        error_lines.push(root.line);
    }
    error_lines.sort_unstable();
    error_lines.dedup();
    app.scan.viewer = Some(LogViewer {
        path: place.path.clone(),
        target: place.line,
        lines: Vec::new(),
        error: None,
        top: 0,
        error_lines,
        mark,
    });
    vec![Effect::LoadLog(place.path, place.line)]
}

fn jump_error(app: &mut App, forward: bool) -> Vec<Effect> {
    let Some(v) = app.scan.viewer.as_mut() else { return Vec::new() };
    let next = if forward {
        v.error_lines.iter().find(|&&l| l > v.target).copied()
    } else {
        v.error_lines.iter().rev().find(|&&l| l < v.target).copied()
    };
    let Some(line) = next else { return Vec::new() };
    v.target = line;
    v.mark.clear();
    match v.lines.iter().position(|(n, _)| *n == line) {
        Some(i) => {
            v.top = i.saturating_sub(5);
            Vec::new()
        }
        None => vec![Effect::LoadLog(v.path.clone(), line)],
    }
}

fn complete(app: &mut App, list: Vec<String>) {
    let prompt = &mut app.scan.prompt;
    let common = list.iter().skip(1).fold(list.first().cloned().unwrap_or_default(), |acc, s| {
        acc.chars().zip(s.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a).collect()
    });
    if common.len() > prompt.text().len() {
        prompt.clear();
        prompt.insert(&common);
    }
    app.scan.completions = if list.len() > 1 { list } else { Vec::new() };
}

/// The knowledge entry behind the selected check, opened at the fix step that repairs it, with
/// the check's result as the reason.
fn checks_detail(app: &App) -> Option<DetailState> {
    let row = app.checks.rows.get(app.checks.selected)?;
    let kb = app.matcher.kb();
    let spec = kb.check(&row.id)?;
    let (issue, why, step) = match &row.state {
        super::state::RowState::Done(r) => {
            let issue = r.issue_id.clone().unwrap_or_else(|| spec.issue.clone());
            let step = if issue == spec.issue { spec.fix_step.map_or(0, |s| s - 1) } else { 0 };
            (issue, vec![(format!("check {} ({})", r.id, r.status.as_str()), r.detail.clone())], step)
        }
        _ => (spec.issue.clone(), Vec::new(), spec.fix_step.map_or(0, |s| s - 1)),
    };
    let entry = kb.entries().iter().position(|e| e.id == issue)?;
    Some(DetailState { entry, why, step, scroll: 0 })
}

fn submit(app: &mut App) -> Vec<Effect> {
    if app.screen == Screen::Checks {
        return checks::start(app, None);
    }
    let paths: Vec<PathBuf> =
        app.scan.prompt.text().split(';').map(str::trim).filter(|p| !p.is_empty()).map(PathBuf::from).collect();
    if paths.is_empty() {
        return Vec::new();
    }
    start_scan(app, paths)
}

/// Starts scanning `paths` (also used for `bts-doctor PATH...`).
pub fn start_scan(app: &mut App, paths: Vec<PathBuf>) -> Vec<Effect> {
    app.screen = Screen::Scan;
    app.scan.viewer = None;
    app.scan.completions.clear();
    app.scan.phase = ScanPhase::Running { progress: None, started: app.now, cancelling: false };
    vec![Effect::StartScan(paths)]
}

fn click(app: &mut App, col: u16, row: u16) -> Vec<Effect> {
    let area = ratatui::layout::Rect::new(0, 0, app.size.0, app.size.1);
    let (tabs, body, _) = layout::bands(area);
    if row == tabs.y {
        if let Some((screen, _, _)) = layout::tab_ranges().into_iter().find(|(_, a, b)| col >= *a && col < *b) {
            app.help = false;
            app.detail = None;
            app.screen = screen;
        }
        return Vec::new();
    }
    if app.detail.is_some() || app.help {
        return Vec::new();
    }
    let inside = |r: ratatui::layout::Rect| col >= r.x && col < r.x + r.width && row > r.y && row + 1 < r.y + r.height;
    match app.screen {
        Screen::Paste => {
            let (input, results) = layout::paste_areas(body);
            if inside(results) {
                let len = app.paste.report.as_ref().map_or(0, |r| r.matches.len());
                let index = (row - results.y - 1) as usize;
                app.paste.on_results = true;
                if index < len {
                    app.paste.selected = index;
                }
            } else if inside(input) {
                app.paste.on_results = false;
            }
        }
        Screen::Knowledge => {
            let (filter, list) = layout::knowledge_areas(body);
            app.knowledge.typing = row < filter.y + filter.height;
            if inside(list) {
                let rows = knowledge_rows(app);
                let selected_row = rows.iter().position(|r| *r == Some(app.knowledge.selected)).unwrap_or(0);
                if let Some(Some(index)) = rows.get(clicked_row(list, row, selected_row)) {
                    return select_or_open(app, *index, |a| &mut a.knowledge.selected);
                }
            }
        }
        Screen::Scan if app.scan.viewer.is_none() && matches!(app.scan.phase, ScanPhase::Done(_)) => {
            let (_, list) = layout::scan_result_areas(body);
            let index = clicked_row(list, row, app.scan.selected);
            if inside(list) && index < app.scan_items().len() {
                return select_or_open(app, index, |a| &mut a.scan.selected);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// The display row a click hit in a bordered list whose selected row is `selected_row`:
/// ratatui, starting from offset 0 each frame, scrolls just enough to show the selection.
fn clicked_row(list: ratatui::layout::Rect, row: u16, selected_row: usize) -> usize {
    let visible = list.height.saturating_sub(2).max(1) as usize;
    let offset = selected_row.saturating_sub(visible - 1);
    offset + (row - list.y - 1) as usize
}

/// A click selects a row; a click on the selected row opens it.
fn select_or_open(app: &mut App, index: usize, selected: fn(&mut App) -> &mut usize) -> Vec<Effect> {
    if *selected(app) == index {
        open(app);
    } else {
        *selected(app) = index;
    }
    Vec::new()
}

/// The knowledge list as drawn: a group header (`None`) before each area-and-phase group,
/// then the entries (index into `shown`).
pub fn knowledge_rows(app: &App) -> Vec<Option<usize>> {
    let entries = app.matcher.kb().entries();
    let mut rows = Vec::new();
    let mut group = None;
    for (i, &e) in app.knowledge.shown.iter().enumerate() {
        let key = (entries[e].area(), entries[e].phase);
        if group != Some(key) {
            rows.push(None);
            group = Some(key);
        }
        rows.push(Some(i));
    }
    rows
}

/// Recomputes the knowledge list: with no filter every entry, grouped by area then phase; with
/// one, the ranked knowledge search's results (typos tolerated), best first.
pub fn refilter(app: &mut App) {
    let pattern = app.knowledge.filter.text().trim().to_string();
    let entries = app.matcher.kb().entries();
    app.knowledge.shown = if pattern.is_empty() {
        let mut all: Vec<usize> = (0..entries.len()).collect();
        all.sort_by(|a, b| {
            let (ea, eb) = (&entries[*a], &entries[*b]);
            (ea.area(), phase_rank(ea.phase)).cmp(&(eb.area(), phase_rank(eb.phase))).then(ea.id.cmp(&eb.id))
        });
        all
    } else {
        app.matcher.search(&pattern, entries.len()).into_iter().map(|h| h.entry).collect()
    };
    app.knowledge.selected = app.knowledge.selected.min(app.knowledge.shown.len().saturating_sub(1));
}

fn phase_rank(p: crate::kb::Phase) -> u8 {
    match p {
        crate::kb::Phase::BeforeUpgrade => 0,
        crate::kb::Phase::DuringUpgrade => 1,
        crate::kb::Phase::AfterUpgrade => 2,
        crate::kb::Phase::Any => 3,
    }
}
