//! The SQL checks: the read-only queries (public, so tests serve exactly these texts) and the
//! judgement of their rows against a spec's expectation. Every query casts to `int`, `bigint`
//! or `nvarchar`, so no driver-specific type decides a result, and every table that only some
//! versions have is probed before it is read.

use super::result::Verdict;
use super::sql::{query, Cell, Row, SqlClient};
use super::sql_rights::{self, Right, Rights};
use crate::kb::check_spec::{current_os_name, parse_version, Expect, Probe, RegistryView};
use crate::kb::model::Severity;
use std::time::Duration;

/// The query texts the checks send, built the same way for the checks and the tests.
pub mod queries {
    /// A string literal for T-SQL (`N'...'`, quotes doubled).
    pub fn literal(text: &str) -> String {
        format!("N'{}'", text.replace('\'', "''"))
    }

    /// A bracketed identifier (`[...]`, brackets doubled).
    pub fn ident(text: &str) -> String {
        format!("[{}]", text.replace(']', "]]"))
    }

    /// A table of another database, for `OBJECT_ID` (`[BAMPrimaryImport].dbo.table`): the
    /// database is bracketed, so a name with a dot or a space stays one name.
    pub fn table_in(database: &str, table: &str) -> String {
        format!("{}.dbo.{table}", ident(database))
    }

    /// Version and edition of the instance.
    pub fn server_version() -> String {
        "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS product_version, \
         CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS edition, \
         CAST(SERVERPROPERTY('EngineEdition') AS int) AS engine_edition, \
         CAST(SERVERPROPERTY('ProductLevel') AS nvarchar(128)) AS product_level"
            .to_string()
    }

    /// Whether a table exists (`NULL` when not): the probe before any version-dependent read.
    pub fn object_id(name: &str) -> String {
        format!("SELECT CAST(OBJECT_ID({}) AS int) AS object_id", literal(name))
    }

    /// Whether a database exists on the instance (`NULL` when not).
    pub fn database_id(name: &str) -> String {
        format!("SELECT CAST(DB_ID({}) AS int) AS database_id", literal(name))
    }

    /// Agent jobs whose name starts with `prefix`: enabled flag and the newest outcome.
    pub fn agent_job(prefix: &str) -> String {
        let pattern = prefix.replace('[', "[[]").replace('%', "[%]").replace('_', "[_]");
        format!(
            "SELECT CAST(j.name AS nvarchar(128)) AS job_name, CAST(j.enabled AS int) AS enabled, \
             CAST(h.run_status AS int) AS last_run_status, CAST(h.run_date AS int) AS last_run_date, \
             CAST(h.run_time AS int) AS last_run_time \
             FROM msdb.dbo.sysjobs AS j \
             OUTER APPLY (SELECT TOP (1) jh.run_status, jh.run_date, jh.run_time FROM msdb.dbo.sysjobhistory AS jh \
             WHERE jh.job_id = j.job_id AND jh.step_id = 0 ORDER BY jh.run_date DESC, jh.run_time DESC) AS h \
             WHERE j.name LIKE {} ORDER BY j.name",
            literal(&format!("{pattern}%"))
        )
    }

    /// Database Mail profiles and whether the Database Mail XPs are enabled.
    pub fn database_mail() -> String {
        "SELECT CAST((SELECT COUNT(*) FROM msdb.dbo.sysmail_profile) AS int) AS profiles, \
         CAST((SELECT CAST(value_in_use AS int) FROM sys.configurations WHERE name = N'Database Mail XPs') AS int) AS xps_enabled"
            .to_string()
    }

    /// Every host of the group, flagging the group's default host.
    pub fn hosts() -> String {
        "SELECT CAST(h.Name AS nvarchar(128)) AS host_name, \
         CAST(CASE WHEN g.DefaultHostId = h.Id THEN 1 ELSE 0 END AS int) AS is_default \
         FROM dbo.adm_Host AS h LEFT JOIN dbo.adm_Group AS g ON g.DefaultHostId = h.Id ORDER BY h.Name"
            .to_string()
    }

    /// The hosts an adapter's receive and send handlers run in.
    pub fn adapter_handlers(adapter: &str) -> String {
        let name = literal(adapter);
        format!(
            "SELECT CAST(h.Name AS nvarchar(128)) AS host_name, CAST(N'receive' AS nvarchar(16)) AS direction \
             FROM dbo.adm_ReceiveHandler AS r JOIN dbo.adm_Adapter AS a ON a.Id = r.AdapterId \
             JOIN dbo.adm_Host AS h ON h.Id = r.HostId WHERE a.Name = {name} \
             UNION ALL \
             SELECT CAST(h.Name AS nvarchar(128)), CAST(N'send' AS nvarchar(16)) \
             FROM dbo.adm_SendHandler AS s JOIN dbo.adm_Adapter AS a ON a.Id = s.AdapterId \
             JOIN dbo.adm_Host AS h ON h.Id = s.HostId WHERE a.Name = {name}"
        )
    }

    /// Every `Management DB` row of `BizTalkDBVersion`, newest first: the table keeps one row
    /// per version the database has been at, so the rows after the first are its history.
    pub fn biztalk_version() -> String {
        "SELECT TOP (50) CAST(ProductMajor AS int) AS product_major, CAST(ProductMinor AS int) AS product_minor, \
         CAST(ProductBuildNumber AS int) AS product_build, CAST(ProductRevision AS int) AS product_revision, \
         CAST(Description AS nvarchar(256)) AS description \
         FROM dbo.BizTalkDBVersion WHERE BizTalkDBName = N'Management DB' \
         ORDER BY ProductMajor DESC, ProductMinor DESC, ProductBuildNumber DESC, ProductRevision DESC"
            .to_string()
    }

    /// The servers of the group.
    pub fn group_servers() -> String {
        "SELECT CAST(Name AS nvarchar(128)) AS server_name FROM dbo.adm_Server ORDER BY Name".to_string()
    }

    /// How many real-time aggregations BAM has deployed.
    pub fn bam_rta_count(database: &str) -> String {
        format!(
            "SELECT CAST(COUNT(*) AS int) AS rta_count FROM {}.dbo.bam_Metadata_RealTimeAggregations",
            ident(database)
        )
    }

    /// The master secret server recorded in SSODB.
    pub fn sso_secret_server(database: &str) -> String {
        format!(
            "SELECT TOP (1) CAST(gi_SecretServer AS nvarchar(256)) AS secret_server FROM {}.dbo.SSOX_GlobalInfo",
            ident(database)
        )
    }

    /// Per database and volume: the size of its files and the volume's free space, in MiB.
    pub fn bam_space(databases: &[String]) -> String {
        let list: Vec<String> = databases.iter().map(|n| literal(n)).collect();
        format!(
            "SELECT CAST(DB_NAME(f.database_id) AS nvarchar(128)) AS database_name, \
             CAST(vs.volume_mount_point AS nvarchar(256)) AS volume, \
             CAST(SUM(CAST(f.size AS bigint)) * 8 / 1024 AS bigint) AS size_mb, \
             CAST(MIN(vs.available_bytes) / 1048576 AS bigint) AS free_mb \
             FROM sys.master_files AS f CROSS APPLY sys.dm_os_volume_stats(f.database_id, f.file_id) AS vs \
             WHERE DB_NAME(f.database_id) IN ({}) \
             GROUP BY f.database_id, vs.volume_mount_point ORDER BY database_name",
            list.join(", ")
        )
    }
}

