//! Live-check specifications: what to probe, what result to expect and which knowledge entry
//! explains a miss. They are data (`knowledge/checks/*.yaml`), embedded and overridable like the
//! entries, so a site can tune a threshold or add a service without a recompile.

use super::model::{Origin, Severity};
use super::problem::Problem;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// One live check, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckSpec {
    /// Stable id (`sql-server-version`, `local-entsso-service`); `--only` and results use it.
    pub id: String,
    /// One line saying what is confirmed.
    pub title: String,
    /// What is probed, with its parameters.
    pub probe: Probe,
    /// What a pass looks like.
    pub expect: Expect,
    /// How bad a miss is: `blocker`/`error` make it a failure, `warning`/`info` a warning.
    pub severity: Severity,
    /// The knowledge entry that explains a miss and how to fix it.
    pub issue: String,
    /// The 1-based step of that entry's fix that repairs a miss, when one step does.
    pub fix_step: Option<usize>,
    /// Where the check means something.
    pub platforms: Vec<Platform>,
    /// Seconds before the probe is abandoned (the runner's default when absent).
    pub timeout_secs: Option<u64>,
    /// Where it was loaded from.
    pub origin: Origin,
}

impl CheckSpec {
    /// Whether this check needs a SQL Server connection.
    pub fn needs_sql(&self) -> bool {
        self.probe.is_sql() || matches!(&self.probe, Probe::Tcp { host, .. } if host == SQL_HOST)
    }

    /// Whether the check judges against a failed setup run (the restore point): it belongs to
    /// the recovery guide, which knows the failure time, not to a general `check` run.
    pub fn is_guide_only(&self) -> bool {
        matches!(self.probe, Probe::SqlRestorePoint {})
    }

    /// Whether the check applies to the operating system this binary runs on.
    pub fn applies_here(&self) -> bool {
        self.platforms.iter().any(|p| p.is_current())
    }
}

/// The placeholder a `tcp` probe uses for the SQL Server of the connection.
pub const SQL_HOST: &str = "{sql-server}";

/// An operating system a check applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// Every system.
    Any,
    /// Windows only (BizTalk servers).
    Windows,
    /// Linux only (tests, tooling hosts).
    Linux,
}

impl Platform {
    /// Whether this binary runs on the platform.
    pub fn is_current(self) -> bool {
        match self {
            Platform::Any => true,
            Platform::Windows => cfg!(windows),
            Platform::Linux => cfg!(target_os = "linux"),
        }
    }
}

/// The system this binary runs on, as a person would name it ("not applicable on Linux").
pub fn current_os_name() -> &'static str {
    match std::env::consts::OS {
        "windows" => "Windows",
        "linux" => "Linux",
        "macos" => "macOS",
        other => other,
    }
}

