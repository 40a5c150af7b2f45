//! `bts-doctor readiness`: can this environment be upgraded to BizTalk Server 2016, and what
//! must be done first? The support matrices from flags or detected live, then the pre-upgrade
//! checklist with its live checks, then the multicomputer order.

use super::{load_kb, print, print_json, GlobalArgs};
use crate::checks::runner::{self, Job, RunOptions};
use crate::exit;
use crate::guide::readiness::{self, Fact, Facts, ReadinessReport, Verdict};
use crate::kb::matrix::SupportMatrices;
use crate::kb::{KnowledgeBase, Sources};
use crate::report::text;
use clap::Args;
use std::sync::Arc;

/// The playbook whose main line is the pre-upgrade checklist.
pub const PRE_UPGRADE: &str = "pre-upgrade";

/// Arguments of `readiness`.
#[derive(Debug, Args)]
pub struct ReadinessArgs {
    /// The BizTalk version upgraded from: 2013 or "2013 R2" (2013R2).
    #[arg(long, value_name = "VER")]
    pub from: Option<String>,
    /// The operating system, as the guide names it ("Windows Server 2012 R2").
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
    /// The SQL Server version, as the guide names it ("SQL Server 2014", "SQL Server 2012 SP1").
    #[arg(long = "sql-version", value_name = "VER")]
    pub sql_version: Option<String>,
    /// The BizTalk edition upgraded from (Evaluation, Branch, Developer, Standard, Enterprise).
    #[arg(long, value_name = "ED")]
    pub edition: Option<String>,
    /// The BizTalk Server 2016 edition wanted.
    #[arg(long = "to-edition", value_name = "ED")]
    pub to_edition: Option<String>,
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

/// Runs `readiness`: exit 0 ready, 1 blockers, 2 usage.
pub fn run(global: &GlobalArgs, args: ReadinessArgs) -> u8 {
    let kb = match load_kb(&Sources::discover(&global.kb, global.no_embedded)) {
        Ok(kb) => Arc::new(kb),
        Err(code) => return code,
    };
    let Some(m) = kb.matrices().cloned() else {
        eprintln!("bts-doctor readiness: the knowledge base has no support matrices (readiness/support-matrices.yaml)");
        return exit::USAGE;
    };
    let mut facts = match given(&m, &args) {
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
    let notes = runtime.block_on(crate::guide::detect::detect(target.as_ref(), &m, &mut facts));
    let dimensions = readiness::evaluate(&m, &facts);
    let Some(playbook) = kb.playbook(PRE_UPGRADE).cloned() else {
        eprintln!("bts-doctor readiness: the knowledge base has no `{PRE_UPGRADE}` playbook");
        return exit::USAGE;
    };
    let results = if args.no_checks {
        Vec::new()
    } else {
        let specs: Vec<_> =
            playbook.steps.iter().filter_map(|s| s.check.as_deref()).filter_map(|id| kb.check(id).cloned()).collect();
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let job = Job { kb: kb.clone(), specs, target: target.clone(), options: RunOptions::default() };
        runtime.block_on(runner::run(job, tx, Default::default()))
    };
    let checklist = readiness::checklist(&playbook, &results);
    let report = ReadinessReport::new(facts, notes, dimensions, checklist, m.upgrade_order.clone());
    if args.json {
        print_json(&crate::report::json::readiness_document(&report));
    } else {
        let shown = render(&report, &kb);
        print(&target.as_ref().map_or(shown.clone(), |t| t.hide(&shown)));
    }
    if report.ready {
        exit::OK
    } else {
        exit::FOUND
    }
}

/// The values given on the command line, in the guide's names; an unknown name is a usage error
/// that lists the names the guide uses.
fn given(m: &SupportMatrices, args: &ReadinessArgs) -> Result<Facts, String> {
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
        let row = m.os_row(v).ok_or_else(|| {
            format!(
                "--os `{v}` is not in the guide's table; use one of: {}",
                list(m.os.iter().map(|r| r.name.as_str()).collect())
            )
        })?;
        facts.os = Some(Fact::given(row.name.clone()));
    }
    if let Some(v) = &args.sql_version {
        let row = m.sql_row(v).ok_or_else(|| {
            format!(
                "--sql-version `{v}` is not in the guide's table; use one of: {}",
                list(m.sql.iter().map(|r| r.name.as_str()).collect())
            )
        })?;
        facts.sql = Some(Fact::given(row.name.clone()));
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

/// The report as text.
fn render(report: &ReadinessReport, kb: &KnowledgeBase) -> String {
    let mut out = String::new();
    let verdict =
        if report.ready { "READY: no blocker found" } else { "NOT READY: blockers below must be resolved first" };
    out.push_str(&format!(
        "Upgrade readiness for BizTalk Server 2016 — {verdict}\n\nSupport matrices (Upgrade to BizTalk Server 2016)\n"
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
        let tag = match item.status.as_str() {
            "pass" => "PASS   ",
            "warn" => "WARN   ",
            "fail" => "FAIL   ",
            "skipped" => "SKIP   ",
            "error" => "ERROR  ",
            "confirm" => "CONFIRM",
            _ => "NOT RUN",
        };
        out.push_str(&format!("  {tag} {}\n", item.title));
        let detail = if item.detail.is_empty() { String::new() } else { item.detail.clone() };
        let entry =
            item.issue.as_ref().filter(|_| matches!(item.status.as_str(), "fail" | "warn" | "error")).map(|i| {
                let title = kb.get(i).map(|e| e.title.as_str()).unwrap_or("");
                format!(" → {i}: {title}")
            });
        for line in text::wrap(&format!("{detail}{}", entry.unwrap_or_default()), 86) {
            out.push_str(&format!("          {line}\n"));
        }
    }
    out.push_str("\nUpgrade the computers of the group one at a time, in this order:\n");
    for (i, role) in report.upgrade_order.iter().enumerate() {
        out.push_str(&format!("  {}. {role}\n", i + 1));
    }
    out
}
