//! `sql-database-backups`: which databases the group has (read from its Management
//! database, not assumed), and for each one on this instance its last full and log backup,
//! then whether the Backup BizTalk Server job's newest mark covers them all — the point a
//! consistent restore of a BizTalk group goes back to.

use super::result::Verdict;
use super::sql::{Cell, Row};
use super::sql_probes::BackupRow;
use crate::kb::check_spec::Expect;
use std::collections::BTreeSet;

/// The read-only queries of this check.
pub mod queries {
    use super::super::sql_probes::queries::literal;

    /// The databases the Management database records: tracking, BAM, rule engine, every
    /// MessageBox, the custom ones added to the Backup BizTalk Server job
    /// (`adm_OtherBackupDatabases`, when `with_custom`), and the Management database itself.
    pub fn group_databases(with_custom: bool) -> String {
        let arm = |role: &str, name: &str, server: &str, table: &str| {
            format!(
                "SELECT CAST(N'{role}' AS nvarchar(32)) AS role, CAST({name} AS nvarchar(128)) AS database_name, \
                 CAST({server} AS nvarchar(128)) AS server_name FROM {table}"
            )
        };
        let mut arms = vec![
            "SELECT CAST(N'management' AS nvarchar(32)) AS role, CAST(DB_NAME() AS nvarchar(128)) AS database_name, \
             CAST(SERVERPROPERTY('ServerName') AS nvarchar(128)) AS server_name"
                .to_string(),
            arm("MessageBox", "DBName", "DBServerName", "dbo.adm_MessageBox"),
            arm("tracking", "TrackingDBName", "TrackingDBServerName", "dbo.adm_Group"),
            arm("BAM", "BamDBName", "BamDBServerName", "dbo.adm_Group"),
            arm("rule engine", "RuleEngineDBName", "RuleEngineDBServerName", "dbo.adm_Group"),
        ];
        if with_custom {
            arms.push(arm("custom", "DatabaseName", "ServerName", "dbo.adm_OtherBackupDatabases"));
        }
        arms.join(" UNION ALL ")
    }

    /// Each named database on this instance: its recovery model, hours since its last full
    /// backup and since its last log backup (`NULL` = never).
    pub fn backups(names: &[String]) -> String {
        let list: Vec<String> = names.iter().map(|n| literal(n)).collect();
        format!(
            "SELECT CAST(d.name AS nvarchar(128)) AS database_name, \
             CAST(DATEDIFF(HOUR, b.last_full, GETDATE()) AS int) AS hours_since_full, \
             CAST(d.recovery_model_desc AS nvarchar(60)) AS recovery_model, \
             CAST(DATEDIFF(HOUR, b.last_log, GETDATE()) AS int) AS hours_since_log \
             FROM sys.databases AS d \
             LEFT JOIN (SELECT database_name, MAX(CASE WHEN type = 'D' THEN backup_finish_date END) AS last_full, \
             MAX(CASE WHEN type = 'L' THEN backup_finish_date END) AS last_log FROM msdb.dbo.backupset \
             WHERE type IN ('D', 'L') GROUP BY database_name) AS b ON b.database_name = d.name \
             WHERE d.name IN ({}) ORDER BY d.name",
            list.join(", ")
        )
    }
}

/// A database the Management database names for the group, and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDatabase {
    /// What it is for (`MessageBox`, `tracking`, `custom` …).
    pub role: String,
    /// Its name.
    pub name: String,
    /// The SQL Server the group records for it.
    pub server: String,
}

impl GroupDatabase {
    /// The rows of [`queries::group_databases`]; unconfigured features (NULL or empty) drop out.
    pub fn from_rows(rows: &[Row]) -> Vec<Self> {
        let text = |row: &Row, i: usize| row.get(i).and_then(Cell::text).map(|t| t.trim().to_string());
        rows.iter()
            .filter_map(|row| {
                let name = text(row, 1).filter(|n| !n.is_empty())?;
                Some(GroupDatabase { role: text(row, 0)?, name, server: text(row, 2).unwrap_or_default() })
            })
            .collect()
    }
}

