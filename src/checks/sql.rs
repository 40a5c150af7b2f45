//! The SQL Server side of the live checks: where to connect (an ADO.NET connection string, a
//! form, or the BizTalk registry), logging in through tiberius read-only with TLS by default,
//! turning connection failures into knowledge entries, and reading rows back through the guard.

use super::result::Verdict;
use super::sql_guard;
use serde::Serialize;
use std::fmt;
use std::time::Duration;
use tiberius::{AuthMethod, ColumnData, Config, SqlBrowser};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

/// The environment variable that holds a SQL login's password, so scripts need no prompt.
pub const PASSWORD_ENV: &str = "BTS_DOCTOR_SQL_PASSWORD";
/// The Management database's default name.
pub const DEFAULT_DATABASE: &str = "BizTalkMgmtDb";
/// Seconds to reach and log in to SQL Server unless `Connect Timeout` says otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: u64 = 10;
/// Seconds a query may run unless `Command Timeout` says otherwise.
pub const DEFAULT_QUERY_TIMEOUT: u64 = 15;

/// A logged-in connection.
pub type SqlClient = tiberius::Client<Compat<TcpStream>>;

/// Where the connection details came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetSource {
    /// `--sql` or `BTS_DOCTOR_SQL`.
    ConnectionString,
    /// The TUI's connection form.
    Form,
    /// `MgmtDBServer` / `MgmtDBName` in the BizTalk registry key.
    Registry,
}

/// How the connection authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    /// A SQL Server login (user name and password).
    SqlLogin,
    /// Windows integrated security (on Windows only).
    Integrated,
}

/// A SQL Server to check. Serialises without secrets (this is the JSON `target`); the password
/// lives only in memory and never reaches `Debug`, `Display` or JSON.
#[derive(Clone, PartialEq, Serialize)]
pub struct SqlTarget {
    /// The server as written: `host`, `host,port` or `host\instance`.
    pub server: String,
    /// The database (the BizTalk Management database).
    pub database: String,
    /// How the connection logs in.
    pub auth: AuthKind,
    /// The SQL login, when one is used (a name, not a secret).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `required`, `strict` (TDS 8.0), `off` (login only) or `plaintext`.
    pub encrypt: String,
    /// Whether the server's certificate is trusted without validation.
    pub trust_server_certificate: bool,
    /// Seconds allowed to connect and log in.
    pub connect_timeout_secs: u64,
    /// Seconds allowed per query.
    pub query_timeout_secs: u64,
    /// Where these details came from.
    pub source: TargetSource,
    #[serde(skip)]
    ado: String,
    #[serde(skip)]
    trust_ca: bool,
    #[serde(skip)]
    password: Option<String>,
}

impl fmt::Debug for SqlTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlTarget")
            .field("server", &self.server)
            .field("database", &self.database)
            .field("auth", &self.auth)
            .field("user", &self.user)
            .field("encrypt", &self.encrypt)
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

