//! Removing secrets from any text that leaves the tool: passwords in connection strings,
//! `-password:`-style arguments, and tokens in URLs.

use regex::Regex;
use std::borrow::Cow;
use std::sync::LazyLock;

/// What replaces a secret.
pub const MASK: &str = "***";

/// `Password=` / `Pwd=` values: quoted (doubled quotes inside, JSON-escaped quotes, or a quote
/// cut off by a shortened line), braced, or unquoted up to `;` or the end of the line (spaces
/// included: a password may hold them).
static CONNECTION_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i)(\b\w*?(?:password|pwd)\s*=\s*)"#,
        r#"(?:"(?:[^"\r\n]|"")*"?|'(?:[^'\r\n]|'')*'?|\{(?:[^}\r\n]|\}\})*\}?|\\"(?:[^"\\\r\n]|\\[^"])*(?:\\")?|[^;\r\n]*)"#
    ))
    .expect("static regex")
});
/// `-password:x`, `/password=x`, `-password "x"` and their kin.
static ARGUMENT_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)([-/](?:password|pwd|passwd|secret|masterSecretPassword|mspassword)(?:[ \t]*[:=][ \t]*|[ \t]+))(?:"[^"\r\n]*"?|'[^'\r\n]*'?|\S+)"#)
        .expect("static regex")
});
/// Tokens in a URL's query or fragment.
static URL_SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)([?&#](?:access_token|id_token|token|sig|code|key|password|pwd|api[_-]?key|apikey|client_secret|secret|auth)=)[^&\s#]+",
    )
    .expect("static regex")
});
/// A URL's whole user-info part (`user:password@`, or a token used as the user name).
static URL_USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    // `user:pass@` where the password has no `/?#`, or one whose part before the first `/` is
    // not all digits (`h:8443/path/a@b` is a host, a port and a path, not user info).
    Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://)(?:[^\s/?#:@]*:(?:[^\s/?#]*@|[^\s/?#@]*[^\s0-9/?#@][^\s/?#@]*[/?#]\S*@)|[^\s/?#@]+@)")
        .expect("static regex")
});

/// `<Password>x</Password>` and its kin in XML (BizTalk bindings and configuration files).
static XML_SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(<(?:password|pwd|secret|clientsecret)\b[^>]*>)[^<]*(</)").expect("static regex")
});
/// `"password": "x"`, `password: x` (JSON, YAML, PowerShell output).
static KEY_VALUE_SECRET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)((?:^|[\s{,"'])["']?(?:password|pwd|passwd|secret|client_secret)["']?\s*:\s*)(?:"(?:[^"\\\r\n]|\\.)*"?|'[^'\r\n]*'?|[^\s,;}]+)"#)
        .expect("static regex")
});
/// `Authorization: Bearer x` and bare bearer tokens.
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{8,}").expect("static regex"));

/// A property name that says it holds a secret.
const SECRET_NAME: &str = r"\w*(?:password|passwd|secret|pwd|apikey|accesskey|accountkey|token)\w*";

