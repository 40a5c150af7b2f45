//! Matching pasted text against the knowledge base: which entries it points to, how sure we
//! are, and the exact evidence (signature and matched span) for each.

pub mod codes;
mod compile;
mod detect;
pub mod normalize;

use crate::kb::{Entry, KnowledgeBase, Tier};
use compile::Compiled;
pub use compile::{build_regex, CompileError};
pub use normalize::Prepared;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Score at and above which a match is high confidence.
pub const HIGH: f32 = 6.0;
/// Score at and above which a match is medium confidence.
pub const MEDIUM: f32 = 3.5;
/// Most letters and digits allowed between two pieces of a phrase around a `{variable}`.
pub const MAX_VARIABLE_GAP: usize = 160;

/// How sure a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Weak evidence: a nearest candidate, not an answer.
    Low,
    /// Good evidence.
    Medium,
    /// Distinctive evidence.
    High,
}

impl Confidence {
    /// The confidence a score earns.
    pub fn of(score: f32) -> Self {
        if score >= HIGH {
            Confidence::High
        } else if score >= MEDIUM {
            Confidence::Medium
        } else {
            Confidence::Low
        }
    }

    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// One piece of evidence: a signature and the text it matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The signature, as the knowledge file writes it (`phrase "..."`, `code 0x...`).
    pub signature: String,
    /// The exact matched text.
    pub matched: String,
    /// Byte range of the match in the cleaned text.
    pub span: (usize, usize),
    /// The weight this evidence added (partial phrases count less).
    pub weight: f32,
    /// For a partial phrase, the share of its word trigrams present (0.5 to 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial: Option<f32>,
}

/// One entry the text points to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// Index of the entry in the knowledge base.
    #[serde(skip)]
    pub entry: usize,
    /// The entry's id.
    pub id: String,
    /// Strongest evidence plus half the rest, minus evidence against.
    pub score: f32,
    /// High, medium or low.
    pub confidence: Confidence,
    /// The evidence, strongest first.
    pub why: Vec<Evidence>,
    /// One line on why the confidence is what it is.
    pub reason: String,
}

/// An entry that shares words with the text although no signature matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Index of the entry in the knowledge base.
    #[serde(skip)]
    pub entry: usize,
    /// The entry's id.
    pub id: String,
    /// Words of the text found in the entry's title, tags and phrases.
    pub shared_words: Vec<String>,
}

/// The answer for one text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchReport {
    /// The cleaned text that spans point into.
    pub clean: String,
    /// Every entry with positive evidence, best first.
    pub matches: Vec<Match>,
    /// When nothing reached medium confidence: entries sharing words with the text.
    pub nearest: Vec<Candidate>,
    /// Every catalogued code in the text, explained.
    pub codes: Vec<codes::CodeInfo>,
}

impl MatchReport {
    /// The best match with medium or high confidence, if any.
    pub fn best_confident(&self) -> Option<&Match> {
        self.matches.first().filter(|m| m.confidence >= Confidence::Medium)
    }

    /// Matches with at least medium confidence, best first.
    pub fn confident(&self) -> impl Iterator<Item = &Match> {
        self.matches.iter().filter(|m| m.confidence >= Confidence::Medium)
    }
}

/// Texts longer than this many bytes are matched in pieces of this size.
const CHUNK: usize = 256 * 1024;
/// How far back (in bytes) each piece starts into the one before.
const OVERLAP: usize = 4 * 1024;

/// A knowledge base with every signature compiled; cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Matcher {
    kb: Arc<KnowledgeBase>,
    compiled: Arc<Compiled>,
    search: Arc<crate::kb::search::SearchIndex>,
}

impl Matcher {
    /// Compiles every signature of `kb` once.
    pub fn new(kb: KnowledgeBase) -> Result<Self, CompileError> {
        let compiled = Compiled::new(&kb)?;
        let search = crate::kb::search::SearchIndex::new(&kb);
        Ok(Matcher { kb: Arc::new(kb), compiled: Arc::new(compiled), search: Arc::new(search) })
    }

    /// Ranked knowledge search (BM25, typo tolerant): the entries best matching `query`.
    pub fn search(&self, query: &str, limit: usize) -> Vec<crate::kb::search::SearchHit> {
        self.search.search(query, limit)
    }

    /// The knowledge base being matched against.
    pub fn kb(&self) -> &KnowledgeBase {
        &self.kb
    }

    /// The entry a match or candidate refers to.
    pub fn entry(&self, index: usize) -> &Entry {
        &self.kb.entries()[index]
    }

    /// Cheap test, one automaton pass: `false` means no signature can match `text`, so a log
    /// scanner can skip the full match. (A partial line that lacks a phrase's longest word
    /// is among what it skips.)
    pub fn may_match(&self, text: &str) -> bool {
        self.compiled.unanchored || self.compiled.anchors.as_ref().is_some_and(|a| a.is_match(text))
    }

    /// Matches `text` against every entry, counting partial lines (a paste may be a fragment).
    pub fn match_text(&self, text: &str) -> MatchReport {
        self.run(text, true)
    }

