//! The knowledge model: what a known issue, precondition or post-upgrade task is, once loaded
//! and validated. These are the values every face of the tool (CLI, JSON, TUI, reports) shows.

use serde::Serialize;
use std::fmt;

/// What sort of knowledge an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An error or failure someone has met and documented.
    KnownIssue,
    /// Something that must hold before the upgrade starts.
    Precondition,
    /// A task to do once the upgrade has finished.
    PostUpgrade,
    /// An area's triage (`<area>-triage`): what to collect, which checks to run and which
    /// entries to consider when the evidence names the area but no specific entry is confident.
    Triage,
}

/// How specific an entry's knowledge is; a more specific entry outranks a less specific one
/// when both are confident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// An area's triage: the broadest answer.
    Area,
    /// A catch-all for one generic failure status (MSI 1603): true, but rarely the cause; it
    /// still says more than its area's triage.
    Generic,
    /// One documented cause.
    Specific,
}

/// When in the upgrade an entry matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    /// Before setup is run.
    BeforeUpgrade,
    /// While setup or configuration runs.
    DuringUpgrade,
    /// After setup has finished.
    AfterUpgrade,
    /// At any time (installation, configuration, runtime).
    Any,
}

/// How bad it is when an entry applies; ordered from worst to mildest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Stops the upgrade.
    Blocker,
    /// Breaks a feature or a step.
    Error,
    /// Degrades something or risks data.
    Warning,
    /// Worth knowing.
    Info,
}

macro_rules! display_as_serde_name {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let value = serde_json::to_value(self).map_err(|_| fmt::Error)?;
                f.write_str(value.as_str().unwrap_or_default())
            }
        }
    )*};
}
display_as_serde_name!(Kind, Phase, Severity);

/// How a signature recognises text. See `knowledge/README.md` for the exact rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Pattern {
    /// Words in order, compared on letters and digits only; `{...}` marks a variable part.
    Phrase(String),
    /// A case-insensitive regular expression over the cleaned, single-line text.
    Regex(String),
    /// An 8-digit hex code (HRESULT), stored as written.
    Code(String),
    /// A Windows event id.
    EventId(u32),
    /// A Windows Installer or setup error number.
    MsiError(u32),
}

impl Pattern {
    /// The signature kind's name as written in YAML.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Pattern::Phrase(_) => "phrase",
            Pattern::Regex(_) => "regex",
            Pattern::Code(_) => "code",
            Pattern::EventId(_) => "event_id",
            Pattern::MsiError(_) => "msi_error",
        }
    }

    /// The weight a signature of this kind carries when the entry does not set one.
    pub fn default_weight(&self) -> f32 {
        match self {
            Pattern::Phrase(text) => {
                let significant: usize =
                    phrase_fixed_parts(text).map(|part| part.chars().filter(|c| c.is_alphanumeric()).count()).sum();
                (significant as f32 / 8.0).clamp(1.0, 6.0)
            }
            Pattern::Regex(_) | Pattern::Code(_) => 5.0,
            Pattern::EventId(_) | Pattern::MsiError(_) => 3.0,
        }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::Phrase(p) => write!(f, "phrase \"{p}\""),
            Pattern::Regex(r) => write!(f, "regex /{r}/"),
            Pattern::Code(c) => write!(f, "code {c}"),
            Pattern::EventId(n) => write!(f, "event id {n}"),
            Pattern::MsiError(n) => write!(f, "MSI error {n}"),
        }
    }
}

/// A signature as a grep-compatible (POSIX ERE / Rust regex) pattern, for `kb patterns`:
/// phrases become their words joined by flexible non-word runs, `{variables}` become a bounded
/// gap, codes their hex digits, numbers the wording that introduces them.
pub fn grep_pattern(pattern: &Pattern) -> String {
    match pattern {
        Pattern::Phrase(text) => phrase_fixed_parts(text)
            .map(|part| {
                part.split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(regex::escape)
                    .collect::<Vec<_>>()
                    .join("[^a-zA-Z0-9]+")
            })
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(".{0,200}"),
        Pattern::Regex(r) => r.clone(),
        Pattern::Code(c) => {
            let hex = c.trim().trim_start_matches("0x").trim_start_matches("0X");
            format!("(0x)?{hex}")
        }
        Pattern::EventId(n) => format!("event( id)?[: ]+{n}"),
        Pattern::MsiError(n) => format!("(error|error code|returning|exit code) {n}"),
    }
}

/// The fixed pieces of a phrase, between its `{variable}` parts.
pub fn phrase_fixed_parts(phrase: &str) -> impl Iterator<Item = &str> {
    phrase.split(['{', '}']).enumerate().filter(|(i, _)| i % 2 == 0).map(|(_, part)| part)
}

/// One way of recognising an entry in text, with the evidence weight it carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signature {
    /// What to look for.
    #[serde(flatten)]
    pub pattern: Pattern,
    /// Evidence weight, -10 to 10; negative is evidence against the entry.
    pub weight: f32,
    /// Where the signature is written (1-based line in its file), for lint messages.
    #[serde(skip)]
    pub line: u64,
    /// The catalogue row it comes from (`entsso-events 10536`), for a signature the loader
    /// added from a catalogue rather than one the entry's file writes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_catalogue: Option<String>,
}

