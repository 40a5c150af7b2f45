//! `bts-doctor recover`: walk a playbook (recovery from a failed upgrade by default) as prompts
//! in a plain terminal, or replay scripted answers (`--answers FILE --json`) for automation.
//! The phase comes from scanned logs when given; progress is saved after every step.

use super::{load_matcher, print, print_json, GlobalArgs};
use crate::checks::runner::{self, Job, RunOptions};
use crate::checks::{SqlTarget, Status};
use crate::exit;
use crate::guide::machine::{self, AnsweredBy, CheckOutcome, Input, Progress};
use crate::guide::store::{Saved, Store};
use crate::kb::playbook::{Playbook, Step, StepKind};
use crate::kb::KnowledgeBase;
use crate::logs::{self, ScanOptions};
use crate::report::text;
use clap::Args;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

/// How often one step may come back in a run before it is taken for an endless loop.
const MAX_VISITS: usize = 25;

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

/// A scripted run.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answers {
    /// Question step id → choice value, or a list of values for a question met again.
    #[serde(default)]
    answers: BTreeMap<String, OneOrMany>,
    /// Check id → the status to assume instead of running it.
    #[serde(default)]
    checks: BTreeMap<String, Status>,
}

/// One answer, or one per visit of the step.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The answer for the `visit`-th time the step is met (0-based); `None` once used up.
    fn nth(&self, visit: usize) -> Option<&str> {
        match self {
            OneOrMany::One(v) if visit == 0 => Some(v),
            OneOrMany::One(_) => None,
            OneOrMany::Many(list) => list.get(visit).map(String::as_str),
        }
    }
}

