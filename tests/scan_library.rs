//! The scanner through the library on logs written by the tests: encodings, bad input, long
//! lines, progress, cancellation and ordering.

use bts_doctor::kb::KnowledgeBase;
use bts_doctor::logs::{self, Encoding, LogFormat, ScanOptions, ScanReport, UpgradePhase};
use bts_doctor::matcher::Matcher;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::OnceLock;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| Matcher::new(KnowledgeBase::embedded().unwrap()).unwrap())
}

fn scan(paths: &[PathBuf]) -> ScanReport {
    logs::scan(paths, matcher(), &ScanOptions::default(), None, &AtomicBool::new(false))
}

const FAILED_MSI: &str = "=== Verbose logging started: 1/12/2017  15:48:00  Build type: SHIP UNICODE 5.00.10011.00 ===\r\n\
MSI (s) (2C:64) [15:48:01:100]: PROPERTY CHANGE: Adding UPGRADINGPRODUCTCODE property. Its value is '{1C3E1F4A-0000-0000-0000-000000000000}'.\r\n\
MSI (s) (2C:64) [15:48:02:100]: Note: 1: 1402 2: HKEY_LOCAL_MACHINE\\Software 3: 2\r\n\
MSI (s) (2C:64) [15:48:03:100]: Product: Microsoft BizTalk Server 2016 -- Error 5003.Regsvcs failed for assembly C:\\Program Files (x86)\\Microsoft BizTalk Server 2016\\Microsoft.BizTalk.Deployment.dll. Return code 1.\r\n\
CustomAction RegsvcsDeployment returned actual error code 1603 (note this may not be 100% accurate if translation happened inside sandbox)\r\n\
Action ended 15:48:04: InstallFinalize. Return value 3.\r\n\
Action ended 15:48:05: Rollback. Return value 3.\r\n\
MSI (s) (2C:64) [15:48:06:100]: Product: Microsoft BizTalk Server 2016 -- Installation operation failed.\r\n\
MSI (s) (2C:64) [15:48:06:200]: MainEngineThread is returning 1603\r\n";

fn utf16le(text: &str, bom: bool) -> Vec<u8> {
    let mut out = if bom { vec![0xFF, 0xFE] } else { vec![] };
    out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    out
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn a_utf16_msi_log_gives_root_cause_phase_and_finding() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "setup.log", &utf16le(FAILED_MSI, true));
    let report = scan(&[path]);
    let file = &report.files[0];
    assert_eq!((file.format, file.encoding), (Some(LogFormat::Msi), Some(Encoding::Utf16Le)));
    let root = report.root_cause.as_ref().expect("a root cause");
    assert_eq!(root.line, 4, "{root:?}");
    assert_eq!(root.issue_id.as_deref(), Some("setup-regsvcs-5003"));
    assert_eq!(report.phase, UpgradePhase::Install);
    let msi = file.msi.as_ref().unwrap();
    assert_eq!(
        (msi.operation, msi.exit_code, msi.failed_action.as_deref()),
        ("upgrade", Some(1603), Some("InstallFinalize"))
    );
    let finding = report.findings.iter().find(|f| f.issue_id == "setup-regsvcs-5003").expect("finding");
    assert_eq!(finding.first.line, 4);
    assert!(
        finding.context.iter().any(|c| c.line == 3) && finding.context.iter().any(|c| c.line == 5),
        "{:?}",
        finding.context
    );
}

#[test]
fn utf16_without_bom_big_endian_and_windows_1252_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let le = write(dir.path(), "le.log", &utf16le(FAILED_MSI, false));
    let be_bytes: Vec<u8> = FAILED_MSI.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let be = write(dir.path(), "be.log", &be_bytes);
    let mut cp =
        b"2017-01-12 10:00:00 ERROR Caf\xe9 service failed: Login failed for user 'CONTOSO\\svc'.\r\n".to_vec();
    cp.extend_from_slice(b"2017-01-12 10:00:01 INFO done\r\n");
    let cp = write(dir.path(), "cp.log", &cp);
    let report = scan(&[le, be, cp]);
    let encodings: Vec<Option<Encoding>> = report.files.iter().map(|f| f.encoding).collect();
    assert_eq!(encodings, [Some(Encoding::Utf16Le), Some(Encoding::Utf16Be), Some(Encoding::Windows1252)]);
    assert!(report.findings.iter().any(|f| f.issue_id == "sql-login-failed-18456" && f.first.text.contains("Café")));
}

