//! Turning one YAML file into a validated [`Entry`], with every problem located by file, line
//! and column.

use super::model::{Entry, FixStep, Kind, Origin, Pattern, Phase, Severity, Signature};
use super::problem::Problem;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// An entry as written in YAML, before validation.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    id: Spanned<String>,
    title: String,
    kind: Kind,
    phase: Phase,
    severity: Severity,
    #[serde(default)]
    applies_to: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    signatures: Vec<Spanned<RawSignature>>,
    cause: String,
    fix: Vec<FixStep>,
    #[serde(default)]
    checks: Vec<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    examples: Vec<Spanned<RawExample>>,
    #[serde(default)]
    counter_examples: Vec<Spanned<String>>,
    #[serde(default)]
    generic: bool,
}

/// An example as written: the text alone, or the text with the URL it was copied from.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawExample {
    Text(String),
    Sourced { text: String, source: String },
}

/// A signature as written: exactly one of the pattern fields, and an optional weight.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    phrase: Option<String>,
    regex: Option<String>,
    code: Option<CodeText>,
    event_id: Option<u32>,
    msi_error: Option<u32>,
    weight: Option<f32>,
}

/// A code written either quoted (`"0xC0002A0F"`) or bare (`0xC0002A0F`, which YAML reads as a
/// number); both mean the same code.
#[derive(Deserialize)]
#[serde(untagged)]
enum CodeText {
    Text(String),
    Number(u64),
}

impl CodeText {
    fn into_string(self) -> String {
        match self {
            CodeText::Text(s) => s,
            CodeText::Number(n) => format!("0x{n:08X}"),
        }
    }
}

/// Parses and validates one knowledge file. Returns the entry, or every problem found in it.
pub fn parse_entry(text: &str, origin: Origin) -> Result<Entry, Vec<Problem>> {
    let raw: RawEntry = from_yaml(text, &origin.file)?;
    validate(raw, origin)
}

/// Deserialises one YAML document, turning a library error into a located problem.
pub(super) fn from_yaml<T: serde::de::DeserializeOwned>(text: &str, file: &str) -> Result<T, Vec<Problem>> {
    serde_saphyr::from_str(text).map_err(|err| {
        let located = err.location();
        let message = err.without_snippet().to_string();
        // A breached reader limit reads as its internals; say it in words.
        let message = if message.contains("Budget") || message.contains("budget") {
            "the YAML goes over the reader's limits (too many nodes, aliases or nesting levels for a knowledge file)"
                .to_string()
        } else {
            first_line(&message)
        };
        vec![Problem::error(file, located.map(|l| l.line()), located.map(|l| l.column()), message)]
    })
}

/// The first line of a library message, without any "at line N column M" tail we report
/// ourselves.
pub(super) fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message).trim();
    let line = line.split(" at line ").next().unwrap_or(line);
    line.trim_end_matches(['.', ':']).to_string()
}

