//! Readiness: the upgrade guide's support matrices evaluated exactly for an environment, from
//! values given on the command line or detected live. A dimension nobody gave or detected is
//! "not evaluated", never a blocker.

use crate::kb::matrix::SupportMatrices;
use serde::Serialize;

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// A command-line flag.
    Given,
    /// Read from SQL Server or this computer.
    Detected,
}

/// One known fact about the environment, in the guide's own names where it has one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fact {
    /// The value (`2013 R2`, `Windows Server 2012 R2`, `SQL Server 2014`, `Developer`).
    pub value: String,
    /// Given or detected.
    pub source: Source,
}

impl Fact {
    /// A value from a flag.
    pub fn given(value: impl Into<String>) -> Self {
        Fact { value: value.into(), source: Source::Given }
    }

    /// A value read live.
    pub fn detected(value: impl Into<String>) -> Self {
        Fact { value: value.into(), source: Source::Detected }
    }
}

/// What is known about the environment to upgrade.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Facts {
    /// The BizTalk version upgraded from (`2013 R2`, `2013`).
    pub from: Option<Fact>,
    /// The operating system.
    pub os: Option<Fact>,
    /// The SQL Server version.
    pub sql: Option<Fact>,
    /// The BizTalk edition upgraded from.
    pub edition: Option<Fact>,
    /// The BizTalk Server 2016 edition wanted.
    pub to_edition: Option<Fact>,
}

/// How one dimension came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The guide says yes.
    Supported,
    /// The guide says no: the environment must be recreated (or the edition changed).
    Blocker,
    /// Not enough was given or detected to decide.
    NotEvaluated,
    /// Detected, but the guide's table does not list it.
    Unlisted,
}

/// One evaluated dimension.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dimension {
    /// `from`, `os`, `sql` or `edition`.
    pub name: &'static str,
    /// The value evaluated, when known.
    pub value: Option<String>,
    /// Given or detected.
    pub source: Option<Source>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in words.
    pub detail: String,
}

/// Evaluates every dimension. Values must already be the guide's names where the guide has
/// them (the CLI refuses a name it does not know; a detected value it does not list is
/// `unlisted`).
pub fn evaluate(m: &SupportMatrices, facts: &Facts) -> Vec<Dimension> {
    let from = facts.from.as_ref().and_then(|f| m.from_version(&f.value).map(str::to_string));
    let mut out = vec![from_dimension(m, facts, from.as_deref())];
    for (name, label, fact) in [("os", "operating system", &facts.os), ("sql", "SQL Server", &facts.sql)] {
        out.push(platform_dimension(m, name, label, fact.as_ref(), from.as_deref()));
    }
    out.push(edition_dimension(m, facts));
    out
}

fn dimension(name: &'static str, fact: Option<&Fact>, verdict: Verdict, detail: String) -> Dimension {
    Dimension { name, value: fact.map(|f| f.value.clone()), source: fact.map(|f| f.source), verdict, detail }
}

fn from_dimension(m: &SupportMatrices, facts: &Facts, from: Option<&str>) -> Dimension {
    let fact = facts.from.as_ref();
    let Some(fact) = fact else {
        return dimension(
            "from",
            None,
            Verdict::NotEvaluated,
            "the BizTalk version upgraded from is not known (give --from or --sql)".into(),
        );
    };
    let Some(from) = from else {
        return dimension(
            "from",
            Some(fact),
            Verdict::Unlisted,
            format!("{} is not a version the guide upgrades from ({})", fact.value, m.from_versions.join(", ")),
        );
    };
    let anywhere = m.os.iter().chain(&m.sql).any(|row| row.upgrade.get(from).copied().unwrap_or(false));
    if anywhere {
        dimension(
            "from",
            Some(fact),
            Verdict::Supported,
            format!("BizTalk Server {from} can be upgraded where the platform allows it"),
        )
    } else {
        dimension(
            "from",
            Some(fact),
            Verdict::Blocker,
            format!("BizTalk Server {from} cannot be upgraded on any listed platform: recreate the environment on a supported platform"),
        )
    }
}

