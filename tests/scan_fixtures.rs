//! Each fixture log (real formats, written by us) gives the expected root cause, phase and
//! known issues. `tests/fixtures/logs/README.md` describes them.

use bts_doctor::kb::KnowledgeBase;
use bts_doctor::logs::{self, Encoding, LogFormat, ScanOptions, ScanReport, UpgradePhase};
use bts_doctor::matcher::Matcher;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::OnceLock;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/logs").join(name)
}

fn scan(name: &str) -> ScanReport {
    static M: OnceLock<Matcher> = OnceLock::new();
    let matcher = M.get_or_init(|| Matcher::new(KnowledgeBase::embedded().unwrap()).unwrap());
    logs::scan(&[fixture(name)], matcher, &ScanOptions::default(), None, &AtomicBool::new(false))
}

fn issues(report: &ScanReport) -> Vec<&str> {
    report.findings.iter().map(|f| f.issue_id.as_str()).collect()
}

#[test]
fn failed_upgrade_in_utf16_stops_at_regsvcs_while_installing() {
    let r = scan("msi-upgrade-failed.log");
    let f = &r.files[0];
    assert_eq!((f.format, f.encoding), (Some(LogFormat::Msi), Some(Encoding::Utf16Le)));
    let msi = f.msi.as_ref().unwrap();
    assert_eq!(msi.product.as_deref(), Some("Microsoft BizTalk Server 2016"));
    assert_eq!(msi.operation, "upgrade");
    assert_eq!(msi.exit_code, Some(1603));
    let root = r.root_cause.as_ref().unwrap();
    assert_eq!((root.line, root.issue_id.as_deref()), (451, Some("setup-regsvcs-5003")));
    assert_eq!(r.phase, UpgradePhase::Install);
    assert!(issues(&r).contains(&"setup-regsvcs-5003"));
}

#[test]
fn rollback_after_the_failure_is_not_a_second_cause() {
    let r = scan("msi-upgrade-failed.log");
    let root = r.root_cause.as_ref().unwrap();
    let msi = r.files[0].msi.as_ref().unwrap();
    // The deferred custom action fails inside InstallExecute; rollback errors (lines 470-486)
    // are logged before InstallExecute's Return value 3, yet the cause stays the Error 5003.
    assert_eq!(msi.failed_action.as_deref(), Some("InstallExecute"));
    assert_eq!(msi.failed_custom_action.as_deref(), Some("RegsvcsDeployment"));
    assert_eq!(root.line, 451);
    assert!(!r.unmatched.iter().any(|g| g.template.starts_with("Error in rollback skipped")));
}

#[test]
fn a_prerequisite_failure_is_the_prerequisites_phase() {
    let r = scan("msi-prerequisite-failed.log");
    assert_eq!(r.files[0].msi.as_ref().unwrap().product.as_deref(), Some("Microsoft SQL Server 2012 Native Client"));
    let root = r.root_cause.as_ref().unwrap();
    assert_eq!((root.line, root.issue_id.as_deref()), (180, Some("setup-msi-1714-missing-installer-cache")));
    assert_eq!(r.phase, UpgradePhase::Prerequisites);
}

#[test]
fn a_database_upgrade_failure_is_found_with_its_login_error() {
    let r = scan("msi-database-upgrade-failed.log");
    let root = r.root_cause.as_ref().unwrap();
    assert_eq!((root.line, root.issue_id.as_deref()), (228, Some("sql-login-failed-18456")));
    assert_eq!(r.phase, UpgradePhase::DatabaseUpgrade);
    assert!(r.phase_detail.evidence.iter().any(|e| e.line == 228));
}

#[test]
fn removing_the_old_version_is_the_feature_removal_phase() {
    let r = scan("msi-uninstall-2013r2-failed.log");
    let msi = r.files[0].msi.as_ref().unwrap();
    assert_eq!((msi.product.as_deref(), msi.operation), (Some("Microsoft BizTalk Server 2013 R2"), "uninstall"));
    assert_eq!(r.root_cause.as_ref().unwrap().line, 237);
    assert_eq!(r.phase, UpgradePhase::FeatureRemoval);
    assert!(
        issues(&r).contains(&"setup-msi-fatal-error-1603"),
        "Removal ... error status: 1603 is the generic failure"
    );
    assert!(r.unmatched.iter().any(|g| g.template == "CA_RemovePatches: Failed to delete <path> Error <hex>: The process cannot access the file because it is being used by another process."), "{:?}", r.unmatched);
}