/// One database the check looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// Its name.
    pub name: String,
    /// Whether its absence from this instance is a failure.
    pub required: bool,
    /// The other instance the group records for it, when that is not this one.
    pub elsewhere: Option<String>,
}

/// Which databases to look for and where the list came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// In the order they are reported.
    pub wanted: Vec<Wanted>,
    /// Whether the names came from the Management database (else the spec's defaults).
    pub from_group: bool,
}

impl Scope {
    /// The names to ask `sys.databases` for.
    pub fn names(&self) -> Vec<String> {
        self.wanted.iter().map(|w| w.name.clone()).collect()
    }
}

/// SQL Server's own databases the upgrade guide lists; every instance has them.
const INSTANCE_DATABASES: [&str; 2] = ["master", "msdb"];

/// The databases to check. With the group's list (`group`), the instance's `master` and
/// `msdb` plus every database the group records are required — those recorded on another
/// instance are named, not judged — and the spec's `optional` names (BAM archive and star
/// schema, EDI, SSO …, which the Management database does not record) are checked where
/// present. Without it, the spec's `required` names stand in for the group's.
pub fn scope(required: &[String], optional: &[String], group: Option<&[GroupDatabase]>, this_server: &str) -> Scope {
    let mut seen = BTreeSet::new();
    let mut wanted = Vec::new();
    let mut add = |name: &str, required: bool, elsewhere: Option<String>| {
        if seen.insert(name.to_ascii_lowercase()) {
            wanted.push(Wanted { name: name.to_string(), required, elsewhere });
        }
    };
    match group {
        Some(group) => {
            for name in INSTANCE_DATABASES {
                add(name, true, None);
            }
            for db in group {
                let other = (!same_instance(&db.server, this_server)).then(|| db.server.clone());
                add(&db.name, true, other);
            }
        }
        None => {
            for name in required {
                add(name, true, None);
            }
        }
    }
    for name in optional {
        add(name, false, None);
    }
    Scope { wanted, from_group: group.is_some() }
}

/// Whether two SQL Server names (`host\instance`, `host,port`, `.`, `(local)`) name one
/// instance: short host names without case, the same named instance (none = the default).
pub fn same_instance(a: &str, b: &str) -> bool {
    fn parts(name: &str) -> (String, String) {
        let name = name.trim().trim_start_matches("tcp:");
        let name = name.split(',').next().unwrap_or("");
        let (host, instance) = name.split_once('\\').unwrap_or((name, ""));
        let host = host.split('.').next().unwrap_or("").to_ascii_lowercase();
        let host = match host.as_str() {
            "" | "(local)" | "localhost" | "127" => "(local)".to_string(),
            _ => host,
        };
        let instance = instance.trim().to_ascii_lowercase();
        let instance = if instance == "mssqlserver" { String::new() } else { instance };
        (host, instance)
    }
    let (a, b) = (parts(a), parts(b));
    a.1 == b.1 && (a.0 == b.0 || a.0 == "(local)" || b.0 == "(local)")
}

/// One row of [`queries::backups`].
struct Found {
    name: String,
    full_hours: Option<i64>,
    /// Whether the recovery model keeps a log that log backups truncate.
    logged: bool,
    log_hours: Option<i64>,
}

fn found_rows(rows: &[Row]) -> Vec<Found> {
    let text = |row: &Row, i: usize| row.get(i).and_then(Cell::text).map(|t| t.trim().to_string());
    let int = |row: &Row, i: usize| row.get(i).and_then(Cell::int);
    rows.iter()
        .filter_map(|row| {
            Some(Found {
                name: text(row, 0)?,
                full_hours: int(row, 1),
                logged: text(row, 2).is_some_and(|m| !m.eq_ignore_ascii_case("SIMPLE")),
                log_hours: int(row, 3),
            })
        })
        .collect()
}

/// What the Backup BizTalk Server job's history says, when it was read.
#[derive(Debug, Clone, PartialEq)]
pub enum Marks {
    /// `adm_BackupHistory` is not in the Management database, or the names were not read
    /// from the group.
    NotRead,
    /// Its rows (newest first, as the query returns them).
    History(Vec<BackupRow>),
}

