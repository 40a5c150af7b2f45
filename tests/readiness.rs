//! Readiness: every cell of the upgrade guide's three support matrices, the "not evaluated"
//! rule, the names the CLI accepts, and the exit codes.

use assert_cmd::Command;
use bts_doctor::guide::readiness::{evaluate, Fact, Facts, Verdict};
use bts_doctor::kb::KnowledgeBase;

/// The guide's operating-system table, as printed in "Upgrade to BizTalk Server 2016".
const OS: &[(&str, bool, bool)] = &[
    ("Windows Server 2012 R2", true, false),
    ("Windows Server 2012", false, false),
    ("Windows 8.1", true, false),
    ("Windows 8", false, false),
    ("Windows 7 SP1", false, false),
];
/// The guide's SQL Server table.
const SQL: &[(&str, bool, bool)] = &[
    ("SQL Server 2014", true, false),
    ("SQL Server 2012 SP1", false, false),
    ("SQL Server 2012", false, false),
    ("SQL Server 2008 R2 SP1", false, false),
];
/// The guide's edition table: from (rows) → to (columns Evaluation, Branch, Developer, Standard, Enterprise).
const EDITIONS: &[(&str, [bool; 5])] = &[
    ("Evaluation", [false, false, false, false, true]),
    ("Branch", [false, true, false, false, true]),
    ("Developer", [false, false, true, false, true]),
    ("Standard", [false, false, false, true, true]),
    ("Enterprise", [false, false, false, false, true]),
];
const TO: [&str; 5] = ["Evaluation", "Branch", "Developer", "Standard", "Enterprise"];

fn verdict(facts: &Facts, name: &str) -> (Verdict, String) {
    let kb = KnowledgeBase::embedded().unwrap();
    let d = evaluate(kb.matrices().unwrap(), facts).into_iter().find(|d| d.name == name).unwrap();
    (d.verdict, d.detail)
}

#[test]
fn every_cell_of_the_operating_system_and_sql_server_tables() {
    for (table, rows) in [("os", OS), ("sql", SQL)] {
        for (platform, r2, r1) in rows {
            for (from, yes) in [("2013 R2", r2), ("2013", r1)] {
                let mut facts = Facts { from: Some(Fact::given(from)), ..Facts::default() };
                let fact = Some(Fact::given(*platform));
                if table == "os" {
                    facts.os = fact;
                } else {
                    facts.sql = fact;
                }
                let (v, detail) = verdict(&facts, table);
                let want = if *yes { Verdict::Supported } else { Verdict::Blocker };
                assert_eq!(v, want, "{table} {platform} from {from}: {detail}");
                if !yes {
                    assert!(detail.contains("recreate the environment"), "{detail}");
                }
            }
        }
    }
}

#[test]
fn every_cell_of_the_edition_table() {
    for (from, row) in EDITIONS {
        for (to, yes) in TO.iter().zip(row) {
            let facts =
                Facts { edition: Some(Fact::given(*from)), to_edition: Some(Fact::given(*to)), ..Facts::default() };
            let (v, detail) = verdict(&facts, "edition");
            assert_eq!(v, if *yes { Verdict::Supported } else { Verdict::Blocker }, "{from} → {to}: {detail}");
        }
    }
    let only = Facts { edition: Some(Fact::given("Evaluation")), ..Facts::default() };
    let (v, detail) = verdict(&only, "edition");
    assert_eq!(v, Verdict::NotEvaluated);
    assert!(detail.contains("Evaluation can be upgraded to BizTalk Server 2016 Enterprise only"), "{detail}");
}

#[test]
fn biztalk_2013_cannot_be_upgraded_anywhere_and_unknowns_are_not_blockers() {
    let facts = Facts { from: Some(Fact::given("2013")), ..Facts::default() };
    let kb = KnowledgeBase::embedded().unwrap();
    let dims = evaluate(kb.matrices().unwrap(), &facts);
    let from = dims.iter().find(|d| d.name == "from").unwrap();
    assert_eq!(from.verdict, Verdict::Blocker);
    assert!(
        from.detail.contains("cannot be upgraded on any listed platform: recreate the environment"),
        "{}",
        from.detail
    );
    for name in ["os", "sql", "edition"] {
        let d = dims.iter().find(|d| d.name == name).unwrap();
        assert_eq!(d.verdict, Verdict::NotEvaluated, "{name} neither given nor detected");
    }
    // Without --from, a platform no version can be upgraded on is still a blocker.
    let facts = Facts { os: Some(Fact::given("Windows 8")), ..Facts::default() };
    assert_eq!(verdict(&facts, "os").0, Verdict::Blocker);
    let facts = Facts { os: Some(Fact::given("Windows 8.1")), ..Facts::default() };
    assert_eq!(verdict(&facts, "os").0, Verdict::NotEvaluated);
    // A detected value the guide does not list is said so, not guessed.
    let facts = Facts {
        sql: Some(Fact::detected("SQL Server 2016 SP1")),
        from: Some(Fact::given("2013 R2")),
        ..Facts::default()
    };
    assert_eq!(verdict(&facts, "sql").0, Verdict::Unlisted);
}

fn readiness(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("bts-doctor")
        .unwrap()
        .arg("readiness")
        .arg("--no-checks")
        .args(args)
        .env_remove("BTS_DOCTOR_SQL")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_cli_takes_the_guides_names_and_exits_by_verdict() {
    let (code, out, _) = readiness(&[
        "--from",
        "2013R2",
        "--os",
        "Windows Server 2012 R2",
        "--sql-version",
        "SQL Server 2014",
        "--edition",
        "Developer",
        "--to-edition",
        "Enterprise",
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("READY"), "{out}");
    let (code, out, _) = readiness(&["--from", "2013 R2", "--sql-version", "sql server 2012 sp1"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BLOCKER sql"), "{out}");
    let (code, out, _) = readiness(&["--from", "2013", "--json"]);
    assert_eq!(code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["ready"], false);
    assert_eq!(doc["dimensions"][0]["name"], "from");
    assert_eq!(doc["dimensions"][0]["verdict"], "blocker");
    assert_eq!(doc["dimensions"][1]["verdict"], "not-evaluated");
    assert_eq!(doc["upgrade_order"][0], "The SSO master secret server");
    assert!(doc["checklist"].as_array().unwrap().iter().any(|i| i["check"] == "sql-database-backups"));
    let (code, _, err) = readiness(&["--os", "Windows Server 2016"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("use one of: Windows Server 2012 R2"), "{err}");
    let (code, _, err) = readiness(&["--edition", "Premium"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("Evaluation, Branch, Developer, Standard, Enterprise"), "{err}");
    let (code, out, _) = readiness(&[]);
    assert_eq!(code, Some(0), "nothing known is nothing blocking: {out}");
    assert!(out.contains("NOT EVALUATED"), "{out}");
}