impl SqlTarget {
    /// Reads an ADO.NET connection string (`Server=...;Database=...;User ID=...`). The password
    /// may be in it, in `BTS_DOCTOR_SQL_PASSWORD`, or asked for by the caller.
    pub fn from_connection_string(text: &str, source: TargetSource) -> Result<Self, String> {
        let ado = parse_ado(text).map_err(|why| {
            format!(
                "the SQL connection string cannot be read ({why}); write it as Server=HOST;Database=DB;User ID=NAME"
            )
        })?;
        // Keys in the order of precedence tiberius uses (Server before Data Source).
        let get = |keys: &[&str]| {
            keys.iter().find_map(|key| {
                ado.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.trim().to_string())
            })
        };
        let server = get(&["server", "data source"]).filter(|s| !s.is_empty());
        // tiberius reads only Server / Data Source; an Address alone is passed on as Server.
        let (server, alias) = match server {
            Some(s) => (s, false),
            None => (
                get(&["address", "addr", "network address"]).filter(|s| !s.is_empty()).ok_or(
                    "the SQL connection string has no Server=; add Server=HOST (or HOST\\INSTANCE, HOST,PORT)",
                )?,
                true,
            ),
        };
        // What tiberius reads: the same pairs without the password (set through the API, so
        // any character works and it never sits in a string tiberius might echo).
        let mut parts: Vec<String> = ado
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("password") && !k.eq_ignore_ascii_case("pwd"))
            // tiberius reads DANGER_PLAINTEXT in upper case only: hand it the spelling it knows.
            .map(|(k, v)| {
                match (k.eq_ignore_ascii_case("encrypt"), v.trim().eq_ignore_ascii_case("danger_plaintext")) {
                    (true, true) => format!("{k}=DANGER_PLAINTEXT"),
                    _ => format!("{k}={}", quote(v)),
                }
            })
            .collect();
        if alias {
            parts.push(format!("Server={}", quote(&server)));
        }
        let ado_text = parts.join(";");
        let database =
            get(&["database", "initial catalog"]).filter(|d| !d.is_empty()).unwrap_or(DEFAULT_DATABASE.into());
        let user = get(&["user id", "uid", "user", "username"]).filter(|u| !u.is_empty());
        let password = get(&["password", "pwd"]);
        let integrated = get(&["integrated security", "integratedsecurity", "trusted_connection"])
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "sspi"));
        let auth = if user.is_some() && !integrated { AuthKind::SqlLogin } else { AuthKind::Integrated };
        if auth == AuthKind::Integrated && !cfg!(windows) {
            return Err(format!(
                "integrated security needs Windows; on {} give User ID=LOGIN and put the password in {PASSWORD_ENV}",
                crate::kb::check_spec::current_os_name()
            ));
        }
        let encrypt = match get(&["encrypt"]).map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("true" | "yes") => "required",
            Some("strict") => "strict",
            Some("false" | "no") => "off",
            Some("danger_plaintext") => "plaintext",
            Some(other) => return Err(format!("Encrypt={other} is not understood; use true, strict or false")),
        };
        let trust_server_certificate = get(&["trustservercertificate", "trust server certificate"])
            .is_some_and(|v| v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("yes"));
        let trust_ca = get(&["trustservercertificateca"]).is_some_and(|v| !v.is_empty());
        if trust_server_certificate && trust_ca {
            return Err("TrustServerCertificate and TrustServerCertificateCA cannot be used together; keep one".into());
        }
        let seconds = |keys: &[&str], default: u64| -> Result<u64, String> {
            match get(keys) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u64>()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or(format!("{}={v} is not a number of seconds", keys[0])),
            }
        };
        let connect_timeout_secs =
            seconds(&["connect timeout", "connection timeout", "timeout"], DEFAULT_CONNECT_TIMEOUT)?;
        let query_timeout_secs = seconds(&["command timeout"], DEFAULT_QUERY_TIMEOUT)?;
        let mut target = SqlTarget {
            server,
            database,
            auth,
            user,
            encrypt: encrypt.to_string(),
            trust_server_certificate,
            connect_timeout_secs,
            query_timeout_secs,
            source,
            ado: ado_text,
            trust_ca,
            password: password.filter(|p| !p.is_empty()).inspect(|p| crate::report::redact::remember(p)),
        };
        // Validate once now, so a bad string is a usage error and not a failed check.
        target.tiberius_config().map_err(|e| format!("the SQL connection string is not valid: {e}"))?;
        if target.password.is_none() {
            target.password = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty());
            if let Some(p) = &target.password {
                crate::report::redact::remember(p);
            }
        }
        Ok(target)
    }

    /// Builds a target from the TUI form's fields; an empty user means integrated security.
    pub fn from_form(server: &str, database: &str, user: &str, password: &str, trust: bool) -> Result<Self, String> {
        let mut text = format!("Server={};Database={}", quote(server.trim()), quote(database.trim()));
        if user.trim().is_empty() {
            text.push_str(";Integrated Security=true");
        } else {
            text.push_str(&format!(";User ID={}", quote(user.trim())));
        }
        if trust {
            text.push_str(";TrustServerCertificate=true");
        }
        let mut target = SqlTarget::from_connection_string(&text, TargetSource::Form)?;
        if !password.is_empty() {
            crate::report::redact::remember(password);
            target.password = Some(password.to_string());
        }
        Ok(target)
    }

    /// Whether a SQL login still lacks its password (the caller asks for it, hidden).
    pub fn needs_password(&self) -> bool {
        self.auth == AuthKind::SqlLogin && self.password.is_none()
    }

    /// Supplies the password (from a hidden prompt or the form).
    pub fn set_password(&mut self, password: String) {
        crate::report::redact::remember(&password);
        self.password = Some(password);
    }

    /// Trusts the server's certificate without validating it (`--trust-server-certificate`).
    pub fn trust_certificate(&mut self) {
        self.trust_server_certificate = true;
    }

    /// The server without a `tcp:` prefix (any case).
    fn bare_server(&self) -> &str {
        let s = self.server.trim();
        if s.len() >= 4 && s[..4].eq_ignore_ascii_case("tcp:") {
            &s[4..]
        } else {
            s
        }
    }

    /// The host part of the server (for TCP probes of the SQL port); `(local)` and `.` are
    /// this computer.
    pub fn host(&self) -> String {
        let server = self.bare_server();
        let host = server.split([',', '\\']).next().unwrap_or(server).trim();
        if host == "." || host.eq_ignore_ascii_case("(local)") {
            "localhost".to_string()
        } else {
            host.to_string()
        }
    }

    /// The named instance, when the server names one (`HOST\INSTANCE` or `HOST\INSTANCE,PORT`).
    pub fn instance(&self) -> Option<String> {
        let (_, rest) = self.bare_server().split_once('\\')?;
        Some(rest.split(',').next().unwrap_or(rest).trim().to_string()).filter(|i| !i.is_empty())
    }

    /// The port written after the server (`HOST,1500`), if any.
    pub fn explicit_port(&self) -> Option<u16> {
        self.bare_server().split_once(',').and_then(|(_, p)| p.trim().parse().ok())
    }

    /// The TCP port: the one written, or 1433 (a named instance's port is found at connect time).
    pub fn port(&self) -> u16 {
        self.explicit_port().unwrap_or(1433)
    }

    /// One line naming the target, for screens and reports.
    pub fn describe(&self) -> String {
        let who = match (&self.auth, &self.user) {
            (AuthKind::SqlLogin, Some(user)) => format!("SQL login {user}"),
            _ => "Windows integrated security".to_string(),
        };
        format!("{} / {} ({who}, encrypt {})", self.server, self.database, self.encrypt)
    }

    /// What decides whether the server's TLS certificate is accepted, in words for a message
    /// about a refused certificate: the CA file given in the string, no validation at all, or
    /// the platform's store (SChannel and the Windows certificate store on Windows, rustls with
    /// the operating system's roots elsewhere).
    pub fn trust_source(&self) -> String {
        if self.trust_ca {
            "the CA certificate file named in TrustServerCertificateCA".to_string()
        } else if self.trust_server_certificate {
            "none: TrustServerCertificate=true accepts any certificate without validation".to_string()
        } else {
            PLATFORM_TRUST_STORE.to_string()
        }
    }

    /// Masks this target's password (and anything that looks like a secret) in a message.
    pub fn hide(&self, text: &str) -> String {
        hide(text, self.password.as_deref())
    }

    fn tiberius_config(&self) -> Result<Config, String> {
        let mut config = Config::from_ado_string(&self.ado).map_err(|e| self.hide(&e.to_string()))?;
        config.database(&self.database);
        config.readonly(true);
        config.application_name("bts-doctor");
        // A CA file given in the string decides; trusting blindly on top of it is not allowed.
        if self.trust_server_certificate && !self.trust_ca {
            config.trust_cert();
        }
        config.handshake_timeout(Some(Duration::from_secs(self.connect_timeout_secs)));
        config.command_timeout(Some(Duration::from_secs(self.query_timeout_secs)));
        match self.auth {
            AuthKind::SqlLogin => {
                let user = self.user.clone().unwrap_or_default();
                config.authentication(AuthMethod::sql_server(user, self.password.clone().unwrap_or_default()));
            }
            AuthKind::Integrated => {
                #[cfg(windows)]
                config.authentication(AuthMethod::Integrated);
            }
        }
        Ok(config)
    }
}