/// The query texts of the restore point (public like the others, for the tests).
pub mod restore_queries {
    /// Every backup the Backup BizTalk Server job recorded, newest first: its set, database,
    /// server, local time (style 120), type (`db` full, `lg` log), mark and file.
    pub fn backup_history() -> String {
        "SELECT TOP (5000) CAST(BackupSetId AS bigint) AS backup_set, \
         CAST(DatabaseName AS nvarchar(128)) AS database_name, \
         CAST(ServerName AS nvarchar(128)) AS server_name, \
         CONVERT(nvarchar(19), BackupDateTime, 120) AS backup_time, \
         CAST(BackupType AS nvarchar(8)) AS backup_type, \
         CAST(MarkName AS nvarchar(256)) AS mark_name, \
         CAST(BackupFileLocation AS nvarchar(1024)) AS file_location, \
         CAST(BackupFileName AS nvarchar(512)) AS file_name \
         FROM dbo.adm_BackupHistory ORDER BY BackupDateTime DESC"
            .to_string()
    }
}

/// One row of `adm_BackupHistory`.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupRow {
    /// The backup set (one run of the job).
    pub set: i64,
    /// The database.
    pub database: String,
    /// Its SQL Server.
    pub server: String,
    /// When (the server's local time).
    pub time: crate::logs::when::LocalTime,
    /// Full (`db`) or log (`lg`).
    pub full: bool,
    /// The mark of a log backup.
    pub mark: Option<String>,
    /// The backup file, folder and name joined.
    pub file: String,
}

impl BackupRow {
    /// A row as the query returns it; `None` when a needed cell is missing.
    pub fn from_row(row: &Row) -> Option<Self> {
        let time = crate::logs::when::LocalTime::parse_iso(&text_at(row, 3)?)?;
        let kind = text_at(row, 4)?.trim().to_ascii_lowercase();
        let folder = text_at(row, 6).unwrap_or_default();
        let name = text_at(row, 7).unwrap_or_default();
        let file = match (folder.trim_end_matches(['\\', '/']), name.as_str()) {
            ("", n) => n.to_string(),
            (f, "") => f.to_string(),
            (f, n) => format!("{f}\\{n}"),
        };
        Some(BackupRow {
            set: int_at(row, 0)?,
            database: text_at(row, 1)?,
            server: text_at(row, 2).unwrap_or_default(),
            time,
            full: kind == "db",
            mark: text_at(row, 5).filter(|m| !m.trim().is_empty()),
            file,
        })
    }
}

/// The restore point: the newest mark taken before the run that failed started, with the full
/// backup and the log backups of every database up to it. A mark after that moment holds
/// databases the upgrade may have changed and is refused; without a failure time the check
/// cannot tell.
pub fn judge_restore_point(rows: &[BackupRow], failure: Option<&crate::logs::when::TimeRange>) -> Verdict {
    use crate::logs::when::Order;
    use std::collections::BTreeMap;
    if rows.is_empty() {
        return Verdict::Miss(
            "the Backup BizTalk Server job has recorded no backup (adm_BackupHistory is empty): there is no marked restore point".into(),
        );
    }
    // Each mark: its set, when its first log backup was taken, its databases.
    let mut marks: BTreeMap<i64, (String, crate::logs::when::LocalTime)> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.full) {
        if let Some(m) = &r.mark {
            let e = marks.entry(r.set).or_insert((m.clone(), r.time));
            e.1 = e.1.min(r.time);
        }
    }
    let newest = marks.iter().next_back().map(|(_, (m, t))| format!("{m} at {t}"));
    let Some(failure) = failure else {
        return Verdict::Skip(format!(
            "the failure time is not known, so no mark can be shown to predate it (scan the setup logs with --log); the newest mark is {}",
            newest.unwrap_or_else(|| "none".into())
        ));
    };
    let untouched = failure.untouched_before();
    let mut unsure = Vec::new();
    let mut refused = Vec::new();
    for (set, (mark, time)) in marks.iter().rev() {
        let order = if *time < untouched { Order::Before } else { failure.compare(*time) };
        match order {
            Order::Before => match plan_for(rows, *set, mark) {
                Ok(plan) => {
                    let names: Vec<&str> =
                        plan["databases"].as_array().into_iter().flatten().filter_map(|d| d["name"].as_str()).collect();
                    let mut detail = format!(
                        "restore point: mark {mark} at {time}, before the failed run started ({untouched}; failure {}); {} database(s): {}",
                        failure.describe(),
                        names.len(),
                        names.join(", ")
                    );
                    if !refused.is_empty() {
                        detail.push_str(&format!("; refused as taken after the run started: {}", refused.join(", ")));
                    }
                    return Verdict::WithData(Box::new(Verdict::Pass(detail)), plan);
                }
                Err(gap) => {
                    return Verdict::Miss(format!(
                        "mark {mark} at {time} predates the failure, but {gap}: it cannot restore every database"
                    ))
                }
            },
            Order::Unknown => unsure.push(format!("{mark} at {time}")),
            Order::After => refused.push(format!("{mark} at {time}")),
        }
    }
    if !unsure.is_empty() {
        return Verdict::Skip(format!(
            "cannot tell whether the newest marks predate the failure ({}; the log's date reads more than one way): {}",
            failure.describe(),
            unsure.join(", ")
        ));
    }
    Verdict::Miss(format!(
        "every mark recorded was taken after the failed run started ({untouched}): they hold databases the upgrade changed and cannot be the restore point (refused: {})",
        refused.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
    ))
}

/// The files that bring every database of `set` to `mark`: for each database, its newest full
/// backup at or before the set, then every log backup after it up to the set.
fn plan_for(rows: &[BackupRow], set: i64, mark: &str) -> Result<serde_json::Value, String> {
    let mut names: Vec<(&str, &str)> =
        rows.iter().filter(|r| r.set == set && !r.full).map(|r| (r.database.as_str(), r.server.as_str())).collect();
    names.sort();
    names.dedup();
    let mut databases = Vec::new();
    for (name, server) in names {
        let of = |r: &&BackupRow| r.database == name && r.server == server;
        let Some(full) = rows.iter().filter(of).filter(|r| r.full && r.set <= set).max_by_key(|r| r.set) else {
            return Err(format!("{name} has no full backup before it"));
        };
        let mut logs: Vec<&BackupRow> =
            rows.iter().filter(of).filter(|r| !r.full && r.set >= full.set && r.set <= set).collect();
        logs.sort_by_key(|r| r.set);
        if logs.last().map(|r| r.set) != Some(set) {
            return Err(format!("{name} has no log backup with the mark"));
        }
        databases.push(serde_json::json!({
            "name": name,
            "server": server,
            "full": full.file,
            "full_time": full.time.to_string(),
            "logs": logs.iter().map(|r| r.file.clone()).collect::<Vec<_>>(),
        }));
    }
    Ok(serde_json::json!({"kind": "restore-point", "mark": mark, "set": set, "databases": databases}))
}