/// Windows Installer's `PROPERTY CHANGE: Adding SSOPASSWORD property. Its value is '…'.` (and
/// `Modifying … Its current value is '…'. Its new value: '…'.`) for a secret-looking property:
/// every quoted value on the line.
static MSI_PROPERTY_CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)PROPERTY CHANGE: \w+ {SECRET_NAME} property\.[^\r\n]*")).expect("static regex")
});
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"'[^'\r\n]*'").expect("static regex"));
/// `Property(S): SSOKEY = …` and the other secret-looking MSI property dumps.
static MSI_PROPERTY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"(?i)(Property\([SCN]\):\s*{SECRET_NAME}\s*=\s*)[^\r\n]*")).expect("static regex")
});
/// `<add key="SSOPassword" value="…"/>` in a .config file.
static CONFIG_ADD_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r#"(?i)(<add\s+key\s*=\s*"{SECRET_NAME}"\s+value\s*=\s*")[^"]*(")"#)).expect("static regex")
});
/// Storage and API keys in connection strings and settings: `AccountKey=`, `SharedAccessKey=`,
/// `SharedAccessSignature=`, `client_secret=`, `ApiKey=`.
static KEY_SETTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|client_secret|ApiKey|api_key|AccessKey|SecretKey|SecretAccessKey)\s*[=:]\s*)(?:"[^"\r\n]*"?|[^;\s&"'<]+)"#)
        .expect("static regex")
});
/// `Authorization: <scheme> <credentials>` (any scheme) in a header dump.
static AUTHORIZATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bAuthorization\s*:\s*(?:(?:Bearer|Basic|Negotiate|NTLM|Digest|SharedKey)\s+)?)\S+")
        .expect("static regex")
});
/// Command-line passwords: `sqlcmd -P x`, `-p x`, `/p:x`.
static SHORT_PASSWORD_FLAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"((?:^|\s)(?:-[pP]\s+|/[pP]:))(?:"[^"\r\n]*"?|\S+)"#).expect("static regex"));
/// `net use \\server\share PASSWORD /user:…` and `net use … /user:DOMAIN\user PASSWORD`.
static NET_USE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(\bnet\s+use\s+(?:[a-z]:\s+|\*\s+)?\\\\\S+\s+)([^\s/]\S*)(\s+/user:)").expect("static regex")
});
static NET_USE_AFTER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(\bnet\s+use\b[^\r\n]*?/user:\S+\s+)([^\s/]\S*)").expect("static regex"));

/// Secret values the tool was given this run (a SQL login's password): masked wherever they
/// appear, whatever the wording around them (a server that echoes a password in its error).
static KNOWN: LazyLock<std::sync::RwLock<Vec<String>>> = LazyLock::new(Default::default);

/// Remembers a secret value so every output masks it. Values shorter than four characters are
/// not remembered (they would mask ordinary words).
pub fn remember(secret: &str) {
    if secret.chars().count() < 4 {
        return;
    }
    if let Ok(mut known) = KNOWN.write() {
        if !known.iter().any(|k| k == secret) {
            known.push(secret.to_string());
        }
    }
}

/// `text` with every recognised secret replaced by [`MASK`]; borrowed when nothing changed.
pub fn secrets(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    if let Ok(known) = KNOWN.read() {
        for secret in known.iter().filter(|k| text.contains(k.as_str())) {
            out = Cow::Owned(out.replace(secret.as_str(), MASK));
        }
    }
    if MSI_PROPERTY_CHANGE.is_match(&out) {
        let masked = MSI_PROPERTY_CHANGE
            .replace_all(&out, |c: &regex::Captures| QUOTED.replace_all(&c[0], "'***'").into_owned());
        out = Cow::Owned(masked.into_owned());
    }
    for (pattern, replacement) in [
        (&*CONNECTION_PASSWORD, "${1}***"),
        (&*ARGUMENT_PASSWORD, "${1}***"),
        (&*URL_SECRET, "${1}***"),
        (&*URL_USERINFO, "${1}***@"),
        (&*XML_SECRET, "${1}***${2}"),
        (&*KEY_VALUE_SECRET, "${1}***"),
        (&*BEARER, "${1}***"),
        (&*MSI_PROPERTY, "${1}***"),
        (&*CONFIG_ADD_KEY, "${1}***${2}"),
        (&*KEY_SETTING, "${1}***"),
        (&*AUTHORIZATION, "${1}***"),
        (&*SHORT_PASSWORD_FLAG, "${1}***"),
        (&*NET_USE, "${1}***${3}"),
        (&*NET_USE_AFTER, "${1}***"),
    ] {
        if pattern.is_match(&out) {
            out = Cow::Owned(pattern.replace_all(&out, replacement).into_owned());
        }
    }
    out
}

/// Masks, in place, every secret a match report would show (the evidence texts).
pub fn mask_match_report(report: &mut crate::matcher::MatchReport) {
    for m in &mut report.matches {
        for w in &mut m.why {
            mask(&mut w.matched);
        }
    }
}

