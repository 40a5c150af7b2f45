//! The terminal UI without a terminal: `update` flows (pure), and every screen rendered through
//! ratatui's `TestBackend` at 80×24 and 120×40 as insta snapshots, plus one without colour.

use bts_doctor::checks::{CheckResult, RunEvent, Status, UnknownReason};
use bts_doctor::guide::machine::{self, AnsweredBy, CheckOutcome, Input, Progress as GuideProgress};
use bts_doctor::guide::store::Saved;
use bts_doctor::kb::KnowledgeBase;
use bts_doctor::logs::{self, Progress, ScanOptions};
use bts_doctor::matcher::Matcher;
use bts_doctor::tui::action::{Action, Effect};
use bts_doctor::tui::state::{App, RowState, ScanPhase, Screen};
use bts_doctor::tui::{update::update, view};
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::OnceLock;

const CLUSTER: &str =
    "SSO Master Secret Server service is not running on BTSCLUSTER01.Please start the service to continue the upgrade.";

fn matcher() -> Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| Matcher::new(KnowledgeBase::embedded().unwrap()).unwrap()).clone()
}

fn app() -> App {
    App::new(matcher(), true)
}

/// Runs the actions, answering `Match` effects synchronously as the worker would.
fn run(app: &mut App, actions: Vec<Action>) -> Vec<Effect> {
    let mut all = Vec::new();
    for a in actions {
        for e in update(app, a) {
            if let Effect::Match(generation, text) = &e {
                let report = app.matcher.match_text(text);
                update(app, Action::Matched(*generation, Box::new(report)));
            }
            all.push(e);
        }
    }
    all
}

fn pasted() -> App {
    let mut a = app();
    run(&mut a, vec![Action::Paste(CLUSTER.into()), Action::Tick(500)]);
    a
}

fn scanned() -> App {
    let mut a = app();
    let path = PathBuf::from("tests/fixtures/logs/msi-upgrade-failed.log");
    let report = logs::scan(
        &[path],
        &matcher(),
        &ScanOptions { context: 3, jobs: 1, ..ScanOptions::default() },
        None,
        &AtomicBool::new(false),
    );
    run(&mut a, vec![Action::ShowScreen(Screen::Scan), Action::ScanDone(Box::new(report))]);
    a
}

fn render(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    terminal
}

fn screen_text(app: &App, width: u16, height: u16) -> String {
    render(app, width, height).backend().to_string()
}

/// Snapshots a state at both sizes.
fn snapshot(name: &str, app: &App) {
    insta::assert_snapshot!(format!("{name}_80x24"), screen_text(app, 80, 24));
    insta::assert_snapshot!(format!("{name}_120x40"), screen_text(app, 120, 40));
}

#[test]
fn typing_debounces_then_matches_without_enter() {
    let mut a = app();
    let mut effects = Vec::new();
    for c in "Login failed for user 'sa'.".chars() {
        effects.extend(update(&mut a, Action::InsertText(c.to_string())));
    }
    effects.extend(update(&mut a, Action::Tick(50)));
    assert!(effects.is_empty(), "no match before the text is still: {effects:?}");
    let effects = update(&mut a, Action::Tick(200));
    let generation = a.paste.generation;
    assert_eq!(effects, vec![Effect::Match(generation, "Login failed for user 'sa'.".into())]);
    // an answer for older text is dropped
    let stale = a.matcher.match_text("x");
    let older = a.paste.generation - 1;
    update(&mut a, Action::Matched(older, Box::new(stale)));
    assert!(a.paste.report.is_none());
}

#[test]
fn a_paste_event_from_another_screen_lands_in_the_paste_box_and_matches() {
    let mut a = app();
    run(&mut a, vec![Action::ShowScreen(Screen::Knowledge), Action::Paste(CLUSTER.into()), Action::Tick(500)]);
    assert_eq!(a.screen, Screen::Paste);
    assert_eq!(a.paste.report.as_ref().unwrap().matches[0].id, "sso-cluster-master-secret-not-running");
}