/// Every wanted database on this instance is present, its last full backup is within the
/// limits (on a `blocker`, older than `warn_age_hours` already fails: the guide's step is a
/// backup taken for this upgrade, not last week's), a database that keeps a log has a recent
/// log backup, and the job's newest mark covers every database found.
///
/// Logs and marks only warn: a full backup of every database taken while BizTalk was stopped
/// is also a consistent set, and whether it was stopped cannot be read here.
pub fn judge(rows: &[Row], scope: &Scope, marks: &Marks, expect: &Expect, blocker: bool) -> Verdict {
    let warn_after = expect.warn_age_hours.map(|h| h as i64);
    let fail_after = match (blocker, warn_after) {
        (true, Some(w)) => w,
        _ => expect.fail_age_hours.unwrap_or(24 * 7) as i64,
    };
    let found = found_rows(rows);
    let here = |name: &str| found.iter().any(|f| f.name.eq_ignore_ascii_case(name));
    let missing: Vec<&str> = scope
        .wanted
        .iter()
        .filter(|w| w.required && w.elsewhere.is_none() && !here(&w.name))
        .map(|w| w.name.as_str())
        .collect();
    let elsewhere: Vec<String> = scope
        .wanted
        .iter()
        .filter(|w| !here(&w.name))
        .filter_map(|w| w.elsewhere.as_ref().map(|s| format!("{} on {s}", w.name)))
        .collect();
    let (mut never, mut stale, mut aging, mut no_log) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for f in &found {
        match f.full_hours {
            None => never.push(f.name.clone()),
            Some(h) if h > fail_after => stale.push(format!("{} ({})", f.name, age(h))),
            Some(h) if warn_after.is_some_and(|w| h > w) => aging.push(format!("{} ({})", f.name, age(h))),
            Some(_) => {}
        }
        let log_limit = warn_after.unwrap_or(fail_after);
        if f.logged && f.full_hours.is_some() && f.log_hours.is_none_or(|h| h > log_limit) {
            no_log.push(match f.log_hours {
                Some(h) => format!("{} ({})", f.name, age(h)),
                None => format!("{} (never)", f.name),
            });
        }
    }
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!("missing: {}", missing.join(", ")));
    }
    if !never.is_empty() {
        problems.push(format!("never fully backed up: {}", never.join(", ")));
    }
    if !stale.is_empty() {
        problems.push(format!("last full backup older than {}: {}", age(fail_after), stale.join(", ")));
    }
    let mut cautions = Vec::new();
    if !aging.is_empty() {
        cautions.push(format!("last full backup getting old: {}", aging.join(", ")));
    }
    if !no_log.is_empty() {
        cautions.push(format!(
            "no log backup in the last {} although the recovery model keeps a log: {}",
            age(warn_after.unwrap_or(fail_after)),
            no_log.join(", ")
        ));
    }
    let names_found: Vec<&str> = found.iter().map(|f| f.name.as_str()).collect();
    let mut fine = None;
    match judge_marks(marks, &names_found) {
        MarkNote::Fine(note) => fine = Some(note),
        MarkNote::Caution(note) => cautions.push(note),
        MarkNote::None => {}
    }
    let absent_optional = scope.wanted.iter().filter(|w| !w.required && !here(&w.name)).count();
    let mut checked = format!(
        "{} database(s) checked{}",
        found.len(),
        if scope.from_group { " (names from the Management database)" } else { " (the guide's default names)" }
    );
    if absent_optional > 0 {
        checked.push_str(&format!(", {absent_optional} optional one(s) not on this instance"));
    }
    if !elsewhere.is_empty() {
        checked.push_str(&format!("; on another instance, not examined here: {}", elsewhere.join(", ")));
    }
    if !problems.is_empty() {
        problems.extend(cautions);
        return Verdict::Miss(format!("{}; {checked}", problems.join("; ")));
    }
    if !cautions.is_empty() {
        return Verdict::Warn(format!("{}; {checked}", cautions.join("; ")));
    }
    let mut pass = format!("every database has a full backup from the last {}", age(warn_after.unwrap_or(fail_after)));
    if let Some(fine) = fine {
        pass.push_str(&format!("; {fine}"));
    }
    Verdict::Pass(format!("{pass}; {checked}"))
}

