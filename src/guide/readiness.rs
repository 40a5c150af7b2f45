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

impl Verdict {
    /// The worse of two: a blocker over anything, then not established, then supported.
    pub fn worse(self, other: Verdict) -> Verdict {
        let rank = |v: Verdict| match v {
            Verdict::Blocker => 3,
            Verdict::NotEvaluated | Verdict::Unlisted => 2,
            Verdict::Supported => 1,
        };
        if rank(other) > rank(self) {
            other
        } else {
            self
        }
    }

    /// Whether the dimension was established (supported or blocked) rather than left open.
    pub fn is_known(self) -> bool {
        matches!(self, Verdict::Supported | Verdict::Blocker)
    }
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
    let row = if name == "os" { m.os_row(&fact.value) } else { matrix_sql_row(m, &fact.value) };
    let Some(row) = row else { return unlisted_platform(m, name, label, fact, from) };
    let yes: Vec<&str> = row.upgrade.iter().filter(|(_, ok)| **ok).map(|(v, _)| v.as_str()).collect();
    let matrix = match from {
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
    };
    if name != "sql" || matrix.verdict == Verdict::Blocker {
        return matrix;
    }
    // The matrix allows it: BizTalk Server 2016 must also support the level it is at.
    match target_sql_requirement(m, &fact.value) {
        Some((verdict, why)) if verdict != Verdict::Supported => {
            let detail =
                if matrix.verdict == Verdict::Supported { format!("{}, but {why}", matrix.detail) } else { why };
            dimension(name, Some(fact), verdict.worse(matrix.verdict), detail)
        }
        _ => matrix,
    }
}

/// The guide's SQL Server row for a name: the row itself, or the row of the same release at
/// the highest level not above the one named (`SQL Server 2012 SP3` is read on the `SQL Server
/// 2012 SP1` row, `SQL Server 2014 RTM` on the `SQL Server 2014` row).
fn matrix_sql_row<'a>(m: &'a SupportMatrices, value: &str) -> Option<&'a crate::kb::matrix::PlatformRow> {
    if let Some(row) = m.sql_row(value) {
        return Some(row);
    }
    let id = m.platforms.sql_by_name(value)?;
    let level = id.level.as_deref().unwrap_or("RTM");
    m.sql
        .iter()
        .filter_map(|row| {
            let r = m.platforms.sql_by_name(&row.name)?;
            let row_level = r.level.unwrap_or_else(|| "RTM".into());
            (r.release.name == id.release.name && id.release.level_reaches(level, &row_level))
                .then_some((id.release.levels.iter().position(|l| l.level == row_level), row))
        })
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, row)| row)
}

/// Whether the version upgraded to supports a SQL Server at the level named: supported, a
/// blocker (a level too low, a release it does not support) or not evaluated (the level is not
/// known but matters).
fn target_sql_requirement(m: &SupportMatrices, value: &str) -> Option<(Verdict, String)> {
    let p = &m.platforms;
    let id = p.sql_by_name(value)?;
    let target = p.target.as_str();
    let release = id.release;
    Some(match (release.lowest_supported(target), id.level.as_deref()) {
        (None, _) => (
            Verdict::Blocker,
            format!(
                "BizTalk Server {target} does not support {}: it supports {}",
                release.name,
                supported_sql_list(m, target)
            ),
        ),
        (Some(min), Some(level)) if !release.level_reaches(level, min) => (
            Verdict::Blocker,
            format!("BizTalk Server {target} needs {} {min} or later: apply {min} (or a later service pack) first", release.name),
        ),
        (Some(min), None) if min != "RTM" => (
            Verdict::NotEvaluated,
            format!(
                "BizTalk Server {target} needs {} {min} or later and the service pack is not known: give it (--sql-version \"{} {min}\") or detect it with --sql",
                release.name, release.name
            ),
        ),
        _ => (Verdict::Supported, format!("BizTalk Server {target} supports {value}")),
    })
}

/// `SQL Server 2016, SQL Server 2014 from SP1`.
fn supported_sql_list(m: &SupportMatrices, biztalk: &str) -> String {
    let names: Vec<String> = m
        .platforms
        .sql
        .iter()
        .filter_map(|r| {
            r.lowest_supported(biztalk).map(|l| {
                if l == "RTM" {
                    r.name.clone()
                } else {
                    format!("{} {l} or later", r.name)
                }
            })
        })
        .collect();
    if names.is_empty() {
        "no release this table lists".into()
    } else {
        names.join(" and ")
    }
}

