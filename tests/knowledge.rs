//! The shipped knowledge base tests itself: every example ranks its entry first, no
//! counter-example does, and the ids other tools rely on exist.

#[path = "support/corpus.rs"]
mod corpus;

use bts_doctor::kb::lint::lint;
use bts_doctor::kb::{KnowledgeBase, Level};
use bts_doctor::matcher::Matcher;

/// Ids that reports, playbooks and users refer to; renaming one breaks them.
const CONTRACT_IDS: &[&str] = &[
    "sso-cluster-master-secret-not-running",
    "sso-service-regasm-ssosql",
    "bam-portal-views-critical-failure",
    "bam-portal-64bit-unreachable",
    "bam-alerts-configured-on-runtime",
    "certificate-store-missing",
    "soap-trust-level-after-upgrade",
    "bam-edi-activities-not-upgraded",
    "setup-failed-upgrade-recovery",
    "mixed-biztalk-versions-in-group",
    "host-default-host-missing",
    "config-custom-bindings-net46",
    "bam-rta-requires-sql-enterprise",
    "msdtc-not-enabled",
];

fn matcher() -> Matcher {
    Matcher::new(KnowledgeBase::embedded().expect("embedded knowledge loads")).expect("compiles")
}

#[test]
fn every_example_ranks_first_and_no_counter_example_does() {
    let report = lint(&matcher());
    let errors: Vec<String> =
        report.problems.iter().filter(|p| p.level == Level::Error).map(|p| p.to_string()).collect();
    assert!(errors.is_empty(), "kb lint errors:\n{}", errors.join("\n"));
    assert!(report.texts_checked >= 2 * report.entries);
}

#[test]
fn the_contract_ids_exist() {
    let m = matcher();
    for id in CONTRACT_IDS {
        assert!(m.kb().get(id).is_some(), "missing knowledge entry `{id}`");
    }
}

#[test]
fn both_bam_alerts_messages_point_to_the_runtime_configuration_issue() {
    let m = matcher();
    let entry = m.kb().get("bam-alerts-configured-on-runtime").unwrap();
    let texts = entry.examples.join("\n");
    assert!(texts.contains("Service BAMAlerts was not found on computer"), "{texts}");
    assert!(texts.contains("error: 40"), "{texts}");
}

#[test]
fn the_knowledge_covers_the_seed_and_real_world_errors() {
    let m = matcher();
    let entries = m.kb().entries();
    assert!(entries.len() >= 70, "{} entries", entries.len());
    for area in ["sso", "msdtc", "sql", "setup", "config", "bam", "host", "bre"] {
        assert!(entries.iter().any(|e| e.area() == area), "no `{area}-` entry");
    }
    for e in entries {
        assert!(!e.fix.is_empty() && e.references.iter().any(|r| r.starts_with("http")), "{}", e.id);
    }
}

#[test]
fn an_msdtc_marker_beats_the_bare_word_sso() {
    let report = matcher().match_text(
        "Failed to configure SSO. Exception of type 'System.EnterpriseServices.TransactionProxyException' was thrown.",
    );
    let best = report.best_confident().expect("a confident match");
    assert!(best.id.starts_with("msdtc-"), "{} ranked first", best.id);
}

#[test]
fn real_pastes_of_every_shape_find_their_entries() {
    let m = matcher();
    let best = |text: &str| m.match_text(text).best_confident().map(|x| x.id.clone());
    // hard-wrapped at 40 columns, mid-word
    let wrapped = "SSO Master Secret Server service is not\nrunning on BTSCLUSTER01.Please start the\nservice to continue the upgrade.";
    assert_eq!(best(wrapped).as_deref(), Some("sso-cluster-master-secret-not-running"));
    // JSON-escaped, as copied from a monitoring tool
    let json = r#"{"message":"Could not open certificate store, the system cannot find the file specified (System).\r\n   at Microsoft.BizTalk.ExplorerOM"}"#;
    assert_eq!(best(json).as_deref(), Some("certificate-store-missing"));
    // several errors in one paste
    let multi = "Exception of type 'System.EnterpriseServices.TransactionProxyException' was thrown.\n\n\
                 Could not open certificate store, the system cannot find the file specified (System).";
    let ids: Vec<String> = m.match_text(multi).confident().map(|x| x.id.clone()).collect();
    assert!(ids.contains(&"msdtc-transaction-proxy-exception".to_string()), "{ids:?}");
    assert!(ids.contains(&"certificate-store-missing".to_string()), "{ids:?}");
    // a partial line
    let partial = m.match_text("critical failure while trying to access the list of Views");
    assert_eq!(partial.matches.first().map(|x| x.id.as_str()), Some("bam-portal-views-critical-failure"));
}

#[test]
fn every_triage_names_every_specific_entry_of_its_area() {
    let kb = KnowledgeBase::embedded().expect("embedded knowledge loads");
    let mut missing = Vec::new();
    for triage in kb.entries().iter().filter(|e| e.id.ends_with("-triage")) {
        let area = triage.id.trim_end_matches("-triage");
        let fix: String = triage.fix.iter().map(|s| s.step.as_str()).collect::<Vec<_>>().join("\n");
        for entry in kb.entries().iter().filter(|e| !e.id.ends_with("-triage") && corpus::area_of(&e.id) == area) {
            if !fix.contains(&format!("`{}`", entry.id)) {
                missing.push(format!("{} does not name {}", triage.id, entry.id));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn examples_copied_from_outside_name_a_url_and_are_not_corpus_texts() {
    let kb = KnowledgeBase::embedded().expect("embedded knowledge loads");
    let corpus: String = corpus::load().into_iter().map(|item| item.text).collect::<Vec<_>>().join("\n");
    let squash = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let corpus = squash(&corpus);
    let mut sourced = 0;
    for entry in kb.entries() {
        assert_eq!(entry.examples.len(), entry.example_sources.len(), "{}", entry.id);
        for (text, source) in entry.examples.iter().zip(&entry.example_sources) {
            let Some(url) = source else { continue };
            sourced += 1;
            assert!(url.starts_with("https://") || url.starts_with("http://"), "{}: {url}", entry.id);
            // The corpus is the acceptance ground: no example may be one of its texts.
            let text = squash(text);
            assert!(text.len() < 40 || !corpus.contains(&text), "{}: example is a corpus text: {text}", entry.id);
        }
    }
    assert!(sourced >= 40, "only {sourced} sourced examples");
}
