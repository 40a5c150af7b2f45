//! Plain-text rendering for the terminal: readable without colour, wrapped to a fixed width.

use crate::kb::Entry;
use crate::matcher::{Confidence, MatchReport, Matcher};
use std::fmt::Write;

/// Width text is wrapped to.
const WIDTH: usize = 100;

/// The human answer to `match`.
pub fn match_report(matcher: &Matcher, report: &MatchReport, top: usize) -> String {
    let mut out = String::new();
    codes_section(&mut out, &report.codes);
    let confident: Vec<_> = report.confident().take(top).collect();
    if confident.is_empty() {
        out.push_str("No known issue matches this text with confidence.\n");
        let low: Vec<_> = report.matches.iter().take(top).collect();
        if !low.is_empty() {
            out.push_str("\nWeak matches (low confidence; check them against your error):\n");
            for m in low {
                let e = matcher.entry(m.entry);
                let _ = writeln!(out, "  {}  score {:.1}  {}", e.id, m.score, e.title);
                if let Some(w) = m.why.first() {
                    let _ = writeln!(out, "      {} matched \"{}\"", w.signature, shorten(&w.matched, 70));
                }
            }
        }
        if !report.nearest.is_empty() {
            out.push_str("\nNearest candidates (share words with your text):\n");
            for c in &report.nearest {
                let _ = writeln!(out, "  {}  {}  [{}]", c.id, matcher.entry(c.entry).title, c.shared_words.join(", "));
            }
        }
        out.push_str("\nPaste more of the error (the whole dialog or log lines around it), or browse with `bts-doctor kb list`.\n");
        return out;
    }
    for (rank, m) in confident.iter().enumerate() {
        let e = matcher.entry(m.entry);
        if rank > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}. {}  [{} confidence, score {:.1}]", rank + 1, e.id, m.confidence.as_str(), m.score);
        let _ = writeln!(out, "   {}", e.title);
        let _ = writeln!(out, "   {} · {} · {} · BizTalk {}", e.severity, e.kind, e.phase, e.applies_to.join(", "));
        wrap_into(&mut out, &m.reason, "   Confidence ", "     ");
        out.push_str("\n   Why it matched:\n");
        for w in &m.why {
            let partial = w.partial.map(|p| format!(" (partial, {:.0}% of it)", p * 100.0)).unwrap_or_default();
            let line = format!("{}{partial} matched \"{}\"", w.signature, shorten(&w.matched, 160));
            wrap_into(&mut out, &line, "     - ", "       ");
        }
        entry_body(&mut out, e);
    }
    let others: Vec<_> =
        report.matches.iter().skip(confident.len()).filter(|m| m.confidence == Confidence::Low).take(3).collect();
    if !others.is_empty() {
        out.push_str("\nAlso weakly related: ");
        out.push_str(&others.iter().map(|m| m.id.as_str()).collect::<Vec<_>>().join(", "));
        out.push('\n');
    }
    out
}

/// Cause, fix steps and references of an entry, indented under a heading.
pub fn entry_body(out: &mut String, e: &Entry) {
    out.push_str("\n   Cause:\n");
    for paragraph in e.cause.split("\n\n") {
        wrap_into(out, paragraph, "     ", "     ");
    }
    out.push_str("\n   Fix:\n");
    for (i, step) in e.fix.iter().enumerate() {
        let number = format!("     {}. ", i + 1);
        let indent = " ".repeat(number.len());
        wrap_into(out, &step.step, &number, &indent);
        if let Some(cmd) = &step.command {
            let _ = writeln!(out, "{indent}> {cmd}");
        }
        if let Some(affects) = &step.destructive {
            wrap_into(out, &format!("⚠ destructive: {affects}"), &indent, &indent);
        }
        if let Some(check) = &step.check {
            let _ = writeln!(out, "{indent}(confirmed by check `{check}`)");
        }
    }
    if !e.references.is_empty() {
        out.push_str("\n   References:\n");
        for r in &e.references {
            let _ = writeln!(out, "     {r}");
        }
    }
}

/// Word-wraps `text` (white space folded) to [`WIDTH`] with a first-line and a continuation
/// prefix.
pub fn wrap_into(out: &mut String, text: &str, first: &str, rest: &str) {
    let prefix = first.chars().count().max(rest.chars().count());
    for (i, line) in crate::text::wrap(text, WIDTH.saturating_sub(prefix)).into_iter().enumerate() {
        out.push_str(if i == 0 { first } else { rest });
        out.push_str(&line);
        out.push('\n');
    }
}

/// At most `max` characters of `text` on one line, with an ellipsis when cut.
pub fn shorten(text: &str, max: usize) -> String {
    let one_line = crate::text::squash_space(text);
    if one_line.chars().count() <= max {
        one_line
    } else {
        let cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The codes a text holds, one block each: "0x80070422 — ERROR_SERVICE_DISABLED: meaning".
pub fn codes_section(out: &mut String, codes: &[crate::matcher::codes::CodeInfo]) {
    if codes.is_empty() {
        return;
    }
    out.push_str("Codes in this text:\n");
    for c in codes {
        explain_block(out, c);
    }
    out.push('\n');
}

/// One code explained, as `explain` and `match` print it.
pub fn explain_block(out: &mut String, c: &crate::matcher::codes::CodeInfo) {
    let name = c.name.as_deref().map(|n| format!(" — {n}")).unwrap_or_default();
    wrap_into(out, &format!("{}{name}: {}", c.code, c.meaning), "  ", "      ");
    if !c.message.trim().is_empty() {
        wrap_into(
            out,
            &format!("message: {}", c.message.replace("%r", " ").split_whitespace().collect::<Vec<_>>().join(" ")),
            "      ",
            "        ",
        );
    }
    let entry = c.entry.as_deref().map(|e| format!(" · see {e}")).unwrap_or_default();
    let _ = writeln!(out, "      area {}{entry} · {} · {}", c.area, c.catalogue, c.source);
}
