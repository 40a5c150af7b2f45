//! Parsers for what Windows tools print, so the local probes (services, registry,
//! certificate stores) can be tested anywhere on recorded output. Running the tools belongs to
//! the probes; these functions only read text.

/// The state `sc.exe query` reports for a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceState {
    /// `STATE : 1 STOPPED`
    Stopped,
    /// `STATE : 2 START_PENDING`
    StartPending,
    /// `STATE : 3 STOP_PENDING`
    StopPending,
    /// `STATE : 4 RUNNING`
    Running,
    /// `STATE : 7 PAUSED` or the pending pause/continue states.
    Paused,
    /// The service does not exist (`FAILED 1060`).
    NotInstalled,
    /// Anything else sc.exe said, as its text.
    Unknown(String),
}

/// Reads `sc.exe query NAME` output.
pub fn parse_sc_query(output: &str) -> ServiceState {
    if output.contains("FAILED 1060") {
        return ServiceState::NotInstalled;
    }
    let state = output
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("STATE").map(|rest| rest.trim_start_matches([' ', ':']).trim().to_string()));
    match state.as_deref().and_then(|s| s.split_whitespace().next()) {
        Some("1") => ServiceState::Stopped,
        Some("2") => ServiceState::StartPending,
        Some("3") => ServiceState::StopPending,
        Some("4") => ServiceState::Running,
        Some("5" | "6" | "7") => ServiceState::Paused,
        _ => match output.trim().lines().last().map(str::trim) {
            Some(last) if !last.is_empty() => ServiceState::Unknown(last.to_string()),
            _ => ServiceState::Unknown("it printed nothing".to_string()),
        },
    }
}

/// One value printed by `reg.exe query`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegValue {
    /// The key it is under.
    pub key: String,
    /// The value's name (`(Default)` for the default value).
    pub name: String,
    /// `REG_SZ`, `REG_DWORD`, ...
    pub kind: String,
    /// The data as printed (`0x1` for a DWORD of 1).
    pub data: String,
}

/// Reads `reg.exe query KEY [/v NAME] [/s] [/reg:32|64]` output; `None` when reg.exe says the
/// key or value does not exist (Windows: "ERROR: The system was unable to find the specified
/// registry key or value."; Wine: "reg: Unable to find the specified registry key").
pub fn parse_reg_query(output: &str) -> Option<Vec<RegValue>> {
    if output.to_ascii_lowercase().contains("unable to find the specified registry key") {
        return None;
    }
    let mut key = String::new();
    let mut values = Vec::new();
    for line in output.lines() {
        if line.starts_with("HKEY_") {
            key = line.trim().to_string();
            continue;
        }
        let trimmed = line.trim();
        let Some(kind_at) = trimmed.find("    REG_") else { continue };
        let name = trimmed[..kind_at].trim().to_string();
        let rest = trimmed[kind_at..].trim_start();
        let (kind, data) = rest.split_once("    ").map_or((rest, ""), |(k, d)| (k, d.trim()));
        values.push(RegValue { key: key.clone(), name, kind: kind.trim().to_string(), data: data.to_string() });
    }
    Some(values)
}

/// A DWORD as reg.exe prints it (`0x1`), as a number.
pub fn reg_dword(data: &str) -> Option<u32> {
    u32::from_str_radix(data.trim().trim_start_matches("0x").trim_start_matches("0X"), 16).ok()
}

/// One certificate listed by `certutil -store`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// `Subject:` line.
    pub subject: String,
    /// `NotAfter:` as printed.
    pub not_after: String,
    /// `Cert Hash(sha1):` without spaces, upper-case.
    pub thumbprint: String,
}

/// What `certutil -store [-user] NAME` said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreListing {
    /// The store exists; its certificates.
    Certificates(Vec<Certificate>),
    /// The store does not exist (`0x80070002`, the file cannot be found): the post-upgrade
    /// "Could not open certificate store" issue.
    Missing,
    /// certutil failed otherwise; its message.
    Failed(String),
}

