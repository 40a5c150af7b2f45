//! Catalogues: Microsoft's tables of documented codes and messages (Enterprise SSO events,
//! Windows Installer errors and return codes, HRESULT and Win32 codes, SQL Server connection
//! errors, BizTalk's own codes), one YAML file each under `knowledge/catalogues/`. Each row keeps
//! its source; the explanation and the entry it points to are ours. They explain any code a
//! text holds and give the matcher language-independent anchors.

use super::model::{Origin, Pattern, Signature};
use super::problem::Problem;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::collections::HashSet;

/// What a catalogue's row ids are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CatalogueKind {
    /// 8-digit hex HRESULTs (Win32 codes in their `0x8007xxxx` form).
    Hresult,
    /// Windows event ids (Enterprise SSO).
    Event,
    /// Windows Installer error message numbers.
    MsiError,
    /// MsiExec exit codes.
    MsiReturn,
    /// SQL Server error numbers, with states.
    SqlError,
    /// BizTalk's own 8-digit hex codes.
    BiztalkCode,
    /// Documented messages without a usable number (BizTalk EDI/AS2 and WCF adapter errors),
    /// known by their text; the row id is the source page's name (lower-case words and dashes).
    Message,
}

/// One documented code or message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The code as the catalogue writes it (`0x80070422`, `10536`, `18456 state 8`).
    pub id: String,
    /// Symbolic name, where the source gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Another symbolic name for the same value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// The Win32 code an `0x8007xxxx` HRESULT carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub win32: Option<u32>,
    /// The documented message text, exactly.
    pub message: String,
    /// The event level, where the source gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// What it means, in our words.
    pub meaning: String,
    /// The area it belongs to (`none` when no area's knowledge applies).
    pub area: String,
    /// The entry that explains it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// Where the row's facts come from.
    pub source: String,
    /// A code that turns up in every kind of failure (access denied, E_FAIL): explained, but
    /// too common to identify anything alone.
    pub generic: bool,
    /// Line of the row's id in its file.
    #[serde(skip)]
    pub line: u64,
}

impl Row {
    /// Whether the row is an informational or success event, which never points to a problem.
    pub fn is_benign(&self) -> bool {
        matches!(self.level.as_deref(), Some("information" | "informational" | "success" | "info"))
            || self.area == "none"
    }
}

/// One catalogue file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalogue {
    /// Stable id (`entsso-events`); an overlay file with the same id replaces it.
    pub id: String,
    /// What it lists.
    pub title: String,
    /// What its row ids are.
    pub kind: CatalogueKind,
    /// The area of rows that do not name one.
    pub area: String,
    /// The rows, in file order.
    pub rows: Vec<Row>,
    /// Where it was loaded from.
    pub origin: Origin,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    catalogue: Spanned<String>,
    title: String,
    kind: CatalogueKind,
    area: String,
    #[serde(default)]
    source: Option<String>,
    rows: Vec<RawRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRow {
    id: Spanned<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    win32: Option<u32>,
    #[serde(default)]
    alias: Option<String>,
    message: String,
    #[serde(default)]
    level: Option<String>,
    meaning: String,
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    entry: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    generic: bool,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    #[serde(default)]
    #[allow(dead_code)]
    retrieved_via: Option<String>,
}