#[test]
fn results_open_a_detail_whose_steps_can_be_ticked_and_stay_ticked() {
    let mut a = pasted();
    run(&mut a, vec![Action::FocusNext, Action::Open]);
    let detail = a.detail.clone().expect("detail open");
    assert!(!detail.why.is_empty());
    run(&mut a, vec![Action::Down, Action::Toggle]);
    assert!(a.ticked["sso-cluster-master-secret-not-running"][1]);
    run(&mut a, vec![Action::Back, Action::Open]);
    assert!(a.ticked["sso-cluster-master-secret-not-running"][1], "ticks last for the session");
    run(&mut a, vec![Action::Back]);
    assert!(a.detail.is_none());
}

#[test]
fn the_knowledge_filter_narrows_fuzzily_and_escape_clears_it() {
    let mut a = app();
    let all = a.knowledge.shown.len();
    run(&mut a, vec![Action::ShowScreen(Screen::Knowledge), Action::Filter]);
    for c in "bamportal".chars() {
        run(&mut a, vec![Action::InsertText(c.to_string())]);
    }
    let ids: Vec<&str> = a.knowledge.shown.iter().map(|&i| a.matcher.entry(i).id.as_str()).collect();
    assert!(ids.contains(&"bam-portal-views-critical-failure") && ids.len() < all, "{ids:?}");
    assert!(ids[0].starts_with("bam-portal"), "ranked: {ids:?}");
    run(&mut a, vec![Action::FocusNext, Action::Open]);
    assert!(a.detail.is_some());
    run(&mut a, vec![Action::Back, Action::Filter, Action::Back]);
    assert_eq!(a.knowledge.shown.len(), all);
}

#[test]
fn a_scan_starts_reports_progress_and_can_be_cancelled() {
    let mut a = app();
    run(&mut a, vec![Action::ShowScreen(Screen::Scan)]);
    for c in "tests/fixtures/logs".chars() {
        run(&mut a, vec![Action::InsertText(c.to_string())]);
    }
    let effects = run(&mut a, vec![Action::Submit]);
    assert_eq!(effects, vec![Effect::StartScan(vec![PathBuf::from("tests/fixtures/logs")])]);
    let progress = Progress { bytes_done: 5 << 20, bytes_total: 10 << 20, files_done: 1, files_total: 4 };
    run(&mut a, vec![Action::ScanProgress(progress)]);
    assert!(matches!(a.scan.phase, ScanPhase::Running { progress: Some(p), .. } if p == progress));
    assert_eq!(run(&mut a, vec![Action::CancelScan]), vec![Effect::CancelScan]);
    assert_eq!(run(&mut a, vec![Action::ForceQuit]), vec![Effect::CancelScan, Effect::Quit]);
    assert!(a.quit);
}

#[test]
fn scan_results_open_the_issue_and_the_log_viewer_jumps_between_errors() {
    let mut a = scanned();
    run(&mut a, vec![Action::Open]);
    assert_eq!(a.matcher.entry(a.detail.as_ref().unwrap().entry).id, "setup-regsvcs-5003");
    run(&mut a, vec![Action::Back]);
    let effects = run(&mut a, vec![Action::ViewLog]);
    assert_eq!(effects, vec![Effect::LoadLog("tests/fixtures/logs/msi-upgrade-failed.log".into(), 451)]);
    let lines = logs::read_lines(std::path::Path::new("tests/fixtures/logs/msi-upgrade-failed.log"), 451, 300).unwrap();
    // a load for another place (an older request) is ignored
    run(&mut a, vec![Action::LogLoaded("other.log".into(), 451, Ok(vec![(1, "x".into())]))]);
    assert!(a.scan.viewer.as_ref().unwrap().lines.is_empty());
    run(&mut a, vec![Action::LogLoaded("tests/fixtures/logs/msi-upgrade-failed.log".into(), 451, Ok(lines))]);
    let viewer = a.scan.viewer.as_ref().unwrap();
    assert!(viewer.error_lines.len() >= 2, "{:?}", viewer.error_lines);
    let before = viewer.target;
    run(&mut a, vec![Action::NextError]);
    assert!(a.scan.viewer.as_ref().unwrap().target > before);
    run(&mut a, vec![Action::PrevError]);
    assert_eq!(a.scan.viewer.as_ref().unwrap().target, before);
    run(&mut a, vec![Action::Back]);
    assert!(a.scan.viewer.is_none());
}