#[test]
fn the_clean_install_yields_nothing() {
    let r = scan("msi-clean-install.log");
    assert!(r.findings.is_empty(), "{:?}", issues(&r));
    assert!(r.unmatched.is_empty(), "{:?}", r.unmatched);
    assert!(r.root_cause.is_none());
    assert_eq!(r.phase, UpgradePhase::None);
    assert_eq!(r.files[0].msi.as_ref().unwrap().exit_code, Some(0));
}

#[test]
fn the_setup_log_reports_a_prerequisite_failure() {
    let r = scan("Setup(011217 002041).htm");
    assert_eq!(r.files[0].format, Some(LogFormat::Setup));
    assert_eq!(r.root_cause.as_ref().unwrap().line, 7);
    assert_eq!(r.phase, UpgradePhase::Prerequisites);
}

#[test]
fn a_folder_with_a_binary_file_skips_it_and_reads_the_rest() {
    let r = scan("folder-with-binary");
    assert_eq!(r.files.len(), 2);
    assert!(r.files[0].skipped.as_deref().unwrap().starts_with("binary file"));
    assert_eq!(r.files[1].format, Some(LogFormat::Configlog));
    assert!(!r.found_anything());
}

#[test]
fn a_configlog_sso_failure_is_the_reconfiguration_phase_with_feature_and_hresult() {
    let r = scan("ConfigLog(01-12-2017 0h37m59s).log");
    let f = &r.files[0];
    assert_eq!(f.format, Some(LogFormat::Configlog));
    assert_eq!(f.feature.as_deref(), Some("SSOServer,Engine"));
    assert!(f.hresults.contains(&"0x800706BA".to_string()), "{:?}", f.hresults);
    let root = r.root_cause.as_ref().unwrap();
    assert_eq!((root.line, root.issue_id.as_deref()), (85, Some("sso-enable-rpc-unavailable")));
    assert_eq!(r.phase, UpgradePhase::Reconfiguration);
    assert!(r.phase_detail.evidence.iter().any(|e| e.line == 74), "the feature line is evidence");
    assert!(
        !issues(&r).contains(&"config-rule-engine-localhost-3132"),
        "the generic closing line alone is not the Rule Engine issue"
    );
}

#[test]
fn both_event_log_exports_agree_on_the_earliest_error_and_the_failed_install() {
    for name in ["eventlog-application.txt", "eventlog-saved-as-text.txt"] {
        let r = scan(name);
        assert_eq!(r.files[0].format, Some(LogFormat::Eventlog), "{name}");
        let root = r.root_cause.as_ref().unwrap();
        assert_eq!(root.issue_id.as_deref(), Some("msdtc-transaction-proxy-exception"), "{name}");
        assert!(root.text.starts_with(".NET Runtime 1026: "), "{name}: {}", root.text);
        assert_eq!(root.reason, "the earliest error event");
        assert_eq!(r.phase, UpgradePhase::Install, "{name}");
        assert!(r.phase_detail.evidence.iter().any(|e| e.text.starts_with("MsiInstaller 11708: ")), "{name}");
        assert!(issues(&r).contains(&"sso-master-secret-unavailable"), "{name}");
    }
}

#[test]
fn a_generic_log_joins_the_stack_trace_and_groups_the_unknown_error() {
    let r = scan("generic-stacktrace.log");
    assert_eq!(r.files[0].format, Some(LogFormat::Generic));
    let root = r.root_cause.as_ref().unwrap();
    assert_eq!((root.line, root.issue_id.as_deref()), (64, Some("sso-ssoclient-assembly-version")));
    let group = &r.unmatched[0];
    assert_eq!(group.count, 3);
    assert!(group.template.contains("Failed to copy binding file <path> to <path>"), "{}", group.template);
    assert_eq!(r.phase, UpgradePhase::None);
}