/// Reads `certutil -store` output.
pub fn parse_certutil_store(output: &str) -> StoreListing {
    if let Some(line) = output.lines().find(|l| l.contains("command FAILED")) {
        return if line.contains("0x80070002") || line.contains("ERROR_FILE_NOT_FOUND") {
            StoreListing::Missing
        } else {
            StoreListing::Failed(line.trim().to_string())
        };
    }
    let mut certs = Vec::new();
    let mut current: Option<Certificate> = None;
    for line in output.lines().map(str::trim) {
        if line.starts_with("================ Certificate") {
            certs.extend(current.take());
            current = Some(Certificate { subject: String::new(), not_after: String::new(), thumbprint: String::new() });
        } else if let Some(c) = current.as_mut() {
            if let Some(v) = line.strip_prefix("Subject:") {
                c.subject = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("NotAfter:") {
                c.not_after = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("Cert Hash(sha1):") {
                c.thumbprint = v.split_whitespace().collect::<String>().to_uppercase();
            }
        }
    }
    certs.extend(current);
    StoreListing::Certificates(certs)
}

/// One access-control entry printed by `icacls PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    /// The account or group (`BUILTIN\Users`, `NT AUTHORITY\NETWORK SERVICE`).
    pub account: String,
    /// The parenthesised groups, e.g. `["OI", "CI", "F"]` or `["CI", "S,WD,AD,X"]`.
    pub flags: Vec<String>,
}

impl AccessEntry {
    /// Whether the entry applies to the folder itself (not inherit-only).
    pub fn applies_to_folder(&self) -> bool {
        !self.flags.iter().any(|f| f == "IO")
    }

    /// Whether it denies rather than allows.
    pub fn is_deny(&self) -> bool {
        self.flags.iter().any(|f| f == "DENY")
    }

    /// Whether its rights let the account create files in the folder: full (F), modify (M),
    /// write (W) or the specific right write-data/add-file (WD).
    pub fn grants_write(&self) -> bool {
        self.flags.iter().flat_map(|f| f.split(',')).any(|r| matches!(r.trim(), "F" | "M" | "W" | "WD"))
    }
}

/// Reads `icacls PATH` output for `path`: one entry per line, the first line prefixed by the
/// path itself; the closing "Successfully processed" line is ignored.
pub fn parse_icacls(output: &str, path: &str) -> Vec<AccessEntry> {
    let mut entries = Vec::new();
    for line in output.lines() {
        let mut line = line.trim();
        if line.get(..path.len()).is_some_and(|head| head.eq_ignore_ascii_case(path)) {
            line = line[path.len()..].trim_start();
        }
        let Some(split) = line.find(":(") else { continue };
        let account = line[..split].trim().to_string();
        let flags = line[split + 1..]
            .split(')')
            .map(|f| f.trim_start_matches('(').trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        entries.push(AccessEntry { account, flags });
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    const SC_RUNNING: &str = "\r\nSERVICE_NAME: ENTSSO \r\n        TYPE               : 10  WIN32_OWN_PROCESS  \r\n        STATE              : 4  RUNNING \r\n                                (STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)\r\n        WIN32_EXIT_CODE    : 0  (0x0)\r\n        SERVICE_EXIT_CODE  : 0  (0x0)\r\n        CHECKPOINT         : 0x0\r\n        WAIT_HINT          : 0x0\r\n";
    const SC_MISSING: &str = "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n";

    #[test]
    fn sc_query_states() {
        assert_eq!(parse_sc_query(SC_RUNNING), ServiceState::Running);
        assert_eq!(parse_sc_query(&SC_RUNNING.replace("4  RUNNING", "1  STOPPED")), ServiceState::Stopped);
        assert_eq!(parse_sc_query(SC_MISSING), ServiceState::NotInstalled);
        assert!(
            matches!(parse_sc_query("[SC] OpenSCManager FAILED 5:\r\n\r\nAccess is denied.\r\n"), ServiceState::Unknown(m) if m == "Access is denied.")
        );
        // Wine's sc.exe prints nothing for a service it does not know: say so, not "…: ".
        assert_eq!(parse_sc_query(" \r\n"), ServiceState::Unknown("it printed nothing".to_string()));
    }

    #[test]
    fn reg_query_values_and_missing_keys() {
        let out = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\BizTalk Server\\3.0\\Administration\r\n    MgmtDBServer    REG_SZ    SQL01\\BIZTALK\r\n    MgmtDBName    REG_SZ    BizTalkMgmtDb\r\n    (Default)    REG_SZ    \r\n\r\n";
        let values = parse_reg_query(out).unwrap();
        assert_eq!(values.len(), 3);
        assert_eq!(values[0].key, "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\BizTalk Server\\3.0\\Administration");
        assert_eq!(
            (values[0].name.as_str(), values[0].kind.as_str(), values[0].data.as_str()),
            ("MgmtDBServer", "REG_SZ", "SQL01\\BIZTALK")
        );
        assert_eq!((values[2].name.as_str(), values[2].data.as_str()), ("(Default)", ""));
        let dword = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\MSDTC\\Security\r\n    NetworkDtcAccess    REG_DWORD    0x1\r\n";
        assert_eq!(reg_dword(&parse_reg_query(dword).unwrap()[0].data), Some(1));
        assert_eq!(
            parse_reg_query("ERROR: The system was unable to find the specified registry key or value.\r\n"),
            None
        );
    }

    #[test]
    fn certutil_store_listing_missing_store_and_failure() {
        let out = "My \"Personal\"\r\n================ Certificate 0 ================\r\nSerial Number: 1a2b3c\r\nIssuer: CN=Contoso CA\r\n NotBefore: 1/1/2017 12:00 AM\r\n NotAfter: 1/1/2027 12:00 AM\r\nSubject: CN=BTSAPP01.contoso.com\r\nCert Hash(sha1): ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01\r\nCertUtil: -store command completed successfully.\r\n";
        let StoreListing::Certificates(certs) = parse_certutil_store(out) else { panic!("listing") };
        assert_eq!(certs.len(), 1);
        assert_eq!(certs[0].subject, "CN=BTSAPP01.contoso.com");
        assert_eq!(certs[0].not_after, "1/1/2027 12:00 AM");
        assert_eq!(certs[0].thumbprint, "ABCDEF0123456789ABCDEF0123456789ABCDEF01");
        let missing = "CertUtil: -store command FAILED: 0x80070002 (WIN32: 2 ERROR_FILE_NOT_FOUND)\r\nCertUtil: The system cannot find the file specified.\r\n";
        assert_eq!(parse_certutil_store(missing), StoreListing::Missing);
        assert!(matches!(
            parse_certutil_store("CertUtil: -store command FAILED: 0x80090016 (-2146893802 NTE_BAD_KEYSET)\r\n"),
            StoreListing::Failed(_)
        ));
    }

    #[test]
    fn icacls_entries_with_inheritance_and_specific_rights() {
        let out = "C:\\Windows\\Temp NT AUTHORITY\\SYSTEM:(OI)(CI)(F)\r\n                BUILTIN\\Users:(CI)(S,WD,AD,X)\r\n                BUILTIN\\Administrators:(OI)(CI)(F)\r\n                CREATOR OWNER:(OI)(CI)(IO)(F)\r\n                CONTOSO\\svc-deny:(DENY)(W)\r\n\r\nSuccessfully processed 1 files; Failed processing 0 files\r\n";
        let entries = parse_icacls(out, "C:\\Windows\\Temp");
        assert_eq!(entries.len(), 5, "{entries:?}");
        assert_eq!(entries[0].account, "NT AUTHORITY\\SYSTEM");
        assert_eq!(entries[1].account, "BUILTIN\\Users");
        assert!(entries[1].grants_write() && entries[1].applies_to_folder());
        assert!(!entries[3].applies_to_folder());
        assert!(entries[4].is_deny() && entries[4].grants_write());
        assert!(!AccessEntry { account: "x".into(), flags: vec!["RX".into()] }.grants_write());
    }
}
