//! Compiling every signature of a knowledge base once, into structures that find all of them
//! in one pass per view: one Aho-Corasick automaton for all phrase pieces, one `RegexSet` for
//! all regexes, hash maps for codes, event ids and MSI errors, and a word-trigram index for
//! partial phrases.

use super::normalize::word_hash;
use crate::hash::{FNV_OFFSET, FNV_PRIME};
use crate::kb::{normalize_code, KnowledgeBase, Pattern};
use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::{Regex, RegexBuilder};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::collections::HashMap;
use std::sync::OnceLock;

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
    /// Trigrams of Windows' own error messages ("the system cannot find the file specified")
    /// and of catalogue rows marked generic (Winsock's "actively refused it"):
    /// a partial paste made only of them shares a generic sentence, not a specific error.
    pub generic_trigrams: std::collections::HashSet<u64>,
    /// Every regex, compiled the first time its literal is seen.
    pub regexes: Vec<LazyRegex>,
    /// One automaton over the literals every match of a regex must start or end with.
    pub regex_literals: Option<AhoCorasick>,
    /// For each literal of `regex_literals`, the regexes it stands for.
    pub regexes_by_literal: Vec<Vec<u32>>,
    /// Regexes with no usable literal: always run.
    pub unfiltered_regexes: Vec<u32>,
    /// One literal per signature (a phrase's longest word, a regex's required literals, the
    /// digits of a code or number): text holding none of them cannot match anything.
    pub anchors: Option<AhoCorasick>,
    /// Some signature has no anchor, so every text must be matched in full.
    pub unanchored: bool,
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
                        regexes.push(LazyRegex { source: source.clone(), sig: id, compiled: OnceLock::new() });
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
        let (regex_literals, regexes_by_literal, unfiltered_regexes) = regex_prefilter(&regexes)?;
        let (anchors, unanchored) = anchor_automaton(kb)?;

        Ok(Compiled {
            sigs,
            phrases,
            pieces,
            phrases_by_first_piece,
            trigram_index,
            regexes,
            regex_literals,
            regexes_by_literal,
            unfiltered_regexes,
            generic_trigrams: kb
                .catalogues()
                .all()
                .iter()
                .flat_map(|c| {
                    let windows = c.kind == crate::kb::catalogue::CatalogueKind::Hresult;
                    c.rows.iter().filter(move |r| windows || r.generic)
                })
                .flat_map(|r| phrase_trigrams(&r.message.replace(['{', '}'], " ")))
                .collect(),
            anchors,
            unanchored,
            codes,
            event_ids,
            msi_errors,
        })
    }
}

/// The anchor literals of every signature (see [`Compiled::anchors`]).
fn anchor_automaton(kb: &KnowledgeBase) -> Result<(Option<AhoCorasick>, bool), CompileError> {
    let mut anchors: Vec<Vec<u8>> = Vec::new();
    let mut unanchored = false;
    for sig in kb.entries().iter().flat_map(|e| &e.signatures) {
        let found: Option<Vec<Vec<u8>>> = match &sig.pattern {
            Pattern::Phrase(p) => crate::kb::model::phrase_fixed_parts(p)
                .flat_map(|part| part.split(|c: char| !c.is_alphanumeric()))
                .max_by_key(|w| w.len())
                .filter(|w| w.len() >= 2)
                .map(|w| vec![w.to_lowercase().into_bytes()]),
            // A literal may span white space that a log record wraps or doubles; any one of its
            // words is still in the text as written, so the longest word is the anchor.
            Pattern::Regex(r) => required_literals(r).map(|literals| {
                literals
                    .into_iter()
                    .map(|l| l.split(|b| b.is_ascii_whitespace()).max_by_key(|w| w.len()).unwrap_or(&l).to_vec())
                    .collect()
            }),
            Pattern::Code(c) => normalize_code(c).map(|hex| {
                let signed = u32::from_str_radix(&hex, 16).map(|v| (v as i32).to_string()).unwrap_or_default();
                vec![hex.into_bytes(), signed.into_bytes()]
            }),
            Pattern::EventId(n) | Pattern::MsiError(n) => Some(vec![n.to_string().into_bytes()]),
        };
        match found {
            Some(list) => anchors.extend(list),
            None => unanchored = true,
        }
    }
    anchors.sort();
    anchors.dedup();
    Ok((literal_automaton(&anchors)?, unanchored))
}