/// A platform the guide's upgrade table does not list: what the requirements say of it.
fn unlisted_platform(
    m: &SupportMatrices,
    name: &'static str,
    label: &str,
    fact: &Fact,
    from: Option<&str>,
) -> Dimension {
    let p = &m.platforms;
    let target = p.target.as_str();
    let found: Option<(String, Vec<String>)> = if name == "sql" {
        p.sql_by_name(&fact.value).map(|id| (id.release.name.clone(), id.release.supported.keys().cloned().collect()))
    } else {
        p.os_by_name(&fact.value).map(|r| (r.name.clone(), r.supported_by.clone()))
    };
    let Some((release_name, by)) = found else {
        let listed: Vec<&str> = (if name == "os" { &m.os } else { &m.sql }).iter().map(|r| r.name.as_str()).collect();
        return dimension(
            name,
            Some(fact),
            Verdict::Unlisted,
            format!("{} is not in the guide's {label} table ({})", fact.value, listed.join(", ")),
        );
    };
    let says = |v: &str| {
        if by.iter().any(|b| b == v) {
            format!("BizTalk Server {v} supports it")
        } else {
            format!("BizTalk Server {v} does not support it")
        }
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(f) = from {
        parts.push(says(f));
    } else {
        for v in p.biztalk_versions.iter().filter(|v| v.as_str() != target) {
            parts.push(says(v));
        }
    }
    parts.push(says(target));
    if !by.iter().any(|b| b == target) {
        let fix = if name == "sql" {
            format!(
                "the databases must be on a release BizTalk Server {target} supports ({})",
                supported_sql_list(m, target)
            )
        } else {
            format!("BizTalk Server {target} needs a supported {label}")
        };
        return dimension(
            name,
            Some(fact),
            Verdict::Blocker,
            format!("{release_name} is not in the guide's upgrade table: {}; {fix}", parts.join(", ")),
        );
    }
    dimension(
        name,
        Some(fact),
        Verdict::Unlisted,
        format!(
            "{release_name} is not in the guide's upgrade table, so the guide does not say an in-place upgrade on it works: {}",
            parts.join(", ")
        ),
    )
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

/// The name of a SQL Server for a `SERVERPROPERTY` version and product level, in the table's
/// terms (`12.0.4100.1`, `SP1` → `SQL Server 2014 SP1`; `13.0.1601.5`, `RTM` → `SQL Server 2016
/// RTM`); a release the table does not know keeps its version.
pub fn sql_name(m: &SupportMatrices, version: &str, level: &str) -> String {
    match m.platforms.sql_by_version(version, level) {
        Some(id) => match id.level {
            Some(level) => format!("{} {level}", id.release.name),
            None => id.release.name.clone(),
        },
        None => format!("SQL Server {version}"),
    }
}

/// The guide's name for a BizTalk product `major.minor` (`3.11` → `2013 R2`); `None` for
/// versions that are not upgraded from (2016 and later say so in their own words).
pub fn biztalk_name(major: i64, minor: i64) -> Result<&'static str, String> {
    match (major, minor) {
        (3, 10) => Ok("2013"),
        (3, 11) => Ok("2013 R2"),
        (3, 12) => Err("the databases already record BizTalk Server 2016".into()),
        (3, 13) => Err(
            "the databases record 3.13, which BizTalk Server 2016 with a Feature Pack and BizTalk Server 2020 share: either way not a 2013 / 2013 R2 group to upgrade".into(),
        ),
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
    best.map(str::to_string)
        .or_else(|| m.platforms.os_by_name(product_name).map(|r| r.name.clone()))
        .unwrap_or_else(|| product_name.trim().to_string())
}

/// How a checklist item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemStatus {
    /// Its check passed.
    Pass,
    /// Its check warned.
    Warn,
    /// Its check failed: a blocker.
    Fail,
    /// Its check was skipped (not run, not applicable here).
    Skipped,
    /// Its check could not run.
    Error,
    /// No check can tell: the user confirms it.
    Confirm,
    /// It has a check, which was not run (`--no-checks`, or not run in this session).
    NotRun,
}

impl ItemStatus {
    /// The status a check result gives its item.
    pub fn of(status: crate::checks::Status) -> Self {
        use crate::checks::Status as S;
        match status {
            S::Pass => ItemStatus::Pass,
            S::Warn => ItemStatus::Warn,
            S::Fail => ItemStatus::Fail,
            S::Skipped => ItemStatus::Skipped,
            S::Error => ItemStatus::Error,
        }
    }

    /// A check ran and could not tell, or did not run.
    pub fn is_unknown(self) -> bool {
        matches!(self, ItemStatus::Skipped | ItemStatus::Error | ItemStatus::NotRun)
    }

    /// The name used in JSON and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Pass => "pass",
            ItemStatus::Warn => "warn",
            ItemStatus::Fail => "fail",
            ItemStatus::Skipped => "skipped",
            ItemStatus::Error => "error",
            ItemStatus::Confirm => "confirm",
            ItemStatus::NotRun => "not-run",
        }
    }
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
    /// The check's status, `confirm` when the user must confirm it, `not-run`.
    pub status: ItemStatus,
    /// What the check saw, or what to confirm.
    pub detail: String,
}

/// The readiness verdict: three-valued, like every outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadinessVerdict {
    /// Everything evaluated, nothing blocks.
    Ready,
    /// A matrix "no", a release or level the target does not support, or a failed check.
    Blocked,
    /// Nothing blocks, but something could not be evaluated (listed in `not_evaluated`).
    Incomplete,
}

