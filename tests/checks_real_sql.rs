//! Opt-in: the SQL checks against a real SQL Server. Ignored by default; run with
//!
//! ```text
//! BTS_DOCTOR_TEST_SQL="Server=SQL01;Database=BizTalkMgmtDb;User ID=bts_ro;TrustServerCertificate=true" \
//! BTS_DOCTOR_SQL_PASSWORD=... cargo test --test checks_real_sql -- --ignored --nocapture
//! ```
//!
//! A server without BizTalk databases still proves the login, the version query and that every
//! query is accepted; the BizTalk-specific checks then say what is missing instead of passing.

use bts_doctor::checks::runner::{self, Job, RunOptions};
use bts_doctor::checks::{SqlTarget, Status};
use bts_doctor::kb::KnowledgeBase;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

#[test]
#[ignore = "needs a real SQL Server named by BTS_DOCTOR_TEST_SQL"]
fn sql_checks_against_a_real_server() {
    let conn = std::env::var("BTS_DOCTOR_TEST_SQL").expect("set BTS_DOCTOR_TEST_SQL to an ADO.NET connection string");
    let target = SqlTarget::from_connection_string(&conn, bts_doctor::checks::sql::TargetSource::ConnectionString)
        .expect("BTS_DOCTOR_TEST_SQL parses");
    assert!(!target.needs_password(), "put the password in BTS_DOCTOR_SQL_PASSWORD or the connection string");
    let kb = Arc::new(KnowledgeBase::embedded().unwrap());
    let specs = kb.checks().iter().filter(|c| c.probe.is_sql()).cloned().collect();
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let job = Job { kb, specs, target: Some(target.clone()), options: RunOptions::default() };
    let results = runner::run_blocking(job, tx, CancellationToken::new()).unwrap();
    for r in &results {
        println!("{:8} {:24} {}", r.status.as_str(), r.id, r.detail);
    }
    let get = |id: &str| results.iter().find(|r| r.id == id).unwrap();
    assert_eq!(get("sql-connection").status, Status::Pass, "{}", get("sql-connection").detail);
    let version = get("sql-server-version");
    assert!(matches!(version.status, Status::Pass | Status::Warn | Status::Fail), "{}", version.detail);
    assert!(version.detail.contains("SQL Server"), "{}", version.detail);
    for r in &results {
        assert!(!r.detail.contains("refused by the read-only guard"), "{}: {}", r.id, r.detail);
        assert!(!r.detail.contains("the query failed: Token error: 'Incorrect syntax"), "{}: {}", r.id, r.detail);
    }
}
