//! Presenting results outside the tool. For now: redaction of secrets, which every output
//! (text, JSON) passes through.

pub mod json;
pub mod redact;