/// What the marks add to the verdict.
enum MarkNote {
    /// Nothing to say (the history was not read).
    None,
    /// The newest mark covers every database found.
    Fine(String),
    /// Something a consistent restore would miss.
    Caution(String),
}

/// The newest mark's set against the databases found here.
fn judge_marks(marks: &Marks, found: &[&str]) -> MarkNote {
    let Marks::History(rows) = marks else { return MarkNote::None };
    let newest = rows.iter().filter(|r| !r.full && r.mark.is_some()).max_by_key(|r| (r.set, r.time));
    let Some(newest) = newest else {
        return MarkNote::Caution(
            "the Backup BizTalk Server job has recorded no marked log backup (adm_BackupHistory): these full \
             backups restore to one consistent point only if BizTalk was stopped while they were taken"
                .into(),
        );
    };
    let mark = newest.mark.clone().unwrap_or_default();
    let in_set: BTreeSet<String> =
        rows.iter().filter(|r| r.set == newest.set && !r.full).map(|r| r.database.to_ascii_lowercase()).collect();
    let left_out: Vec<&str> = found
        .iter()
        .filter(|n| !INSTANCE_DATABASES.iter().any(|i| i.eq_ignore_ascii_case(n)))
        .filter(|n| !in_set.contains(&n.to_ascii_lowercase()))
        .copied()
        .collect();
    if !left_out.is_empty() {
        return MarkNote::Caution(format!(
            "the newest mark {mark} ({}) leaves out {}: a restore to it cannot bring them to the same point",
            newest.time,
            left_out.join(", ")
        ));
    }
    MarkNote::Fine(format!("newest mark {mark} ({}) covers all {} database(s)", newest.time, in_set.len()))
}

