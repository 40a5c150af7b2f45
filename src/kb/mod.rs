//! The knowledge base: known issues, preconditions and post-upgrade tasks, loaded from YAML that
//! is embedded in the binary and extended by user overlay directories, plus the lint that keeps
//! it honest.

mod embedded;
pub mod lint;
mod load;
pub mod model;
mod parse;
pub mod problem;

pub use load::{Replacement, Sources, KB_ENV};
pub use model::{grep_pattern, Entry, FixStep, Kind, Origin, Pattern, Phase, Severity, Signature};
pub use parse::{normalize_code, parse_entry};
pub use problem::{Level, LoadError, Problem};

/// A loaded, validated knowledge base: entries sorted by id, ids unique.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    entries: Vec<Entry>,
    replaced: Vec<Replacement>,
    fingerprint: String,
}

impl KnowledgeBase {
    /// Loads the embedded knowledge alone (what a fresh install sees).
    pub fn embedded() -> Result<Self, LoadError> {
        Sources::embedded_only().load()
    }

    /// Builds a knowledge base from entries already validated (tests, benchmarks, generators).
    /// Ids must be unique; entries are sorted by id.
    pub fn from_entries(mut entries: Vec<Entry>) -> Self {
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        Self::from_parts(entries, Vec::new())
    }

    fn from_parts(entries: Vec<Entry>, replaced: Vec<Replacement>) -> Self {
        let fingerprint = fingerprint(&entries);
        KnowledgeBase { entries, replaced, fingerprint }
    }

    /// Every entry, sorted by id.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.entries.binary_search_by(|e| e.id.as_str().cmp(id)).ok().map(|i| &self.entries[i])
    }

    /// Overlay entries that replaced lower entries with the same id.
    pub fn replaced(&self) -> &[Replacement] {
        &self.replaced
    }

    /// A short stable hash of the loaded entries: the knowledge-base version shown in reports
    /// and `--version`, so two outputs can be compared.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// FNV-1a over the entries' JSON form (origins excluded), as 16 hex digits.
fn fingerprint(entries: &[Entry]) -> String {
    let hash = entries.iter().fold(crate::hash::FNV_OFFSET, |hash, entry| {
        let mut value = serde_json::to_value(entry).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("origin");
        }
        crate::hash::fnv(hash, value.to_string().as_bytes())
    });
    format!("{hash:016x}")
}
