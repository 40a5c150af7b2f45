//! JSON Lines for many servers: one object per scan finding or check result, each carrying the
//! host name and the time, under Elastic Common Schema (ECS) field names where ECS has one
//! (`@timestamp`, `host.name`, `event.kind`, `event.outcome`, `rule.id`, `error.code`,
//! `message`) and our own fields under `bts_doctor`. This module builds lines; it never prints.
//!
//! `event.kind` is `alert` for a finding or a failed / warned check and `event` otherwise.
//! `event.outcome` is `failure` for a finding or a failed / warned check, `success` for a
//! passed check and `unknown` for a check that could not tell (skipped, not applicable, error):
//! an unknown is never a failure.

use crate::checks::{CheckResult, Outcome};
use crate::logs::ScanReport;
use serde_json::{json, Map, Value};

/// Where and when the records were made: the same for every line of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The computer's name (`host.name`).
    pub host: String,
    /// The time, UTC, RFC 3339 (`@timestamp`).
    pub timestamp: String,
}

impl Origin {
    /// This computer, now.
    pub fn here_now() -> Self {
        Origin { host: super::server::host_name(), timestamp: super::document::now_utc() }
    }
}

/// The ECS skeleton shared by every line.
fn record(origin: &Origin, kind: &str, outcome: &str, rule: &str, message: &str, ours: Value) -> Value {
    let mut doc = Map::new();
    doc.insert("@timestamp".into(), Value::String(origin.timestamp.clone()));
    doc.insert("host".into(), json!({ "name": origin.host }));
    doc.insert("event".into(), json!({ "kind": kind, "outcome": outcome, "module": "bts-doctor" }));
    doc.insert("rule".into(), json!({ "id": rule }));
    doc.insert("message".into(), Value::String(message.to_string()));
    doc.insert("bts_doctor".into(), ours);
    Value::Object(doc)
}

/// One line per check result (`bts_doctor.status`, `outcome`, `unknown_reason`, `issue_id`,
/// `title`, `fix`, `duration_ms`). `rule.id` is the knowledge entry that explains the result,
/// or the check's id when none does.
pub fn check_lines(origin: &Origin, results: &[CheckResult]) -> Vec<String> {
    results
        .iter()
        .map(|r| {
            let (kind, outcome) = match r.outcome {
                Outcome::Pass => ("event", "success"),
                Outcome::Fail => ("alert", "failure"),
                Outcome::Unknown => ("event", "unknown"),
            };
            let ours = json!({
                "type": "check",
                "check_id": r.id,
                "title": r.title,
                "status": r.status.as_str(),
                "outcome": r.outcome.as_str(),
                "unknown_reason": r.unknown_reason.map(|u| u.as_str()),
                "fix": r.fix,
                "duration_ms": r.duration_ms,
            });
            let rule = r.issue_id.as_deref().unwrap_or(&r.id);
            let message = format!("{} {}: {}", r.status.as_str(), r.id, r.detail);
            super::redact::json_line(&record(origin, kind, outcome, rule, &message, ours))
        })
        .collect()
}

/// One line per known issue a scan found (`bts_doctor.severity`, `file`, `line`, `count`,
/// `phase`, `root_cause`), each an alert, then one summary line (`bts_doctor.type` `scan`), so
/// a scan that found nothing still says it ran and what it read. The summary's
/// `event.outcome` is `failure` when anything was found, `unknown` when nothing was but a file
/// could not be read or the scan was cancelled, and `success` only for a complete clean scan.
pub fn scan_lines(origin: &Origin, report: &ScanReport) -> Vec<String> {
    let root_issue = report.root_cause.as_ref().and_then(|r| r.issue_id.as_deref());
    let mut lines: Vec<String> = report
        .findings
        .iter()
        .map(|f| {
            let ours = json!({
                "type": "finding",
                "title": f.title,
                "severity": f.severity,
                "file": f.first.path,
                "line": f.first.line,
                "count": f.count,
                "phase": report.phase.name(),
                "root_cause": root_issue == Some(f.issue_id.as_str()),
            });
            let mut doc = record(origin, "alert", "failure", &f.issue_id, &f.first.text, ours);
            if let Some(code) = code_in(report, &f.first) {
                doc["error"] = json!({ "code": code });
            }
            super::redact::json_line(&doc)
        })
        .collect();
    lines.push(scan_summary(origin, report));
    lines
}

/// The last line of a scan: what was read and what it came to.
fn scan_summary(origin: &Origin, report: &ScanReport) -> String {
    use crate::checks::Completeness;
    let (kind, outcome) = match report.completeness() {
        Completeness::Problems => ("alert", "failure"),
        Completeness::Incomplete => ("event", "unknown"),
        Completeness::Complete => ("event", "success"),
    };
    let root = report.root_cause.as_ref();
    let ours = json!({
        "type": "scan",
        "files": report.files.len(),
        "files_read": report.files_read(),
        "unread": report.unread(),
        "findings": report.findings.len(),
        "unmatched": report.unmatched.len(),
        "phase": report.phase.name(),
        "root_cause": root.map(|r| json!({ "issue_id": r.issue_id, "file": r.path, "line": r.line })),
        "cancelled": report.cancelled,
    });
    let message = match (root, report.completeness()) {
        (Some(r), _) => format!("root cause at {}:{}: {}", r.path, r.line, r.text),
        (None, Completeness::Problems) => format!("{} known issue(s), no single root cause", report.findings.len()),
        (None, Completeness::Incomplete) => {
            format!("nothing found, but only {} of {} file(s) were read", report.files_read(), report.files.len())
        }
        (None, Completeness::Complete) => format!("nothing found in {} file(s)", report.files.len()),
    };
    let rule = root.and_then(|r| r.issue_id.as_deref()).unwrap_or("scan");
    super::redact::json_line(&record(origin, kind, outcome, rule, &message, ours))
}

/// The catalogued code first seen on a finding's first line, when there is one.
fn code_in(report: &ScanReport, place: &crate::logs::Place) -> Option<String> {
    report.codes.iter().find(|c| c.first.path == place.path && c.first.line == place.line).map(|c| c.code.code.clone())
}