/// What a check probes. SQL probes run read-only queries against the BizTalk Management
/// database's SQL Server; local probes look at the machine the tool runs on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Probe {
    /// Log in to SQL Server; the other SQL checks wait on this one.
    SqlConnection {},
    /// `SERVERPROPERTY` version and edition against BizTalk Server 2016's support.
    SqlServerVersion {},
    /// Each database is present and its last full backup (`msdb.dbo.backupset`) is recent.
    SqlDatabaseBackups {
        /// Databases that must exist on the instance.
        required: Vec<String>,
        /// Databases checked only when present (features not every group configures).
        #[serde(default)]
        optional: Vec<String>,
    },
    /// A SQL Agent job exists, is enabled and last succeeded.
    SqlAgentJob {
        /// The job name up to its database suffix, e.g. `Backup BizTalk Server` matches
        /// `Backup BizTalk Server (BizTalkMgmtDb)`.
        name: String,
    },
    /// Database Mail is enabled and has a profile (BAM Alerts in BizTalk 2016 need it).
    SqlDatabaseMail {},
    /// A host exists in the group, and which hosts an adapter's handlers use.
    SqlDefaultHost {
        /// The host that must exist.
        host: String,
        /// The adapter whose handlers are listed.
        adapter: String,
    },
    /// The BizTalk version recorded in the newest `Management DB` row of `BizTalkDBVersion`.
    SqlBiztalkVersion {},
    /// The servers that belong to the group.
    SqlGroupServers {},
    /// BAM real-time aggregations deployed while SQL Server is not Enterprise.
    SqlBamRta {
        /// The BAM Primary Import database.
        database: String,
    },
    /// The master secret server recorded in SSODB against the group's SSO server.
    SqlSsoSecretServer {
        /// The SSO database.
        database: String,
    },
    /// The newest mark of the Backup BizTalk Server job (`adm_BackupHistory`) taken before the
    /// failed setup run started, with the full and log backups that restore every database to
    /// it; a mark taken after the run started is refused.
    SqlRestorePoint {},
    /// Free space on the volumes of the BAM databases against their size.
    SqlBamFreeSpace {
        /// The BAM databases whose files are measured.
        databases: Vec<String>,
    },
    /// Free space on the volume holding a path.
    DiskFree {
        /// A path on the volume; `%VAR%` is expanded.
        path: String,
    },
    /// A directory grants write access (read from its permissions, never by writing).
    PathWritable {
        /// The directory; `%VAR%` is expanded.
        path: String,
        /// On Windows, the account that needs write access (e.g. `NT AUTHORITY\NETWORK SERVICE`).
        #[serde(default)]
        account: Option<String>,
    },
    /// A file is present; the file-name part may hold `*` and `?`.
    FilePresent {
        /// The file; `%VAR%` is expanded.
        path: String,
    },
    /// A TCP port accepts connections.
    Tcp {
        /// Host name or address; `{sql-server}` is the SQL Server of the connection.
        host: String,
        /// Port number; may be left out for `{sql-server}`, meaning the connection's port.
        #[serde(default)]
        port: Option<u16>,
    },
    /// A Windows service, through `sc.exe query`.
    Service {
        /// The service's short name (`ENTSSO`, `MSDTC`).
        name: String,
    },
    /// A registry value, through `reg.exe query`, in one or both registry views.
    Registry {
        /// The key, e.g. `HKLM\SOFTWARE\Microsoft\MSDTC\Security`.
        key: String,
        /// The value name.
        value: String,
        /// Which view(s) to read.
        #[serde(default)]
        view: RegistryView,
    },
    /// A certificate store of the local machine, through `certutil -store`.
    CertificateStore {
        /// The store name (`My`, `Root`, `AddressBook`).
        store: String,
    },
}

/// Which registry view a `registry` probe reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegistryView {
    /// The 64-bit view, then the 32-bit one (`WOW6432Node`); the first that holds the value wins.
    #[default]
    Both,
    /// The 64-bit view only.
    #[serde(rename = "64")]
    Bits64,
    /// The 32-bit view only.
    #[serde(rename = "32")]
    Bits32,
}