fn platform_dimension(
    m: &SupportMatrices,
    name: &'static str,
    label: &str,
    fact: Option<&Fact>,
    from: Option<&str>,
) -> Dimension {
    let Some(fact) = fact else {
        return dimension(name, None, Verdict::NotEvaluated, format!("the {label} is not known"));
    };
    let rows = if name == "os" { &m.os } else { &m.sql };
    let row = if name == "os" { m.os_row(&fact.value) } else { m.sql_row(&fact.value) };
    let Some(row) = row else {
        let listed: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        return dimension(
            name,
            Some(fact),
            Verdict::Unlisted,
            format!("{} is not in the guide's {label} table ({})", fact.value, listed.join(", ")),
        );
    };
    let yes: Vec<&str> = row.upgrade.iter().filter(|(_, ok)| **ok).map(|(v, _)| v.as_str()).collect();
    match from {
        Some(from) if row.upgrade.get(from).copied().unwrap_or(false) => dimension(
            name,
            Some(fact),
            Verdict::Supported,
            format!("BizTalk Server {from} on {} can be upgraded", row.name),
        ),
        Some(from) => dimension(
            name,
            Some(fact),
            Verdict::Blocker,
            format!(
                "BizTalk Server {from} on {} cannot be upgraded: recreate the environment on a supported {label}",
                row.name
            ),
        ),
        None if yes.is_empty() => dimension(
            name,
            Some(fact),
            Verdict::Blocker,
            format!(
                "no BizTalk version on {} can be upgraded: recreate the environment on a supported {label}",
                row.name
            ),
        ),
        None => dimension(
            name,
            Some(fact),
            Verdict::NotEvaluated,
            format!(
                "{} allows the upgrade from BizTalk Server {} only; give --from to decide",
                row.name,
                yes.join(", ")
            ),
        ),
    }
}

fn edition_dimension(m: &SupportMatrices, facts: &Facts) -> Dimension {
    let from = facts.edition.as_ref();
    let to = facts.to_edition.as_ref();
    let Some(from_fact) = from else {
        let detail = if to.is_some() {
            "the edition upgraded from is not known (give --edition)"
        } else {
            "the editions are not known"
        };
        return dimension("edition", None, Verdict::NotEvaluated, detail.into());
    };
    let Some(from_name) = m.edition(&from_fact.value) else {
        return dimension(
            "edition",
            Some(from_fact),
            Verdict::Unlisted,
            format!("{} is not an edition the guide lists", from_fact.value),
        );
    };
    let allowed = m.edition_paths.get(from_name).cloned().unwrap_or_default();
    let Some(to_fact) = to else {
        return dimension(
            "edition",
            Some(from_fact),
            Verdict::NotEvaluated,
            format!(
                "{from_name} can be upgraded to BizTalk Server 2016 {} only; give --to-edition to decide",
                allowed.join(" or ")
            ),
        );
    };
    let to_name = m.edition(&to_fact.value).unwrap_or(to_fact.value.as_str());
    let mut d = dimension("edition", Some(from_fact), Verdict::Supported, String::new());
    d.value = Some(format!("{from_name} → {to_name}"));
    if allowed.iter().any(|a| a == to_name) {
        d.detail = format!("{from_name} can be upgraded to {to_name}");
    } else {
        d.verdict = Verdict::Blocker;
        d.detail = format!("{from_name} cannot be upgraded to {to_name}; it can be upgraded to {} only (otherwise recreate the environment)", allowed.join(" or "));
    }
    d
}

/// The guide's SQL Server row name for a `SERVERPROPERTY` version and product level, when the
/// version is one the tables could list (`12.0.4100.1`, `SP1` → `SQL Server 2014`).
pub fn sql_name(version: &str, level: &str) -> String {
    let parts = crate::kb::check_spec::parse_version(version).unwrap_or_default();
    let level = level.trim().to_ascii_uppercase();
    let sp = if level.starts_with("SP") { format!(" {level}") } else { String::new() };
    match (parts.first().copied(), parts.get(1).copied()) {
        (Some(12), _) => "SQL Server 2014".into(),
        (Some(11), _) => format!("SQL Server 2012{sp}"),
        (Some(10), Some(50)) => format!("SQL Server 2008 R2{sp}"),
        (Some(13), _) => format!("SQL Server 2016{sp}"),
        (Some(14), _) => "SQL Server 2017".into(),
        (Some(15), _) => "SQL Server 2019".into(),
        (Some(16), _) => "SQL Server 2022".into(),
        _ => format!("SQL Server {version}"),
    }
}

