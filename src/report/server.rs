//! The server part of a report: read-only facts about this computer that must agree across the
//! servers of one BizTalk group (BizTalk and SSO versions, MSDTC settings, .NET, time zone) or
//! must differ (the MSDTC CID), so `compare` can line several servers' reports up.
//!
//! Every fact is either a value that was read or unknown with the reason; a registry value that
//! is absent is a value of its own (`not set`), because reg.exe said so. Reading runs `reg.exe
//! query` only (never a write) and each read is bounded in time. Off Windows every fact is
//! unknown. Deriving facts from what was read is pure ([`facts_from`]) so it is tested anywhere.

use crate::checks::windows_tools::{self, RegValue};
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

/// The value of a fact whose registry value does not exist.
pub const NOT_SET: &str = "not set";

/// How long one reg.exe run may take before its fact is unknown.
const READ_TIMEOUT: Duration = Duration::from_secs(15);

/// This computer's facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerPart {
    /// The computer's name.
    pub host: String,
    /// The facts, in a fixed order.
    pub facts: Vec<ServerFact>,
}

/// One fact about this computer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerFact {
    /// Stable id (`biztalk.version`, `msdtc.cid`, ...): what `compare` lines up.
    pub id: &'static str,
    /// What it is, in words.
    pub title: &'static str,
    /// The value read (`not set` when the registry value is absent), or `null` when unknown.
    pub value: Option<String>,
    /// More about the value (the .NET release number behind a version name).
    pub detail: Option<String>,
    /// Why the value is unknown.
    pub unknown_reason: Option<String>,
    /// Where it is read.
    pub source: &'static str,
    /// `same`: every server of a group must hold the same value; `distinct`: no two may.
    pub rule: Rule,
}

/// How a fact must relate across the servers of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// Equal on every server.
    Same,
    /// Different on every server.
    Distinct,
}

/// What one registry read gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// The value, as reg.exe printed it.
    Value(RegValue),
    /// reg.exe said the key or value does not exist.
    NotSet,
    /// It could not be told, and why.
    Unknown(String),
}

/// One registry value a fact is made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Read {
    /// The key, `HKLM\...`.
    pub key: &'static str,
    /// The value's name.
    pub value: &'static str,
}

const BIZTALK: &str = r"HKLM\SOFTWARE\Microsoft\BizTalk Server\3.0";
const BIZTALK_32: &str = r"HKLM\SOFTWARE\Wow6432Node\Microsoft\BizTalk Server\3.0";
const BIZTALK_ADMIN: &str = r"HKLM\SOFTWARE\Microsoft\BizTalk Server\3.0\Administration";
const BIZTALK_ADMIN_32: &str = r"HKLM\SOFTWARE\Wow6432Node\Microsoft\BizTalk Server\3.0\Administration";
const ENTSSO: &str = r"HKLM\SOFTWARE\Wow6432Node\Microsoft\ENTSSO";
const MSDTC: &str = r"HKLM\SOFTWARE\Microsoft\MSDTC";
const MSDTC_SECURITY: &str = r"HKLM\SOFTWARE\Microsoft\MSDTC\Security";
const NDP4: &str = r"HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full";
const TIME_ZONE: &str = r"HKLM\SYSTEM\CurrentControlSet\Control\TimeZoneInformation";

/// The MSDTC network-access switches (`MSDTC\Security` DWORDs), each its own fact: id, value
/// name, title, source.
const DTC_ACCESS: [(&str, &str, &str, &str); 4] = [
    (
        "msdtc.network_dtc_access",
        "NetworkDtcAccess",
        "MSDTC: network DTC access",
        r"HKLM\SOFTWARE\Microsoft\MSDTC\Security NetworkDtcAccess",
    ),
    (
        "msdtc.network_dtc_access_inbound",
        "NetworkDtcAccessInbound",
        "MSDTC: allow inbound",
        r"HKLM\SOFTWARE\Microsoft\MSDTC\Security NetworkDtcAccessInbound",
    ),
    (
        "msdtc.network_dtc_access_outbound",
        "NetworkDtcAccessOutbound",
        "MSDTC: allow outbound",
        r"HKLM\SOFTWARE\Microsoft\MSDTC\Security NetworkDtcAccessOutbound",
    ),
    (
        "msdtc.network_dtc_access_transactions",
        "NetworkDtcAccessTransactions",
        "MSDTC: network transactions",
        r"HKLM\SOFTWARE\Microsoft\MSDTC\Security NetworkDtcAccessTransactions",
    ),
];