/// Runs one SQL probe over a logged-in connection.
pub async fn run(
    probe: &Probe,
    expect: &Expect,
    severity: Severity,
    client: &mut SqlClient,
    limit: Duration,
    context: &super::runner::CheckContext,
) -> Verdict {
    let mut db = Db { client, limit };
    let result = match probe {
        Probe::SqlConnection {} => Ok(Verdict::Pass("connected and logged in, read-only".into())),
        Probe::SqlServerVersion {} => db
            .rows(&queries::server_version())
            .await
            .map(|rows| judge_server_version(&rows, expect, context.platforms.as_ref())),
        Probe::SqlDatabaseBackups { required, optional } => {
            backups(&mut db, required, optional, expect, severity == Severity::Blocker).await
        }
        Probe::SqlAgentJob { name } => agent_job(&mut db, name, expect).await,
        Probe::SqlDatabaseMail {} => database_mail(&mut db).await,
        Probe::SqlDefaultHost { host, adapter } => default_host(&mut db, host, adapter).await,
        Probe::SqlBiztalkVersion {} => biztalk_version(&mut db, expect).await,
        Probe::SqlGroupServers {} => group_servers(&mut db).await,
        Probe::SqlBamRta { database } => bam_rta(&mut db, database).await,
        Probe::SqlSsoSecretServer { database } => sso_secret_server(&mut db, database).await,
        Probe::SqlBamFreeSpace { databases } => bam_space(&mut db, databases, expect).await,
        Probe::SqlRestorePoint {} => match db.require_tables(&["dbo.adm_BackupHistory"]).await {
            Ok(Some(v)) => Ok(v),
            Ok(None) => db.rows(&restore_queries::backup_history()).await.map(|rows| {
                let parsed: Vec<BackupRow> = rows.iter().filter_map(BackupRow::from_row).collect();
                judge_restore_point(&parsed, context.failure_time.as_ref())
            }),
            Err(e) => Err(e),
        },
        other => Ok(Verdict::error(format!("`{}` is not a SQL probe", other.kind_name()))),
    };
    result.unwrap_or_else(Verdict::error)
}

/// A connection with the per-query time limit.
struct Db<'a> {
    client: &'a mut SqlClient,
    limit: Duration,
}

impl Db<'_> {
    async fn rows(&mut self, sql: &str) -> Result<Vec<Row>, String> {
        query(self.client, sql, self.limit).await
    }

    /// Whether the first cell of the first row is a non-NULL value (an object or database id).
    async fn exists(&mut self, sql: &str) -> Result<bool, String> {
        Ok(self.rows(sql).await?.first().and_then(|r| r.first()).is_some_and(|c| *c != Cell::Null))
    }

    /// Probes the Management database's tables; an error verdict when one is missing, and a
    /// could-not-read when the login may not see the database's tables at all.
    async fn require_tables(&mut self, tables: &[&str]) -> Result<Option<Verdict>, String> {
        for table in tables {
            if !self.exists(&queries::object_id(table)).await? {
                if let Some(hidden) = self.hidden_tables(None, table).await? {
                    return Ok(Some(hidden));
                }
                return Ok(Some(Verdict::error(format!(
                    "table {table} is not in this database: is the connection's Database the BizTalk Management database?"
                ))));
            }
        }
        Ok(None)
    }

    /// `None` when `database` is on the instance; else `absent()`, or a could-not-read when
    /// the login lacks VIEW ANY DATABASE (SQL Server then hides databases it does not own).
    async fn absent_database(
        &mut self,
        database: &str,
        absent: impl FnOnce() -> Verdict,
    ) -> Result<Option<Verdict>, String> {
        if self.exists(&queries::database_id(database)).await? {
            return Ok(None);
        }
        let hidden =
            self.lacking(&[Right::ViewAnyDatabase], &format!("\"{database} is not on this instance\"")).await?;
        Ok(Some(hidden.unwrap_or_else(absent)))
    }

    /// What the login may read (sysadmin and each [`Right`]).
    async fn rights(&mut self) -> Result<Rights, String> {
        Ok(Rights::from_rows(&self.rows(&sql_rights::query()).await?))
    }

    /// The rights `needs` that the login lacks, as a could-not-read verdict.
    async fn lacking(&mut self, needs: &[Right], would_read_as: &str) -> Result<Option<Verdict>, String> {
        Ok(self.rights().await?.lacking(needs, would_read_as).map(Verdict::NoPermission))
    }

    /// After `OBJECT_ID` found no `table`: a could-not-read when the login lacks VIEW
    /// DEFINITION on the database (`None`: the current one), since SQL Server then hides
    /// tables it has no right on; `None` when the table is really absent.
    async fn hidden_tables(&mut self, database: Option<&str>, table: &str) -> Result<Option<Verdict>, String> {
        let rows = self.rows(&sql_rights::view_definition_query(database)).await?;
        if rows.first().and_then(|r| r.first()) == Some(&Cell::Int(1)) {
            return Ok(None);
        }
        let db = database.unwrap_or("the connection's database");
        Ok(Some(Verdict::NoPermission(format!(
            "could not read: {table} is not visible, and the login lacks VIEW DEFINITION on {db}, so SQL Server may hide a table it has no right on; grant the right or run the check as a sysadmin"
        ))))
    }
}

fn text_at(row: &Row, i: usize) -> Option<String> {
    row.get(i).and_then(Cell::text).map(|t| t.trim().to_string())
}

fn int_at(row: &Row, i: usize) -> Option<i64> {
    row.get(i).and_then(Cell::int)
}

/// The SQL Server release a major version number names.
pub fn sql_release(major: u64) -> &'static str {
    match major {
        10 => "SQL Server 2008 / 2008 R2",
        11 => "SQL Server 2012",
        12 => "SQL Server 2014",
        13 => "SQL Server 2016",
        14 => "SQL Server 2017",
        15 => "SQL Server 2019",
        16 => "SQL Server 2022",
        _ => "SQL Server",
    }
}

