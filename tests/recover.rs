//! Guided recovery through the real binary: every branch of the failed-upgrade playbook with
//! the phase taken from a fixture log and the rest scripted by `--answers`; resume after a
//! kill; a changed playbook is noticed; a broken playbook fails lint.

use assert_cmd::Command;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

const LOGS: &str = "tests/fixtures/logs";

fn recover(data: &Path, args: &[&str], answers: &str) -> (Option<i32>, Value, String) {
    let file = data.join("answers.yaml");
    std::fs::write(&file, answers).unwrap();
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .arg("recover")
        .args(args)
        .args(["--json", "--answers"])
        .arg(&file)
        .env("BTS_DOCTOR_DATA", data)
        .env_remove("BTS_DOCTOR_SQL")
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let doc = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code(), doc, stderr)
}

/// The step ids of the path taken, with the answer or check status where there is one.
fn path(doc: &Value) -> Vec<String> {
    doc["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let step = v["step"].as_str().unwrap();
            match (v["answer"].as_str(), v["check"]["status"].as_str()) {
                (Some(a), _) => format!("{step}={a}"),
                (_, Some(s)) => format!("{step}:{s}"),
                _ => step.to_string(),
            }
        })
        .collect()
}

fn log(name: &str) -> String {
    format!("{LOGS}/{name}")
}

#[test]
fn prerequisites_failure_from_its_log_fixes_the_error_and_reruns_setup() {
    let data = tempfile::tempdir().unwrap();
    let (code, doc, err) =
        recover(data.path(), &["--log", &log("msi-prerequisite-failed.log")], "answers:\n  rerun-result: \"yes\"\n");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["scan"]["phase"], "prerequisites");
    assert_eq!(doc["scan"]["root_cause_issue"], "setup-msi-1714-missing-installer-cache");
    assert_eq!(path(&doc), ["phase=prerequisites", "prerequisites-fix", "rerun-setup", "rerun-result=yes"]);
    assert_eq!(doc["path"][0]["by"], "scan");
    assert_eq!(doc["finished"], true);
    assert_eq!(doc["current"], "upgraded");
}

#[test]
fn a_database_upgrade_that_changed_the_databases_restores_every_database_to_the_mark() {
    let data = tempfile::tempdir().unwrap();
    let answers = "answers:\n  databases-changed: \"yes\"\n  other-servers: only\n  master-secret: \"no\"\n  after-restore: retry\n  rerun-result: \"yes\"\nchecks:\n  local-biztalk-version: pass\n  sql-biztalk-version: pass\n  sql-restore-point: pass\nconfirm: [restore]\n";
    let (code, doc, err) = recover(data.path(), &["--log", &log("msi-database-upgrade-failed.log")], answers);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        path(&doc),
        [
            "phase=database-upgrade",
            "database-version:pass",
            "databases-changed=yes",
            "other-servers=only",
            "backups:pass",
            "restore",
            "master-secret=no",
            "after-restore=retry",
            "installed:pass",
            "fix-cause",
            "rerun-setup",
            "rerun-result=yes"
        ]
    );
    assert_eq!(doc["checks_run"].as_array().unwrap().len(), 3);
    assert_eq!(doc["current"], "upgraded");
}

#[test]
fn a_destructive_step_is_never_passed_without_an_explicit_confirmation() {
    let data = tempfile::tempdir().unwrap();
    let answers = "answers:\n  databases-changed: \"yes\"\n  other-servers: only\nchecks:\n  sql-biztalk-version: pass\n  sql-restore-point: pass\n";
    let (code, doc, err) = recover(data.path(), &["--log", &log("msi-database-upgrade-failed.log")], answers);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(doc["current"], "restore", "the walk stops at the restore");
    assert_eq!(doc["finished"], false);
    assert_eq!(doc["waiting"]["kind"], "confirm-destructive");
    assert!(doc["waiting"]["affects"].as_str().unwrap().contains("Overwrites every BizTalk database"), "{doc}");
    // The exact commands: every database of a group, in order, none recovered before its last log.
    let script = doc["waiting"]["command"].as_str().unwrap();
    let restores: Vec<&str> = script.lines().filter(|l| l.starts_with("RESTORE ")).collect();
    let order: Vec<&str> = restores
        .iter()
        .filter(|l| l.starts_with("RESTORE DATABASE"))
        .map(|l| l.split(['[', ']']).nth(1).unwrap())
        .collect();
    assert_eq!(
        order,
        [
            "BizTalkMgmtDb",
            "BizTalkMsgBoxDb",
            "BizTalkDTADb",
            "SSODB",
            "BizTalkRuleEngineDb",
            "BizTalkEDIDb",
            "BizTalkHwsDb",
            "TPM",
            "BAMPrimaryImport",
            "BAMArchive",
            "BAMStarSchema"
        ]
    );
    for db in &order[..9] {
        let own: Vec<&&str> = restores.iter().filter(|l| l.contains(&format!("[{db}]"))).collect();
        let last = own.last().unwrap();
        assert!(
            last.starts_with("RESTORE LOG") && last.contains("STOPATMARK") && last.ends_with("RECOVERY;"),
            "{db}: {last}"
        );
        for earlier in &own[..own.len() - 1] {
            assert!(earlier.ends_with("NORECOVERY;"), "{db}: nothing recovers before the last log: {earlier}");
        }
    }
    let first_restore = script.find("RESTORE ").unwrap();
    assert!(script[..first_restore].contains("COPY_ONLY"), "the databases are copied aside first");
    assert!(script[..first_restore].contains("host instance"), "the writers are stopped first");
    assert!(script.contains("Rule Engine"), "the Rule Engine Update service is restarted after");
}

