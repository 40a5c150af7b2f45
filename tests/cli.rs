//! The command line through the built binary: contracts (JSON fields, exit codes) and bad
//! input.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;

/// The binary, isolated from the user's own overlays.
fn cmd() -> Command {
    let mut c = Command::cargo_bin("bts-doctor").unwrap();
    c.env_remove("BTS_DOCTOR_KB").env("XDG_CONFIG_HOME", "/nonexistent-bts-doctor-config").env("NO_COLOR", "1");
    c
}

const CLUSTER: &str =
    "SSO Master Secret Server service is not running on BTSCLUSTER01.Please start the service to continue the upgrade.";

#[test]
fn match_prints_the_fix_and_exits_0() {
    cmd()
        .args(["match", CLUSTER])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("sso-cluster-master-secret-not-running"))
        .stdout(predicate::str::contains("Why it matched"))
        .stdout(predicate::str::contains("Fix:"));
}

#[test]
fn match_reads_standard_input_with_and_without_dash() {
    cmd().args(["match", "-"]).write_stdin(CLUSTER).assert().code(0).stdout(predicate::str::contains("sso-cluster"));
    cmd().arg("match").write_stdin(CLUSTER).assert().code(0).stdout(predicate::str::contains("sso-cluster"));
}

#[test]
fn match_json_follows_the_contract() {
    let out = cmd().args(["match", "--json", "--top", "2", CLUSTER]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["query"], CLUSTER);
    let matches = v["matches"].as_array().unwrap();
    assert!(!matches.is_empty() && matches.len() <= 2);
    let first = &matches[0];
    assert_eq!(first["id"], "sso-cluster-master-secret-not-running");
    for field in ["title", "kind", "severity", "score", "confidence", "why", "fix"] {
        assert!(!first[field].is_null(), "missing {field}");
    }
    assert!(first["why"][0]["signature"].is_string());
    assert!(first["why"][0]["matched"].as_str().unwrap().contains("BTSCLUSTER01"));
    assert!(first["fix"][0]["step"].is_string());
    let scores: Vec<f64> = matches.iter().map(|m| m["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn no_known_issue_exits_1_honestly() {
    cmd()
        .args(["match", "The quick brown fox jumps over the lazy dog"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("No known issue matches"));
    let out = cmd().args(["match", "--json", "nothing to see here"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verdict"], "no-known-issue");
}

#[test]
fn empty_input_and_bad_flags_are_usage_errors() {
    cmd().args(["match", "-"]).write_stdin("   \n").assert().code(2).stderr(predicate::str::contains("empty"));
    cmd().args(["match", "--top", "0", "x"]).assert().code(2);
    cmd().args(["frobnicate"]).assert().code(2);
}

#[test]
fn secrets_in_a_paste_never_come_back() {
    let paste = "Login failed for user 'sa'. Server=sql01;User ID=sa;Password=Hunter2Secret;";
    for json in [false, true] {
        let mut c = cmd();
        c.arg("match");
        if json {
            c.arg("--json");
        }
        let out = c.arg(paste).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("Hunter2Secret"), "{text}");
    }
}

#[test]
fn utf16_standard_input_is_decoded() {
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(CLUSTER.encode_utf16().flat_map(u16::to_le_bytes));
    cmd().arg("match").write_stdin(bytes).assert().code(0).stdout(predicate::str::contains("sso-cluster"));
}

#[test]
fn kb_lint_passes_on_the_shipped_knowledge() {
    cmd().args(["kb", "lint"]).assert().code(0).stdout(predicate::str::contains("kb lint: ok"));
}

/// `kb lint DIR` on a directory holding one file.
fn lint_overlay(name: &str, yaml: &str) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), yaml).unwrap();
    cmd().args(["kb", "lint"]).arg(dir.path()).assert()
}

#[test]
fn kb_lint_fails_usefully_on_a_broken_overlay() {
    lint_overlay(
        "bad.yaml",
        "id: sql-broken\ntitle: t\nkind: known-issue\nphase: any\nseverity: error\nsignatures:\n  - regex: '(unclosed'\ncause: c\nfix:\n  - step: s\n",
    )
    .code(2)
    .stderr(predicate::str::contains("bad.yaml:7"))
    .stderr(predicate::str::contains("invalid regex"));
}

#[test]
fn kb_lint_reports_an_example_that_does_not_rank_first() {
    lint_overlay(
        "weak.yaml",
        "id: sql-weak-entry\ntitle: t\nkind: known-issue\nphase: any\nseverity: error\napplies_to: [\"2016\"]\nsignatures:\n  - phrase: \"walrus\"\ncause: c\nfix:\n  - step: s\nreferences: [https://example.org]\nexamples:\n  - \"a walrus\"\n  - \"walrus again\"\n",
    )
    .code(2)
    .stderr(predicate::str::contains("weak.yaml:14"))
    .stderr(predicate::str::contains("does not rank `sql-weak-entry` first"));
}

#[test]
fn overlays_come_from_the_flag_the_environment_and_the_config_dir() {
    let entry = "id: sql-walrus-overlay\ntitle: Walrus overlay\nkind: known-issue\nphase: any\nseverity: error\nsignatures:\n  - phrase: \"the walrus table is corrupt beyond repair\"\ncause: c\nfix:\n  - step: s\nreferences: [https://example.org]\n";
    let text = "the walrus table is corrupt beyond repair";
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("w.yaml"), entry).unwrap();
    cmd().args(["match", text]).assert().code(1);
    cmd()
        .arg("--kb")
        .arg(dir.path())
        .args(["match", text])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("sql-walrus-overlay"));
    cmd().env("BTS_DOCTOR_KB", dir.path()).args(["match", text]).assert().code(0);
    let config = tempfile::tempdir().unwrap();
    let kb_dir = config.path().join("bts-doctor").join("knowledge");
    fs::create_dir_all(&kb_dir).unwrap();
    fs::write(kb_dir.join("w.yaml"), entry).unwrap();
    cmd().env("XDG_CONFIG_HOME", config.path()).args(["match", text]).assert().code(0);
}

#[test]
fn a_missing_kb_directory_is_a_clear_error() {
    cmd()
        .args(["--kb", "/nonexistent/kb-dir", "match", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/kb-dir"))
        .stderr(predicate::str::contains("does not exist"));
}

#[test]
fn kb_list_and_show() {
    let out = cmd().args(["kb", "list", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["fingerprint"].as_str().unwrap().len(), 16);
    let ids: Vec<&str> = v["entries"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"msdtc-not-enabled"));
    cmd().args(["kb", "list"]).assert().code(0).stdout(predicate::str::contains("msdtc-not-enabled"));
    cmd()
        .args(["kb", "show", "msdtc-not-enabled"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Fix:"))
        .stdout(predicate::str::contains("Recognised by:"));
    let out = cmd().args(["kb", "show", "--json", "certificate-store-missing"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["entry"]["id"], "certificate-store-missing");
    cmd().args(["kb", "show", "msdtc-nope"]).assert().code(2).stderr(predicate::str::contains("did you mean"));
}
