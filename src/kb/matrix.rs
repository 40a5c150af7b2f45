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
    /// Where the facts come from.
    pub references: Vec<String>,
    /// Where it was loaded from.
    pub origin: Origin,
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
        references: raw.references,
        origin,
    })
}