/// Version and edition against the lowest supported version (`expect.min_version`).
/// The instance's version and edition against what BizTalk Server 2016 supports: the release
/// and level from the knowledge's table of releases when given (SQL Server 2016, 2014 SP1 and
/// later; 2017 and later are not supported), the spec's minimum build in any case.
pub fn judge_server_version(
    rows: &[Row],
    expect: &Expect,
    platforms: Option<&crate::kb::matrix::Platforms>,
) -> Verdict {
    let Some(row) = rows.first() else { return Verdict::error("SERVERPROPERTY returned nothing") };
    let version_text = text_at(row, 0).unwrap_or_default();
    let Some(version) = parse_version(&version_text) else {
        return Verdict::error(format!("SQL Server reported version `{version_text}`, which is not a version"));
    };
    let edition = text_at(row, 1).unwrap_or_else(|| "unknown edition".into());
    let engine = int_at(row, 2).unwrap_or(0);
    let level = text_at(row, 3).unwrap_or_default();
    let release = sql_release(version[0]);
    let seen = format!("{release} {level} ({version_text}), {edition}");
    if matches!(engine, 5 | 6 | 8 | 9 | 11 | 12) {
        return Verdict::Miss(format!(
            "{seen}: an Azure SQL engine (EngineEdition {engine}); BizTalk Server 2016 needs SQL Server on Windows"
        ));
    }
    let min = expect.min_version.as_deref().and_then(parse_version).unwrap_or_default();
    if version < min {
        return Verdict::Miss(format!(
            "{seen}: older than {} that BizTalk Server 2016 needs (SQL Server 2016, or 2014 SP1 and later)",
            expect.min_version.as_deref().unwrap_or_default()
        ));
    }
    if let Some(p) = platforms {
        match p.sql_by_version(&version_text, &level) {
            Some(id) => match (id.release.lowest_supported(&p.target), id.level.as_deref()) {
                (None, _) => {
                    return Verdict::Miss(format!(
                        "{seen}: BizTalk Server {} does not support {} ({})",
                        p.target,
                        id.release.name,
                        id.release.support_text()
                    ))
                }
                (Some(min), Some(l)) if !id.release.level_reaches(l, min) => {
                    return Verdict::Miss(format!(
                        "{seen}: BizTalk Server {} needs {} {min} or later",
                        p.target, id.release.name
                    ))
                }
                _ => {}
            },
            None => {
                return Verdict::Miss(format!(
                    "{seen}: not a release the table of supported SQL Servers knows; BizTalk Server {} supports SQL Server 2016 and 2014 SP1",
                    p.target
                ))
            }
        }
    } else if version[0] > 13 {
        return Verdict::Warn(format!(
            "{seen}: newer than the SQL Server 2016 / 2014 SP1 that BizTalk Server 2016 lists"
        ));
    }
    if engine == 4 {
        return Verdict::Warn(format!("{seen}: Express edition is not recommended for BizTalk Server"));
    }
    Verdict::Pass(seen)
}

async fn backups(
    db: &mut Db<'_>,
    required: &[String],
    optional: &[String],
    expect: &Expect,
    blocker: bool,
) -> Result<Verdict, String> {
    use super::sql_backups::{self, GroupDatabase, Marks};
    let needs = [Right::ViewAnyDatabase, Right::MsdbBackupset];
    if let Some(v) = db.lacking(&needs, "a database missing or never backed up").await? {
        return Ok(v);
    }
    // The group's own list where this is its Management database; the guide's names if not.
    let group = if db.exists(&queries::object_id("dbo.adm_Group")).await?
        && db.exists(&queries::object_id("dbo.adm_MessageBox")).await?
    {
        let custom = db.exists(&queries::object_id("dbo.adm_OtherBackupDatabases")).await?;
        Some(GroupDatabase::from_rows(&db.rows(&sql_backups::queries::group_databases(custom)).await?))
    } else {
        None
    };
    let this_server = group
        .as_ref()
        .and_then(|g| g.iter().find(|d| d.role == "management"))
        .map(|d| d.server.clone())
        .unwrap_or_default();
    let scope = sql_backups::scope(required, optional, group.as_deref(), &this_server);
    let rows = db.rows(&sql_backups::queries::backups(&scope.names())).await?;
    let marks = if group.is_some() && db.exists(&queries::object_id("dbo.adm_BackupHistory")).await? {
        let history = db.rows(&restore_queries::backup_history()).await?;
        Marks::History(history.iter().filter_map(BackupRow::from_row).collect())
    } else {
        Marks::NotRead
    };
    Ok(sql_backups::judge(&rows, &scope, &marks, expect, blocker))
}

/// `run_status` values of `msdb.dbo.sysjobhistory`.
fn run_status(status: i64) -> &'static str {
    match status {
        0 => "failed",
        1 => "succeeded",
        2 => "retrying",
        3 => "was canceled",
        4 => "is in progress",
        _ => "ended in an unknown state",
    }
}

/// `run_date` (YYYYMMDD) and `run_time` (HHMMSS) as `YYYY-MM-DD HH:MM`.
fn run_when(date: Option<i64>, time: Option<i64>) -> String {
    match date {
        Some(d) if d > 0 => {
            let t = time.unwrap_or(0);
            format!("{:04}-{:02}-{:02} {:02}:{:02}", d / 10000, d / 100 % 100, d % 100, t / 10000, t / 100 % 100)
        }
        _ => "an unknown time".into(),
    }
}

/// The job exists, is enabled (unless `expect.enabled` is false) and its last run succeeded.
pub fn judge_agent_job(name: &str, rows: &[Row], expect: &Expect) -> Verdict {
    if rows.is_empty() {
        return Verdict::Miss(format!("no SQL Agent job named `{name} (...)` on this instance"));
    }
    // Several groups on one instance each have their job: the worst one decides.
    let verdicts: Vec<Verdict> = rows.iter().map(|row| judge_one_job(name, row, expect)).collect();
    let rank = |v: &Verdict| match v {
        Verdict::Miss(_) => 0,
        Verdict::Warn(_) => 1,
        _ => 2,
    };
    let worst = verdicts.iter().min_by_key(|v| rank(v)).cloned().unwrap_or_else(|| Verdict::error("no job row"));
    if verdicts.len() == 1 {
        return worst;
    }
    let all: Vec<String> = verdicts.iter().map(|v| v.detail().to_string()).collect();
    let joined = all.join("; ");
    match worst {
        Verdict::Miss(_) => Verdict::Miss(joined),
        Verdict::Warn(_) => Verdict::Warn(joined),
        _ => Verdict::Pass(joined),
    }
}

/// One job row against the expectation.
fn judge_one_job(name: &str, row: &Row, expect: &Expect) -> Verdict {
    let job = text_at(row, 0).unwrap_or_else(|| name.to_string());
    let enabled = int_at(row, 1) == Some(1);
    if expect.enabled.unwrap_or(true) && !enabled {
        return Verdict::Miss(format!(
            "`{job}` exists but is disabled (BizTalk creates it disabled; configure and enable it)"
        ));
    }
    match int_at(row, 2) {
        None => Verdict::Warn(format!("`{job}` is enabled but has no recorded run yet")),
        Some(1) => Verdict::Pass(format!(
            "`{job}` is enabled; last run succeeded at {}",
            run_when(int_at(row, 3), int_at(row, 4))
        )),
        Some(4) => Verdict::Pass(format!("`{job}` is enabled and running now")),
        Some(status) => Verdict::Miss(format!(
            "`{job}`: the last run {} at {}; see the job history",
            run_status(status),
            run_when(int_at(row, 3), int_at(row, 4))
        )),
    }
}

