//! The matcher on a small knowledge base written here, so each behaviour is pinned down
//! independently of the shipped entries.

use bts_doctor::kb::{parse_entry, Entry, KnowledgeBase, Origin};
use bts_doctor::matcher::{Confidence, Matcher};

fn entry(yaml: &str) -> Entry {
    let origin = Origin { layer: "test".into(), file: "test.yaml".into(), line: 0 };
    parse_entry(yaml, origin).unwrap_or_else(|e| panic!("{e:?}"))
}

fn with_signatures(id: &str, signatures: &str) -> Entry {
    entry(&format!(
        "id: {id}\ntitle: {id}\nkind: known-issue\nphase: any\nseverity: error\nsignatures:\n{signatures}\ncause: c\nfix:\n  - step: s\n"
    ))
}

fn matcher() -> Matcher {
    let entries = vec![
        with_signatures(
            "sso-cluster-secret",
            "  - phrase: \"SSO Master Secret Server service is not running on {host}. Please start the service to continue the upgrade\"\n  - phrase: SSO\n    weight: 1",
        ),
        with_signatures(
            "sso-generic",
            "  - phrase: \"Enterprise Single Sign-On\"\n    weight: 2\n  - phrase: SSO\n    weight: 1.5",
        ),
        with_signatures(
            "msdtc-proxy",
            "  - phrase: \"System.EnterpriseServices.TransactionProxyException\"\n  - code: \"0x8004D00E\"\n    weight: 4",
        ),
        with_signatures("sso-unreachable", "  - code: \"0xC0002A0F\"\n    weight: 6"),
        with_signatures(
            "setup-msi-1603",
            "  - regex: 'Return value 3\\.'\n    weight: 4\n  - msi_error: 1603\n    weight: 4",
        ),
        with_signatures(
            "sql-login-failed",
            "  - phrase: \"Login failed for user\"\n    weight: 4\n  - event_id: 18456\n    weight: 3\n  - phrase: \"local computer\"\n    weight: -3",
        ),
    ];
    Matcher::new(KnowledgeBase::from_entries(entries)).expect("compiles")
}

fn best(text: &str) -> Option<String> {
    matcher().match_text(text).best_confident().map(|m| m.id.clone())
}

#[test]
fn an_exact_error_sentence_with_a_machine_name_matches_with_high_confidence() {
    let report = matcher().match_text(
        "SSO Master Secret Server service is not running on BTSCLUSTER01.Please start the service to continue the upgrade.",
    );
    let m = report.best_confident().expect("a match");
    assert_eq!(m.id, "sso-cluster-secret");
    assert_eq!(m.confidence, Confidence::High);
    let why = &m.why[0];
    assert!(why.signature.starts_with("phrase"));
    assert_eq!(
        why.matched,
        "SSO Master Secret Server service is not running on BTSCLUSTER01.Please start the service to continue the upgrade"
    );
    assert_eq!(&report.clean[why.span.0..why.span.1], why.matched);
}

#[test]
fn a_hard_wrapped_paste_still_matches_even_mid_word() {
    let wrapped = "SSO Master Secret Ser\nver service is not running on BTSCLUS\nTER01.Please start the service to con\ntinue the upgrade.";
    assert_eq!(best(wrapped).as_deref(), Some("sso-cluster-secret"));
}

#[test]
fn a_partial_line_matches_the_phrase_it_comes_from() {
    let report = matcher().match_text("Master Secret Server service is not running on");
    let m = report.matches.first().expect("a candidate");
    assert_eq!(m.id, "sso-cluster-secret");
    assert_eq!(m.confidence, Confidence::Medium);
    let partial = m.why[0].partial.expect("partial evidence");
    assert!((0.3..1.0).contains(&partial), "{partial}");
    assert_eq!(m.why[0].matched, "Master Secret Server service is not running on");
    // four words in sequence are a hint, not an answer
    let short = matcher().match_text("Secret Server service is");
    assert!(short.best_confident().is_none());
}

#[test]
fn json_escaped_text_matches_and_spans_point_into_the_unescaped_text() {
    let json = r#""Error: \"System.EnterpriseServices.TransactionProxyException\"\r\n   at Foo.Bar()""#;
    let report = matcher().match_text(json);
    assert_eq!(report.best_confident().map(|m| m.id.as_str()), Some("msdtc-proxy"));
    assert!(report.clean.contains("\"System.EnterpriseServices"));
    assert!(!report.clean.contains("\\r\\n"));
}

