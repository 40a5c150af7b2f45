//! The command line: clap definitions and one small `run` per subcommand. This is the only
//! place (besides the TUI) that prints.

mod check_cmd;
mod compare_cmd;
mod connect;
mod explain_cmd;
mod kb_cmd;
mod logging;
mod match_cmd;
mod readiness_cmd;
mod recover_cmd;
mod report_cmd;
mod scan_cmd;
mod text;

use crate::exit;
use crate::kb::{KnowledgeBase, LoadError, Sources};
use crate::matcher::Matcher;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Offline assistant for upgrading BizTalk Server 2013 / 2013 R2 to 2016: paste an error, get
/// the fix.
#[derive(Debug, Parser)]
#[command(name = "bts-doctor", version, about, long_about = None, subcommand_precedence_over_arg = true)]
pub struct Cli {
    /// Options every subcommand understands.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The subcommand; none opens the terminal UI.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Logs or folders to scan in the terminal UI as it opens.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// Options every subcommand understands.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Add a knowledge overlay directory (entries with a known id replace it); repeatable.
    /// Also read from BTS_DOCTOR_KB and the platform config directory.
    #[arg(long = "kb", value_name = "DIR", global = true)]
    pub kb: Vec<PathBuf>,
    /// Leave out the knowledge embedded in the binary (use only overlays).
    #[arg(long, global = true)]
    pub no_embedded: bool,
    /// Write a log of what the tool does to FILE (secrets masked); also BTS_DOCTOR_LOG.
    #[arg(long, value_name = "FILE", global = true, env = "BTS_DOCTOR_LOG")]
    pub log_file: Option<PathBuf>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Match an error text (argument, or standard input) against the known issues.
    Match(match_cmd::MatchArgs),
    /// Explain a code: an HRESULT, event id, MSI or SQL error number, or symbolic name.
    Explain(explain_cmd::ExplainArgs),
    /// Scan setup, configuration, MSI and event logs for the root cause and every known issue.
    Scan(scan_cmd::ScanArgs),
    /// Run the read-only live checks against SQL Server and this computer.
    Check(check_cmd::CheckArgs),
    /// Can this environment be upgraded to BizTalk Server 2016, and what must be done first?
    Readiness(readiness_cmd::ReadinessArgs),
    /// Walk a playbook: recovery from a failed upgrade (default), pre-upgrade or post-upgrade.
    Recover(recover_cmd::RecoverArgs),
    /// One report for a ticket or change record: matches, scan, checks, readiness, progress.
    Report(report_cmd::ReportArgs),
    /// Compare the JSON reports of several servers of one group: what differs where it must not.
    Compare(compare_cmd::CompareArgs),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    Completions {
        /// The shell.
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), generated from these same definitions.
    Man,
    /// Inspect and check the knowledge base.
    #[command(subcommand)]
    Kb(kb_cmd::KbCommand),
}

/// The version line: the tool's version and the embedded knowledge base's.
pub fn version_text() -> String {
    match KnowledgeBase::embedded() {
        Ok(kb) => format!(
            "{} (knowledge base {}: {} entries, {} checks, {} playbooks)",
            env!("CARGO_PKG_VERSION"),
            kb.fingerprint(),
            kb.entries().len(),
            kb.checks().len(),
            kb.playbooks().len()
        ),
        Err(_) => format!("{} (the embedded knowledge base does not load)", env!("CARGO_PKG_VERSION")),
    }
}

/// Parses the command line, runs the subcommand, and turns any panic into exit code 3.
pub fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    // The knowledge base is loaded for the version line only when it is asked for.
    let wants_version = std::env::args().skip(1).any(|a| a == "--version" || a == "-V");
    let cli = if wants_version {
        let matches = Cli::command().version(version_text()).get_matches();
        Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
    } else {
        Cli::parse()
    };
    if let Some(path) = &cli.global.log_file {
        if let Err(message) = logging::start(path) {
            eprintln!("bts-doctor: {message}");
            return ExitCode::from(exit::USAGE);
        }
        tracing::info!(version = env!("CARGO_PKG_VERSION"), args = ?redacted_args(), "bts-doctor started");
    }
    quiet_worker_panics();
    let outcome = std::panic::catch_unwind(|| run(cli));
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(_) => {
            eprintln!("bts-doctor: internal error (this is a bug); please report it with the command you ran");
            ExitCode::from(exit::INTERNAL)
        }
    }
}

/// Runs one parsed command line and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Some(Command::Match(args)) => match_cmd::run(&cli.global, args),
        Some(Command::Kb(cmd)) => kb_cmd::run(&cli.global, cmd),
        Some(Command::Explain(args)) => explain_cmd::run(&cli.global, args),
        Some(Command::Scan(args)) => scan_cmd::run(&cli.global, args),
        Some(Command::Check(args)) => check_cmd::run(&cli.global, args),
        Some(Command::Readiness(args)) => readiness_cmd::run(&cli.global, args),
        Some(Command::Recover(args)) => recover_cmd::run(&cli.global, args),
        Some(Command::Report(args)) => report_cmd::run(&cli.global, args),
        Some(Command::Compare(args)) => compare_cmd::run(&cli.global, args),
        Some(Command::Completions { shell }) => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "bts-doctor", &mut out);
            print(&String::from_utf8_lossy(&out));
            exit::OK
        }
        Some(Command::Man) => {
            use clap::CommandFactory;
            let mut out = Vec::new();
            match clap_mangen::Man::new(Cli::command()).render(&mut out) {
                Ok(()) => {
                    print(&String::from_utf8_lossy(&out));
                    exit::OK
                }
                Err(e) => {
                    eprintln!("bts-doctor man: {e}");
                    exit::INTERNAL
                }
            }
        }
        None => run_tui(&cli.global, cli.paths),
    }
}

