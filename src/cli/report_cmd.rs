//! `bts-doctor report`: one document for a support ticket or a change record — pasted-error
//! matches, the log scan, live checks, readiness and guided-recovery progress — in Markdown,
//! self-contained HTML or JSON, redacted by default.

use super::{load_matcher, GlobalArgs};
use crate::checks::runner::{self, Job, RunOptions};
use crate::exit;
use crate::guide::readiness::{self, Facts, ReadinessReport};
use crate::guide::store::Store;
use crate::logs::{self, ScanOptions};
use crate::report::document::{now_utc, ChecksPart, GuidePart, ReportData};
use crate::report::json;
use crate::report::pseudonym::Options;
use crate::report::{render, Format};
use clap::Args;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Setup, configuration, MSI or event logs (files or folders) to scan; repeatable.
    #[arg(long = "log", value_name = "PATH")]
    pub logs: Vec<PathBuf>,
    /// ADO.NET connection string for the SQL checks and readiness detection.
    #[arg(long, value_name = "CONN", env = "BTS_DOCTOR_SQL", hide_env_values = true)]
    pub sql: Option<String>,
    /// A file holding a pasted error to match (`-` reads standard input).
    #[arg(long, value_name = "FILE")]
    pub text: Option<PathBuf>,
    /// The format: md, html or json.
    #[arg(long, value_name = "FORMAT")]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Replace machine names with stable pseudonyms (HOST-1, HOST-2, ...).
    #[arg(long)]
    pub redact_hosts: bool,
    /// Replace account names with stable pseudonyms (USER-1, USER-2, ...).
    #[arg(long)]
    pub redact_users: bool,
    /// Leave out the live checks and the readiness checklist's checks.
    #[arg(long)]
    pub no_checks: bool,
    /// Accept the SQL Server's TLS certificate without validating it.
    #[arg(long)]
    pub trust_server_certificate: bool,
}

/// Runs `report`: exit 0 when written, 2 on usage or unreadable input.
pub fn run(global: &GlobalArgs, args: ReportArgs) -> u8 {
    let Some(format) = Format::parse(&args.format) else {
        eprintln!("bts-doctor report: unknown --format `{}`; use md, html or json", args.format);
        return exit::USAGE;
    };
    let matcher = match load_matcher(global, &[]) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let kb = Arc::new(matcher.kb().clone());
    let options = Options { hosts: args.redact_hosts, users: args.redact_users };
    let mut data = ReportData::new(&kb, now_utc(), options);

    if let Some(path) = &args.text {
        let text = match read_text(path) {
            Ok(t) => t,
            Err(message) => {
                eprintln!("bts-doctor report: {message}");
                return exit::USAGE;
            }
        };
        let report = matcher.match_text(&text);
        data.matches = Some(json::match_document(&matcher, &text, &report, 5));
    }
    if !args.logs.is_empty() {
        let report =
            logs::scan(&args.logs, &matcher, &ScanOptions::default(), None, &std::sync::atomic::AtomicBool::new(false));
        if report.files_read() == 0 {
            eprintln!("bts-doctor report: none of the logs could be read");
            return exit::USAGE;
        }
        data.scan = Some(report);
    }
    let target = match super::connect::sql_target(args.sql.as_deref(), args.trust_server_certificate) {
        Ok(t) => t,
        Err(message) => {
            eprintln!("bts-doctor report: {message}");
            return exit::USAGE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bts-doctor report: cannot start the runtime: {e}");
            return exit::INTERNAL;
        }
    };
    let results = if args.no_checks {
        Vec::new()
    } else {
        let mut specs = kb.checks().to_vec();
        runner::display_order(&mut specs);
        let job = Job { kb: kb.clone(), specs, target: target.clone(), options: RunOptions::default() };
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let results = runtime.block_on(runner::run(job, tx, Default::default()));
        data.checks = Some(ChecksPart { sql: target.clone(), results: results.clone() });
        results
    };
    if let (Some(m), Some(book)) = (kb.matrices(), kb.playbook(super::readiness_cmd::PRE_UPGRADE)) {
        let mut facts = Facts::default();
        let notes = runtime.block_on(crate::guide::detect::detect(target.as_ref(), m, &mut facts));
        let dimensions = readiness::evaluate(m, &facts);
        let checklist = readiness::checklist(book, &results);
        data.readiness = Some(ReadinessReport::new(facts, notes, dimensions, checklist, m.upgrade_order.clone()));
    }
    if let Some(store) = Store::default_location() {
        for book in kb.playbooks() {
            if let Ok(Some(progress)) = store.load(&book.id) {
                data.guide.extend(GuidePart::from_progress(&kb, &progress));
            }
        }
    }
    let mut text = render(&data, format);
    if let Some(t) = &target {
        text = t.hide(&text);
    }
    match &args.output {
        Some(path) => match std::fs::write(path, &text) {
            Ok(()) => {
                tracing::info!(path = %path.display(), format = ?format, "report written");
                eprintln!("bts-doctor report: written to {}", path.display());
                exit::OK
            }
            Err(e) => {
                eprintln!("bts-doctor report: cannot write {}: {e}", path.display());
                exit::USAGE
            }
        },
        None => {
            super::print(&text);
            exit::OK
        }
    }
}

fn read_text(path: &PathBuf) -> Result<String, String> {
    let bytes = if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
        buf
    } else {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
    };
    let (text, _, _) = encoding_rs::UTF_8.decode(&bytes);
    Ok(text.into_owned())
}
