//! The upgrade guide's three support matrices (operating system, SQL Server, edition) as data:
//! `knowledge/readiness/support-matrices.yaml`, embedded and overridable like the rest.

use super::model::Origin;
use super::problem::Problem;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// The matrices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupportMatrices {
    /// Always `support-matrices` (an overlay replaces the file by this id).
    pub id: String,
    /// The versions upgraded from, as the guide's columns name them (`2013 R2`, `2013`).
    pub from_versions: Vec<String>,
    /// Operating systems: can a BizTalk version on it be upgraded?
    pub os: Vec<PlatformRow>,
    /// SQL Server versions: can a BizTalk version using it be upgraded?
    pub sql: Vec<PlatformRow>,
    /// Edition names, in the guide's order.
    pub editions: Vec<String>,
    /// From each edition, the BizTalk Server 2016 editions it can be upgraded to.
    pub edition_paths: BTreeMap<String, Vec<String>>,
    /// The order computers of a group are upgraded in, one at a time.
    pub upgrade_order: Vec<String>,
    /// What each BizTalk version supports (the hardware and software requirements pages):
    /// the one table of SQL Server and Windows facts readiness and the checks use.
    pub platforms: Platforms,
    /// Where the facts come from.
    pub references: Vec<String>,
    /// Where it was loaded from.
    pub origin: Origin,
}

/// SQL Server and Windows releases and which BizTalk versions support them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Platforms {
    /// The BizTalk versions the table speaks of (`2013`, `2013 R2`, `2016`).
    pub biztalk_versions: Vec<String>,
    /// The version upgraded to.
    pub target: String,
    /// SQL Server releases.
    pub sql: Vec<SqlRelease>,
    /// Windows releases.
    pub os: Vec<OsRelease>,
    /// The databases of a BizTalk group, in the order a restore brings them back.
    #[serde(default)]
    pub databases: Vec<GroupDatabase>,
}

/// One SQL Server release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SqlRelease {
    /// `SQL Server 2014`.
    pub name: String,
    /// `SERVERPROPERTY('ProductVersion')` major (12) and, where two releases share it, minor.
    pub major: u32,
    /// The minor version, when it tells releases apart (10.50 is 2008 R2).
    #[serde(default)]
    pub minor: Option<u32>,
    /// Each level (`RTM`, `SP1`, …) and its first build (`12.0.4100`), lowest first.
    pub levels: Vec<ReleaseLevel>,
    /// Per BizTalk version: the lowest level it supports (absent: not supported).
    #[serde(default)]
    pub supported: BTreeMap<String, String>,
}

/// A service-pack level and its build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseLevel {
    /// `RTM`, `SP1`, ...
    pub level: String,
    /// The first build of the level (`major.minor.build`).
    pub build: String,
}

/// One Windows release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OsRelease {
    /// `Windows Server 2012 R2`, as the requirements pages name it.
    pub name: String,
    /// Other spellings.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The BizTalk versions that support it.
    pub supported_by: Vec<String>,
}

/// A database of the group: its default name and what a restore does with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDatabase {
    /// The default name (`BizTalkMgmtDb`).
    pub name: String,
    /// What it holds, in a few words.
    pub role: String,
    /// `mark`: backed up by the Backup BizTalk Server job and restored to its mark;
    /// `older-than-bam-primary`: a BAM database restored from a backup older than the BAM
    /// Primary Import one; `sql-server`: master and msdb, not part of the mark.
    pub restore: RestoreRule,
    /// Only some groups have it (a feature configured).
    #[serde(default)]
    pub optional: bool,
}

/// How a restore treats one database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestoreRule {
    /// Full, then log backups up to the Backup BizTalk Server job's mark.
    Mark,
    /// A BAM database outside the job: restored from a backup older than BAM Primary Import's.
    OlderThanBamPrimary,
    /// A SQL Server system database: backed up before the upgrade, not restored to the mark.
    SqlServer,
}

/// What a SQL Server name or version says, read against the table.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlIdentity<'a> {
    /// The release.
    pub release: &'a SqlRelease,
    /// Its level when known (`SP1`); `None` when only the release was named.
    pub level: Option<String>,
}