/// The subcommands by name, for "did you mean".
fn subcommand_names() -> Vec<String> {
    use clap::CommandFactory;
    Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect()
}

/// Letters to change, add or drop to turn `a` into `b` (Levenshtein).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Why the TUI's paths cannot be opened: a path that does not exist, and, for a bare word close
/// to a subcommand, the command that was probably meant.
pub fn path_problem(paths: &[PathBuf]) -> Option<String> {
    let missing = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err())?;
    let word = missing.to_string_lossy();
    let bare = !word.contains(['/', '\\', '.', ':']);
    let near = subcommand_names()
        .into_iter()
        .map(|name| (edit_distance(&word.to_ascii_lowercase(), &name), name))
        .filter(|(d, name)| *d <= 2.max(name.len() / 3))
        .min();
    Some(match near {
        Some((_, name)) if bare => format!("no such file or command `{word}`; did you mean `{name}`?"),
        _ if bare => format!("no such file or command `{word}` (see `bts-doctor --help`)"),
        _ => format!("no such file or folder: {word}"),
    })
}

/// Opens the terminal UI (the main job); without a terminal, says how to use the subcommands.
/// A path that does not exist is refused before the screen is drawn.
fn run_tui(global: &GlobalArgs, paths: Vec<PathBuf>) -> u8 {
    use std::io::IsTerminal;
    if let Some(problem) = path_problem(&paths) {
        eprintln!("bts-doctor: {problem}");
        return exit::USAGE;
    }
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        eprintln!(
            "bts-doctor: the terminal UI needs a terminal; for scripts use a subcommand (see `bts-doctor --help`)"
        );
        return exit::USAGE;
    }
    with_matcher(global, &[], |matcher| match crate::tui::run(matcher.clone(), paths) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("bts-doctor: the terminal UI stopped: {e}");
            exit::INTERNAL
        }
    })
}

/// Loads the knowledge base named by the global options and compiles it; on failure prints
/// every problem to stderr and returns the exit code to use.
fn load_matcher(global: &GlobalArgs, extra_dirs: &[PathBuf]) -> Result<Matcher, u8> {
    let mut dirs = global.kb.clone();
    dirs.extend(extra_dirs.iter().cloned());
    let kb = load_kb(&Sources::discover(&dirs, global.no_embedded))?;
    Matcher::new(kb).map_err(|e| {
        eprintln!("bts-doctor: {e}");
        exit::USAGE
    })
}

fn load_kb(sources: &Sources) -> Result<KnowledgeBase, u8> {
    sources.load().map_err(|e: LoadError| {
        eprint!("bts-doctor: {e}");
        exit::USAGE
    })
}

/// Loads the matcher and runs `f` with it, or returns the load failure's exit code.
fn with_matcher(global: &GlobalArgs, extra_dirs: &[PathBuf], f: impl FnOnce(&Matcher) -> u8) -> u8 {
    match load_matcher(global, extra_dirs) {
        Ok(matcher) => f(&matcher),
        Err(code) => code,
    }
}

/// A probe that panics on a runner thread becomes an `error` result; its panic message must not
/// also be printed over the command's output. Panics elsewhere are reported as before.
fn quiet_worker_panics() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("tokio-runtime-worker") {
            tracing::error!("a probe panicked: {info}");
        } else {
            previous(info);
        }
    }));
}

/// The command line with secrets masked, for the log.
fn redacted_args() -> Vec<String> {
    std::env::args().skip(1).map(|a| crate::report::redact::secrets(&a).into_owned()).collect()
}

/// The first of `paths` that does not exist, as a message ("no such file or folder: …"): every
/// command refuses a missing path before it reads anything.
fn missing_path(paths: &[PathBuf]) -> Option<String> {
    paths
        .iter()
        .find(|p| p.as_os_str() != "-" && std::fs::symlink_metadata(p).is_err())
        .map(|p| format!("no such file or folder: {}", p.display()))
}

/// Prints a JSON document with every string passed through redaction.
fn print_json<T: serde::Serialize>(value: &T) {
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = crate::report::redact::json_to(value, std::io::BufWriter::new(std::io::stdout().lock()));
}

/// The message for `--json` and `--jsonl` given together.
const JSON_AND_JSONL: &str =
    "--json and --jsonl cannot be used together: --json prints one document, --jsonl one object per line";

/// Prints JSON Lines (each already masked, compact JSON) through [`print`], one per line.
fn print_lines(lines: &[String]) {
    print(&lines.iter().map(|l| format!("{l}\n")).collect::<String>());
}

/// Prints to stdout, ignoring a closed pipe (`| head`). Everything printed passes here: secrets
/// are masked and control characters (an escape sequence in a log line or a file name could
/// retitle or repaint the terminal) are shown escaped, so no caller can forget either.
fn print(text: &str) {
    let masked = crate::report::redact::secrets(text);
    let safe = crate::text::printable(&masked);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(safe.as_bytes());
    let _ = out.flush();
}
