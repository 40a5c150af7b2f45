//! Finding every signature in a prepared text: one automaton pass for phrases, one `RegexSet`
//! pass for regexes, one scan each for codes, event ids and MSI error numbers, and trigram
//! look-ups for partial phrases.

use super::compile::{trigram, Compiled};
use super::normalize::Prepared;
use super::{Evidence, MAX_VARIABLE_GAP};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Least share of a phrase's word trigrams a partial paste must hold (unless its run is long).
const PARTIAL_MIN_COVERAGE: f32 = 0.5;
/// A phrase needs at least this many word trigrams (five words) to match partially.
const PARTIAL_MIN_TRIGRAMS: usize = 3;
/// Fewest consecutive shared trigrams (four words) for any partial match.
const PARTIAL_MIN_RUN: usize = 2;
/// A run of this many trigrams (six words) counts whatever share of the phrase it covers.
const PARTIAL_LONG_RUN: usize = 4;
/// Evidence each word of a partial run adds: six words in sequence reach medium confidence.
const PARTIAL_WEIGHT_PER_WORD: f32 = 0.6;

/// Every signature found in `text`, with its evidence (several per signature are possible);
/// partial phrases only when `partial` is set.
pub fn find_all(compiled: &Compiled, text: &Prepared, partial: bool) -> Vec<(u32, Evidence)> {
    let mut hits = Vec::new();
    let fully_matched = find_phrases(compiled, text, &mut hits);
    if partial {
        find_partial_phrases(compiled, text, &fully_matched, &mut hits);
    }
    find_regexes(compiled, text, &mut hits);
    find_numbers(compiled, text, &mut hits);
    hits
}

fn evidence(compiled: &Compiled, text: &Prepared, sig: u32, span: (usize, usize), partial: Option<f32>) -> Evidence {
    let sig_ref = compiled.sigs[sig as usize];
    let weight = sig_ref.weight * partial.unwrap_or(1.0);
    Evidence { signature: String::new(), matched: text.clean[span.0..span.1].to_string(), span, weight, partial }
}

/// Whole phrases: every piece found in order, with at most [`MAX_VARIABLE_GAP`] letters and
/// digits between pieces, starting and ending on word boundaries. Returns the matched phrases.
fn find_phrases(compiled: &Compiled, text: &Prepared, hits: &mut Vec<(u32, Evidence)>) -> HashSet<u32> {
    let mut matched = HashSet::new();
    let Some(automaton) = &compiled.pieces else { return matched };
    let mut occurrences: HashMap<u32, Vec<(usize, usize)>> = HashMap::new();
    for m in automaton.find_overlapping_iter(&text.squash) {
        occurrences.entry(m.pattern().as_u32()).or_default().push((m.start(), m.end()));
    }
    for list in occurrences.values_mut() {
        list.sort_unstable();
    }
    let mut firsts: Vec<u32> = occurrences.keys().copied().collect();
    firsts.sort_unstable();
    for piece in firsts {
        for &phrase_index in &compiled.phrases_by_first_piece[piece as usize] {
            let phrase = &compiled.phrases[phrase_index as usize];
            if let Some((start, end)) = chain(&phrase.pieces, &occurrences, text) {
                let span = text.squash_to_clean(start, end);
                hits.push((phrase.sig, evidence(compiled, text, phrase.sig, span, None)));
                matched.insert(phrase_index);
            }
        }
    }
    matched
}

