//! Many servers: the JSON Lines records of `scan --jsonl` and `check --jsonl` (ECS field names,
//! one object per line, an unknown never a failure, secrets masked) and `compare` over report
//! fixtures of several servers (tests/fixtures/fleet, constructed: see its README).

use assert_cmd::Command;
use bts_doctor::checks::{CheckResult, Status, UnknownReason};
use bts_doctor::report::jsonl::{self, Origin};
use serde_json::Value;
use std::path::Path;

const FLEET: &str = "tests/fixtures/fleet";

fn bin(data: &Path) -> Command {
    let mut c = Command::cargo_bin("bts-doctor").unwrap();
    c.env("BTS_DOCTOR_DATA", data).env("NO_COLOR", "1").env_remove("BTS_DOCTOR_SQL");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every line one JSON object with the ECS fields the issue names, with legal values.
fn records(stdout: &str) -> Vec<Value> {
    assert!(stdout.ends_with('\n'), "JSON Lines end with a newline");
    stdout
        .lines()
        .map(|line| {
            let v: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
            let ts = v["@timestamp"].as_str().expect("@timestamp");
            assert!(ts.len() == 20 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T', "RFC 3339 UTC: {ts}");
            assert!(!v["host"]["name"].as_str().expect("host.name").is_empty());
            assert!(matches!(v["event"]["kind"].as_str(), Some("alert" | "event")), "{line}");
            assert!(matches!(v["event"]["outcome"].as_str(), Some("failure" | "success" | "unknown")), "{line}");
            assert!(!v["rule"]["id"].as_str().expect("rule.id").is_empty());
            assert!(v["message"].is_string());
            assert!(v["bts_doctor"]["type"].is_string());
            v
        })
        .collect()
}

#[test]
fn scan_jsonl_gives_one_alert_per_finding_then_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let log = "tests/fixtures/logs/msi-upgrade-failed.log";
    let (code, out, err) = run(bin(dir.path()).args(["scan", "--jsonl", log]));
    assert_eq!(code, 1, "{err}");
    let lines = records(&out);
    let (findings, summary) = lines.split_at(lines.len() - 1);
    assert!(!findings.is_empty());
    for f in findings {
        assert_eq!((f["event"]["kind"].as_str(), f["event"]["outcome"].as_str()), (Some("alert"), Some("failure")));
        assert_eq!(f["bts_doctor"]["type"], "finding");
        assert_eq!(f["bts_doctor"]["file"], log);
    }
    assert_eq!(findings.iter().filter(|f| f["bts_doctor"]["root_cause"] == true).count(), 1);
    assert_eq!(summary[0]["bts_doctor"]["type"], "scan");
    assert_eq!(summary[0]["event"]["outcome"], "failure");
    assert_eq!(summary[0]["rule"]["id"], "setup-regsvcs-5003");
    // The JSON document and the lines agree on what was found.
    let (_, doc, _) = run(bin(dir.path()).args(["scan", "--json", log]));
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["findings"].as_array().unwrap().len(), findings.len());
}

#[test]
fn a_clean_scan_still_writes_its_summary_and_an_unread_file_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run(bin(dir.path()).args(["scan", "--jsonl", "tests/fixtures/logs/msi-clean-install.log"]));
    assert_eq!(code, 0);
    let lines = records(&out);
    assert_eq!(lines.len(), 1, "{out}");
    assert_eq!(
        (lines[0]["event"]["kind"].as_str(), lines[0]["event"]["outcome"].as_str()),
        (Some("event"), Some("success"))
    );
    assert_eq!(lines[0]["rule"]["id"], "scan");

    // A folder whose one log is clean but whose other file is binary: not read, so not clean.
    let (code, out, _) = run(bin(dir.path()).args(["scan", "--jsonl", "tests/fixtures/logs/folder-with-binary"]));
    assert_eq!(code, 4);
    let lines = records(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["event"]["outcome"], "unknown", "a file not read is not a clean result");
    assert_eq!(
        (lines[0]["bts_doctor"]["files"].as_u64(), lines[0]["bts_doctor"]["files_read"].as_u64()),
        (Some(2), Some(1))
    );
    assert!(lines[0]["bts_doctor"]["unread"][0].as_str().unwrap().contains("BtsRedist.cab"));
}

