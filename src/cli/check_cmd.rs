//! `bts-doctor check`: run the read-only live checks against SQL Server and this machine and
//! say, for each, pass / warn / fail / skipped / error with the knowledge entry that explains it.

use super::{load_kb, print, print_json, GlobalArgs};
use crate::checks::result::unknown_reasons;
use crate::checks::runner::{self, Job, RunEvent, RunOptions};
use crate::checks::sql::SqlTarget;
use crate::checks::{CheckResult, Completeness, Status, Summary};
use crate::exit;
use crate::kb::{CheckSpec, KnowledgeBase, Sources};
use crate::report::{json, jsonl, redact};
use crate::text;
use clap::Args;
use std::sync::Arc;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// ADO.NET connection string of the BizTalk Management database's SQL Server, e.g.
    /// "Server=SQL01;Database=BizTalkMgmtDb;User ID=bts" (password from BTS_DOCTOR_SQL_PASSWORD or
    /// a hidden prompt). On a configured BizTalk server it defaults to the registry's MgmtDBServer.
    #[arg(long, value_name = "CONN", env = "BTS_DOCTOR_SQL", hide_env_values = true)]
    pub sql: Option<String>,
    /// Run only this check; repeatable (see --list for the ids).
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
    /// Print JSON (schema 1) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print JSON Lines instead: one object per check result, with host name and time, in
    /// Elastic Common Schema field names (for collecting from many servers).
    #[arg(long)]
    pub jsonl: bool,
    /// Accept the SQL Server's TLS certificate without validating it (self-signed certificates).
    #[arg(long)]
    pub trust_server_certificate: bool,
    /// Checks run at once.
    #[arg(long, value_name = "N", default_value_t = runner::DEFAULT_CONCURRENCY)]
    pub jobs: usize,
    /// List the checks and what each confirms, without running them.
    #[arg(long)]
    pub list: bool,
}

/// Runs `check`: exit 0 when every check ran and passed, 1 on any failure or warning, 4 when
/// nothing failed but a check could not tell (skipped, not applicable, error), 2 on a usage or
/// knowledge-base error.
pub fn run(global: &GlobalArgs, args: CheckArgs) -> u8 {
    if args.json && args.jsonl {
        eprintln!("bts-doctor check: {}", super::JSON_AND_JSONL);
        return exit::USAGE;
    }
    let kb = match load_kb(&Sources::discover(&global.kb, global.no_embedded)) {
        Ok(kb) => Arc::new(kb),
        Err(code) => return code,
    };
    let specs = match select(&kb, &args.only) {
        Ok(specs) => specs,
        Err(message) => {
            eprintln!("bts-doctor check: {message}");
            return exit::USAGE;
        }
    };
    if args.list {
        print(&list(&specs));
        return exit::OK;
    }
    let target = match target(&args, &specs) {
        Ok(t) => t,
        Err(message) => {
            eprintln!("bts-doctor check: {message}");
            return exit::USAGE;
        }
    };
    let (events, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let streaming = !args.json && !args.jsonl;
    let shown = target.clone();
    let printer = std::thread::spawn(move || {
        let mut lines = 0;
        while let Some(event) = receiver.blocking_recv() {
            if let (RunEvent::Finished(result), true) = (event, streaming) {
                print(&hide(shown.as_ref(), &result_text(&result)));
                lines += 1;
            }
        }
        lines
    });
    if streaming {
        print(&format!("{}\n\n", heading(target.as_ref())));
    }
    let options = RunOptions { concurrency: args.jobs.max(1), ..RunOptions::default() };
    let job = Job { kb, specs, target: target.clone(), options };
    let outcome = runner::run_blocking(job, events, Default::default());
    let _ = printer.join();
    let results = match outcome {
        Ok(results) => results,
        Err(message) => {
            eprintln!("bts-doctor check: {message}");
            return exit::INTERNAL;
        }
    };
    let summary = Summary::of(&results);
    if args.json {
        print_json(&json::check_document(target.as_ref(), &results));
    } else if args.jsonl {
        let lines = jsonl::check_lines(&jsonl::Origin::here_now(), &results);
        let lines: Vec<String> = lines.iter().map(|l| hide(target.as_ref(), l)).collect();
        super::print_lines(&lines);
    } else {
        print(&format!("\n{}\n", summary_text(&summary, &results)));
    }
    summary.completeness().exit_code()
}

/// The specs to run: all, or those `--only` names (an unknown id is a usage error).
fn select(kb: &KnowledgeBase, only: &[String]) -> Result<Vec<CheckSpec>, String> {
    if only.is_empty() {
        let mut all: Vec<CheckSpec> = kb.checks().iter().filter(|c| !c.is_guide_only()).cloned().collect();
        runner::display_order(&mut all);
        return Ok(all);
    }
    let mut specs = Vec::new();
    for id in only {
        match kb.check(id) {
            Some(spec) if !specs.iter().any(|s: &CheckSpec| s.id == spec.id) => specs.push(spec.clone()),
            Some(_) => {}
            None => {
                let near: Vec<&str> = kb
                    .checks()
                    .iter()
                    .map(|c| c.id.as_str())
                    .filter(|c| c.contains(id.as_str()) || id.split('-').any(|w| w.len() > 2 && c.contains(w)))
                    .take(5)
                    .collect();
                let hint =
                    if near.is_empty() { String::new() } else { format!(" (did you mean {}?)", near.join(", ")) };
                return Err(format!("no check `{id}`{hint}; `bts-doctor check --list` lists them"));
            }
        }
    }
    Ok(specs)
}

/// The SQL Server to check, when a chosen check needs one.
fn target(args: &CheckArgs, specs: &[CheckSpec]) -> Result<Option<SqlTarget>, String> {
    if !specs.iter().any(CheckSpec::needs_sql) {
        return Ok(None);
    }
    super::connect::sql_target(args.sql.as_deref(), args.trust_server_certificate)
}

/// Masks the target's password and anything secret-looking.
fn hide(target: Option<&SqlTarget>, text: &str) -> String {
    match target {
        Some(t) => t.hide(text),
        None => redact::secrets(text).into_owned(),
    }
}

fn heading(target: Option<&SqlTarget>) -> String {
    let sql = target.map_or("no SQL connection (give --sql to run the SQL checks)".to_string(), |t| {
        format!("SQL Server {}", t.describe())
    });
    format!("bts-doctor check on {}: {sql}", crate::kb::check_spec::current_os_name())
}

/// Tag shown before a result.
pub fn status_tag(status: Status) -> &'static str {
    match status {
        Status::Pass => "PASS ",
        Status::Warn => "WARN ",
        Status::Fail => "FAIL ",
        Status::Skipped => "SKIP ",
        Status::Error => "ERROR",
    }
}