async fn agent_job(db: &mut Db<'_>, name: &str, expect: &Expect) -> Result<Verdict, String> {
    let needs = [Right::MsdbSysjobs, Right::MsdbSysjobhistory];
    if let Some(v) = db.lacking(&needs, "no such job, or a job that never ran,").await? {
        return Ok(v);
    }
    Ok(judge_agent_job(name, &db.rows(&queries::agent_job(name)).await?, expect))
}

async fn database_mail(db: &mut Db<'_>) -> Result<Verdict, String> {
    if let Some(v) = db.lacking(&[Right::MsdbSysmailProfile], "\"no profile\"").await? {
        return Ok(v);
    }
    Ok(judge_database_mail(&db.rows(&queries::database_mail()).await?))
}

async fn bam_space(db: &mut Db<'_>, databases: &[String], expect: &Expect) -> Result<Verdict, String> {
    let needs = [Right::ViewAnyDefinition, Right::ViewServerState];
    if let Some(v) = db.lacking(&needs, "\"no BAM database files\"").await? {
        return Ok(v);
    }
    Ok(judge_bam_space(&db.rows(&queries::bam_space(databases)).await?, expect))
}

/// Database Mail is enabled and has at least one profile.
pub fn judge_database_mail(rows: &[Row]) -> Verdict {
    let Some(row) = rows.first() else { return Verdict::error("the Database Mail query returned nothing") };
    let profiles = int_at(row, 0).unwrap_or(0);
    let enabled = int_at(row, 1) == Some(1);
    match (enabled, profiles) {
        (true, n) if n > 0 => Verdict::Pass(format!("Database Mail is enabled with {n} profile(s)")),
        (false, n) => Verdict::Miss(format!(
            "Database Mail XPs are disabled ({n} profile(s)); BAM Alerts in BizTalk Server 2016 need Database Mail"
        )),
        (true, _) => Verdict::Miss("Database Mail is enabled but has no profile; BAM Alerts need one".into()),
    }
}

async fn default_host(db: &mut Db<'_>, host: &str, adapter: &str) -> Result<Verdict, String> {
    if let Some(v) = db.require_tables(&["dbo.adm_Host", "dbo.adm_Group", "dbo.adm_Adapter"]).await? {
        return Ok(v);
    }
    let hosts = db.rows(&queries::hosts()).await?;
    let handlers = db.rows(&queries::adapter_handlers(adapter)).await?;
    Ok(judge_default_host(host, adapter, &hosts, &handlers))
}

/// The host exists and is both a receive and a send handler of the adapter (the upgrade
/// guide's condition: the default host must be associated with the SQL adapter); the detail
/// names the default host and the adapter's handler hosts.
pub fn judge_default_host(host: &str, adapter: &str, hosts: &[Row], handlers: &[Row]) -> Verdict {
    let names: Vec<String> = hosts.iter().filter_map(|r| text_at(r, 0)).collect();
    let default = hosts.iter().find(|r| int_at(r, 1) == Some(1)).and_then(|r| text_at(r, 0));
    let mut uses: Vec<String> =
        handlers.iter().filter_map(|r| Some(format!("{} ({})", text_at(r, 0)?, text_at(r, 1)?))).collect();
    uses.dedup();
    let handler_text = if uses.is_empty() {
        format!("the {adapter} adapter has no handlers")
    } else {
        format!("{adapter} adapter handlers: {}", uses.join(", "))
    };
    let default_text = default.map(|d| format!("default host {d}")).unwrap_or_else(|| "no default host".into());
    if names.iter().any(|n| n.eq_ignore_ascii_case(host)) {
        let handles = |direction: &str| {
            handlers.iter().any(|r| {
                text_at(r, 0).is_some_and(|h| h.eq_ignore_ascii_case(host))
                    && text_at(r, 1).is_some_and(|d| d.eq_ignore_ascii_case(direction))
            })
        };
        let missing: Vec<&str> = ["receive", "send"].into_iter().filter(|d| !handles(d)).collect();
        if missing.is_empty() {
            Verdict::Pass(format!("host {host} exists and is a receive and send handler of the {adapter} adapter; {default_text}; {handler_text}"))
        } else {
            Verdict::Miss(format!(
                "host {host} exists but is not a {} handler of the {adapter} adapter, which the upgrade needs; {default_text}; {handler_text}",
                missing.join(" or ")
            ))
        }
    } else {
        Verdict::Miss(format!(
            "host {host} does not exist ({} host(s): {}); {default_text}; {handler_text}",
            names.len(),
            names.join(", ")
        ))
    }
}

async fn biztalk_version(db: &mut Db<'_>, expect: &Expect) -> Result<Verdict, String> {
    if let Some(v) = db.require_tables(&["dbo.BizTalkDBVersion"]).await? {
        return Ok(v);
    }
    let rows = db.rows(&queries::biztalk_version()).await?;
    let here = match super::local::registry_value(BIZTALK_KEY, "ProductVersion", RegistryView::Both).await {
        _ if !cfg!(windows) => ThisComputer::NotRead(format!("not read on {}", current_os_name())),
        Ok(Some((value, _))) => ThisComputer::Version(value.data),
        Ok(None) => ThisComputer::NotInstalled,
        Err(e) => ThisComputer::NotRead(e),
    };
    Ok(judge_biztalk_version(&rows, expect, &here))
}

/// The BizTalk key whose `ProductVersion` names the release installed on a computer.
pub const BIZTALK_KEY: &str = r"HKLM\SOFTWARE\Microsoft\BizTalk Server\3.0";

/// What this computer's registry says about its own BizTalk release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThisComputer {
    /// `ProductVersion` as the registry holds it.
    Version(String),
    /// The key or value is absent: BizTalk is not installed here.
    NotInstalled,
    /// Not read, and why (another operating system, reg.exe failed).
    NotRead(String),
}

/// The BizTalk release a product `major.minor` names.
pub fn biztalk_release(major: i64, minor: i64) -> &'static str {
    match (major, minor) {
        (3, 10) => "BizTalk Server 2013",
        (3, 11) => "BizTalk Server 2013 R2",
        (3, 12) => "BizTalk Server 2016",
        (3, 13) => "BizTalk Server 2016 with a Feature Pack or BizTalk Server 2020",
        (3, 9) => "BizTalk Server 2010",
        (3, 8) => "BizTalk Server 2009",
        _ => "an unknown BizTalk release",
    }
}