    /// Matches `text` counting only whole signatures: for log records, which hold whole
    /// messages, a partial phrase is more often a generic sentence shared with another error.
    pub fn match_whole(&self, text: &str) -> MatchReport {
        self.run(text, false)
    }

    fn run(&self, text: &str, partial: bool) -> MatchReport {
        if text.len() > CHUNK {
            return self.run_chunked(text, partial);
        }
        let prepared = Prepared::new(text);
        let hits = detect::find_all(&self.compiled, &prepared, partial);
        let nearest_source = prepared;
        self.report(hits, nearest_source.clean.clone(), Some(&nearest_source))
    }

    /// A long text in pieces of about [`CHUNK`] bytes cut at line ends, each overlapping the
    /// last lines of the one before (so a message across the cut is still whole in one piece):
    /// the working memory stays that of one piece whatever the text's size. The cleaned pieces
    /// are joined into the report's text and every span points into it.
    fn run_chunked(&self, text: &str, partial: bool) -> MatchReport {
        let mut clean = String::new();
        // Only the strongest evidence of each signature counts: keep that one, so the evidence
        // held stays bounded by the number of signatures.
        let mut best: HashMap<u32, Evidence> = HashMap::new();
        let mut first: Option<Prepared> = None;
        let mut start = 0;
        while start < text.len() {
            let mut end = (start + CHUNK).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            if end < text.len() {
                if let Some(nl) = text[start..end].rfind('\n') {
                    end = start + nl + 1;
                }
            }
            let prepared = Prepared::new(&text[start..end]);
            let offset = clean.len() + usize::from(!clean.is_empty());
            for (sig, mut ev) in detect::find_all(&self.compiled, &prepared, partial) {
                if best.get(&sig).is_some_and(|old| old.weight.abs() >= ev.weight.abs()) {
                    continue;
                }
                ev.span = (ev.span.0 + offset, ev.span.1 + offset);
                best.insert(sig, ev);
            }
            if !clean.is_empty() {
                clean.push('\n');
            }
            clean.push_str(&prepared.clean);
            if first.is_none() {
                first = Some(prepared);
            }
            if end >= text.len() {
                break;
            }
            // The next piece starts a few lines back.
            let mut back = end.saturating_sub(OVERLAP).max(start + 1);
            while !text.is_char_boundary(back) {
                back -= 1;
            }
            start = text[back..end].find('\n').map_or(end, |nl| back + nl + 1);
        }
        self.report(best.into_iter().collect(), clean, first.as_ref())
    }

    /// Scores the evidence found in a text and ranks the entries.
    fn report(&self, hits: Vec<(u32, Evidence)>, clean: String, nearest_source: Option<&Prepared>) -> MatchReport {
        let mut by_entry: HashMap<u32, Vec<(u32, Evidence)>> = HashMap::new();
        for (sig, evidence) in hits {
            by_entry.entry(self.compiled.sigs[sig as usize].entry).or_default().push((sig, evidence));
        }
        let mut matches: Vec<Match> =
            by_entry.into_iter().filter_map(|(entry, hits)| self.score_entry(entry as usize, hits)).collect();
        // Confident matches first; among them a specific entry before a generic catch-all before
        // an area's triage, whatever their scores; then by score.
        let rank = |m: &Match| if m.confidence >= Confidence::Medium { Some(self.entry(m.entry).tier()) } else { None };
        matches.sort_by(|a, b| {
            rank(b)
                .cmp(&rank(a))
                .then_with(|| b.score.total_cmp(&a.score))
                .then_with(|| self.entry(a.entry).severity.cmp(&self.entry(b.entry).severity))
                .then_with(|| a.id.cmp(&b.id))
        });
        let nearest = match nearest_source {
            Some(prepared) if !matches.iter().any(|m| m.confidence >= Confidence::Medium) => {
                self.nearest(prepared, &matches)
            }
            _ => Vec::new(),
        };
        let codes = codes::find(self.kb.catalogues(), &clean);
        MatchReport { clean, matches, nearest, codes }
    }

    /// Keeps the best evidence per signature and scores the entry; `None` when the evidence
    /// against outweighs the evidence for.
    fn score_entry(&self, entry: usize, hits: Vec<(u32, Evidence)>) -> Option<Match> {
        let mut best: HashMap<u32, Evidence> = HashMap::new();
        for (sig, mut ev) in hits {
            match best.get(&sig) {
                Some(old) if old.weight.abs() >= ev.weight.abs() => {}
                _ => {
                    let sig_ref = self.compiled.sigs[sig as usize];
                    ev.signature = self.entry(entry).signatures[sig_ref.signature as usize].label();
                    best.insert(sig, ev);
                }
            }
        }
        type Hits = Vec<(u32, Evidence)>;
        let (own, mut catalogue): (Hits, Hits) = best.into_iter().partition(|(sig, _)| !self.is_catalogue_sig(*sig));
        // A catalogue row restates a documented message or code: it speaks for the entry only
        // when the entry's own signatures are silent, and then once (several rows of one
        // catalogue often share a sentence).
        catalogue.sort_by(|a, b| b.1.weight.total_cmp(&a.1.weight));
        let mut why: Vec<Evidence> = if own.iter().any(|(_, e)| e.weight > 0.0) {
            own.into_iter().map(|(_, e)| e).collect()
        } else {
            own.into_iter().chain(catalogue.into_iter().take(1)).map(|(_, e)| e).collect()
        };
        why.sort_by(|a, b| b.weight.total_cmp(&a.weight).then_with(|| a.span.cmp(&b.span)));
        let score = combine(why.iter().map(|e| e.weight));
        let tier = self.entry(entry).tier();
        let mut confidence = Confidence::of(score);
        // A triage names an area, not a cause: never more than medium.
        if tier == Tier::Area {
            confidence = confidence.min(Confidence::Medium);
        }
        let reason = reason(confidence, tier, &why);
        (score > 0.0).then(|| Match {
            entry,
            id: self.entry(entry).id.clone(),
            score: (score * 100.0).round() / 100.0,
            confidence,
            why,
            reason,
        })
    }

