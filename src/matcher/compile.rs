//! Compiling every signature of a knowledge base once, into structures that find all of them
//! in one pass per view: one Aho-Corasick automaton for all phrase pieces, one `RegexSet` for
//! all regexes, hash maps for codes, event ids and MSI errors, and a word-trigram index for
//! partial phrases.

use super::normalize::{word_hash, FNV_OFFSET};
use crate::kb::{normalize_code, KnowledgeBase, Pattern};
use aho_corasick::{AhoCorasick, MatchKind};
use regex::{Regex, RegexSet, RegexSetBuilder};
use std::collections::HashMap;

/// A signature's place: which entry, which of its signatures, and its weight.
#[derive(Debug, Clone, Copy)]
pub struct SigRef {
    /// Index into the knowledge base's entries.
    pub entry: u32,
    /// Index into that entry's signatures.
    pub signature: u32,
    /// Evidence weight.
    pub weight: f32,
}

/// A phrase split at its `{variables}` into squashed pieces.
#[derive(Debug, Clone)]
pub struct CompiledPhrase {
    /// The signature this phrase is.
    pub sig: u32,
    /// Ids of its pieces (into the piece automaton), in order.
    pub pieces: Vec<u32>,
    /// Distinct hashes of its word trigrams, for partial matches.
    pub trigrams: Vec<u64>,
}

/// Every signature of a knowledge base, compiled.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// All signatures, flattened.
    pub sigs: Vec<SigRef>,
    /// Phrase signatures.
    pub phrases: Vec<CompiledPhrase>,
    /// One automaton over every distinct squashed phrase piece.
    pub pieces: Option<AhoCorasick>,
    /// For each piece id, the phrases whose first piece it is.
    pub phrases_by_first_piece: Vec<Vec<u32>>,
    /// Word trigram hash -> phrases containing it.
    pub trigram_index: HashMap<u64, Vec<u32>>,
    /// One set over every regex, to learn in one pass which ones match.
    pub regex_set: RegexSet,
    /// Each regex again, for its span, with its signature.
    pub regexes: Vec<(Regex, u32)>,
    /// Normalised hex code -> signatures.
    pub codes: HashMap<String, Vec<u32>>,
    /// Event id -> signatures.
    pub event_ids: HashMap<u32, Vec<u32>>,
    /// MSI error number -> signatures.
    pub msi_errors: HashMap<u32, Vec<u32>>,
}

/// Why a knowledge base could not be compiled (only size limits can get here: every regex was
/// already validated at load).
#[derive(Debug, Clone, thiserror::Error)]
#[error("cannot compile the knowledge base's signatures: {0}")]
pub struct CompileError(pub String);

impl Compiled {
    /// Compiles every signature of `kb`.
    pub fn new(kb: &KnowledgeBase) -> Result<Self, CompileError> {
        let mut sigs = Vec::new();
        let mut phrases = Vec::new();
        let mut piece_ids: HashMap<String, u32> = HashMap::new();
        let mut piece_texts: Vec<String> = Vec::new();
        let mut regex_sources = Vec::new();
        let mut regexes = Vec::new();
        let mut codes: HashMap<String, Vec<u32>> = HashMap::new();
        let mut event_ids: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut msi_errors: HashMap<u32, Vec<u32>> = HashMap::new();

        for (entry_index, entry) in kb.entries().iter().enumerate() {
            for (sig_index, sig) in entry.signatures.iter().enumerate() {
                let id = sigs.len() as u32;
                sigs.push(SigRef { entry: entry_index as u32, signature: sig_index as u32, weight: sig.weight });
                match &sig.pattern {
                    Pattern::Phrase(text) => {
                        let pieces = squashed_pieces(text)
                            .into_iter()
                            .map(|piece| {
                                *piece_ids.entry(piece.clone()).or_insert_with(|| {
                                    piece_texts.push(piece);
                                    (piece_texts.len() - 1) as u32
                                })
                            })
                            .collect();
                        phrases.push(CompiledPhrase { sig: id, pieces, trigrams: phrase_trigrams(text) });
                    }
                    Pattern::Regex(source) => {
                        let regex = regex::RegexBuilder::new(source)
                            .case_insensitive(true)
                            .size_limit(1 << 24)
                            .build()
                            .map_err(|e| CompileError(format!("{}: {e}", entry.id)))?;
                        regex_sources.push(source.clone());
                        regexes.push((regex, id));
                    }
                    Pattern::Code(code) => {
                        if let Some(norm) = normalize_code(code) {
                            codes.entry(norm).or_default().push(id);
                        }
                    }
                    Pattern::EventId(n) => event_ids.entry(*n).or_default().push(id),
                    Pattern::MsiError(n) => msi_errors.entry(*n).or_default().push(id),
                }
            }
        }

        let pieces = if piece_texts.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .build(&piece_texts)
                    .map_err(|e| CompileError(e.to_string()))?,
            )
        };
        let mut phrases_by_first_piece = vec![Vec::new(); piece_texts.len()];
        let mut trigram_index: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, phrase) in phrases.iter().enumerate() {
            if let Some(&first) = phrase.pieces.first() {
                phrases_by_first_piece[first as usize].push(i as u32);
            }
            for &t in &phrase.trigrams {
                trigram_index.entry(t).or_default().push(i as u32);
            }
        }
        let regex_set = RegexSetBuilder::new(&regex_sources)
            .case_insensitive(true)
            .size_limit(1 << 26)
            .dfa_size_limit(1 << 24)
            .build()
            .map_err(|e| CompileError(e.to_string()))?;

        Ok(Compiled {
            sigs,
            phrases,
            pieces,
            phrases_by_first_piece,
            trigram_index,
            regex_set,
            regexes,
            codes,
            event_ids,
            msi_errors,
        })
    }
}

/// The fixed pieces of a phrase, each reduced to lower-case letters and digits; empty pieces
/// (a phrase starting or ending with a variable) are dropped.
pub fn squashed_pieces(phrase: &str) -> Vec<String> {
    crate::kb::model::phrase_fixed_parts(phrase)
        .map(|part| part.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect::<String>())
        .filter(|piece| !piece.is_empty())
        .collect()
}

/// Distinct word-trigram hashes of a phrase's fixed pieces (trigrams never span a variable).
pub fn phrase_trigrams(phrase: &str) -> Vec<u64> {
    let mut out = Vec::new();
    for part in crate::kb::model::phrase_fixed_parts(phrase) {
        let words: Vec<u64> = part
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| word_hash(&w.to_lowercase()))
            .collect();
        out.extend(words.windows(3).map(|w| trigram(w[0], w[1], w[2])));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Combines three word hashes into one trigram hash.
pub fn trigram(a: u64, b: u64, c: u64) -> u64 {
    let mut h = FNV_OFFSET;
    for w in [a, b, c] {
        h = (h ^ w).wrapping_mul(0x0000_0100_0000_01b3).rotate_left(17);
    }
    h
}
