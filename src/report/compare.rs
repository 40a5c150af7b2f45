//! Comparing the reports of several servers of one BizTalk group: each server fact (see
//! [`super::server`]) must be the same everywhere (`same`) or different everywhere
//! (`distinct`, the MSDTC CID of cloned machines). Pure: it reads JSON report trees and never
//! reads files or prints.
//!
//! A fact is `differs` only when two values that were read break its rule; otherwise `unknown`
//! when any server's value could not be read (or its report has no server part, or its names
//! were replaced by pseudonyms); otherwise `ok`.

use serde::Serialize;
use serde_json::Value;

/// One report to compare: where it came from and its JSON tree.
#[derive(Debug, Clone)]
pub struct Input {
    /// The file it was read from, as given.
    pub file: String,
    /// The parsed report.
    pub tree: Value,
}

/// The comparison of several reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// Always 1 for this layout.
    pub schema: u32,
    /// The reports, in the order given.
    pub servers: Vec<ServerRef>,
    /// Every fact any report carries, in the order first seen.
    pub facts: Vec<FactComparison>,
    /// Things to know about the comparison itself (the same host twice, a report without facts).
    pub notes: Vec<String>,
    /// `differs` when any fact differs, else `unknown` when any is unknown, else `ok`.
    pub verdict: Status,
}

/// One report's server.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerRef {
    /// The file.
    pub file: String,
    /// The host the report names (its file name when it names none).
    pub host: String,
    /// When the report was made.
    pub generated_at: Option<String>,
}

/// One fact across the servers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FactComparison {
    /// The fact's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// `same` or `distinct`.
    pub rule: String,
    /// `ok`, `differs` or `unknown`.
    pub status: Status,
    /// Why that status, in one sentence.
    pub reason: String,
    /// Each server's value, in the order of `servers`.
    pub values: Vec<ServerValue>,
}

/// One server's value of a fact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerValue {
    /// The server (as in `servers`).
    pub host: String,
    /// The value, or `null` when unknown.
    pub value: Option<String>,
    /// Why it is unknown.
    pub unknown_reason: Option<String>,
}

/// What a fact (or the whole comparison) comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Every value was read and the rule holds.
    Ok,
    /// Two values that were read break the rule.
    Differs,
    /// Nothing differs, but some value could not be read.
    Unknown,
}

impl Status {
    /// `ok`, `differs`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Differs => "differs",
            Status::Unknown => "unknown",
        }
    }
}

/// Why an input is not a report that can be compared.
pub fn check_report(tree: &Value) -> Result<(), String> {
    if !tree.is_object() {
        return Err("it is not a JSON object".to_string());
    }
    if tree["tool"]["name"] != "bts-doctor" || !tree["schema"].is_u64() {
        return Err("it is not a bts-doctor report (no tool.name \"bts-doctor\" and schema); make one with `bts-doctor report --format json -o FILE`".to_string());
    }
    Ok(())
}

/// Facts whose values are machine names, which `--redact-hosts` replaces per report.
const NAMES_MACHINES: &[&str] = &["biztalk.management_db"];

/// Compares the reports (each already checked with [`check_report`]).
pub fn compare(inputs: &[Input]) -> Comparison {
    let servers: Vec<ServerRef> = inputs
        .iter()
        .map(|i| ServerRef {
            file: i.file.clone(),
            host: i.tree["server"]["host"].as_str().map_or_else(|| i.file.clone(), str::to_string),
            generated_at: i.tree["generated_at"].as_str().map(str::to_string),
        })
        .collect();
    let mut notes = Vec::new();
    for (a, first) in servers.iter().enumerate() {
        for second in &servers[a + 1..] {
            if inputs[a].tree["server"].is_object() && first.host.eq_ignore_ascii_case(&second.host) {
                notes.push(format!(
                    "{} and {} are both from host {}: that pair compares one server with itself",
                    first.file, second.file, first.host
                ));
            }
        }
    }
    for (input, server) in inputs.iter().zip(&servers) {
        if !input.tree["server"].is_object() {
            notes.push(format!(
                "{} has no server facts (made by an older bts-doctor, or not on the server): all its facts are unknown",
                server.file
            ));
        }
        if input.tree["redaction"]["hosts"] == true {
            notes.push(format!(
                "{} replaced machine names with pseudonyms (--redact-hosts): its host and management database cannot be compared",
                server.file
            ));
        }
    }
    let facts: Vec<FactComparison> = fact_ids(inputs)
        .into_iter()
        .map(|(id, title, rule)| {
            let values = inputs.iter().zip(&servers).map(|(i, s)| value_of(i, &s.host, &id)).collect();
            judge(id, title, rule, values)
        })
        .collect();
    let verdict = if facts.iter().any(|f| f.status == Status::Differs) {
        Status::Differs
    } else if facts.iter().any(|f| f.status == Status::Unknown) || facts.is_empty() {
        Status::Unknown
    } else {
        Status::Ok
    };
    Comparison { schema: crate::JSON_SCHEMA, servers, facts, notes, verdict }
}