/// The three values MS-CMOM 3.3.1.2.3 derives MSDTC's RPC security level from.
const DTC_AUTH: [&str; 3] = ["AllowOnlySecureRpcCalls", "FallbackToUnsecureRPCIfNecessary", "TurnOffRpcSecurity"];

/// Every registry value the facts need: BizTalk's in both views (a 64-bit and a 32-bit install
/// write different ones), the rest where Windows keeps them.
pub fn reads() -> Vec<Read> {
    let mut reads = vec![
        Read { key: BIZTALK, value: "ProductVersion" },
        Read { key: BIZTALK_32, value: "ProductVersion" },
        Read { key: BIZTALK_ADMIN, value: "MgmtDBServer" },
        Read { key: BIZTALK_ADMIN, value: "MgmtDBName" },
        Read { key: BIZTALK_ADMIN_32, value: "MgmtDBServer" },
        Read { key: BIZTALK_ADMIN_32, value: "MgmtDBName" },
        Read { key: ENTSSO, value: "Server" },
        Read { key: ENTSSO, value: "Administration" },
        Read { key: NDP4, value: "Release" },
        Read { key: TIME_ZONE, value: "TimeZoneKeyName" },
    ];
    reads.extend(DTC_ACCESS.iter().map(|(_, value, _, _)| Read { key: MSDTC_SECURITY, value }));
    reads.extend(DTC_AUTH.iter().map(|value| Read { key: MSDTC, value }));
    reads
}

/// What `reg.exe query KEY /v VALUE` printed, as a reading. Only reg.exe's own "unable to find"
/// message counts as absent; anything else it printed without the value (access denied, a
/// localised message) is unknown, quoted.
pub fn reading_from_reg_output(output: &str, value: &str) -> Reading {
    match windows_tools::parse_reg_query(output) {
        None => Reading::NotSet,
        Some(values) => match values.into_iter().find(|v| v.name.eq_ignore_ascii_case(value)) {
            Some(found) => Reading::Value(found),
            None => {
                let said = output.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("nothing");
                Reading::Unknown(format!("reg.exe did not print {value}; it said: {said}"))
            }
        },
    }
}

/// The MSDTC CID from `reg.exe query HKCR\CID /s /f MSDTC /d /e`: the `{GUID}` whose
/// `Description` key's default value is exactly `MSDTC` (MS-CMOM 2.2.3.5).
pub fn msdtc_cid_from_reg_output(output: &str) -> Reading {
    let Some(values) = windows_tools::parse_reg_query(output) else {
        return Reading::Unknown("reg.exe found no HKCR\\CID entry described as MSDTC".to_string());
    };
    let mut cids: Vec<String> = values
        .iter()
        .filter(|v| v.data.eq_ignore_ascii_case("MSDTC"))
        .filter_map(|v| {
            let parts: Vec<&str> = v.key.split('\\').collect();
            let at = parts.iter().position(|p| p.eq_ignore_ascii_case("CID"))?;
            let guid = parts.get(at + 1)?;
            let is_description = parts.get(at + 2).is_some_and(|p| p.eq_ignore_ascii_case("Description"));
            (is_description && guid.starts_with('{') && guid.ends_with('}')).then(|| guid.to_ascii_uppercase())
        })
        .collect();
    cids.sort();
    cids.dedup();
    match cids.as_slice() {
        [one] => Reading::Value(RegValue {
            key: r"HKEY_CLASSES_ROOT\CID".to_string(),
            name: "(Default)".to_string(),
            kind: "REG_SZ".to_string(),
            data: one.clone(),
        }),
        [] => {
            let said = output.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("nothing");
            Reading::Unknown(format!(
                "reg.exe listed no HKCR\\CID\\{{GUID}}\\Description holding MSDTC; it said: {said}"
            ))
        }
        many => Reading::Unknown(format!("{} CIDs are described as MSDTC: {}", many.len(), many.join(", "))),
    }
}

