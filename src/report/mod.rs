//! Presenting results outside the tool: the JSON documents, the report (Markdown, HTML, JSON),
//! redaction of secrets and names (which every output passes through) and text helpers
//! shared by the CLI and the TUI.

use crate::report::document::ReportData;

pub mod blocks;
pub mod collect;
pub mod compare;
pub mod document;
pub mod html;
pub mod json;
pub mod jsonl;
pub mod markdown;
pub mod pseudonym;
pub mod redact;
pub mod server;

/// The three formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown.
    Markdown,
    /// One self-contained HTML file.
    Html,
    /// JSON, schema 1.
    Json,
}

impl Format {
    /// The format a name means (`md`, `markdown`, `html`, `json`).
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Renders a report in a format: every format renders the same redacted tree.
pub fn render(data: &ReportData, format: Format) -> String {
    let tree = data.redacted();
    match format {
        Format::Json => serde_json::to_string_pretty(&tree).unwrap_or_default() + "\n",
        Format::Markdown => markdown::render(&blocks::blocks(&tree)),
        Format::Html => html::render("bts-doctor report", &blocks::blocks(&tree)),
    }
}
