//! The three states every verdict has, through the real binary: everything asked for was
//! evaluated and nothing failed (exit 0), something failed or blocks (1), nothing failed but
//! something could not be evaluated (4), for `readiness`, `check`, `scan` and `report`; one
//! readiness for the same inputs whichever face computes it; missing paths and mistyped commands.

use assert_cmd::Command;
use std::path::Path;
use std::time::Duration;

#[path = "support/mock_sql.rs"]
mod mock_sql;
use mock_sql::*;

fn bin(data: &Path) -> Command {
    let mut c = Command::cargo_bin("bts-doctor").unwrap();
    c.env("BTS_DOCTOR_DATA", data)
        .env("XDG_CONFIG_HOME", data.join("no-config"))
        .env_remove("BTS_DOCTOR_SQL")
        .env_remove("BTS_DOCTOR_KB")
        .timeout(Duration::from_secs(60));
    c
}

fn code(c: &mut Command) -> (i32, String) {
    let out = c.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

const KNOWN: [&str; 10] = [
    "--from",
    "2013 R2",
    "--os",
    "Windows Server 2012 R2",
    "--sql-version",
    "SQL Server 2014 SP1",
    "--edition",
    "Developer",
    "--to-edition",
    "Enterprise",
];

const CLEAN: &str = "=== Verbose logging started: 1/12/2017  0:20:41  Build type: SHIP UNICODE 5.00.10011.00 ===\r\nMSI (s) (2C:64) [00:20:42:100]: Product: Contoso Tools -- Installation completed successfully.\r\nMSI (s) (2C:64) [00:20:42:200]: MainEngineThread is returning 0\r\n";

#[test]
fn readiness_in_its_three_states() {
    let data = tempfile::tempdir().unwrap();
    let (c, out) = code(bin(data.path()).args(["readiness", "--no-checks"]).args(KNOWN));
    assert_eq!(c, 0, "{out}");
    assert!(out.contains("READY"), "{out}");
    let (c, out) = code(bin(data.path()).args(["readiness", "--no-checks", "--from", "2013"]));
    assert_eq!(c, 1, "{out}");
    assert!(out.contains("NOT READY"), "{out}");
    let (c, out) = code(bin(data.path()).args(["readiness", "--no-checks", "--from", "2013 R2"]));
    assert_eq!(c, 4, "{out}");
    assert!(out.contains("INCOMPLETE"), "{out}");
    // Checks asked for that cannot run here (no SQL Server, another system): incomplete too.
    let (c, out) = code(bin(data.path()).args(["readiness", "--json"]).args(KNOWN));
    assert_eq!(c, 4, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["verdict"], "incomplete");
    assert!(doc["not_evaluated"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("no SQL connection")));
}

#[test]
fn check_in_its_three_states() {
    let data = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mock = runtime.block_on(plaintext_mock(&healthy()));
    let conn = |port: u16| format!("Server=tcp:127.0.0.1,{port};User ID=bts_check;Password=x;Encrypt=DANGER_PLAINTEXT");
    let (c, out) = code(bin(data.path()).args(["check", "--only", "sql-connection", "--sql", &conn(mock.addr.port())]));
    assert_eq!(c, 0, "{out}");
    assert!(out.contains("1 passed, 0 failed, 0 warned, 0 not run"), "{out}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let (c, out) = code(bin(data.path()).args(["check", "--only", "sql-connection", "--sql", &conn(port)]));
    assert_eq!(c, 1, "{out}");
    assert!(out.contains("0 passed, 1 failed"), "{out}");
    // Every check skipped: nothing failed, nothing was established.
    let (c, out) = code(bin(data.path()).args(["check"]));
    assert_eq!(c, 4, "{out}");
    assert!(out.contains("0 passed, 0 failed, 0 warned"), "{out}");
    assert!(out.contains("not run or could not tell: "), "{out}");
    assert!(out.contains("no SQL connection given"), "{out}");
}

#[test]
fn scan_in_its_three_states() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.log");
    std::fs::write(&clean, CLEAN).unwrap();
    let (c, out) = code(bin(dir.path()).arg("scan").arg(&clean));
    assert_eq!(c, 0, "{out}");
    assert!(out.contains("No failure found."), "{out}");
    let (c, out) = code(bin(dir.path()).args(["scan", "tests/fixtures/logs/msi-database-upgrade-failed.log"]));
    assert_eq!(c, 1, "{out}");
    // A folder where one file cannot be read: no failure in what was read, but not the whole answer.
    let folder = dir.path().join("logs");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("clean.log"), CLEAN).unwrap();
    std::fs::write(folder.join("broken.log"), [0u8, 159, 146, 150, 0, 0, 1, 2, 3]).unwrap();
    let (c, out) = code(bin(dir.path()).arg("scan").arg(&folder));
    assert_eq!(c, 4, "{out}");
    assert!(out.contains("could not be read, so this is not the whole answer"), "{out}");
    assert!(!out.contains("No failure found."), "{out}");
}