impl Probe {
    /// The probe kind's name as written in YAML.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Probe::SqlConnection {} => "sql-connection",
            Probe::SqlServerVersion {} => "sql-server-version",
            Probe::SqlDatabaseBackups { .. } => "sql-database-backups",
            Probe::SqlAgentJob { .. } => "sql-agent-job",
            Probe::SqlDatabaseMail {} => "sql-database-mail",
            Probe::SqlDefaultHost { .. } => "sql-default-host",
            Probe::SqlBiztalkVersion {} => "sql-biztalk-version",
            Probe::SqlGroupServers {} => "sql-group-servers",
            Probe::SqlBamRta { .. } => "sql-bam-rta",
            Probe::SqlSsoSecretServer { .. } => "sql-sso-secret-server",
            Probe::SqlRestorePoint {} => "sql-restore-point",
            Probe::SqlBamFreeSpace { .. } => "sql-bam-free-space",
            Probe::DiskFree { .. } => "disk-free",
            Probe::PathWritable { .. } => "path-writable",
            Probe::FilePresent { .. } => "file-present",
            Probe::Tcp { .. } => "tcp",
            Probe::Service { .. } => "service",
            Probe::Registry { .. } => "registry",
            Probe::CertificateStore { .. } => "certificate-store",
        }
    }

    /// Whether the probe talks to SQL Server.
    pub fn is_sql(&self) -> bool {
        self.kind_name().starts_with("sql-")
    }

    /// Expectation fields this kind reads: (required, optional).
    fn expect_fields(&self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Probe::SqlConnection {}
            | Probe::SqlDatabaseMail {}
            | Probe::SqlGroupServers {}
            | Probe::SqlBamRta { .. } => (&[], &[]),
            Probe::SqlServerVersion {} => (&["min_version"], &[]),
            Probe::SqlDatabaseBackups { .. } => (&["fail_age_hours"], &["warn_age_hours"]),
            Probe::SqlAgentJob { .. } => (&[], &["enabled"]),
            Probe::SqlDefaultHost { .. } => (&[], &[]),
            Probe::SqlBiztalkVersion {} => (&["versions"], &[]),
            Probe::SqlSsoSecretServer { .. } | Probe::SqlRestorePoint {} => (&[], &[]),
            Probe::SqlBamFreeSpace { .. } => (&["free_ratio"], &[]),
            Probe::DiskFree { .. } => (&["min_free_mb"], &["warn_free_mb"]),
            Probe::PathWritable { .. } | Probe::FilePresent { .. } | Probe::CertificateStore { .. } => (&[], &[]),
            Probe::Tcp { .. } => (&[], &[]),
            Probe::Service { .. } => (&["state"], &[]),
            Probe::Registry { .. } => (&[], &["equals"]),
        }
    }
}

/// What a pass looks like. Each probe kind reads only some fields; `kb lint` and the loader
/// refuse fields a kind does not read, so a typo cannot silently loosen a check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Lowest SQL Server version (`major.minor.build`) that passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_version: Option<String>,
    /// A backup older than this many hours is a miss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_age_hours: Option<u64>,
    /// A backup older than this many hours (but not `fail_age_hours`) is a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_age_hours: Option<u64>,
    /// Whether the job must be enabled (default: yes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// BizTalk database versions (`major.minor`) that pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<String>>,
    /// Free space must be at least this multiple of the databases' size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_ratio: Option<f64>,
    /// Less free space than this many MiB is a miss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_free_mb: Option<u64>,
    /// Less free space than this many MiB (but not `min_free_mb`) is a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_free_mb: Option<u64>,
    /// The service state that passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ExpectedState>,
    /// The registry value's data that passes (a DWORD compares as a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
}

impl Expect {
    /// Names of the fields that are set.
    fn set_fields(&self) -> Vec<&'static str> {
        let mut set = Vec::new();
        let fields: [(&'static str, bool); 10] = [
            ("min_version", self.min_version.is_some()),
            ("fail_age_hours", self.fail_age_hours.is_some()),
            ("warn_age_hours", self.warn_age_hours.is_some()),
            ("enabled", self.enabled.is_some()),
            ("versions", self.versions.is_some()),
            ("free_ratio", self.free_ratio.is_some()),
            ("min_free_mb", self.min_free_mb.is_some()),
            ("warn_free_mb", self.warn_free_mb.is_some()),
            ("state", self.state.is_some()),
            ("equals", self.equals.is_some()),
        ];
        for (name, is_set) in fields {
            if is_set {
                set.push(name);
            }
        }
        set
    }
}

/// A Windows service state a check expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExpectedState {
    /// Installed and running.
    Running,
    /// Installed and stopped (e.g. services to stop before setup).
    Stopped,
    /// Installed, in any state.
    Installed,
}

