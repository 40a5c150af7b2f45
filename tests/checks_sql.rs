//! The SQL checks end to end: real tiberius over TCP on 127.0.0.1 against `mssql-mock-tds`
//! serving the rows of a healthy, an unhealthy and a half-upgraded BizTalk group, in plaintext
//! and with strict (TDS 8.0) TLS; refused connections, a wrong password, a silent server and a
//! slow query; the read-only guard in front of the wire; and no password in any output.
//!
//! The mock answers an unregistered query with an empty result, so every assertion below is
//! on a value only the registered rows can produce.

use assert_cmd::Command;
use bts_doctor::checks::runner::{self, Job, RunOptions};
use bts_doctor::checks::sql::{self, SqlTarget, TargetSource};
use bts_doctor::checks::sql_probes::queries;
use bts_doctor::checks::{CheckResult, Status};
use bts_doctor::kb::{CheckSpec, KnowledgeBase};
use mssql_mock_tds::protocol::{build_prelogin_response, build_terminal_error_tokens, PacketHeader, PacketType};
use mssql_mock_tds::TerminalError;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

#[path = "support/mock_sql.rs"]
mod mock_sql;
use mock_sql::*;

// ---------------------------------------------------------------- running the checks

fn kb() -> Arc<KnowledgeBase> {
    Arc::new(KnowledgeBase::embedded().expect("embedded knowledge loads"))
}

/// Every SQL check of the embedded knowledge, plus the TCP check of the SQL port.
fn sql_specs(kb: &KnowledgeBase) -> Vec<CheckSpec> {
    kb.checks()
        .iter()
        .filter(|c| (c.probe.is_sql() || c.id == "local-sql-port") && !c.is_guide_only())
        .cloned()
        .collect()
}

fn target(addr: SocketAddr, extra: &str) -> SqlTarget {
    let text = format!("Server=tcp:127.0.0.1,{};Database=BizTalkMgmtDb;User ID=bts_check;Password={{{PASSWORD}}};Connect Timeout=5;Command Timeout=5;{extra}", addr.port());
    SqlTarget::from_connection_string(&text, TargetSource::ConnectionString).expect("the test connection string parses")
}

async fn run(target: SqlTarget) -> Vec<CheckResult> {
    let kb = kb();
    let specs = sql_specs(&kb);
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let job = Job { kb, specs, target: Some(target), options: RunOptions::default() };
    tokio::time::timeout(Duration::from_secs(60), runner::run(job, tx, CancellationToken::new()))
        .await
        .expect("the checks finish; nothing hangs")
}

fn get<'a>(results: &'a [CheckResult], id: &str) -> &'a CheckResult {
    results.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no result for {id}"))
}

