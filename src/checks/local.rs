//! Local probes: disk space, folder permissions, files, TCP ports, and on Windows the service
//! manager, the registry and the certificate store through their own tools. All of them only
//! read; a folder's write access is read from its permissions, never tested by writing.

use super::result::Verdict;
use super::windows_tools::{self, ServiceState, StoreListing};
use crate::kb::check_spec::{current_os_name, Expect, ExpectedState, Probe, RegistryView, SQL_HOST};
use std::path::{Path, PathBuf};
use tokio::net::TcpStream;

/// Runs one local probe. `sql` is the SQL Server host and port of the connection, for
/// `{sql-server}` (no port: a named instance on a port the SQL Server Browser hands out).
pub async fn run(probe: &Probe, expect: &Expect, sql: Option<(&str, Option<u16>)>) -> Verdict {
    match probe {
        Probe::DiskFree { path } => match expand(path) {
            Ok(p) => disk_free(p, expect).await,
            Err(v) => v,
        },
        Probe::PathWritable { path, account } => match expand(path) {
            Ok(p) => path_writable(&p, account.as_deref()).await,
            Err(v) => v,
        },
        Probe::FilePresent { path } => match expand(path) {
            Ok(p) => file_present(&p),
            Err(v) => v,
        },
        Probe::Tcp { host, port } => {
            let (host, port) = if host == SQL_HOST {
                match (sql, port) {
                    (Some((h, _)), Some(p)) => (h.to_string(), *p),
                    (Some((h, Some(p))), None) => (h.to_string(), p),
                    (Some(_), None) => {
                        return Verdict::Skip(
                            "a named instance's port is found through the SQL Server Browser; the connection check tests it".into(),
                        )
                    }
                    (None, _) => return Verdict::Skip("no SQL connection given (use --sql)".into()),
                }
            } else {
                (host.clone(), port.unwrap_or_default())
            };
            tcp(&host, port).await
        }
        Probe::Service { name } => service(name, expect).await,
        Probe::Registry { key, value, view } => registry(key, value, *view, expect).await,
        Probe::CertificateStore { store } => certificate_store(store).await,
        other => Verdict::error(format!("`{}` is not a local probe", other.kind_name())),
    }
}

/// The skip every Windows-only probe gives elsewhere.
fn windows_only(tool: &str) -> Verdict {
    Verdict::NotApplicable(format!("not applicable on {} ({tool} is a Windows tool)", current_os_name()))
}