#[test]
fn a_backup_taken_after_the_failure_is_refused_as_the_restore_point() {
    use bts_doctor::checks::sql_probes::{judge_restore_point, BackupRow};
    use bts_doctor::checks::Verdict;
    use bts_doctor::logs::when::LocalTime;
    // The failure time as the scan reads it from the fixture log.
    let matcher = bts_doctor::matcher::Matcher::new(bts_doctor::kb::KnowledgeBase::embedded().unwrap()).unwrap();
    let report = bts_doctor::logs::scan(
        &[std::path::PathBuf::from(log("msi-database-upgrade-failed.log"))],
        &matcher,
        &Default::default(),
        None,
        &std::sync::atomic::AtomicBool::new(false),
    );
    let failure = report.root_cause.as_ref().and_then(|r| r.when.clone()).expect("the log dates the failure");
    let started = failure.run_started.expect("the MSI banner gives the run's start");
    let row = |set: i64, db: &str, t: LocalTime, full: bool| BackupRow {
        set,
        database: db.into(),
        server: "SQL01".into(),
        time: t,
        full,
        mark: (!full).then(|| format!("BTS_{set}")),
        file: format!("F:\\b\\{db}_{set}.bak"),
    };
    let after = failure.latest.unwrap().plus(3600);
    let late = vec![row(7, "BizTalkMgmtDb", after, true), row(7, "BizTalkMgmtDb", after, false)];
    let verdict = judge_restore_point(&late, Some(&failure));
    let Verdict::Miss(detail) = &verdict else { panic!("{verdict:?}") };
    assert!(detail.contains("taken after the failed run started"), "{detail}");
    // Between the run's start and the failure: the databases may already be changed, refused too.
    let during = vec![row(8, "BizTalkMgmtDb", started.plus(1), true), row(8, "BizTalkMgmtDb", started.plus(1), false)];
    assert!(!matches!(judge_restore_point(&during, Some(&failure)), Verdict::WithData(..) | Verdict::Pass(_)));
    // An earlier mark is taken, the later one named as refused.
    let before = started.plus(-7200);
    let mut both = late.clone();
    both.extend([row(3, "BizTalkMgmtDb", before, true), row(3, "BizTalkMgmtDb", before, false)]);
    let Verdict::WithData(inner, plan) = judge_restore_point(&both, Some(&failure)) else { panic!() };
    let Verdict::Pass(detail) = *inner else { panic!() };
    assert!(
        detail.contains("mark BTS_3") && detail.contains("refused as taken after the run started: BTS_7"),
        "{detail}"
    );
    assert_eq!(plan["mark"], "BTS_3");
    // Without a failure time the check cannot tell.
    assert!(matches!(judge_restore_point(&both, None), Verdict::Skip(d) if d.contains("failure time is not known")));
}

#[test]
fn without_a_restore_point_the_guide_stops_before_anything_else_changes() {
    let data = tempfile::tempdir().unwrap();
    let answers = "answers:\n  databases-changed: \"yes\"\n  other-servers: only\n  no-restore-point: \"no\"\nchecks:\n  sql-biztalk-version: pass\n  sql-restore-point: fail\n";
    let (_, doc, _) = recover(data.path(), &["--log", &log("msi-upgrade-failed.log")], answers);
    assert_eq!(doc["scan"]["phase"], "install");
    assert_eq!(path(&doc).last().unwrap(), "no-restore-point=no");
    assert_eq!(doc["current"], "escalate");
    assert_eq!(doc["finished"], true);
}

