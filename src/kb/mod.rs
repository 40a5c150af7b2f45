//! The knowledge base: known issues, preconditions and post-upgrade tasks, loaded from YAML that
//! is embedded in the binary and extended by user overlay directories, plus the lint that keeps
//! it honest.

pub mod catalogue;
pub mod check_spec;
mod embedded;
pub mod lint;
mod load;
pub mod matrix;
pub mod model;
mod parse;
pub mod playbook;
pub mod problem;
pub mod search;

pub use check_spec::CheckSpec;
pub use load::{Replacement, Sources, KB_ENV, MATRICES_ID};
pub use model::{grep_pattern, Entry, FixStep, Kind, Origin, Pattern, Phase, Severity, Signature, Tier};
pub use parse::{normalize_code, parse_entry};
pub use problem::{Level, LoadError, Problem};

/// A loaded, validated knowledge base: entries sorted by id, ids unique.
#[derive(Debug, Clone)]
pub struct KnowledgeBase {
    entries: Vec<Entry>,
    checks: Vec<CheckSpec>,
    playbooks: Vec<playbook::Playbook>,
    matrices: Option<matrix::SupportMatrices>,
    catalogues: catalogue::Catalogues,
    warnings: Vec<Problem>,
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
        Self::from_parts(entries, Vec::new(), Vec::new())
    }

    /// The same knowledge with these check specs instead (tests, site tuning); sorted by id.
    pub fn with_checks(mut self, mut checks: Vec<CheckSpec>) -> Self {
        checks.sort_by(|a, b| a.id.cmp(&b.id));
        self.checks = checks;
        self.fingerprint = fingerprint(&self.entries, &self.checks);
        self
    }

    fn from_parts(entries: Vec<Entry>, checks: Vec<CheckSpec>, replaced: Vec<Replacement>) -> Self {
        let fingerprint = fingerprint(&entries, &checks);
        KnowledgeBase {
            entries,
            checks,
            playbooks: Vec::new(),
            matrices: None,
            catalogues: catalogue::Catalogues::default(),
            warnings: Vec::new(),
            replaced,
            fingerprint,
        }
    }

    /// Every live-check spec, sorted by id.
    pub fn checks(&self) -> &[CheckSpec] {
        &self.checks
    }

    /// Every playbook, sorted by id.
    pub fn playbooks(&self) -> &[playbook::Playbook] {
        &self.playbooks
    }

    /// The playbook with this id.
    pub fn playbook(&self, id: &str) -> Option<&playbook::Playbook> {
        self.playbooks.iter().find(|p| p.id == id)
    }

    /// The upgrade guide's support matrices, when loaded.
    pub fn matrices(&self) -> Option<&matrix::SupportMatrices> {
        self.matrices.as_ref()
    }

    /// Every catalogue of documented codes and messages.
    pub fn catalogues(&self) -> &catalogue::Catalogues {
        &self.catalogues
    }

    /// Warnings found while loading (unreachable playbook steps); `kb lint` reports them.
    pub fn load_warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// The check spec with this id.
    pub fn check(&self, id: &str) -> Option<&CheckSpec> {
        self.checks.binary_search_by(|c| c.id.as_str().cmp(id)).ok().map(|i| &self.checks[i])
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

/// FNV-1a over the entries' and checks' JSON form (origins excluded), as 16 hex digits.
fn fingerprint(entries: &[Entry], checks: &[CheckSpec]) -> String {
    let values = entries.iter().map(serde_json::to_value).chain(checks.iter().map(serde_json::to_value));
    let hash = values.fold(crate::hash::FNV_OFFSET, |hash, value| {
        let mut value = value.unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("origin");
        }
        crate::hash::fnv(hash, value.to_string().as_bytes())
    });
    format!("{hash:016x}")
}