#[test]
fn clicking_a_tab_switches_screen_and_quit_is_a_key_away() {
    let mut a = app();
    a.size = (120, 40);
    let (screen, start, _) = bts_doctor::tui::layout::tab_ranges()[2];
    run(&mut a, vec![Action::Click(start + 1, 0)]);
    assert_eq!(a.screen, screen);
    run(&mut a, vec![Action::Quit]);
    assert!(a.quit);
}

#[test]
fn clicking_a_list_row_selects_it_and_clicking_it_again_opens_it() {
    let mut a = app();
    a.size = (120, 40);
    run(&mut a, vec![Action::ShowScreen(Screen::Knowledge)]);
    let body = ratatui::layout::Rect::new(0, 1, 120, 38);
    let (_, list) = bts_doctor::tui::layout::knowledge_areas(body);
    let rows = bts_doctor::tui::update::knowledge_rows(&a);
    let target = rows.iter().position(|r| *r == Some(3)).unwrap() as u16;
    run(&mut a, vec![Action::Click(10, list.y + 1 + target)]);
    assert_eq!(a.knowledge.selected, 3);
    assert!(a.detail.is_none());
    run(&mut a, vec![Action::Click(10, list.y + 1 + target)]);
    assert_eq!(a.detail.as_ref().map(|d| d.entry), Some(a.knowledge.shown[3]));

    let mut s = scanned();
    s.size = (120, 40);
    let (_, list) = bts_doctor::tui::layout::scan_result_areas(body);
    run(&mut s, vec![Action::Click(10, list.y + 2)]);
    assert_eq!(s.scan.selected, 1);
}

#[test]
fn tiny_windows_never_panic_and_say_so() {
    let a = pasted();
    for (w, h) in [(40, 12), (39, 12), (10, 3), (1, 1), (200, 60)] {
        let text = screen_text(&a, w, h);
        if w < 40 {
            assert!(text.contains("Window") || w < 12, "{w}x{h}: {text}");
        }
    }
    assert!(screen_text(&a, 39, 12).contains("too small"));
}

#[test]
fn a_megabyte_paste_renders_without_laying_out_every_line() {
    let mut a = app();
    let big = "Login failed for user 'sa'.\n".repeat(40_000);
    run(&mut a, vec![Action::Paste(big), Action::Tick(500)]);
    assert_eq!(a.paste.report.as_ref().unwrap().matches[0].id, "sql-login-failed-18456");
    assert!(screen_text(&a, 120, 40).contains("sql-login-failed-18456"));
}

#[test]
fn no_color_draws_without_a_single_colour() {
    let mut a = pasted();
    a.color = false;
    run(&mut a, vec![Action::FocusNext]);
    let terminal = render(&a, 120, 40);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert!(cell.fg == Color::Reset && cell.bg == Color::Reset, "coloured cell {cell:?}");
    }
    insta::assert_snapshot!("paste_matched_no_color_120x40", format!("{buffer:?}"));
}

