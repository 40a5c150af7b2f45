//! Loading knowledge layers: overlays add and replace entries by id; every broken file is a
//! clear error naming its file and line.

use bts_doctor::kb::{KnowledgeBase, Level, Sources};
use std::fs;
use std::path::Path;

const ENTRY: &str = r#"id: sql-test-overlay
title: Overlay test entry
kind: known-issue
phase: any
severity: warning
applies_to: ["2016"]
signatures:
  - phrase: "zebra overlay marker"
cause: A test.
fix:
  - step: Nothing.
references: [https://example.org/a]
examples: ["zebra overlay marker one", "zebra overlay marker two"]
"#;

fn write(dir: &Path, name: &str, text: &str) {
    fs::create_dir_all(dir).unwrap();
    fs::write(dir.join(name), text).unwrap();
}

fn overlay(dirs: &[&Path]) -> Sources {
    Sources { embedded: true, optional_dirs: vec![], dirs: dirs.iter().map(|d| d.to_path_buf()).collect() }
}

#[test]
fn the_embedded_knowledge_loads_on_its_own() {
    let kb = KnowledgeBase::embedded().expect("embedded knowledge loads");
    assert!(kb.entries().len() >= 70, "only {} entries", kb.entries().len());
    assert_eq!(kb.fingerprint().len(), 16);
    assert!(kb.entries().iter().all(|e| e.origin.layer == "embedded"));
}

#[test]
fn an_overlay_adds_an_entry_and_another_replaces_it_by_id() {
    let base = KnowledgeBase::embedded().unwrap();
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    write(one.path(), "a.yaml", ENTRY);
    write(&two.path().join("issues"), "b.yaml", &ENTRY.replace("Overlay test entry", "Replaced title"));

    let kb = overlay(&[one.path()]).load().unwrap();
    assert_eq!(kb.entries().len(), base.entries().len() + 1);
    assert_eq!(kb.get("sql-test-overlay").unwrap().title, "Overlay test entry");
    assert_ne!(kb.fingerprint(), base.fingerprint());

    let kb = overlay(&[one.path(), two.path()]).load().unwrap();
    assert_eq!(kb.entries().len(), base.entries().len() + 1);
    let e = kb.get("sql-test-overlay").unwrap();
    assert_eq!(e.title, "Replaced title");
    assert!(e.origin.file.ends_with("b.yaml"));
    assert_eq!(kb.replaced().len(), 1);
}

#[test]
fn an_overlay_can_replace_a_shipped_entry() {
    let base = KnowledgeBase::embedded().unwrap();
    let shipped = &base.entries()[0];
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "mine.yaml", &ENTRY.replace("sql-test-overlay", &shipped.id));
    let kb = overlay(&[dir.path()]).load().unwrap();
    assert_eq!(kb.entries().len(), base.entries().len());
    assert_eq!(kb.get(&shipped.id).unwrap().title, "Overlay test entry");
}

#[test]
fn malformed_yaml_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "broken.yaml", &ENTRY.replace("kind: known-issue", "kind: known-issue\n  - stray: [unclosed"));
    let err = overlay(&[dir.path()]).load().unwrap_err();
    let p = &err.problems[0];
    assert!(p.file.ends_with("broken.yaml"), "{p}");
    assert!(p.line.is_some() && p.column.is_some(), "{p}");
    assert_eq!(p.level, Level::Error);
    let shown = p.to_string();
    assert!(shown.contains("broken.yaml:"), "{shown}");
}

#[test]
fn a_bad_regex_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "regex.yaml",
        &ENTRY.replace(
            "  - phrase: \"zebra overlay marker\"",
            "  - phrase: \"zebra overlay marker\"\n  - regex: 'unclosed (group'",
        ),
    );
    let err = overlay(&[dir.path()]).load().unwrap_err();
    let p = &err.problems[0];
    assert_eq!(p.line, Some(9), "{p}");
    assert!(p.message.contains("invalid regex"), "{p}");
    assert!(p.to_string().starts_with(&format!("{}:9:", dir.path().join("regex.yaml").display())), "{p}");
}

#[test]
fn a_duplicate_id_in_one_layer_names_both_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", ENTRY);
    write(dir.path(), "b.yaml", ENTRY);
    let err = overlay(&[dir.path()]).load().unwrap_err();
    assert_eq!(err.problems.len(), 1);
    let p = &err.problems[0];
    assert!(p.file.ends_with("b.yaml") && p.message.contains("a.yaml"), "{p}");
    assert!(p.message.contains("duplicate id `sql-test-overlay`"), "{p}");
    assert_eq!(p.line, Some(1));
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.yaml", &ENTRY.replace("severity: warning", "severity: awful"));
    write(dir.path(), "b.yaml", "id: [");
    fs::write(dir.path().join("c.yaml"), [0xff, 0xfe, 0x00]).unwrap();
    let err = overlay(&[dir.path()]).load().unwrap_err();
    let files: Vec<&str> = err.problems.iter().map(|p| p.file.rsplit('/').next().unwrap()).collect();
    assert_eq!(files, ["a.yaml", "b.yaml", "c.yaml"]);
    assert!(err.problems[2].message.contains("not UTF-8"));
}

#[test]
fn a_missing_overlay_directory_is_an_error_but_a_missing_config_dir_is_not() {
    let missing = Path::new("/nonexistent/bts-doctor-kb");
    let err = overlay(&[missing]).load().unwrap_err();
    assert!(err.problems[0].message.contains("does not exist"));
    let quiet = Sources { embedded: true, optional_dirs: vec![missing.to_path_buf()], dirs: vec![] };
    assert!(quiet.load().is_ok());
}