/// Every fact id with its title and rule, in the order first seen across the reports.
fn fact_ids(inputs: &[Input]) -> Vec<(String, String, String)> {
    let mut ids: Vec<(String, String, String)> = Vec::new();
    for input in inputs {
        for fact in input.tree["server"]["facts"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let Some(id) = fact["id"].as_str() else { continue };
            if ids.iter().any(|(known, _, _)| known == id) {
                continue;
            }
            let title = fact["title"].as_str().unwrap_or(id).to_string();
            let rule = if fact["rule"] == "distinct" { "distinct" } else { "same" };
            ids.push((id.to_string(), title, rule.to_string()));
        }
    }
    ids
}

fn value_of(input: &Input, host: &str, id: &str) -> ServerValue {
    let unknown =
        |why: &str| ServerValue { host: host.to_string(), value: None, unknown_reason: Some(why.to_string()) };
    let server = &input.tree["server"];
    if !server.is_object() {
        return unknown("the report has no server facts");
    }
    if input.tree["redaction"]["hosts"] == true && NAMES_MACHINES.contains(&id) {
        return unknown("machine names in this report were replaced by pseudonyms");
    }
    let fact = server["facts"].as_array().and_then(|facts| facts.iter().find(|f| f["id"] == id));
    match fact {
        None => unknown("the report does not carry this fact (made by another bts-doctor version)"),
        Some(f) => match f["value"].as_str() {
            Some(v) => ServerValue { host: host.to_string(), value: Some(v.to_string()), unknown_reason: None },
            None => unknown(f["unknown_reason"].as_str().unwrap_or("its value was not read")),
        },
    }
}

fn judge(id: String, title: String, rule: String, values: Vec<ServerValue>) -> FactComparison {
    let known: Vec<(&str, &str)> =
        values.iter().filter_map(|v| v.value.as_deref().map(|value| (v.host.as_str(), value))).collect();
    let unknown: Vec<&str> = values.iter().filter(|v| v.value.is_none()).map(|v| v.host.as_str()).collect();
    let clash = if rule == "distinct" { shared_values(&known) } else { different_values(&known) };
    let (status, reason) = match clash {
        Some(why) if unknown.is_empty() => (Status::Differs, why),
        Some(why) => (Status::Differs, format!("{why} (not read on {})", unknown.join(", "))),
        None if !unknown.is_empty() => {
            (Status::Unknown, format!("not read on {}, so the rule `{rule}` cannot be confirmed", unknown.join(", ")))
        }
        None if rule == "distinct" => (Status::Ok, "a different value on every server".to_string()),
        None => (Status::Ok, format!("{} on every server", known.first().map_or("", |(_, v)| v))),
    };
    FactComparison { id, title, rule, status, reason, values }
}

/// For a `same` fact: the groups of servers by value, when there is more than one value.
fn different_values(known: &[(&str, &str)]) -> Option<String> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (host, value) in known {
        match groups.iter_mut().find(|(v, _)| v.eq_ignore_ascii_case(value)) {
            Some((_, hosts)) => hosts.push(host),
            None => groups.push((value, vec![host])),
        }
    }
    (groups.len() > 1).then(|| {
        let parts: Vec<String> = groups.iter().map(|(v, hosts)| format!("{v} on {}", hosts.join(", "))).collect();
        format!("must be the same on every server, but is {}", parts.join("; "))
    })
}

