//! Markdown for support tickets: headings, tables and fenced log context from the report's blocks.

use super::blocks::Block;

/// Renders blocks as Markdown.
pub fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Heading(level, text) => {
                out.push_str(&format!("{} {}\n\n", "#".repeat(usize::from(*level)), inline(text)))
            }
            Block::Para(text) => out.push_str(&format!("{}\n\n", inline(text))),
            Block::Facts(rows) => {
                for (label, value) in rows {
                    out.push_str(&format!("- **{}:** {}\n", inline(label), inline(value)));
                }
                out.push('\n');
            }
            Block::Table(header, rows) => {
                out.push_str(&format!("| {} |\n", header.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | ")));
                out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
                for row in rows {
                    out.push_str(&format!("| {} |\n", row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")));
                }
                out.push('\n');
            }
            Block::Code(lines) => {
                if lines.is_empty() {
                    continue;
                }
                let fence = if lines.iter().any(|l| l.contains("```")) { "~~~~" } else { "```" };
                out.push_str(&format!("{fence}text\n{}\n{fence}\n\n", lines.join("\n")));
            }
            Block::List(items) => {
                for item in items {
                    out.push_str(&format!("- {}\n", inline(item)));
                }
                out.push('\n');
            }
            Block::Numbered(items) => {
                for (i, item) in items.iter().enumerate() {
                    out.push_str(&format!("{}. {}\n", i + 1, inline(item)));
                }
                out.push('\n');
            }
        }
    }
    out
}

/// Text outside code: characters Markdown would read as markup are escaped.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '<' | '>' | '[' | ']' | '#' | '|') {
            out.push('\\');
        }
        out.push(if c == '\n' { ' ' } else { c });
    }
    out
}

/// A table cell: inline text on one line.
fn cell(text: &str) -> String {
    inline(&crate::text::squash_space(text))
}