/// One result as text: tag, id and title, then the detail and, when not passed, the entry and
/// fix step.
fn result_text(result: &CheckResult) -> String {
    let mut out = format!("{} {}  {}\n", status_tag(result.status), result.id, result.title);
    for line in text::wrap(&result.detail, 92) {
        out.push_str(&format!("      {line}\n"));
    }
    if matches!(result.status, Status::Warn | Status::Fail | Status::Error) {
        if let Some(issue) = &result.issue_id {
            let fix = result.fix.as_deref().map(|f| format!(": {f}")).unwrap_or_default();
            for (i, line) in text::wrap(&format!("see {issue}{fix}"), 90).iter().enumerate() {
                out.push_str(&format!("      {}{line}\n", if i == 0 { "→ " } else { "  " }));
            }
        }
    }
    out
}

/// The closing lines: `N passed, N failed, N warned, N not run`, then what stopped the checks
/// that could not tell, so "not run" is never read as "fine".
fn summary_text(summary: &Summary, results: &[CheckResult]) -> String {
    let mut out = format!("{} checks: {}", results.len(), summary.line());
    let reasons = unknown_reasons(results);
    if !reasons.is_empty() {
        let parts: Vec<String> = reasons.iter().map(|(why, n)| format!("{why} ({n})")).collect();
        out.push_str(&format!("\nnot run or could not tell: {}", parts.join("; ")));
    }
    match summary.completeness() {
        Completeness::Complete => out.push_str("\nEverything was checked and nothing failed."),
        Completeness::Incomplete => {
            out.push_str("\nNothing failed, but not everything could be checked (exit code 4).")
        }
        Completeness::Problems => {}
    }
    out
}

/// `check --list`.
fn list(specs: &[CheckSpec]) -> String {
    let width = specs.iter().map(|s| s.id.len()).max().unwrap_or(10);
    let mut out = String::new();
    for s in specs {
        let sql = if s.needs_sql() { "sql" } else { "local" };
        out.push_str(&format!("{:width$}  {sql:5}  {:8}  {}\n", s.id, s.severity.to_string(), s.title));
    }
    out.push_str(&format!("\n{} checks\n", specs.len()));
    out
}
