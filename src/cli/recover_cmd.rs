//! `bts-doctor recover`: walk a playbook (recovery from a failed upgrade by default) as prompts
//! in a plain terminal, or replay scripted answers (`--answers FILE --json`) for automation.
//! The phase comes from scanned logs when given; progress is saved after every step.

use super::{load_matcher, print, print_json, GlobalArgs};
use crate::checks::runner::{self, CheckContext, Job, RunOptions};
use crate::checks::{SqlTarget, Status};
use crate::exit;
use crate::guide::answers::ScriptedAnswers;
use crate::guide::machine::{self, AnsweredBy, CheckOutcome, Progress};
use crate::guide::session::{self, AnswerSource, Mark, Pending, ResumeWish, ScanFacts, Session, StepView, Told};
use crate::guide::store::{Saved, Store};
use crate::kb::playbook::{Step, StepKind};
use crate::kb::KnowledgeBase;
use crate::logs::{self, ScanOptions};
use crate::text;
use clap::Args;
use serde::Serialize;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

/// The playbook `recover` walks unless told otherwise.
pub const DEFAULT_PLAYBOOK: &str = "recover-failed-upgrade";

/// Arguments of `recover`.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// The playbook: recover-failed-upgrade, pre-upgrade or post-upgrade.
    #[arg(long, value_name = "ID", default_value = DEFAULT_PLAYBOOK)]
    pub playbook: String,
    /// Setup, configuration or MSI logs to scan for the failed phase and the root cause; repeatable.
    #[arg(long = "log", value_name = "PATH")]
    pub logs: Vec<PathBuf>,
    /// Resume the saved progress of the playbook.
    #[arg(long, conflicts_with = "restart")]
    pub resume: bool,
    /// Start over, discarding saved progress.
    #[arg(long)]
    pub restart: bool,
    /// Replay answers from a YAML or JSON file instead of asking (`answers: {step: value}`,
    /// `checks: {check-id: pass|fail|...}` to script live checks).
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// Print the path taken as JSON (schema 1).
    #[arg(long)]
    pub json: bool,
    /// ADO.NET connection string for the SQL checks of the playbook.
    #[arg(long, value_name = "CONN", env = "BTS_DOCTOR_SQL", hide_env_values = true)]
    pub sql: Option<String>,
    /// Accept the SQL Server's TLS certificate without validating it.
    #[arg(long)]
    pub trust_server_certificate: bool,
    /// List the playbooks.
    #[arg(long)]
    pub list: bool,
}

/// `recover --json`.
#[derive(Debug, Serialize)]
struct RecoverDocument<'a> {
    schema: u32,
    playbook: PlaybookRef<'a>,
    resumed: bool,
    notice: Option<String>,
    scan: Option<&'a ScanFacts>,
    path: Vec<PathItem>,
    checks_run: Vec<&'a CheckOutcome>,
    current: Option<&'a str>,
    finished: bool,
    /// What the walk stopped at, when it is not finished.
    waiting: Option<Waiting>,
    remaining: Vec<StepRef<'a>>,
}

#[derive(Debug, Serialize)]
struct PlaybookRef<'a> {
    id: &'a str,
    title: &'a str,
    hash: String,
}

#[derive(Debug, Serialize)]
struct PathItem {
    step: String,
    kind: StepKind,
    title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<String>,
    by: AnsweredBy,
    #[serde(skip_serializing_if = "Option::is_none")]
    check: Option<CheckOutcome>,
    /// established / failed / undecided (decided by the user after the check could not tell).
    mark: Mark,
}

#[derive(Debug, Serialize)]
struct Waiting {
    /// question / check / undecided / confirm-destructive / proceed.
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    question: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    affects: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<String>,
}

#[derive(Debug, Serialize)]
struct StepRef<'a> {
    id: &'a str,
    kind: StepKind,
    title: &'a str,
}

