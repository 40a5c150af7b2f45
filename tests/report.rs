//! Reports: every format from the fixture logs (insta snapshots), the same redaction in every
//! format (no secret from the fixtures survives; hosts and users become stable pseudonyms), and
//! an HTML report that is one file with no external reference.

use assert_cmd::Command;
use bts_doctor::checks::{CheckResult, Status};
use bts_doctor::guide::machine::{self, AnsweredBy, Input};
use bts_doctor::guide::readiness::{self, Fact, Facts, ReadinessReport};
use bts_doctor::kb::KnowledgeBase;
use bts_doctor::logs::{self, ScanOptions};
use bts_doctor::matcher::Matcher;
use bts_doctor::report::document::{ChecksPart, GuidePart, ReportData};
use bts_doctor::report::json::match_document;
use bts_doctor::report::pseudonym::Options;
use bts_doctor::report::{render, Format};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// Secrets the fixture text carries; none may appear in any output.
const SECRETS: &[&str] = &["Hunter2-secret", "Zm9vYmFy", "S3cr3tMaster!", "tok-998877", "p@ss;word"];
/// Names that pseudonyms must replace.
const NAMES: &[&str] = &["SQLPROD01", "svc-biztalk", "CONTOSO\\svc-biztalk", "BTSAPP02"];

const PASTE: &str = "Login failed for user 'CONTOSO\\svc-biztalk'. (Microsoft SQL Server, Error: 18456)\n\
Connection: Server=SQLPROD01\\BIZTALK;Database=BizTalkMgmtDb;User ID=svc-biztalk;Password=Hunter2-secret;\n\
ssoconfig -restoreSecret C:\\backup\\SSO.bak -password:S3cr3tMaster! on computer 'BTSAPP02'\n\
https://portal.contoso.com/api?token=tok-998877 and pwd=\"p@ss;word\" and Pwd=Zm9vYmFy";

fn data(options: Options) -> ReportData {
    let kb = KnowledgeBase::embedded().unwrap();
    let matcher = Matcher::new(kb.clone()).unwrap();
    let mut d = ReportData::new(&kb, "2026-11-24T15:00:00Z".into(), options);
    d.matches = Some(match_document(&matcher, PASTE, &matcher.match_text(PASTE), 3));
    let scan = logs::scan(
        &[PathBuf::from("tests/fixtures/logs/msi-database-upgrade-failed.log")],
        &matcher,
        &ScanOptions { context: 2, jobs: 1, ..ScanOptions::default() },
        None,
        &AtomicBool::new(false),
    );
    d.scan = Some(scan);
    let result = |id: &str, status: Status, detail: &str| CheckResult {
        id: id.into(),
        title: kb.check(id).unwrap().title.clone(),
        status,
        detail: detail.into(),
        issue_id: Some(kb.check(id).unwrap().issue.clone()),
        fix: (status == Status::Fail).then(|| "Configure and enable the job.".into()),
        duration_ms: 7,
        outcome: status.outcome(),
        unknown_reason: (status == Status::Skipped).then_some(bts_doctor::checks::UnknownReason::NotApplicable),
        data: None,
    };
    let results = vec![
        result("sql-connection", Status::Pass, "connected and logged in, read-only"),
        result("sql-backup-job", Status::Fail, "`Backup BizTalk Server (BizTalkMgmtDb)` exists but is disabled"),
        result("local-entsso-service", Status::Skipped, "not applicable on Linux"),
    ];
    let target = bts_doctor::checks::SqlTarget::from_connection_string(
        "Server=SQLPROD01\\BIZTALK;Database=BizTalkMgmtDb;User ID=svc-biztalk;Password=Hunter2-secret",
        bts_doctor::checks::sql::TargetSource::ConnectionString,
    )
    .unwrap();
    d.checks = Some(ChecksPart { sql: Some(target), results: results.clone() });
    let m = kb.matrices().unwrap();
    let facts = Facts {
        from: Some(Fact::given("2013 R2")),
        os: Some(Fact::given("Windows Server 2012 R2")),
        sql: Some(Fact::detected("SQL Server 2014")),
        ..Facts::default()
    };
    let book = kb.playbook("pre-upgrade").unwrap();
    d.readiness = Some(ReadinessReport::new(
        facts.clone(),
        vec![],
        readiness::evaluate(m, &facts),
        readiness::checklist(book, &results),
        m.upgrade_order.clone(),
        true,
    ));
    let recover = kb.playbook("recover-failed-upgrade").unwrap();
    let mut progress = machine::start(recover);
    machine::advance(recover, &mut progress, Input::Choice("database-upgrade".into(), AnsweredBy::Scan)).unwrap();
    d.guide.extend(GuidePart::from_progress(&kb, &progress));
    d.summarise();
    // A server part as a report made off Windows carries it (the fixtures name the host).
    d.server = Some(bts_doctor::report::server::ServerPart {
        host: "BTSAPP02".into(),
        facts: bts_doctor::report::server::all_unknown("not applicable: this is not Windows"),
    });
    d
}