#[test]
fn nothing_of_the_old_version_left_leads_to_reinstalling_it_never_to_a_fresh_2016_install() {
    let data = tempfile::tempdir().unwrap();
    let answers = "answers:\n  databases-changed: \"no\"\nchecks:\n  local-biztalk-version: fail\n  sql-biztalk-version: pass\nconfirm: [reinstall-previous]\n";
    let (_, doc, _) = recover(data.path(), &["--log", &log("msi-uninstall-2013r2-failed.log")], answers);
    assert_eq!(
        path(&doc),
        [
            "phase=feature-removal",
            "database-version:pass",
            "databases-changed=no",
            "installed:fail",
            "nothing-installed",
            "reinstall-previous"
        ]
    );
    assert_eq!(doc["current"], "regressed");
    let kb = bts_doctor::kb::KnowledgeBase::embedded().unwrap();
    let text = &kb.playbook("recover-failed-upgrade").unwrap().step("nothing-installed").unwrap().text;
    assert!(text.contains("would be a fresh installation, not an upgrade"), "{text}");
}

#[test]
fn a_reconfiguration_failure_runs_configuration_again_until_it_completes() {
    let data = tempfile::tempdir().unwrap();
    let answers = "answers:\n  reconfigure-result: [\"no\", \"yes\"]\n  reconfigure-or-regress: retry\n";
    let (_, doc, _) = recover(data.path(), &["--log", &log("ConfigLog(01-12-2017 0h37m59s).log")], answers);
    assert_eq!(
        path(&doc),
        [
            "phase=reconfiguration",
            "reconfigure",
            "reconfigure-result=no",
            "fix-reconfigure",
            "reconfigure-or-regress=retry",
            "reconfigure",
            "reconfigure-result=yes"
        ]
    );
    assert_eq!(doc["current"], "upgraded");
}

