//! Every code a text holds, explained from the catalogues: HRESULTs (hex with or without `0x`,
//! or signed decimal), Enterprise SSO event ids, Windows Installer error numbers and exit
//! codes, SQL Server error numbers with their states, and symbolic names. Also the parser for
//! one code typed alone (`bts-doctor explain`).

use super::detect::{EVENT_ID, HEX_CODE, MSI_ERROR};
use crate::kb::catalogue::{CatalogueKind, Catalogues, Hit};
use regex::Regex;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::LazyLock;

/// One code explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeInfo {
    /// The code as the catalogue writes it (`0x80070422`, `10536`, `18456 state 8`).
    pub code: String,
    /// Its symbolic name, when documented.
    pub name: Option<String>,
    /// What it means, in our words.
    pub meaning: String,
    /// The area it belongs to (`none` for a benign or foreign code).
    pub area: String,
    /// The documented message.
    pub message: String,
    /// The entry that explains it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// The catalogue it comes from.
    pub catalogue: String,
    /// Where its facts come from.
    pub source: String,
    /// The text it was found as (empty for a code typed alone).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub found: String,
}

impl CodeInfo {
    fn of((catalogue, row): Hit<'_>, found: &str) -> Self {
        CodeInfo {
            code: row.id.clone(),
            name: row.name.clone().or_else(|| row.alias.clone()),
            meaning: row.meaning.clone(),
            area: row.area.clone(),
            message: row.message.clone(),
            entry: row.entry.clone(),
            catalogue: catalogue.id.clone(),
            source: row.source.clone(),
            found: found.to_string(),
        }
    }
}

/// Most codes explained for one text.
pub const MAX_CODES: usize = 20;

static SQL_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\bprovider:[^,]{1,60},\s*error:\s*(\d{1,5})\b|\bmsg\s+(\d{2,5}),\s*level\b|\berror\s*:\s*(\d{4,5}),\s*severity\b",
        r"|\b(?:microsoft\s+)?sql\s*server,?\s*(?:error|エラー|错误|錯誤)\s*[:：]?\s*(\d{2,5})\b|\b(?:error\s*number|native\s+error\s+code)\s*:?\s*(\d{2,5})\b)"
    ))
    .expect("static regex")
});
static SQL_STATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bstate\s*[:=]?\s*(\d{1,3})\b").expect("static regex"));
static SYMBOL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b").expect("static regex"));

/// Every catalogued code in `text`, in order of appearance, each row once, at most [`MAX_CODES`].
pub fn find(catalogues: &Catalogues, text: &str) -> Vec<CodeInfo> {
    let mut found: Vec<(usize, CodeInfo)> = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut add = |at: usize, hits: Vec<Hit<'_>>, what: &str, found: &mut Vec<(usize, CodeInfo)>| {
        for hit in hits {
            if seen.insert((hit.0.id.clone(), hit.1.id.clone())) {
                found.push((at, CodeInfo::of(hit, what)));
            }
        }
    };
    if catalogues.all().is_empty() {
        return Vec::new();
    }
    for caps in HEX_CODE.captures_iter(text) {
        let whole = caps.get(0).expect("group 0");
        let value = match (caps.get(1), caps.get(2)) {
            (Some(hex), _) => {
                // Eight hex digits inside a GUID or a longer hex run are not a code.
                let before = text[..whole.start()].chars().next_back();
                let after = text[whole.end()..].chars().next();
                let bare = !whole.as_str().to_ascii_lowercase().starts_with("0x");
                if bare && (matches!(before, Some('-' | '{')) || matches!(after, Some('-' | '}'))) {
                    continue;
                }
                u32::from_str_radix(hex.as_str(), 16).ok()
            }
            (None, Some(dec)) => dec.as_str().parse::<i32>().ok().map(|n| n as u32),
            _ => None,
        };
        if let Some(v) = value {
            add(whole.start(), catalogues.hex(v), whole.as_str(), &mut found);
        }
    }
    for caps in EVENT_ID.captures_iter(text) {
        if let Some(n) = caps.get(1).and_then(|m| m.as_str().parse().ok()) {
            add(
                caps.get(0).map_or(0, |m| m.start()),
                catalogues.number(&[CatalogueKind::Event], n),
                &caps[0],
                &mut found,
            );
        }
    }
    for caps in MSI_ERROR.captures_iter(text) {
        if let Some(n) = caps.get(1).and_then(|m| m.as_str().parse::<u32>().ok()) {
            // An exit code of 0 or a small number says nothing about the installer.
            if n >= 1000 {
                // "returning 1603", "exit code 1603": an exit code; "Error 1722.": a message
                // number, or else an exit code printed as an error.
                let words = caps[0].to_ascii_lowercase();
                let exit = ["return", "exit", "status", "code", "sa\u{ed}da", "saida", "sortie", "終了", "退出"]
                    .iter()
                    .any(|w| words.contains(w));
                let hits = if exit {
                    catalogues.number(&[CatalogueKind::MsiReturn], n)
                } else {
                    let message = catalogues.number(&[CatalogueKind::MsiError], n);
                    if message.is_empty() {
                        catalogues.number(&[CatalogueKind::MsiReturn], n)
                    } else {
                        message
                    }
                };
                add(caps.get(0).map_or(0, |m| m.start()), hits, caps[0].trim(), &mut found);
            }
        }
    }
    for caps in SQL_NUMBER.captures_iter(text) {
        let whole = caps.get(0).expect("group 0");
        let Some(n) = (1..=5).find_map(|i| caps.get(i)).and_then(|m| m.as_str().parse::<u32>().ok()) else { continue };
        let mut hits = catalogues.number(&[CatalogueKind::SqlError], n);
        let tail = &text[whole.end()..(whole.end() + 200).min(text.len())];
        let tail = &tail[..(0..=tail.len()).rev().find(|&i| tail.is_char_boundary(i)).unwrap_or(0)];
        if let Some(state) = SQL_STATE.captures(tail).and_then(|c| c[1].parse().ok()) {
            hits.extend(catalogues.sql_state(n, state));
        }
        add(whole.start(), hits, whole.as_str(), &mut found);
    }
    for m in SYMBOL.find_iter(text) {
        if m.as_str().len() >= 6 {
            add(m.start(), catalogues.named(m.as_str()), m.as_str(), &mut found);
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, info)| info).take(MAX_CODES).collect()
}