fn validate(raw: RawEntry, mut origin: Origin) -> Result<Entry, Vec<Problem>> {
    let file = origin.file.clone();
    let id_line = raw.id.referenced.line();
    origin.line = id_line;
    let mut problems = Vec::new();
    let mut at = |line: u64, message: String| problems.push(Problem::error(&file, Some(line), None, message));

    let id = raw.id.value.trim().to_string();
    if !is_kebab_id(&id) {
        at(
            id_line,
            format!("id `{id}` must be lower-case words joined by `-`, starting with its area (e.g. `sso-...`)"),
        );
    }
    if raw.title.trim().is_empty() {
        at(id_line, format!("entry `{id}` has an empty title"));
    }
    if raw.cause.trim().is_empty() {
        at(id_line, format!("entry `{id}` has an empty cause"));
    }
    if raw.fix.is_empty() || raw.fix.iter().any(|s| s.step.trim().is_empty()) {
        at(id_line, format!("entry `{id}` needs at least one fix step, and no step may be empty"));
    }
    for (i, step) in raw.fix.iter().enumerate() {
        match (super::model::looks_destructive(step), step.destructive.as_deref()) {
            (Some(what), None) => {
                at(id_line, format!("entry `{id}`: fix step {} is {what}: say what it affects in `destructive`", i + 1))
            }
            (_, Some(d)) if d.trim().is_empty() => {
                at(id_line, format!("entry `{id}`: fix step {} has an empty `destructive`", i + 1))
            }
            _ => {}
        }
    }
    for example in &raw.examples {
        if let RawExample::Sourced { source, .. } = &example.value {
            let source = source.trim();
            if !(source.starts_with("https://") || source.starts_with("http://")) {
                at(example.referenced.line(), format!("entry `{id}`: an example's source `{source}` is not a URL"));
            }
        }
    }
    if raw.signatures.is_empty() {
        at(id_line, format!("entry `{id}` has no signatures, so no text can ever match it"));
    }
    if (raw.kind == Kind::Triage) != id.ends_with("-triage") {
        at(
            id_line,
            format!("entry `{id}`: an area's triage is `kind: triage` with an id ending in `-triage`, and only it"),
        );
    }

    let mut signatures = Vec::with_capacity(raw.signatures.len());
    for spanned in raw.signatures {
        let (line, column) = (spanned.referenced.line(), spanned.referenced.column());
        match signature(spanned.value) {
            Ok(mut sig) => {
                sig.line = line;
                signatures.push(sig);
            }
            // The signature's own place: file:line:column.
            Err(message) => problems.push(Problem::error(&file, Some(line), Some(column), message)),
        }
    }

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Entry {
        id,
        title: raw.title.trim().to_string(),
        kind: raw.kind,
        phase: raw.phase,
        severity: raw.severity,
        applies_to: raw.applies_to,
        tags: raw.tags,
        signatures,
        cause: raw.cause.trim().to_string(),
        fix: raw.fix,
        checks: raw.checks,
        references: raw.references,
        example_lines: raw.examples.iter().map(|e| e.referenced.line()).collect(),
        counter_example_lines: raw.counter_examples.iter().map(|e| e.referenced.line()).collect(),
        example_sources: raw
            .examples
            .iter()
            .map(|e| match &e.value {
                RawExample::Text(_) => None,
                RawExample::Sourced { source, .. } => Some(source.trim().to_string()),
            })
            .collect(),
        examples: raw
            .examples
            .into_iter()
            .map(|e| match e.value {
                RawExample::Text(text) | RawExample::Sourced { text, .. } => text,
            })
            .collect(),
        counter_examples: raw.counter_examples.into_iter().map(|e| e.value).collect(),
        generic: raw.generic,
        origin,
    })
}

/// Validates one raw signature into a [`Signature`] (line filled in by the caller).
fn signature(raw: RawSignature) -> Result<Signature, String> {
    let mut patterns = Vec::new();
    if let Some(p) = raw.phrase {
        if !phrase_has_words(&p) {
            return Err(format!("phrase \"{p}\" has no letters or digits outside its {{variables}}"));
        }
        if p.matches('{').count() != p.matches('}').count() {
            return Err(format!("phrase \"{p}\" has an unbalanced `{{`/`}}`"));
        }
        patterns.push(Pattern::Phrase(p));
    }
    if let Some(r) = raw.regex {
        if let Err(detail) = check_regex(&r) {
            return Err(format!("invalid regex /{r}/: {detail}"));
        }
        patterns.push(Pattern::Regex(r));
    }
    if let Some(c) = raw.code {
        let c = c.into_string();
        if normalize_code(&c).is_none() {
            return Err(format!("code `{c}` is not an 8-digit hex code such as 0xC0002A0F"));
        }
        patterns.push(Pattern::Code(c));
    }
    if let Some(n) = raw.event_id {
        patterns.push(Pattern::EventId(n));
    }
    if let Some(n) = raw.msi_error {
        patterns.push(Pattern::MsiError(n));
    }
    let pattern =
        match patterns.len() {
            1 => patterns.remove(0),
            0 => return Err("a signature needs one of: phrase, regex, code, event_id, msi_error".into()),
            _ => return Err(
                "a signature may have only one of: phrase, regex, code, event_id, msi_error (split it into several)"
                    .into(),
            ),
        };
    let weight = match raw.weight {
        Some(w) if !(-10.0..=10.0).contains(&w) || w == 0.0 => {
            return Err(format!("weight {w} is outside -10..10 or zero"));
        }
        Some(w) => w,
        None => pattern.default_weight(),
    };
    Ok(Signature { pattern, weight, line: 0, from_catalogue: None })
}

/// Checks a signature regex's syntax under the options the matcher compiles it with (ASCII
/// case folding, byte-oriented `.`), without the cost of building its automaton.
fn check_regex(source: &str) -> Result<(), String> {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .unicode(false)
        .utf8(false)
        .build()
        .parse(source)
        .map(|_| ())
        .map_err(|e| e.to_string().lines().last().unwrap_or("").trim().to_string())
}

fn phrase_has_words(phrase: &str) -> bool {
    super::model::phrase_fixed_parts(phrase).any(|part| part.chars().any(char::is_alphanumeric))
}

