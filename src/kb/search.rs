//! Ranked full-text search over the knowledge: BM25 over each entry's title, id, tags, cause,
//! fix, examples and the catalogue messages that point to it, with typo tolerance (a query word
//! missing from the vocabulary matches words one or two edits away, or words it starts). Used by
//! `kb search`, the TUI knowledge filter and the matcher's nearest candidates.

use super::KnowledgeBase;
use serde::Serialize;
use std::collections::HashMap;

/// BM25's term-frequency saturation.
const K1: f32 = 1.2;
/// BM25's length normalisation.
const B: f32 = 0.75;
/// How much a near word (a typo or a prefix) counts against an exact one.
const NEAR_FACTOR: f32 = 0.6;

/// One ranked result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Index of the entry in the knowledge base.
    #[serde(skip)]
    pub entry: usize,
    /// The entry's id.
    pub id: String,
    /// Its BM25 score (higher is better).
    pub score: f32,
    /// The indexed words that matched the query (after typo correction).
    pub terms: Vec<String>,
}

/// The index: postings per word, document lengths, the vocabulary for near matches.
#[derive(Debug, Clone, Default)]
pub struct SearchIndex {
    postings: HashMap<String, Vec<(u32, f32)>>,
    lengths: Vec<f32>,
    average: f32,
    ids: Vec<String>,
    vocabulary: Vec<String>,
}

/// Lower-case words of letters and digits, at least two long.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 2).map(str::to_lowercase)
}

impl SearchIndex {
    /// Indexes every entry of `kb`: the title counts three times, id and tags twice, the rest once.
    pub fn new(kb: &KnowledgeBase) -> Self {
        let mut catalogue_text: HashMap<&str, String> = HashMap::new();
        for c in kb.catalogues().all() {
            for row in &c.rows {
                if let Some(entry) = &row.entry {
                    let t = catalogue_text.entry(entry.as_str()).or_default();
                    for piece in [Some(&row.id), row.name.as_ref(), Some(&row.message)].into_iter().flatten() {
                        t.push(' ');
                        t.push_str(piece);
                    }
                }
            }
        }
        let mut postings: HashMap<String, HashMap<u32, f32>> = HashMap::new();
        let mut lengths = Vec::new();
        for (i, e) in kb.entries().iter().enumerate() {
            let fix: String =
                e.fix.iter().map(|f| format!("{} {} ", f.step, f.command.as_deref().unwrap_or(""))).collect();
            let fields: [(&str, f32); 7] = [
                (&e.title, 3.0),
                (&e.id, 2.0),
                (&e.tags.join(" "), 2.0),
                (&e.cause, 1.0),
                (&fix, 1.0),
                (&e.examples.join(" "), 1.0),
                (catalogue_text.get(e.id.as_str()).map_or("", String::as_str), 0.5),
            ];
            let mut length = 0.0;
            for (text, weight) in fields {
                for w in words(text) {
                    *postings.entry(w).or_default().entry(i as u32).or_default() += weight;
                    length += weight;
                }
            }
            lengths.push(length);
        }
        let average = if lengths.is_empty() { 1.0 } else { lengths.iter().sum::<f32>() / lengths.len() as f32 };
        let mut vocabulary: Vec<String> = postings.keys().cloned().collect();
        vocabulary.sort();
        SearchIndex {
            postings: postings.into_iter().map(|(w, docs)| (w, docs.into_iter().collect())).collect(),
            lengths,
            average,
            ids: kb.entries().iter().map(|e| e.id.clone()).collect(),
            vocabulary,
        }
    }

    /// The entries best matching `query`, best first, at most `limit`; each query word counts
    /// once (exact, else its nearest spellings).
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search_with(query, limit, true)
    }

    /// The same ranking over exact words only: for a pasted text, whose words are as printed
    /// (typo tolerance costs a pass over the vocabulary for every unknown word).
    pub fn search_exact(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search_with(query, limit, false)
    }

    fn search_with(&self, query: &str, limit: usize, fuzzy: bool) -> Vec<SearchHit> {
        let n = self.lengths.len() as f32;
        let mut scores: HashMap<u32, (f32, Vec<String>)> = HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for word in words(query).take(64) {
            if !seen.insert(word.clone()) {
                continue;
            }
            let terms = if fuzzy {
                self.expand(&word)
            } else if self.postings.contains_key(&word) {
                vec![(word.clone(), 1.0)]
            } else {
                Vec::new()
            };
            for (term, factor) in terms {
                let Some(list) = self.postings.get(&term) else { continue };
                let idf = ((n - list.len() as f32 + 0.5) / (list.len() as f32 + 0.5) + 1.0).ln();
                for &(doc, tf) in list {
                    let norm = tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * self.lengths[doc as usize] / self.average));
                    let slot = scores.entry(doc).or_default();
                    slot.0 += idf * norm * factor;
                    if !slot.1.contains(&term) {
                        slot.1.push(term.clone());
                    }
                }
            }
        }
        let mut hits: Vec<SearchHit> = scores
            .into_iter()
            .map(|(doc, (score, terms))| SearchHit {
                entry: doc as usize,
                id: self.ids[doc as usize].clone(),
                score: (score * 100.0).round() / 100.0,
                terms,
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        hits.truncate(limit);
        hits
    }

    /// The indexed words a query word stands for, with how much each counts: itself; else the
    /// words one edit away (two for long words) and the words it starts (three letters or more);
    /// and the two indexed words it is made of.
    fn expand(&self, word: &str) -> Vec<(String, f32)> {
        let len = word.chars().count();
        if let Some(list) = self.postings.get(word) {
            let mut out = vec![(word.to_string(), 1.0)];
            // A rare joined word ("bamportal") also stands for its two halves.
            if list.len() < 3 && len >= 6 {
                out.extend(self.split(word));
            }
            return out;
        }
        let max_edits = match len {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        let mut near: Vec<(String, f32)> = Vec::new();
        for v in &self.vocabulary {
            let prefix = len >= 3 && v.starts_with(word);
            let typo =
                max_edits > 0 && v.chars().count().abs_diff(len) <= max_edits && within_edits(word, v, max_edits);
            if prefix || typo {
                near.push((v.clone(), NEAR_FACTOR));
            }
        }
        near.truncate(8);
        if len >= 6 {
            near.extend(self.split(word));
        }
        near
    }
}

impl SearchIndex {
    /// The first split of `word` into two indexed words ("bamportal" into bam and portal).
    fn split(&self, word: &str) -> Vec<(String, f32)> {
        let chars: Vec<char> = word.chars().collect();
        for at in 2..chars.len().saturating_sub(1) {
            let (a, b): (String, String) = (chars[..at].iter().collect(), chars[at..].iter().collect());
            if self.postings.contains_key(&a) && self.postings.contains_key(&b) {
                return vec![(a, NEAR_FACTOR), (b, NEAR_FACTOR)];
            }
        }
        Vec::new()
    }
}

/// Whether `a` and `b` are at most `max` insertions, deletions, substitutions or adjacent
/// swaps apart (optimal string alignment distance).
pub fn within_edits(a: &str, b: &str, max: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev2: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(prev2[j - 2] + 1);
            }
        }
        if row.iter().min().copied().unwrap_or(0) > max {
            return false;
        }
        prev2 = std::mem::replace(&mut prev, row);
    }
    prev[b.len()] <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_swaps_as_one() {
        assert!(within_edits("msdtc", "msdct", 1));
        assert!(within_edits("enterprize", "enterprise", 1));
        assert!(!within_edits("sso", "sql", 1));
        assert!(within_edits("configration", "configuration", 1));
    }
}