#[test]
fn each_format_from_the_fixture_logs() {
    let d = data(Options::default());
    insta::assert_snapshot!("report_markdown", render(&d, Format::Markdown));
    insta::assert_snapshot!("report_html", render(&d, Format::Html));
    insta::assert_snapshot!("report_json", render(&d, Format::Json));
    let doc: serde_json::Value = serde_json::from_str(&render(&d, Format::Json)).unwrap();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["tool"]["knowledge_base"], KnowledgeBase::embedded().unwrap().fingerprint());
    assert_eq!(doc["scan"]["phase"], "database-upgrade", "the scan keeps the `scan --json` model");
    assert_eq!(doc["checks"]["results"][1]["status"], "fail", "checks keep the `check --json` model");
    assert_eq!(doc["readiness"]["dimensions"][0]["verdict"], "supported");
    assert_eq!(doc["guide"][0]["current"], "database-version");
    assert_eq!(doc["summary"]["verdict"], "problems", "a failed check and a root cause are problems");
    assert_eq!(doc["readiness"]["verdict"], "incomplete", "checks were run, but most of the checklist's were not");
}

#[test]
fn no_secret_survives_in_any_format_and_pseudonyms_are_stable() {
    for options in [Options::default(), Options { hosts: true, users: true }] {
        let d = data(options);
        for format in [Format::Markdown, Format::Html, Format::Json] {
            let out = render(&d, format);
            for secret in SECRETS {
                assert!(!out.contains(secret), "{secret} survived in {format:?}");
            }
            if options.hosts {
                for name in NAMES {
                    assert!(!out.contains(name), "{name} survived in {format:?} with pseudonyms");
                }
                assert!(out.contains("HOST-1") && out.contains("USER-1"), "{format:?}");
            }
        }
    }
    // Stable: the SQL Server gets one pseudonym wherever it appears.
    let json: serde_json::Value =
        serde_json::from_str(&render(&data(Options { hosts: true, users: true }), Format::Json)).unwrap();
    let host = json["checks"]["sql"]["server"].as_str().unwrap().to_string();
    assert!(host.starts_with("HOST-") && host.ends_with("\\BIZTALK"), "{host}");
    assert!(json["matches"]["query"].as_str().unwrap().contains(&host));
}

#[test]
fn the_html_report_is_one_file_with_no_external_reference() {
    let html = render(&data(Options::default()), Format::Html);
    assert!(html.starts_with("<!DOCTYPE html>"));
    for needle in ["<script", "<link", "src=", "href=", "url(", "@import", "<img", "<iframe"] {
        assert!(!html.to_ascii_lowercase().contains(needle), "{needle} in the HTML report");
    }
    assert!(html.contains("@media print"), "it prints cleanly");
    assert!(!html.contains("color:red") && !html.contains("color:#f"), "nothing relies on colour");
}

#[test]
fn the_report_command_writes_a_file_and_refuses_an_unknown_format() {
    let dir = tempfile::tempdir().unwrap();
    let paste = dir.path().join("paste.txt");
    std::fs::write(&paste, PASTE).unwrap();
    let out_file = dir.path().join("report.md");
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .args([
            "report",
            "--no-checks",
            "--redact-hosts",
            "--redact-users",
            "--format",
            "md",
            "--log",
            "tests/fixtures/logs/msi-database-upgrade-failed.log",
            "--text",
        ])
        .arg(&paste)
        .arg("-o")
        .arg(&out_file)
        .env("BTS_DOCTOR_DATA", dir.path())
        .env_remove("BTS_DOCTOR_SQL")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "written, and the failed log is a problem: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&out_file).unwrap();
    assert!(text.starts_with("# bts-doctor report"));
    assert!(text.contains("## Log scan") && text.contains("## Pasted error") && text.contains("## Upgrade readiness"));
    for secret in SECRETS.iter().chain(NAMES) {
        assert!(!text.contains(secret), "{secret} in the written report");
    }
    let out = Command::cargo_bin("bts-doctor").unwrap().args(["report", "--format", "pdf"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use md, html or json"));
}