#[test]
fn bad_input_is_reported_per_file_and_the_rest_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.log", FAILED_MSI.as_bytes());
    let empty = write(dir.path(), "empty.log", b"");
    let binary = write(dir.path(), "tool.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff");
    let mut odd = utf16le("2017-01-12 ERROR Login failed for user 'sa'.", true);
    odd.push(b'!');
    let odd = write(dir.path(), "odd.log", &odd);
    let no_newline = write(dir.path(), "single.log", b"ERROR Login failed for user 'sa'.");
    let missing = dir.path().join("missing.log");
    let report = scan(&[good, empty, binary, odd, no_newline, missing]);
    let skipped: Vec<Option<&str>> = report.files.iter().map(|f| f.skipped.as_deref()).collect();
    assert_eq!(skipped[0], None);
    assert_eq!(skipped[1], Some("empty file"));
    assert!(skipped[2].unwrap().starts_with("binary file"));
    assert_eq!(skipped[3], None);
    assert!(report.files[3].notes.iter().any(|n| n.contains("odd number of bytes")), "{:?}", report.files[3].notes);
    assert_eq!((skipped[4], report.files[4].records), (None, 1));
    assert_eq!(skipped[5], Some("does not exist"));
    assert_eq!(report.files_read(), 3);
    assert!(report.root_cause.is_some());
}

#[test]
fn a_folder_is_scanned_recursively_in_a_stable_order() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("b/inner")).unwrap();
    write(&dir.path().join("b/inner"), "z.log", FAILED_MSI.as_bytes());
    write(dir.path(), "a.log", b"INFO nothing happened\n");
    write(&dir.path().join("b"), "c.log", b"INFO still nothing\n");
    let report = scan(&[dir.path().to_path_buf()]);
    let names: Vec<String> = report.files.iter().map(|f| f.path.rsplit('/').next().unwrap().to_string()).collect();
    assert_eq!(names, ["a.log", "c.log", "z.log"]);
    assert!(report.root_cause.as_ref().unwrap().path.ends_with("z.log"));
}

#[test]
fn a_huge_line_is_capped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = "ERROR ".to_string();
    text.push_str(&"x".repeat(8 << 20));
    text.push_str("\nERROR Login failed for user 'sa'.\n");
    let path = write(dir.path(), "huge.log", text.as_bytes());
    let report = scan(&[path]);
    assert!(
        report.files[0].notes.iter().any(|n| n.contains("line 1 is 8388614 bytes long")),
        "{:?}",
        report.files[0].notes
    );
    assert!(report.findings.iter().any(|f| f.issue_id == "sql-login-failed-18456" && f.first.line == 2));
}

#[test]
fn unknown_errors_are_grouped_by_template_with_counts() {
    let dir = tempfile::tempdir().unwrap();
    let text = "2017-01-12 10:00:01 ERROR Failed to copy C:\\a\\Orders.xml to \\\\FS01\\share: The network name cannot be found.\n\
                2017-01-12 10:00:02 ERROR Failed to copy C:\\a\\Invoices.xml to \\\\FS01\\share: The network name cannot be found.\n\
                2017-01-12 10:00:03 ERROR Failed to copy C:\\a\\Parties.xml to \\\\FS01\\share: The network name cannot be found.\n\
                2017-01-12 10:00:04 ERROR The widget frobnicator exploded with code 42\n";
    let report = scan(&[write(dir.path(), "deploy.log", text.as_bytes())]);
    assert_eq!(report.unmatched.len(), 2);
    assert_eq!(report.unmatched[0].count, 3);
    assert_eq!(report.unmatched[0].first.line, 1);
    assert!(report.unmatched[0].template.contains("<path>"), "{}", report.unmatched[0].template);
    assert_eq!(report.phase, UpgradePhase::None);
}

#[test]
fn progress_reaches_the_total_and_cancel_stops_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<PathBuf> = (0..4).map(|i| write(dir.path(), &format!("{i}.log"), FAILED_MSI.as_bytes())).collect();
    let (tx, rx) = std::sync::mpsc::channel();
    let report = logs::scan(&paths, matcher(), &ScanOptions::default(), Some(tx), &AtomicBool::new(false));
    let events: Vec<logs::Progress> = rx.iter().collect();
    let last = events.last().unwrap();
    assert_eq!((last.files_done, last.files_total), (4, 4));
    assert_eq!(last.bytes_done, last.bytes_total);
    // two records per file name the Regsvcs failure (the Error 5003 line and the custom action line)
    assert_eq!(report.findings.iter().find(|f| f.issue_id == "setup-regsvcs-5003").unwrap().count, 8);

    let cancelled = logs::scan(&paths, matcher(), &ScanOptions::default(), None, &AtomicBool::new(true));
    assert!(cancelled.cancelled);
    assert!(cancelled.findings.is_empty());
}

#[test]
fn forcing_format_and_encoding_overrides_detection() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "x.log", FAILED_MSI.as_bytes());
    let options = ScanOptions {
        format: Some(LogFormat::Generic),
        encoding: Some(Encoding::Windows1252),
        ..ScanOptions::default()
    };
    let report = logs::scan(&[path], matcher(), &options, None, &AtomicBool::new(false));
    assert_eq!(
        (report.files[0].format, report.files[0].encoding),
        (Some(LogFormat::Generic), Some(Encoding::Windows1252))
    );
}