/// What the scanned logs said.
#[derive(Debug, Clone, Default, Serialize)]
struct ScanFacts {
    /// The failed phase (`install`, ...), when one was found.
    phase: Option<String>,
    /// The root cause's knowledge entry, when one matched.
    root_cause_issue: Option<String>,
    /// The root-cause line.
    root_cause_text: Option<String>,
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
    let answers = match &args.answers {
        Some(path) => match read_answers(path) {
            Ok(a) => Some(a),
            Err(message) => {
                eprintln!("bts-doctor recover: {message}");
                return exit::USAGE;
            }
        },
        None => None,
    };
    let scan = if args.logs.is_empty() { None } else { Some(scan_logs(&args.logs, &matcher)) };
    let needs_sql = playbook.steps.iter().filter_map(|s| s.check.as_deref()).any(|c| {
        kb.check(c).is_some_and(|spec| spec.needs_sql() && !answers.as_ref().is_some_and(|a| a.checks.contains_key(c)))
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
    // Only a plain interactive run asks whether to resume; --json output stays pure JSON.
    let (mut progress, resumed, notice) =
        starting_point(&playbook, store.as_ref(), &args, answers.is_some() || args.json);
    if let Some(n) = &notice {
        eprintln!("bts-doctor recover: {n}");
    }
    let interactive = answers.is_none();
    let mut walk = Walk {
        kb: &kb,
        playbook: &playbook,
        target,
        scan: scan.as_ref(),
        answers: answers.as_ref(),
        store: store.as_ref(),
    };
    if interactive && !args.json {
        print(&format!("{}\n{}\n\n", playbook.title, "=".repeat(playbook.title.chars().count())));
        if let Some(s) = &scan {
            print(&scan_summary(s, &kb));
        }
    }
    let outcome = walk.run(&mut progress, interactive && !args.json);
    if let Err(message) = outcome {
        eprintln!("bts-doctor recover: {message}");
        return exit::USAGE;
    }
    if args.json || !interactive {
        let checks: Vec<&CheckOutcome> = progress.path.iter().filter_map(|v| v.check.as_ref()).collect();
        let doc = RecoverDocument {
            schema: crate::JSON_SCHEMA,
            playbook: PlaybookRef { id: &playbook.id, title: &playbook.title, hash: playbook.hash() },
            resumed,
            notice,
            scan: scan.as_ref(),
            path: progress
                .path
                .iter()
                .map(|v| {
                    let step = playbook.step(&v.step);
                    PathItem {
                        step: v.step.clone(),
                        kind: step.map_or(StepKind::Info, |s| s.kind),
                        title: step.map(|s| s.title.clone()).unwrap_or_default(),
                        answer: v.answer.clone(),
                        by: v.by,
                        check: v.check.clone(),
                    }
                })
                .collect(),
            checks_run: checks,
            current: Some(progress.current.as_str()),
            finished: progress.finished,
            remaining: if progress.finished {
                Vec::new()
            } else {
                machine::remaining(&playbook, &progress)
                    .into_iter()
                    .map(|s| StepRef { id: &s.id, kind: s.kind, title: &s.title })
                    .collect()
            },
        };
        if args.json {
            print_json(&doc);
        } else {
            print(&plain_summary(&doc));
        }
    }
    exit::OK
}

fn read_answers(path: &PathBuf) -> Result<Answers, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the answers file {}: {e}", path.display()))?;
    serde_saphyr::from_str(&text).map_err(|e| {
        let at = e.location().map(|l| format!(":{}:{}", l.line(), l.column())).unwrap_or_default();
        format!("{}{at}: {}", path.display(), e.without_snippet().to_string().lines().next().unwrap_or(""))
    })
}

/// Saved progress to resume, or a fresh start; a notice when saved progress was set aside.
fn starting_point(
    playbook: &Playbook,
    store: Option<&Store>,
    args: &RecoverArgs,
    scripted: bool,
) -> (Progress, bool, Option<String>) {
    let fresh = machine::start(playbook);
    let Some(store) = store else { return (fresh, false, None) };
    if args.restart {
        let _ = store.clear(&playbook.id);
        return (fresh, false, None);
    }
    match store.saved(playbook) {
        Ok(Saved::Resume(p))
            if args.resume
                || (!scripted && ask_yes(&format!("Resume `{}` at step `{}`? [Y/n] ", playbook.id, p.current))) =>
        {
            (p, true, None)
        }
        Ok(Saved::Changed(p)) => (
            fresh,
            false,
            Some(format!(
                "the playbook `{}` changed since progress was saved at step `{}`; starting over",
                playbook.id, p.current
            )),
        ),
        Ok(Saved::Resume(p)) if scripted => (
            fresh,
            false,
            Some(format!(
                "saved progress of `{}` at step `{}` is replaced by this run (use --resume to continue it)",
                playbook.id, p.current
            )),
        ),
        Ok(_) if args.resume => {
            (fresh, false, Some(format!("no saved progress for `{}`; starting at the beginning", playbook.id)))
        }
        Err(e) => (fresh, false, Some(format!("saved progress could not be read ({e}); starting over"))),
        Ok(_) => (fresh, false, None),
    }
}

fn ask_yes(prompt: &str) -> bool {
    print(prompt);
    let mut line = String::new();
    let _ = std::io::stdin().lock().read_line(&mut line);
    !line.trim().eq_ignore_ascii_case("n") && !line.trim().eq_ignore_ascii_case("no")
}

/// Scans the logs for the failed phase and the root cause.
fn scan_logs(paths: &[PathBuf], matcher: &crate::matcher::Matcher) -> ScanFacts {
    let report = logs::scan(paths, matcher, &ScanOptions::default(), None, &std::sync::atomic::AtomicBool::new(false));
    let phase = Some(report.phase.name().to_string()).filter(|p| p != "none");
    ScanFacts {
        phase,
        root_cause_issue: report.root_cause.as_ref().and_then(|r| r.issue_id.clone()),
        root_cause_text: report.root_cause.as_ref().map(|r| crate::report::redact::secrets(&r.text).into_owned()),
    }
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
    out.push('\n');
    out
}

/// One walk through a playbook.
struct Walk<'a> {
    kb: &'a Arc<KnowledgeBase>,
    playbook: &'a Playbook,
    target: Option<SqlTarget>,
    scan: Option<&'a ScanFacts>,
    answers: Option<&'a Answers>,
    store: Option<&'a Store>,
}