#[test]
fn without_logs_the_phase_is_asked_and_a_missing_answer_stops_with_what_remains() {
    let data = tempfile::tempdir().unwrap();
    let (code, doc, _) = recover(data.path(), &[], "answers:\n  phase: [unknown]\n");
    assert_eq!(code, Some(0));
    assert_eq!(path(&doc), ["phase=unknown", "find-logs"]);
    assert_eq!(doc["finished"], false);
    assert_eq!(doc["current"], "phase");
    let remaining: Vec<&str> = doc["remaining"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(remaining[0], "phase");
    assert!(remaining.contains(&"restore") && remaining.contains(&"upgraded"), "{remaining:?}");
    // Live checks without a SQL Server or on another system cannot tell: the check step's
    // question is asked, and no branch is taken until it is answered.
    let (_, doc, _) = recover(data.path(), &["--restart"], "answers:\n  phase: install\n  databases-changed: \"no\"\n");
    assert_eq!(doc["path"][1]["check"]["status"], "skipped");
    assert_eq!(doc["path"][1]["mark"], "undecided");
    assert_eq!(doc["current"], "installed");
    assert_eq!(doc["waiting"]["kind"], "undecided");
    assert!(doc["waiting"]["question"].as_str().unwrap().contains("Programs and Features"), "{doc}");
    assert!(!path(&doc).iter().any(|s| s == "nothing-installed"), "a check that cannot tell asserts nothing");
    // Answered by the user: that answer decides, and the step stays marked as not established.
    let (_, doc, _) = recover(
        data.path(),
        &["--restart"],
        "answers:\n  phase: install\n  databases-changed: \"no\"\n  installed: \"no\"\n",
    );
    let installed = doc["path"].as_array().unwrap().iter().find(|v| v["step"] == "installed").unwrap().clone();
    assert_eq!(installed["answer"], "no");
    assert_eq!(installed["by"], "user");
    assert_eq!(installed["mark"], "undecided");
    assert_eq!(doc["current"], "reinstall-previous");
}

#[test]
fn a_wrong_answer_or_playbook_is_a_usage_error_that_names_the_choices() {
    let data = tempfile::tempdir().unwrap();
    let (code, _, err) = recover(data.path(), &[], "answers:\n  phase: sideways\n");
    assert_eq!(code, Some(2));
    assert!(
        err.contains("step `phase` has no choice `sideways`; choose one of: prerequisites, database-upgrade"),
        "{err}"
    );
    let (code, _, err) = recover(data.path(), &["--playbook", "nope"], "answers: {}\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("use one of: post-upgrade, pre-upgrade, recover-failed-upgrade"), "{err}");
    let (code, _, err) = recover(data.path(), &[], "answer:\n  phase: install\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("answers.yaml:1:1"), "{err}");
}

#[test]
fn progress_survives_a_killed_process_and_resumes_where_it_stopped() {
    let data = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("bts-doctor");
    // Interactive: answer the phase question, go past one step, then get killed at the prompt.
    let mut child = std::process::Command::new(&bin)
        .args(["recover", "--restart"])
        .env("BTS_DOCTOR_DATA", data.path())
        .env_remove("BTS_DOCTOR_SQL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let saved = data.path().join("progress/recover-failed-upgrade.json");
    {
        let stdin = child.stdin.as_mut().unwrap();
        stdin.write_all(b"1\n").unwrap();
        stdin.flush().unwrap();
    }
    // Wait for the state written after the answer (a watchdog bounds the wait; the assertion
    // below is decided by the file's content, not by how long it took).
    let answered = |text: &str| serde_json::from_str::<Value>(text).is_ok_and(|p| p["current"] == "prerequisites-fix");
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while !std::fs::read_to_string(&saved).is_ok_and(|t| answered(&t)) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    let _ = child.wait();

    let text = std::fs::read_to_string(&saved).expect("progress was saved before the kill");
    let progress: Value = serde_json::from_str(&text).expect("the saved file is whole JSON");
    assert_eq!(progress["current"], "prerequisites-fix");
    let leftovers: Vec<_> = std::fs::read_dir(saved.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary file is left behind");

    let (_, doc, _) = recover(data.path(), &["--resume"], "answers:\n  rerun-result: \"yes\"\n");
    assert_eq!(doc["resumed"], true);
    assert_eq!(path(&doc), ["phase=prerequisites", "prerequisites-fix", "rerun-setup", "rerun-result=yes"]);
    assert_eq!(doc["finished"], true);
}

#[test]
fn a_changed_playbook_is_noticed_and_not_resumed() {
    let data = tempfile::tempdir().unwrap();
    let (_, doc, _) = recover(data.path(), &[], "answers:\n  phase: prerequisites\n");
    assert_eq!(doc["finished"], false);
    // The same playbook with one changed sentence, as an overlay.
    let kb = data.path().join("kb");
    std::fs::create_dir_all(kb.join("playbooks")).unwrap();
    let original = std::fs::read_to_string("knowledge/playbooks/recover-failed-upgrade.yaml").unwrap();
    let changed = original.replace("Fix the reported prerequisite error", "Fix the prerequisite error setup reported");
    std::fs::write(kb.join("playbooks/recover-failed-upgrade.yaml"), changed).unwrap();
    let file = data.path().join("answers.yaml");
    std::fs::write(&file, "answers: {}\n").unwrap();
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .args(["--kb"])
        .arg(&kb)
        .args(["recover", "--resume", "--json", "--answers"])
        .arg(&file)
        .env("BTS_DOCTOR_DATA", data.path())
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["resumed"], false);
    assert!(
        doc["notice"].as_str().unwrap().contains("changed since progress was saved at “Did setup succeed this time?”"),
        "{doc}"
    );
    assert_eq!(doc["current"], "phase", "it starts over");
}

#[test]
fn a_broken_playbook_fails_lint_with_its_place() {
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(data.path().join("playbooks")).unwrap();
    std::fs::write(
        data.path().join("playbooks/broken.yaml"),
        "id: broken-book\ntitle: Broken\nstart: first\nsteps:\n  - id: first\n    kind: check\n    title: A check that is not there\n    check: no-such-check\n    pass: gone\n    fail: first\n    unknown: first\n",
    )
    .unwrap();
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .args(["--kb"])
        .arg(data.path())
        .args(["kb", "lint"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.yaml:1: error: playbook `broken-book`: step `first` leads to `gone`, which is not a step"),
        "{err}"
    );
    assert!(err.contains("runs check `no-such-check`, which is not in the knowledge base"), "{err}");
}

#[test]
fn json_without_answers_only_reports_where_things_stand_and_never_prompts() {
    let data = tempfile::tempdir().unwrap();
    // Saved progress exists: a --json run must neither ask nor walk on.
    let (_, doc, _) = recover(data.path(), &[], "answers:\n  phase: prerequisites\n");
    assert_eq!(doc["current"], "rerun-result");
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .args(["recover", "--json", "--resume", "--playbook", "recover-failed-upgrade"])
        .env("BTS_DOCTOR_DATA", data.path())
        .env_remove("BTS_DOCTOR_SQL")
        .write_stdin("")
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).expect("pure JSON on stdout");
    assert_eq!(doc["resumed"], true);
    assert_eq!(doc["current"], "rerun-result", "nothing was walked");
    assert_eq!(doc["finished"], false);
}

#[test]
fn scripted_answers_that_loop_forever_are_stopped() {
    let data = tempfile::tempdir().unwrap();
    let (code, _, err) = recover(data.path(), &["--restart"], "answers:\n  phase: [unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown, unknown]\n");
    assert_eq!(code, Some(2));
    assert!(err.contains("came back 25 times"), "{err}");
}
