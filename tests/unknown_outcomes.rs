//! Every check step of every playbook, driven with pass, fail, skipped and error, through
//! `recover --answers` and through the TUI's update: a pass and a failure take their branches,
//! a check that could not tell takes its `unknown` branch or asks the step's question, nothing
//! decided by an unknown is marked as established, and no step reached after an unknown
//! states what a check found.

use assert_cmd::Command;
use bts_doctor::checks::{CheckResult, RunEvent, Status, UnknownReason};
use bts_doctor::guide::machine::{self, AnsweredBy, CheckOutcome, Input, Progress};
use bts_doctor::guide::store::Saved;
use bts_doctor::kb::playbook::{Playbook, Step, StepKind};
use bts_doctor::kb::KnowledgeBase;
use bts_doctor::matcher::Matcher;
use bts_doctor::tui::action::{Action, Effect};
use bts_doctor::tui::state::{App, Screen};
use bts_doctor::tui::{update::update, view};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

/// How a path moves from one step to the next.
#[derive(Debug, Clone)]
enum Move {
    Answer(String, String),
    Check(String, Status),
    Continue(String, bool),
}

/// The shortest path from the start to `target`, as moves.
fn path_to(book: &Playbook, target: &str) -> Vec<Move> {
    let mut queue = VecDeque::from([(book.start.clone(), Vec::<Move>::new())]);
    let mut seen = vec![book.start.clone()];
    while let Some((at, moves)) = queue.pop_front() {
        if at == target {
            return moves;
        }
        let step = book.step(&at).unwrap();
        let mut next: Vec<(String, Move)> = Vec::new();
        match step.kind {
            StepKind::Question => {
                for c in &step.choices {
                    next.push((c.next.clone(), Move::Answer(step.id.clone(), c.value.clone())));
                }
            }
            StepKind::Check => {
                let check = step.check.clone().unwrap();
                next.push((step.pass.clone().unwrap(), Move::Check(check.clone(), Status::Pass)));
                next.push((step.fail.clone().unwrap(), Move::Check(check.clone(), Status::Fail)));
                if let Some(u) = &step.unknown {
                    next.push((u.clone(), Move::Check(check, Status::Skipped)));
                }
            }
            StepKind::Info | StepKind::Action => {
                next.push((step.next.clone().unwrap(), Move::Continue(step.id.clone(), step.destructive.is_some())))
            }
            StepKind::Done => {}
        }
        for (to, m) in next {
            if !seen.contains(&to) {
                seen.push(to.clone());
                let mut moves = moves.clone();
                moves.push(m);
                queue.push_back((to, moves));
            }
        }
    }
    panic!("{} cannot reach {target}", book.id)
}

/// An answers file that walks `moves`, then gives `status` to the target's check (and `decide`
/// to its question when set).
fn answers(moves: &[Move], target: &Step, status: Status, decide: Option<&str>) -> String {
    let mut answers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut checks: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut confirm = Vec::new();
    let name = |s: Status| match s {
        Status::Pass => "pass",
        Status::Fail => "fail",
        Status::Warn => "warn",
        Status::Skipped => "skipped",
        Status::Error => "error",
    };
    for m in moves {
        match m {
            Move::Answer(step, value) => answers.entry(step.clone()).or_default().push(value.clone()),
            Move::Check(check, s) => checks.entry(check.clone()).or_default().push(name(*s)),
            Move::Continue(step, true) => confirm.push(step.clone()),
            Move::Continue(..) => {}
        }
    }
    checks.entry(target.check.clone().unwrap()).or_default().push(name(status));
    if let Some(d) = decide {
        answers.entry(target.id.clone()).or_default().push(d.to_string());
    }
    let quote = |v: &str| format!("\"{v}\"");
    let mut out = String::from(if answers.is_empty() { "answers: {}\n" } else { "answers:\n" });
    for (k, v) in &answers {
        out.push_str(&format!("  {k}: [{}]\n", v.iter().map(|x| quote(x)).collect::<Vec<_>>().join(", ")));
    }
    out.push_str("checks:\n");
    for (k, v) in &checks {
        out.push_str(&format!("  {k}: [{}]\n", v.join(", ")));
    }
    out.push_str(&format!("confirm: [{}]\n", confirm.join(", ")));
    out
}

