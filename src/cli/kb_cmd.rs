//! `bts-doctor kb lint | list | show`: inspect and check the knowledge base.

use super::{print, print_json, text, with_matcher, GlobalArgs};
use crate::exit;
use crate::kb::lint::lint;
use crate::matcher::Matcher;
use crate::report::json;
use crate::JSON_SCHEMA;
use clap::{Args, Subcommand};
use std::fmt::Write;
use std::path::PathBuf;

/// The `kb` subcommands.
#[derive(Debug, Subcommand)]
pub enum KbCommand {
    /// Check the knowledge base: loading, completeness, and that every example ranks its entry
    /// first and no counter-example does. With DIR, lint DIR as an overlay on the rest.
    Lint(LintArgs),
    /// List every entry.
    List(JsonFlag),
    /// Show one entry in full.
    Show(ShowArgs),
    /// Search the knowledge, ranked (titles, causes, fixes, examples and catalogue messages;
    /// misspellings tolerated).
    Search(SearchArgs),
    /// Print every signature as a grep-compatible regular expression, one per line (for
    /// `grep -E -i -f` or `rg -i -f`; phrases become their words separated by flexible space).
    Patterns,
}

/// Arguments of `kb lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// An overlay directory to lint on top of the other layers.
    #[arg(value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Print JSON (schema 1).
    #[arg(long)]
    pub json: bool,
}

/// A lone `--json` flag.
#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print JSON (schema 1).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `kb search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for; several words are joined.
    #[arg(value_name = "QUERY", required = true, num_args = 1..)]
    pub query: Vec<String>,
    /// Show at most N entries.
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    pub top: u16,
    /// Print JSON (schema 1).
    #[arg(long)]
    pub json: bool,
}

/// `kb search --json`.
#[derive(Debug, serde::Serialize)]
struct SearchDocument {
    schema: u32,
    query: String,
    results: Vec<SearchResult>,
}

/// One ranked entry.
#[derive(Debug, serde::Serialize)]
struct SearchResult {
    id: String,
    title: String,
    kind: String,
    score: f32,
    terms: Vec<String>,
}

/// Arguments of `kb show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The entry's id.
    pub id: String,
    /// Print JSON (schema 1).
    #[arg(long)]
    pub json: bool,
}

/// Runs a `kb` subcommand.
pub fn run(global: &GlobalArgs, cmd: KbCommand) -> u8 {
    match cmd {
        KbCommand::Lint(args) => {
            let extra: Vec<PathBuf> = args.dir.iter().cloned().collect();
            with_matcher(global, &extra, |m| run_lint(m, &args))
        }
        KbCommand::List(args) => with_matcher(global, &[], |m| run_list(m, &args)),
        KbCommand::Show(args) => with_matcher(global, &[], |m| run_show(m, &args)),
        KbCommand::Search(args) => with_matcher(global, &[], |m| run_search(m, &args)),
        KbCommand::Patterns => with_matcher(global, &[], run_patterns),
    }
}

/// Exit 0 when clean (warnings allowed), 2 on any error.
fn run_lint(matcher: &Matcher, args: &LintArgs) -> u8 {
    let report = lint(matcher);
    if args.json {
        print_json(
            &serde_json::json!({ "schema": JSON_SCHEMA, "fingerprint": matcher.kb().fingerprint(), "lint": report }),
        );
    } else {
        let mut out = String::new();
        for p in &report.problems {
            let _ = writeln!(out, "{p}");
        }
        let warnings = report.problems.len() - report.errors();
        let verdict = if report.errors() == 0 { "ok" } else { "FAILED" };
        let _ = writeln!(
            out,
            "kb lint: {verdict}: {} entries, {} checks, {} playbooks, {} examples and counter-examples checked, {} error(s), {warnings} warning(s)",
            report.entries,
            report.checks,
            report.playbooks,
            report.texts_checked,
            report.errors()
        );
        if report.errors() == 0 {
            print(&out);
        } else {
            eprint!("{out}");
        }
    }
    if report.errors() == 0 {
        exit::OK
    } else {
        exit::USAGE
    }
}