#[test]
fn a_paste_with_several_errors_returns_a_match_for_each() {
    let text = "Exception of type 'System.EnterpriseServices.TransactionProxyException' was thrown.\n\
                ...\n\
                Login failed for user 'CONTOSO\\svc-bts'. Event ID: 18456";
    let report = matcher().match_text(text);
    let ids: Vec<&str> = report.confident().map(|m| m.id.as_str()).collect();
    assert!(ids.contains(&"msdtc-proxy"), "{ids:?}");
    assert!(ids.contains(&"sql-login-failed"), "{ids:?}");
}

#[test]
fn hresults_match_in_any_case_with_or_without_0x_and_as_signed_decimals() {
    for text in ["hr=0xC0002A0F", "error code 0xc0002a0f", "(C0002A0F)", "returned -1073731057"] {
        assert_eq!(best(text).as_deref(), Some("sso-unreachable"), "{text}");
    }
    assert_eq!(best("value 0xC0002A0F1 is longer"), None);
}

#[test]
fn return_value_3_is_an_error_and_return_value_1_is_not() {
    assert_eq!(best("Action ended 15:48:23: InstallFinalize. Return value 3.").as_deref(), Some("setup-msi-1603"));
    assert_eq!(best("Action ended 15:48:23: InstallFinalize. Return value 1."), None);
    assert_eq!(
        best("MSI (s) (74:A8) [12:44:33:875]: MainEngineThread is returning 1603").as_deref(),
        Some("setup-msi-1603")
    );
    assert_eq!(best("copied 1603 files"), None);
}

#[test]
fn distinctive_evidence_beats_a_generic_word() {
    let text =
        "The SSO service failed: Exception of type 'System.EnterpriseServices.TransactionProxyException' was thrown.";
    let report = matcher().match_text(text);
    assert_eq!(report.matches[0].id, "msdtc-proxy");
    let sso = report.matches.iter().find(|m| m.id == "sso-generic").expect("sso also seen");
    assert_eq!(sso.confidence, Confidence::Low);
}

#[test]
fn strongest_evidence_wins_and_more_evidence_adds_up() {
    let one = matcher().match_text("Login failed for user 'sa'.");
    let two = matcher().match_text("Login failed for user 'sa'. Event ID: 18456");
    assert_eq!(one.matches[0].score, 4.0);
    assert_eq!(two.matches[0].score, 5.5);
}

#[test]
fn negative_weights_count_against_an_entry() {
    let report = matcher().match_text("Login failed for user 'sa' on the local computer");
    assert_eq!(report.matches[0].score, 1.0);
    assert_eq!(report.best_confident(), None);
}

#[test]
fn phrase_matches_respect_word_boundaries() {
    assert!(matcher().match_text("PSSO is not a thing").matches.is_empty());
    assert_eq!(matcher().match_text("the SSO, again").matches[0].id, "sso-generic");
}

#[test]
fn log_prefixes_do_not_hide_a_message_split_across_lines() {
    let text = "MSI (s) (2C:64) [15:48:23:562]: SSO Master Secret Server service is not running on\nMSI (s) (2C:64) [15:48:23:563]: NODE1. Please start the service to continue the upgrade";
    assert_eq!(best(text).as_deref(), Some("sso-cluster-secret"));
}

#[test]
fn an_unrelated_text_is_an_honest_no_known_issue() {
    let report = matcher().match_text("The quick brown fox jumps over the lazy dog");
    assert!(report.matches.is_empty());
    assert!(report.best_confident().is_none());
}

#[test]
fn nearest_candidates_share_words_when_nothing_matches() {
    let report = matcher().match_text("something about the cluster secret and msdtc proxy");
    assert!(report.best_confident().is_none());
    let ids: Vec<&str> = report.nearest.iter().map(|c| c.id.as_str()).collect();
    assert!(ids.contains(&"sso-cluster-secret") || ids.contains(&"msdtc-proxy"), "{ids:?}");
}

#[test]
fn empty_and_huge_texts_do_not_panic() {
    assert!(matcher().match_text("").matches.is_empty());
    let big = "Login failed for user 'x'. ".repeat(40_000);
    assert_eq!(matcher().match_text(&big).matches[0].id, "sql-login-failed");
}