impl Platforms {
    /// The release a name means (`SQL Server 2014 SP1`, `sql2014`, `SQL 2016`), with its level
    /// when the name gives one.
    pub fn sql_by_name(&self, text: &str) -> Option<SqlIdentity<'_>> {
        let folded = fold(text).replace("sqlserver", "").replace("sql", "").replace("servicepack", "sp");
        let mut best: Option<&SqlRelease> = None;
        for release in &self.sql {
            let name = fold(&release.name).replace("sqlserver", "");
            if folded.starts_with(&name) && best.is_none_or(|b| fold(&b.name).len() < fold(&release.name).len()) {
                best = Some(release);
            }
        }
        let release = best?;
        let rest = &folded[fold(&release.name).replace("sqlserver", "").len()..];
        let level = match rest {
            "" => None,
            "rtm" => Some("RTM".to_string()),
            r if r.starts_with("sp") && r[2..].chars().all(|c| c.is_ascii_digit()) && r.len() > 2 => {
                Some(r.to_ascii_uppercase())
            }
            _ => return None,
        };
        Some(SqlIdentity { release, level })
    }

    /// The release a `ProductVersion` (`12.0.4100.1`) and `ProductLevel` (`SP1`) mean.
    pub fn sql_by_version(&self, version: &str, level: &str) -> Option<SqlIdentity<'_>> {
        let parts: Vec<u32> = version.split('.').filter_map(|p| p.trim().parse().ok()).collect();
        let (major, minor) = (*parts.first()?, parts.get(1).copied().unwrap_or(0));
        let release = self
            .sql
            .iter()
            .filter(|r| r.major == major && r.minor.is_none_or(|m| m == minor))
            .max_by_key(|r| r.minor.is_some())?;
        let level = level.trim().to_ascii_uppercase();
        let level = if release.levels.iter().any(|l| l.level == level) {
            Some(level)
        } else {
            // A level the table does not name: the highest level whose build is reached.
            release
                .levels
                .iter()
                .rfind(|l| super::check_spec::version_at_least(version, &l.build))
                .map(|l| l.level.clone())
        };
        Some(SqlIdentity { release, level })
    }

    /// The Windows release a name means (`Windows Server 2012 R2 Standard` → 2012 R2).
    pub fn os_by_name(&self, text: &str) -> Option<&OsRelease> {
        let folded = fold(text);
        let mut best: Option<(&OsRelease, usize)> = None;
        for release in &self.os {
            for name in std::iter::once(&release.name).chain(&release.aliases) {
                let n = fold(name);
                if (folded == n || folded.starts_with(&n)) && best.is_none_or(|(_, len)| len < n.len()) {
                    best = Some((release, n.len()));
                }
            }
        }
        best.map(|(r, _)| r)
    }
}

impl SqlRelease {
    /// The lowest level `biztalk` supports, when it supports this release at all.
    pub fn lowest_supported(&self, biztalk: &str) -> Option<&str> {
        self.supported.get(biztalk).map(String::as_str)
    }

    /// Whether `level` is at least `wanted` in this release's order of levels.
    pub fn level_reaches(&self, level: &str, wanted: &str) -> bool {
        let rank = |l: &str| self.levels.iter().position(|x| x.level.eq_ignore_ascii_case(l));
        matches!((rank(level), rank(wanted)), (Some(a), Some(b)) if a >= b)
    }

    /// The BizTalk versions that support this release, with the lowest level each needs.
    pub fn support_text(&self) -> String {
        if self.supported.is_empty() {
            return "no BizTalk version this upgrade involves supports it".into();
        }
        let parts: Vec<String> = self
            .supported
            .iter()
            .map(
                |(v, l)| {
                    if l == "RTM" {
                        format!("BizTalk Server {v}")
                    } else {
                        format!("BizTalk Server {v} from {l}")
                    }
                },
            )
            .collect();
        format!("supported by {}", parts.join(", "))
    }
}

/// One row of the operating-system or SQL Server matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformRow {
    /// The name as the guide writes it.
    pub name: String,
    /// Other spellings accepted on the command line.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Per version upgraded from: whether the upgrade is supported.
    pub upgrade: BTreeMap<String, bool>,
}

