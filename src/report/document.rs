//! The report every face shares: what was found (matches of a pasted error, the scan, check
//! results, readiness, guided-recovery progress) plus the tool and knowledge-base versions and
//! when it ran. It is turned into one JSON tree, redacted once, and that tree is what the
//! Markdown, HTML and JSON outputs render, so no format can show what another hides.

use super::json::MatchDocument;
use super::pseudonym::{Options, Pseudonyms};
use crate::checks::{CheckResult, SqlTarget};
use crate::guide::machine::Progress;
use crate::guide::readiness::ReadinessReport;
use crate::kb::KnowledgeBase;
use crate::logs::ScanReport;
use serde::Serialize;

/// Everything a report can hold; a missing part is left out of every format.
#[derive(Debug, Serialize)]
pub struct ReportData {
    /// Always 1 for this layout.
    pub schema: u32,
    /// The tool and knowledge that produced it.
    pub tool: ToolInfo,
    /// When it ran, UTC, RFC 3339.
    pub generated_at: String,
    /// What was masked.
    pub redaction: Redaction,
    /// Matches of a pasted error.
    pub matches: Option<MatchDocument>,
    /// The log scan.
    pub scan: Option<ScanReport>,
    /// Live check results.
    pub checks: Option<ChecksPart>,
    /// Readiness verdicts.
    pub readiness: Option<ReadinessReport>,
    /// Guided-recovery progress, one per playbook with saved progress.
    pub guide: Vec<GuidePart>,
    /// This computer's facts that must agree (or differ) across a group's servers, for
    /// `compare`; `null` when the report was not made on a server (tests, older reports).
    pub server: Option<super::server::ServerPart>,
    /// What the report establishes as a whole: complete, problems or incomplete, and why.
    pub summary: ReportSummary,
}

/// The report's overall verdict, by the rule every command's exit code follows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportSummary {
    /// `complete`, `problems` or `incomplete`.
    pub verdict: crate::checks::Completeness,
    /// What failed or blocks, one line each.
    pub problems: Vec<String>,
    /// What could not be evaluated, one line each.
    pub not_evaluated: Vec<String>,
}

impl ReportSummary {
    /// Sums up the parts present: a scan that found something, a failed or warning check or a
    /// blocked readiness are problems; an unreadable log, a check that could not tell or an
    /// incomplete readiness are not evaluated. Pasted-error matches are evidence, not a verdict.
    pub fn of(scan: Option<&ScanReport>, checks: Option<&ChecksPart>, readiness: Option<&ReadinessReport>) -> Self {
        use crate::checks::{Completeness, Outcome};
        use crate::guide::readiness::ReadinessVerdict;
        let mut problems = Vec::new();
        let mut not_evaluated = Vec::new();
        if let Some(scan) = scan {
            if let Some(root) = &scan.root_cause {
                problems.push(format!("log scan: root cause at {}:{}", root.path, root.line));
            } else if scan.found_anything() {
                problems.push(format!(
                    "log scan: {} known issue(s), {} unknown error group(s)",
                    scan.findings.len(),
                    scan.unmatched.len()
                ));
            }
            not_evaluated.extend(scan.unread().into_iter().map(|f| format!("log not read: {f}")));
            if scan.cancelled {
                not_evaluated.push("log scan cancelled before every file was read".into());
            }
        }
        if let Some(checks) = checks {
            for r in &checks.results {
                match r.outcome {
                    Outcome::Fail => problems.push(format!("check {}: {} — {}", r.id, r.status.as_str(), r.detail)),
                    Outcome::Unknown => not_evaluated.push(format!("check {}: {}", r.id, r.detail)),
                    Outcome::Pass => {}
                }
            }
        }
        if let Some(r) = readiness {
            match r.verdict {
                ReadinessVerdict::Blocked => problems.push("readiness: blocked (see Upgrade readiness)".into()),
                ReadinessVerdict::Incomplete => not_evaluated.push(format!(
                    "readiness: {} thing(s) could not be evaluated (see Upgrade readiness)",
                    r.not_evaluated.len()
                )),
                ReadinessVerdict::Ready => {}
            }
        }
        let verdict = if !problems.is_empty() {
            Completeness::Problems
        } else if !not_evaluated.is_empty() {
            Completeness::Incomplete
        } else {
            Completeness::Complete
        };
        ReportSummary { verdict, problems, not_evaluated }
    }
}

/// The tool's identity in a report.
#[derive(Debug, Serialize)]
pub struct ToolInfo {
    /// `bts-doctor`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
    /// The knowledge base's fingerprint.
    pub knowledge_base: String,
    /// How many entries it has.
    pub entries: usize,
}

/// What the report masks.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Redaction {
    /// Passwords, credentials and tokens (always).
    pub secrets: bool,
    /// Machine names replaced by HOST-n.
    pub hosts: bool,
    /// Account names replaced by USER-n.
    pub users: bool,
}