impl ReadinessVerdict {
    /// The exit code: 0 ready, 1 blocked, 4 incomplete.
    pub fn exit_code(self) -> u8 {
        match self {
            ReadinessVerdict::Ready => crate::exit::OK,
            ReadinessVerdict::Blocked => crate::exit::FOUND,
            ReadinessVerdict::Incomplete => crate::exit::INCOMPLETE,
        }
    }
}

/// The whole readiness answer (the `readiness --json` document's body).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadinessReport {
    /// True only for the `ready` verdict.
    pub ready: bool,
    /// `ready`, `blocked` or `incomplete`.
    pub verdict: ReadinessVerdict,
    /// What could not be evaluated, one line each (why the verdict is `incomplete`).
    pub not_evaluated: Vec<String>,
    /// Whether the checklist's live checks were asked for.
    pub checks_run: bool,
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
    /// Assembles the report: blocked on a blocker dimension or a failed check; incomplete when
    /// nothing blocks but a dimension, or a check that was asked for, could not be evaluated.
    pub fn new(
        facts: Facts,
        notes: Vec<String>,
        dimensions: Vec<Dimension>,
        checklist: Vec<ChecklistItem>,
        upgrade_order: Vec<String>,
        checks_run: bool,
    ) -> Self {
        let blocked = dimensions.iter().any(|d| d.verdict == Verdict::Blocker)
            || checklist.iter().any(|c| c.status == ItemStatus::Fail);
        let mut not_evaluated: Vec<String> =
            dimensions.iter().filter(|d| !d.verdict.is_known()).map(|d| format!("{}: {}", d.name, d.detail)).collect();
        if checks_run {
            not_evaluated.extend(
                checklist
                    .iter()
                    .filter(|c| c.status.is_unknown())
                    .map(|c| format!("{} ({}): {}", c.title, c.check.as_deref().unwrap_or(""), c.detail)),
            );
        }
        let verdict = if blocked {
            ReadinessVerdict::Blocked
        } else if !not_evaluated.is_empty() {
            ReadinessVerdict::Incomplete
        } else {
            ReadinessVerdict::Ready
        };
        ReadinessReport {
            ready: verdict == ReadinessVerdict::Ready,
            verdict,
            not_evaluated,
            checks_run,
            facts,
            notes,
            dimensions,
            checklist,
            upgrade_order,
        }
    }

    /// Checklist items that only the user can confirm.
    pub fn to_confirm(&self) -> usize {
        self.checklist.iter().filter(|c| c.status == ItemStatus::Confirm).count()
    }
}

/// Where the checklist's check results come from.
#[derive(Debug, Clone)]
pub enum ChecklistChecks {
    /// Run them now, against the target.
    Run,
    /// Results already in hand (the TUI's Checks screen); empty means none were run.
    Given(Vec<crate::checks::CheckResult>),
    /// Not asked for (`--no-checks`).
    Skip,
}

/// The readiness use case every face calls (the `readiness` command, `report`, the TUI's
/// export): detect what was not given, evaluate the matrices, take or run the checklist's
/// checks, and assemble the verdict.
pub async fn assess(
    kb: std::sync::Arc<crate::kb::KnowledgeBase>,
    given: Facts,
    target: Option<&crate::checks::SqlTarget>,
    checks: ChecklistChecks,
) -> Result<ReadinessReport, String> {
    let m = kb.matrices().ok_or("the knowledge base has no support matrices (readiness/support-matrices.yaml)")?;
    let playbook = kb.playbook(PRE_UPGRADE).ok_or(format!("the knowledge base has no `{PRE_UPGRADE}` playbook"))?;
    let mut facts = given;
    let notes = super::detect::detect(target, m, &mut facts).await;
    let dimensions = evaluate(m, &facts);
    let (results, checks_run) = match checks {
        ChecklistChecks::Skip => (Vec::new(), false),
        ChecklistChecks::Given(results) => {
            let any = !results.is_empty();
            (results, any)
        }
        ChecklistChecks::Run => {
            let specs: Vec<_> = playbook
                .steps
                .iter()
                .filter_map(|s| s.check.as_deref())
                .filter_map(|id| kb.check(id).cloned())
                .collect();
            let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
            let job = crate::checks::runner::Job {
                kb: kb.clone(),
                specs,
                target: target.cloned(),
                options: crate::checks::RunOptions::default(),
            };
            (crate::checks::runner::run(job, tx, Default::default()).await, true)
        }
    };
    let checklist = checklist(playbook, &results);
    Ok(ReadinessReport::new(facts, notes, dimensions, checklist, m.upgrade_order.clone(), checks_run))
}

/// The playbook whose main line is the pre-upgrade checklist.
pub const PRE_UPGRADE: &str = "pre-upgrade";

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
                (Some(_), Some(r)) => (ItemStatus::of(r.status), r.detail.clone()),
                (Some(_), None) => (ItemStatus::NotRun, "the check was not run".to_string()),
                (None, _) => (ItemStatus::Confirm, crate::text::squash_space(&step.text)),
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