/// Reads an ADO.NET connection string into (key, value) pairs the way tiberius does: pairs
/// split on `;`, each on its first `=` (so `Password=Zm9v==` keeps its padding), values quoted
/// with `'…'`, `"…"` (the quote doubled inside) or `{…}` may hold `;`. Errors name a key at
/// most, never a value, because a value may be a password.
pub fn parse_ado(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ';' || c.is_whitespace());
        if rest.is_empty() {
            return Ok(pairs);
        }
        let eq = rest.find('=');
        let semi = rest.find(';');
        let Some(eq) = eq.filter(|&e| semi.is_none_or(|s| e < s)) else {
            return Err("a part has no `=`".into());
        };
        let key = rest[..eq].trim().to_string();
        if key.is_empty() {
            return Err("a part has no name before `=`".into());
        }
        let after = rest[eq + 1..].trim_start();
        let (value, remaining) = match after.chars().next() {
            Some(open @ ('\'' | '"')) => {
                let mut value = String::new();
                let mut chars = after[1..].char_indices().peekable();
                let mut end = None;
                while let Some((i, c)) = chars.next() {
                    if c == open {
                        if chars.peek().is_some_and(|&(_, n)| n == open) {
                            value.push(open);
                            chars.next();
                        } else {
                            end = Some(i + 2);
                            break;
                        }
                    } else {
                        value.push(c);
                    }
                }
                let end = end.ok_or(format!("the quoted value of `{key}` is not closed"))?;
                (value, &after[end..])
            }
            Some('{') => {
                let close = after.find('}').ok_or(format!("the braced value of `{key}` is not closed"))?;
                (after[1..close].to_string(), &after[close + 1..])
            }
            _ => {
                let end = after.find(';').unwrap_or(after.len());
                (after[..end].trim_end().to_string(), &after[end..])
            }
        };
        let remaining = remaining.trim_start();
        if !remaining.is_empty() && !remaining.starts_with(';') {
            return Err(format!("the value of `{key}` is followed by text before the next `;`"));
        }
        pairs.push((key, value));
        rest = remaining;
    }
}

