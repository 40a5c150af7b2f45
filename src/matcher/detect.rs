//! Finding every signature in a prepared text: one automaton pass for phrases, one `RegexSet`
//! pass for regexes, one scan each for codes, event ids and MSI error numbers, and trigram
//! look-ups for partial phrases.

use super::compile::{trigram, Compiled};
use super::normalize::Prepared;
use super::{Evidence, MAX_VARIABLE_GAP};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Least share of a phrase's word trigrams a partial paste must hold.
const PARTIAL_MIN_COVERAGE: f32 = 0.5;
/// A phrase needs at least this many word trigrams (five words) to match partially.
const PARTIAL_MIN_TRIGRAMS: usize = 3;

/// Every signature found in `text`, with its evidence (several per signature are possible).
pub fn find_all(compiled: &Compiled, text: &Prepared) -> Vec<(u32, Evidence)> {
    let mut hits = Vec::new();
    let fully_matched = find_phrases(compiled, text, &mut hits);
    find_partial_phrases(compiled, text, &fully_matched, &mut hits);
    find_regexes(compiled, text, &mut hits);
    find_numbers(compiled, text, &mut hits);
    hits
}

fn evidence(compiled: &Compiled, text: &Prepared, sig: u32, span: (usize, usize), partial: Option<f32>) -> Evidence {
    let sig_ref = compiled.sigs[sig as usize];
    let weight = sig_ref.weight * partial.unwrap_or(1.0);
    Evidence {
        signature: String::new(),
        matched: text.clean[span.0..span.1].to_string(),
        span,
        weight,
        partial,
    }
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

/// The first in-order chain of `pieces` in the squashed text, as a squashed byte range.
fn chain(pieces: &[u32], occurrences: &HashMap<u32, Vec<(usize, usize)>>, text: &Prepared) -> Option<(usize, usize)> {
    let lists: Vec<&Vec<(usize, usize)>> = pieces.iter().map(|p| occurrences.get(p)).collect::<Option<_>>()?;
    'start: for &(start, first_end) in lists[0] {
        if !text.boundary_before(text.squash_to_clean(start, first_end).0) {
            continue;
        }
        let mut end = first_end;
        for list in &lists[1..] {
            match list.iter().find(|(s, _)| *s >= end && *s - end <= MAX_VARIABLE_GAP) {
                Some(&(_, e)) => end = e,
                None => continue 'start,
            }
        }
        if text.boundary_after(text.squash_to_clean(start, end).1) {
            return Some((start, end));
        }
    }
    None
}

/// Phrases of five or more words of which the text holds at least half the word trigrams in
/// order: a partial line. Weighted by the share present.
fn find_partial_phrases(compiled: &Compiled, text: &Prepared, fully: &HashSet<u32>, hits: &mut Vec<(u32, Evidence)>) {
    if text.words.len() < 3 || compiled.trigram_index.is_empty() {
        return;
    }
    // phrase -> (distinct trigrams seen, first word index, last word index)
    let mut seen: HashMap<u32, (HashSet<u64>, usize, usize)> = HashMap::new();
    for (i, w) in text.words.windows(3).enumerate() {
        let t = trigram(w[0].hash, w[1].hash, w[2].hash);
        let Some(phrases) = compiled.trigram_index.get(&t) else { continue };
        for &p in phrases {
            if fully.contains(&p) {
                continue;
            }
            let slot = seen.entry(p).or_insert_with(|| (HashSet::new(), i, i + 2));
            slot.0.insert(t);
            slot.2 = i + 2;
        }
    }
    for (p, (shared, first, last)) in seen {
        let phrase = &compiled.phrases[p as usize];
        let total = phrase.trigrams.len();
        let coverage = shared.len() as f32 / total as f32;
        if total >= PARTIAL_MIN_TRIGRAMS && shared.len() >= 2 && coverage >= PARTIAL_MIN_COVERAGE {
            let span = (text.words[first].start, text.words[last].end);
            let coverage = (coverage * 100.0).round() / 100.0;
            hits.push((phrase.sig, evidence(compiled, text, phrase.sig, span, Some(coverage))));
        }
    }
}

/// Regexes: the set says which match; each of those is run once more for its first span.
fn find_regexes(compiled: &Compiled, text: &Prepared, hits: &mut Vec<(u32, Evidence)>) {
    if compiled.regexes.is_empty() {
        return;
    }
    for index in compiled.regex_set.matches(&text.flat).iter() {
        let (regex, sig) = &compiled.regexes[index];
        if let Some(m) = regex.find(&text.flat) {
            let span = text.flat_to_clean(m.start(), m.end());
            hits.push((*sig, evidence(compiled, text, *sig, span, None)));
        }
    }
}

static HEX_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:0x)?([0-9a-f]{8})\b|(-[12]\d{9})\b").expect("static regex"));
static EVENT_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bevent(?:\s*id)?\s*[:#=]?\s*(\d{1,5})\b").expect("static regex"));
static MSI_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:error(?:\s+code)?|returning|exit\s+code|return\s+code)\s*[:=#]?\s*(\d{3,5})\b")
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