/// Runs `recover`: exit 0 when the walk finished or stopped cleanly, 2 on usage errors (an
/// unknown playbook, a bad answers file, an answer that is not a choice).
pub fn run(global: &GlobalArgs, args: RecoverArgs) -> u8 {
    if let Some(missing) = super::missing_path(&args.logs) {
        eprintln!("bts-doctor recover: {missing}");
        return exit::USAGE;
    }
    let matcher = match load_matcher(global, &[]) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let kb = Arc::new(matcher.kb().clone());
    if args.list {
        let mut out = String::new();
        for p in kb.playbooks() {
            out.push_str(&format!("{:24}  {:3} steps  {}\n", p.id, p.steps.len(), p.title));
        }
        print(&out);
        return exit::OK;
    }
    let Some(playbook) = kb.playbook(&args.playbook).cloned() else {
        let ids: Vec<&str> = kb.playbooks().iter().map(|p| p.id.as_str()).collect();
        eprintln!("bts-doctor recover: no playbook `{}`; use one of: {}", args.playbook, ids.join(", "));
        return exit::USAGE;
    };
    let mut answers = match &args.answers {
        Some(path) => match ScriptedAnswers::read(path) {
            Ok(a) => Some(a),
            Err(message) => {
                eprintln!("bts-doctor recover: {message}");
                return exit::USAGE;
            }
        },
        None => None,
    };
    let scan = if args.logs.is_empty() {
        None
    } else {
        let never = std::sync::atomic::AtomicBool::new(false);
        Some(ScanFacts::from_report(&logs::scan(&args.logs, &matcher, &ScanOptions::default(), None, &never)))
    };
    let needs_sql = playbook.steps.iter().filter_map(|s| s.check.as_deref()).any(|c| {
        kb.check(c).is_some_and(|spec| spec.needs_sql() && !answers.as_ref().is_some_and(|a| a.scripts_check(c)))
    });
    let target = if needs_sql {
        match super::connect::sql_target(args.sql.as_deref(), args.trust_server_certificate) {
            Ok(t) => t,
            Err(message) => {
                eprintln!("bts-doctor recover: {message}");
                return exit::USAGE;
            }
        }
    } else {
        None
    };
    let store = Store::default_location();
    let _walking = match store.as_ref().map(|s| s.lock(&playbook.id)) {
        Some(Err(message)) => {
            eprintln!("bts-doctor recover: {message}");
            return exit::USAGE;
        }
        Some(Ok(lock)) => Some(lock),
        None => None,
    };
    let interactive = answers.is_none() && !args.json;
    // Only a plain interactive run is offered the saved progress; --json output stays pure JSON.
    let wish = if args.restart {
        if let Some(store) = &store {
            let _ = store.clear(&playbook.id);
        }
        ResumeWish::Restart
    } else if args.resume {
        ResumeWish::Resume
    } else if interactive {
        ResumeWish::Offer
    } else {
        ResumeWish::Scripted
    };
    let saved = match &store {
        Some(s) => s.saved(&playbook).map_err(|e| e.to_string()),
        None => Ok(Saved::None),
    };
    let mut start = session::starting_point(&playbook, saved, wish);
    if let Some(offer) = start.offer.take() {
        let at = session::step_title(&playbook, &offer.current).to_string();
        if ask_yes(&format!("Resume `{}` at “{at}” ({} step(s) taken)? [Y/n] ", playbook.id, offer.path.len())) {
            start.progress = offer;
            start.resumed = true;
        }
    }
    if let Some(n) = &start.notice {
        eprintln!("bts-doctor recover: {n}");
    }
    let mut session = Session::new(playbook.clone(), start.progress, scan);
    if interactive {
        print(&format!("{}\n{}\n\n", playbook.title, "=".repeat(playbook.title.chars().count())));
        if let Some(s) = &session.scan {
            print(&scan_summary(s, &kb));
        }
    }
    let mut run_check = |id: &str, context: &CheckContext| run_check(&kb, target.as_ref(), id, context, interactive);
    let mut save = |progress: &Progress| {
        if let Some(store) = &store {
            if let Err(e) = store.save(progress) {
                eprintln!("bts-doctor recover: progress not saved: {e}");
            }
        }
    };
    // Without a person or an answers file, show where things stand; go no further.
    let walked = match (&mut answers, interactive) {
        (Some(a), _) => session::walk(&mut session, &kb, a, &mut run_check, &mut save),
        (None, true) => session::walk(&mut session, &kb, &mut Prompt, &mut run_check, &mut save),
        (None, false) => Ok(()),
    };
    if let Err(e) = walked {
        eprintln!("bts-doctor recover: {e}");
        if matches!(e, crate::guide::machine::GuideError::NoStep(_)) {
            eprintln!("bts-doctor recover: use --restart to start the playbook over");
        }
        return exit::USAGE;
    }
    if args.json || !interactive {
        let doc = document(&kb, &session, start.resumed, start.notice.clone());
        if args.json {
            print_json(&doc);
        } else {
            print(&plain_summary(&doc));
        }
    }
    exit::OK
}