/// The .NET Framework 4.x version a `Release` DWORD means: the highest version whose minimum
/// release it reaches (Microsoft's "How to: Determine which .NET Framework versions are
/// installed"). `None` below 4.5.
pub fn dotnet_version(release: u32) -> Option<&'static str> {
    const MINIMUMS: [(u32, &str); 11] = [
        (533_320, "4.8.1"),
        (528_040, "4.8"),
        (461_808, "4.7.2"),
        (461_308, "4.7.1"),
        (460_798, "4.7"),
        (394_802, "4.6.2"),
        (394_254, "4.6.1"),
        (393_295, "4.6"),
        (379_893, "4.5.2"),
        (378_675, "4.5.1"),
        (378_389, "4.5"),
    ];
    MINIMUMS.iter().find(|(min, _)| release >= *min).map(|(_, v)| *v)
}

/// MSDTC's RPC security level by MS-CMOM 3.3.1.2.3: `AllowOnlySecureRpcCalls` missing or not 0
/// is mutual authentication; else `FallbackToUnsecureRPCIfNecessary` not 0 is incoming
/// authentication; else `TurnOffRpcSecurity` not 0 is no authentication; else the
/// implementation's default. `None` for a value that is not a DWORD.
pub fn dtc_authentication(
    allow_only_secure: Option<u32>,
    fallback: Option<u32>,
    turn_off: Option<u32>,
) -> &'static str {
    if allow_only_secure != Some(0) {
        "mutual authentication required"
    } else if fallback.is_some_and(|v| v != 0) {
        "incoming caller authentication required"
    } else if turn_off.is_some_and(|v| v != 0) {
        "no authentication required"
    } else {
        "implementation default (all three values 0 or absent)"
    }
}

/// The facts, from the readings (missing readings are unknown) and the MSDTC CID reading.
pub fn facts_from(readings: &HashMap<Read, Reading>, cid: &Reading) -> Vec<ServerFact> {
    let get = |key: &'static str, value: &'static str| {
        readings.get(&Read { key, value }).cloned().unwrap_or_else(|| Reading::Unknown("it was not read".to_string()))
    };
    let mut facts = Vec::new();
    let biztalk = first_set(get(BIZTALK, "ProductVersion"), get(BIZTALK_32, "ProductVersion"));
    facts.push(fact(
        "biztalk.version",
        "BizTalk Server version",
        string_of(&biztalk),
        r"HKLM\SOFTWARE\Microsoft\BizTalk Server\3.0 ProductVersion (64-bit, then 32-bit view)",
        Rule::Same,
    ));
    let server = first_set(get(BIZTALK_ADMIN, "MgmtDBServer"), get(BIZTALK_ADMIN_32, "MgmtDBServer"));
    let name = first_set(get(BIZTALK_ADMIN, "MgmtDBName"), get(BIZTALK_ADMIN_32, "MgmtDBName"));
    let management = match (string_of(&server), string_of(&name)) {
        (Ok(s), Ok(n)) if s == NOT_SET && n == NOT_SET => Ok(NOT_SET.to_string()),
        (Ok(s), Ok(n)) => Ok(format!("{s} / {n}")),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    facts.push(fact(
        "biztalk.management_db",
        "BizTalk management database (server / name)",
        management,
        r"HKLM\SOFTWARE\Microsoft\BizTalk Server\3.0\Administration MgmtDBServer, MgmtDBName",
        Rule::Same,
    ));
    facts.push(fact(
        "sso.version",
        "Enterprise SSO server version",
        string_of(&get(ENTSSO, "Server")),
        r"HKLM\SOFTWARE\Wow6432Node\Microsoft\ENTSSO Server",
        Rule::Same,
    ));
    facts.push(fact(
        "sso.administration_version",
        "Enterprise SSO administration version",
        string_of(&get(ENTSSO, "Administration")),
        r"HKLM\SOFTWARE\Wow6432Node\Microsoft\ENTSSO Administration",
        Rule::Same,
    ));
    for (id, value, title, source) in DTC_ACCESS {
        facts.push(fact(id, title, dword_text(&get(MSDTC_SECURITY, value)), source, Rule::Same));
    }
    facts.push(dtc_auth_fact(&DTC_AUTH.map(|v| get(MSDTC, v))));
    facts.push(fact(
        "msdtc.cid",
        "MSDTC contact identifier (CID)",
        string_of(cid),
        r"HKCR\CID\{GUID}\Description = MSDTC",
        Rule::Distinct,
    ));
    facts.push(dotnet_fact(&get(NDP4, "Release")));
    facts.push(fact(
        "os.time_zone",
        "Time zone",
        string_of(&get(TIME_ZONE, "TimeZoneKeyName")),
        r"HKLM\SYSTEM\CurrentControlSet\Control\TimeZoneInformation TimeZoneKeyName",
        Rule::Same,
    ));
    facts
}

/// Every fact unknown for one reason (not on Windows).
pub fn all_unknown(reason: &str) -> Vec<ServerFact> {
    let readings: HashMap<Read, Reading> =
        reads().into_iter().map(|r| (r, Reading::Unknown(reason.to_string()))).collect();
    facts_from(&readings, &Reading::Unknown(reason.to_string()))
}

/// This computer's name: `COMPUTERNAME` on Windows, `gethostname(2)` elsewhere; `unknown` when
/// neither tells.
pub fn host_name() -> String {
    #[cfg(windows)]
    let name = std::env::var("COMPUTERNAME").ok();
    #[cfg(unix)]
    let name = unix_host_name();
    #[cfg(not(any(windows, unix)))]
    let name: Option<String> = None;
    name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty()).unwrap_or_else(|| "unknown".to_string())
}

