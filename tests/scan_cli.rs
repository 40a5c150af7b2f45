//! `bts-doctor scan` through the built binary: the JSON contract, exit codes, options and the
//! fixture logs in their real formats.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn cmd() -> Command {
    let mut c = Command::cargo_bin("bts-doctor").unwrap();
    c.env_remove("BTS_DOCTOR_KB").env("XDG_CONFIG_HOME", "/nonexistent-bts-doctor-config");
    c
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs")
}

#[test]
fn the_fixture_folder_scans_with_the_binary_skipped_and_the_earliest_phase_as_root() {
    let (code, v) = scan_json(&[], &[fixtures()]);
    assert_eq!(code, 1);
    let files = v["files"].as_array().unwrap();
    let binary = files.iter().find(|f| f["path"].as_str().unwrap().ends_with("BtsRedist.cab")).unwrap();
    assert!(binary["skipped"].as_str().unwrap().starts_with("binary file"));
    assert!(binary["format"].is_null() && binary["encoding"].is_null());
    assert_eq!(v["phase"], "prerequisites");
}

#[test]
fn the_clean_install_fixture_exits_0_with_no_finding() {
    let (code, v) = scan_json(&[], &[fixtures().join("msi-clean-install.log")]);
    assert_eq!(code, 0);
    assert!(v["findings"].as_array().unwrap().is_empty());
    assert!(v["unmatched"].as_array().unwrap().is_empty());
    assert!(v["root_cause"].is_null());
}

fn scan_json(args: &[&str], paths: &[PathBuf]) -> (i32, Value) {
    let out = cmd().arg("scan").arg("--json").args(args).args(paths).output().unwrap();
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v)
}

const FAILED: &str = "MSI (s) (2C:64) [15:48:03:100]: Product: Microsoft BizTalk Server 2016 -- Error 5003.Regsvcs failed for assembly C:\\x.dll. Return code 1.\r\n\
Action ended 15:48:04: InstallFinalize. Return value 3.\r\n\
MSI (s) (2C:64) [15:48:06:200]: MainEngineThread is returning 1603\r\n";

#[test]
fn the_json_document_follows_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("setup.log");
    std::fs::write(&log, FAILED).unwrap();
    let (code, v) = scan_json(&["--context", "1"], &[log]);
    assert_eq!(code, 1);
    assert_eq!(v["schema"], 1);
    let file = &v["files"][0];
    for field in ["path", "format", "encoding", "bytes", "records"] {
        assert!(!file[field].is_null(), "files[0].{field}");
    }
    assert!(file.get("skipped").is_some() && file["skipped"].is_null());
    assert_eq!(file["format"], "msi");
    assert_eq!(file["encoding"], "utf-8");
    let root = &v["root_cause"];
    assert_eq!(root["issue_id"], "setup-regsvcs-5003");
    assert_eq!(root["line"], 1);
    assert!(root["path"].as_str().unwrap().ends_with("setup.log"));
    assert!(root["text"].as_str().unwrap().contains("Error 5003"));
    assert_eq!(v["phase"], "install");
    let finding = &v["findings"][0];
    for field in ["issue_id", "title", "severity", "count", "first", "last", "context"] {
        assert!(!finding[field].is_null(), "findings[0].{field}");
    }
    assert_eq!(finding["first"]["line"], 1);
    assert_eq!(finding["context"].as_array().unwrap().len(), 2, "one line after with --context 1");
    assert!(v["unmatched"].is_array());
}

#[test]
fn a_clean_log_exits_0_and_unreadable_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.log");
    std::fs::write(&clean, "2017-01-12 10:00:00 INFO all good\n2017-01-12 10:00:01 INFO done\n").unwrap();
    let (code, v) = scan_json(&[], std::slice::from_ref(&clean));
    assert_eq!(code, 0);
    assert!(v["root_cause"].is_null());
    assert_eq!(v["phase"], "none");
    cmd()
        .args(["scan", "/nonexistent/setup.log"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("no such file or folder: /nonexistent/setup.log; nothing was scanned"));
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, "").unwrap();
    cmd().arg("scan").arg(&empty).assert().code(2);
}

