//! Calibration rules of the matcher, each on its own: a specific entry beats a generic one, a
//! failure marker alone gives its area's triage at medium, a language-independent anchor alone
//! gives medium for what it identifies, a triage is never high, and the trap classes stay low.
//! Then every code form `explain` reads, the codes in `match --json`, the catalogue lint, and
//! the ranked knowledge search.

use assert_cmd::Command;
use bts_doctor::kb::{KnowledgeBase, Tier};
use bts_doctor::matcher::{Confidence, Matcher};
use serde_json::Value;

fn matcher() -> Matcher {
    Matcher::new(KnowledgeBase::embedded().expect("embedded knowledge loads")).expect("compiles")
}

fn cmd() -> Command {
    let mut c = Command::cargo_bin("bts-doctor").unwrap();
    c.env_remove("BTS_DOCTOR_KB").env("XDG_CONFIG_HOME", "/nonexistent-bts-doctor-config").env("NO_COLOR", "1");
    c
}

/// The best confident answer's id and confidence.
fn answer(m: &Matcher, text: &str) -> Option<(String, Confidence)> {
    m.match_text(text).best_confident().map(|b| (b.id.clone(), b.confidence))
}

#[test]
fn a_specific_entry_beats_the_generic_status_which_beats_the_area_triage() {
    let m = matcher();
    let log = "MSI (s) (2C:64) [15:48:03:100]: Product: Microsoft BizTalk Server 2016 -- Error 5003.Regsvcs failed for assembly C:\\x.dll. Return code 1.\n\
               Action ended 15:48:04: InstallFinalize. Return value 3.\n\
               MSI (s) (2C:64) [15:48:05:100]: MainEngineThread is returning 1603";
    let report = m.match_whole(log);
    let ids: Vec<&str> = report.confident().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"setup-regsvcs-5003"), "{ids:?}");
    let generic =
        ids.iter().position(|i| *i == "setup-msi-fatal-error-1603").expect("the generic status is still listed");
    let triage = ids.iter().position(|i| *i == "msi-triage").expect("the area is still listed");
    assert!(generic < triage, "the generic status ranks above the area's triage: {ids:?}");
    let generic_score = report.matches.iter().find(|x| x.id == "setup-msi-fatal-error-1603").unwrap().score;
    assert!(generic_score > 0.0);
    assert_eq!(m.kb().get("setup-msi-fatal-error-1603").unwrap().tier(), Tier::Generic);
}

#[test]
fn a_failure_marker_alone_gives_medium_for_its_area() {
    let m = matcher();
    // Markers of the generic 1603 status answer with its entry; other installer failures with
    // the area's triage; either way the MSI area at medium.
    for (text, want) in [
        ("Action ended 15:48:04: InstallFinalize. Return value 3.", "setup-msi-fatal-error-1603"),
        ("MSI (s) (2C:64) [15:48:05:100]: MainEngineThread is returning 1603", "setup-msi-fatal-error-1603"),
        ("MSI (s) (2C:64) [15:48:05:100]: MainEngineThread is returning 1602", "msi-triage"),
        ("CustomAction CA_UpgradeDatabases returned actual error code 1722", "msi-triage"),
        ("Installation failed with exit code 1625", "msi-triage"),
    ] {
        let report = m.match_text(text);
        let best = report.best_confident().unwrap_or_else(|| panic!("nothing confident for {text}"));
        assert_eq!(best.id, want, "{text}");
        assert_eq!(best.confidence, Confidence::Medium, "{text}");
        if want == "msi-triage" {
            assert!(best.reason.starts_with("medium: the evidence names this area"), "{}", best.reason);
        }
    }
}

#[test]
fn a_language_independent_anchor_alone_gives_medium_for_what_it_identifies() {
    let m = matcher();
    // An MSI message number, an Enterprise SSO event id, a DTC symbolic name, with nothing else.
    for (text, area) in [("Error 1722.", "msi"), ("Event ID: 10536", "sso"), ("XACT_E_TMNOTAVAILABLE", "msdtc")] {
        let (id, confidence) = answer(&m, text).unwrap_or_else(|| panic!("nothing confident for {text}"));
        assert!(confidence >= Confidence::Medium);
        let entry = m.kb().get(&id).unwrap();
        let entry_area = if id.starts_with("setup-msi-") { "msi" } else { entry.area() };
        assert_eq!(entry_area, area, "{text} answered {id}");
    }
    // A language-independent function name or code pattern decides inside a localised message
    // (French wording written for this test; the anchors are what the English message prints).
    for (text, want) in [
        ("Erreur lors de l'accès à la base de données SSO. Fonction : FieldInfoCreate", "sso-database-access-error"),
        (
            "Impossible d'activer le service d'authentification unique (SSO) (code d'erreur 0X800706BA)",
            "sso-enable-rpc-unavailable",
        ),
    ] {
        let (id, confidence) = answer(&m, text).unwrap_or_else(|| panic!("nothing confident for {text}"));
        assert_eq!(id, want, "{text}");
        assert!(confidence >= Confidence::Medium);
    }
    // The same anchors inside a localised message still answer.
    let (id, _) = answer(&m, "MSI (s) (D4:2C) Fehler 1722. Es gibt ein Problem mit diesem Windows Installer-Paket.")
        .expect("a localised MSI error keeps its number");
    assert!(id.starts_with("msi") || id.starts_with("setup-msi"), "{id}");
}