/// Masks, in place, every log text a scan report would show: places, context lines,
/// templates, evidence and notes.
pub fn mask_scan_report(report: &mut crate::logs::ScanReport) {
    use crate::logs::{ContextLine, Place};
    let place = |p: &mut Place| mask(&mut p.text);
    let lines = |c: &mut Vec<ContextLine>| c.iter_mut().for_each(|l| mask(&mut l.text));
    if let Some(root) = report.root_cause.as_mut() {
        mask(&mut root.text);
        lines(&mut root.context);
    }
    report.phase_detail.evidence.iter_mut().for_each(place);
    for f in &mut report.findings {
        place(&mut f.first);
        place(&mut f.last);
        lines(&mut f.context);
    }
    for g in &mut report.unmatched {
        mask(&mut g.template);
        place(&mut g.first);
    }
    for file in &mut report.files {
        file.notes.iter_mut().for_each(mask);
    }
}

fn mask(text: &mut String) {
    if let Cow::Owned(masked) = secrets(text) {
        *text = masked;
    }
}

/// Pretty JSON of `value` with [`secrets`] applied to every string in it (keys included), so
/// masking works on the text itself, never on its JSON escaping.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut tree = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    mask_strings(&mut tree);
    serde_json::to_string_pretty(&tree).unwrap_or_default()
}

/// One line of compact JSON of `value` (no newline) with [`secrets`] applied to every string in
/// it, as [`json`] does: the form of a JSON Lines record.
pub fn json_line<T: serde::Serialize>(value: &T) -> String {
    let mut tree = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    mask_strings(&mut tree);
    serde_json::to_string(&tree).unwrap_or_default()
}