#[test]
fn jsonl_masks_secrets_like_every_other_output() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("setup.log");
    std::fs::write(
        &log,
        "MSI (s) (48!A4) [22:15:57:768]: Product: Microsoft BizTalk Server 2016 -- Error 5003.Regsvcs failed for assembly \
         C:\\x.dll. Return code 1. Server=SQL01;User ID=sa;Password=Hunter2-secret;\n",
    )
    .unwrap();
    let (_, out, _) = run(bin(dir.path()).args(["scan", "--jsonl"]).arg(&log));
    assert!(out.contains("Error 5003"), "{out}");
    assert!(!out.contains("Hunter2-secret"), "{out}");
}

#[test]
fn check_jsonl_without_a_server_is_all_unknown_never_failure() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(bin(dir.path()).args(["check", "--jsonl"]));
    assert_eq!(code, 4, "{err}");
    let lines = records(&out);
    let (_, list, _) = run(bin(dir.path()).args(["check", "--list"]));
    assert!(lines.len() >= 10 && list.contains(lines[0]["bts_doctor"]["check_id"].as_str().unwrap()));
    for l in &lines {
        assert_eq!(l["event"]["outcome"], "unknown", "{l}");
        assert_eq!(l["event"]["kind"], "event");
        assert!(l["bts_doctor"]["unknown_reason"].is_string());
    }
}

#[test]
fn check_results_map_to_ecs_outcomes() {
    let origin = Origin { host: "BTS01".into(), timestamp: "2026-12-05T10:00:00Z".into() };
    let result = |id: &str, status: Status| CheckResult {
        id: id.into(),
        title: id.into(),
        status,
        detail: "detail".into(),
        issue_id: (status == Status::Fail).then(|| "sql-agent-jobs-reconfigure".into()),
        fix: None,
        duration_ms: 3,
        outcome: status.outcome(),
        unknown_reason: (status == Status::Error).then_some(UnknownReason::Error),
        data: None,
    };
    let lines = jsonl::check_lines(
        &origin,
        &[result("a", Status::Pass), result("b", Status::Fail), result("c", Status::Warn), result("d", Status::Error)],
    );
    let got: Vec<(String, String, String)> = records(&(lines.join("\n") + "\n"))
        .iter()
        .map(|v| (s(&v["event"]["kind"]), s(&v["event"]["outcome"]), s(&v["rule"]["id"])))
        .collect();
    let want = [
        ("event", "success", "a"),
        ("alert", "failure", "sql-agent-jobs-reconfigure"),
        ("alert", "failure", "c"),
        ("event", "unknown", "d"),
    ];
    assert_eq!(got, want.map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())));
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

#[test]
fn json_and_jsonl_together_are_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for args in [&["scan", "--json", "--jsonl", "x.log"][..], &["check", "--json", "--jsonl"][..]] {
        let (code, out, err) = run(bin(dir.path()).args(args));
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}");
        assert!(err.contains("--json and --jsonl cannot be used together"), "{err}");
    }
}

fn compare(files: &[&str], json: bool) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut c = bin(dir.path());
    c.current_dir(FLEET).arg("compare").args(files);
    if json {
        c.arg("--json");
    }
    run(&mut c)
}

fn fact<'a>(doc: &'a Value, id: &str) -> &'a Value {
    doc["facts"].as_array().unwrap().iter().find(|f| f["id"] == id).unwrap_or_else(|| panic!("no fact {id}"))
}

#[test]
fn servers_that_agree_compare_ok() {
    let (code, out, err) = compare(&["bts01.json", "bts02.json"], false);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 differ, 0 unknown, 12 ok"), "{out}");
    // .NET 4.6.2 under two release numbers is one version.
    let (_, doc, _) = compare(&["bts01.json", "bts02.json"], true);
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["verdict"], "ok");
    assert_eq!(fact(&doc, "dotnet.version")["status"], "ok");
    assert_eq!(fact(&doc, "msdtc.cid")["rule"], "distinct");
}

