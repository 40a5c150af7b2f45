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
                // The matrix's "SQL Server 2014" row, at the level BizTalk Server 2016 needs.
                let named = if *platform == "SQL Server 2014" { "SQL Server 2014 SP1" } else { platform };
                let fact = Some(Fact::given(named));
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

#[test]
fn releases_and_levels_are_judged_by_what_biztalk_2016_supports() {
    let at = |sql: &str| {
        let facts = Facts { sql: Some(Fact::given(sql)), from: Some(Fact::given("2013 R2")), ..Facts::default() };
        verdict(&facts, "sql")
    };
    // The matrix says yes for SQL Server 2014, but 2016 needs SP1: RTM blocks, unknown is open.
    let (v, detail) = at("SQL Server 2014 RTM");
    assert_eq!(v, Verdict::Blocker, "{detail}");
    assert!(detail.contains("needs SQL Server 2014 SP1 or later: apply SP1"), "{detail}");
    let (v, detail) = at("SQL Server 2014");
    assert_eq!(v, Verdict::NotEvaluated, "{detail}");
    assert!(detail.contains("the service pack is not known"), "{detail}");
    assert_eq!(at("SQL Server 2014 SP2").0, Verdict::Supported);
    // Not in the guide's upgrade table: said so, with what each version supports.
    let (v, detail) = at("SQL Server 2016");
    assert_eq!(v, Verdict::Unlisted, "{detail}");
    assert!(detail.contains("BizTalk Server 2013 R2 does not support it"), "{detail}");
    assert!(detail.contains("BizTalk Server 2016 supports it"), "{detail}");
    // BizTalk Server 2016 does not support SQL Server 2017 or later: a blocker.
    let (v, detail) = at("SQL Server 2019");
    assert_eq!(v, Verdict::Blocker, "{detail}");
    assert!(detail.contains("SQL Server 2016 and SQL Server 2014 SP1 or later"), "{detail}");
    // Windows Server 2016 is not in the upgrade table either.
    let facts =
        Facts { os: Some(Fact::given("Windows Server 2016")), from: Some(Fact::given("2013 R2")), ..Facts::default() };
    let (v, detail) = verdict(&facts, "os");
    assert_eq!(v, Verdict::Unlisted, "{detail}");
    assert!(detail.contains("BizTalk Server 2013 R2 does not support it"), "{detail}");
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
        "SQL Server 2014 SP1",
        "--edition",
        "Developer",
        "--to-edition",
        "Enterprise",
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("READY on the support matrices; the live checks were not run"), "{out}");
    let (code, out, _) = readiness(&[
        "--from",
        "2013R2",
        "--os",
        "Windows Server 2012 R2",
        "--sql-version",
        "SQL Server 2016",
        "--json",
    ]);
    assert_eq!(code, Some(4), "SQL Server 2016 is not a usage error, and not established either: {out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["verdict"], "incomplete");
    assert_eq!(doc["ready"], false);
    let (code, out, _) = readiness(&["--from", "2013 R2", "--sql-version", "sql server 2012 sp1"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("BLOCKER sql"), "{out}");
    let (code, out, _) = readiness(&["--from", "2013", "--json"]);
    assert_eq!(code, Some(1));
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["ready"], false);
    assert_eq!(doc["verdict"], "blocked");
    assert_eq!(doc["dimensions"][0]["name"], "from");
    assert_eq!(doc["dimensions"][0]["verdict"], "blocker");
    assert_eq!(doc["dimensions"][1]["verdict"], "not-evaluated");
    assert_eq!(doc["upgrade_order"][0], "The SSO master secret server");
    assert!(doc["checklist"].as_array().unwrap().iter().any(|i| i["check"] == "sql-database-backups"));
    let (code, _, err) = readiness(&["--os", "Windows Server 2003"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("use one of: Windows Server 2016, Windows Server 2012 R2"), "{err}");
    let (code, _, err) = readiness(&["--edition", "Premium"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("Evaluation, Branch, Developer, Standard, Enterprise"), "{err}");
    let (code, out, _) = readiness(&[]);
    assert_eq!(code, Some(4), "nothing known is nothing established: {out}");
    assert!(out.contains("INCOMPLETE: no blocker found, but 4 thing(s) could not be evaluated"), "{out}");
    assert!(!out.contains("READY"), "{out}");
    let (_, out, _) = readiness(&["--json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (doc["ready"].clone(), doc["verdict"].clone()),
        (serde_json::json!(false), serde_json::json!("incomplete"))
    );
    assert_eq!(doc["not_evaluated"].as_array().unwrap().len(), 4);
}