/// The first in-order chain of `pieces` in the squashed text, as a squashed byte range
/// (occurrence lists sorted by start, so each step is a binary search).
fn chain(pieces: &[u32], occurrences: &HashMap<u32, Vec<(usize, usize)>>, text: &Prepared) -> Option<(usize, usize)> {
    let lists: Vec<&Vec<(usize, usize)>> = pieces.iter().map(|p| occurrences.get(p)).collect::<Option<_>>()?;
    'start: for &(start, first_end) in lists[0] {
        if !text.boundary_before(text.squash_to_clean(start, first_end).0) {
            continue;
        }
        let mut end = first_end;
        for list in &lists[1..] {
            // lists are sorted by start: the first piece at or after `end`, if close enough
            let next = list.partition_point(|(s, _)| *s < end);
            match list.get(next) {
                Some(&(s, e)) if s - end <= MAX_VARIABLE_GAP => end = e,
                _ => continue 'start,
            }
        }
        if text.boundary_after(text.squash_to_clean(start, end).1) {
            return Some((start, end));
        }
    }
    None
}

/// Phrases the text holds part of, in order: a partial line. The evidence is the longest run
/// of the phrase's words found in sequence: each word of the run adds [`PARTIAL_WEIGHT_PER_WORD`],
/// up to the phrase's own weight. A run must cover half the phrase or be at least six words.
fn find_partial_phrases(compiled: &Compiled, text: &Prepared, fully: &HashSet<u32>, hits: &mut Vec<(u32, Evidence)>) {
    if text.words.len() < 3 || compiled.trigram_index.is_empty() {
        return;
    }
    // phrase -> (trigram position in the text, trigram hash), in text order
    let mut seen: HashMap<u32, Vec<(usize, u64)>> = HashMap::new();
    for (i, w) in text.words.windows(3).enumerate() {
        let t = trigram(w[0].hash, w[1].hash, w[2].hash);
        if compiled.generic_trigrams.contains(&t) {
            continue;
        }
        let Some(phrases) = compiled.trigram_index.get(&t) else { continue };
        for &p in phrases {
            if !fully.contains(&p) {
                seen.entry(p).or_default().push((i, t));
            }
        }
    }
    for (p, positions) in seen {
        let phrase = &compiled.phrases[p as usize];
        let distinct: HashSet<u64> = positions.iter().map(|&(_, t)| t).collect();
        let coverage = distinct.len() as f32 / phrase.trigrams.len() as f32;
        let (run_start, run_len) = longest_run(positions.iter().map(|&(i, _)| i));
        let long_enough =
            run_len >= PARTIAL_MIN_RUN && (coverage >= PARTIAL_MIN_COVERAGE || run_len >= PARTIAL_LONG_RUN);
        if phrase.trigrams.len() < PARTIAL_MIN_TRIGRAMS || !long_enough {
            continue;
        }
        let words = run_len + 2;
        let sig_weight = compiled.sigs[phrase.sig as usize].weight;
        let weight = (words as f32 * PARTIAL_WEIGHT_PER_WORD).min(sig_weight);
        let span = (text.words[run_start].start, text.words[run_start + words - 1].end);
        let mut ev = evidence(compiled, text, phrase.sig, span, Some((coverage.min(1.0) * 100.0).round() / 100.0));
        ev.weight = weight;
        hits.push((phrase.sig, ev));
    }
}

/// The start and length of the longest run of consecutive numbers in an ascending sequence.
fn longest_run(positions: impl Iterator<Item = usize>) -> (usize, usize) {
    let (mut best, mut current): ((usize, usize), (usize, usize)) = ((0, 0), (0, 0));
    let mut previous: Option<usize> = None;
    for i in positions {
        current = match previous {
            Some(p) if i == p + 1 => (current.0, current.1 + 1),
            Some(p) if i == p => current,
            _ => (i, 1),
        };
        if current.1 > best.1 {
            best = current;
        }
        previous = Some(i);
    }
    best
}