/// Why a typed code could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Not a form `explain` reads.
    #[error(
        "`{0}` is not a code: give an HRESULT (0x80070422, 80070422 or -2147023838), an event id (ENTSSO 10536), an MSI error (MSI 1722), a SQL error (SQL 18456 or SQL 18456 state 8), a number or a symbolic name (ERROR_SERVICE_DISABLED)"
    )]
    NotACode(String),
}

/// Explains one code typed alone: hex with or without `0x`, signed decimal, `ENTSSO 10536`,
/// `SSO 10536`, `event 10536`, `MSI 1722`, `SQL 18456 [state 8]`, a bare number (every
/// numbered catalogue), or a symbolic name. An empty list means a well-formed code no
/// catalogue holds.
pub fn explain(catalogues: &Catalogues, query: &str) -> Result<Vec<CodeInfo>, QueryError> {
    let words: Vec<&str> = query.split_whitespace().collect();
    let not_a_code = || QueryError::NotACode(query.trim().to_string());
    let number = |w: &str| w.trim_end_matches(['.', ',']).parse::<u32>().ok();
    let hits: Vec<Hit<'_>> = match words.as_slice() {
        [] => return Err(not_a_code()),
        [prefix, rest @ ..] if !rest.is_empty() => {
            let n = number(rest[0]).ok_or_else(not_a_code)?;
            match prefix.to_ascii_lowercase().as_str() {
                "entsso" | "sso" | "event" | "eventid" => catalogues.number(&[CatalogueKind::Event], n),
                "msi" | "msiexec" => catalogues.number(&[CatalogueKind::MsiError, CatalogueKind::MsiReturn], n),
                "sql" | "mssql" => {
                    let mut hits = catalogues.number(&[CatalogueKind::SqlError], n);
                    match rest {
                        [_] => {}
                        [_, state_word, state] if state_word.eq_ignore_ascii_case("state") => {
                            let state = number(state).ok_or_else(not_a_code)?;
                            hits.extend(catalogues.sql_state(n, state));
                        }
                        _ => return Err(not_a_code()),
                    }
                    hits
                }
                _ => return Err(not_a_code()),
            }
        }
        [one] => {
            let one = one.trim();
            if let Some(norm) = crate::kb::normalize_code(one) {
                let value = u32::from_str_radix(&norm, 16).map_err(|_| not_a_code())?;
                let mut hits = catalogues.hex(value);
                // 0x8007xxxx carries a Win32 code: the installer's own table may say more.
                if value >> 16 == 0x8007 {
                    hits.extend(catalogues.number(&[CatalogueKind::MsiReturn], value & 0xFFFF));
                }
                hits
            } else if let Some(negative) = one.strip_prefix('-').and_then(|d| d.parse::<i64>().ok()) {
                let signed = i32::try_from(-negative).map_err(|_| not_a_code())?;
                if signed == -1 {
                    catalogues.number(&[CatalogueKind::SqlError], u32::MAX)
                } else {
                    catalogues.hex(signed as u32)
                }
            } else if let Some(n) = number(one) {
                let kinds =
                    [CatalogueKind::Event, CatalogueKind::MsiError, CatalogueKind::MsiReturn, CatalogueKind::SqlError];
                let mut hits = catalogues.number(&kinds, n);
                hits.extend(catalogues.win32(n));
                hits
            } else if one.len() >= 3 && one.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && one.contains('_')
            {
                catalogues.named(one)
            } else {
                return Err(not_a_code());
            }
        }
        _ => return Err(not_a_code()),
    };
    let mut seen = HashSet::new();
    Ok(hits
        .into_iter()
        .filter(|(c, r)| seen.insert((c.id.clone(), r.id.clone())))
        .map(|hit| CodeInfo::of(hit, ""))
        .collect())
}