#[test]
fn report_in_its_three_states() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.log");
    std::fs::write(&clean, CLEAN).unwrap();
    let report = |extra: &[&str], log: &Path| {
        let mut c = bin(dir.path());
        c.args(["report", "--no-checks", "--format", "json", "--log"]).arg(log).args(extra);
        let out = c.output().unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code().unwrap(), doc)
    };
    let (c, doc) = report(&KNOWN, &clean);
    assert_eq!((c, doc["summary"]["verdict"].as_str()), (0, Some("complete")), "{doc:#}");
    let (c, doc) = report(&KNOWN, Path::new("tests/fixtures/logs/msi-database-upgrade-failed.log"));
    assert_eq!((c, doc["summary"]["verdict"].as_str()), (1, Some("problems")), "{}", doc["summary"]);
    let (c, doc) = report(&[], &clean);
    assert_eq!((c, doc["summary"]["verdict"].as_str()), (4, Some("incomplete")), "{}", doc["summary"]);
    assert!(doc["summary"]["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("readiness")));
    // The Markdown says the same in words.
    let out = bin(dir.path()).args(["report", "--no-checks", "--format", "md", "--log"]).arg(&clean).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("## Summary") && text.contains("Incomplete: nothing failed"), "{text}");
    assert!(!text.contains("Ready: every"), "{text}");
}

#[test]
fn the_same_inputs_give_the_same_readiness_in_every_face() {
    let dir = tempfile::tempdir().unwrap();
    let out = bin(dir.path()).args(["readiness", "--no-checks", "--json"]).output().unwrap();
    let mut from_command: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    from_command.as_object_mut().unwrap().remove("schema");
    let out = bin(dir.path()).args(["report", "--no-checks", "--format", "json"]).output().unwrap();
    let from_report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(from_report["readiness"], from_command, "report");
    let matcher = bts_doctor::matcher::Matcher::new(bts_doctor::kb::KnowledgeBase::embedded().unwrap()).unwrap();
    let job = bts_doctor::tui::action::ExportJob {
        paste: None,
        scan: None,
        checks: Vec::new(),
        target: None,
        progress: None,
    };
    let data = bts_doctor::tui::export_data(&matcher, job, "2026-12-03T00:00:00Z".into()).unwrap();
    let from_tui = &data.redacted()["readiness"];
    assert_eq!(from_tui, &from_command, "the TUI export");
    assert_eq!(from_command["verdict"], "incomplete");
}

#[test]
fn a_missing_path_or_a_mistyped_command_never_opens_the_tui() {
    let dir = tempfile::tempdir().unwrap();
    let (c, out) = code(bin(dir.path()).arg("chek"));
    assert_eq!(c, 2, "{out}");
    assert!(out.contains("no such file or command `chek`; did you mean `check`?"), "{out}");
    let (c, out) = code(bin(dir.path()).arg("/nonexistent"));
    assert_eq!(c, 2, "{out}");
    assert!(out.contains("no such file or folder: /nonexistent"), "{out}");
    assert!(!out.contains("No failure found"), "{out}");
    let (c, out) = code(bin(dir.path()).args(["scan", "/nonexistent"]));
    assert_eq!(c, 2, "{out}");
    assert!(!out.contains("No failure found"), "nothing is said before the error: {out}");
    let (c, out) = code(bin(dir.path()).args(["recover", "--log", "/nonexistent.log"]));
    assert_eq!(c, 2, "{out}");
}