/// Masks `password` and anything secret-looking in `text`.
fn hide(text: &str, password: Option<&str>) -> String {
    let mut text = text.to_string();
    if let Some(p) = password.filter(|p| p.len() >= 2) {
        text = text.replace(p, "********");
    }
    crate::report::redact::secrets(&text).into_owned()
}

/// Quotes an ADO.NET value when it holds `;`, quotes or edge spaces.
fn quote(value: &str) -> String {
    if value.contains([';', '"', '\'', '{', '=']) || value.trim() != value {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// Connects and logs in, within the target's connect timeout. A failure comes back as an
/// `error` verdict naming the knowledge entry that explains it.
pub async fn connect(target: &SqlTarget) -> Result<SqlClient, Verdict> {
    tracing::debug!(server = %target.server, database = %target.database, auth = ?target.auth, encrypt = %target.encrypt, "connecting to SQL Server");
    let config = target.tiberius_config().map_err(Verdict::error)?;
    let limit = Duration::from_secs(target.connect_timeout_secs);
    let attempt = async {
        let tcp = TcpStream::connect_named(&config).await.map_err(|e| (Stage::Reach, e))?;
        let _ = tcp.set_nodelay(true);
        tiberius::Client::connect(config, tcp.compat_write()).await.map_err(|e| (Stage::Login, e))
    };
    match tokio::time::timeout(limit, attempt).await {
        Ok(Ok(client)) => Ok(client),
        Ok(Err((stage, err))) => {
            let verdict = explain_connect_error(target, stage, &err);
            if let Verdict::Error { detail, issue } = &verdict {
                tracing::warn!(issue = ?issue, "SQL connection failed: {detail}");
            }
            Err(verdict)
        }
        Err(_) => Err(Verdict::Error {
            detail: format!(
                "no answer from {} within {}s (connect timeout): the server, port or firewall does not let the login through",
                target.server, target.connect_timeout_secs
            ),
            issue: Some(NETWORK_ERROR_40.into()),
        }),
    }
}

/// The knowledge entry for "could not open a connection to SQL Server".
pub const NETWORK_ERROR_40: &str = "sql-network-error-40";
/// The knowledge entry for "error locating server/instance specified".
pub const NETWORK_ERROR_26: &str = "sql-network-error-26";
/// The knowledge entry for "login failed".
pub const LOGIN_FAILED: &str = "sql-login-failed-18456";
/// The certificate store this build validates SQL Server certificates against by default.
#[cfg(windows)]
pub const PLATFORM_TRUST_STORE: &str = "the Windows certificate store, through SChannel (native-tls)";
/// The certificate store this build validates SQL Server certificates against by default.
#[cfg(not(windows))]
pub const PLATFORM_TRUST_STORE: &str = "this system's root certificates, read by rustls (rustls-native-certs)";

/// The knowledge entry for a TLS handshake that fails.
pub const TLS_FAILED: &str = "sql-tls-handshake-failed";

/// Which part of connecting failed.
#[derive(Debug, Clone, Copy)]
enum Stage {
    /// Finding the instance and opening TCP.
    Reach,
    /// Pre-login, TLS and login.
    Login,
}

/// Maps a tiberius failure to the entry an administrator would look up.
fn explain_connect_error(target: &SqlTarget, stage: Stage, err: &tiberius::error::Error) -> Verdict {
    let raw = target.hide(&err.to_string());
    let (issue, detail) = match (stage, err) {
        (_, tiberius::error::Error::Server(token)) if token.code() == 18456 => {
            (LOGIN_FAILED, format!("SQL Server refused the login (error 18456): {}", target.hide(token.message())))
        }
        (_, tiberius::error::Error::Server(token)) if token.code() == 4060 => {
            (LOGIN_FAILED, format!("the login cannot open database {} (error 4060): {}", target.database, target.hide(token.message())))
        }
        (_, tiberius::error::Error::Io { kind: std::io::ErrorKind::TimedOut, .. }) => (
            NETWORK_ERROR_40,
            format!(
                "no answer from {} within {}s (connect timeout): the server, port or firewall does not let the login through",
                target.server, target.connect_timeout_secs
            ),
        ),
        (_, tiberius::error::Error::Tls(_)) => (
            TLS_FAILED,
            format!(
                "the TLS handshake with {} failed: {raw}. Certificates were checked against {}. If the server uses a self-signed certificate, add TrustServerCertificate=true (or --trust-server-certificate), or name its CA with TrustServerCertificateCA",
                target.server,
                target.trust_source()
            ),
        ),
        (Stage::Reach, _) if target.instance().is_some() => (
            NETWORK_ERROR_26,
            format!("cannot locate instance {} on {} through the SQL Server Browser (UDP 1434): {raw}", target.instance().unwrap_or_default(), target.host()),
        ),
        (Stage::Reach, _) => (NETWORK_ERROR_40, format!("cannot open a connection to {}:{}: {raw}", target.host(), target.port())),
        (Stage::Login, tiberius::error::Error::Io { .. } | tiberius::error::Error::Protocol(_)) if target.encrypt != "plaintext" => (
            TLS_FAILED,
            format!("the server closed the connection during pre-login or TLS ({raw}); check that both sides allow the same TLS version and encryption setting"),
        ),
        (Stage::Login, _) => (NETWORK_ERROR_40, format!("the connection to {} failed during login: {raw}", target.server)),
    };
    Verdict::Error { detail, issue: Some(issue.into()) }
}

/// One value read back from a query.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// Any integer column.
    Int(i64),
    /// Any float or decimal column.
    Float(f64),
    /// Any string column (others are shown as text).
    Text(String),
}

impl Cell {
    /// The value as an integer, when it is one.
    pub fn int(&self) -> Option<i64> {
        match self {
            Cell::Int(n) => Some(*n),
            Cell::Float(f) => Some(*f as i64),
            Cell::Text(t) => t.trim().parse().ok(),
            Cell::Null => None,
        }
    }

    /// The value as text, when it is not NULL.
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Null => None,
            Cell::Int(n) => Some(n.to_string()),
            Cell::Float(f) => Some(f.to_string()),
            Cell::Text(t) => Some(t.clone()),
        }
    }
}

