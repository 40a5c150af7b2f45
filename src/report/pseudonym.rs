//! Replacing machine and account names with stable pseudonyms (HOST-1, USER-1) so a shared
//! report stays readable without naming the environment. Names are learned from the places
//! they reliably appear (connection strings, UNC paths, `DOMAIN\user`, quoted names after
//! "computer", "server" or "user"), then every occurrence of a learned name is replaced,
//! wherever it appears later.

use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// What to replace.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Machine names become HOST-n.
    pub hosts: bool,
    /// Account names become USER-n.
    pub users: bool,
}

/// Learned names and their pseudonyms; the same name (any case) always gets the same one.
#[derive(Debug, Clone, Default)]
pub struct Pseudonyms {
    options: Options,
    names: HashMap<String, String>,
    order: Vec<(String, String)>,
    hosts: usize,
    users: usize,
}

static CONN_SERVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:server|data source|address|addr|network address)\s*=\s*(?:tcp:)?([A-Za-z0-9][A-Za-z0-9_.-]*)")
        .expect("static regex")
});
static UNC_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:^|[\s'"(=])\\\\([A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9])\\"#).expect("static regex")
});
static QUOTED_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:computer|server|machine|node|cluster)(?:\s+name)?\s*[:=]?\s*['"]([A-Za-z0-9][A-Za-z0-9_.\\-]*)['"]"#).expect("static regex")
});
static RUNNING_ON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:running|not running) on ([A-Z][A-Z0-9_-]{1,14})\b").expect("static regex"));
/// What the live checks say about machines: the group's servers and the SSO servers.
static CHECK_HOSTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:servers? in the group: |master secret server |SSODB names |the group records |the group agrees \(|group's BizTalk servers \()([A-Za-z0-9][A-Za-z0-9_.,\s-]*?)(?:[;)]|$| \(| as master| upgrade)").expect("static regex")
});
static DOMAIN_USER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(^|[\s'\x22(=,;])([A-Z][A-Z0-9_-]{1,14})\\([A-Za-z0-9._$-]{1,64})").expect("static regex")
});
static CONN_USER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:user id|uid|user)\s*=\s*([^;'\x22\s][^;'\x22]*)").expect("static regex"));
static QUOTED_USER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\b(?:user|account|login)\s+['"]([^'"\r\n]{1,80})['"]"#).expect("static regex"));

/// Well-known principals and registry hives that look like `DOMAIN\\name` but name nobody.
const NOT_DOMAINS: &[&str] = &[
    "BUILTIN",
    "AUTHORITY",
    "NT AUTHORITY",
    "NT SERVICE",
    "SERVICE",
    "APPPOOL",
    "IIS APPPOOL",
    "HKLM",
    "HKCU",
    "HKCR",
    "HKU",
    "HKCC",
    "WINDOWS",
    "SOFTWARE",
    "SYSTEM",
];
/// Words a name pattern may catch that are not anybody's names: product words, well-known
/// accounts and instance names. Replacing them would mangle ordinary report text.
const NOT_NAMES: &[&str] = &[
    "localhost",
    "local",
    "sa",
    "***",
    "(local)",
    ".",
    "biztalk",
    "microsoft",
    "server",
    "sql",
    "sql server",
    "windows",
    "system",
    "network service",
    "local service",
    "localsystem",
    "mssqlserver",
    "sqlexpress",
    "db",
    "management db",
    "administrators",
    "users",
    "everyone",
    "guest",
    "anonymous logon",
    "the",
    "this",
    "that",
];

impl Pseudonyms {
    /// Nothing learned yet.
    pub fn new(options: Options) -> Self {
        Pseudonyms { options, ..Default::default() }
    }

    /// Whether anything is to be replaced at all.
    pub fn enabled(&self) -> bool {
        self.options.hosts || self.options.users
    }

    fn add(&mut self, name: &str, user: bool) {
        let name = name.trim().trim_matches(['.', ',', ';']);
        if name.len() < 2
            || NOT_NAMES.iter().any(|n| n.eq_ignore_ascii_case(name))
            || name.starts_with("HOST-")
            || name.starts_with("USER-")
        {
            return;
        }
        if let Some((domain, _)) = name.split_once('\\') {
            if NOT_DOMAINS.iter().any(|d| d.eq_ignore_ascii_case(domain)) {
                return;
            }
        }
        let key = name.to_ascii_lowercase();
        if self.names.contains_key(&key) {
            return;
        }
        let pseudonym = if user {
            self.users += 1;
            format!("USER-{}", self.users)
        } else {
            self.hosts += 1;
            format!("HOST-{}", self.hosts)
        };
        self.names.insert(key, pseudonym.clone());
        self.order.push((name.to_string(), pseudonym));
    }

