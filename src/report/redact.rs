//! Removing secrets from any text that leaves the tool: passwords in connection strings,
//! `-password:`-style arguments, and tokens in URLs.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// What replaces a secret.
pub const MASK: &str = "***";

static CONNECTION_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b((?:password|pwd)\s*=\s*)(?:"[^"]*"|'[^']*'|\{[^}]*\}|[^;"'\s]+)"#).expect("static regex")
});
static ARGUMENT_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)([-/](?:password|pwd|passwd|secret|masterSecretPassword|mspassword)\s*[:=]\s*)(?:"[^"]*"|'[^']*'|\S+)"#,
    )
    .expect("static regex")
});
static URL_SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)([?&](?:access_token|token|sig|code|key|password|pwd|api[_-]?key|client_secret)=)[^&\s#]+")
        .expect("static regex")
});
static URL_USERINFO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@/\s]+@").expect("static regex"));

/// `text` with every recognised secret replaced by [`MASK`]; borrowed when nothing changed.
pub fn secrets(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for (pattern, replacement) in [
        (&*CONNECTION_PASSWORD, "${1}***"),
        (&*ARGUMENT_PASSWORD, "${1}***"),
        (&*URL_SECRET, "${1}***"),
        (&*URL_USERINFO, "${1}***@"),
    ] {
        if pattern.is_match(&out) {
            out = Cow::Owned(pattern.replace_all(&out, replacement).into_owned());
        }
    }
    out
}

/// Pretty JSON of `value` with [`secrets`] applied to every string in it (keys included), so
/// masking works on the text itself, never on its JSON escaping.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut tree = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    mask_strings(&mut tree);
    serde_json::to_string_pretty(&tree).unwrap_or_default()
}

fn mask_strings(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(masked) = secrets(s) {
                *s = masked;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_strings),
        Value::Object(map) => {
            let masked: serde_json::Map<String, Value> = std::mem::take(map)
                .into_iter()
                .map(|(k, mut v)| {
                    mask_strings(&mut v);
                    (secrets(&k).into_owned(), v)
                })
                .collect();
            *map = masked;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::{json, secrets};

    #[test]
    fn json_masks_quoted_passwords_and_stays_valid() {
        let value = serde_json::json!({"text": "conn: Password=\"p@ss word\";Server=x", "list": ["pwd=abc"]});
        let out = json(&value);
        assert!(!out.contains("p@ss") && !out.contains("abc"), "{out}");
        let parsed: serde_json::Value = serde_json::from_str(&out).expect("still JSON");
        assert_eq!(parsed["text"], "conn: Password=***;Server=x");
    }

    #[test]
    fn connection_string_passwords_are_masked_in_any_case() {
        let s = secrets("Server=sql01;User ID=sa;Password=Pa55;Database=x; PWD = 'a b' ;pwd={x;y}");
        assert_eq!(s, "Server=sql01;User ID=sa;Password=***;Database=x; PWD = *** ;pwd=***");
    }

    #[test]
    fn arguments_and_urls_are_masked_and_clean_text_is_untouched() {
        assert_eq!(
            secrets("ssoconfig -restoresecret x.bak -password:S3cret!"),
            "ssoconfig -restoresecret x.bak -password:***"
        );
        assert_eq!(secrets("GET https://h/x?token=abc&y=1"), "GET https://h/x?token=***&y=1");
        assert_eq!(secrets("http://user:hunter2@host/"), "http://user:***@host/");
        assert!(matches!(secrets("Login failed for user 'sa'."), std::borrow::Cow::Borrowed(_)));
    }
}