/// Expands `%VAR%` from the environment; a variable that is not set skips the check.
pub fn expand(path: &str) -> Result<PathBuf, Verdict> {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('%') {
        let Some(len) = rest[start + 1..].find('%') else { break };
        let name = &rest[start + 1..start + 1 + len];
        out.push_str(&rest[..start]);
        match std::env::var(name) {
            Ok(value) => out.push_str(&value),
            Err(_) => {
                return Err(Verdict::Skip(format!("%{name}% is not set on this machine ({})", current_os_name())))
            }
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    Ok(PathBuf::from(out))
}

async fn disk_free(path: PathBuf, expect: &Expect) -> Verdict {
    let shown = path.display().to_string();
    let free = tokio::task::spawn_blocking(move || fs4::available_space(&path)).await;
    let free_mb = match free {
        Ok(Ok(bytes)) => bytes / (1024 * 1024),
        Ok(Err(e)) => return Verdict::error(format!("cannot read free space of {shown}: {e}")),
        Err(e) => return Verdict::error(format!("the disk probe failed: {e}")),
    };
    judge_disk_free(&shown, free_mb, expect)
}

/// Free MiB against `min_free_mb` (miss) and `warn_free_mb` (warning).
pub fn judge_disk_free(path: &str, free_mb: u64, expect: &Expect) -> Verdict {
    let seen = format!("{} free on the volume of {path}", mib(free_mb));
    let min = expect.min_free_mb.unwrap_or(0);
    if free_mb < min {
        Verdict::Miss(format!("{seen}; at least {} needed", mib(min)))
    } else if expect.warn_free_mb.is_some_and(|w| free_mb < w) {
        Verdict::Warn(format!("{seen}; less than the {} advised", mib(expect.warn_free_mb.unwrap_or(0))))
    } else {
        Verdict::Pass(seen)
    }
}

fn mib(mb: u64) -> String {
    if mb >= 10 * 1024 {
        format!("{} GiB", mb / 1024)
    } else {
        format!("{mb} MiB")
    }
}

async fn path_writable(path: &Path, account: Option<&str>) -> Verdict {
    if !path.is_dir() {
        return Verdict::Miss(format!("{} does not exist or is not a folder", path.display()));
    }
    if cfg!(windows) {
        let shown = path.display().to_string();
        let account = account.unwrap_or("BUILTIN\\Users");
        return match run_tool("icacls", &[&shown]).await {
            Ok(out) => judge_acl(&shown, account, &windows_tools::parse_icacls(&out, &shown)),
            Err(e) => Verdict::error(e),
        };
    }
    unix_writable(path, account)
}

#[cfg(unix)]
fn unix_writable(path: &Path, account: Option<&str>) -> Verdict {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return Verdict::error("the path holds a NUL byte");
    };
    // SAFETY: access(2) only reads the NUL-terminated path we own for the duration of the call.
    let writable = unsafe { libc::access(c_path.as_ptr(), libc::W_OK) } == 0;
    let whom = account.map_or(String::new(), |a| format!(" ({a} is a Windows account: confirm it on the server)"));
    if writable {
        Verdict::Pass(format!("{} grants this user write access{whom}", path.display()))
    } else {
        Verdict::Miss(format!("{} does not grant this user write access{whom}", path.display()))
    }
}

#[cfg(not(unix))]
fn unix_writable(path: &Path, _account: Option<&str>) -> Verdict {
    Verdict::Skip(format!("cannot read the permissions of {} here", path.display()))
}

/// Groups every Windows service account belongs to, through which it may get write access.
const SERVICE_ACCOUNT_GROUPS: &[&str] =
    &["Everyone", "NT AUTHORITY\\Authenticated Users", "BUILTIN\\Users", "NT AUTHORITY\\SERVICE"];

/// Write access for `account` from an ACL: its own entries or a group every service account is
/// in. A deny wins. When the ACL does not show it, the answer is a warning to confirm by hand,
/// because group memberships beyond the well-known ones cannot be read here.
pub fn judge_acl(path: &str, account: &str, entries: &[windows_tools::AccessEntry]) -> Verdict {
    let relevant: Vec<&windows_tools::AccessEntry> = entries
        .iter()
        .filter(|e| e.applies_to_folder() && e.grants_write())
        .filter(|e| {
            e.account.eq_ignore_ascii_case(account)
                || SERVICE_ACCOUNT_GROUPS.iter().any(|g| e.account.eq_ignore_ascii_case(g))
        })
        .collect();
    if let Some(deny) = relevant.iter().find(|e| e.is_deny()) {
        return Verdict::Miss(format!("{path} denies write access to {}", deny.account));
    }
    match relevant.first() {
        Some(e) if e.account.eq_ignore_ascii_case(account) => Verdict::Pass(format!("{path} grants {account} write access")),
        Some(e) => Verdict::Pass(format!("{path} grants {account} write access through {}", e.account)),
        None => Verdict::Warn(format!(
            "the permissions of {path} do not show write access for {account}; confirm by hand (Properties > Security) that {account} can create files there"
        )),
    }
}

/// The file exists; a `*` or `?` in the file name matches any file in its folder.
pub fn file_present(path: &Path) -> Verdict {
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    if !name.contains(['*', '?']) {
        return if path.is_file() {
            Verdict::Pass(format!("{} is present", path.display()))
        } else {
            Verdict::Miss(format!("{} is not there", path.display()))
        };
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let Ok(read) = std::fs::read_dir(dir) else {
        return Verdict::Miss(format!("folder {} is not there", dir.display()));
    };
    let mut found: Vec<String> = read
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| wildcard(&name.to_ascii_lowercase(), &n.to_ascii_lowercase()))
        .collect();
    found.sort();
    match found.len() {
        0 => Verdict::Miss(format!("no file matching {name} in {}", dir.display())),
        n => Verdict::Pass(format!("{n} file(s) matching {name} in {}: {}", dir.display(), found.join(", "))),
    }
}

/// `*` and `?` matching, as the Windows shell does for file names.
fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni, mut star, mut mark) = (0, 0, None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

async fn tcp(host: &str, port: u16) -> Verdict {
    match TcpStream::connect((host, port)).await {
        Ok(_) => Verdict::Pass(format!("{host}:{port} accepts connections")),
        Err(e) => Verdict::Miss(format!("{host}:{port} does not accept connections: {e}")),
    }
}

/// Runs a Windows tool and returns what it printed (standard output, then standard error); the
/// child is killed if the caller stops waiting.
pub(crate) async fn run_tool(program: &str, args: &[&str]) -> Result<String, String> {
    let output = tokio::process::Command::new(program)
        .args(args)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let mut text = String::from_utf8_lossy(&output.stdout).to_string();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Ok(text)
}

async fn service(name: &str, expect: &Expect) -> Verdict {
    if !cfg!(windows) {
        return windows_only("sc.exe");
    }
    match run_tool("sc.exe", &["query", name]).await {
        Ok(out) => {
            judge_service(name, &windows_tools::parse_sc_query(&out), expect.state.unwrap_or(ExpectedState::Running))
        }
        Err(e) => Verdict::error(e),
    }
}

/// A service's state against the expected one.
pub fn judge_service(name: &str, state: &ServiceState, expected: ExpectedState) -> Verdict {
    let seen = match state {
        ServiceState::Running => "running",
        ServiceState::Stopped => "stopped",
        ServiceState::StartPending => "starting",
        ServiceState::StopPending => "stopping",
        ServiceState::Paused => "paused",
        // A service that must be stopped (IIS, the Rule Engine Update Service before setup) is
        // not running when it is not installed at all: that holds what the check asks.
        ServiceState::NotInstalled if expected == ExpectedState::Stopped => {
            return Verdict::Pass(format!("service {name} is not installed, so it is not running"))
        }
        ServiceState::NotInstalled => return Verdict::Miss(format!("service {name} is not installed")),
        ServiceState::Unknown(text) => return Verdict::error(format!("sc.exe could not query {name}: {text}")),
    };
    let ok = match expected {
        ExpectedState::Running => *state == ServiceState::Running,
        ExpectedState::Stopped => *state == ServiceState::Stopped,
        ExpectedState::Installed => true,
    };
    if ok {
        Verdict::Pass(format!("service {name} is {seen}"))
    } else {
        let want = match expected {
            ExpectedState::Running => "running",
            ExpectedState::Stopped => "stopped",
            ExpectedState::Installed => "installed",
        };
        Verdict::Miss(format!("service {name} is {seen}, expected {want}"))
    }
}

async fn registry(key: &str, value: &str, view: RegistryView, expect: &Expect) -> Verdict {
    if !cfg!(windows) {
        return windows_only("reg.exe");
    }
    match registry_value(key, value, view).await {
        Ok(found) => judge_registry(key, value, found.as_ref().map(|(r, v)| (r, *v)), expect.equals.as_deref()),
        Err(e) => Verdict::error(e),
    }
}

/// Reads one registry value through `reg.exe` in the view(s) asked for, 64-bit first; the value
/// and the view it was found in (`/reg:64` or `/reg:32`). Always `None` off Windows.
pub async fn registry_value(
    key: &str,
    value: &str,
    view: RegistryView,
) -> Result<Option<(windows_tools::RegValue, &'static str)>, String> {
    if !cfg!(windows) {
        return Ok(None);
    }
    let views: &[&'static str] = match view {
        RegistryView::Both => &["/reg:64", "/reg:32"],
        RegistryView::Bits64 => &["/reg:64"],
        RegistryView::Bits32 => &["/reg:32"],
    };
    for v in views {
        let out = run_tool("reg.exe", &["query", key, "/v", value, v]).await?;
        if let Some(values) = windows_tools::parse_reg_query(&out) {
            if let Some(found) = values.into_iter().find(|r| r.name.eq_ignore_ascii_case(value)) {
                return Ok(Some((found, v)));
            }
        }
    }
    Ok(None)
}

/// A registry value is present and, when `equals` is given, holds it (DWORDs compare as numbers).
pub fn judge_registry(
    key: &str,
    value: &str,
    found: Option<(&windows_tools::RegValue, &str)>,
    equals: Option<&str>,
) -> Verdict {
    let Some((reg, view)) = found else {
        return Verdict::Miss(format!("{key}\\{value} is not set"));
    };
    let bits = if view.ends_with("32") { "32-bit view" } else { "64-bit view" };
    let data = if reg.kind == "REG_DWORD" {
        windows_tools::reg_dword(&reg.data).map_or(reg.data.clone(), |n| n.to_string())
    } else {
        reg.data.clone()
    };
    match equals {
        Some(want) if !data.eq_ignore_ascii_case(want.trim()) => {
            Verdict::Miss(format!("{value} is {data} ({bits}), expected {want}"))
        }
        _ => Verdict::Pass(format!("{value} is {data} ({bits})")),
    }
}

async fn certificate_store(store: &str) -> Verdict {
    if !cfg!(windows) {
        return windows_only("certutil");
    }
    match run_tool("certutil", &["-store", store]).await {
        Ok(out) => match windows_tools::parse_certutil_store(&out) {
            StoreListing::Certificates(certs) => {
                Verdict::Pass(format!("store {store} opens; {} certificate(s)", certs.len()))
            }
            StoreListing::Missing => Verdict::Miss(format!("the local machine has no {store} certificate store")),
            StoreListing::Failed(text) => Verdict::error(format!("certutil could not open {store}: {text}")),
        },
        Err(e) => Verdict::error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use windows_tools::{AccessEntry, RegValue};

    #[test]
    fn environment_variables_expand_and_unset_ones_skip() {
        std::env::set_var("BTS_DOCTOR_TEST_DIR", "/tmp/x");
        assert_eq!(expand("%BTS_DOCTOR_TEST_DIR%/temp").unwrap(), PathBuf::from("/tmp/x/temp"));
        assert!(
            matches!(expand("%BTS_DOCTOR_UNSET_VAR%\\temp"), Err(Verdict::Skip(d)) if d.contains("%BTS_DOCTOR_UNSET_VAR%"))
        );
        assert_eq!(expand("100% sure").unwrap(), PathBuf::from("100% sure"));
    }

    #[test]
    fn disk_space_thresholds() {
        let e = Expect { min_free_mb: Some(2048), warn_free_mb: Some(10240), ..Default::default() };
        assert!(matches!(judge_disk_free("C:\\", 1000, &e), Verdict::Miss(_)));
        assert!(matches!(judge_disk_free("C:\\", 4096, &e), Verdict::Warn(_)));
        assert!(matches!(judge_disk_free("C:\\", 20480, &e), Verdict::Pass(d) if d.contains("20 GiB")));
    }

    #[test]
    fn acl_write_access_through_groups_and_denies() {
        let entry =
            |a: &str, f: &[&str]| AccessEntry { account: a.into(), flags: f.iter().map(|s| s.to_string()).collect() };
        let ns = "NT AUTHORITY\\NETWORK SERVICE";
        let users = [entry("BUILTIN\\Users", &["CI", "S,WD,AD,X"])];
        assert!(
            matches!(judge_acl("C:\\Windows\\Temp", ns, &users), Verdict::Pass(d) if d.contains("through BUILTIN\\Users"))
        );
        let denied = [entry("BUILTIN\\Users", &["CI", "S,WD,AD,X"]), entry(ns, &["DENY", "W"])];
        assert!(matches!(judge_acl("C:\\Windows\\Temp", ns, &denied), Verdict::Miss(_)));
        let admins_only = [entry("BUILTIN\\Administrators", &["F"]), entry("CREATOR OWNER", &["OI", "CI", "IO", "F"])];
        assert!(
            matches!(judge_acl("C:\\Windows\\Temp", ns, &admins_only), Verdict::Warn(d) if d.contains("confirm by hand"))
        );
    }

    #[test]
    fn files_with_wildcards() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("SSO3A1F.bak"), b"x").unwrap();
        assert!(matches!(file_present(&dir.path().join("sso*.BAK")), Verdict::Pass(d) if d.contains("SSO3A1F.bak")));
        assert!(matches!(file_present(&dir.path().join("SSO?.bak")), Verdict::Miss(_)));
        assert!(matches!(file_present(&dir.path().join("SSO3A1F.bak")), Verdict::Pass(_)));
        assert!(matches!(file_present(&dir.path().join("none.bak")), Verdict::Miss(_)));
        assert!(wildcard("a*b?c", "axxbyc") && !wildcard("a*b?c", "axxbc"));
    }

    #[test]
    fn services_and_registry_values() {
        assert!(matches!(judge_service("ENTSSO", &ServiceState::Running, ExpectedState::Running), Verdict::Pass(_)));
        assert!(
            matches!(judge_service("ENTSSO", &ServiceState::Stopped, ExpectedState::Running), Verdict::Miss(d) if d.contains("expected running"))
        );
        // A server without IIS or BRE holds "stopped" (issue 14 item 7): no false warning.
        assert!(matches!(
            judge_service("W3SVC", &ServiceState::NotInstalled, ExpectedState::Stopped),
            Verdict::Pass(d) if d.contains("not installed")
        ));
        assert!(matches!(
            judge_service("ENTSSO", &ServiceState::NotInstalled, ExpectedState::Running),
            Verdict::Miss(_)
        ));
        let dword =
            RegValue { key: "k".into(), name: "NetworkDtcAccess".into(), kind: "REG_DWORD".into(), data: "0x0".into() };
        assert!(
            matches!(judge_registry("k", "NetworkDtcAccess", Some((&dword, "/reg:64")), Some("1")), Verdict::Miss(d) if d.contains("is 0"))
        );
        let one = RegValue { data: "0x1".into(), ..dword };
        assert!(
            matches!(judge_registry("k", "NetworkDtcAccess", Some((&one, "/reg:32")), Some("1")), Verdict::Pass(d) if d.contains("32-bit"))
        );
        assert!(matches!(judge_registry("k", "X", None, None), Verdict::Miss(_)));
    }

    #[tokio::test]
    async fn windows_probes_skip_elsewhere_and_tcp_reads_a_port() {
        if !cfg!(windows) {
            let v = run(&Probe::Service { name: "ENTSSO".into() }, &Expect::default(), None).await;
            assert!(matches!(v, Verdict::NotApplicable(d) if d.starts_with("not applicable on")));
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let probe = Probe::Tcp { host: SQL_HOST.into(), port: None };
        let sql = Some(("127.0.0.1", Some(port)));
        assert!(matches!(run(&probe, &Expect::default(), sql).await, Verdict::Pass(_)));
        assert!(matches!(run(&probe, &Expect::default(), None).await, Verdict::Skip(_)));
        drop(listener);
        assert!(matches!(run(&probe, &Expect::default(), sql).await, Verdict::Miss(_)));
    }
}