/// A row of cells, in column order.
pub type Row = Vec<Cell>;

/// Runs one read-only query: the guard first, then the server, within the query timeout.
pub async fn query(client: &mut SqlClient, sql: &str, limit: Duration) -> Result<Vec<Row>, String> {
    sql_guard::check(sql).map_err(|r| r.to_string())?;
    let run = async {
        let stream = client.simple_query(sql).await?;
        stream.into_first_result().await
    };
    let rows = match tokio::time::timeout(limit, run).await {
        Ok(Ok(rows)) => rows,
        Ok(Err(e)) => return Err(format!("the query failed: {}", hide(&e.to_string(), None))),
        Err(_) => return Err(format!("the query did not finish within {}s", limit.as_secs())),
    };
    Ok(rows.iter().map(|row| row.cells().map(|(_, data)| cell(data)).collect()).collect())
}

fn cell(data: &ColumnData<'static>) -> Cell {
    match data {
        ColumnData::U8(v) => v.map_or(Cell::Null, |n| Cell::Int(n.into())),
        ColumnData::I16(v) => v.map_or(Cell::Null, |n| Cell::Int(n.into())),
        ColumnData::I32(v) => v.map_or(Cell::Null, |n| Cell::Int(n.into())),
        ColumnData::I64(v) => v.map_or(Cell::Null, Cell::Int),
        ColumnData::F32(v) => v.map_or(Cell::Null, |n| Cell::Float(n.into())),
        ColumnData::F64(v) => v.map_or(Cell::Null, Cell::Float),
        ColumnData::Bit(v) => v.map_or(Cell::Null, |b| Cell::Int(b.into())),
        ColumnData::String(v) => v.as_ref().map_or(Cell::Null, |s| Cell::Text(s.to_string())),
        ColumnData::Numeric(v) => {
            v.map_or(Cell::Null, |n| Cell::Float(n.value() as f64 / 10f64.powi(n.scale().into())))
        }
        ColumnData::Guid(v) => v.map_or(Cell::Null, |g| Cell::Text(g.to_string())),
        _ => Cell::Null,
    }
}