/// The newest Management DB row against `expect.versions` (2013 R2 before the upgrade, 2016
/// after), then this computer's own release against it.
///
/// - 3.10 (BizTalk Server 2013) fails: every row of the upgrade guide's operating-system and
///   SQL Server matrices says "No" for 2013, so the environment has to be recreated.
/// - 3.13 cannot tell: BizTalk Server 2016 with a Feature Pack and BizTalk Server 2020 both
///   report it, and only a server's `ProductCodeCurrent` tells them apart.
/// - SQL records no server's own version: this computer's registry is compared when it can
///   be read; the other servers are named as not examined (compare their reports).
pub fn judge_biztalk_version(rows: &[Row], expect: &Expect, here: &ThisComputer) -> Verdict {
    let Some(row) = rows.first() else {
        return Verdict::Miss("BizTalkDBVersion has no `Management DB` row".into());
    };
    let part = |row: &Row, i| int_at(row, i).unwrap_or(0);
    let (major, minor) = (part(row, 0), part(row, 1));
    let version = format!("{major}.{minor}.{}.{}", part(row, 2), part(row, 3));
    let release = biztalk_release(major, minor);
    let mut history: Vec<String> =
        rows[1..].iter().map(|r| format!("{}.{}.{}.{}", part(r, 0), part(r, 1), part(r, 2), part(r, 3))).collect();
    history.dedup();
    let earlier = if history.is_empty() { String::new() } else { format!("; earlier rows: {}", history.join(", ")) };
    let seen = format!("the Management database records {release} ({version}){earlier}");
    if (major, minor) == (3, 13) {
        return Verdict::Undetermined(format!(
            "{seen}: 3.13 is reported by both, so the row cannot tell which; ProductCodeCurrent under {BIZTALK_KEY} on a server does ({{B084F3A7-3E8F-4E7B-B673-EED1715D28ED}} is 2016, {{205F5836-7512-4A06-9E74-ADC8AFA0EEC5}} is 2020)"
        ));
    }
    let allowed = expect.versions.clone().unwrap_or_default();
    let listed = allowed
        .iter()
        .filter_map(|v| parse_version(v))
        .any(|v| v.len() >= 2 && v[0] as i64 == major && v[1] as i64 == minor);
    if (major, minor) == (3, 10) {
        return Verdict::Miss(format!(
            "{seen}: the upgrade guide supports no upgrade from BizTalk Server 2013 (\"No\" in every operating-system and SQL Server row), so the environment has to be recreated"
        ));
    }
    if !listed {
        return Verdict::Miss(format!("{seen}; this check expects one of {}", allowed.join(", ")));
    }
    let others = "the other servers' own versions are not in SQL: run this check on each, or compare their reports (bts-doctor compare, fact biztalk.version)";
    match here {
        ThisComputer::Version(v) => {
            let mine = parse_version(v).unwrap_or_default();
            if mine.len() >= 2 && (mine[0] as i64, mine[1] as i64) != (major, minor) {
                return Verdict::Miss(format!(
                    "{seen}, but this computer has {} ({v}): the group runs two BizTalk versions",
                    biztalk_release(mine[0] as i64, mine[1] as i64)
                ));
            }
            Verdict::Pass(format!("{seen}; this computer has {v} too; {others}"))
        }
        ThisComputer::NotInstalled => Verdict::Pass(format!(
            "{seen}; BizTalk is not installed on this computer ({BIZTALK_KEY} has no ProductVersion); {others}"
        )),
        ThisComputer::NotRead(why) => {
            Verdict::Pass(format!("{seen}; this computer's own version was not read ({why}); {others}"))
        }
    }
}

async fn group_servers(db: &mut Db<'_>) -> Result<Verdict, String> {
    if let Some(v) = db.require_tables(&["dbo.adm_Server"]).await? {
        return Ok(v);
    }
    let names: Vec<String> = db.rows(&queries::group_servers()).await?.iter().filter_map(|r| text_at(r, 0)).collect();
    Ok(match names.len() {
        0 => Verdict::Warn("no server is joined to the group".into()),
        1 => Verdict::Pass(format!("1 server in the group: {}", names[0])),
        n => Verdict::Pass(format!("{n} servers in the group: {}; upgrade them one at a time", names.join(", "))),
    })
}

async fn bam_rta(db: &mut Db<'_>, database: &str) -> Result<Verdict, String> {
    if let Some(absent) = db
        .absent_database(database, || {
            Verdict::Skip(format!("{database} is not on this instance (BAM not configured here)"))
        })
        .await?
    {
        return Ok(absent);
    }
    let table = queries::table_in(database, "bam_Metadata_RealTimeAggregations");
    if !db.exists(&queries::object_id(&table)).await? {
        if let Some(hidden) = db.hidden_tables(Some(database), "bam_Metadata_RealTimeAggregations").await? {
            return Ok(hidden);
        }
        return Ok(Verdict::Pass(format!("{database} has no real-time aggregation table")));
    }
    let count = db.rows(&queries::bam_rta_count(database)).await?.first().and_then(|r| int_at(r, 0)).unwrap_or(0);
    let server = db.rows(&queries::server_version()).await?;
    Ok(judge_bam_rta(count, &server))
}

/// RTAs deployed on a non-Enterprise engine block the upgrade.
pub fn judge_bam_rta(rta_count: i64, server_rows: &[Row]) -> Verdict {
    let row = server_rows.first();
    let engine = row.and_then(|r| int_at(r, 2)).unwrap_or(0);
    let edition = row.and_then(|r| text_at(r, 1)).unwrap_or_else(|| "unknown edition".into());
    match (rta_count, engine) {
        (0, _) => Verdict::Pass(format!("no BAM real-time aggregations deployed ({edition})")),
        (n, 3) => Verdict::Pass(format!("{n} real-time aggregation(s) on {edition}, which supports them")),
        (n, _) => Verdict::Miss(format!(
            "{n} real-time aggregation(s) deployed but SQL Server is {edition}; RTA needs Enterprise Edition"
        )),
    }
}

async fn sso_secret_server(db: &mut Db<'_>, database: &str) -> Result<Verdict, String> {
    if let Some(absent) = db
        .absent_database(database, || {
            Verdict::Skip(format!(
                "{database} is not on this instance; run the check against the SSO database's server"
            ))
        })
        .await?
    {
        return Ok(absent);
    }
    if !db.exists(&queries::object_id(&queries::table_in(database, "SSOX_GlobalInfo"))).await? {
        if let Some(hidden) = db.hidden_tables(Some(database), "SSOX_GlobalInfo").await? {
            return Ok(hidden);
        }
        return Ok(Verdict::error(format!("{database} has no SSOX_GlobalInfo table: is it the SSO database?")));
    }
    let secret = db.rows(&queries::sso_secret_server(database)).await?.first().and_then(|r| text_at(r, 0));
    // The group's servers are context only: SSODB may sit on an instance without the
    // Management database, and a master secret server outside the group is normal.
    let servers = if db.exists(&queries::object_id("dbo.adm_Server")).await? {
        Some(db.rows(&queries::group_servers()).await?.iter().filter_map(|r| text_at(r, 0)).collect::<Vec<_>>())
    } else {
        None
    };
    let here = if cfg!(windows) { std::env::var("COMPUTERNAME").ok() } else { None };
    Ok(judge_sso_secret_server(secret.as_deref(), servers.as_deref(), here.as_deref()))
}