    /// Whether a compiled signature was added from a catalogue row.
    fn is_catalogue_sig(&self, sig: u32) -> bool {
        let r = self.compiled.sigs[sig as usize];
        self.entry(r.entry as usize).signatures[r.signature as usize].from_catalogue.is_some()
    }

    /// Entries the ranked knowledge search finds for the text's meaningful words, sharing at
    /// least two of them, not already matched; best first.
    fn nearest(&self, prepared: &Prepared, matched: &[Match]) -> Vec<Candidate> {
        const LIMIT: usize = 3;
        let text_words: std::collections::BTreeSet<String> = prepared
            .words
            .iter()
            .map(|w| prepared.clean[w.start..w.end].to_lowercase())
            .filter(|w| is_meaningful(w))
            .take(200)
            .collect();
        let query = text_words.into_iter().collect::<Vec<_>>().join(" ");
        self.search
            .search_exact(&query, LIMIT + matched.len())
            .into_iter()
            .filter(|h| h.terms.len() >= 2 && !matched.iter().any(|m| m.entry == h.entry))
            .take(LIMIT)
            .map(|h| Candidate { entry: h.entry, id: h.id, shared_words: h.terms })
            .collect()
    }
}

/// Why a match has its confidence, in one line: what the strongest evidence is and what kept it
/// from the next level.
fn reason(confidence: Confidence, tier: Tier, why: &[Evidence]) -> String {
    let Some(best) = why.first() else { return "no evidence".into() };
    // A long regex says little in one line: name it by what it matched.
    let named = if best.signature.chars().count() > 80 {
        format!(
            "{} matching \"{}\"",
            best.signature.split(' ').next().unwrap_or("signature"),
            cut_chars(&best.matched, 60)
        )
    } else {
        best.signature.clone()
    };
    let what = if best.partial.is_some() {
        format!("part of {named} ({:.0}% of its words in order)", best.partial.unwrap_or(0.0) * 100.0)
    } else {
        named
    };
    let more = why.iter().filter(|e| e.weight > 0.0).count().saturating_sub(1);
    let also = if more > 0 { format!(", with {more} more piece(s) of evidence") } else { String::new() };
    match (confidence, tier) {
        (Confidence::High, _) => format!("high: {what} matched{also}"),
        (Confidence::Medium, Tier::Area) => {
            format!("medium: the evidence names this area ({what}{also}); a triage says what to collect and check, not the cause")
        }
        (Confidence::Medium, Tier::Generic) => {
            format!("medium: {what}{also}; a generic failure status, not its cause")
        }
        (Confidence::Medium, Tier::Specific) => format!("medium: {what}{also}; not distinctive enough for high"),
        (Confidence::Low, _) => format!("low: only {what}{also}; too weak to be an answer"),
    }
}

/// At most `n` characters of `text`, with an ellipsis when cut.
fn cut_chars(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        text.chars().take(n).collect::<String>() + "…"
    }
}

/// Strongest positive evidence, plus half of the other positive evidence, plus all negative.
pub fn combine(weights: impl Iterator<Item = f32>) -> f32 {
    let (mut positive, negative): (Vec<f32>, Vec<f32>) = weights.partition(|w| *w > 0.0);
    positive.sort_by(|a, b| b.total_cmp(a));
    let strongest = positive.first().copied().unwrap_or(0.0);
    let rest: f32 = positive.iter().skip(1).sum();
    strongest + rest / 2.0 + negative.iter().sum::<f32>()
}

/// Words of four or more letters that are not everyday filler.
pub(crate) fn is_meaningful(word: &str) -> bool {
    const FILLER: &[&str] = &[
        "this",
        "that",
        "with",
        "from",
        "have",
        "were",
        "will",
        "when",
        "then",
        "than",
        "your",
        "there",
        "their",
        "which",
        "would",
        "could",
        "should",
        "about",
        "after",
        "before",
        "into",
        "been",
        "they",
        "them",
        "does",
        "some",
        "what",
        "error",
        "failed",
        "server",
        "microsoft",
        "biztalk",
        "following",
        "please",
        "check",
    ];
    word.len() >= 4 && !word.chars().all(|c| c.is_ascii_digit()) && !FILLER.contains(&word)
}
