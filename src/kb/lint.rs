//! `kb lint`: the knowledge base tests itself. Every example must rank its entry first with at
//! least medium confidence, no counter-example may, and every entry must be complete enough
//! to help someone mid-incident.

use super::problem::{Level, Problem};
use super::{Entry, KnowledgeBase};
use crate::matcher::{MatchReport, Matcher};
use serde::Serialize;

/// Fewest examples an entry may have.
pub const MIN_EXAMPLES: usize = 2;

/// What `kb lint` found.
#[derive(Debug, Clone, Serialize)]
pub struct LintReport {
    /// How many entries were checked.
    pub entries: usize,
    /// How many live-check specs were checked (their links are validated at load).
    pub checks: usize,
    /// How many playbooks were checked (their graphs are validated at load).
    pub playbooks: usize,
    /// How many examples and counter-examples were matched.
    pub texts_checked: usize,
    /// Every problem, errors and warnings, in entry order.
    pub problems: Vec<Problem>,
}

impl LintReport {
    /// Number of errors (warnings do not fail a lint).
    pub fn errors(&self) -> usize {
        self.problems.iter().filter(|p| p.level == Level::Error).count()
    }
}

/// Lints a loaded knowledge base with `matcher` built from it.
pub fn lint(matcher: &Matcher) -> LintReport {
    let kb: &KnowledgeBase = matcher.kb();
    let mut problems = Vec::new();
    let mut texts_checked = 0;
    for entry in kb.entries() {
        completeness(entry, &mut problems);
        for sig in &entry.signatures {
            if let super::Pattern::Regex(source) = &sig.pattern {
                if let Err(why) = crate::matcher::build_regex(source) {
                    problems.push(Problem::error(
                        &entry.origin.file,
                        Some(sig.line),
                        None,
                        format!("regex /{source}/ {why}"),
                    ));
                }
            }
        }
        let mut signatures_seen = vec![false; entry.signatures.len()];
        for (i, example) in entry.examples.iter().enumerate() {
            texts_checked += 1;
            let report = matcher.match_text(example);
            mark_signatures(entry, &report, &mut signatures_seen);
            if report.best_confident().map(|m| m.id.as_str()) != Some(entry.id.as_str()) {
                let line = entry.example_lines.get(i).copied();
                problems.push(Problem::error(
                    &entry.origin.file,
                    line,
                    None,
                    format!("example {} does not rank `{}` first: {}", i + 1, entry.id, describe(&report, &entry.id)),
                ));
            }
        }
        for (i, counter) in entry.counter_examples.iter().enumerate() {
            texts_checked += 1;
            let report = matcher.match_text(counter);
            if report.best_confident().map(|m| m.id.as_str()) == Some(entry.id.as_str()) {
                let line = entry.counter_example_lines.get(i).copied();
                problems.push(Problem::error(
                    &entry.origin.file,
                    line,
                    None,
                    format!("counter-example {} ranks `{}` first: {}", i + 1, entry.id, describe(&report, &entry.id)),
                ));
            }
        }
        for (seen, sig) in signatures_seen.iter().zip(&entry.signatures) {
            if !seen && sig.weight > 0.0 && sig.from_catalogue.is_none() {
                problems.push(Problem::warning(
                    &entry.origin.file,
                    Some(sig.line),
                    format!("{} matches none of the entry's examples; add an example that shows it", sig.pattern),
                ));
            }
        }
    }
    problems.extend(kb.load_warnings().iter().cloned());
    LintReport {
        entries: kb.entries().len(),
        checks: kb.checks().len(),
        playbooks: kb.playbooks().len(),
        texts_checked,
        problems,
    }
}

/// Records which of `entry`'s signatures gave evidence in `report`.
fn mark_signatures(entry: &Entry, report: &MatchReport, seen: &mut [bool]) {
    let Some(m) = report.matches.iter().find(|m| m.id == entry.id) else { return };
    for evidence in &m.why {
        for (i, sig) in entry.signatures.iter().enumerate() {
            if sig.label() == evidence.signature {
                seen[i] = true;
            }
        }
    }
}

/// Fields an entry needs to be useful, beyond what the loader already enforces.
fn completeness(entry: &Entry, problems: &mut Vec<Problem>) {
    let at = Some(entry.origin.line);
    let file = &entry.origin.file;
    if entry.examples.len() < MIN_EXAMPLES && entry.kind == super::Kind::Triage {
        // A triage answers for texts that name its area; its examples must be real texts, and
        // where too few have been collected yet that is said, not filled with made-up ones.
        problems.push(Problem::warning(
            file,
            at,
            format!(
                "`{}` has {} real example(s); add texts from public sources that name the area",
                entry.id,
                entry.examples.len()
            ),
        ));
    } else if entry.examples.len() < MIN_EXAMPLES {
        problems.push(Problem::error(
            file,
            at,
            None,
            format!("`{}` has {} example(s); at least {MIN_EXAMPLES} are needed", entry.id, entry.examples.len()),
        ));
    }
    if !entry.references.iter().any(|r| r.starts_with("https://") || r.starts_with("http://")) {
        problems.push(Problem::error(file, at, None, format!("`{}` has no reference URL for its facts", entry.id)));
    }
    if entry.applies_to.is_empty() {
        problems.push(Problem::warning(file, at, format!("`{}` does not say which versions it applies to", entry.id)));
    }
    for version in &entry.applies_to {
        if !matches!(version.as_str(), "2013" | "2013 R2" | "2016") {
            problems.push(Problem::error(
                file,
                at,
                None,
                format!("`{}` applies_to `{version}`: use \"2013\", \"2013 R2\" or \"2016\"", entry.id),
            ));
        }
    }
}

/// One line on how a text actually ranked, for a lint message.
fn describe(report: &MatchReport, id: &str) -> String {
    let ours = report.matches.iter().find(|m| m.id == id);
    let best = report.matches.first();
    let ours_text =
        ours.map_or("it scored nothing".to_string(), |m| format!("it scored {} ({})", m.score, m.confidence.as_str()));
    match best {
        Some(b) if b.id != id => {
            format!("`{}` ranks first with {} ({}); {ours_text}", b.id, b.score, b.confidence.as_str())
        }
        Some(b) if b.confidence >= crate::matcher::Confidence::Medium => {
            format!("it ranks first with {} ({})", b.score, b.confidence.as_str())
        }
        Some(_) => format!("{ours_text}, below medium confidence"),
        None => "nothing matched".to_string(),
    }
}
