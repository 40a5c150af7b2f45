//! The JSON documents the tool prints. Field names are a contract (see the README): add
//! fields, never rename or remove them.

use super::redact;
use crate::kb::{Entry, FixStep};
use crate::matcher::{MatchReport, Matcher};
use crate::JSON_SCHEMA;
use serde::Serialize;

/// `match --json`.
#[derive(Debug, Serialize)]
pub struct MatchDocument {
    /// Always 1 for this layout.
    pub schema: u32,
    /// The text as given, secrets masked.
    pub query: String,
    /// `match` when a medium-or-high match exists, else `no-known-issue`.
    pub verdict: &'static str,
    /// Best first, at most `--top`.
    pub matches: Vec<MatchItem>,
    /// When nothing is confident: entries sharing words with the text.
    pub nearest: Vec<NearestItem>,
}

/// One match in `match --json`.
#[derive(Debug, Serialize)]
pub struct MatchItem {
    pub id: String,
    pub title: String,
    pub kind: String,
    pub severity: String,
    pub phase: String,
    pub score: f32,
    pub confidence: &'static str,
    pub why: Vec<WhyItem>,
    pub cause: String,
    pub fix: Vec<FixStep>,
    pub references: Vec<String>,
}

/// One piece of evidence in `match --json`.
#[derive(Debug, Serialize)]
pub struct WhyItem {
    /// The signature as written in the knowledge file.
    pub signature: String,
    /// The exact text it matched, secrets masked.
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
    pub id: String,
    pub title: String,
    pub shared_words: Vec<String>,
}

/// Builds the `match --json` document for the best `top` matches.
pub fn match_document(matcher: &Matcher, query: &str, report: &MatchReport, top: usize) -> MatchDocument {
    MatchDocument {
        schema: JSON_SCHEMA,
        query: redact::secrets(query).into_owned(),
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
                            matched: redact::secrets(&w.matched).into_owned(),
                            weight: (w.weight * 100.0).round() / 100.0,
                            partial: w.partial,
                        })
                        .collect(),
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
    }
}

/// `kb list --json`.
#[derive(Debug, Serialize)]
pub struct KbListDocument<'a> {
    pub schema: u32,
    /// The knowledge-base version: a hash of the loaded entries.
    pub fingerprint: &'a str,
    pub entries: Vec<KbListItem<'a>>,
}

/// One entry in `kb list --json`.
#[derive(Debug, Serialize)]
pub struct KbListItem<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub kind: String,
    pub phase: String,
    pub severity: String,
    pub applies_to: &'a [String],
    pub tags: &'a [String],
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
    pub schema: u32,
    pub entry: &'a Entry,
}