/// `0xC0002A0F`, `0xc0002a0f` and `C0002A0F` all become `c0002a0f`; anything else is `None`.
pub fn normalize_code(code: &str) -> Option<String> {
    let trimmed = code.trim();
    let hex = trimmed.strip_prefix("0x").or_else(|| trimmed.strip_prefix("0X")).unwrap_or(trimmed);
    (hex.len() == 8 && hex.chars().all(|c| c.is_ascii_hexdigit())).then(|| hex.to_ascii_lowercase())
}

/// Lower-case words joined by `-`, at least two of them (the area and a name).
pub(super) fn is_kebab_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() >= 2
        && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin { layer: "test".into(), file: "x.yaml".into(), line: 0 }
    }

    const GOOD: &str = r#"
id: sso-test-entry
title: A test entry
kind: known-issue
phase: any
severity: error
signatures:
  - phrase: "some words here"
  - code: 0xC0002A0F
  - regex: 'abc\s+def'
    weight: 2
cause: Because.
fix:
  - step: Do it.
    command: do-it.exe
references: [https://example.org]
examples: ["some words here", "abc def"]
"#;

    #[test]
    fn parses_a_valid_entry_with_bare_hex_code_and_default_weights() {
        let e = parse_entry(GOOD, origin()).expect("valid");
        assert_eq!(e.id, "sso-test-entry");
        assert_eq!(e.signatures.len(), 3);
        assert_eq!(e.signatures[1].pattern, Pattern::Code("0xC0002A0F".into()));
        assert_eq!(e.signatures[2].weight, 2.0);
        assert_eq!(e.signatures[0].line, 8);
        assert_eq!(e.fix[0].command.as_deref(), Some("do-it.exe"));
    }

    #[test]
    fn an_example_may_carry_the_url_it_was_copied_from() {
        let text = GOOD.replace(
            r#"examples: ["some words here", "abc def"]"#,
            "examples:\n  - some words here\n  - text: abc def\n    source: https://github.com/o/r/issues/1\n",
        );
        let e = parse_entry(&text, origin()).expect("valid");
        assert_eq!(e.examples, vec!["some words here".to_string(), "abc def".to_string()]);
        assert_eq!(e.example_sources, vec![None, Some("https://github.com/o/r/issues/1".to_string())]);
        let bad = text.replace("https://github.com/o/r/issues/1", "a forum somewhere");
        let errs = parse_entry(&bad, origin()).unwrap_err();
        assert!(errs[0].message.contains("is not a URL"), "{}", errs[0].message);
        assert_eq!(errs[0].line, Some(19));
    }

    #[test]
    fn a_bad_regex_names_the_line_of_its_signature() {
        let text = GOOD.replace(r"'abc\s+def'", "'abc(def'");
        let errs = parse_entry(&text, origin()).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].line, Some(10));
        assert!(errs[0].message.contains("invalid regex"), "{}", errs[0].message);
    }

    #[test]
    fn malformed_yaml_has_a_line_and_column() {
        let text = GOOD.replace("kind: known-issue", "kind: [known-issue");
        let errs = parse_entry(&text, origin()).unwrap_err();
        assert!(errs[0].line.is_some() && errs[0].column.is_some(), "{:?}", errs[0]);
    }

    #[test]
    fn unknown_fields_and_bad_enum_values_are_errors() {
        let errs = parse_entry(&GOOD.replace("cause:", "causes:"), origin()).unwrap_err();
        assert!(errs[0].message.contains("causes"), "{}", errs[0].message);
        let errs = parse_entry(&GOOD.replace("severity: error", "severity: fatal"), origin()).unwrap_err();
        assert!(errs[0].message.contains("fatal"), "{}", errs[0].message);
    }

    #[test]
    fn a_signature_with_two_kinds_or_none_is_rejected() {
        let text = GOOD.replace("  - code: 0xC0002A0F", "  - code: 0xC0002A0F\n    phrase: two");
        let errs = parse_entry(&text, origin()).unwrap_err();
        assert!(errs[0].message.contains("only one"));
        let text = GOOD.replace("  - code: 0xC0002A0F", "  - weight: 3");
        assert!(parse_entry(&text, origin()).unwrap_err()[0].message.contains("needs one of"));
    }

    #[test]
    fn ids_must_be_kebab_case_with_an_area() {
        let errs = parse_entry(&GOOD.replace("sso-test-entry", "SSO_Test"), origin()).unwrap_err();
        assert!(errs[0].message.contains("lower-case"));
    }

    #[test]
    fn codes_normalise_with_or_without_prefix_and_case() {
        assert_eq!(normalize_code("0xC0002A0F").as_deref(), Some("c0002a0f"));
        assert_eq!(normalize_code("c0002a0f").as_deref(), Some("c0002a0f"));
        assert_eq!(normalize_code("0x1234"), None);
    }
}