/// Asserts a check's status and that its detail holds `needle`.
#[track_caller]
fn expect(results: &[CheckResult], id: &str, status: Status, needle: &str) {
    let r = get(results, id);
    assert_eq!(r.status, status, "{id}: {}", r.detail);
    assert!(r.detail.contains(needle), "{id}: `{}` does not contain `{needle}`", r.detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_group_passes_every_sql_check_in_plaintext() {
    let mock = plaintext_mock(&healthy()).await;
    let results = run(target(mock.addr, "Encrypt=DANGER_PLAINTEXT")).await;
    expect(&results, "sql-connection", Status::Pass, "read-only");
    expect(
        &results,
        "sql-server-version",
        Status::Pass,
        "SQL Server 2016 SP2 (13.0.5026.0), Enterprise Edition (64-bit)",
    );
    expect(
        &results,
        "sql-database-backups",
        Status::Pass,
        "7 database(s) checked (names from the Management database)",
    );
    expect(
        &results,
        "sql-database-backups",
        Status::Pass,
        "newest mark BTS_2026_11_24_01_15_00_123 (2026-11-24 01:15:00) covers all 5",
    );
    expect(
        &results,
        "sql-database-backups",
        Status::Pass,
        "on another instance, not examined here: OrdersArchive on SQL02",
    );
    expect(
        &results,
        "sql-backup-job",
        Status::Pass,
        "Backup BizTalk Server (BizTalkMgmtDb)` is enabled; last run succeeded at 2026-11-23 23:15",
    );
    expect(&results, "sql-dta-purge-job", Status::Pass, "DTA Purge and Archive (BizTalkDTADb)");
    expect(&results, "sql-database-mail", Status::Pass, "2 profile(s)");
    expect(
        &results,
        "sql-default-host",
        Status::Pass,
        "SQL adapter handlers: BizTalkServerApplication (receive), BizTalkServerApplication (send)",
    );
    expect(&results, "sql-biztalk-version", Status::Pass, "BizTalk Server 2013 R2 (3.11.158.0)");
    expect(&results, "sql-group-servers", Status::Pass, "2 servers in the group: BTS01, BTS02");
    expect(&results, "sql-bam-rta-edition", Status::Pass, "2 real-time aggregation(s) on Enterprise Edition");
    expect(
        &results,
        "sql-sso-secret-server",
        Status::Pass,
        "master secret server SSOCLUSTER.contoso.local (not one of the group's BizTalk servers (BTS01, BTS02): a dedicated or clustered master secret server, which is normal)",
    );
    expect(&results, "sql-bam-free-space", Status::Pass, "5000 MiB of BAM files");
    expect(&results, "local-sql-port", Status::Pass, &format!("127.0.0.1:{} accepts connections", mock.addr.port()));
    assert!(results.iter().all(|r| r.status == Status::Pass), "{results:#?}");
    assert!(results.iter().all(|r| r.fix.is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unhealthy_group_fails_with_the_entry_and_fix_for_each_problem() {
    let mock = plaintext_mock(&unhealthy()).await;
    let results = run(target(mock.addr, "Encrypt=DANGER_PLAINTEXT")).await;
    expect(&results, "sql-connection", Status::Pass, "logged in");
    expect(
        &results,
        "sql-server-version",
        Status::Fail,
        "SQL Server 2014 SP2 (12.0.2000.8), Standard Edition (64-bit): older than 12.0.4100",
    );
    let backups = get(&results, "sql-database-backups");
    assert_eq!(backups.status, Status::Fail);
    for needle in [
        // OrdersArchive is only known from adm_OtherBackupDatabases; EDI was not read before.
        "missing: BizTalkDTADb, OrdersArchive",
        "never fully backed up: BizTalkMgmtDb",
        "last full backup older than 26 h: BizTalkMsgBoxDb (16 days), BizTalkEDIDb (6 days)",
    ] {
        assert!(backups.detail.contains(needle), "{}", backups.detail);
    }
    expect(&results, "sql-backup-job", Status::Fail, "no SQL Agent job named `Backup BizTalk Server (...)`");
    expect(
        &results,
        "sql-dta-purge-job",
        Status::Fail,
        "`DTA Purge and Archive (BizTalkDTADb)` exists but is disabled",
    );
    expect(&results, "sql-database-mail", Status::Warn, "Database Mail XPs are disabled");
    expect(
        &results,
        "sql-default-host",
        Status::Fail,
        "host BizTalkServerApplication does not exist (1 host(s): SqlAdapterHost)",
    );
    expect(&results, "sql-biztalk-version", Status::Fail, "BizTalk Server 2010 (3.9.469.0)");
    expect(&results, "sql-group-servers", Status::Warn, "no server is joined");
    expect(
        &results,
        "sql-bam-rta-edition",
        Status::Fail,
        "3 real-time aggregation(s) deployed but SQL Server is Standard Edition (64-bit)",
    );
    expect(&results, "sql-sso-secret-server", Status::Fail, "SSODB records no master secret server");
    expect(&results, "sql-bam-free-space", Status::Fail, "E:\\ has 4000 MiB free for 9000 MiB of BAM files");

    let host = get(&results, "sql-default-host");
    assert_eq!(host.issue_id.as_deref(), Some("host-default-host-missing"));
    assert!(host.fix.as_deref().is_some_and(|f| !f.is_empty()), "a failure names its fix step");
    let sso = get(&results, "sql-sso-secret-server");
    assert_eq!(sso.issue_id.as_deref(), Some("sso-master-secret-server-required-during-upgrade"));
    let rta = get(&results, "sql-bam-rta-edition");
    assert_eq!(rta.issue_id.as_deref(), Some("bam-rta-requires-sql-enterprise"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_upgraded_group_shows_2016_with_its_jobs_still_to_configure_over_strict_tls() {
    let mock = strict_tls_mock(&half_upgraded()).await;
    let results = run(target(mock.addr, "Encrypt=strict;TrustServerCertificate=true")).await;
    expect(&results, "sql-connection", Status::Pass, "logged in");
    expect(&results, "sql-biztalk-version", Status::Pass, "BizTalk Server 2016 (3.12.774.0)");
    expect(&results, "sql-backup-job", Status::Fail, "exists but is disabled");
    expect(&results, "sql-dta-purge-job", Status::Fail, "exists but is disabled");
    expect(&results, "sql-database-mail", Status::Warn, "enabled but has no profile");
    // A blocker fails at the warning age: a day and a half is not a backup for this upgrade.
    expect(
        &results,
        "sql-database-backups",
        Status::Fail,
        "last full backup older than 26 h: master (36 h), msdb (36 h), BizTalkMgmtDb (36 h)",
    );
    expect(
        &results,
        "sql-default-host",
        Status::Pass,
        "host BizTalkServerApplication exists and is a receive and send handler",
    );
    let job = get(&results, "sql-backup-job");
    assert_eq!(job.issue_id.as_deref(), Some("sql-agent-jobs-reconfigure"));
}

/// A login with too few rights sees fewer rows, not an error: every check that reads such rows
/// says it could not read, names the right, and never reports "missing", "never backed up",
/// "no job" or "no BAM files" (issue 14 item 10; before, each of these failed or skipped on
/// the hidden rows).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_with_too_few_rights_gets_could_not_read_instead_of_missing() {
    let mock = plaintext_mock(&restricted()).await;
    let results = run(target(mock.addr, "Encrypt=DANGER_PLAINTEXT")).await;
    for (id, right) in [
        ("sql-database-backups", "VIEW ANY DATABASE, SELECT on msdb.dbo.backupset"),
        ("sql-backup-job", "SELECT on msdb.dbo.sysjobs, SELECT on msdb.dbo.sysjobhistory"),
        ("sql-dta-purge-job", "SELECT on msdb.dbo.sysjobs"),
        ("sql-database-mail", "SELECT on msdb.dbo.sysmail_profile"),
        ("sql-bam-free-space", "VIEW ANY DEFINITION (or ALTER ANY DATABASE), VIEW SERVER STATE"),
        ("sql-bam-rta-edition", "VIEW ANY DATABASE"),
        ("sql-sso-secret-server", "VIEW DEFINITION on SSODB"),
    ] {
        let r = get(&results, id);
        assert_eq!(r.status, Status::Error, "{id}: {}", r.detail);
        assert_eq!(r.outcome, bts_doctor::checks::Outcome::Unknown, "{id}");
        assert_eq!(r.unknown_reason, Some(bts_doctor::checks::UnknownReason::NoPermission), "{id}");
        assert!(r.detail.starts_with("could not read") && r.detail.contains(right), "{id}: {}", r.detail);
        assert!(r.fix.is_none(), "{id}: rights, not the entry's fix, mend a read that was not allowed");
        for wrong in ["missing:", "never fully backed up", "no SQL Agent job", "not on this instance (BAM"] {
            assert!(!r.detail.starts_with(wrong), "{id}: {}", r.detail);
        }
    }
    // Checks that need none of these rights still answer.
    expect(&results, "sql-server-version", Status::Pass, "SQL Server 2016");
    expect(&results, "sql-group-servers", Status::Pass, "BTS01, BTS02");
}

// ---------------------------------------------------------------- connection failures

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_is_network_error_40_for_every_sql_check() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let results = run(target(addr, "Encrypt=DANGER_PLAINTEXT")).await;
    let conn = get(&results, "sql-connection");
    assert_eq!(conn.status, Status::Fail, "the connection check establishes that connecting fails");
    assert_eq!(conn.issue_id.as_deref(), Some(sql::NETWORK_ERROR_40));
    assert!(conn.detail.contains(&format!("cannot open a connection to 127.0.0.1:{}", addr.port())), "{}", conn.detail);
    let version = get(&results, "sql-server-version");
    assert_eq!(version.status, Status::Skipped, "the connection check carries the error");
    assert_eq!(version.detail, "not run: the SQL connection failed (see sql-connection)");
    assert_eq!(get(&results, "local-sql-port").status, Status::Fail);

    // Without the connection check in the run, each SQL check reports the failure itself.
    let kb = kb();
    let only = vec![kb.check("sql-server-version").cloned().unwrap()];
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let job =
        Job { kb, specs: only, target: Some(target(addr, "Encrypt=DANGER_PLAINTEXT")), options: RunOptions::default() };
    let results = runner::run(job, tx, CancellationToken::new()).await;
    assert_eq!(results[0].status, Status::Error);
    assert!(results[0].detail.starts_with("not run: the SQL connection failed (cannot open"), "{}", results[0].detail);
    assert_eq!(results[0].issue_id.as_deref(), Some(sql::NETWORK_ERROR_40));
}

/// A TDS server that answers the pre-login, then refuses the login with error 18456.
async fn login_refuser() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                read_packet(&mut s).await?;
                s.write_all(&build_prelogin_response()).await?;
                read_packet(&mut s).await?;
                let tokens =
                    build_terminal_error_tokens(&TerminalError::new(18456, 14, "Login failed for user 'bts_check'."));
                let mut packet = Vec::new();
                PacketHeader::new(PacketType::TabularResult, (8 + tokens.len()) as u16, 1).write(&mut packet);
                packet.extend_from_slice(&tokens);
                s.write_all(&packet).await?;
                s.shutdown().await
            });
        }
    });
    addr
}

