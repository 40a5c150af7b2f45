//! The paste corpus (`tests/corpus/*.yaml`): real error texts from public sources, each with the
//! entry, the area or `none` that should answer it, scored against the matcher. Shared by the
//! corpus test (floors) and `cargo run --example corpus_report` (the figures).
#![allow(dead_code)]

use bts_doctor::matcher::{Confidence, MatchReport, Matcher};
use serde::Deserialize;
use std::collections::BTreeMap;

/// One corpus text.
#[derive(Debug, Clone, Deserialize)]
pub struct Item {
    pub id: String,
    pub source: String,
    #[serde(default)]
    pub lang: String,
    pub class: String,
    pub expect: Expect,
    #[serde(default)]
    pub also: Vec<String>,
    pub text: String,
}

/// What should answer it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Expect {
    /// `none`: nothing may claim it.
    Nothing(String),
    /// `{entry: ID}` or `{area: AREA}`.
    Some(BTreeMap<String, String>),
}

#[derive(Deserialize)]
struct File {
    items: Vec<Item>,
}

/// Every corpus item.
pub fn load() -> Vec<Item> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut items = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    for path in files.into_iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
        let text = std::fs::read_to_string(&path).unwrap();
        let file: File = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        items.extend(file.items);
    }
    items
}

/// An entry's area: its id's prefix, `setup-msi-*` in `msi`, a triage entry's own area.
pub fn area_of(id: &str) -> String {
    if let Some(area) = id.strip_suffix("-triage") {
        return area.to_string();
    }
    if id.starts_with("setup-msi-") {
        return "msi".into();
    }
    let prefix = id.split('-').next().unwrap_or(id);
    match prefix {
        "certificate" => "cert".into(),
        "mixed" => "setup".into(),
        other => other.to_string(),
    }
}

/// How one item came out.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub item: Item,
    /// The best confident answer's id.
    pub answer: Option<String>,
    /// Ids of the first three matches, any confidence.
    pub top3: Vec<String>,
    pub top1: bool,
    pub in_top3: bool,
    pub area_right: bool,
    /// A confident answer that is wrong.
    pub confident_wrong: bool,
    /// A confident answer in the wrong area, or any confident answer where none is due (an
    /// area's triage answering for one of its own specific entries is wrong, not false).
    pub false_positive: bool,
}

impl Item {
    /// The expected area (`none` for none).
    pub fn area(&self) -> String {
        match &self.expect {
            Expect::Nothing(_) => "none".into(),
            Expect::Some(m) => match (m.get("entry"), m.get("area")) {
                (Some(e), _) => area_of(e),
                (_, Some(a)) => a.clone(),
                _ => "none".into(),
            },
        }
    }

    /// Whether `id` is a right answer.
    pub fn accepts(&self, id: &str) -> bool {
        match &self.expect {
            Expect::Nothing(_) => false,
            Expect::Some(m) => {
                m.get("entry").is_some_and(|e| e == id)
                    || m.get("area").is_some_and(|a| id == format!("{a}-triage"))
                    || self.also.iter().any(|a| a == id)
            }
        }
    }

    /// Whether the item expects no answer.
    pub fn expects_none(&self) -> bool {
        matches!(self.expect, Expect::Nothing(_))
    }
}

/// Scores one item against a match report.
pub fn score(item: &Item, report: &MatchReport) -> Outcome {
    let answer = report.best_confident().map(|m| m.id.clone());
    let top3: Vec<String> = report.matches.iter().take(3).map(|m| m.id.clone()).collect();
    let top1 = match (&answer, item.expects_none()) {
        (None, true) => true,
        (Some(_), true) => false,
        (Some(a), false) => item.accepts(a),
        (None, false) => false,
    };
    let in_top3 = if item.expects_none() { answer.is_none() } else { top3.iter().any(|t| item.accepts(t)) };
    let answered_area = answer.as_deref().map_or("none".to_string(), area_of);
    let area_right = answered_area == item.area() || top1;
    let confident_wrong = answer.is_some() && !top1;
    let false_positive = confident_wrong && !area_right;
    Outcome { item: item.clone(), answer, top3, top1, in_top3, area_right, confident_wrong, false_positive }
}

/// Scores every item.
pub fn run(matcher: &Matcher) -> Vec<Outcome> {
    load().iter().map(|item| score(item, &matcher.match_text(&item.text))).collect()
}

/// The figures: (label, right, of).
pub fn figures(outcomes: &[Outcome]) -> Vec<(&'static str, usize, usize)> {
    let n = outcomes.len();
    let count = |f: &dyn Fn(&Outcome) -> bool| outcomes.iter().filter(|o| f(o)).count();
    vec![
        ("top-1", count(&|o| o.top1), n),
        ("top-3", count(&|o| o.in_top3), n),
        ("area", count(&|o| o.area_right), n),
        ("confident wrong entry", count(&|o| o.confident_wrong), n),
        ("confident false positives", count(&|o| o.false_positive), n),
        (
            "negatives answered confidently",
            count(&|o| o.item.expects_none() && o.answer.is_some()),
            count(&|o| o.item.expects_none()),
        ),
    ]
}

/// Percent, one decimal.
pub fn pct(right: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        (right as f64 * 1000.0 / of as f64).round() / 10.0
    }
}

/// Top-1 per class: (class, right, of).
pub fn by_class(outcomes: &[Outcome]) -> Vec<(String, usize, usize)> {
    let mut map: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for o in outcomes {
        let e = map.entry(o.item.class.clone()).or_default();
        e.1 += 1;
        if o.top1 {
            e.0 += 1;
        }
    }
    map.into_iter().map(|(k, (r, n))| (k, r, n)).collect()
}

/// The confidence of a match, for the report's failure list.
pub fn confidence_word(c: Confidence) -> &'static str {
    c.as_str()
}