/// Reads the Management database's location from the BizTalk registry key (both registry
/// views), as an integrated-security target. `None` off Windows or when BizTalk is not
/// configured here.
pub async fn registry_target() -> Option<Result<SqlTarget, String>> {
    if !cfg!(windows) {
        return None;
    }
    let key = r"HKLM\SOFTWARE\Microsoft\BizTalk Server\3.0\Administration";
    for view in ["/reg:64", "/reg:32"] {
        let output = tokio::process::Command::new("reg.exe")
            .args(["query", key, view])
            .kill_on_drop(true)
            .output()
            .await
            .ok()?;
        let text = String::from_utf8_lossy(&output.stdout);
        let Some(values) = super::windows_tools::parse_reg_query(&text) else { continue };
        let value =
            |name: &str| values.iter().find(|v| v.name.eq_ignore_ascii_case(name)).map(|v| v.data.trim().to_string());
        if let Some(server) = value("MgmtDBServer").filter(|s| !s.is_empty()) {
            let database = value("MgmtDBName").filter(|d| !d.is_empty()).unwrap_or(DEFAULT_DATABASE.into());
            let text = format!("Server={};Database={};Integrated Security=true", quote(&server), quote(&database));
            return Some(SqlTarget::from_connection_string(&text, TargetSource::Registry));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_string_is_read_without_keeping_the_password_visible() {
        let t = SqlTarget::from_connection_string(
            "Server=tcp:sql01,1500;Database=BizTalkMgmtDb;User ID=bts;Password=S3cr3t!x;TrustServerCertificate=true",
            TargetSource::ConnectionString,
        )
        .unwrap();
        assert_eq!((t.host(), t.port(), t.instance()), ("sql01".to_string(), 1500, None));
        assert_eq!(t.auth, AuthKind::SqlLogin);
        assert!(t.trust_server_certificate);
        assert_eq!(t.encrypt, "required");
        assert!(!t.needs_password());
        let shown = format!("{t:?} {} {}", serde_json::to_string(&t).unwrap(), t.describe());
        assert!(!shown.contains("S3cr3t"), "{shown}");
        assert_eq!(t.hide("login with S3cr3t!x failed"), "login with ******** failed");
    }

    #[test]
    fn the_trust_source_follows_the_connection_string() {
        let source = |text: &str| {
            SqlTarget::from_connection_string(text, TargetSource::ConnectionString).unwrap().trust_source()
        };
        assert_eq!(source("Server=a;User ID=u;Password=p"), PLATFORM_TRUST_STORE);
        assert!(source("Server=a;User ID=u;Password=p;TrustServerCertificate=true").starts_with("none"));
        assert!(source("Server=a;User ID=u;Password=p;TrustServerCertificateCA=C:\\ca.pem")
            .contains("TrustServerCertificateCA"));
    }

    #[test]
    fn a_named_instance_and_timeouts_are_understood() {
        let t = SqlTarget::from_connection_string(
            "Server=SQL02\\BIZTALK;User ID=sa;Connect Timeout=3;Command Timeout=7;Encrypt=strict",
            TargetSource::ConnectionString,
        )
        .unwrap();
        assert_eq!(t.instance().as_deref(), Some("BIZTALK"));
        assert_eq!(t.database, DEFAULT_DATABASE);
        assert_eq!((t.connect_timeout_secs, t.query_timeout_secs), (3, 7));
        assert_eq!(t.encrypt, "strict");
    }

    #[test]
    fn bad_connection_strings_say_what_to_write() {
        let no_server = SqlTarget::from_connection_string("Database=x;User ID=sa", TargetSource::ConnectionString);
        assert!(no_server.unwrap_err().contains("no Server="));
        let bad_timeout = SqlTarget::from_connection_string(
            "Server=a;User ID=sa;Connect Timeout=soon",
            TargetSource::ConnectionString,
        );
        assert!(bad_timeout.unwrap_err().contains("not a number of seconds"));
        let lower = SqlTarget::from_connection_string(
            "Server=a;User ID=sa;Encrypt=danger_plaintext",
            TargetSource::ConnectionString,
        )
        .unwrap();
        assert_eq!(lower.encrypt, "plaintext");
        assert!(lower.ado.contains("Encrypt=DANGER_PLAINTEXT"), "tiberius gets the spelling it reads: {}", lower.ado);
        let bad_encrypt =
            SqlTarget::from_connection_string("Server=a;User ID=sa;Encrypt=maybe", TargetSource::ConnectionString);
        assert!(bad_encrypt.unwrap_err().contains("Encrypt=maybe"));
        let both = SqlTarget::from_connection_string(
            "Server=a;User ID=sa;TrustServerCertificate=true;TrustServerCertificateCA=/tmp/ca.pem",
            TargetSource::ConnectionString,
        );
        assert!(both.unwrap_err().contains("cannot be used together"));
        if !cfg!(windows) {
            let integrated =
                SqlTarget::from_connection_string("Server=a;Integrated Security=SSPI", TargetSource::ConnectionString);
            assert!(integrated.unwrap_err().contains("integrated security needs Windows"));
        }
    }

    #[test]
    fn connection_strings_parse_like_tiberius_and_errors_never_show_a_value() {
        let pairs = parse_ado("Server=a; Password=Zm9v==;User ID='o''brien';App={x;y} ;Pwd=\"p\"\"q\"").unwrap();
        let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("Password"), Some("Zm9v=="));
        assert_eq!(get("User ID"), Some("o'brien"));
        assert_eq!(get("App"), Some("x;y"));
        assert_eq!(get("Pwd"), Some("p\"q"));
        let t =
            SqlTarget::from_connection_string("Server=a;User ID=u;Password=pässwörd", TargetSource::ConnectionString)
                .unwrap();
        assert!(!t.needs_password());
        for bad in
            ["Server=a;Password='Secret1", "Server=a;Password={Secret2", "Server=a;Password='Secret3'x", "Secret4"]
        {
            let err = SqlTarget::from_connection_string(bad, TargetSource::ConnectionString).unwrap_err();
            assert!(!err.contains("Secret"), "{err}");
        }
    }

    #[test]
    fn servers_are_read_as_tiberius_reads_them() {
        let t = |s: &str| {
            SqlTarget::from_connection_string(&format!("{s};User ID=sa"), TargetSource::ConnectionString).unwrap()
        };
        let both = t("Data Source=A;Server=B");
        assert_eq!(both.server, "B", "Server wins over Data Source, as in tiberius");
        let address = t("Address=sql9.example");
        assert_eq!(address.server, "sql9.example");
        assert!(address.ado.ends_with(";Server=sql9.example"), "tiberius is told the same server");
        assert!(!t("Server=a;Password=abc").ado.contains("abc"), "the password is not in tiberius's string");
        let named = t("Server=TCP:sql01\\BIZ,1500");
        assert_eq!(
            (named.host(), named.instance().as_deref(), named.explicit_port()),
            ("sql01".into(), Some("BIZ"), Some(1500))
        );
        assert_eq!(t("Server=(local)").host(), "localhost");
        assert_eq!(t("Server=.\\SQLEXPRESS").host(), "localhost");
        assert_eq!(t("Server=sql02\\BIZTALK").explicit_port(), None);
    }

    #[test]
    fn the_form_quotes_awkward_values() {
        let t = SqlTarget::from_form("sql03", "BizTalkMgmtDb", "svc;bts", "p@ss;w=rd", false).unwrap();
        assert_eq!(t.user.as_deref(), Some("svc;bts"));
        assert!(!t.needs_password());
        assert!(!format!("{t:?}").contains("p@ss"));
    }
}