#[test]
fn a_cloned_server_differs_on_its_cid_and_what_else_it_changed() {
    let (code, doc, err) = compare(&["bts01.json", "bts02-cloned.json", "bts03-unread.json"], true);
    assert_eq!(code, 1, "{err}");
    let doc: Value = serde_json::from_str(&doc).unwrap();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["verdict"], "differs");
    let hosts: Vec<&str> = doc["servers"].as_array().unwrap().iter().map(|s| s["host"].as_str().unwrap()).collect();
    assert_eq!(hosts, ["BTS01", "BTS02", "BTS03"]);
    let cid = fact(&doc, "msdtc.cid");
    assert_eq!(cid["status"], "differs");
    assert!(cid["reason"].as_str().unwrap().contains("BTS01 and BTS02 both hold"), "{cid}");
    assert_eq!(fact(&doc, "dotnet.version")["status"], "differs");
    let tz = fact(&doc, "os.time_zone");
    assert_eq!(tz["status"], "differs");
    assert!(tz["reason"].as_str().unwrap().contains("not read on BTS03"), "{tz}");
    assert_eq!(tz["values"][2]["value"], Value::Null);
    assert_eq!(fact(&doc, "biztalk.version")["status"], "ok");
    let differs: Vec<&str> = doc["facts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "differs")
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(differs, ["msdtc.cid", "dotnet.version", "os.time_zone"]);
}

#[test]
fn an_unread_value_or_a_report_without_facts_is_unknown_exit_4() {
    let (code, out, _) = compare(&["bts01.json", "bts03-unread.json"], false);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("UNKNOWN  Time zone: not read on BTS03"), "{out}");
    let (code, out, _) = compare(&["bts01.json", "old-no-server.json"], false);
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("old-no-server.json has no server facts"), "{out}");
    assert!(out.contains("0 differ, 12 unknown, 0 ok"), "{out}");
}

#[test]
fn compare_refuses_what_it_cannot_compare_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("notes.json");
    std::fs::write(&not_json, "not json").unwrap();
    let other = dir.path().join("other.json");
    std::fs::write(&other, r#"{"schema": 1, "tool": {"name": "something-else"}}"#).unwrap();
    let bts01 = Path::new(FLEET).join("bts01.json");
    let cases: Vec<(Vec<&Path>, &str)> = vec![
        (vec![&bts01], "give two or more reports"),
        (vec![&bts01, &not_json], "is not JSON"),
        (vec![&bts01, &other], "is not a bts-doctor report"),
        (vec![&bts01, Path::new("/nonexistent/report.json")], "cannot read"),
    ];
    for (files, message) in cases {
        let (code, out, err) = run(bin(dir.path()).arg("compare").args(&files));
        assert_eq!((code, out.as_str()), (2, ""), "{files:?}");
        assert!(err.contains(message), "{files:?}: {err}");
    }
}

#[test]
fn the_fixtures_carry_exactly_the_facts_the_tool_reads() {
    let ids: Vec<&str> = bts_doctor::report::server::all_unknown("x").iter().map(|f| f.id).collect();
    for file in ["bts01.json", "bts02.json", "bts02-cloned.json", "bts03-unread.json"] {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(Path::new(FLEET).join(file)).unwrap()).unwrap();
        let got: Vec<&str> =
            doc["server"]["facts"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
        assert_eq!(got, ids, "{file}: regenerate the fixture's server part");
    }
}

#[test]
fn reports_made_here_carry_server_facts_unknown_off_windows_and_compare_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for out in [&a, &b] {
        let (code, _, err) = run(bin(dir.path()).args(["report", "--no-checks", "--format", "json", "-o"]).arg(out));
        assert!(code == 0 || code == 4, "{err}");
    }
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&a).unwrap()).unwrap();
    assert_eq!(doc["server"]["host"], bts_doctor::report::server::host_name());
    let facts = doc["server"]["facts"].as_array().unwrap();
    assert!(!facts.is_empty());
    if !cfg!(windows) {
        assert!(facts
            .iter()
            .all(|f| f["value"].is_null() && f["unknown_reason"] == "not applicable: this is not Windows"));
    }
    let (code, out, _) = run(bin(dir.path()).arg("compare").arg(&a).arg(&b));
    assert_eq!(code, 4, "{out}");
    assert!(out.contains("compares one server with itself"), "{out}");
}

#[test]
fn redacted_reports_hide_the_host_and_its_management_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.json");
    let (_, _, err) =
        run(bin(dir.path()).args(["report", "--no-checks", "--redact-hosts", "--format", "json", "-o"]).arg(&out));
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap_or_else(|_| panic!("{err}"));
    let host = doc["server"]["host"].as_str().unwrap();
    assert!(host.starts_with("HOST-") || host == "unknown", "{host}");
}