#[cfg(unix)]
fn unix_host_name() -> Option<String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for `buf.len()` bytes; gethostname writes at most that many.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Some(String::from_utf8_lossy(&buf[..end]).into_owned())
}

/// Reads this computer's facts (reg.exe, read-only, each run bounded in time).
pub async fn collect(host: String) -> ServerPart {
    if !cfg!(windows) {
        return ServerPart { host, facts: all_unknown("not applicable: this is not Windows") };
    }
    let mut readings = HashMap::new();
    for read in reads() {
        let out = bounded_reg(&["query", read.key, "/v", read.value, "/reg:64"]).await;
        let reading = match out {
            Ok(text) => reading_from_reg_output(&text, read.value),
            Err(e) => Reading::Unknown(e),
        };
        readings.insert(read, reading);
    }
    let cid = match bounded_reg(&["query", r"HKCR\CID", "/s", "/f", "MSDTC", "/d", "/e"]).await {
        Ok(text) => msdtc_cid_from_reg_output(&text),
        Err(e) => Reading::Unknown(e),
    };
    ServerPart { host, facts: facts_from(&readings, &cid) }
}

async fn bounded_reg(args: &[&str]) -> Result<String, String> {
    match tokio::time::timeout(READ_TIMEOUT, crate::checks::local::run_tool("reg.exe", args)).await {
        Ok(result) => result,
        Err(_) => Err(format!("reg.exe did not answer within {} s", READ_TIMEOUT.as_secs())),
    }
}

fn fact(
    id: &'static str,
    title: &'static str,
    value: Result<String, String>,
    source: &'static str,
    rule: Rule,
) -> ServerFact {
    let (value, unknown_reason) = match value {
        Ok(v) => (Some(v), None),
        Err(e) => (None, Some(e)),
    };
    ServerFact { id, title, value, detail: None, unknown_reason, source, rule }
}

/// The 64-bit view's reading unless it is absent there, then the 32-bit one's.
fn first_set(bits64: Reading, bits32: Reading) -> Reading {
    match (&bits64, &bits32) {
        (Reading::NotSet, _) => bits32,
        _ => bits64,
    }
}

fn string_of(reading: &Reading) -> Result<String, String> {
    match reading {
        Reading::Value(v) => Ok(v.data.trim().to_string()),
        Reading::NotSet => Ok(NOT_SET.to_string()),
        Reading::Unknown(why) => Err(why.clone()),
    }
}

/// A DWORD reading as a number; `Ok(None)` when absent.
fn dword_of(reading: &Reading) -> Result<Option<u32>, String> {
    match reading {
        Reading::Value(v) => windows_tools::reg_dword(&v.data)
            .map(Some)
            .ok_or_else(|| format!("{} is {} {}, not a DWORD", v.name, v.kind, v.data)),
        Reading::NotSet => Ok(None),
        Reading::Unknown(why) => Err(why.clone()),
    }
}