/// [`json`] written straight to `out` (no second copy of a large document), then a newline.
pub fn json_to<T: serde::Serialize>(value: &T, mut out: impl std::io::Write) -> std::io::Result<()> {
    let mut tree = serde_json::to_value(value).unwrap_or(serde_json::Value::Null);
    mask_strings(&mut tree);
    serde_json::to_writer_pretty(&mut out, &tree)?;
    out.write_all(b"\n")?;
    out.flush()
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
    fn secrets_in_xml_json_yaml_msi_properties_and_bearer_tokens_are_masked() {
        for (text, secret) in [
            ("<Password>Xml$ecret1</Password>", "Xml$ecret1"),
            ("{\"password\": \"JsonSecret2\"}", "JsonSecret2"),
            ("password: YamlSecret3", "YamlSecret3"),
            ("Property(S): SSO_PASSWORD = MsiSecret4", "MsiSecret4"),
            ("UserPassword=Plain5;", "Plain5"),
            ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc", "eyJhbGciOiJIUzI1NiJ9"),
            ("https://h/x?secret=UrlSecret6&a=1", "UrlSecret6"),
        ] {
            let masked = secrets(text);
            assert!(!masked.contains(secret), "{text} -> {masked}");
        }
        assert_eq!(secrets("the password policy and SQL Server 2016"), "the password policy and SQL Server 2016");
        assert_eq!(secrets("https://h:8443/path/a@b"), "https://h:8443/path/a@b", "a path with @ is not user info");
        assert_eq!(secrets("run it with -password\nthe next line"), "run it with -password\nthe next line");
        assert_eq!(secrets("https://user:pw@h/x"), "https://***@h/x");
    }

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
        for (input, leaked) in [
            ("Password=correct horse battery;Server=x", "horse"),
            (r#"Password=\"hunter2\";"#, "hunter2"),
            (r#"Password="a""b";"#, "b\""),
            ("Password = 'it''s';", "s'"),
            ("Server=s;Password=\"Tr0ub", "Tr0ub"),
        ] {
            let out = secrets(input);
            assert!(!out.contains(leaked), "{input} -> {out}");
            assert!(out.contains("***"), "{input} -> {out}");
        }
    }

    #[test]
    fn url_credentials_fragments_and_spaced_arguments_are_masked() {
        for (input, leaked) in [
            ("https://ghp_abcdef123456@github.com/x.git", "ghp_"),
            ("http://user:pa/ss@host", "pa/ss"),
            ("http://user:p@ss@host/x", "ss@"),
            ("https://h/cb#access_token=SECRETTOK", "SECRETTOK"),
            ("ssoconfig -restoreSecret f.bak -password \"S3cret\"", "S3cret"),
        ] {
            let out = secrets(input);
            assert!(!out.contains(leaked), "{input} -> {out}");
        }
    }

    #[test]
    fn arguments_and_urls_are_masked_and_clean_text_is_untouched() {
        assert_eq!(
            secrets("ssoconfig -restoresecret x.bak -password:S3cret!"),
            "ssoconfig -restoresecret x.bak -password:***"
        );
        assert_eq!(secrets("GET https://h/x?token=abc&y=1"), "GET https://h/x?token=***&y=1");
        assert_eq!(secrets("http://user:hunter2@host/"), "http://***@host/");
        assert!(matches!(secrets("Login failed for user 'sa'."), std::borrow::Cow::Borrowed(_)));
    }
}

#[cfg(test)]
mod forms {
    use super::secrets;

    /// Every secret form real logs and configs hold, with the secret that must not survive.
    pub const FORMS: &[(&str, &str)] = &[
        (
            "MSI (s) (2C:64) [15:48:23:562]: PROPERTY CHANGE: Adding SSOPASSWORD property. Its value is 'MsiAdd#1'.",
            "MsiAdd#1",
        ),
        (
            "PROPERTY CHANGE: Modifying SQL_SA_PWD property. Its current value is 'Old#2'. Its new value: 'New#2'.",
            "New#2",
        ),
        ("Property(S): SSO_MASTER_SECRET = Secret#3", "Secret#3"),
        ("Property(C): AZUREAPIKEY = Key#4", "Key#4"),
        (r#"<add key="SSOPassword" value="Cfg#5"/>"#, "Cfg#5"),
        (
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Zm9vYmFy+/==;EndpointSuffix=core.windows.net",
            "Zm9vYmFy",
        ),
        ("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=SasKey6=", "SasKey6"),
        ("grant_type=client_credentials&client_id=abc&client_secret=Cs#7xyz", "Cs#7xyz"),
        ("X-Api: ApiKey=Ak8-abcdef", "Ak8-abcdef"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("Authorization: SharedKey acct:Sig9abc", "Sig9abc"),
        ("sqlcmd -S SQL01 -U sa -P SqlCmd#10 -Q \"select 1\"", "SqlCmd#10"),
        ("setup.exe /p:Pw11-long", "Pw11-long"),
        (r"net use \\FILESRV01\share NetUse#12 /user:CONTOSO\svc", "NetUse#12"),
        (r"net use Z: \\FILESRV01\share /user:CONTOSO\svc NetUse#13", "NetUse#13"),
    ];

    #[test]
    fn every_form_is_masked_and_its_context_kept() {
        for (text, secret) in FORMS {
            let masked = secrets(text);
            assert!(!masked.contains(secret), "{text} -> {masked}");
            assert!(masked.contains("***"), "{text} -> {masked}");
        }
        assert_eq!(
            secrets("PROPERTY CHANGE: Adding INSTALLDIR property. Its value is 'C:\\Program Files'."),
            "PROPERTY CHANGE: Adding INSTALLDIR property. Its value is 'C:\\Program Files'.",
            "an ordinary property keeps its value"
        );
        assert_eq!(secrets(r#"<add key="LogLevel" value="4"/>"#), r#"<add key="LogLevel" value="4"/>"#);
    }

    #[test]
    fn a_remembered_secret_is_masked_wherever_it_appears() {
        super::remember("Echoed-Secret-42");
        assert_eq!(
            secrets("Login failed: the password Echoed-Secret-42 is wrong"),
            "Login failed: the password *** is wrong"
        );
        super::remember("ab");
        assert_eq!(secrets("a cab"), "a cab", "short values are not remembered");
    }
}
