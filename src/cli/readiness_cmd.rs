//! `bts-doctor readiness`: can this environment be upgraded to BizTalk Server 2016, and what
//! must be done first? The support matrices from flags or detected live, then the pre-upgrade
//! checklist with its live checks, then the multicomputer order.

use super::{load_kb, print, print_json, GlobalArgs};
use crate::exit;
use crate::guide::readiness::{
    self, ChecklistChecks, Fact, Facts, ItemStatus, ReadinessReport, ReadinessVerdict, Verdict,
};
use crate::kb::matrix::SupportMatrices;
use crate::kb::{KnowledgeBase, Sources};
use crate::text;
use clap::Args;
use std::sync::Arc;

/// What is known of the environment, as the guide names it: `readiness` and `report` take the
/// same flags.
#[derive(Debug, Args, Default)]
pub struct FactsArgs {
    /// The BizTalk version upgraded from: 2013 or "2013 R2" (2013R2).
    #[arg(long, value_name = "VER")]
    pub from: Option<String>,
    /// The operating system, as the guide names it ("Windows Server 2012 R2").
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
    /// The SQL Server version with its service pack ("SQL Server 2014 SP1", "SQL Server 2016").
    #[arg(long = "sql-version", value_name = "VER")]
    pub sql_version: Option<String>,
    /// The BizTalk edition upgraded from (Evaluation, Branch, Developer, Standard, Enterprise).
    #[arg(long, value_name = "ED")]
    pub edition: Option<String>,
    /// The BizTalk Server 2016 edition wanted.
    #[arg(long = "to-edition", value_name = "ED")]
    pub to_edition: Option<String>,
}

/// Arguments of `readiness`.
#[derive(Debug, Args)]
pub struct ReadinessArgs {
    /// What is known of the environment.
    #[command(flatten)]
    pub facts: FactsArgs,
    /// ADO.NET connection string of the Management database's SQL Server: detects the SQL and
    /// BizTalk versions and runs the SQL checks of the checklist.
    #[arg(long, value_name = "CONN", env = "BTS_DOCTOR_SQL", hide_env_values = true)]
    pub sql: Option<String>,
    /// Accept the SQL Server's TLS certificate without validating it.
    #[arg(long)]
    pub trust_server_certificate: bool,
    /// Evaluate the matrices only; run no live check.
    #[arg(long)]
    pub no_checks: bool,
    /// Print JSON (schema 1) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs `readiness`: exit 0 ready, 1 blocked, 4 incomplete, 2 usage.
pub fn run(global: &GlobalArgs, args: ReadinessArgs) -> u8 {
    let kb = match load_kb(&Sources::discover(&global.kb, global.no_embedded)) {
        Ok(kb) => Arc::new(kb),
        Err(code) => return code,
    };
    let Some(m) = kb.matrices().cloned() else {
        eprintln!("bts-doctor readiness: the knowledge base has no support matrices (readiness/support-matrices.yaml)");
        return exit::USAGE;
    };
    let facts = match given(&m, &args.facts) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("bts-doctor readiness: {message}");
            return exit::USAGE;
        }
    };
    let target = if args.sql.is_some() || !args.no_checks || cfg!(windows) {
        match super::connect::sql_target(args.sql.as_deref(), args.trust_server_certificate) {
            Ok(t) => t,
            Err(message) => {
                eprintln!("bts-doctor readiness: {message}");
                return exit::USAGE;
            }
        }
    } else {
        None
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bts-doctor readiness: cannot start the runtime: {e}");
            return exit::INTERNAL;
        }
    };
    let checks = if args.no_checks { ChecklistChecks::Skip } else { ChecklistChecks::Run };
    let report = match runtime.block_on(readiness::assess(kb.clone(), facts, target.as_ref(), checks)) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("bts-doctor readiness: {message}");
            return exit::USAGE;
        }
    };
    if args.json {
        print_json(&crate::report::json::readiness_document(&report));
    } else {
        let shown = render(&report, &kb);
        print(&target.as_ref().map_or(shown.clone(), |t| t.hide(&shown)));
    }
    report.verdict.exit_code()
}