#[test]
fn bad_options_are_usage_errors() {
    cmd()
        .args(["scan", "--format", "xml", "x.log"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown --format"));
    cmd()
        .args(["scan", "--encoding", "ebcdic", "x.log"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown --encoding"));
    cmd().arg("scan").assert().code(2);
}

#[test]
fn forced_format_and_encoding_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("x.log");
    std::fs::write(&log, FAILED).unwrap();
    let (_, v) = scan_json(&["--format", "generic", "--encoding", "windows-1252"], &[log]);
    assert_eq!(v["files"][0]["format"], "generic");
    assert_eq!(v["files"][0]["encoding"], "windows-1252");
}

#[test]
fn text_output_shows_root_cause_phase_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("setup.log");
    std::fs::write(&log, FAILED).unwrap();
    cmd()
        .arg("scan")
        .arg(&log)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("Root cause"))
        .stdout(predicate::str::contains("Known issue: setup-regsvcs-5003"))
        .stdout(predicate::str::contains("Upgrade phase: install"));
}

#[test]
fn secrets_in_logs_are_masked_in_every_output() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("deploy.log");
    std::fs::write(
        &log,
        "2017-01-12 ERROR Login failed for user 'sa'. Server=SQL01;User ID=sa;Password=Sup3rSecret!;\n",
    )
    .unwrap();
    for json in [true, false] {
        let mut c = cmd();
        c.arg("scan");
        if json {
            c.arg("--json");
        }
        let out = c.arg(&log).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("Sup3rSecret"), "{text}");
        assert!(text.contains("Password=***"), "{text}");
    }
}

#[test]
fn every_fixture_through_the_binary_gives_its_format_encoding_root_and_phase() {
    let table = [
        ("msi-upgrade-failed.log", "msi", "utf-16le", Some(451), "install"),
        ("msi-prerequisite-failed.log", "msi", "utf-8", Some(180), "prerequisites"),
        ("msi-database-upgrade-failed.log", "msi", "utf-8", Some(228), "database-upgrade"),
        ("msi-uninstall-2013r2-failed.log", "msi", "utf-8", Some(237), "feature-removal"),
        ("ConfigLog(01-12-2017 0h37m59s).log", "configlog", "utf-8", Some(85), "reconfiguration"),
        ("Setup(011217 002041).htm", "setup", "utf-8", Some(7), "prerequisites"),
        ("eventlog-application.txt", "eventlog", "utf-8", Some(61), "install"),
        ("eventlog-saved-as-text.txt", "eventlog", "utf-8", Some(89), "install"),
        ("generic-stacktrace.log", "generic", "utf-8", Some(64), "none"),
        ("msi-clean-install.log", "msi", "utf-8", None, "none"),
    ];
    for (name, format, encoding, root_line, phase) in table {
        let (code, v) = scan_json(&[], &[fixtures().join(name)]);
        assert_eq!(code, if root_line.is_some() { 1 } else { 0 }, "{name}");
        assert_eq!(v["files"][0]["format"], format, "{name}");
        assert_eq!(v["files"][0]["encoding"], encoding, "{name}");
        assert_eq!(v["root_cause"]["line"].as_u64(), root_line, "{name}");
        assert_eq!(v["phase"], phase, "{name}");
    }
}

#[test]
fn bad_inputs_in_one_run_each_get_a_clear_entry() {
    let dir = tempfile::tempdir().unwrap();
    let mut odd = vec![0xFF, 0xFE];
    odd.extend("ERROR Login failed for user 'sa'.".encode_utf16().flat_map(u16::to_le_bytes));
    odd.push(0x41);
    std::fs::write(dir.path().join("odd-utf16.log"), odd).unwrap();
    std::fs::write(dir.path().join("no-newline.log"), "ERROR Login failed for user 'sa'.").unwrap();
    std::fs::write(dir.path().join("empty.log"), "").unwrap();
    std::fs::write(dir.path().join("image.bin"), [0u8, 1, 2, 3, 0, 0, 7, 8]).unwrap();
    // A path that does not exist stops the run before anything is read.
    let out = cmd().arg("scan").arg("--json").arg(dir.path()).arg(dir.path().join("gone.log")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing was scanned");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file or folder"), "{out:?}");
    let (code, v) = scan_json(&[], &[dir.path().to_path_buf()]);
    assert_eq!(code, 1);
    let by_name = |suffix: &str| {
        v["files"].as_array().unwrap().iter().find(|f| f["path"].as_str().unwrap().ends_with(suffix)).cloned().unwrap()
    };
    assert_eq!(by_name("empty.log")["skipped"], "empty file");
    assert!(by_name("image.bin")["skipped"].as_str().unwrap().starts_with("binary file"));
    assert!(by_name("odd-utf16.log")["notes"][0].as_str().unwrap().contains("odd number of bytes"));
    assert_eq!(by_name("no-newline.log")["records"], 1);
    assert_eq!(v["findings"][0]["issue_id"], "sql-login-failed-18456");
    assert_eq!(v["findings"][0]["count"], 2);
}