/// The JSON document of where a walk stands.
fn document<'a>(
    kb: &KnowledgeBase,
    session: &'a Session,
    resumed: bool,
    notice: Option<String>,
) -> RecoverDocument<'a> {
    let playbook = &session.playbook;
    let progress = &session.progress;
    let marks = session.taken();
    let waiting = if progress.finished {
        None
    } else {
        let step = session.step().ok();
        let view = step.map(|s| session.view(kb, s));
        session.pending().ok().map(|p| match p {
            Pending::Question { .. } => {
                Waiting { kind: "question", question: step.map(|s| s.title.clone()), affects: None, command: None }
            }
            Pending::Check { .. } => Waiting { kind: "check", question: None, affects: None, command: None },
            Pending::Undecided { question, .. } => {
                Waiting { kind: "undecided", question: Some(question), affects: None, command: None }
            }
            Pending::ConfirmDestructive { affects } => Waiting {
                kind: "confirm-destructive",
                question: None,
                affects: Some(affects),
                command: view.and_then(|v| v.command),
            },
            Pending::Proceed | Pending::Done => {
                Waiting { kind: "proceed", question: None, affects: None, command: None }
            }
        })
    };
    RecoverDocument {
        schema: crate::JSON_SCHEMA,
        playbook: PlaybookRef { id: &playbook.id, title: &playbook.title, hash: playbook.hash() },
        resumed,
        notice,
        scan: session.scan.as_ref(),
        path: progress
            .path
            .iter()
            .zip(marks)
            .map(|(v, m)| {
                let step = playbook.step(&v.step);
                PathItem {
                    step: v.step.clone(),
                    kind: step.map_or(StepKind::Info, |s| s.kind),
                    title: step.map(|s| s.title.clone()).unwrap_or_default(),
                    answer: v.answer.clone(),
                    by: v.by,
                    check: v.check.clone(),
                    mark: m.mark,
                }
            })
            .collect(),
        checks_run: progress.path.iter().filter_map(|v| v.check.as_ref()).collect(),
        current: Some(progress.current.as_str()),
        finished: progress.finished,
        waiting,
        remaining: if progress.finished {
            Vec::new()
        } else {
            machine::remaining(playbook, progress)
                .into_iter()
                .map(|s| StepRef { id: &s.id, kind: s.kind, title: &s.title })
                .collect()
        },
    }
}

/// Runs one live check of the playbook now, with what the session knows (the failure time).
fn run_check(
    kb: &Arc<KnowledgeBase>,
    target: Option<&SqlTarget>,
    id: &str,
    context: &CheckContext,
    shown: bool,
) -> CheckOutcome {
    let Some(spec) = kb.check(id).cloned() else {
        return CheckOutcome::scripted(id, Status::Error);
    };
    if shown {
        print(&format!("  Running check {id}…\n"));
    }
    let options = RunOptions { context: context.clone(), ..RunOptions::default() };
    let job = Job { kb: kb.clone(), specs: vec![spec], target: target.cloned(), options };
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    match runner::run_blocking(job, tx, Default::default()).ok().and_then(|mut r| r.pop()) {
        Some(r) => CheckOutcome::from_result(&r),
        None => {
            let mut o = CheckOutcome::scripted(id, Status::Error);
            o.detail = "the check could not run".into();
            o
        }
    }
}

fn ask_yes(prompt: &str) -> bool {
    print(prompt);
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    !line.trim().eq_ignore_ascii_case("n") && !line.trim().eq_ignore_ascii_case("no")
}

fn scan_summary(scan: &ScanFacts, kb: &KnowledgeBase) -> String {
    let mut out = String::from("From the logs:\n");
    out.push_str(&format!("  failed phase: {}\n", scan.phase.as_deref().unwrap_or("not found")));
    if let Some(text) = &scan.root_cause_text {
        out.push_str(&format!("  root cause:   {}\n", text::wrap(text, 80).join("\n                ")));
    }
    if let Some(issue) = scan.root_cause_issue.as_deref().and_then(|i| kb.get(i)) {
        out.push_str(&format!("  known issue:  {} — {}\n", issue.id, issue.title));
    }
    if let Some(t) = &scan.failure_time {
        out.push_str(&format!("  failed:       {} (from {})\n", t.describe(), t.evidence));
    }
    out.push('\n');
    out
}

/// A person at a plain terminal: steps printed, answers read from standard input.
struct Prompt;

impl Prompt {
    fn read(&self, prompt: &str) -> Option<String> {
        print(prompt);
        let line = read_line()?;
        let line = line.trim().to_string();
        (!line.eq_ignore_ascii_case("q")).then_some(line)
    }
}

impl AnswerSource for Prompt {
    fn choose(&mut self, step: &Step, _answered_before: usize) -> Option<String> {
        for (i, c) in step.choices.iter().enumerate() {
            print(&format!("  {}. {}\n", i + 1, c.label));
        }
        loop {
            let line = self.read("  Choose a number (q to stop, progress is saved): ")?;
            let choice = line
                .parse::<usize>()
                .ok()
                .and_then(|n| step.choices.get(n.wrapping_sub(1)))
                .or_else(|| step.choices.iter().find(|c| c.value.eq_ignore_ascii_case(&line)));
            if let Some(c) = choice {
                return Some(c.value.clone());
            }
            print(&format!("  `{line}` is not one of the choices.\n"));
        }
    }