#[test]
fn an_area_triage_is_never_more_than_medium() {
    let yaml = |id: &str, kind: &str| {
        format!(
            "id: {id}\ntitle: T\nkind: {kind}\nphase: any\nseverity: error\nsignatures:\n  - phrase: \"the enterprise widget failed completely\"\n    weight: 9\ncause: C.\nfix:\n  - step: S.\nreferences: [https://example.org]\n"
        )
    };
    let origin = || bts_doctor::kb::Origin { layer: "test".into(), file: "t.yaml".into(), line: 0 };
    let triage = bts_doctor::kb::parse_entry(&yaml("sso-triage", "triage"), origin()).unwrap();
    let specific = bts_doctor::kb::parse_entry(&yaml("sso-widget", "known-issue"), origin()).unwrap();
    for (entry, want) in [(triage, Confidence::Medium), (specific, Confidence::High)] {
        let m = Matcher::new(KnowledgeBase::from_entries(vec![entry])).unwrap();
        let report = m.match_text("the enterprise widget failed completely");
        assert!(report.matches[0].score >= bts_doctor::matcher::HIGH);
        assert_eq!(report.matches[0].confidence, want, "{}", report.matches[0].id);
    }
    // A triage is `kind: triage` with an id ending in -triage, and only that.
    let origin2 = bts_doctor::kb::Origin { layer: "test".into(), file: "t.yaml".into(), line: 0 };
    assert!(bts_doctor::kb::parse_entry(&yaml("sso-triage", "known-issue"), origin2).is_err());
}

#[test]
fn the_trap_classes_stay_low() {
    let m = matcher();
    for text in [
        // A generic Windows message, bare or with its code, in another product.
        "Error: open //./pipe/docker_engine: The system cannot find the file specified.",
        "Get-WmiObject : The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)",
        "System.UnauthorizedAccessException: Access is denied. (Exception from HRESULT: 0x80070005 (E_ACCESSDENIED))",
        "The service cannot be started, either because it is disabled or because it has no enabled devices associated with it. (Exception from HRESULT: 0x80070422)",
        // Installer lines that report success.
        "MSI (s) (D0:64) [10:33:33:423]: Product: PowerShell 7-x64 -- Installation completed successfully.",
        "CustomAction CA_X returned actual error code 1603 but will be translated to success due to continue marking",
        // A SQL query timeout is not a connectivity problem.
        "System.Data.SqlClient.SqlException (0x80131904): Timeout expired. The timeout period elapsed prior to completion of the operation or the server is not responding.",
        // The .NET 1.x file-not-found sentence without BizTalk's "Failed to deploy BizTalk system assembly".
        "Reason: File or assembly name Contoso.Adapter, or one of its dependencies, was not found.",
        // The service control manager's logon failure for a service that is not BizTalk's.
        "The Contoso Sync service was unable to log on as CONTOSO\\svc-sync with the currently configured password due to the following error:",
    ] {
        assert_eq!(answer(&m, text), None, "{text}");
    }
}