impl Walk<'_> {
    /// Advances until the playbook is done, an answer is missing (scripted) or the user stops.
    fn run(&mut self, progress: &mut Progress, prompt: bool) -> Result<(), String> {
        while !progress.finished {
            let step = machine::current(self.playbook, progress).map_err(|e| e.to_string())?.clone();
            // Without a person or an answers file, show where things stand; go no further.
            if !prompt && self.answers.is_none() {
                break;
            }
            let visits = progress.path.iter().filter(|v| v.step == step.id).count();
            if visits >= MAX_VISITS {
                return Err(format!(
                    "step `{}` came back {visits} times; the scripted answers loop (give a list that leaves the loop)",
                    step.id
                ));
            }
            if prompt {
                print(&self.describe(&step));
            }
            let input = match step.kind {
                StepKind::Question => match self.answer(&step, prompt, progress)? {
                    Some(input) => input,
                    None => break,
                },
                StepKind::Check => Input::Check(self.check(&step, prompt)),
                StepKind::Info | StepKind::Action => {
                    if prompt && !self.confirm(&step) {
                        break;
                    }
                    Input::Continue
                }
                StepKind::Done => break,
            };
            tracing::info!(playbook = %self.playbook.id, step = %step.id, input = ?input, "playbook step");
            machine::advance(self.playbook, progress, input).map_err(|e| e.to_string())?;
            if let Some(store) = self.store {
                if let Err(e) = store.save(progress) {
                    eprintln!("bts-doctor recover: progress not saved: {e}");
                }
            }
        }
        if prompt && progress.finished {
            if let Ok(done) = machine::current(self.playbook, progress) {
                print(&format!("\n✓ {}\n{}\n", done.title, text::wrap(&done.text, 88).join("\n")));
            }
        }
        Ok(())
    }

    fn describe(&self, step: &Step) -> String {
        let mut out = format!("\n▶ {}\n", step.title);
        for line in text::wrap(&step.text, 88) {
            out.push_str(&format!("  {line}\n"));
        }
        if let Some(entry) = step.issue.as_deref().and_then(|i| self.kb.get(i)) {
            out.push_str(&format!("  Knowledge: {} — {}\n", entry.id, entry.title));
            if step.kind == StepKind::Action && step.command.is_none() {
                for (i, fix) in entry.fix.iter().enumerate() {
                    let line = format!("{}. {}", i + 1, text::squash_space(&fix.step));
                    for (j, l) in text::wrap(&line, 84).iter().enumerate() {
                        out.push_str(&format!("    {}{l}\n", if j == 0 { "" } else { "   " }));
                    }
                    if let Some(command) = &fix.command {
                        out.push_str(&format!("       > {command}\n"));
                    }
                }
            }
        }
        if step.id == "fix-cause" || step.id == "prerequisites-fix" {
            if let Some(entry) = self.scan.and_then(|s| s.root_cause_issue.as_deref()).and_then(|i| self.kb.get(i)) {
                out.push_str(&format!("  The logs' root cause: {} — {}\n", entry.id, entry.title));
                if let Some(first) = entry.fix.first() {
                    out.push_str(&format!("  First fix step: {}\n", text::squash_space(&first.step)));
                }
            }
        }
        if let Some(command) = &step.command {
            out.push_str(&format!("  Command:\n    {command}\n"));
        }
        out
    }

    /// A question's answer: from the logs (the first time it is asked), the answers file or the
    /// prompt; `None` to stop.
    fn answer(&self, step: &Step, prompt: bool, progress: &Progress) -> Result<Option<Input>, String> {
        let visits = progress.path.iter().filter(|v| v.step == step.id).count();
        let scanned = machine::scan_answer(step, self.scan.and_then(|s| s.phase.as_deref()));
        if let Some(value) = scanned.clone().filter(|_| visits == 0) {
            if prompt {
                print(&format!("  Answered from the logs: {value}\n"));
            }
            return Ok(Some(Input::Choice(value, AnsweredBy::Scan)));
        }
        if let Some(answers) = self.answers {
            // The n-th answer is for the n-th time the user (not the logs) answers this step.
            let used = progress.path.iter().filter(|v| v.step == step.id && v.by == AnsweredBy::User).count();
            return Ok(answers
                .answers
                .get(&step.id)
                .and_then(|v| v.nth(used))
                .map(|v| Input::Choice(v.to_string(), AnsweredBy::User)));
        }
        if !prompt {
            return Ok(None);
        }
        for (i, c) in step.choices.iter().enumerate() {
            print(&format!("  {}. {}\n", i + 1, c.label));
        }
        loop {
            print("  Choose a number (q to stop, progress is saved): ");
            let Some(line) = read_line() else { return Ok(None) };
            let line = line.trim();
            if line.eq_ignore_ascii_case("q") {
                return Ok(None);
            }
            let choice = line
                .parse::<usize>()
                .ok()
                .and_then(|n| step.choices.get(n.wrapping_sub(1)))
                .or_else(|| step.choices.iter().find(|c| c.value.eq_ignore_ascii_case(line)));
            if let Some(c) = choice {
                return Ok(Some(Input::Choice(c.value.clone(), AnsweredBy::User)));
            }
            print(&format!("  `{line}` is not one of the choices.\n"));
        }
    }

    /// A check step's outcome: scripted, or the live check run now.
    fn check(&self, step: &Step, prompt: bool) -> CheckOutcome {
        let id = step.check.clone().unwrap_or_default();
        if let Some(status) = self.answers.and_then(|a| a.checks.get(&id)) {
            return CheckOutcome { id, status: *status, detail: "scripted by the answers file".into() };
        }
        let Some(spec) = self.kb.check(&id).cloned() else {
            return CheckOutcome { id, status: Status::Error, detail: "no such check".into() };
        };
        if prompt {
            print(&format!("  Running check {id}…\n"));
        }
        let job =
            Job { kb: self.kb.clone(), specs: vec![spec], target: self.target.clone(), options: RunOptions::default() };
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let result = runner::run_blocking(job, tx, Default::default()).ok().and_then(|mut r| r.pop());
        let outcome = match result {
            Some(r) => CheckOutcome { id, status: r.status, detail: r.detail },
            None => CheckOutcome { id, status: Status::Error, detail: "the check could not run".into() },
        };
        if prompt {
            let shown = self.target.as_ref().map_or(outcome.detail.clone(), |t| t.hide(&outcome.detail));
            print(&format!("  {}: {}\n", outcome.status.as_str(), shown));
        }
        outcome
    }

    /// Waits for Enter after an info or action step; `false` when the user stops.
    fn confirm(&self, step: &Step) -> bool {
        let what = if step.kind == StepKind::Action { "Press Enter when done" } else { "Press Enter to go on" };
        print(&format!("  {what} (q to stop, progress is saved): "));
        read_line().is_some_and(|l| !l.trim().eq_ignore_ascii_case("q"))
    }
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
            (Some(a), _) => format!(" → {a}"),
            (_, Some(c)) => format!(" → {} ({})", c.status.as_str(), c.id),
            _ => String::new(),
        };
        out.push_str(&format!("  {}{what}\n", item.title));
    }
    if doc.finished {
        out.push_str("finished\n");
    } else if let Some(current) = doc.current {
        out.push_str(&format!("waiting at `{current}`\n"));
    }
    out
}