/// Lower-case words and digits only, so `Windows Server 2012 R2`, `windows server 2012r2`
/// and `WindowsServer2012R2` compare equal.
pub fn fold(name: &str) -> String {
    name.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

impl SupportMatrices {
    /// The guide's name for a BizTalk version (`2013R2`, `BizTalk Server 2013 R2` → `2013 R2`).
    pub fn from_version(&self, text: &str) -> Option<&str> {
        let folded = fold(text).trim_start_matches("biztalkserver").trim_start_matches("bts").to_string();
        self.from_versions.iter().find(|v| fold(v) == folded).map(String::as_str)
    }

    /// The operating-system row a name means.
    pub fn os_row(&self, text: &str) -> Option<&PlatformRow> {
        find_row(&self.os, text)
    }

    /// The SQL Server row a name means.
    pub fn sql_row(&self, text: &str) -> Option<&PlatformRow> {
        find_row(&self.sql, text)
    }

    /// The guide's name of an edition (`developer` → `Developer`).
    pub fn edition(&self, text: &str) -> Option<&str> {
        let folded = fold(text).trim_end_matches("edition").to_string();
        self.editions.iter().find(|e| fold(e) == folded).map(String::as_str)
    }
}

fn find_row<'a>(rows: &'a [PlatformRow], text: &str) -> Option<&'a PlatformRow> {
    let folded = fold(text);
    rows.iter().find(|r| fold(&r.name) == folded || r.aliases.iter().any(|a| fold(a) == folded))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrices {
    id: Spanned<String>,
    from_versions: Vec<String>,
    os: Vec<PlatformRow>,
    sql: Vec<PlatformRow>,
    editions: Vec<String>,
    edition_paths: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    upgrade_order: Vec<String>,
    #[serde(default)]
    platforms: Platforms,
    #[serde(default)]
    references: Vec<String>,
}

/// Parses the matrices and checks that every row has a cell for every version and every
/// edition path names known editions.
pub fn parse_matrices(text: &str, mut origin: Origin) -> Result<SupportMatrices, Vec<Problem>> {
    let raw: RawMatrices = super::parse::from_yaml(text, &origin.file)?;
    origin.line = raw.id.referenced.line();
    let file = origin.file.clone();
    let mut problems = Vec::new();
    let mut at = |m: String| problems.push(Problem::error(&file, Some(origin.line), None, m));
    for (table, rows) in [("os", &raw.os), ("sql", &raw.sql)] {
        for row in rows {
            let keys: Vec<&String> = row.upgrade.keys().collect();
            let mut wanted: Vec<&String> = raw.from_versions.iter().collect();
            wanted.sort();
            if keys != wanted {
                at(format!("{table} row `{}` must say yes/no for exactly {:?}", row.name, raw.from_versions));
            }
        }
    }
    for edition in &raw.editions {
        if !raw.edition_paths.contains_key(edition) {
            at(format!("edition `{edition}` has no entry in edition_paths"));
        }
    }
    for (from, to) in &raw.edition_paths {
        for e in std::iter::once(from).chain(to) {
            if !raw.editions.contains(e) {
                at(format!("edition_paths names `{e}`, which is not in editions"));
            }
        }
    }
    let known = |v: &str| raw.platforms.biztalk_versions.iter().any(|b| b == v);
    for release in &raw.platforms.sql {
        for (version, level) in &release.supported {
            if !known(version) {
                at(format!("platforms: `{}` names BizTalk version `{version}`, not in biztalk_versions", release.name));
            }
            if !release.levels.iter().any(|l| &l.level == level) {
                at(format!(
                    "platforms: `{}` is supported from `{level}`, which is not one of its levels",
                    release.name
                ));
            }
        }
        if release.levels.is_empty() {
            at(format!("platforms: `{}` lists no levels", release.name));
        }
    }
    for release in &raw.platforms.os {
        for version in release.supported_by.iter().filter(|v| !known(v)) {
            at(format!("platforms: `{}` names BizTalk version `{version}`, not in biztalk_versions", release.name));
        }
    }
    if !raw.platforms.sql.is_empty() && !known(&raw.platforms.target) {
        at(format!("platforms: target `{}` is not in biztalk_versions", raw.platforms.target));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(SupportMatrices {
        id: raw.id.value.trim().to_string(),
        from_versions: raw.from_versions,
        os: raw.os,
        sql: raw.sql,
        editions: raw.editions,
        edition_paths: raw.edition_paths,
        upgrade_order: raw.upgrade_order,
        platforms: raw.platforms,
        references: raw.references,
        origin,
    })
}