/// The master secret server SSODB records (`SSOX_GlobalInfo.gi_SecretServer`), which the
/// upgrade needs running and which is upgraded first.
///
/// Only a missing name fails. Where it sits — this computer, one of the group's servers
/// (`adm_Server`), or a dedicated or clustered server outside the group — is told as
/// information: each is a supported layout. `adm_Group.SSOServerName` is not compared: it
/// names the SSO server the group's runtime uses, which need not be the master secret server.
pub fn judge_sso_secret_server(secret: Option<&str>, group_servers: Option<&[String]>, here: Option<&str>) -> Verdict {
    let short = |name: &str| name.trim().split('.').next().unwrap_or("").to_ascii_lowercase();
    let secret = match secret.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            return Verdict::Miss(
                "SSODB records no master secret server (SSOX_GlobalInfo.gi_SecretServer is empty): SSO has no \
                 master secret to upgrade with"
                    .into(),
            )
        }
        Some(s) => s,
    };
    let name = short(secret);
    let is_here = here.is_some_and(|h| short(h) == name);
    let place = match group_servers {
        _ if is_here => "this computer".to_string(),
        Some(servers) if servers.iter().any(|s| short(s) == name) => "one of the group's BizTalk servers".to_string(),
        Some([]) => "the group lists no BizTalk server to compare with".to_string(),
        Some(servers) => format!(
            "not one of the group's BizTalk servers ({}): a dedicated or clustered master secret server, \
             which is normal",
            servers.join(", ")
        ),
        None => "the group's servers were not read (no adm_Server on this instance)".to_string(),
    };
    Verdict::Pass(format!(
        "master secret server {secret} ({place}); upgrade it first and keep its ENTSSO service and SSODB's SQL \
         Server running throughout"
    ))
}