    /// Learns the names in a text: machines first, so `SERVER\INSTANCE` is never taken for
    /// `DOMAIN\user`.
    pub fn learn(&mut self, text: &str) {
        self.learn_hosts(text);
        self.learn_users(text);
    }

    /// Whether a name was learned as a machine.
    fn is_host(&self, name: &str) -> bool {
        self.names.get(&name.to_ascii_lowercase()).is_some_and(|p| p.starts_with("HOST-"))
    }

    /// Learns a machine name known for sure (the SQL Server of the checks): its host part.
    pub fn learn_host(&mut self, server: &str) {
        if self.options.hosts {
            let s = server.trim();
            let s = if s.len() >= 4 && s[..4].eq_ignore_ascii_case("tcp:") { &s[4..] } else { s };
            let host = s.split(['\\', ',']).next().unwrap_or(s).to_string();
            self.add(&host, false);
            if let Some((first, _)) = host.split_once('.') {
                self.add(first, false);
            }
        }
    }

    /// Learns an account name known for sure (the SQL login of the checks).
    pub fn learn_user(&mut self, user: &str) {
        if self.options.users {
            self.add(user, true);
            if let Some((_, bare)) = user.split_once('\\') {
                self.add(bare, true);
            }
        }
    }

    fn learn_hosts(&mut self, text: &str) {
        if self.options.hosts {
            let listed: Vec<String> = CHECK_HOSTS
                .captures_iter(text)
                .flat_map(|c| c[1].split(',').map(|n| n.trim().to_string()).collect::<Vec<_>>())
                .collect();
            for name in listed {
                if !name.contains(' ') {
                    self.learn_host(&name);
                }
            }
            for re in [&*CONN_SERVER, &*UNC_HOST, &*QUOTED_HOST, &*RUNNING_ON] {
                let found: Vec<String> =
                    re.captures_iter(text).filter_map(|c| c.get(1)).map(|m| m.as_str().to_string()).collect();
                for name in found {
                    let host = name.split(['\\', ',']).next().unwrap_or(&name).to_string();
                    self.add(&host, false);
                    // The first label of a fully qualified name is the machine too.
                    if let Some((first, _)) = host.split_once('.') {
                        if first.chars().any(|c| c.is_ascii_alphabetic()) {
                            self.add(first, false);
                        }
                    }
                }
            }
        }
    }

    fn learn_users(&mut self, text: &str) {
        if self.options.users {
            let mut found: Vec<String> = DOMAIN_USER
                .captures_iter(text)
                .filter(|c| {
                    !NOT_DOMAINS.contains(&&c[2])
                        && !self.is_host(&c[2])
                        && !is_instance_context(text, c.get(2).map_or(0, |m| m.start()))
                })
                .map(|c| format!("{}\\{}", &c[2], &c[3]))
                .collect();
            found.extend(CONN_USER.captures_iter(text).map(|c| c[1].trim().to_string()));
            found.extend(QUOTED_USER.captures_iter(text).map(|c| c[1].to_string()));
            // `SERVER\INSTANCE` after a learned server is an instance, not an account.
            found.retain(|n| !n.split_once('\\').is_some_and(|(d, _)| self.is_host(d)));
            for name in found {
                self.add(&name, true);
                if let Some((_, user)) = name.split_once('\\') {
                    self.add(user, true);
                }
            }
        }
    }

    /// Replaces every learned name in a text (longest first, whole words, any case).
    pub fn apply(&self, text: &str) -> String {
        if self.order.is_empty() {
            return text.to_string();
        }
        let mut names: Vec<&(String, String)> = self.order.iter().collect();
        names.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        let mut out = text.to_string();
        for (name, pseudonym) in names {
            let pattern = format!(r"(?i)(^|[^A-Za-z0-9_$-]){}($|[^A-Za-z0-9_$-])", regex::escape(name));
            if let Ok(re) = Regex::new(&pattern) {
                // Twice: adjacent occurrences share the separator between them.
                for _ in 0..2 {
                    out = re.replace_all(&out, format!("${{1}}{pseudonym}${{2}}").as_str()).into_owned();
                }
            }
        }
        out
    }