impl Signature {
    /// How evidence names this signature: the pattern, and the catalogue row it comes from.
    pub fn label(&self) -> String {
        match &self.from_catalogue {
            Some(row) => format!("{} (catalogue {row})", self.pattern),
            None => self.pattern.to_string(),
        }
    }
}

/// One ordered fix step.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixStep {
    /// What to do, in plain words.
    pub step: String,
    /// The exact command or console action to copy, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The id of a live check that confirms this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// What an irreversible step (a restore, a delete, an uninstall, disabling SSO) affects,
    /// said plainly; the loader refuses such a command without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive: Option<String>,
}

/// Whether a fix step's command or text does something irreversible to a server: a restore
/// over a database, a drop or delete, an uninstall, disabling SSO, renaming a SQL Server, a
/// master secret restore. Such a step must say what it affects.
pub fn looks_destructive(step: &FixStep) -> Option<&'static str> {
    static PATTERNS: std::sync::LazyLock<Vec<(regex::Regex, &'static str)>> = std::sync::LazyLock::new(|| {
        [
            (r"(?i)\bRESTORE\s+(DATABASE|LOG)\b", "a database restore"),
            (r"(?i)\bDROP\s+(DATABASE|LOGIN|TABLE|USER)\b", "a DROP"),
            (r"(?i)\b(DELETE\s+FROM|TRUNCATE\s+TABLE)\b", "a delete"),
            (r"(?i)(-|/)uninstall\b|\bmsiexec(\.exe)?\s+/x\b", "an uninstall"),
            (r"(?i)-disablesso\b", "disabling SSO"),
            (r"(?i)-restoresecret\b", "a master secret restore"),
            (r"(?i)\bsp_dropserver\b", "renaming the SQL Server"),
            (r"(?i)\b(Remove-Item|rd\s+/s|rmdir\s+/s)\b", "deleting files"),
        ]
        .into_iter()
        .map(|(p, what)| (regex::Regex::new(p).expect("static regex"), what))
        .collect()
    });
    let text = format!("{} {}", step.step, step.command.as_deref().unwrap_or(""));
    PATTERNS.iter().find(|(re, _)| re.is_match(&text)).map(|(_, what)| *what)
}

/// Where an entry was loaded from, so messages and `kb show` can name the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// `embedded` for the built-in knowledge, otherwise the overlay directory it came from.
    pub layer: String,
    /// The file, relative for embedded entries, as given for overlays.
    pub file: String,
    /// The 1-based line of the entry's `id`.
    pub line: u64,
}

/// A known issue, precondition or post-upgrade task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Stable identifier, area-prefixed (`sso-`, `msdtc-`, ...); reports and playbooks use it.
    pub id: String,
    /// One line an administrator recognises.
    pub title: String,
    /// Known issue, precondition or post-upgrade task.
    pub kind: Kind,
    /// When it matters.
    pub phase: Phase,
    /// How bad it is.
    pub severity: Severity,
    /// BizTalk versions it applies to (`2013`, `2013 R2`, `2016`).
    pub applies_to: Vec<String>,
    /// Extra words to filter on.
    pub tags: Vec<String>,
    /// How it is recognised.
    pub signatures: Vec<Signature>,
    /// Why it happens.
    pub cause: String,
    /// What to do, in order.
    pub fix: Vec<FixStep>,
    /// Live checks that confirm or rule it out.
    pub checks: Vec<String>,
    /// Where the facts come from.
    pub references: Vec<String>,
    /// Texts that must rank this entry first.
    pub examples: Vec<String>,
    /// Where each example was copied from (a URL), parallel to `examples`; `None` for an
    /// example written from the entry's references.
    #[serde(skip_serializing_if = "no_sources")]
    pub example_sources: Vec<Option<String>>,
    /// Texts that must not rank this entry first.
    pub counter_examples: Vec<String>,
    /// Lines of the examples in the entry's file, for lint messages.
    #[serde(skip)]
    pub example_lines: Vec<u64>,
    /// Lines of the counter-examples in the entry's file, for lint messages.
    #[serde(skip)]
    pub counter_example_lines: Vec<u64>,
    /// A catch-all for a generic failure (`generic: true`): a specific entry outranks it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub generic: bool,
    /// Where it was loaded from.
    pub origin: Origin,
}

/// True when no example names a source, so the JSON of older entries stays as it was.
fn no_sources(sources: &[Option<String>]) -> bool {
    sources.iter().all(Option::is_none)
}

impl Entry {
    /// How specific the entry is: triage entries are their area's, `generic: true` entries
    /// generic, every other entry specific.
    pub fn tier(&self) -> Tier {
        if self.kind == Kind::Triage {
            Tier::Area
        } else if self.generic {
            Tier::Generic
        } else {
            Tier::Specific
        }
    }

    /// The area of the entry: the part of the id before the first `-`.
    pub fn area(&self) -> &str {
        self.id.split('-').next().unwrap_or(&self.id)
    }
}