/// Hours as a person reads them.
pub fn age(hours: i64) -> String {
    if hours >= 48 {
        format!("{} days", hours / 24)
    } else {
        format!("{hours} h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::when::LocalTime;
    use Cell::{Int, Null, Text};

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| n.to_string()).collect()
    }

    fn group(list: &[(&str, &str, &str)]) -> Vec<GroupDatabase> {
        list.iter()
            .map(|(role, name, server)| GroupDatabase {
                role: role.to_string(),
                name: name.to_string(),
                server: server.to_string(),
            })
            .collect()
    }

    fn found(name: &str, full: Option<i64>, model: &str, log: Option<i64>) -> Row {
        vec![Text(name.into()), full.map_or(Null, Int), Text(model.into()), log.map_or(Null, Int)]
    }

    fn expect() -> Expect {
        Expect { fail_age_hours: Some(168), warn_age_hours: Some(26), ..Default::default() }
    }

    fn mark_rows(set: i64, databases: &[&str]) -> Vec<BackupRow> {
        databases
            .iter()
            .map(|db| BackupRow {
                set,
                database: db.to_string(),
                server: "SQL01".into(),
                time: LocalTime::new(2026, 11, 24, 1, 15, 0).unwrap(),
                full: false,
                mark: Some("BTS_1".into()),
                file: String::new(),
            })
            .collect()
    }

    #[test]
    fn names_come_from_the_management_database_and_other_instances_are_named_not_judged() {
        let defaults = names(&["master", "msdb", "BizTalkMgmtDb", "BizTalkMsgBoxDb", "BizTalkDTADb"]);
        let g = group(&[
            ("management", "BTS_Mgmt", "SQL01\\BTS"),
            ("MessageBox", "BTS_MsgBox", "sql01.contoso.local\\bts"),
            ("tracking", "BTS_DTA", "SQLDTA"),
        ]);
        let s = scope(&defaults, &names(&["BizTalkEDIDb"]), Some(&g), "SQL01\\BTS");
        let got: Vec<(&str, bool, Option<&str>)> =
            s.wanted.iter().map(|w| (w.name.as_str(), w.required, w.elsewhere.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                ("master", true, None),
                ("msdb", true, None),
                ("BTS_Mgmt", true, None),
                ("BTS_MsgBox", true, None),
                ("BTS_DTA", true, Some("SQLDTA")),
                ("BizTalkEDIDb", false, None),
            ]
        );
        let rows = vec![
            found("BTS_Mgmt", Some(3), "FULL", Some(1)),
            found("BTS_MsgBox", Some(3), "FULL", Some(1)),
            found("master", Some(3), "SIMPLE", None),
            found("msdb", Some(3), "SIMPLE", None),
        ];
        let Verdict::Pass(d) = judge(&rows, &s, &Marks::NotRead, &expect(), true) else { panic!() };
        assert!(d.contains("not examined here: BTS_DTA on SQLDTA") && d.contains("names from the Management"), "{d}");
        // Without the group's list the guide's names stand in, and say so.
        let fallback = scope(&defaults, &[], None, "");
        let Verdict::Miss(d) = judge(&rows, &fallback, &Marks::NotRead, &expect(), true) else { panic!() };
        assert!(
            d.contains("missing: BizTalkMgmtDb, BizTalkMsgBoxDb, BizTalkDTADb") && d.contains("default names"),
            "{d}"
        );
    }

    #[test]
    fn a_blocker_fails_at_the_warning_age_and_logs_and_marks_are_read() {
        let s = scope(&names(&["BizTalkMgmtDb", "BizTalkMsgBoxDb"]), &[], None, "");
        let week_old = vec![
            found("BizTalkMgmtDb", Some(144), "FULL", Some(1)),
            found("BizTalkMsgBoxDb", Some(3), "FULL", Some(1)),
        ];
        assert!(
            matches!(judge(&week_old, &s, &Marks::NotRead, &expect(), true), Verdict::Miss(d) if d.contains("older than 26 h: BizTalkMgmtDb (6 days)"))
        );
        assert!(
            matches!(judge(&week_old, &s, &Marks::NotRead, &expect(), false), Verdict::Warn(d) if d.contains("getting old: BizTalkMgmtDb (6 days)"))
        );
        // A database in FULL recovery without a recent log backup warns; SIMPLE needs none.
        let no_log =
            vec![found("BizTalkMgmtDb", Some(3), "FULL", None), found("BizTalkMsgBoxDb", Some(3), "SIMPLE", None)];
        let Verdict::Warn(d) = judge(&no_log, &s, &Marks::NotRead, &expect(), true) else { panic!() };
        assert!(
            d.contains("no log backup in the last 26 h")
                && d.contains("BizTalkMgmtDb (never)")
                && !d.contains("BizTalkMsgBoxDb"),
            "{d}"
        );
        // The newest mark must hold every database found.
        let fresh =
            vec![found("BizTalkMgmtDb", Some(3), "FULL", Some(1)), found("BizTalkMsgBoxDb", Some(3), "FULL", Some(1))];
        let partial = Marks::History(
            [mark_rows(9, &["BizTalkMgmtDb", "BizTalkMsgBoxDb"]), mark_rows(10, &["BizTalkMgmtDb"])].concat(),
        );
        let Verdict::Warn(d) = judge(&fresh, &s, &partial, &expect(), true) else { panic!() };
        assert!(d.contains("newest mark BTS_1") && d.contains("leaves out BizTalkMsgBoxDb"), "{d}");
        let whole = Marks::History(mark_rows(9, &["BizTalkMgmtDb", "BizTalkMsgBoxDb"]));
        assert!(
            matches!(judge(&fresh, &s, &whole, &expect(), true), Verdict::Pass(d) if d.contains("covers all 2 database(s)"))
        );
        let Verdict::Warn(d) = judge(&fresh, &s, &Marks::History(vec![]), &expect(), true) else { panic!() };
        assert!(d.contains("no marked log backup") && d.contains("only if BizTalk was stopped"), "{d}");
    }

    #[test]
    fn instance_names_compare_as_sql_server_reads_them() {
        assert!(same_instance("SQL01", "sql01.contoso.local"));
        assert!(same_instance("SQL01\\MSSQLSERVER", "SQL01"));
        assert!(same_instance("(local)\\BTS", "SQL01\\bts"));
        assert!(same_instance("tcp:SQL01,1433", "SQL01"));
        assert!(!same_instance("SQL01\\BTS", "SQL01"));
        assert!(!same_instance("SQL02", "SQL01"));
    }
}