/// Parses one catalogue file: every row needs a source (its own or the file's), ids are unique
/// and read as their kind's form (8 hex digits, a number, a SQL error with its state).
pub fn parse_catalogue(text: &str, mut origin: Origin) -> Result<Catalogue, Vec<Problem>> {
    let raw: RawCatalogue = super::parse::from_yaml(text, &origin.file)?;
    origin.line = raw.catalogue.referenced.line();
    let file = origin.file.clone();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for row in raw.rows {
        let line = row.id.referenced.line();
        let id = row.id.value.trim().to_string();
        let mut at = |m: String| problems.push(Problem::error(&file, Some(line), None, m));
        if !seen.insert(id.to_ascii_lowercase()) {
            at(format!("catalogue `{}`: row id `{id}` appears twice", raw.catalogue.value));
        }
        if key_of(raw.kind, &id).is_none() {
            at(format!("catalogue `{}`: row id `{id}` is not a {:?} id", raw.catalogue.value, raw.kind));
        }
        let source = row.source.or_else(|| raw.source.clone()).unwrap_or_default();
        if !source.starts_with("https://") && !source.starts_with("http://") {
            at(format!("catalogue `{}`: row `{id}` has no source URL", raw.catalogue.value));
        }
        // A message may be empty where the source prints none; a meaning may not.
        if row.meaning.trim().is_empty() {
            at(format!("catalogue `{}`: row `{id}` needs a meaning", raw.catalogue.value));
        }
        let area = row.area.unwrap_or_else(|| raw.area.clone());
        if row.entry.is_none() && area != "none" {
            at(format!(
                "catalogue `{}`: row `{id}` names no entry; point it to one (the area's triage entry at least) or give it `area: none`",
                raw.catalogue.value
            ));
        }
        let _ = row.code;
        rows.push(Row {
            id,
            name: row.name.filter(|n| !n.trim().is_empty()),
            alias: row.alias.filter(|n| !n.trim().is_empty()),
            win32: row.win32,
            message: row.message,
            level: row.level.map(|l| l.to_ascii_lowercase()),
            meaning: row.meaning,
            area,
            entry: row.entry,
            source,
            generic: row.generic,
            line,
        });
    }
    if problems.is_empty() {
        Ok(Catalogue { id: raw.catalogue.value, title: raw.title, kind: raw.kind, area: raw.area, rows, origin })
    } else {
        Err(problems)
    }
}

/// What a row's id, or a code found in text, is looked up by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    /// An 8-digit hex value.
    Hex(u32),
    /// An event id, MSI number or SQL error number (SQL's `-1` as `u32::MAX`).
    Number(u32),
    /// A SQL error with a state (`18456 state 8`); a range of states is one row.
    SqlState(u32, u32, u32),
    /// A row known by its message (`Cannot generate SSPI context`).
    Text,
}

/// The lookup key of a row id of this kind; `None` when the id is not of the kind's form.
pub fn key_of(kind: CatalogueKind, id: &str) -> Option<Key> {
    match kind {
        CatalogueKind::Hresult | CatalogueKind::BiztalkCode => {
            super::normalize_code(id).and_then(|h| u32::from_str_radix(&h, 16).ok()).map(Key::Hex)
        }
        // A second row for the same number carries a note after it: `1935 (2nd row)`.
        CatalogueKind::Event | CatalogueKind::MsiError | CatalogueKind::MsiReturn => {
            id.split_whitespace().next()?.parse().ok().map(Key::Number)
        }
        CatalogueKind::SqlError => {
            let mut words = id.split_whitespace();
            let first = words.next()?;
            let number = match first.parse::<i64>() {
                Ok(-1) => u32::MAX,
                Ok(n) => u32::try_from(n).ok()?,
                Err(_) => return Some(Key::Text),
            };
            match (words.next(), words.next()) {
                (None, _) => Some(Key::Number(number)),
                (Some("state"), Some(states)) => {
                    let (lo, hi) = states.split_once('-').unwrap_or((states, states));
                    Some(Key::SqlState(number, lo.parse().ok()?, hi.parse().ok()?))
                }
                // "18456 reason: ...": a row about the number, told by its message
                (Some(_), _) => Some(Key::Text),
            }
        }
        CatalogueKind::Message => {
            // Page names as published, double and trailing dashes included.
            let starts = id.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            (starts && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
                .then_some(Key::Text)
        }
    }
}

/// Every catalogue, with look-ups by code, number and symbolic name.
#[derive(Debug, Clone, Default)]
pub struct Catalogues {
    list: Vec<Catalogue>,
}

/// A row and the catalogue holding it.
pub type Hit<'a> = (&'a Catalogue, &'a Row);

impl Catalogues {
    /// Wraps loaded catalogues (sorted by id).
    pub fn new(mut list: Vec<Catalogue>) -> Self {
        list.sort_by(|a, b| a.id.cmp(&b.id));
        Catalogues { list }
    }

    /// Every catalogue, sorted by id.
    pub fn all(&self) -> &[Catalogue] {
        &self.list
    }

    /// How many rows all catalogues hold.
    pub fn rows(&self) -> usize {
        self.list.iter().map(|c| c.rows.len()).sum()
    }

    fn rows_where<'a>(&'a self, keep: impl Fn(&Catalogue, &Row) -> bool + 'a) -> impl Iterator<Item = Hit<'a>> + 'a {
        self.list.iter().flat_map(|c| c.rows.iter().map(move |r| (c, r))).filter(move |(c, r)| keep(c, r))
    }

    /// Rows of hex catalogues with this value.
    pub fn hex(&self, value: u32) -> Vec<Hit<'_>> {
        self.rows_where(move |c, r| key_of(c.kind, &r.id) == Some(Key::Hex(value))).collect()
    }

    /// Rows of these kinds with this number (SQL rows with states included for their number).
    pub fn number(&self, kinds: &[CatalogueKind], number: u32) -> Vec<Hit<'_>> {
        let kinds = kinds.to_vec();
        self.rows_where(move |c, r| {
            kinds.contains(&c.kind) && matches!(key_of(c.kind, &r.id), Some(Key::Number(n)) if n == number)
        })
        .collect()
    }

    /// The SQL rows for `number` in `state` (the state's own row, when documented).
    pub fn sql_state(&self, number: u32, state: u32) -> Vec<Hit<'_>> {
        self.rows_where(move |c, r| {
            matches!(key_of(c.kind, &r.id), Some(Key::SqlState(n, lo, hi)) if n == number && (lo..=hi).contains(&state))
        })
        .collect()
    }

    /// Win32 rows carrying this Win32 code.
    pub fn win32(&self, code: u32) -> Vec<Hit<'_>> {
        self.rows_where(move |_, r| r.win32 == Some(code)).collect()
    }

    /// Rows whose symbolic name or alias is `name` (exactly, ignoring case).
    pub fn named(&self, name: &str) -> Vec<Hit<'_>> {
        let name = name.to_string();
        self.rows_where(move |_, r| [&r.name, &r.alias].into_iter().flatten().any(|n| n.eq_ignore_ascii_case(&name)))
            .collect()
    }
}