/// The values given on the command line, in the guide's names. A release the guide's upgrade
/// table does not list but the requirements table knows (SQL Server 2016, Windows Server 2016)
/// is taken as given and reported as such; only a name neither table knows is a usage error.
pub fn given(m: &SupportMatrices, args: &FactsArgs) -> Result<Facts, String> {
    let list = |names: Vec<&str>| names.join(", ");
    let mut facts = Facts::default();
    if let Some(v) = &args.from {
        let name = m.from_version(v).ok_or_else(|| {
            format!(
                "--from `{v}` is not a version the guide upgrades from; use {}",
                list(m.from_versions.iter().map(String::as_str).collect())
            )
        })?;
        facts.from = Some(Fact::given(name));
    }
    if let Some(v) = &args.os {
        let name = match (m.os_row(v), m.platforms.os_by_name(v)) {
            (Some(row), _) => row.name.clone(),
            (None, Some(release)) => release.name.clone(),
            (None, None) => {
                return Err(format!(
                    "--os `{v}` is not an operating system the tables know; use one of: {}",
                    list(m.platforms.os.iter().map(|r| r.name.as_str()).collect())
                ))
            }
        };
        facts.os = Some(Fact::given(name));
    }
    if let Some(v) = &args.sql_version {
        let name = match (m.sql_row(v), m.platforms.sql_by_name(v)) {
            (_, Some(id)) => match &id.level {
                Some(level) => format!("{} {level}", id.release.name),
                None => id.release.name.clone(),
            },
            (Some(row), None) => row.name.clone(),
            (None, None) => {
                return Err(format!(
                    "--sql-version `{v}` is not a SQL Server release the tables know; use a name such as {} (with SP1, SP2 … or RTM where it matters)",
                    list(m.platforms.sql.iter().map(|r| r.name.as_str()).collect())
                ))
            }
        };
        facts.sql = Some(Fact::given(name));
    }
    for (flag, value, slot) in
        [("--edition", &args.edition, &mut facts.edition), ("--to-edition", &args.to_edition, &mut facts.to_edition)]
    {
        if let Some(v) = value {
            let name = m
                .edition(v)
                .ok_or_else(|| format!("{flag} `{v}` is not an edition; use one of: {}", m.editions.join(", ")))?;
            *slot = Some(Fact::given(name));
        }
    }
    Ok(facts)
}

fn verdict_tag(v: Verdict) -> &'static str {
    match v {
        Verdict::Supported => "OK     ",
        Verdict::Blocker => "BLOCKER",
        Verdict::NotEvaluated => "NOT EVALUATED",
        Verdict::Unlisted => "UNLISTED",
    }
}

/// The verdict line: what was established, and what was not.
pub fn verdict_line(report: &ReadinessReport) -> String {
    let confirm = report.to_confirm();
    let yours = if confirm > 0 { format!("; {confirm} item(s) below are yours to confirm") } else { String::new() };
    match report.verdict {
        ReadinessVerdict::Blocked => "NOT READY: blockers below must be resolved first".to_string(),
        ReadinessVerdict::Incomplete => format!(
            "INCOMPLETE: no blocker found, but {} thing(s) could not be evaluated (listed below){yours}",
            report.not_evaluated.len()
        ),
        ReadinessVerdict::Ready if report.checks_run => {
            format!("READY: every support matrix allows the upgrade and every live check passed{yours}")
        }
        ReadinessVerdict::Ready => {
            format!("READY on the support matrices; the live checks were not run (--no-checks){yours}")
        }
    }
}

/// The report as text.
fn render(report: &ReadinessReport, kb: &KnowledgeBase) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Upgrade readiness for BizTalk Server 2016 — {}\n\nSupport matrices (Upgrade to BizTalk Server 2016)\n",
        verdict_line(report)
    ));
    for d in &report.dimensions {
        let value = d.value.clone().map(|v| format!(" {v}")).unwrap_or_default();
        let source = d.source.map(|s| if s == readiness::Source::Detected { " (detected)" } else { "" }).unwrap_or("");
        out.push_str(&format!("  {} {:<8}{value}{source}\n", verdict_tag(d.verdict), d.name));
        for line in text::wrap(&d.detail, 88) {
            out.push_str(&format!("          {line}\n"));
        }
    }
    for note in &report.notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    out.push_str("\nBefore the upgrade\n");
    for item in &report.checklist {
        let tag = match item.status {
            ItemStatus::Pass => "PASS   ",
            ItemStatus::Warn => "WARN   ",
            ItemStatus::Fail => "FAIL   ",
            ItemStatus::Skipped => "SKIP   ",
            ItemStatus::Error => "ERROR  ",
            ItemStatus::Confirm => "CONFIRM",
            ItemStatus::NotRun => "NOT RUN",
        };
        out.push_str(&format!("  {tag} {}\n", item.title));
        let entry = item
            .issue
            .as_ref()
            .filter(|_| matches!(item.status, ItemStatus::Fail | ItemStatus::Warn | ItemStatus::Error))
            .map(|i| {
                let title = kb.get(i).map(|e| e.title.as_str()).unwrap_or("");
                format!(" → {i}: {title}")
            });
        for line in text::wrap(&format!("{}{}", item.detail, entry.unwrap_or_default()), 86) {
            out.push_str(&format!("          {line}\n"));
        }
    }
    if !report.not_evaluated.is_empty() {
        out.push_str("\nNot evaluated (why the verdict is incomplete)\n");
        for line in &report.not_evaluated {
            for (i, l) in text::wrap(line, 86).iter().enumerate() {
                out.push_str(&format!("  {}{l}\n", if i == 0 { "- " } else { "  " }));
            }
        }
    }
    out.push_str("\nUpgrade the computers of the group one at a time, in this order:\n");
    for (i, role) in report.upgrade_order.iter().enumerate() {
        out.push_str(&format!("  {}. {role}\n", i + 1));
    }
    out
}