async fn read_packet(s: &mut TcpStream) -> std::io::Result<Vec<u8>> {
    let mut header = [0u8; 8];
    s.read_exact(&mut header).await?;
    let len = u16::from_be_bytes([header[2], header[3]]) as usize;
    let mut body = vec![0u8; len.saturating_sub(8)];
    s.read_exact(&mut body).await?;
    Ok(body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_login_failed_18456() {
    let addr = login_refuser().await;
    let results = run(target(addr, "Encrypt=DANGER_PLAINTEXT")).await;
    let conn = get(&results, "sql-connection");
    assert_eq!(conn.status, Status::Fail, "the connection check establishes that connecting fails");
    assert_eq!(conn.issue_id.as_deref(), Some(sql::LOGIN_FAILED));
    assert!(
        conn.detail.contains("refused the login (error 18456): Login failed for user 'bts_check'."),
        "{}",
        conn.detail
    );
    assert!(conn.fix.is_some());
    assert!(results.iter().all(|r| !r.detail.contains(PASSWORD)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_times_out_instead_of_hanging() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let text =
        format!("Server=tcp:127.0.0.1,{};User ID=x;Password=y;Connect Timeout=1;Encrypt=DANGER_PLAINTEXT", addr.port());
    let results = run(SqlTarget::from_connection_string(&text, TargetSource::ConnectionString).unwrap()).await;
    let conn = get(&results, "sql-connection");
    assert_eq!(conn.status, Status::Fail, "the connection check establishes that connecting fails");
    assert_eq!(conn.issue_id.as_deref(), Some(sql::NETWORK_ERROR_40));
    assert!(conn.detail.contains("within 1s"), "{}", conn.detail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_query_fails_its_own_check_only() {
    let mut group = healthy();
    group.servers = vec!["BTS01"];
    let mock = plaintext_mock(&group).await;
    let slow = response(&[("server_name", Ty::Str)], vec![vec![V::S("BTS01")]]).with_delay(Duration::from_secs(30));
    mock.registry.lock().await.register(queries::group_servers(), slow);
    let text = format!(
        "Server=tcp:127.0.0.1,{};User ID=bts_check;Password=x;Command Timeout=1;Encrypt=DANGER_PLAINTEXT",
        mock.addr.port()
    );
    let results = run(SqlTarget::from_connection_string(&text, TargetSource::ConnectionString).unwrap()).await;
    let servers = get(&results, "sql-group-servers");
    assert_eq!(servers.status, Status::Error, "{}", servers.detail);
    assert!(servers.detail.contains("1s") || servers.detail.contains("timed out"), "{}", servers.detail);
    expect(&results, "sql-server-version", Status::Pass, "13.0.5026.0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_problems_are_explained_as_the_tls_entry() {
    // Strict TLS without trusting the self-signed certificate.
    let tls = strict_tls_mock(&healthy()).await;
    let results = run(target(tls.addr, "Encrypt=strict")).await;
    let conn = get(&results, "sql-connection");
    assert_eq!(conn.status, Status::Fail, "the connection check establishes that connecting fails");
    assert_eq!(conn.issue_id.as_deref(), Some(sql::TLS_FAILED), "{}", conn.detail);
    assert!(conn.detail.contains("TrustServerCertificate=true"), "{}", conn.detail);
    assert!(
        conn.detail.contains(sql::PLATFORM_TRUST_STORE),
        "the refusal names the trust source used: {}",
        conn.detail
    );

    // The default (encryption required) against a server that does not encrypt.
    let plain = plaintext_mock(&healthy()).await;
    let results = run(target(plain.addr, "")).await;
    let conn = get(&results, "sql-connection");
    assert_eq!(conn.status, Status::Fail, "the connection check establishes that connecting fails");
    assert_eq!(conn.issue_id.as_deref(), Some(sql::TLS_FAILED), "{}", conn.detail);
}

// ---------------------------------------------------------------- the guard before the wire

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writing_sql_never_reaches_the_server() {
    let mock = plaintext_mock(&healthy()).await;
    let answer = || response(&[("n", Ty::Int)], vec![vec![V::I(42)]]);
    let writes = [
        "DELETE FROM dbo.adm_Server",
        "INSERT INTO dbo.adm_Server (Name) VALUES (N'x')",
        "UPDATE dbo.adm_Host SET Name = N'x'",
        "MERGE dbo.adm_Host AS t USING dbo.adm_Host AS s ON 1 = 0 WHEN NOT MATCHED THEN INSERT (Name) VALUES (N'x')",
        "EXEC sp_configure 'show advanced options', 1",
        "DROP TABLE dbo.adm_Server",
        "SELECT 1; DROP TABLE dbo.adm_Server",
        "SELECT 1 /* harmless */ ; /**/ DELETE FROM dbo.adm_Server",
        "SELECT Name INTO dbo.copy FROM dbo.adm_Server",
    ];
    for sql in writes {
        mock.registry.lock().await.register(sql, answer());
    }
    let t = target(mock.addr, "Encrypt=DANGER_PLAINTEXT");
    let mut client = sql::connect(&t).await.expect("connects");
    // The same connection answers a registered read, so a refusal is the guard's doing.
    mock.registry.lock().await.register("SELECT 42 AS n", answer());
    let read = sql::query(&mut client, "SELECT 42 AS n", Duration::from_secs(5)).await.unwrap();
    assert_eq!(read[0][0], sql::Cell::Int(42));
    for sql in writes {
        let refused = sql::query(&mut client, sql, Duration::from_secs(5)).await.unwrap_err();
        assert!(refused.contains("refused by the read-only guard"), "{sql}: {refused}");
    }
}

// ---------------------------------------------------------------- secrets

#[test]
fn the_password_appears_in_no_output_of_the_check_command() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mock = runtime.block_on(plaintext_mock(&unhealthy()));
    let refuser = runtime.block_on(login_refuser());
    for (addr, json) in [(mock.addr, true), (mock.addr, false), (refuser, true), (refuser, false)] {
        let conn = format!(
            "Server=tcp:127.0.0.1,{};User ID=bts_check;Password={{{PASSWORD}}};Encrypt=DANGER_PLAINTEXT",
            addr.port()
        );
        let mut cmd = Command::cargo_bin("bts-doctor").unwrap();
        cmd.args(["check", "--sql", &conn]).env_remove("BTS_DOCTOR_SQL_PASSWORD");
        if json {
            cmd.arg("--json");
        }
        let out = cmd.timeout(Duration::from_secs(60)).output().unwrap();
        let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "problems were found: {all}");
        assert!(!all.contains("Pa55-w0rd"), "the password leaked: {all}");
        assert!(all.contains("bts_check"), "the output names the login: {all}");
        if json {
            let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
            assert_eq!(doc["schema"], 1);
            assert_eq!(doc["target"]["sql"]["user"], "bts_check");
            assert!(doc["target"]["sql"].get("password").is_none());
            let first = &doc["results"][0];
            for field in ["id", "title", "status", "detail", "issue_id", "duration_ms"] {
                assert!(first.get(field).is_some(), "result field {field}: {first}");
            }
        }
    }
    // The password from the environment, never echoed either.
    let conn = format!("Server=tcp:127.0.0.1,{};User ID=bts_check;Encrypt=DANGER_PLAINTEXT", refuser.port());
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .args(["check", "--json", "--only", "sql-connection", "--sql", &conn])
        .env("BTS_DOCTOR_SQL_PASSWORD", PASSWORD)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(all.contains("sql-login-failed-18456"), "{all}");
    assert!(!all.contains("Pa55-w0rd"), "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_detects_the_sql_server_and_biztalk_versions_live() {
    use bts_doctor::guide::readiness::{evaluate, Facts, Source, Verdict};
    let mut group = healthy();
    group.version = ("12.0.5000.0", "Enterprise Edition (64-bit)", 3);
    let mock = plaintext_mock(&group).await;
    let kb = kb();
    let m = kb.matrices().unwrap();
    let mut facts = Facts::default();
    let notes =
        bts_doctor::guide::detect::detect(Some(&target(mock.addr, "Encrypt=DANGER_PLAINTEXT")), m, &mut facts).await;
    assert!(notes.is_empty(), "{notes:?}");
    let sql = facts.sql.clone().unwrap();
    assert_eq!((sql.value.as_str(), sql.source), ("SQL Server 2014 SP2", Source::Detected));
    assert_eq!(facts.from.clone().unwrap().value, "2013 R2");
    let dims = evaluate(m, &facts);
    assert_eq!(dims.iter().find(|d| d.name == "sql").unwrap().verdict, Verdict::Supported);

    // A group already on 2016 says so instead of guessing a version to upgrade from.
    let mut upgraded = healthy();
    upgraded.biztalk = (3, 12, 774, 0);
    let mock = plaintext_mock(&upgraded).await;
    let mut facts = Facts::default();
    let notes =
        bts_doctor::guide::detect::detect(Some(&target(mock.addr, "Encrypt=DANGER_PLAINTEXT")), m, &mut facts).await;
    assert!(facts.from.is_none());
    assert!(notes.iter().any(|n| n.contains("already record BizTalk Server 2016")), "{notes:?}");
    assert_eq!(facts.sql.unwrap().value, "SQL Server 2016 SP2");
}

// ---------------------------------------------------------------- the restore point, end to end

/// The backup job's history as a group that was backed up every night, then on the morning
/// after the failed run (the fixture log's run starts 1/10/2017 23:04:41; read as month/day or
/// day/month, the failure lies between January 10th and October 1st 2017).
fn with_history(rows: Vec<(i64, &'static str, &'static str, &'static str, Option<&'static str>)>) -> Group {
    Group { backup_history: rows, ..half_upgraded() }
}

fn recover_with_mock(mock: &Mock, answers: &str) -> serde_json::Value {
    let data = tempfile::tempdir().unwrap();
    let file = data.path().join("answers.yaml");
    std::fs::write(&file, answers).unwrap();
    let conn = format!(
        "Server=tcp:127.0.0.1,{};Database=BizTalkMgmtDb;User ID=bts_check;Encrypt=DANGER_PLAINTEXT",
        mock.addr.port()
    );
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .args(["recover", "--json", "--log", "tests/fixtures/logs/msi-database-upgrade-failed.log", "--sql", &conn])
        .arg("--answers")
        .arg(&file)
        .env("BTS_DOCTOR_DATA", data.path())
        .env("BTS_DOCTOR_SQL_PASSWORD", PASSWORD)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

const TO_BACKUPS: &str =
    "answers:\n  databases-changed: \"yes\"\n  other-servers: only\nchecks:\n  sql-biztalk-version: pass\n";

#[test]
fn a_backup_taken_after_the_failed_run_is_refused_through_recover_and_the_live_check() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    // Only backups from after the failure (and after both readings of its date).
    let late = with_history(vec![
        (41, "BizTalkMgmtDb", "2017-10-02 00:15:00", "db", None),
        (41, "BizTalkMgmtDb", "2017-10-02 00:15:05", "lg", Some("BTS_2017_10_02_00_15_05")),
    ]);
    let mock = runtime.block_on(plaintext_mock(&late));
    let doc = recover_with_mock(&mock, TO_BACKUPS);
    let backups = doc["path"].as_array().unwrap().iter().find(|v| v["step"] == "backups").unwrap().clone();
    assert_eq!(backups["check"]["status"], "fail", "{backups}");
    assert!(backups["check"]["detail"].as_str().unwrap().contains("taken after the failed run started"), "{backups}");
    assert_eq!(doc["current"], "no-restore-point", "the later backup is not offered as the restore point");

    // A nightly mark before the run: it is the restore point, and the script uses its files.
    let good = with_history(vec![
        (40, "BizTalkMgmtDb", "2017-01-09 23:00:00", "db", None),
        (40, "BizTalkMgmtDb", "2017-01-09 23:00:05", "lg", Some("BTS_2017_01_09_23_00_05")),
        (40, "BizTalkMsgBoxDb", "2017-01-09 23:00:01", "db", None),
        (40, "BizTalkMsgBoxDb", "2017-01-09 23:00:06", "lg", Some("BTS_2017_01_09_23_00_05")),
        (41, "BizTalkMgmtDb", "2017-10-02 00:15:00", "db", None),
        (41, "BizTalkMgmtDb", "2017-10-02 00:15:05", "lg", Some("BTS_2017_10_02_00_15_05")),
    ]);
    let mock = runtime.block_on(plaintext_mock(&good));
    let doc = recover_with_mock(&mock, TO_BACKUPS);
    let backups = doc["path"].as_array().unwrap().iter().find(|v| v["step"] == "backups").unwrap().clone();
    assert_eq!(backups["check"]["status"], "pass", "{backups}");
    assert_eq!(backups["check"]["data"]["mark"], "BTS_2017_01_09_23_00_05");
    assert_eq!(doc["current"], "restore");
    let script = doc["waiting"]["command"].as_str().unwrap();
    assert!(
        script.contains("RESTORE LOG [BizTalkMgmtDb] FROM DISK = N'F:\\Backup\\BizTalkMgmtDb_40.bak' WITH STOPATMARK = N'BTS_2017_01_09_23_00_05', RECOVERY;"),
        "{script}"
    );
    assert!(!script.contains("_41.bak"), "no file of the later set: {script}");
    assert!(!doc.to_string().contains(PASSWORD), "the password never appears");
}