/// The weight of a language-independent anchor (a code, an event id, a symbolic name): alone it
/// gives medium confidence for what it identifies.
pub const ANCHOR_WEIGHT: f32 = crate::matcher::MEDIUM;
/// The weight of a generic code alone: explained, never an answer by itself.
pub const GENERIC_WEIGHT: f32 = 1.5;
/// Most a documented message pointing to an area's triage entry weighs.
pub const TRIAGE_MESSAGE_WEIGHT: f32 = 5.0;
/// Most a Windows code or its message weighs alone: a hint, not an answer.
pub const WINDOWS_MESSAGE_WEIGHT: f32 = 2.5;
/// What a Windows error message adds to its code.
pub const WINDOWS_TEXT_WEIGHT: f32 = 1.0;
/// Fewest letters and digits a message piece needs to be matched as a phrase.
const MIN_MESSAGE_LETTERS: usize = 24;

/// The signatures a catalogue row gives the entry it points to: its code or number as an
/// anchor, its symbolic names, and the longest fixed piece of its message as a phrase.
/// Informational rows and rows pointing nowhere give none.
pub fn row_signatures(catalogue: &Catalogue, row: &Row) -> Vec<Signature> {
    if row.is_benign() || row.entry.is_none() {
        return Vec::new();
    }
    let triage = row.entry.as_deref().is_some_and(|e| e.ends_with("-triage"));
    let anchor = if row.generic {
        GENERIC_WEIGHT
    } else if catalogue.kind == CatalogueKind::Hresult && !names_biztalk_component(&row.id) {
        // A Windows code identifies a Windows condition (explained with it), not which BizTalk
        // problem it is part of: with the words around it, it can tip an entry over.
        WINDOWS_MESSAGE_WEIGHT
    } else {
        ANCHOR_WEIGHT
    };
    let label = format!("{} {}", catalogue.id, row.id);
    let sig = |pattern: Pattern, weight: f32| Signature {
        pattern,
        weight,
        line: row.line,
        from_catalogue: Some(label.clone()),
    };
    let mut out = Vec::new();
    match (catalogue.kind, key_of(catalogue.kind, &row.id)) {
        (CatalogueKind::Hresult | CatalogueKind::BiztalkCode, Some(Key::Hex(v))) => {
            out.push(sig(Pattern::Code(format!("0x{v:08X}")), anchor))
        }
        (CatalogueKind::Event, Some(Key::Number(n))) => out.push(sig(Pattern::EventId(n), anchor)),
        (CatalogueKind::MsiError, Some(Key::Number(n))) => out.push(sig(Pattern::MsiError(n), anchor)),
        // Small exit codes (0, 13, 87) are everywhere; only the installer's own 16xx/3010 range anchors.
        (CatalogueKind::MsiReturn, Some(Key::Number(n))) if n >= 1000 => out.push(sig(Pattern::MsiError(n), anchor)),
        (CatalogueKind::SqlError, Some(Key::Number(n))) if n != u32::MAX => {
            out.push(sig(Pattern::Regex(sql_number_regex(n)), anchor))
        }
        _ => {}
    }
    for name in [&row.name, &row.alias].into_iter().flatten() {
        // A symbolic name is distinctive only when it is one (LOGON_FAILED, XACT_E_NOTRANSACTION).
        if name.contains('_') && name.len() >= 8 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(sig(Pattern::Regex(format!(r"\b{name}\b")), anchor));
        }
    }
    if let Some(piece) = message_phrase(&row.message) {
        let weight = Pattern::Phrase(piece.clone()).default_weight();
        // Windows' own messages ("The system cannot find the file specified.") turn up in every
        // product: the code is the anchor, the message alone stays a hint.
        let weight = if row.generic {
            weight.min(GENERIC_WEIGHT)
        } else if catalogue.kind == CatalogueKind::Hresult {
            // The same Windows fact as its code: it confirms the code, it adds nothing of its own.
            weight.min(WINDOWS_TEXT_WEIGHT)
        } else if triage {
            weight.min(TRIAGE_MESSAGE_WEIGHT)
        } else {
            weight
        };
        out.push(sig(Pattern::Phrase(piece), weight));
    }
    out
}