#[test]
fn other_folders_are_not_read_as_entries_and_playbooks_are_read_as_playbooks() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("notes"), "n.yaml", "steps: []\n");
    write(dir.path(), "a.yaml", ENTRY);
    let kb = overlay(&[dir.path()]).load().unwrap();
    assert!(kb.get("sql-test-overlay").is_some());
    write(&dir.path().join("playbooks"), "p.yaml", "steps: []\n");
    let err = overlay(&[dir.path()]).load().unwrap_err();
    assert!(err.to_string().contains("playbooks/p.yaml:1:1: error: missing field `id`"), "{err}");
}

#[test]
fn check_specs_load_embedded_and_an_overlay_retunes_one_by_id() {
    let kb = KnowledgeBase::embedded().unwrap();
    assert!(kb.checks().len() >= 20, "{} checks", kb.checks().len());
    for check in kb.checks() {
        assert!(kb.get(&check.issue).is_some(), "{} names {}", check.id, check.issue);
    }
    let tmp = tempfile::tempdir().unwrap();
    let checks = tmp.path().join("checks");
    write(
        &checks,
        "backups.yaml",
        "id: sql-database-backups\ntitle: Backups within a day\nprobe:\n  kind: sql-database-backups\n  required: [BizTalkMgmtDb]\nexpect:\n  fail_age_hours: 24\nseverity: blocker\nissue: sql-backup-databases-before-upgrade\n",
    );
    let kb = overlay(&[tmp.path()]).load().unwrap();
    let spec = kb.check("sql-database-backups").unwrap();
    assert_eq!(spec.expect.fail_age_hours, Some(24));
    assert!(spec.origin.file.ends_with("backups.yaml"));
    assert_ne!(
        kb.fingerprint(),
        KnowledgeBase::embedded().unwrap().fingerprint(),
        "a retuned check changes the version"
    );
}

#[test]
fn broken_check_specs_and_dangling_links_are_errors_with_places() {
    let tmp = tempfile::tempdir().unwrap();
    let checks = tmp.path().join("checks");
    write(
        &checks,
        "bad-expect.yaml",
        "id: local-bad-expect\ntitle: t\nprobe:\n  kind: service\n  name: ENTSSO\nexpect:\n  state: running\n  min_free_mb: 5\nseverity: error\nissue: msdtc-not-enabled\n",
    );
    write(
        &checks,
        "bad-issue.yaml",
        "id: local-bad-issue\ntitle: t\nprobe:\n  kind: tcp\n  host: sql01\n  port: 1433\nseverity: error\nissue: no-such-entry\nfix_step: 1\n",
    );
    write(
        &checks,
        "bad-step.yaml",
        "id: local-bad-step\ntitle: t\nprobe:\n  kind: tcp\n  host: sql01\n  port: 1433\nseverity: error\nissue: msdtc-not-enabled\nfix_step: 99\n",
    );
    write(
        &checks,
        "bad-kind.yaml",
        "id: local-bad-kind\ntitle: t\nprobe:\n  kind: telepathy\nseverity: error\nissue: msdtc-not-enabled\n",
    );
    write(tmp.path(), "entry.yaml", &ENTRY.replace("references:", "checks: [local-missing-check]\nreferences:"));
    let err = overlay(&[tmp.path()]).load().unwrap_err();
    let text = err.to_string();
    for needle in [
        "bad-expect.yaml:1: error: check `local-bad-expect`: expect.min_free_mb means nothing to a `service` probe",
        "bad-issue.yaml:1: error: check `local-bad-issue` names issue `no-such-entry`, which is not in the knowledge base",
        "bad-step.yaml:1: error: check `local-bad-step`: fix_step 99 but `msdtc-not-enabled` has",
        "bad-kind.yaml:4:",
        "`sql-test-overlay` names check `local-missing-check`, which is not in the knowledge base",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in:\n{text}");
    }
    assert!(err.problems.iter().all(|p| p.level == Level::Error));
}

#[test]
fn a_destructive_fix_step_must_say_what_it_affects() {
    let text = "id: t-wipe\ntitle: T\nkind: known-issue\nphase: any\nseverity: error\napplies_to: [\"2016\"]\nsignatures:\n  - phrase: \"some distinctive failure text here\"\ncause: c\nfix:\n  - step: Reinstall MSDTC.\n    command: msdtc -uninstall\nreferences: [https://example.invalid]\nexamples: [\"some distinctive failure text here\", \"again some distinctive failure text here\"]\n";
    let problems = bts_doctor::kb::parse_entry(
        text,
        bts_doctor::kb::Origin { layer: "test".into(), file: "t.yaml".into(), line: 0 },
    )
    .unwrap_err();
    assert!(
        problems[0].message.contains("fix step 1 is an uninstall: say what it affects in `destructive`"),
        "{problems:?}"
    );
    let fixed = text.replace(
        "    command: msdtc -uninstall\n",
        "    command: msdtc -uninstall\n    destructive: Resets MSDTC's settings.\n",
    );
    assert!(bts_doctor::kb::parse_entry(
        &fixed,
        bts_doctor::kb::Origin { layer: "test".into(), file: "t.yaml".into(), line: 0 }
    )
    .is_ok());
}

#[test]
fn a_probe_without_parameters_refuses_unknown_fields() {
    let text = "id: t-conn\ntitle: T\nprobe:\n  kind: sql-connection\n  query: \"DELETE FROM adm_Group\"\nseverity: error\nissue: sql-network-error-40\n";
    let origin = bts_doctor::kb::Origin { layer: "test".into(), file: "checks/t.yaml".into(), line: 0 };
    let problems = bts_doctor::kb::check_spec::parse_check(text, origin).unwrap_err();
    assert!(problems[0].message.contains("query"), "{problems:?}");
    assert!(problems[0].line.is_some() && problems[0].column.is_some(), "the place is given: {problems:?}");
}