/// The guide's name for a BizTalk product `major.minor` (`3.11` → `2013 R2`); `None` for
/// versions that are not upgraded from (2016 and later say so in their own words).
pub fn biztalk_name(major: i64, minor: i64) -> Result<&'static str, String> {
    match (major, minor) {
        (3, 10) => Ok("2013"),
        (3, 11) => Ok("2013 R2"),
        (3, 12) | (3, 13) => Err("the databases already record BizTalk Server 2016".into()),
        _ => Err(format!("the databases record BizTalk {major}.{minor}, which this upgrade does not start from")),
    }
}

/// The guide's operating-system name for a Windows `ProductName` (`Windows Server 2012 R2
/// Standard` → `Windows Server 2012 R2`).
pub fn os_name(product_name: &str, m: &SupportMatrices) -> String {
    let mut best: Option<&str> = None;
    let folded = crate::kb::matrix::fold(product_name);
    for row in &m.os {
        let name = crate::kb::matrix::fold(&row.name);
        if folded.starts_with(&name) && best.is_none_or(|b| crate::kb::matrix::fold(b).len() < name.len()) {
            best = Some(&row.name);
        }
    }
    best.map_or_else(|| product_name.trim().to_string(), str::to_string)
}

/// One item of the pre-upgrade checklist: confirmed by its live check, or by the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistItem {
    /// The playbook step.
    pub step: String,
    /// What must hold.
    pub title: String,
    /// The knowledge entry behind it.
    pub issue: Option<String>,
    /// The live check that confirms it, when one exists.
    pub check: Option<String>,
    /// The check's status, or `confirm` when the user must confirm it.
    pub status: String,
    /// What the check saw, or what to confirm.
    pub detail: String,
}

/// The whole readiness answer (the `readiness --json` document's body).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadinessReport {
    /// No blocker: neither a matrix "no" nor a failed check.
    pub ready: bool,
    /// What was known, given or detected.
    pub facts: Facts,
    /// What could not be detected, and why.
    pub notes: Vec<String>,
    /// The matrices, evaluated.
    pub dimensions: Vec<Dimension>,
    /// The pre-upgrade checklist.
    pub checklist: Vec<ChecklistItem>,
    /// The multicomputer order.
    pub upgrade_order: Vec<String>,
}

impl ReadinessReport {
    /// Assembles the report; ready means no blocker dimension and no failed check.
    pub fn new(
        facts: Facts,
        notes: Vec<String>,
        dimensions: Vec<Dimension>,
        checklist: Vec<ChecklistItem>,
        upgrade_order: Vec<String>,
    ) -> Self {
        let ready =
            !dimensions.iter().any(|d| d.verdict == Verdict::Blocker) && !checklist.iter().any(|c| c.status == "fail");
        ReadinessReport { ready, facts, notes, dimensions, checklist, upgrade_order }
    }
}

/// The checklist of a playbook: its main line (pass branches, `next`, first choices) from the
/// start, leaving out the steps that only a failure leads to. Each item carries the result of
/// its check from `results`, or `confirm`.
pub fn checklist(
    playbook: &crate::kb::playbook::Playbook,
    results: &[crate::checks::CheckResult],
) -> Vec<ChecklistItem> {
    use crate::kb::playbook::StepKind;
    let mut items = Vec::new();
    let mut seen = Vec::new();
    let mut at = playbook.step(&playbook.start);
    while let Some(step) = at {
        if seen.contains(&step.id) {
            break;
        }
        seen.push(step.id.clone());
        if step.kind != StepKind::Done {
            let result = step.check.as_ref().and_then(|c| results.iter().find(|r| &r.id == c));
            let (status, detail) = match (&step.check, result) {
                (Some(_), Some(r)) => (r.status.as_str().to_string(), r.detail.clone()),
                (Some(_), None) => ("not-run".to_string(), "the check was not run".to_string()),
                (None, _) => ("confirm".to_string(), crate::report::text::squash_space(&step.text)),
            };
            items.push(ChecklistItem {
                step: step.id.clone(),
                title: step.title.clone(),
                issue: step.issue.clone(),
                check: step.check.clone(),
                status,
                detail,
            });
        }
        let next = match step.kind {
            StepKind::Check => step.pass.as_deref(),
            StepKind::Question => step.choices.first().map(|c| c.next.as_str()),
            _ => step.next.as_deref(),
        };
        at = next.and_then(|n| playbook.step(n));
    }
    items
}
