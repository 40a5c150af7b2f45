//! `bts-doctor compare A.json B.json ...`: lines up the server facts of several servers'
//! reports and lists what differs where it must not. Reading and printing live here; the rule
//! is `report::compare`.

use super::{print, print_json, GlobalArgs};
use crate::exit;
use crate::report::compare::{self, Comparison, Input, Status};
use clap::Args;
use std::path::PathBuf;

/// Most bytes of one report read.
const REPORT_LIMIT: u64 = 64 * 1024 * 1024;

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Two or more reports made with `bts-doctor report --format json -o FILE`, one per server.
    #[arg(value_name = "REPORT.json", num_args = 1..)]
    pub reports: Vec<PathBuf>,
    /// Print JSON (schema 1) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `compare`: exit 0 when every fact holds on every server, 1 when one differs, 4 when
/// none differs but some could not be told, 2 for fewer than two reports or one that is not a
/// readable bts-doctor report (nothing is compared then).
pub fn run(_global: &GlobalArgs, args: CompareArgs) -> u8 {
    if args.reports.len() < 2 {
        eprintln!("bts-doctor compare: give two or more reports (one per server), made with `bts-doctor report --format json -o FILE`");
        return exit::USAGE;
    }
    let mut inputs = Vec::new();
    for path in &args.reports {
        match read(path) {
            Ok(input) => inputs.push(input),
            Err(message) => {
                eprintln!("bts-doctor compare: {message}");
                return exit::USAGE;
            }
        }
    }
    let comparison = compare::compare(&inputs);
    if args.json {
        print_json(&comparison);
    } else {
        print(&text(&comparison));
    }
    match comparison.verdict {
        Status::Ok => exit::OK,
        Status::Differs => exit::FOUND,
        Status::Unknown => exit::INCOMPLETE,
    }
}

fn read(path: &std::path::Path) -> Result<Input, String> {
    let shown = path.display().to_string();
    let bytes = crate::input::read_path(path, REPORT_LIMIT).map_err(|e| e.to_string())?;
    let tree: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{shown} is not JSON ({e}); give a report made with --format json"))?;
    compare::check_report(&tree).map_err(|why| format!("{shown}: {why}"))?;
    Ok(Input { file: shown, tree })
}

/// The comparison as text: one line per fact, differences first, then the verdict.
fn text(c: &Comparison) -> String {
    let mut out = String::new();
    let servers: Vec<String> = c.servers.iter().map(|s| format!("{} ({})", s.host, s.file)).collect();
    out.push_str(&format!("Comparing {} servers: {}\n\n", c.servers.len(), servers.join(", ")));
    for status in [Status::Differs, Status::Unknown, Status::Ok] {
        for fact in c.facts.iter().filter(|f| f.status == status) {
            out.push_str(&format!("{:<8} {}: {}\n", status.as_str().to_uppercase(), fact.title, fact.reason));
            if status == Status::Unknown {
                for v in fact.values.iter().filter(|v| v.value.is_none()) {
                    out.push_str(&format!(
                        "         {}: {}\n",
                        v.host,
                        v.unknown_reason.as_deref().unwrap_or("not read")
                    ));
                }
            }
        }
    }
    for note in &c.notes {
        out.push_str(&format!("\nnote: {note}\n"));
    }
    let count = |s: Status| c.facts.iter().filter(|f| f.status == s).count();
    out.push_str(&format!(
        "\n{} differ, {} unknown, {} ok: {}\n",
        count(Status::Differs),
        count(Status::Unknown),
        count(Status::Ok),
        match c.verdict {
            Status::Differs => "these servers disagree where the upgrade needs them to agree",
            Status::Unknown => "nothing differs, but not everything could be told",
            Status::Ok => "every fact holds on every server",
        }
    ));
    out
}