#[test]
fn snapshots_of_every_screen() {
    snapshot("paste_empty", &app());
    snapshot("paste_matched", &pasted());
    let mut detail = pasted();
    run(&mut detail, vec![Action::FocusNext, Action::Open]);
    snapshot("detail", &detail);
    let mut help = pasted();
    run(&mut help, vec![Action::ToggleHelp]);
    snapshot("help", &help);
    let mut knowledge = app();
    run(&mut knowledge, vec![Action::ShowScreen(Screen::Knowledge)]);
    snapshot("knowledge", &knowledge);
    let mut scan_prompt = app();
    run(&mut scan_prompt, vec![Action::ShowScreen(Screen::Scan)]);
    snapshot("scan_prompt", &scan_prompt);
    let mut running = app();
    run(&mut running, vec![Action::ShowScreen(Screen::Scan), Action::Tick(0)]);
    bts_doctor::tui::update::start_scan(&mut running, vec![PathBuf::from("logs")]);
    run(
        &mut running,
        vec![
            Action::Tick(2000),
            Action::ScanProgress(Progress {
                bytes_done: 50 << 20,
                bytes_total: 200 << 20,
                files_done: 1,
                files_total: 3,
            }),
        ],
    );
    snapshot("scan_running", &running);
    snapshot("scan_done", &scanned());
    let mut viewer = scanned();
    run(&mut viewer, vec![Action::ViewLog]);
    let lines = logs::read_lines(std::path::Path::new("tests/fixtures/logs/msi-upgrade-failed.log"), 451, 300).unwrap();
    run(&mut viewer, vec![Action::LogLoaded("tests/fixtures/logs/msi-upgrade-failed.log".into(), 451, Ok(lines))]);
    snapshot("log_viewer", &viewer);
    let mut checks = app();
    run(&mut checks, vec![Action::ShowScreen(Screen::Checks)]);
    snapshot("checks_not_run", &checks);
    snapshot("checks_form", &checks_form_filled());
    snapshot("checks_running_and_done", &checks_mid_run());
    snapshot("guide_question_from_scan", &guide_after_scan());
    let mut offer = app();
    run(&mut offer, vec![Action::ShowScreen(Screen::Guide)]);
    let saved = saved_progress(&offer);
    run(&mut offer, vec![Action::ProgressLoaded("recover-failed-upgrade".into(), Ok(Saved::Resume(saved)))]);
    snapshot("guide_resume_offer", &offer);
}

/// The guide after a scan of a log whose upgrade failed while upgrading the databases.
fn guide_after_scan() -> App {
    let mut a = app();
    let report = logs::scan(
        &[PathBuf::from("tests/fixtures/logs/msi-database-upgrade-failed.log")],
        &matcher(),
        &ScanOptions { context: 3, jobs: 1, ..ScanOptions::default() },
        None,
        &AtomicBool::new(false),
    );
    run(
        &mut a,
        vec![Action::ShowScreen(Screen::Scan), Action::ScanDone(Box::new(report)), Action::ShowScreen(Screen::Guide)],
    );
    run(&mut a, vec![Action::ProgressLoaded("recover-failed-upgrade".into(), Ok(Saved::None))]);
    a
}

/// Progress two steps into the recovery playbook, as a previous session saved it.
fn saved_progress(a: &App) -> GuideProgress {
    let book = a.matcher.kb().playbook("recover-failed-upgrade").unwrap().clone();
    let mut p = machine::start(&book);
    machine::advance(&book, &mut p, Input::Choice("reconfiguration".into(), AnsweredBy::User)).unwrap();
    p
}

/// A finished check as the runner reports it.
fn finished(id: &str, status: Status, detail: &str) -> CheckResult {
    let reason = match status {
        Status::Skipped => Some(UnknownReason::NotApplicable),
        Status::Error => Some(UnknownReason::Error),
        _ => None,
    };
    CheckResult {
        id: id.into(),
        title: "t".into(),
        status,
        detail: detail.into(),
        issue_id: Some("mixed-biztalk-versions-in-group".into()),
        fix: None,
        duration_ms: 3,
        outcome: status.outcome(),
        unknown_reason: reason,
        data: None,
    }
}