    /// Learns from, then replaces in, every string of a JSON tree (keys left alone): every
    /// machine first, then every account.
    pub fn apply_json(&mut self, value: &mut serde_json::Value) {
        visit(value, &mut |s| self.learn_hosts(s));
        visit(value, &mut |s| self.learn_users(s));
        let this = &*self;
        visit_mut(value, &mut |s| *s = this.apply(s));
    }
}

/// Whether the `NAME\...` at `start` follows `Server=` or `Data Source=` (a named instance).
fn is_instance_context(text: &str, start: usize) -> bool {
    let before: String = text[..start].to_ascii_lowercase().chars().filter(|c| !c.is_whitespace()).collect();
    ["server=", "datasource=", "address=", "addr=", "tcp:", "connectingto", "instance"]
        .iter()
        .any(|k| before.ends_with(k))
}

fn visit(value: &serde_json::Value, f: &mut impl FnMut(&str)) {
    match value {
        serde_json::Value::String(s) => f(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| visit(v, f)),
        serde_json::Value::Object(map) => map.values().for_each(|v| visit(v, f)),
        _ => {}
    }
}

fn visit_mut(value: &mut serde_json::Value, f: &mut impl FnMut(&mut String)) {
    match value {
        serde_json::Value::String(s) => f(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| visit_mut(v, f)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| visit_mut(v, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both() -> Pseudonyms {
        Pseudonyms::new(Options { hosts: true, users: true })
    }

    #[test]
    fn names_are_learned_from_their_contexts_and_replaced_everywhere_stably() {
        let mut p = both();
        p.learn("Server=SQL01\\BIZTALK;Database=BizTalkMgmtDb;User ID=bts_check");
        p.learn("Login failed for user 'CONTOSO\\svc-bts'. Copying \\\\FILESRV02\\drop\\x.log");
        p.learn("SSO Master Secret Server service is not running on BTSCLUSTER01.Please start");
        let text = "sql01 and SQL01\\BIZTALK; CONTOSO\\svc-bts ran on BTSCLUSTER01; svc-bts again; bts_check; \\\\FILESRV02\\drop";
        let out = p.apply(text);
        for name in ["SQL01", "sql01", "svc-bts", "BTSCLUSTER01", "bts_check", "FILESRV02"] {
            assert!(!out.contains(name), "{name} survived: {out}");
        }
        assert!(out.starts_with("HOST-1 and HOST-1\\BIZTALK"), "{out}");
        assert_eq!(p.apply("SQL01"), "HOST-1", "the same name keeps its pseudonym");
    }

    #[test]
    fn known_targets_and_check_details_are_learned_and_product_words_are_not() {
        let mut p = both();
        p.learn_host("sql01.contoso.local,1433");
        p.learn_user("bts_check");
        for text in [
            "2 servers in the group: BTS01, BTS02; upgrade them one at a time",
            "SSODB names BTS09 as master secret server but the group records BTSSSO",
            "master secret server SSOCL (not one of the group's BizTalk servers (BTS01, BTS07): a dedicated",
            "Login failed for user 'NT AUTHORITY\\SYSTEM'. Server=DB; host 'BizTalkServerApplication'",
            "Connecting to SQL01\\BIZTALK failed; supported running on SQL Server 2016",
        ] {
            p.learn(text);
        }
        let out = p.apply("sql01 BTS01 BTS02 BTS09 BTSSSO SSOCL BTS07 bts_check; Microsoft BizTalk Server on SQL Server; Check the system disk; Management DB; BizTalkServerApplication; C:\\Windows\\Temp");
        assert_eq!(out, "HOST-2 HOST-3 HOST-4 HOST-5 HOST-6 HOST-7 HOST-8 USER-1; Microsoft BizTalk Server on SQL Server; Check the system disk; Management DB; BizTalkServerApplication; C:\\Windows\\Temp");
    }

    #[test]
    fn well_known_principals_paths_and_versions_are_left_alone() {
        let mut p = both();
        let text = "NT AUTHORITY\\NETWORK SERVICE and BUILTIN\\Users under HKLM\\SOFTWARE\\Microsoft; C:\\Program Files\\Microsoft BizTalk Server 2016; SQL Server 2016";
        p.learn(text);
        assert_eq!(p.apply(text), text);
        let hosts_only = {
            let mut h = Pseudonyms::new(Options { hosts: true, users: false });
            h.learn("Login failed for user 'CONTOSO\\svc-bts' on server 'SQL01'");
            h.apply("CONTOSO\\svc-bts on SQL01")
        };
        assert_eq!(hosts_only, "CONTOSO\\svc-bts on HOST-1");
    }
}