/// Each volume holding BAM files has at least `free_ratio` × their size free.
pub fn judge_bam_space(rows: &[Row], expect: &Expect) -> Verdict {
    let ratio = expect.free_ratio.unwrap_or(1.0);
    if rows.is_empty() {
        return Verdict::Skip("no BAM database files on this instance (BAM not configured here)".into());
    }
    let mut volumes: Vec<(String, i64, i64)> = Vec::new();
    for row in rows {
        let volume = text_at(row, 1).unwrap_or_default();
        let (size, free) = (int_at(row, 2).unwrap_or(0), int_at(row, 3).unwrap_or(0));
        match volumes.iter_mut().find(|(v, _, _)| *v == volume) {
            Some(entry) => entry.1 += size,
            None => volumes.push((volume, size, free)),
        }
    }
    let short: Vec<String> = volumes
        .iter()
        .filter(|(_, size, free)| (*free as f64) < *size as f64 * ratio)
        .map(|(v, size, free)| format!("{v} has {free} MiB free for {size} MiB of BAM files"))
        .collect();
    let total: i64 = volumes.iter().map(|(_, s, _)| s).sum();
    if short.is_empty() {
        Verdict::Pass(format!("{} volume(s) hold {total} MiB of BAM files and have enough free space", volumes.len()))
    } else {
        Verdict::Miss(short.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Cell::{Int, Null, Text};

    fn t(s: &str) -> Cell {
        Text(s.into())
    }

    #[test]
    fn the_default_host_must_exist_and_handle_the_sql_adapter_both_ways() {
        let hosts = vec![vec![t("BizTalkServerApplication"), Int(1)], vec![t("SqlHost"), Int(0)]];
        let both =
            vec![vec![t("BizTalkServerApplication"), t("receive")], vec![t("BizTalkServerApplication"), t("send")]];
        let judge = |handlers: &[Row]| judge_default_host("BizTalkServerApplication", "SQL", &hosts, handlers);
        assert!(matches!(judge(&both), Verdict::Pass(d) if d.contains("receive and send handler")));
        // The host exists but the SQL adapter's ports were moved to another host (issue 14 item 3).
        let moved = vec![vec![t("SqlHost"), t("receive")], vec![t("SqlHost"), t("send")]];
        assert!(
            matches!(judge(&moved), Verdict::Miss(d) if d.contains("not a receive or send handler") && d.contains("SqlHost (receive)"))
        );
        let send_only = vec![vec![t("BizTalkServerApplication"), t("send")]];
        assert!(matches!(judge(&send_only), Verdict::Miss(d) if d.contains("not a receive handler")));
        assert!(matches!(judge(&[]), Verdict::Miss(d) if d.contains("has no handlers")));
        let no_host = judge_default_host("BizTalkServerApplication", "SQL", &[vec![t("SqlHost"), Int(1)]], &moved);
        assert!(matches!(no_host, Verdict::Miss(d) if d.contains("does not exist")));
    }

    #[test]
    fn sql_server_versions_are_judged_against_the_minimum() {
        let expect = Expect { min_version: Some("12.0.4100".into()), ..Default::default() };
        let row = |v: &str, ed: &str, eng: i64| vec![vec![t(v), t(ed), Int(eng), t("SP1")]];
        assert!(
            matches!(judge_server_version_t(&row("13.0.5026.0", "Enterprise Edition (64-bit)", 3), &expect), Verdict::Pass(d) if d.contains("SQL Server 2016"))
        );
        assert!(
            matches!(judge_server_version_t(&row("12.0.2000.8", "Standard Edition (64-bit)", 2), &expect), Verdict::Miss(d) if d.contains("older than 12.0.4100"))
        );
        assert!(
            matches!(judge_server_version_t(&row("11.0.7001.0", "Enterprise Edition", 3), &expect), Verdict::Miss(d) if d.contains("SQL Server 2012"))
        );
        assert!(matches!(judge_server_version_t(&row("13.0.1601.5", "Express Edition", 4), &expect), Verdict::Warn(_)));
        assert!(
            matches!(judge_server_version_t(&row("12.0.2000.8", "SQL Azure", 5), &expect), Verdict::Miss(d) if d.contains("Azure"))
        );
        // With the knowledge's table of releases: 2017 and later are not supported, the level counts.
        let kb = crate::kb::KnowledgeBase::embedded().unwrap();
        let p = &kb.matrices().unwrap().platforms;
        let with = |v: &str, level: &str| {
            let mut r = row(v, "Enterprise Edition (64-bit)", 3);
            r[0][3] = Cell::Text(level.into());
            judge_server_version(&r, &expect, Some(p))
        };
        assert!(
            matches!(with("14.0.3456.2", "RTM"), Verdict::Miss(d) if d.contains("does not support SQL Server 2017"))
        );
        assert!(matches!(with("15.0.2000.5", "RTM"), Verdict::Miss(_)));
        assert!(matches!(with("12.0.4100.1", "SP1"), Verdict::Pass(_)));
        assert!(matches!(with("12.0.6024.0", "SP3"), Verdict::Pass(_)));
        assert!(matches!(with("13.0.1601.5", "RTM"), Verdict::Pass(d) if d.contains("SQL Server 2016")));
    }

    fn judge_server_version_t(rows: &[Row], expect: &Expect) -> Verdict {
        judge_server_version(rows, expect, None)
    }

    #[test]
    fn agent_jobs_must_exist_be_enabled_and_have_succeeded() {
        let e = Expect::default();
        assert!(
            matches!(judge_agent_job("Backup BizTalk Server", &[], &e), Verdict::Miss(d) if d.contains("no SQL Agent job"))
        );
        let disabled = vec![vec![t("Backup BizTalk Server (BizTalkMgmtDb)"), Int(0), Null, Null, Null]];
        assert!(
            matches!(judge_agent_job("Backup BizTalk Server", &disabled, &e), Verdict::Miss(d) if d.contains("disabled"))
        );
        let failed = vec![vec![t("DTA Purge and Archive (BizTalkDTADb)"), Int(1), Int(0), Int(20261123), Int(231500)]];
        assert!(
            matches!(judge_agent_job("DTA Purge and Archive", &failed, &e), Verdict::Miss(d) if d.contains("failed at 2026-11-23 23:15"))
        );
        let ok = vec![vec![t("Backup BizTalk Server (BizTalkMgmtDb)"), Int(1), Int(1), Int(20261124), Int(1500)]];
        assert!(matches!(judge_agent_job("Backup BizTalk Server", &ok, &e), Verdict::Pass(d) if d.contains("00:15")));
        let two_groups =
            vec![ok[0].clone(), vec![t("Backup BizTalk Server (BizTalkMgmtDb2)"), Int(0), Null, Null, Null]];
        assert!(
            matches!(judge_agent_job("Backup BizTalk Server", &two_groups, &e), Verdict::Miss(d) if d.contains("BizTalkMgmtDb2)` exists but is disabled") && d.contains("00:15"))
        );
    }

    #[test]
    fn biztalk_versions_2013_fails_3_13_cannot_tell_and_this_computer_must_match() {
        let e = Expect { versions: Some(vec!["3.11".into(), "3.12".into()]), ..Default::default() };
        let row = |a: i64, b: i64, c: i64, d: i64| vec![Int(a), Int(b), Int(c), Int(d), Null];
        let not_read = ThisComputer::NotRead("not read on Linux".into());
        // 2013 is "No" in every matrix row (issue 14 item 2: it passed before).
        let v = judge_biztalk_version(&[row(3, 10, 229, 0)], &e, &not_read);
        assert!(
            matches!(&v, Verdict::Miss(d) if d.contains("BizTalk Server 2013 (3.10.229.0)") && d.contains("recreated")),
            "{v:?}"
        );
        // 3.13 is 2016 with a Feature Pack or 2020: it cannot tell (it passed as 2016 before).
        let v = judge_biztalk_version(&[row(3, 13, 717, 0)], &e, &not_read);
        assert!(
            matches!(&v, Verdict::Undetermined(d) if d.contains("2020") && d.contains("ProductCodeCurrent")),
            "{v:?}"
        );
        // The database says 2016, this computer still runs 2013 R2: two versions in one group.
        let here = ThisComputer::Version("3.11.158.0".into());
        let v = judge_biztalk_version(&[row(3, 12, 774, 0), row(3, 11, 158, 0)], &e, &here);
        assert!(
            matches!(&v, Verdict::Miss(d) if d.contains("this computer has BizTalk Server 2013 R2 (3.11.158.0)") && d.contains("earlier rows: 3.11.158.0")),
            "{v:?}"
        );
        let same = ThisComputer::Version("3.12.774.0".into());
        let v = judge_biztalk_version(&[row(3, 12, 774, 0)], &e, &same);
        assert!(
            matches!(&v, Verdict::Pass(d) if d.contains("3.12.774.0 too") && d.contains("bts-doctor compare")),
            "{v:?}"
        );
        let v = judge_biztalk_version(&[row(3, 11, 158, 0)], &e, &not_read);
        assert!(matches!(&v, Verdict::Pass(d) if d.contains("was not read (not read on Linux)")), "{v:?}");
        let v = judge_biztalk_version(&[row(3, 9, 469, 0)], &e, &ThisComputer::NotInstalled);
        assert!(matches!(&v, Verdict::Miss(d) if d.contains("BizTalk Server 2010")), "{v:?}");
        assert!(matches!(judge_biztalk_version(&[], &e, &not_read), Verdict::Miss(_)));
    }

    #[test]
    fn the_master_secret_server_is_reported_where_it_sits_and_only_its_absence_fails() {
        let group = vec!["BTS01".to_string(), "BTS02".to_string()];
        let text = |v: Verdict| match v {
            Verdict::Pass(t) => t,
            other => panic!("expected a pass, got {other:?}"),
        };
        let member = text(judge_sso_secret_server(Some("bts01.contoso.local"), Some(&group), None));
        assert!(member.contains("one of the group's BizTalk servers"), "{member}");
        // A dedicated or clustered master secret server is a supported layout, not a failure.
        let dedicated = text(judge_sso_secret_server(Some("SSOCLUSTER"), Some(&group), None));
        assert!(dedicated.contains("not one of the group's BizTalk servers (BTS01, BTS02)"), "{dedicated}");
        let here = text(judge_sso_secret_server(Some("SSO01.contoso.local"), Some(&group), Some("sso01")));
        assert!(here.contains("(this computer)"), "{here}");
        let unread = text(judge_sso_secret_server(Some("SSO01"), None, None));
        assert!(unread.contains("not read"), "{unread}");
        assert!(matches!(judge_sso_secret_server(None, Some(&group), None), Verdict::Miss(_)));
        assert!(matches!(judge_sso_secret_server(Some("  "), Some(&group), None), Verdict::Miss(_)));
    }

    #[test]
    fn bam_space_adds_databases_that_share_a_volume() {
        let e = Expect { free_ratio: Some(1.0), ..Default::default() };
        let rows = vec![
            vec![t("BAMArchive"), t("E:\\"), Int(600), Int(1000)],
            vec![t("BAMPrimaryImport"), t("E:\\"), Int(500), Int(1000)],
        ];
        assert!(matches!(judge_bam_space(&rows, &e), Verdict::Miss(d) if d.contains("1100 MiB")));
        assert!(matches!(judge_bam_space(&rows[..1], &e), Verdict::Pass(_)));
        assert!(matches!(judge_bam_space(&[], &e), Verdict::Skip(_)));
    }

    #[test]
    fn every_query_passes_the_read_only_guard() {
        let names = vec!["BizTalkMgmtDb".to_string(), "O'Brien".to_string()];
        for sql in [
            queries::server_version(),
            queries::object_id("dbo.adm_Host"),
            queries::database_id("SSODB"),
            super::super::sql_backups::queries::backups(&names),
            super::super::sql_backups::queries::group_databases(true),
            queries::agent_job("Backup BizTalk Server"),
            queries::database_mail(),
            queries::hosts(),
            queries::adapter_handlers("SQL"),
            queries::biztalk_version(),
            queries::group_servers(),
            queries::bam_rta_count("BAMPrimaryImport"),
            queries::sso_secret_server("SSODB"),
            queries::bam_space(&names),
            restore_queries::backup_history(),
            queries::server_version(),
            queries::object_id("dbo.adm_BackupHistory"),
            queries::database_id("SSODB"),
        ] {
            assert_eq!(crate::checks::sql_guard::check(&sql), Ok(()), "{sql}");
        }
        assert!(super::super::sql_backups::queries::backups(&names).contains("N'O''Brien'"));
        assert_eq!(queries::ident("a]b"), "[a]]b]");
    }
}