/// Whether an HRESULT belongs to a component BizTalk setups depend on directly: MSDTC's
/// `XACT_E_` (0x8004D0xx) and COM+ transaction `CONTEXT_E_` (0x8004E0xx) codes, Enterprise
/// SSO's 0xC0002Axx codes and BizTalk's own 0xC0C0xxxx codes.
fn names_biztalk_component(id: &str) -> bool {
    let hex = id.trim_start_matches("0x").trim_start_matches("0X").to_ascii_uppercase();
    ["8004D", "8004E0", "C0002A", "C0C0"].iter().any(|p| hex.starts_with(p))
}

/// A regex for a SQL Server error number as clients and the error log print it. A small number
/// (26, 40, 53) only in the client's provider clause, where it cannot be another product's error.
fn sql_number_regex(n: u32) -> String {
    let provider =
        format!(r"(?:\bprovider:[^,]{{1,60}}|\b(?:Named Pipes|TCP|Shared Memory|SSL) Provider),\s*error:\s*{n}\b");
    if n < 100 {
        return provider;
    }
    format!(
        r"(?:{provider}|\bmsg\s+{n},\s*level|\berror\s*:?\s*{n}\s*[,\-.)]|(?:エラー|错误|錯誤|erreur|fehler)\s*(?::|：)?\s*{n}\b|\bsql\s*server\s*error\s*:?\s*{n}\b|\berror\s*number\s*:?\s*{n}\b|\bnumber\s*[:=]\s*{n}\b)"
    )
}

/// The longest fixed piece of a documented message (between its `%1`, `%r`, `[2]`, `%.*ls`
/// placeholders), when it is long enough to identify the message.
pub fn message_phrase(message: &str) -> Option<String> {
    static PLACEHOLDER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"%\d+!?[a-z]*!?|%r|%n|%\.\*l?s|%l?[sdxu]|\[\d+\]|\{[^}]*\}|[{}]|\n").expect("static regex")
    });
    PLACEHOLDER
        .split(message)
        .map(|p| p.trim_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '(').trim())
        .max_by_key(|p| p.chars().filter(|c| c.is_alphanumeric()).count())
        .filter(|p| p.chars().filter(|c| c.is_alphanumeric()).count() >= MIN_MESSAGE_LETTERS)
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin { layer: "test".into(), file: "c.yaml".into(), line: 0 }
    }

    const GOOD: &str = r#"