/// Regexes: one pass of the literal prefilter picks the candidates; only those run.
fn find_regexes(compiled: &Compiled, text: &Prepared, hits: &mut Vec<(u32, Evidence)>) {
    if compiled.regexes.is_empty() {
        return;
    }
    let haystack = text.flat.as_bytes();
    let mut candidates: Vec<u32> = compiled.unfiltered_regexes.clone();
    if let Some(literals) = &compiled.regex_literals {
        for m in literals.find_overlapping_iter(haystack) {
            candidates.extend_from_slice(&compiled.regexes_by_literal[m.pattern().as_usize()]);
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    for index in candidates {
        let lazy = &compiled.regexes[index as usize];
        if let Some(m) = lazy.get().and_then(|r| r.find(haystack)) {
            let (start, end) = (floor_char(&text.flat, m.start()), ceil_char(&text.flat, m.end()));
            let span = text.flat_to_clean(start, end);
            hits.push((lazy.sig, evidence(compiled, text, lazy.sig, span, None)));
        }
    }
}

/// The nearest char boundary at or before `at` (a byte regex may stop inside a character).
fn floor_char(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// The nearest char boundary at or after `at`.
fn ceil_char(text: &str, mut at: usize) -> usize {
    while at < text.len() && !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// An 8-digit hex code with or without `0x`, or a signed decimal HRESULT.
pub(crate) static HEX_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i-u)\b(?:0x)?([0-9a-f]{8})\b|(-\d{7,10})\b").expect("static regex"));
/// An event id as the event viewer, its XML, ENTSSO's own messages and localised viewers print it.
pub(crate) static EVENT_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\b(?:event(?:\s*id)?|eventid|entsso|ereignis-?id|id\s+de\s+l'\S+nement|id\.?\s+del\s+evento|id\s+do\s+evento)",
        r"\s*[:#=]?\s*|<EventID[^>]*>|(?:イベント|事件|이벤트)\s*ID\s*[:：]?\s*|\bID\s*[:：]\s*)(\d{1,5})(?:[^0-9]|$)"
    ))
    .expect("static regex")
});
/// A Windows Installer or setup error number, in English and the installer's localised wordings.
pub(crate) static MSI_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\b(?:error(?:\s+code)?|erreur|fehler|errore|returning|exit\s+code|return\s+code|error\s+status|msi|c[oó]digo\s+de\s+(?:sa[ií]da|error)|code\s+de\s+sortie|exitcode)",
        r"\s*[:=#]?\s*|(?:エラー|错误|錯誤|오류|終了コード|退出代码|Ошибка|ошибка)\s*[:：]?\s*)(\d{3,5})(?:[^0-9]|$)"
    ))
    .expect("static regex")
});

/// Codes (hex with or without `0x`, any case, or signed decimal), event ids, MSI errors.
fn find_numbers(compiled: &Compiled, text: &Prepared, hits: &mut Vec<(u32, Evidence)>) {
    let flat = &text.flat;
    if !compiled.codes.is_empty() {
        for caps in HEX_CODE.captures_iter(flat) {
            let whole = caps.get(0).expect("group 0");
            let code = match (caps.get(1), caps.get(2)) {
                (Some(hex), _) => hex.as_str().to_ascii_lowercase(),
                (None, Some(dec)) => match dec.as_str().parse::<i64>() {
                    Ok(n) if (i64::from(i32::MIN)..0).contains(&n) => format!("{:08x}", n as i32 as u32),
                    _ => continue,
                },
                _ => continue,
            };
            for &sig in compiled.codes.get(&code).into_iter().flatten() {
                let span = text.flat_to_clean(whole.start(), whole.end());
                hits.push((sig, evidence(compiled, text, sig, span, None)));
            }
        }
    }
    for (pattern, table) in [(&*EVENT_ID, &compiled.event_ids), (&*MSI_ERROR, &compiled.msi_errors)] {
        if table.is_empty() {
            continue;
        }
        for caps in pattern.captures_iter(flat) {
            let whole = caps.get(0).expect("group 0");
            let Ok(number) = caps[1].parse::<u32>() else { continue };
            for &sig in table.get(&number).into_iter().flatten() {
                let span = text.flat_to_clean(whole.start(), whole.end());
                hits.push((sig, evidence(compiled, text, sig, span, None)));
            }
        }
    }
}