/// Check results with where they ran.
#[derive(Debug, Serialize)]
pub struct ChecksPart {
    /// The SQL Server checked (no password).
    pub sql: Option<SqlTarget>,
    /// Every result.
    pub results: Vec<CheckResult>,
}

/// Progress through one playbook.
#[derive(Debug, Serialize)]
pub struct GuidePart {
    /// The playbook's id.
    pub playbook: String,
    /// Its title.
    pub title: String,
    /// Steps taken, with their titles.
    pub steps: Vec<GuideStep>,
    /// The step waiting (or the done step).
    pub current: String,
    /// The current step's title.
    pub current_title: String,
    /// Whether it was finished.
    pub finished: bool,
}

/// One step taken.
#[derive(Debug, Serialize)]
pub struct GuideStep {
    /// The step's title.
    pub title: String,
    /// The answer or the check's status.
    pub outcome: Option<String>,
}

impl GuidePart {
    /// Summarises saved progress against its playbook.
    pub fn from_progress(kb: &KnowledgeBase, progress: &Progress) -> Option<Self> {
        let book = kb.playbook(&progress.playbook)?;
        let title = |id: &str| book.step(id).map_or(id.to_string(), |s| s.title.clone());
        Some(GuidePart {
            playbook: book.id.clone(),
            title: book.title.clone(),
            steps: progress
                .path
                .iter()
                .map(|v| GuideStep {
                    title: title(&v.step),
                    outcome: v
                        .answer
                        .clone()
                        .or_else(|| v.check.as_ref().map(|c| format!("{} ({})", c.status.as_str(), c.id))),
                })
                .collect(),
            current: progress.current.clone(),
            current_title: title(&progress.current),
            finished: progress.finished,
        })
    }
}

impl ReportData {
    /// An empty report stamped with the tool, the knowledge base and the time.
    pub fn new(kb: &KnowledgeBase, generated_at: String, options: Options) -> Self {
        ReportData {
            schema: crate::JSON_SCHEMA,
            tool: ToolInfo {
                name: "bts-doctor",
                version: env!("CARGO_PKG_VERSION"),
                knowledge_base: kb.fingerprint().to_string(),
                entries: kb.entries().len(),
            },
            generated_at,
            redaction: Redaction { secrets: true, hosts: options.hosts, users: options.users },
            matches: None,
            scan: None,
            checks: None,
            readiness: None,
            guide: Vec::new(),
            server: None,
            summary: ReportSummary::of(None, None, None),
        }
    }

    /// Computes the summary from the parts present (call once they are all in).
    pub fn summarise(&mut self) {
        self.summary = ReportSummary::of(self.scan.as_ref(), self.checks.as_ref(), self.readiness.as_ref());
    }

    /// The report as one JSON tree with every secret masked and, when asked, machine and
    /// account names replaced: what every format renders.
    pub fn redacted(&self) -> serde_json::Value {
        let text = super::redact::json(self);
        let mut tree: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        let mut names = Pseudonyms::new(Options { hosts: self.redaction.hosts, users: self.redaction.users });
        if names.enabled() {
            // The SQL Server and login of the checks are names for sure.
            if let Some(server) = &self.server {
                names.learn_host(&server.host);
                // The management database's SQL Server is a machine name too.
                let management = server.facts.iter().find(|f| f.id == "biztalk.management_db");
                if let Some((sql, _)) = management.and_then(|f| f.value.as_deref()).and_then(|v| v.split_once(" / ")) {
                    names.learn_host(sql);
                }
            }
            if let Some(sql) = self.checks.as_ref().and_then(|c| c.sql.as_ref()) {
                names.learn_host(&sql.server);
                if let Some(user) = &sql.user {
                    names.learn_user(user);
                }
            }
            // The tool's own identity and references are not the customer's names.
            let keep = tree.get("tool").cloned();
            names.apply_json(&mut tree);
            if let (Some(keep), Some(map)) = (keep, tree.as_object_mut()) {
                map.insert("tool".into(), keep);
            }
        }
        tree
    }
}

/// Where the terminal UI writes reports: `reports` in the data directory (`BTS_DOCTOR_DATA`, or
/// the platform's).
pub fn reports_dir() -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os(crate::guide::store::DATA_ENV).filter(|d| !d.is_empty()) {
        return Some(std::path::PathBuf::from(dir).join("reports"));
    }
    directories::ProjectDirs::from("", "", "bts-doctor").map(|p| p.data_dir().join("reports"))
}

/// The current time, UTC, as RFC 3339 (`2026-11-24T15:20:07Z`).
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since 1970 as RFC 3339 UTC (civil-from-days, proleptic Gregorian).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem / 60 % 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_533_607), "2026-11-24T15:20:07Z");
    }
}