    fn decide(&mut self, _step: &Step, question: &str, outcome: &CheckOutcome, _before: usize) -> Option<bool> {
        let why = outcome.reason.map_or("it could not tell", |r| r.phrase());
        print(&format!(
            "  The check could not tell ({why}: {}). Answer it yourself:\n  {question}\n",
            text::squash_space(&outcome.detail)
        ));
        loop {
            let line = self.read("  yes or no (q to stop, progress is saved): ")?;
            match line.to_ascii_lowercase().as_str() {
                "y" | "yes" => return Some(true),
                "n" | "no" => return Some(false),
                _ => print("  Please answer yes or no.\n"),
            }
        }
    }

    fn proceed(&mut self, step: &Step) -> bool {
        let what = if step.kind == StepKind::Action { "Press Enter when done" } else { "Press Enter to go on" };
        self.read(&format!("  {what} (q to stop, progress is saved): ")).is_some()
    }

    fn confirm_destructive(&mut self, _step: &Step, affects: &str) -> bool {
        print(&format!("  This changes the servers and cannot be undone: {affects}\n"));
        loop {
            let Some(line) = self.read("  Type DONE once you have done it (q to stop, progress is saved): ") else {
                return false;
            };
            if line == "DONE" {
                return true;
            }
            print("  Nothing is marked done until you type DONE.\n");
        }
    }

    fn told(&mut self, event: Told<'_>) {
        match event {
            Told::Step(view) => print(&describe(view)),
            Told::FromScan(value) => print(&format!("  Answered from the logs: {value}\n")),
            Told::CheckRan(outcome) => {
                let tag = match outcome.outcome() {
                    crate::checks::Outcome::Unknown => "could not tell",
                    _ => outcome.status.as_str(),
                };
                print(&format!("  {tag}: {}\n", text::squash_space(&outcome.detail)));
            }
            Told::Finished(done) => print(&format!("\n■ {}\n{}\n", done.title, text::wrap(&done.text, 88).join("\n"))),
        }
    }
}

/// A step as printed in a plain terminal.
fn describe(view: &StepView) -> String {
    let mut out = format!("\n▶ {}\n", view.title);
    for line in text::wrap(&view.text, 88) {
        out.push_str(&format!("  {line}\n"));
    }
    if let Some(entry) = &view.entry {
        out.push_str(&format!("  Knowledge: {} — {}\n", entry.id, entry.title));
        for (i, fix) in view.entry_fix.iter().enumerate() {
            let line = format!("{}. {}", i + 1, fix.step);
            for (j, l) in text::wrap(&line, 84).iter().enumerate() {
                out.push_str(&format!("    {}{l}\n", if j == 0 { "" } else { "   " }));
            }
            if let Some(command) = &fix.command {
                out.push_str(&format!("       > {command}\n"));
            }
        }
    }
    if let Some(root) = &view.root_cause {
        if let Some(entry) = &root.entry {
            out.push_str(&format!("  The logs' root cause: {} — {}\n", entry.id, entry.title));
        }
        if let Some(first) = &root.first_fix {
            out.push_str(&format!("  First fix step: {first}\n"));
        }
    }
    if let Some(command) = &view.command {
        out.push_str("  Command:\n");
        for line in command.lines() {
            out.push_str(&format!("    {line}\n"));
        }
    }
    if let Some(affects) = &view.destructive {
        out.push_str(&format!("  ⚠ Destructive: {affects}\n"));
    }
    out
}

fn read_line() -> Option<String> {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line),
    }
}

fn plain_summary(doc: &RecoverDocument) -> String {
    let mut out = format!("{}: {} step(s) taken\n", doc.playbook.id, doc.path.len());
    for item in &doc.path {
        let what = match (&item.answer, &item.check) {
            (Some(a), Some(c)) => format!(" → {a} (the check {} could not tell)", c.id),
            (Some(a), _) => format!(" → {a}"),
            (_, Some(c)) => format!(" → {} ({})", c.status.as_str(), c.id),
            _ => String::new(),
        };
        out.push_str(&format!("  {} {}{what}\n", item.mark.symbol(), item.title));
    }
    if doc.finished {
        out.push_str("finished\n");
    } else if let Some(current) = doc.current {
        out.push_str(&format!("waiting at `{current}`\n"));
    }
    out
}