/// For a `distinct` fact: the servers that share a value, when any do.
fn shared_values(known: &[(&str, &str)]) -> Option<String> {
    let mut clashes = Vec::new();
    for (a, (host_a, value)) in known.iter().enumerate() {
        for (host_b, other) in &known[a + 1..] {
            if value.eq_ignore_ascii_case(other) {
                clashes.push(format!("{host_a} and {host_b} both hold {value}"));
            }
        }
    }
    (!clashes.is_empty())
        .then(|| format!("must differ between servers (cloned machines share it), but {}", clashes.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(host: &str, facts: Value) -> Input {
        Input {
            file: format!("{host}.json"),
            tree: json!({ "schema": 1, "tool": { "name": "bts-doctor" }, "redaction": { "hosts": false },
                          "server": { "host": host, "facts": facts } }),
        }
    }

    fn fact(id: &str, rule: &str, value: Option<&str>) -> Value {
        json!({ "id": id, "title": id, "rule": rule, "value": value, "unknown_reason": value.map_or(Some("reg.exe did not answer"), |_| None) })
    }

    #[test]
    fn equal_same_facts_and_different_distinct_ones_are_ok() {
        let a = report(
            "BTS01",
            json!([fact("biztalk.version", "same", Some("3.12.774.0")), fact("msdtc.cid", "distinct", Some("{A}"))]),
        );
        let b = report(
            "BTS02",
            json!([fact("biztalk.version", "same", Some("3.12.774.0")), fact("msdtc.cid", "distinct", Some("{B}"))]),
        );
        let c = compare(&[a, b]);
        assert_eq!(c.verdict, Status::Ok, "{c:#?}");
        assert!(c.notes.is_empty());
    }

    #[test]
    fn a_shared_cid_and_a_different_version_differ() {
        let a = report(
            "BTS01",
            json!([fact("biztalk.version", "same", Some("3.12.774.0")), fact("msdtc.cid", "distinct", Some("{A}"))]),
        );
        let b = report(
            "BTS02",
            json!([fact("biztalk.version", "same", Some("3.11.158.0")), fact("msdtc.cid", "distinct", Some("{a}"))]),
        );
        let c = compare(&[a, b]);
        assert_eq!(c.verdict, Status::Differs);
        assert_eq!(c.facts[0].status, Status::Differs);
        assert!(c.facts[0].reason.contains("3.12.774.0 on BTS01; 3.11.158.0 on BTS02"), "{}", c.facts[0].reason);
        assert!(c.facts[1].reason.contains("BTS01 and BTS02 both hold"), "{}", c.facts[1].reason);
    }

    #[test]
    fn an_unread_value_is_unknown_never_a_difference_nor_ok() {
        let a = report("BTS01", json!([fact("os.time_zone", "same", Some("UTC"))]));
        let b = report("BTS02", json!([fact("os.time_zone", "same", None)]));
        let c = compare(&[a, b]);
        assert_eq!((c.verdict, c.facts[0].status), (Status::Unknown, Status::Unknown));
        assert_eq!(c.facts[0].values[1].unknown_reason.as_deref(), Some("reg.exe did not answer"));
    }

    #[test]
    fn a_difference_among_read_values_stands_although_a_third_is_unknown() {
        let a = report("A", json!([fact("dotnet.version", "same", Some("4.8"))]));
        let b = report("B", json!([fact("dotnet.version", "same", Some("4.6.2"))]));
        let c = report("C", json!([fact("dotnet.version", "same", None)]));
        assert_eq!(compare(&[a, b, c]).facts[0].status, Status::Differs);
    }

    #[test]
    fn a_report_without_facts_makes_them_unknown_and_says_so() {
        let a = report("BTS01", json!([fact("os.time_zone", "same", Some("UTC"))]));
        let mut old = report("OLD", json!([]));
        old.tree.as_object_mut().unwrap().remove("server");
        let c = compare(&[a, old]);
        assert_eq!(c.verdict, Status::Unknown);
        assert_eq!(c.servers[1].host, "OLD.json");
        assert!(c.notes.iter().any(|n| n.contains("OLD.json has no server facts")), "{:?}", c.notes);
    }

    #[test]
    fn the_same_host_twice_is_noted() {
        let a = report("BTS01", json!([fact("os.time_zone", "same", Some("UTC"))]));
        let mut b = report("bts01", json!([fact("os.time_zone", "same", Some("UTC"))]));
        b.file = "again.json".into();
        let c = compare(&[a, b]);
        assert!(c.notes.iter().any(|n| n.contains("compares one server with itself")), "{:?}", c.notes);
    }

    #[test]
    fn redacted_machine_names_are_not_compared() {
        let mut a = report("HOST-1", json!([fact("biztalk.management_db", "same", Some("HOST-2 / BizTalkMgmtDb"))]));
        a.tree["redaction"]["hosts"] = json!(true);
        let b = report("BTS02", json!([fact("biztalk.management_db", "same", Some("SQL01 / BizTalkMgmtDb"))]));
        assert_eq!(compare(&[a, b]).facts[0].status, Status::Unknown);
    }

    #[test]
    fn only_bts_doctor_reports_are_accepted() {
        assert!(check_report(&json!([1, 2])).is_err());
        assert!(check_report(&json!({ "schema": 1, "tool": { "name": "other" } })).is_err());
        assert!(check_report(&report("A", json!([])).tree).is_ok());
    }
}