/// A check as written in YAML.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: Spanned<String>,
    title: String,
    probe: Probe,
    #[serde(default)]
    expect: Expect,
    severity: Severity,
    issue: Spanned<String>,
    #[serde(default)]
    fix_step: Option<usize>,
    #[serde(default = "any_platform")]
    platforms: Vec<Platform>,
    #[serde(default)]
    timeout_secs: Option<u64>,
}

fn any_platform() -> Vec<Platform> {
    vec![Platform::Any]
}

/// Parses and validates one check file (the links to entries are checked once all are loaded).
pub fn parse_check(text: &str, mut origin: Origin) -> Result<CheckSpec, Vec<Problem>> {
    let raw: RawCheck = super::parse::from_yaml(text, &origin.file)?;
    let file = origin.file.clone();
    origin.line = raw.id.referenced.line();
    let id = raw.id.value.trim().to_string();
    let mut problems = Vec::new();
    let mut at = |message: String| problems.push(Problem::error(&file, Some(origin.line), None, message));
    if !super::parse::is_kebab_id(&id) {
        at(format!("check id `{id}` must be lower-case words joined by `-`"));
    }
    if raw.title.trim().is_empty() {
        at(format!("check `{id}` has an empty title"));
    }
    if raw.platforms.is_empty() {
        at(format!("check `{id}` lists no platforms; use [any] or [windows]"));
    }
    if raw.timeout_secs == Some(0) {
        at(format!("check `{id}` has a zero timeout"));
    }
    let empty = match &raw.probe {
        Probe::SqlDatabaseBackups { required, .. } => {
            required.is_empty() || required.iter().any(|n| n.trim().is_empty())
        }
        Probe::SqlBamFreeSpace { databases } => databases.is_empty() || databases.iter().any(|n| n.trim().is_empty()),
        Probe::SqlAgentJob { name } | Probe::Service { name } => name.trim().is_empty(),
        Probe::SqlBamRta { database } | Probe::SqlSsoSecretServer { database } => database.trim().is_empty(),
        Probe::SqlDefaultHost { host, adapter } => host.trim().is_empty() || adapter.trim().is_empty(),
        _ => false,
    };
    if empty {
        at(format!(
            "check `{id}`: the `{}` probe needs its names filled in (none may be empty)",
            raw.probe.kind_name()
        ));
    }
    if let Probe::Tcp { host, port: None } = &raw.probe {
        if host != SQL_HOST {
            at(format!("check `{id}`: a `tcp` probe of {host} needs a port"));
        }
    }
    if raw.fix_step == Some(0) {
        at(format!("check `{id}`: fix_step counts from 1"));
    }
    let (required, optional) = raw.probe.expect_fields();
    let kind = raw.probe.kind_name();
    let set = raw.expect.set_fields();
    for field in &set {
        if !required.contains(field) && !optional.contains(field) {
            at(format!("check `{id}`: expect.{field} means nothing to a `{kind}` probe"));
        }
    }
    for field in required {
        if !set.contains(field) {
            at(format!("check `{id}`: a `{kind}` probe needs expect.{field}"));
        }
    }
    if let Some(v) = &raw.expect.min_version {
        if parse_version(v).is_none() {
            at(format!("check `{id}`: expect.min_version `{v}` is not a version like 12.0.4100"));
        }
    }
    if let Some(versions) = &raw.expect.versions {
        for v in versions {
            if parse_version(v).is_none() {
                at(format!("check `{id}`: expect.versions has `{v}`, not a version like 3.11"));
            }
        }
    }
    if let (Some(warn), Some(fail)) = (raw.expect.warn_age_hours, raw.expect.fail_age_hours) {
        if warn > fail {
            at(format!("check `{id}`: warn_age_hours ({warn}) is above fail_age_hours ({fail})"));
        }
    }
    if let (Some(warn), Some(min)) = (raw.expect.warn_free_mb, raw.expect.min_free_mb) {
        if warn < min {
            at(format!("check `{id}`: warn_free_mb ({warn}) is below min_free_mb ({min})"));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(CheckSpec {
        id,
        title: raw.title.trim().to_string(),
        probe: raw.probe,
        expect: raw.expect,
        severity: raw.severity,
        issue: raw.issue.value.trim().to_string(),
        fix_step: raw.fix_step,
        platforms: raw.platforms,
        timeout_secs: raw.timeout_secs,
        origin,
    })
}

/// A dotted version (`13.0.5026.0`, `3.11`) as numbers; `None` when a part is not a number.
pub fn parse_version(text: &str) -> Option<Vec<u64>> {
    let parts: Option<Vec<u64>> = text.trim().split('.').map(|p| p.trim().parse().ok()).collect();
    parts.filter(|p| !p.is_empty())
}

/// Whether dotted version `have` is at least `want` (missing parts count as 0); `false` when
/// either is not a version.
pub fn version_at_least(have: &str, want: &str) -> bool {
    match (parse_version(have), parse_version(want)) {
        (Some(mut a), Some(mut b)) => {
            let n = a.len().max(b.len());
            a.resize(n, 0);
            b.resize(n, 0);
            a >= b
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_part_by_part() {
        assert!(version_at_least("12.0.4100.1", "12.0.4100"));
        assert!(!version_at_least("12.0.2000.8", "12.0.4100"));
        assert!(version_at_least("13.0", "12.0.9999"));
        assert!(!version_at_least("x", "1"));
    }

    fn origin() -> Origin {
        Origin { layer: "test".into(), file: "checks/x.yaml".into(), line: 0 }
    }

    #[test]
    fn a_complete_check_parses() {
        let text = "id: local-entsso-service\ntitle: ENTSSO runs\nprobe:\n  kind: service\n  name: ENTSSO\n\
                    expect:\n  state: running\nseverity: blocker\nissue: sso-master-secret-unavailable\n\
                    platforms: [windows]\n";
        let spec = parse_check(text, origin()).expect("parses");
        assert_eq!(spec.probe, Probe::Service { name: "ENTSSO".into() });
        assert_eq!(spec.expect.state, Some(ExpectedState::Running));
        assert_eq!(spec.platforms, vec![Platform::Windows]);
        assert!(!spec.needs_sql());
    }

    #[test]
    fn an_expectation_the_kind_does_not_read_is_refused() {
        let text = "id: x-y\ntitle: t\nprobe:\n  kind: service\n  name: ENTSSO\nexpect:\n  state: running\n  \
                    min_free_mb: 5\nseverity: error\nissue: a-b\n";
        let problems = parse_check(text, origin()).unwrap_err();
        assert!(problems[0].message.contains("expect.min_free_mb means nothing to a `service` probe"), "{problems:?}");
    }

    #[test]
    fn a_missing_required_expectation_and_unknown_kind_are_reported_with_places() {
        let text = "id: x-y\ntitle: t\nprobe:\n  kind: disk-free\n  path: C:\\\nseverity: error\nissue: a-b\n";
        let problems = parse_check(text, origin()).unwrap_err();
        assert!(problems[0].message.contains("needs expect.min_free_mb"), "{problems:?}");
        let text = "id: x-y\ntitle: t\nprobe:\n  kind: telepathy\nseverity: error\nissue: a-b\n";
        let problems = parse_check(text, origin()).unwrap_err();
        assert!(problems[0].line.is_some(), "{problems:?}");
        assert!(problems[0].message.contains("telepathy"), "{problems:?}");
    }

    #[test]
    fn versions_parse_as_numbers() {
        assert_eq!(parse_version("13.0.5026.0"), Some(vec![13, 0, 5026, 0]));
        assert_eq!(parse_version("3.11"), Some(vec![3, 11]));
        assert_eq!(parse_version("3.x"), None);
    }
}