catalogue: test-codes
title: Test
kind: hresult
area: config
source: "https://example.org/codes"
rows:
  - id: "0x8004D025"
    name: XACT_E_PARTNER_NETWORK_TX_DISABLED
    message: "The partner transaction manager has disabled its support for remote/network transactions."
    meaning: "Network DTC access is off on the other side."
    entry: msdtc-triage
  - id: "0x80004005"
    name: E_FAIL
    message: "Unspecified failure"
    meaning: "Anything."
    generic: true
    entry: config-triage
"#;

    #[test]
    fn rows_parse_with_the_file_source_and_area() {
        let c = parse_catalogue(GOOD, origin()).expect("valid");
        assert_eq!(c.rows.len(), 2);
        assert_eq!(c.rows[0].source, "https://example.org/codes");
        assert_eq!(c.rows[0].area, "config");
        assert_eq!(key_of(c.kind, &c.rows[0].id), Some(Key::Hex(0x8004D025)));
    }

    #[test]
    fn duplicate_ids_missing_sources_and_rows_pointing_nowhere_are_refused() {
        let dup = GOOD.replace("\"0x80004005\"", "\"0x8004D025\"");
        assert!(parse_catalogue(&dup, origin()).unwrap_err()[0].message.contains("twice"));
        let nosource = GOOD.replace("source: \"https://example.org/codes\"\n", "");
        assert!(parse_catalogue(&nosource, origin()).unwrap_err()[0].message.contains("source"));
        let noentry = GOOD.replace("    entry: msdtc-triage\n", "");
        assert!(parse_catalogue(&noentry, origin()).unwrap_err()[0].message.contains("names no entry"));
        let badid = GOOD.replace("\"0x8004D025\"", "\"0x8007\"");
        assert!(parse_catalogue(&badid, origin()).unwrap_err()[0].message.contains("not a"));
    }

    #[test]
    fn sql_ids_read_numbers_states_and_ranges() {
        assert_eq!(key_of(CatalogueKind::SqlError, "18456"), Some(Key::Number(18456)));
        assert_eq!(key_of(CatalogueKind::SqlError, "18456 state 102-111"), Some(Key::SqlState(18456, 102, 111)));
        assert_eq!(key_of(CatalogueKind::SqlError, "-1"), Some(Key::Number(u32::MAX)));
        assert_eq!(key_of(CatalogueKind::SqlError, "Cannot generate SSPI context"), Some(Key::Text));
        assert_eq!(key_of(CatalogueKind::Message, "an-error-occurred-when-decrypting-an-as2-message"), Some(Key::Text));
        assert_eq!(key_of(CatalogueKind::Message, "Not A Page"), None);
    }

    #[test]
    fn a_generic_code_gives_less_than_medium_and_a_specific_one_medium() {
        let c = parse_catalogue(GOOD, origin()).expect("valid");
        let specific = row_signatures(&c, &c.rows[0]);
        assert!(specific.iter().any(|s| matches!(s.pattern, Pattern::Code(_)) && s.weight >= crate::matcher::MEDIUM));
        let generic = row_signatures(&c, &c.rows[1]);
        assert!(generic.iter().all(|s| s.weight < crate::matcher::MEDIUM), "{generic:?}");
    }

    #[test]
    fn message_phrases_are_the_longest_fixed_piece() {
        assert_eq!(
            message_phrase("Cannot create the file '[2]'. A directory with this name already exists.").as_deref(),
            Some("A directory with this name already exists")
        );
        assert_eq!(message_phrase("Could not open file stream: [2]. System error: [3]"), None);
        assert_eq!(message_phrase("Error [1]."), None);
        assert_eq!(
            message_phrase("The SSO service failed to start.%r%rError Code: %1").as_deref(),
            Some("The SSO service failed to start")
        );
    }
}