/// Runs the current check step of the guide and feeds it `status`.
fn guide_check(a: &mut App, id: &str, status: Status, detail: &str) -> Vec<Effect> {
    let effects = run(a, vec![Action::Open]);
    let [Effect::RunChecks(run_id, ids, _, _)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(ids, &vec![id.to_string()]);
    let run_id = *run_id;
    assert!(run(a, vec![Action::Open]).is_empty(), "Enter again while it runs does nothing");
    let mut effects = run(a, vec![Action::CheckEvent(run_id, RunEvent::Finished(finished(id, status, detail)))]);
    effects.extend(run(a, vec![Action::ChecksDone(run_id, None)]));
    effects
}

#[test]
fn the_guide_walks_a_playbook_saves_every_step_and_lets_checks_decide() {
    let mut a = guide_after_scan();
    assert_eq!(a.guide.choice, 1, "the scanned phase (database-upgrade) is preselected");
    let effects = run(&mut a, vec![Action::Open]);
    let [Effect::SaveProgress(saved)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(saved.current, "database-version");
    assert_eq!(saved.path[0].answer.as_deref(), Some("database-upgrade"));

    // A check step runs its check through the checks runner and waits for it.
    let effects = guide_check(&mut a, "sql-biztalk-version", Status::Pass, "the Management database records 3.11");
    let [Effect::SaveProgress(saved)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(saved.current, "databases-changed", "a pass takes the pass branch");
    let text = screen_text(&a, 120, 40);
    assert!(text.contains("Last check sql-biztalk-version"), "{text}");

    // Another playbook, then back: each reads its own saved progress.
    let effects = run(&mut a, vec![Action::NextPlaybook]);
    assert!(matches!(effects.as_slice(), [Effect::LoadProgress(id)] if id == "post-upgrade"), "{effects:?}");
}

#[test]
fn a_check_that_cannot_tell_asks_the_user_and_is_never_shown_as_established() {
    for status in [Status::Skipped, Status::Error] {
        let mut a = guide_after_scan();
        run(&mut a, vec![Action::Open]);
        guide_check(&mut a, "sql-biztalk-version", status, "could not read");
        assert_eq!(a.guide.session.as_ref().unwrap().progress.current, "databases-changed", "its unknown branch");
        // No: the databases are still at the old version → is the old version still installed?
        run(&mut a, vec![Action::Down, Action::Open]);
        assert_eq!(a.guide.session.as_ref().unwrap().progress.current, "installed");
        let detail = if status == Status::Skipped {
            "not applicable on Linux (reg.exe is a Windows tool)"
        } else {
            "reg.exe failed"
        };
        let effects = guide_check(&mut a, "local-biztalk-version", status, detail);
        assert!(effects.is_empty(), "nothing is decided, so nothing is saved: {effects:?}");
        let session = a.guide.session.as_ref().unwrap();
        assert_eq!(session.progress.current, "installed", "an unknown outcome takes neither branch");
        let text = screen_text(&a, 120, 40);
        assert!(text.contains("could not tell"), "{text}");
        assert!(text.contains("Programs and Features"), "the step's own question is asked: {text}");
        assert!(!text.contains("▶ Nothing of the previous version is left"), "no result is asserted: {text}");
        assert!(text.contains("▶ Is a BizTalk Server version"), "{text}");
        // The user answers No: only now does the guide say nothing is left, and it says who decided.
        let effects = run(&mut a, vec![Action::Down, Action::Open]);
        let [Effect::SaveProgress(saved)] = effects.as_slice() else { panic!("{effects:?}") };
        assert_eq!(saved.current, "nothing-installed");
        assert_eq!(saved.path.last().unwrap().answer.as_deref(), Some("no"));
        let text = screen_text(&a, 120, 40);
        assert!(text.contains("? Is a BizTalk Server version"), "marked undecided: {text}");
        assert!(!text.contains("✓ Is a BizTalk Server version"), "{text}");
        assert!(!text.contains("✓ Which version do the BizTalk databases"), "{text}");
        let taken = a.guide.session.as_ref().unwrap().taken();
        assert!(taken.last().unwrap().said.ends_with("you answered no"), "{taken:?}");
    }
}

#[test]
fn a_destructive_step_needs_an_explicit_confirmation() {
    let mut a = app();
    run(&mut a, vec![Action::ShowScreen(Screen::Guide)]);
    let book = a.matcher.kb().playbook("recover-failed-upgrade").unwrap().clone();
    let mut p = machine::start(&book);
    machine::advance(&book, &mut p, Input::Choice("database-upgrade".into(), AnsweredBy::User)).unwrap();
    machine::advance(&book, &mut p, Input::Check(CheckOutcome::scripted("sql-biztalk-version", Status::Pass))).unwrap();
    for answer in ["yes", "only"] {
        machine::advance(&book, &mut p, Input::Choice(answer.into(), AnsweredBy::User)).unwrap();
    }
    machine::advance(&book, &mut p, Input::Check(CheckOutcome::scripted("sql-restore-point", Status::Pass))).unwrap();
    assert_eq!(p.current, "restore");
    run(&mut a, vec![Action::ProgressLoaded("recover-failed-upgrade".into(), Ok(Saved::Resume(p))), Action::Open]);
    let text = screen_text(&a, 120, 40);
    assert!(text.contains("Destructive: Overwrites every BizTalk database"), "{text}");
    let session = a.guide.session.as_ref().unwrap();
    let view = session.view(a.matcher.kb(), session.step().unwrap());
    assert!(view.command.unwrap().contains("STOPATMARK"), "the generated restore script is the step's command");
    assert!(text.contains("BACKUP DATABASE [BizTalkMgmtDb]"), "and it is on the screen: {text}");
    assert!(run(&mut a, vec![Action::Open]).is_empty(), "Enter alone does not mark it done");
    assert_eq!(a.guide.session.as_ref().unwrap().progress.current, "restore");
    assert!(a.guide.notice.as_deref().unwrap().contains("Press y"));
    let effects = run(&mut a, vec![Action::ConfirmDone]);
    assert!(matches!(effects.as_slice(), [Effect::SaveProgress(p)] if p.current == "master-secret"), "{effects:?}");
}

#[test]
fn saved_progress_is_offered_and_a_changed_playbook_starts_over_with_a_note() {
    let mut a = app();
    run(&mut a, vec![Action::ShowScreen(Screen::Guide)]);
    let saved = saved_progress(&a);
    run(&mut a, vec![Action::ProgressLoaded("recover-failed-upgrade".into(), Ok(Saved::Resume(saved.clone())))]);
    assert!(a.guide.offer.is_some());
    run(&mut a, vec![Action::Open]);
    assert_eq!(a.guide.session.as_ref().unwrap().progress.current, "reconfigure");
    let effects = run(&mut a, vec![Action::Restart]);
    assert!(matches!(effects.as_slice(), [Effect::SaveProgress(p)] if p.current == "phase"));

    let mut b = app();
    run(&mut b, vec![Action::ShowScreen(Screen::Guide)]);
    run(&mut b, vec![Action::ProgressLoaded("recover-failed-upgrade".into(), Ok(Saved::Changed(saved)))]);
    assert!(b.guide.offer.is_none());
    assert!(b.guide.notice.as_deref().unwrap().contains("changed since progress was saved at “"));
    assert_eq!(b.guide.session.as_ref().unwrap().progress.current, "phase");
}

/// The checks screen with the form filled in (the password typed, so it must show masked).
fn checks_form_filled() -> App {
    let mut a = app();
    run(&mut a, vec![Action::ShowScreen(Screen::Checks), Action::Filter]);
    run(&mut a, vec![Action::Paste("SQL01\\BIZTALK".into()), Action::FocusNext, Action::FocusNext]);
    run(&mut a, vec![Action::InsertText("bts_check".into()), Action::FocusNext]);
    for c in "Hunter2!".chars() {
        run(&mut a, vec![Action::InsertText(c.to_string())]);
    }
    a
}

/// A run in progress: the connection failed, one check is running, the rest finished.
fn checks_mid_run() -> App {
    let mut a = checks_form_filled();
    let effects = run(&mut a, vec![Action::Submit, Action::Tick(1_000)]);
    let Some(Effect::RunChecks(run_id, ids, _, _)) = effects.into_iter().find(|e| matches!(e, Effect::RunChecks(..)))
    else {
        panic!("Submit starts a run")
    };
    let kb = a.matcher.kb().clone();
    let result = |id: &str, status: Status, detail: &str, issue: &str| CheckResult {
        id: id.into(),
        title: kb.check(id).unwrap().title.clone(),
        status,
        detail: detail.into(),
        issue_id: Some(issue.into()),
        fix: (status != Status::Pass).then(|| "Configure and enable the job.".to_string()),
        duration_ms: 12,
        outcome: status.outcome(),
        unknown_reason: None,
        data: None,
    };
    let mut actions = vec![Action::CheckEvent(run_id, RunEvent::Started("sql-connection".into()))];
    actions.push(Action::CheckEvent(
        run_id,
        RunEvent::Finished(result(
            "sql-connection",
            Status::Pass,
            "connected and logged in, read-only",
            "sql-network-error-40",
        )),
    ));
    actions.push(Action::CheckEvent(
        run_id,
        RunEvent::Finished(result(
            "sql-backup-job",
            Status::Fail,
            "`Backup BizTalk Server (BizTalkMgmtDb)` exists but is disabled",
            "sql-agent-jobs-reconfigure",
        )),
    ));
    actions.push(Action::CheckEvent(run_id, RunEvent::Started("sql-server-version".into())));
    actions.push(Action::Tick(1_400));
    run(&mut a, actions);
    assert!(ids.len() > 20);
    a
}

#[test]
fn the_checks_screen_runs_with_the_form_and_shows_results_as_they_stream() {
    let mut a = app();
    let effects = run(&mut a, vec![Action::ShowScreen(Screen::Checks)]);
    assert_eq!(effects, vec![Effect::FindRegistryTarget], "a configured server's registry fills the form");
    assert!(run(&mut a, vec![Action::ShowScreen(Screen::Paste), Action::ShowScreen(Screen::Checks)]).is_empty());

    // Without a server the run goes ahead, and the SQL checks will say why they skip.
    let effects = run(&mut a, vec![Action::RunChecks]);
    let [Effect::RunChecks(1, ids, None, _)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(ids.len(), a.matcher.kb().checks().iter().filter(|c| !c.is_guide_only()).count());
    assert!(!ids.iter().any(|i| i == "sql-restore-point"), "the restore point belongs to the guide");
    assert_eq!(ids[0], "sql-connection", "the connection check comes first");
    assert!(a.checks.running);
    assert!(run(&mut a, vec![Action::RunChecks]).is_empty(), "one run at a time");
    assert_eq!(run(&mut a, vec![Action::CancelChecks]), vec![Effect::CancelChecks]);
    run(&mut a, vec![Action::ChecksDone(1, None)]);
    assert!(!a.checks.running);
    assert!(a.checks.rows.iter().all(|r| r.state == RowState::NotRun), "unfinished rows are reset");

    // A SQL login without a password stops at the form and says what is missing.
    run(&mut a, vec![Action::Filter, Action::InsertText("sql01".into()), Action::FocusNext, Action::FocusNext]);
    run(&mut a, vec![Action::InsertText("bts".into())]);
    std::env::remove_var("BTS_DOCTOR_SQL_PASSWORD");
    assert!(run(&mut a, vec![Action::Submit]).is_empty());
    assert!(a.checks.message.as_deref().unwrap_or_default().contains("enter the password of SQL login bts"));
    assert!(a.checks.editing);

    // With the password the run carries the target, and an older run's events are ignored.
    run(&mut a, vec![Action::FocusNext, Action::InsertText("pw".into()), Action::Submit]);
    assert_eq!(a.checks.run, 2);
    run(&mut a, vec![Action::CheckEvent(1, RunEvent::Started("sql-connection".into()))]);
    assert_eq!(a.checks.rows[0].state, RowState::Queued);
    run(&mut a, vec![Action::Tick(10), Action::CheckEvent(2, RunEvent::Started("sql-connection".into()))]);
    assert_eq!(a.checks.rows[0].state, RowState::Running(10));
}

#[test]
fn a_finished_check_opens_its_entry_at_the_fix_step_and_reruns_alone() {
    let mut a = checks_mid_run();
    let row = a.checks.rows.iter().position(|r| r.id == "sql-backup-job").unwrap();
    a.checks.selected = row;
    let run_id = a.checks.run;
    run(&mut a, vec![Action::ChecksDone(run_id, None)]);
    run(&mut a, vec![Action::Open]);
    let d = a.detail.clone().expect("Enter opens the entry");
    assert_eq!(a.matcher.entry(d.entry).id, "sql-agent-jobs-reconfigure");
    assert!(d.why[0].0.starts_with("check sql-backup-job (fail)"), "{:?}", d.why);
    run(&mut a, vec![Action::Back]);
    let effects = run(&mut a, vec![Action::RerunCheck]);
    let [Effect::RunChecks(_, ids, Some(target), _)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(ids, &vec!["sql-backup-job".to_string()]);
    assert_eq!(target.server, "SQL01\\BIZTALK");
    assert!(!format!("{target:?}").contains("Hunter2"), "the password never shows");
}

#[test]
fn the_form_masks_the_password_and_space_ticks_the_trust_box() {
    let mut a = checks_form_filled();
    let text = screen_text(&a, 120, 40);
    assert!(text.contains("••••••••"), "{text}");
    assert!(!text.contains("Hunter2"), "{text}");
    run(&mut a, vec![Action::FocusNext, Action::InsertText(" ".into())]);
    assert!(a.checks.form.trust);
    run(&mut a, vec![Action::FocusNext]);
    assert_eq!(a.checks.form.focus, 0, "focus wraps to the server field");
    run(&mut a, vec![Action::Back]);
    assert!(!a.checks.editing);
}

#[test]
fn ctrl_e_exports_what_the_screens_show_and_the_tab_bar_says_where() {
    let mut a = scanned();
    run(&mut a, vec![Action::Paste(CLUSTER.into()), Action::Tick(5_000)]);
    let effects = run(&mut a, vec![Action::ExportReport]);
    let [Effect::ExportReport(job)] = effects.as_slice() else { panic!("{effects:?}") };
    assert_eq!(job.paste.as_ref().unwrap().0, CLUSTER);
    assert_eq!(job.scan.as_ref().unwrap().phase.name(), "install");
    assert!(job.checks.is_empty() && job.progress.is_none());
    run(&mut a, vec![Action::Exported(Ok("/data/reports/bts-doctor-report-x.md".into()))]);
    assert!(screen_text(&a, 120, 40).contains("report written: /data/reports/bts-doctor-report-x.md"));
    assert!(screen_text(&a, 80, 24).contains("bts-doctor-report-x.md"), "a narrow tab bar keeps the file name");
    run(&mut a, vec![Action::Tick(60_000)]);
    assert!(screen_text(&a, 120, 40).contains("known issues"), "the message goes away");
}

#[test]
fn a_destructive_fix_step_is_ticked_only_after_its_warning() {
    let mut a = app();
    let entry = a.matcher.kb().entries().iter().position(|e| e.id == "msdtc-cloned-machine-cid").unwrap();
    a.detail = Some(bts_doctor::tui::state::DetailState { entry, why: Vec::new(), step: 1, scroll: 0 });
    let text = screen_text(&a, 120, 40);
    assert!(text.contains("⚠ destructive: Removes and reinstalls MSDTC"), "{text}");
    run(&mut a, vec![Action::Toggle]);
    assert!(a.ticked.get("msdtc-cloned-machine-cid").is_none_or(|t| !t[1]), "the first Space only warns");
    assert!(a.toast.as_ref().unwrap().0.contains("Press Space again"), "{:?}", a.toast);
    run(&mut a, vec![Action::Toggle]);
    assert!(a.ticked["msdtc-cloned-machine-cid"][1], "the second Space confirms");
    // An ordinary step ticks at once.
    a.detail.as_mut().unwrap().step = 0;
    run(&mut a, vec![Action::Toggle]);
    assert!(a.ticked["msdtc-cloned-machine-cid"][0]);
}