fn run_list(matcher: &Matcher, args: &JsonFlag) -> u8 {
    let kb = matcher.kb();
    if args.json {
        print_json(&json::kb_list_document(kb.fingerprint(), kb.entries()));
        return exit::OK;
    }
    let width = kb.entries().iter().map(|e| e.id.len()).max().unwrap_or(10);
    let mut out = String::new();
    for e in kb.entries() {
        let _ = writeln!(out, "{:<width$}  {:<8} {:<13} {:<15} {}", e.id, e.severity, e.kind, e.phase, e.title);
    }
    let _ = writeln!(out, "\n{} entries; knowledge base {}", kb.entries().len(), kb.fingerprint());
    print(&out);
    exit::OK
}

/// Exit 0 with results, 1 with none.
fn run_search(matcher: &Matcher, args: &SearchArgs) -> u8 {
    let query = args.query.join(" ");
    let hits = matcher.search(&query, usize::from(args.top));
    let code = if hits.is_empty() { exit::FOUND } else { exit::OK };
    if args.json {
        let results = hits
            .into_iter()
            .map(|h| {
                let e = matcher.entry(h.entry);
                SearchResult {
                    id: h.id,
                    title: e.title.clone(),
                    kind: e.kind.to_string(),
                    score: h.score,
                    terms: h.terms,
                }
            })
            .collect();
        print_json(&SearchDocument { schema: JSON_SCHEMA, query, results });
        return code;
    }
    if hits.is_empty() {
        print(&format!(
            "Nothing in the knowledge matches \"{query}\". Try fewer or other words, or `bts-doctor kb list`.\n"
        ));
        return code;
    }
    let width = hits.iter().map(|h| h.id.len()).max().unwrap_or(10);
    let mut out = String::new();
    for h in &hits {
        let e = matcher.entry(h.entry);
        let _ = writeln!(out, "{:<width$}  {:>6.2}  {}", h.id, h.score, e.title);
        let _ = writeln!(out, "{:<width$}          matched: {}", "", h.terms.join(", "));
    }
    print(&out);
    code
}

fn run_show(matcher: &Matcher, args: &ShowArgs) -> u8 {
    let kb = matcher.kb();
    let Some(entry) = kb.get(args.id.trim()) else {
        let needle = args.id.to_lowercase();
        let similar: Vec<&str> = kb
            .entries()
            .iter()
            .filter(|e| e.id.contains(&needle) || needle.split('-').filter(|w| w.len() > 2).any(|w| e.id.contains(w)))
            .map(|e| e.id.as_str())
            .take(5)
            .collect();
        let hint = if similar.is_empty() {
            "see `bts-doctor kb list`".to_string()
        } else {
            format!("did you mean: {}?", similar.join(", "))
        };
        eprintln!("bts-doctor kb show: no entry with id `{}`; {hint}", args.id);
        return exit::USAGE;
    };
    if args.json {
        print_json(&json::KbShowDocument { schema: JSON_SCHEMA, entry });
        return exit::OK;
    }
    let mut out = String::new();
    let _ = writeln!(out, "{}\n   {}", entry.id, entry.title);
    let _ = writeln!(
        out,
        "   {} · {} · {} · BizTalk {}",
        entry.severity,
        entry.kind,
        entry.phase,
        entry.applies_to.join(", ")
    );
    text::entry_body(&mut out, entry);
    out.push_str("\n   Recognised by:\n");
    for s in &entry.signatures {
        let _ = writeln!(out, "     - {} (weight {})", s.pattern, s.weight);
    }
    if !entry.examples.is_empty() {
        out.push_str("\n   Examples:\n");
        for (i, example) in entry.examples.iter().enumerate() {
            text::wrap_into(&mut out, &text::shorten(example, 400), "     - ", "       ");
            if let Some(Some(source)) = entry.example_sources.get(i) {
                let _ = writeln!(out, "       (from {source})");
            }
        }
    }
    let _ = writeln!(out, "\n   Source: {} ({})", entry.origin.file, entry.origin.layer);
    print(&out);
    exit::OK
}

fn run_patterns(matcher: &Matcher) -> u8 {
    let mut out = String::new();
    for entry in matcher.kb().entries() {
        for sig in entry.signatures.iter().filter(|s| s.weight > 0.0) {
            out.push_str(&crate::kb::grep_pattern(&sig.pattern));
            out.push('\n');
        }
    }
    print(&out);
    exit::OK
}
