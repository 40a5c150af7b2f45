//! The normalised template of an error line: the variable parts (numbers, GUIDs, hex codes,
//! paths, quoted names, times) replaced by placeholders, so the same error with different
//! values groups together.

use regex::Regex;
use std::sync::LazyLock;

/// Longest template kept, in characters.
const MAX_TEMPLATE: usize = 240;

static VARIABLES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?", "<guid>"),
        (r"'[^']{1,200}'", "'<s>'"),
        (r#""[^"]{1,200}""#, "\"<s>\""),
        // Folders may hold single spaces ("Program Files (x86)"); the last part may not.
        (r"(?:[A-Za-z]:\\|\\\\)(?:[\w.$~()\-]+(?: [\w.$~()\-]+)*\\)*[\w.$~()\-]*", "<path>"),
        (r"(?i)\b0x[0-9a-f]+\b", "<hex>"),
        (r"\b\d{1,2}:\d{2}(?::\d{2})?(?:[.:]\d+)?(?:\s?[AaPp][Mm])?\b", "<time>"),
        (r"\b\d{1,4}[-/]\d{1,2}[-/]\d{1,4}\b", "<date>"),
        (r"\b\d+\b", "<n>"),
    ]
    .into_iter()
    .map(|(p, r)| (Regex::new(p).expect("static regex"), r))
    .collect()
});

/// The template of a record's first line (log prefixes removed, white space folded).
pub fn template(first_line: &str) -> String {
    let line = crate::logs::msi::message(first_line);
    let line = crate::logs::format::CONFIGLOG_LINE.find(line).map_or(line, |m| &line[m.end()..]);
    let mut out = line.trim().to_string();
    for (pattern, placeholder) in VARIABLES.iter() {
        if pattern.is_match(&out) {
            out = pattern.replace_all(&out, *placeholder).into_owned();
        }
    }
    let folded = crate::text::squash_space(&out);
    match folded.char_indices().nth(MAX_TEMPLATE) {
        Some((cut, _)) => format!("{}…", &folded[..cut]),
        None => folded,
    }
}

#[cfg(test)]
mod tests {
    use super::template;

    #[test]
    fn variable_parts_become_placeholders() {
        let a = template("2017-01-12 10:00:01 ERROR Failed to copy binding file C:\\Deploy\\Bindings\\Orders.xml to \\\\FILESRV01\\share: The network name cannot be found.");
        let b = template("2017-01-13 11:22:33 ERROR Failed to copy binding file C:\\Deploy\\Bindings\\Invoices.xml to \\\\FILESRV01\\share: The network name cannot be found.");
        assert_eq!(a, b);
        assert!(a.contains("<path>"), "{a}");
        assert_eq!(template("MSI (s) (2C:64) [15:48:23:562]: Error 1722. code 0x80070005 {12345678-1234-1234-1234-123456789ABC} 'x'"), "Error <n>. code <hex> <guid> '<s>'");
        assert_eq!(
            template("[1:57:09 PM Error ConfigHelper] SQL error: 08001 Native error code: 17"),
            "SQL error: <n> Native error code: <n>"
        );
    }
}