/// One ASCII-case-insensitive automaton reporting every (overlapping) literal; `None` for none.
fn literal_automaton(literals: &[Vec<u8>]) -> Result<Option<AhoCorasick>, CompileError> {
    if literals.is_empty() {
        return Ok(None);
    }
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(literals)
        .map(Some)
        .map_err(|e| CompileError(e.to_string()))
}

/// Builds the literal prefilter: for each regex, the finite set of literals every match must
/// start with (or, failing that, end with). A regex whose match can be found only by running
/// it goes to the always-run list.
#[allow(clippy::type_complexity)]
fn regex_prefilter(regexes: &[LazyRegex]) -> Result<(Option<AhoCorasick>, Vec<Vec<u32>>, Vec<u32>), CompileError> {
    let mut literal_ids: HashMap<Vec<u8>, u32> = HashMap::new();
    let mut by_literal: Vec<Vec<u32>> = Vec::new();
    let mut literals: Vec<Vec<u8>> = Vec::new();
    let mut unfiltered = Vec::new();
    for (index, regex) in regexes.iter().enumerate() {
        match required_literals(&regex.source) {
            Some(found) => {
                for literal in found {
                    let id = *literal_ids.entry(literal.clone()).or_insert_with(|| {
                        literals.push(literal);
                        by_literal.push(Vec::new());
                        (literals.len() - 1) as u32
                    });
                    by_literal[id as usize].push(index as u32);
                }
            }
            None => unfiltered.push(index as u32),
        }
    }
    Ok((literal_automaton(&literals)?, by_literal, unfiltered))
}

/// Literals (lower-cased) of which every match of `source` starts with one, or else ends with
/// one; `None` when there is no such small set of literals of at least three bytes.
pub fn required_literals(source: &str) -> Option<Vec<Vec<u8>>> {
    const MIN_LEN: usize = 3;
    let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(source).ok()?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let seq = Extractor::new().kind(kind).limit_total(250).extract(&hir);
        if let Some(found) = seq.literals() {
            if !found.is_empty() && found.iter().all(|l| l.as_bytes().len() >= MIN_LEN) {
                let mut out: Vec<Vec<u8>> = found.iter().map(|l| l.as_bytes().to_ascii_lowercase()).collect();
                out.sort();
                out.dedup();
                return Some(out);
            }
        }
    }
    None
}

/// A signature regex, compiled on first use. Regexes run over bytes with ASCII-only classes and
/// case folding: error texts are ASCII, and Unicode-aware `.{0,120}` costs a hundred times more
/// to build.
#[derive(Debug)]
pub struct LazyRegex {
    /// The pattern as written.
    pub source: String,
    /// The signature it belongs to.
    pub sig: u32,
    compiled: OnceLock<Option<Regex>>,
}

impl Clone for LazyRegex {
    fn clone(&self) -> Self {
        LazyRegex { source: self.source.clone(), sig: self.sig, compiled: self.compiled.clone() }
    }
}

impl LazyRegex {
    /// The compiled regex; `None` only if it cannot be built (the set already built it, so
    /// this does not happen in practice).
    pub fn get(&self) -> Option<&Regex> {
        self.compiled.get_or_init(|| build_regex(&self.source).ok()).as_ref()
    }
}

/// Most memory one compiled signature regex may take.
pub const REGEX_SIZE_LIMIT: usize = 1 << 24;

/// Builds a signature regex the way the matcher runs it; the error says why it cannot be (a
/// pattern over the size limit, say), so lint refuses what would otherwise never match.
pub fn build_regex(source: &str) -> Result<Regex, String> {
    RegexBuilder::new(source).case_insensitive(true).unicode(false).size_limit(REGEX_SIZE_LIMIT).build().map_err(|e| {
        match e {
            regex::Error::CompiledTooBig(limit) => {
                format!("compiles to more than {} MB (the limit is {limit} bytes): simplify it", REGEX_SIZE_LIMIT >> 20)
            }
            other => other.to_string().lines().last().unwrap_or("").trim().to_string(),
        }
    })
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
        h = (h ^ w).wrapping_mul(FNV_PRIME).rotate_left(17);
    }
    h
}
