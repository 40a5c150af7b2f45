//! `bts-doctor report`: one document for a support ticket or a change record — pasted-error
//! matches, the log scan, live checks, readiness and guided-recovery progress — in Markdown,
//! self-contained HTML or JSON, redacted by default.

use super::{load_matcher, GlobalArgs};
use crate::exit;
use crate::report::collect::{collect, ChecksInput, GuideInput, ReportInputs, ScanPart};
use crate::report::document::now_utc;
use crate::report::pseudonym::Options;
use crate::report::{render, Format};
use clap::Args;
use std::path::PathBuf;

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
    /// Write the report to FILE instead of standard output (`-`: standard output).
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
    /// What is known of the environment, for the readiness part (as `readiness` takes it).
    #[command(flatten)]
    pub facts: super::readiness_cmd::FactsArgs,
}

/// Runs `report`: the report is written whenever it can be; the exit code follows its summary
/// (0 complete, 1 problems, 4 incomplete), 2 on usage or unreadable input.
pub fn run(global: &GlobalArgs, args: ReportArgs) -> u8 {
    let Some(format) = Format::parse(&args.format) else {
        eprintln!("bts-doctor report: unknown --format `{}`; use md, html or json", args.format);
        return exit::USAGE;
    };
    if let Some(missing) = super::missing_path(&args.logs) {
        eprintln!("bts-doctor report: {missing}");
        return exit::USAGE;
    }
    let matcher = match load_matcher(global, &[]) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let facts = match matcher.kb().matrices().map(|m| super::readiness_cmd::given(m, &args.facts)) {
        Some(Ok(f)) => f,
        Some(Err(message)) => {
            eprintln!("bts-doctor report: {message}");
            return exit::USAGE;
        }
        None => Default::default(),
    };
    let paste = match &args.text {
        Some(path) => match read_text(path) {
            Ok(text) => {
                let report = matcher.match_text(&text);
                Some((text, report))
            }
            Err(message) => {
                eprintln!("bts-doctor report: {message}");
                return exit::USAGE;
            }
        },
        None => None,
    };
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
    let inputs = ReportInputs {
        paste,
        scan: if args.logs.is_empty() { ScanPart::None } else { ScanPart::Paths(args.logs.clone()) },
        target: target.clone(),
        checks: if args.no_checks { ChecksInput::None } else { ChecksInput::Run },
        guide: GuideInput::Saved,
        facts,
        generated_at: now_utc(),
        pseudonyms: Options { hosts: args.redact_hosts, users: args.redact_users },
    };
    let data = match runtime.block_on(collect(&matcher, inputs)) {
        Ok(d) => d,
        Err(message) => {
            eprintln!("bts-doctor report: {message}");
            return exit::USAGE;
        }
    };
    if data.scan.as_ref().is_some_and(|s| s.files_read() == 0) {
        eprintln!("bts-doctor report: none of the logs could be read");
        return exit::USAGE;
    }
    let mut text = render(&data, format);
    if let Some(t) = &target {
        text = t.hide(&text);
    }
    let code = data.summary.verdict.exit_code();
    match args.output.as_ref().filter(|p| p.as_os_str() != "-") {
        // Written whole or not at all: the previous report survives a full disk.
        Some(path) => match crate::atomic::write(path, text.as_bytes()) {
            Ok(()) => {
                tracing::info!(path = %path.display(), format = ?format, "report written");
                eprintln!("bts-doctor report: written to {}", path.display());
                code
            }
            Err(e) => {
                eprintln!("bts-doctor report: cannot write {}: {e}", path.display());
                exit::USAGE
            }
        },
        None => {
            super::print(&text);
            code
        }
    }
}

fn read_text(path: &std::path::Path) -> Result<String, String> {
    let bytes = crate::input::read_path(path, crate::input::PASTE_LIMIT).map_err(|e| match e {
        crate::input::InputError::TooLarge { what, .. } => format!(
            "{what} is larger than {}; nothing was matched (scan a whole log with --log)",
            crate::input::size_words(crate::input::PASTE_LIMIT)
        ),
        other => other.to_string(),
    })?;
    let (text, _, _) = encoding_rs::UTF_8.decode(&bytes);
    Ok(text.into_owned())
}
