//! The JSON documents the tool prints. Field names are a contract (see the README): add
//! fields, never rename or remove them.

use crate::kb::{Entry, FixStep};
use crate::matcher::{MatchReport, Matcher};
use crate::JSON_SCHEMA;
use serde::Serialize;

/// `match --json` (secrets are masked when it is printed, by [`super::redact::json`]).
#[derive(Debug, Serialize)]
pub struct MatchDocument {
    /// Always 1 for this layout.
    pub schema: u32,
    /// The text as given.
    pub query: String,
    /// `match` when a medium-or-high match exists, else `no-known-issue`.
    pub verdict: &'static str,
    /// Best first, at most `--top`.
    pub matches: Vec<MatchItem>,
    /// When nothing is confident: entries sharing words with the text.
    pub nearest: Vec<NearestItem>,
    /// Every catalogued code in the text (HRESULT, event id, MSI or SQL error, symbolic
    /// name), explained.
    pub codes: Vec<crate::matcher::codes::CodeInfo>,
}

/// One match in `match --json`.
#[derive(Debug, Serialize)]
pub struct MatchItem {
    /// The entry's id.
    pub id: String,
    /// The entry's title.
    pub title: String,
    /// `known-issue`, `precondition` or `post-upgrade`.
    pub kind: String,
    /// `blocker`, `error`, `warning` or `info`.
    pub severity: String,
    /// `before-upgrade`, `during-upgrade`, `after-upgrade` or `any`.
    pub phase: String,
    /// Strongest evidence plus half the rest.
    pub score: f32,
    /// `high`, `medium` or `low`.
    pub confidence: &'static str,
    /// The evidence, strongest first.
    pub why: Vec<WhyItem>,
    /// One line on why the confidence is what it is.
    pub reason: String,
    /// Why it happens.
    pub cause: String,
    /// Ordered fix steps.
    pub fix: Vec<FixStep>,
    /// Where the facts come from.
    pub references: Vec<String>,
}

/// One piece of evidence in `match --json`.
#[derive(Debug, Serialize)]
pub struct WhyItem {
    /// The signature as written in the knowledge file.
    pub signature: String,
    /// The exact text it matched.
    pub matched: String,
    /// Weight it added.
    pub weight: f32,
    /// For a partial phrase, the share present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<f32>,
}

/// A nearest candidate in `match --json`.
#[derive(Debug, Serialize)]
pub struct NearestItem {
    /// The entry's id.
    pub id: String,
    /// The entry's title.
    pub title: String,
    /// Words of the text found in the entry.
    pub shared_words: Vec<String>,
}

/// Builds the `match --json` document for the best `top` matches.
pub fn match_document(matcher: &Matcher, query: impl Into<String>, report: &MatchReport, top: usize) -> MatchDocument {
    MatchDocument {
        schema: JSON_SCHEMA,
        query: query.into(),
        verdict: if report.best_confident().is_some() { "match" } else { "no-known-issue" },
        matches: report
            .matches
            .iter()
            .take(top)
            .map(|m| {
                let e = matcher.entry(m.entry);
                MatchItem {
                    id: e.id.clone(),
                    title: e.title.clone(),
                    kind: e.kind.to_string(),
                    severity: e.severity.to_string(),
                    phase: e.phase.to_string(),
                    score: m.score,
                    confidence: m.confidence.as_str(),
                    why: m
                        .why
                        .iter()
                        .map(|w| WhyItem {
                            signature: w.signature.clone(),
                            matched: w.matched.clone(),
                            weight: (w.weight * 100.0).round() / 100.0,
                            partial: w.partial,
                        })
                        .collect(),
                    reason: m.reason.clone(),
                    cause: e.cause.clone(),
                    fix: e.fix.clone(),
                    references: e.references.clone(),
                }
            })
            .collect(),
        nearest: report
            .nearest
            .iter()
            .map(|c| NearestItem {
                id: c.id.clone(),
                title: matcher.entry(c.entry).title.clone(),
                shared_words: c.shared_words.clone(),
            })
            .collect(),
        codes: report.codes.clone(),
    }
}

/// `kb list --json`.
#[derive(Debug, Serialize)]
pub struct KbListDocument<'a> {
    /// Always 1 for this layout.
    pub schema: u32,
    /// The knowledge-base version: a hash of the loaded entries.
    pub fingerprint: &'a str,
    /// Every entry, sorted by id.
    pub entries: Vec<KbListItem<'a>>,
}

/// One entry in `kb list --json`.
#[derive(Debug, Serialize)]
pub struct KbListItem<'a> {
    /// The entry's id.
    pub id: &'a str,
    /// The entry's title.
    pub title: &'a str,
    /// Known issue, precondition or post-upgrade task.
    pub kind: String,
    /// When it matters.
    pub phase: String,
    /// How bad it is.
    pub severity: String,
    /// BizTalk versions.
    pub applies_to: &'a [String],
    /// Extra filter words.
    pub tags: &'a [String],
    /// `embedded` or the overlay directory it came from.
    pub source: &'a str,
}

/// Builds the `kb list --json` document.
pub fn kb_list_document<'a>(fingerprint: &'a str, entries: &'a [Entry]) -> KbListDocument<'a> {
    KbListDocument {
        schema: JSON_SCHEMA,
        fingerprint,
        entries: entries
            .iter()
            .map(|e| KbListItem {
                id: &e.id,
                title: &e.title,
                kind: e.kind.to_string(),
                phase: e.phase.to_string(),
                severity: e.severity.to_string(),
                applies_to: &e.applies_to,
                tags: &e.tags,
                source: &e.origin.layer,
            })
            .collect(),
    }
}

/// `kb show ID --json`: the whole entry.
#[derive(Debug, Serialize)]
pub struct KbShowDocument<'a> {
    /// Always 1 for this layout.
    pub schema: u32,
    /// The whole entry.
    pub entry: &'a Entry,
}

/// `check --json`: where the checks ran and every result (secrets never enter it).
#[derive(Debug, Serialize)]
pub struct CheckDocument<'a> {
    /// Always 1 for this layout.
    pub schema: u32,
    /// Where the checks ran: this machine's system and the SQL Server (no password).
    pub target: CheckTarget<'a>,
    /// One result per check, in the knowledge base's order.
    pub results: &'a [crate::checks::CheckResult],
}

/// The `target` of `check --json`.
#[derive(Debug, Serialize)]
pub struct CheckTarget<'a> {
    /// The operating system the local checks ran on (`windows`, `linux`).
    pub os: &'static str,
    /// The SQL Server checked, when there was one.
    pub sql: Option<&'a crate::checks::SqlTarget>,
}

/// Builds the `check --json` document.
pub fn check_document<'a>(
    sql: Option<&'a crate::checks::SqlTarget>,
    results: &'a [crate::checks::CheckResult],
) -> CheckDocument<'a> {
    CheckDocument { schema: JSON_SCHEMA, target: CheckTarget { os: std::env::consts::OS, sql }, results }
}

/// `readiness --json`.
#[derive(Debug, Serialize)]
pub struct ReadinessDocument<'a> {
    /// Always 1 for this layout.
    pub schema: u32,
    /// The report.
    #[serde(flatten)]
    pub report: &'a crate::guide::readiness::ReadinessReport,
}

/// Builds the `readiness --json` document.
pub fn readiness_document(report: &crate::guide::readiness::ReadinessReport) -> ReadinessDocument<'_> {
    ReadinessDocument { schema: JSON_SCHEMA, report }
}
