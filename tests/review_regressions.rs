//! Regressions for bugs a code review found: each input once broke the scanner or leaked a
//! secret.

use assert_cmd::Command;
use bts_doctor::kb::KnowledgeBase;
use bts_doctor::logs::{self, ScanOptions, ScanReport};
use bts_doctor::matcher::Matcher;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::OnceLock;

fn scan(paths: &[PathBuf]) -> ScanReport {
    static M: OnceLock<Matcher> = OnceLock::new();
    let m = M.get_or_init(|| Matcher::new(KnowledgeBase::embedded().unwrap()).unwrap());
    logs::scan(paths, m, &ScanOptions::default(), None, &AtomicBool::new(false))
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_multibyte_character_after_the_msi_prefix_or_in_an_event_date_does_not_drop_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    let mut units: Vec<u16> = "MSI (".encode_utf16().collect();
    units.push(0xD800); // a lone surrogate: decodes to U+FFFD
    units.extend(
        "s) (2C:64) [15:48:23:562]: Product: X -- Error 5003.Regsvcs failed for assembly C:\\x.dll.\r\n".encode_utf16(),
    );
    utf16.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    let msi = write(dir.path(), "msi.log", &utf16);
    let events = write(
        dir.path(),
        "events.txt",
        "Event[0]:\n  Log Name: Application\n  Source: ENTSSO\n  Date: 2017-01-11T22:41:3→\n  Event ID: 10565\n  Level: Error\n  Description: \nThe secret could not be loaded.\n".as_bytes(),
    );
    let report = scan(&[msi, events]);
    assert_eq!(report.internal_errors, 0);
    assert!(report.files.iter().all(|f| f.skipped.is_none()), "{:?}", report.files);
    assert!(report.findings.iter().any(|f| f.issue_id == "setup-regsvcs-5003"));
}

#[test]
fn carriage_return_only_files_are_split_into_lines() {
    let dir = tempfile::tempdir().unwrap();
    let text = "MSI (s) (2C:64) [15:48:23:562]: Product: Microsoft BizTalk Server 2016 -- Error 5003.Regsvcs failed for assembly C:\\x.dll. Return code 1.\rAction ended 15:48:23: InstallFinalize. Return value 3.\r";
    let report = scan(&[write(dir.path(), "cr.log", text.as_bytes())]);
    assert_eq!(report.files[0].records, 2);
    assert_eq!(report.root_cause.as_ref().unwrap().line, 1);
}

#[test]
fn a_record_wrapped_between_the_words_of_a_signature_still_matches() {
    let dir = tempfile::tempdir().unwrap();
    let report = scan(&[write(dir.path(), "wrap.log", b"2017-01-12 10:00:01 ERROR Login failed\n    for user sa.\n")]);
    assert_eq!(report.root_cause.as_ref().unwrap().issue_id.as_deref(), Some("sql-login-failed-18456"));
}

#[test]
fn a_frequent_unknown_error_seen_late_survives_the_group_cap() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..600 {
        text.push_str(&format!(
            "ERROR distinct failure kind {}\n",
            "abcdefghij".chars().cycle().skip(i % 10).take(3 + i / 10).collect::<String>()
        ));
    }
    for i in 0..1000 {
        text.push_str(&format!("ERROR The network name cannot be found on share {i}\n"));
    }
    let report = scan(&[write(dir.path(), "groups.log", text.as_bytes())]);
    let top = &report.unmatched[0];
    assert_eq!(top.count, 1000, "{}", top.template);
    assert!(top.template.contains("network name cannot be found"));
    assert!(
        report.unmatched_omitted > 0 && report.unmatched_omitted <= 600,
        "omitted counts groups: {}",
        report.unmatched_omitted
    );
}

#[test]
fn an_early_event_keeps_its_own_context_not_the_end_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("Event[0]:\n  Source: ENTSSO\n  Date: 2017-01-11T22:41:37.000\n  Event ID: 10565\n  Level: Error\n  Description: \nThe secret could not be loaded.\n");
    for i in 1..300 {
        text.push_str(&format!("Event[{i}]:\n  Source: Other\n  Date: 2017-01-11T23:00:00.000\n  Event ID: 1\n  Level: Information\n  Description: \nfine number {i}\n"));
    }
    let report = scan(&[write(dir.path(), "ev.txt", text.as_bytes())]);
    let root = report.root_cause.unwrap();
    assert_eq!(root.line, 1);
    assert!(root.context.iter().all(|c| c.line < 20), "{:?}", root.context);
}

#[test]
fn a_quoted_password_cut_by_a_shortened_line_does_not_leak() {
    let dir = tempfile::tempdir().unwrap();
    let padding = "x".repeat(270);
    let line = format!("ERROR {padding} Server=s;Password=\"Tr0ub4dor&3 horse\";Database=d\n");
    let log = write(dir.path(), "cut.log", line.as_bytes());
    for json in [true, false] {
        let mut c = Command::cargo_bin("bts-doctor").unwrap();
        c.arg("scan");
        if json {
            c.arg("--json");
        }
        let out = c.arg(&log).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!text.contains("Tr0ub"), "{text}");
    }
}

#[test]
fn nul_bytes_after_the_sniffed_start_never_reach_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = "INFO fine\n".repeat(8000).into_bytes();
    bytes.extend_from_slice(b"ERROR broken\0\0record here\n");
    let report = scan(&[write(dir.path(), "nul.log", &bytes)]);
    assert!(report.files[0].notes.iter().any(|n| n.contains("NUL bytes")), "{:?}", report.files[0].notes);
    let group = &report.unmatched[0];
    assert!(!group.template.contains('\0') && !group.first.text.contains('\0'));
    assert!(group.first.text.contains('\u{FFFD}'));
}
