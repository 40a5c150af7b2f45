//! Presenting results outside the tool: the JSON documents, redaction of secrets (which every
//! output passes through) and text helpers shared by the CLI and the TUI.

pub mod json;
pub mod redact;
pub mod text;