fn dword_text(reading: &Reading) -> Result<String, String> {
    dword_of(reading).map(|n| n.map_or(NOT_SET.to_string(), |n| n.to_string()))
}

fn dtc_auth_fact(readings: &[Reading; 3]) -> ServerFact {
    let mut detail = None;
    let value = (|| {
        let [allow, fallback, off] = [dword_of(&readings[0])?, dword_of(&readings[1])?, dword_of(&readings[2])?];
        let shown = |v: Option<u32>| v.map_or(NOT_SET.to_string(), |n| n.to_string());
        detail = Some(format!(
            "from AllowOnlySecureRpcCalls {}, FallbackToUnsecureRPCIfNecessary {}, TurnOffRpcSecurity {}",
            shown(allow),
            shown(fallback),
            shown(off)
        ));
        Ok(dtc_authentication(allow, fallback, off).to_string())
    })();
    let base = fact(
        "msdtc.authentication",
        "MSDTC authentication",
        value,
        r"HKLM\SOFTWARE\Microsoft\MSDTC AllowOnlySecureRpcCalls, FallbackToUnsecureRPCIfNecessary, TurnOffRpcSecurity (MS-CMOM 3.3.1.2.3)",
        Rule::Same,
    );
    ServerFact { detail, ..base }
}

fn dotnet_fact(reading: &Reading) -> ServerFact {
    let source = r"HKLM\SOFTWARE\Microsoft\NET Framework Setup\NDP\v4\Full Release";
    let mut detail = None;
    let value = dword_of(reading).map(|release| match release {
        None => NOT_SET.to_string(),
        Some(n) => {
            detail = Some(format!("Release {n}"));
            dotnet_version(n).map_or_else(|| format!("below 4.5 (Release {n})"), str::to_string)
        }
    });
    ServerFact { detail, ..fact("dotnet.version", ".NET Framework 4.x version", value, source, Rule::Same) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(key: &str, name: &str, kind: &str, data: &str) -> Reading {
        Reading::Value(RegValue { key: key.into(), name: name.into(), kind: kind.into(), data: data.into() })
    }

    fn by_id<'a>(facts: &'a [ServerFact], id: &str) -> &'a ServerFact {
        facts.iter().find(|f| f.id == id).expect("fact present")
    }

    #[test]
    fn host_name_is_never_empty() {
        assert!(!host_name().is_empty());
    }

    #[test]
    fn dotnet_release_numbers_map_to_the_highest_version_reached() {
        assert_eq!(dotnet_version(378_388), None);
        assert_eq!(dotnet_version(378_389), Some("4.5"));
        assert_eq!(dotnet_version(394_806), Some("4.6.2"));
        assert_eq!(dotnet_version(528_049), Some("4.8"));
        assert_eq!(dotnet_version(533_325), Some("4.8.1"));
    }

    #[test]
    fn dtc_authentication_follows_the_ms_cmom_order() {
        assert_eq!(dtc_authentication(None, Some(1), Some(1)), "mutual authentication required");
        assert_eq!(dtc_authentication(Some(1), None, None), "mutual authentication required");
        assert_eq!(dtc_authentication(Some(0), Some(1), Some(1)), "incoming caller authentication required");
        assert_eq!(dtc_authentication(Some(0), Some(0), Some(1)), "no authentication required");
        assert!(dtc_authentication(Some(0), None, Some(0)).starts_with("implementation default"));
    }

    #[test]
    fn an_absent_value_is_not_set_but_another_message_is_unknown() {
        let missing = "ERROR: The system was unable to find the specified registry key or value.\r\n";
        assert_eq!(reading_from_reg_output(missing, "Release"), Reading::NotSet);
        assert_eq!(
            reading_from_reg_output("reg: Unable to find the specified registry key\r\n", "Release"),
            Reading::NotSet
        );
        let denied = "ERROR: Access is denied.\r\n";
        let Reading::Unknown(why) = reading_from_reg_output(denied, "Release") else { panic!("not unknown") };
        assert!(why.contains("Access is denied"), "{why}");
        let found = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full\r\n    Release    REG_DWORD    0x80ff4\r\n";
        assert!(matches!(reading_from_reg_output(found, "Release"), Reading::Value(v) if v.data == "0x80ff4"));
    }

    #[test]
    fn the_msdtc_cid_is_the_guid_whose_description_is_msdtc() {
        let out = "\r\nHKEY_CLASSES_ROOT\\CID\\{5bd1ad9c-7d7b-4e36-8ea8-1e0e4d4e21d3}\\Description\r\n    (Default)    REG_SZ    MSDTC\r\n\r\nEnd of search: 1 match(es) found.\r\n";
        assert_eq!(string_of(&msdtc_cid_from_reg_output(out)).unwrap(), "{5BD1AD9C-7D7B-4E36-8EA8-1E0E4D4E21D3}");
        let two =
            format!("{out}HKEY_CLASSES_ROOT\\CID\\{{0000-1}}\\Description\r\n    (Default)    REG_SZ    MSDTC\r\n");
        assert!(matches!(msdtc_cid_from_reg_output(&two), Reading::Unknown(w) if w.starts_with("2 CIDs")));
        assert!(matches!(msdtc_cid_from_reg_output("End of search: 0 match(es) found.\r\n"), Reading::Unknown(_)));
        let wine = "reg: Invalid syntax. Type \"REG QUERY /?\" for help.\r\n";
        let Reading::Unknown(why) = msdtc_cid_from_reg_output(wine) else { panic!("not unknown") };
        assert!(why.ends_with("it said: reg: Invalid syntax. Type \"REG QUERY /?\" for help."), "{why}");
    }

    #[test]
    fn facts_come_from_the_readings_and_unknowns_keep_their_reason() {
        let mut readings: HashMap<Read, Reading> = reads().into_iter().map(|r| (r, Reading::NotSet)).collect();
        readings.insert(
            Read { key: BIZTALK_32, value: "ProductVersion" },
            value(BIZTALK_32, "ProductVersion", "REG_SZ", "3.12.774.0"),
        );
        readings.insert(Read { key: NDP4, value: "Release" }, value(NDP4, "Release", "REG_DWORD", "0x6040e"));
        readings.insert(
            Read { key: MSDTC, value: "AllowOnlySecureRpcCalls" },
            value(MSDTC, "AllowOnlySecureRpcCalls", "REG_DWORD", "0x0"),
        );
        readings.insert(
            Read { key: MSDTC, value: "FallbackToUnsecureRPCIfNecessary" },
            value(MSDTC, "x", "REG_DWORD", "0x1"),
        );
        readings.insert(
            Read { key: TIME_ZONE, value: "TimeZoneKeyName" },
            Reading::Unknown("reg.exe did not answer".into()),
        );
        let facts = facts_from(&readings, &Reading::Unknown("no CID".into()));
        assert_eq!(by_id(&facts, "biztalk.version").value.as_deref(), Some("3.12.774.0"));
        assert_eq!(by_id(&facts, "biztalk.management_db").value.as_deref(), Some(NOT_SET));
        let dotnet = by_id(&facts, "dotnet.version");
        assert_eq!((dotnet.value.as_deref(), dotnet.detail.as_deref()), (Some("4.6.1"), Some("Release 394254")));
        assert_eq!(
            by_id(&facts, "msdtc.authentication").value.as_deref(),
            Some("incoming caller authentication required")
        );
        assert_eq!(
            by_id(&facts, "msdtc.authentication").detail.as_deref(),
            Some("from AllowOnlySecureRpcCalls 0, FallbackToUnsecureRPCIfNecessary 1, TurnOffRpcSecurity not set")
        );
        let tz = by_id(&facts, "os.time_zone");
        assert_eq!((tz.value.as_ref(), tz.unknown_reason.as_deref()), (None, Some("reg.exe did not answer")));
        assert_eq!(by_id(&facts, "msdtc.cid").rule, Rule::Distinct);
    }

    #[test]
    fn off_windows_every_fact_is_unknown_with_the_reason() {
        let facts = all_unknown("not applicable: this is not Windows");
        assert!(facts.len() >= 12);
        assert!(facts
            .iter()
            .all(|f| f.value.is_none() && f.unknown_reason.as_deref() == Some("not applicable: this is not Windows")));
    }
}