fn recover(book: &str, answers: &str) -> Value {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("answers.yaml");
    std::fs::write(&file, answers).unwrap();
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .args(["recover", "--restart", "--json", "--playbook", book, "--answers"])
        .arg(&file)
        .env("BTS_DOCTOR_DATA", data.path())
        .env_remove("BTS_DOCTOR_SQL")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}\n{answers}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The step the walk went to right after the last visit of `step`, or where it waits.
fn after(doc: &Value, step: &str) -> String {
    let path = doc["path"].as_array().unwrap();
    let i = path.iter().rposition(|v| v["step"] == step).expect("the step was visited");
    path.get(i + 1)
        .map_or_else(|| doc["current"].as_str().unwrap().to_string(), |v| v["step"].as_str().unwrap().to_string())
}

fn kb() -> KnowledgeBase {
    KnowledgeBase::embedded().unwrap()
}

fn check_steps(kb: &KnowledgeBase) -> Vec<(Playbook, Step)> {
    kb.playbooks()
        .iter()
        .flat_map(|b| b.steps.iter().filter(|s| s.kind == StepKind::Check).map(move |s| (b.clone(), s.clone())))
        .collect()
}

#[test]
fn every_check_step_of_every_playbook_through_recover() {
    let kb = kb();
    let steps = check_steps(&kb);
    assert!(steps.len() >= 20, "{}", steps.len());
    // Each step's runs are independent processes: a few at once.
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..3 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((book, step)) = steps.get(i) else { break };
                walk_one(book, step);
            });
        }
    });
}