#[test]
fn every_code_form_is_explained_alone() {
    for (query, code, catalogue) in [
        ("0x80070422", "0x80070422", "windows-codes"),
        ("80070422", "0x80070422", "windows-codes"),
        ("-2147023838", "0x80070422", "windows-codes"),
        ("ERROR_SERVICE_DISABLED", "0x80070422", "windows-codes"),
        ("ENTSSO 10536", "10536", "entsso-events"),
        ("SSO 10536", "10536", "entsso-events"),
        ("MSI 1722", "1722", "msi-errors"),
        ("MSI 1603", "1603", "msi-return-codes"),
        ("SQL 18456", "18456", "sql-errors"),
        ("SQL 18456 state 38", "18456 state 38", "sql-errors"),
        ("0xC0C0153A", "0xC0C0153A", "biztalk-codes"),
    ] {
        let out = cmd().args(["explain", "--json"]).args(query.split(' ')).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{query}: {}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let codes = v["codes"].as_array().unwrap();
        assert!(
            codes.iter().any(|c| c["code"] == code && c["catalogue"] == catalogue),
            "{query} should explain {code} from {catalogue}: {codes:?}"
        );
        for c in codes {
            for field in ["code", "meaning", "area", "message", "catalogue", "source"] {
                assert!(c.get(field).is_some(), "{query}: {field} missing");
            }
        }
    }
    let text = cmd().args(["explain", "0x80070422"]).output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("0x80070422 — ERROR_SERVICE_DISABLED:"), "{text}");
    // A code no catalogue holds: exit 1, said plainly; not a code at all: exit 2.
    let out = cmd().args(["explain", "0x12345678"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("not in the catalogues"));
    let out = cmd().args(["explain", "hello world"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a code"));
}

#[test]
fn match_explains_every_code_in_the_text_and_says_why_the_confidence() {
    let text = "Failed to enable the SSO service (0x80070422). MSI (s) Error 1722. Event ID: 10536";
    let out = cmd().args(["match", "--json", text]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes = v["codes"].as_array().expect("codes");
    for want in ["0x80070422", "1722", "10536"] {
        let c = codes.iter().find(|c| c["code"] == want).unwrap_or_else(|| panic!("{want} not explained: {codes:?}"));
        for field in ["code", "name", "meaning", "area"] {
            assert!(c.get(field).is_some(), "{field}");
        }
    }
    assert_eq!(codes.iter().find(|c| c["code"] == "0x80070422").unwrap()["name"], "ERROR_SERVICE_DISABLED");
    for m in v["matches"].as_array().unwrap() {
        assert!(m["reason"].as_str().is_some_and(|r| r.starts_with(m["confidence"].as_str().unwrap())), "{m}");
    }
    let out = cmd().args(["match", text]).output().unwrap();
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.contains("Codes in this text:") && shown.contains("ERROR_SERVICE_DISABLED"), "{shown}");
}

#[test]
fn scan_explains_the_codes_of_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("setup.log");
    std::fs::write(
        &log,
        "MSI (s) (2C:64) [15:48:03:100]: Product: Microsoft BizTalk Server 2016 -- Error 1722. There is a problem with this Windows Installer package.\r\nAction ended 15:48:04: InstallFinalize. Return value 3.\r\n",
    )
    .unwrap();
    let out = cmd().args(["scan", "--json"]).arg(&log).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes = v["codes"].as_array().expect("codes");
    let c = codes.iter().find(|c| c["code"] == "1722").expect("1722 explained");
    assert_eq!(c["first"]["line"], 1);
}

#[test]
fn catalogue_rows_are_linted() {
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("catalogues");
    std::fs::create_dir(&cat).unwrap();
    let write = |body: &str| {
        std::fs::write(
            cat.join("test.yaml"),
            format!("catalogue: test-codes\ntitle: Test\nkind: hresult\narea: sso\nsource: \"https://example.org\"\nrows:\n{body}"),
        )
        .unwrap()
    };
    let row = |id: &str, extra: &str| {
        format!("  - id: \"{id}\"\n    message: \"A message.\"\n    meaning: \"A meaning.\"\n{extra}")
    };
    let lint = || {
        let out = cmd().arg("--kb").arg(dir.path()).args(["kb", "lint"]).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
    };
    write(&(row("0xC0002A01", "    entry: sso-triage\n") + &row("0xC0002A01", "    entry: sso-triage\n")));
    let (code, out) = lint();
    assert_ne!(code, Some(0));
    assert!(out.contains("appears twice"), "{out}");
    write(&row("0xC0002A01", "    entry: sso-no-such-entry\n"));
    assert!(lint().1.contains("names entry `sso-no-such-entry`, which is not in the knowledge base"));
    write(&row("0xC0002A01", ""));
    assert!(lint().1.contains("names no entry"));
    write(&row("0xC0002A01", "    area: none\n"));
    let (_, out) = lint();
    assert!(!out.contains("test.yaml"), "a row of no area needs no entry: {out}");
    std::fs::write(
        cat.join("test.yaml"),
        format!(
            "catalogue: test-codes\ntitle: Test\nkind: hresult\narea: sso\nrows:\n{}",
            row("0xC0002A01", "    entry: sso-triage\n")
        ),
    )
    .unwrap();
    assert!(lint().1.contains("has no source URL"));
}

#[test]
fn the_knowledge_search_ranks_and_forgives_typos() {
    let m = matcher();
    let hits = m.search("dtc", 10);
    assert!(hits.len() >= 5);
    for h in &hits[..5] {
        assert!(
            h.id.starts_with("msdtc-"),
            "dtc ranks the MSDTC entries first: {:?}",
            hits.iter().map(|h| &h.id).collect::<Vec<_>>()
        );
    }
    let typo = m.search("enterprize singel sign-on master secert", 3);
    assert!(typo.first().is_some_and(|h| h.id.starts_with("sso-")), "{typo:?}");
    assert!(m.search("zzzzqqq", 3).is_empty());
    let out = cmd().args(["kb", "search", "--json", "--top", "3", "msdtc", "network", "access"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert!(results[0]["id"].as_str().unwrap().starts_with("msdtc-"));
    assert!(results[0]["score"].as_f64().unwrap() >= results[1]["score"].as_f64().unwrap());
    let out = cmd().args(["kb", "search", "zzzzqqq"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}
