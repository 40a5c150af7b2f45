//! The matcher against the corpus of real error texts (tests/corpus: public sources, each with
//! its URL; none of them an entry's example). Fails below the figures reached, so a change that
//! makes real-world answers worse is seen. `cargo run --release --example corpus_report` prints
//! the figures and, with `-- --failures`, every miss.

#[path = "support/corpus.rs"]
mod corpus;

use bts_doctor::kb::KnowledgeBase;
use bts_doctor::matcher::Matcher;

/// Floors in per mille: top-1, top-3, area right; ceilings: confident wrong entries, confident
/// false positives (wrong area or none due), and negatives answered confidently (per mille of
/// the negatives).
const TOP1: usize = 741;
const TOP3: usize = 765;
const AREA: usize = 771;
const CONFIDENT_WRONG_MAX: usize = 44;
const FALSE_POSITIVE_MAX: usize = 13;
const NEGATIVES_ANSWERED_MAX: usize = 25;

fn per_mille(right: usize, of: usize) -> usize {
    right * 1000 / of.max(1)
}

#[test]
fn the_real_world_corpus_holds_its_figures() {
    let items = corpus::load();
    assert!(items.len() >= 300, "at least 300 real texts: {}", items.len());
    let negatives = items.iter().filter(|i| i.expects_none()).count();
    assert!(negatives >= 60, "at least 60 negatives: {negatives}");
    let localised_or_partial =
        items.iter().filter(|i| i.class == "partial" || (!i.lang.is_empty() && i.lang != "en")).count();
    assert!(localised_or_partial >= 40, "at least 40 localised or partial: {localised_or_partial}");
    assert!(items.iter().all(|i| i.source.starts_with("http")), "every text has its source URL");

    let kb = KnowledgeBase::embedded().unwrap();
    // The corpus is kept apart from the knowledge's own examples.
    let examples: std::collections::HashSet<&str> =
        kb.entries().iter().flat_map(|e| e.examples.iter().map(|x| x.trim())).collect();
    let shared: Vec<&str> = items.iter().filter(|i| examples.contains(i.text.trim())).map(|i| i.id.as_str()).collect();
    assert!(shared.is_empty(), "corpus texts that are also entry examples: {shared:?}");

    let matcher = Matcher::new(kb).unwrap();
    let outcomes = corpus::run(&matcher);
    let figures = corpus::figures(&outcomes);
    let get = |label: &str| figures.iter().find(|f| f.0 == label).map(|f| per_mille(f.1, f.2)).unwrap();
    let report: Vec<String> = figures.iter().map(|(l, r, n)| format!("{l} {r}/{n}")).collect();
    assert!(get("top-1") >= TOP1, "{report:?}");
    assert!(get("top-3") >= TOP3, "{report:?}");
    assert!(get("area") >= AREA, "{report:?}");
    assert!(get("confident wrong entry") <= CONFIDENT_WRONG_MAX, "{report:?}");
    assert!(get("confident false positives") <= FALSE_POSITIVE_MAX, "{report:?}");
    assert!(get("negatives answered confidently") <= NEGATIVES_ANSWERED_MAX, "{report:?}");
}