/// The four outcomes of one check step through `recover`.
fn walk_one(book: &Playbook, step: &Step) {
    {
        let moves = path_to(book, &step.id);
        for status in [Status::Pass, Status::Fail, Status::Skipped, Status::Error] {
            let doc = recover(&book.id, &answers(&moves, step, status, None));
            let at = format!("{} / {} / {status:?}", book.id, step.id);
            // Nothing that could not tell is ever marked established.
            for v in doc["path"].as_array().unwrap() {
                if matches!(v["check"]["status"].as_str(), Some("skipped" | "error")) {
                    assert_ne!(v["mark"], "established", "{at}: {v}");
                }
            }
            match (status, &step.unknown) {
                (Status::Pass, _) => assert_eq!(&after(&doc, &step.id), step.pass.as_ref().unwrap(), "{at}"),
                (Status::Fail, _) => assert_eq!(&after(&doc, &step.id), step.fail.as_ref().unwrap(), "{at}"),
                (_, Some(branch)) => {
                    assert_eq!(&after(&doc, &step.id), branch, "{at}");
                    let visit =
                        doc["path"].as_array().unwrap().iter().rev().find(|v| v["step"] == step.id.as_str()).unwrap();
                    assert_eq!(visit["mark"], "undecided", "{at}");
                }
                (_, None) => {
                    // The walk waits at the step with its question; no branch was taken.
                    assert_eq!(doc["current"], step.id.as_str(), "{at}");
                    assert_eq!(doc["waiting"]["kind"], "undecided", "{at}");
                    assert_eq!(doc["waiting"]["question"], step.ask.as_deref().unwrap(), "{at}");
                    for (answer, branch) in [("no", &step.fail), ("yes", &step.pass)] {
                        let doc = recover(&book.id, &answers(&moves, step, status, Some(answer)));
                        assert_eq!(&after(&doc, &step.id), branch.as_ref().unwrap(), "{at} answered {answer}");
                        let visit = doc["path"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .rev()
                            .find(|v| v["step"] == step.id.as_str())
                            .unwrap();
                        assert_eq!(
                            (visit["mark"].as_str(), visit["answer"].as_str()),
                            (Some("undecided"), Some(answer)),
                            "{at}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn no_step_reached_after_an_unknown_claims_what_a_check_found() {
    let kb = kb();
    for (book, step) in check_steps(&kb) {
        // Where an unknown can lead: the unknown branch, or both branches through the question.
        let reachable: Vec<&String> = match &step.unknown {
            Some(u) => vec![u],
            None => vec![step.pass.as_ref().unwrap(), step.fail.as_ref().unwrap()],
        };
        for id in reachable {
            let text = book.step(id).unwrap().text.to_lowercase();
            for claim in ["the check found", "the check showed", "the check says", "the check confirmed"] {
                assert!(
                    !text.contains(claim),
                    "{}: `{id}` is reached after an unknown `{}` and says \"{claim}\"",
                    book.id,
                    step.id
                );
            }
        }
    }
}

fn matcher() -> Matcher {
    Matcher::new(kb()).unwrap()
}

fn run(app: &mut App, actions: Vec<Action>) -> Vec<Effect> {
    actions.into_iter().flat_map(|a| update(app, a)).collect()
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t.backend().to_string()
}

/// Progress at `target`, walked by the machine along `moves`.
fn progress_at(book: &Playbook, moves: &[Move]) -> Progress {
    let mut p = machine::start(book);
    for m in moves {
        let input = match m {
            Move::Answer(_, v) => Input::Choice(v.clone(), AnsweredBy::User),
            Move::Check(id, s) => Input::Check(CheckOutcome::scripted(id, *s)),
            Move::Continue(..) => Input::Continue,
        };
        machine::advance(book, &mut p, input).unwrap();
    }
    p
}

#[test]
fn every_check_step_of_every_playbook_through_the_tui() {
    let kb = kb();
    for (book, step) in check_steps(&kb) {
        let moves = path_to(&book, &step.id);
        for status in [Status::Pass, Status::Fail, Status::Skipped, Status::Error] {
            let at = format!("{} / {} / {status:?}", book.id, step.id);
            let mut a = App::new(matcher(), true);
            a.guide.playbook = a.matcher.kb().playbooks().iter().position(|p| p.id == book.id).unwrap();
            run(&mut a, vec![Action::ShowScreen(Screen::Guide)]);
            let progress = progress_at(&book, &moves);
            run(&mut a, vec![Action::ProgressLoaded(book.id.clone(), Ok(Saved::Resume(progress))), Action::Open]);
            let effects = run(&mut a, vec![Action::Open]);
            let Some(Effect::RunChecks(run_id, ids, _, _)) = effects.first() else { panic!("{at}: {effects:?}") };
            assert_eq!(ids, &vec![step.check.clone().unwrap()], "{at}");
            let result = CheckResult {
                id: ids[0].clone(),
                title: "t".into(),
                status,
                detail: "what the probe said".into(),
                issue_id: None,
                fix: None,
                duration_ms: 1,
                outcome: status.outcome(),
                unknown_reason: match status {
                    Status::Skipped => Some(UnknownReason::NotApplicable),
                    Status::Error => Some(UnknownReason::Error),
                    _ => None,
                },
                data: None,
            };
            run(&mut a, vec![Action::CheckEvent(*run_id, RunEvent::Finished(result))]);
            let current = a.guide.session.as_ref().unwrap().progress.current.clone();
            let text = screen(&a);
            // The list pane cuts long titles: compare their start.
            let title: String = step.title.chars().take(24).collect();
            match (status, &step.unknown) {
                (Status::Pass, _) => assert_eq!(Some(&current), step.pass.as_ref(), "{at}"),
                (Status::Fail, _) => assert_eq!(Some(&current), step.fail.as_ref(), "{at}"),
                (_, Some(branch)) => {
                    assert_eq!(&current, branch, "{at}");
                    assert!(text.contains(&format!("? {title}")), "{at}: marked undecided\n{text}");
                }
                (_, None) => {
                    assert_eq!(current, step.id, "{at}: no branch until the user decides");
                    assert!(text.contains("could not tell"), "{at}\n{text}");
                    run(&mut a, vec![Action::Down, Action::Open]);
                    let current = a.guide.session.as_ref().unwrap().progress.current.clone();
                    assert_eq!(Some(&current), step.fail.as_ref(), "{at}: No takes the fail branch");
                    let text = screen(&a);
                    assert!(text.contains(&format!("? {title}")), "{at}: marked undecided\n{text}");
                }
            }
            assert!(!text.contains(&format!("✓ {title}")) || status == Status::Pass, "{at}: only a pass is ✓\n{text}");
        }
    }
}
