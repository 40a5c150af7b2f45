//! Windows Installer verbose logs: which lines are errors (and which only look like it), and
//! what the log says as a whole: the product, install vs upgrade vs uninstall, the action that
//! failed first and the final exit code.

use super::records::{Level, Record};
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// Substrings whose presence decides which of the (costlier) regexes below need to run; one
/// automaton pass per line finds them all.
const MARKER_TEXTS: [&str; 20] = [
    "Action ended ",                          // 0
    "MainEngineThread is returning",          // 1
    "error status: ",                         // 2
    "returned actual error code",             // 3
    "Error ",                                 // 4
    "Warning ",                               // 5
    "operation failed",                       // 6
    "-- Removal failed",                      // 7
    "-- Installation failed",                 // 8
    "-- Configuration failed",                // 9
    "Product",                                // 10
    "UPGRADINGPRODUCTCODE",                   // 11
    "RemoveExistingProducts",                 // 12
    "OLDPRODUCTFOUND",                        // 13
    "Detected older version",                 // 14
    "Removal completed",                      // 15
    "removed the product",                    // 16
    "BTSPREVIOUSVERSIONFOUND",                // 17
    "ProductName",                            // 18
    "FindRelatedProducts: Found application", // 19
];

static MARKERS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::Standard)
        .build(MARKER_TEXTS)
        .expect("static automaton")
});

/// Which of [`MARKER_TEXTS`] a message holds, as bits.
fn markers(msg: &str) -> u32 {
    MARKERS.find_overlapping_iter(msg).fold(0, |bits, m| bits | 1 << m.pattern().as_u32())
}

fn has(bits: u32, marker: u32) -> bool {
    bits & (1 << marker) != 0
}

/// Splits `MSI (s) (2C:64) [15:48:23:562]: message` into the time and the message.
fn split_prefix(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("MSI (")?;
    let open = rest.find(") [")?;
    let close = rest[open..].find("]: ")? + open;
    Some((&rest[open + 3..close], &rest[close + 3..]))
}
static ERROR_NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?-u)\bError (\d{3,5})\.").expect("static regex"));
static WARNING_NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u)\bWarning (\d{3,5})\.").expect("static regex"));
static RETURNING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"MainEngineThread is returning (\d+)").expect("static regex"));
static STATUS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)success or error status: (-?\d+)").expect("static regex"));
static ACTION_ENDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Action ended (\d{1,2}:\d{2}:\d{2}): ([^.]+)\. Return value (\d+)\.").expect("static regex")
});
static CA_ERROR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"CustomAction (\S+) returned actual error code (-?\d+)").expect("static regex"));
static PRODUCT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^Product: (.+?) -- |Product Name: (.+?)\. Product Version|^Property\([SC]\): ProductName = (.+)$)")
        .expect("static regex")
});

/// Exit codes that mean success (3010 and 1641: success, restart needed or started).
const SUCCESS_CODES: [i64; 3] = [0, 3010, 1641];

/// The message of an MSI line, without its engine prefix.
pub fn message(line: &str) -> &str {
    split_prefix(line).map_or(line, |(_, msg)| msg)
}

/// Sets an MSI record's level, timestamp, component and marker bits.
pub fn classify(r: &mut Record) {
    if let Some((time, _)) = split_prefix(&r.text) {
        r.timestamp = Some(time.to_string());
        // "MSI (s)" or "MSI (c)": up to the first closing parenthesis.
        r.component = r.text.find(')').and_then(|end| r.text.get(..=end)).map(str::to_string);
    }
    let msg = message(&r.text);
    r.flags = markers(msg);
    r.level = level_with(msg, r.flags);
}

/// The level of one MSI message.
pub fn level(msg: &str) -> Level {
    level_with(msg, markers(msg))
}

fn level_with(msg: &str, bits: u32) -> Level {
    let noise = [
        "Property(",
        "PROPERTY CHANGE",
        "Note:",
        "DEBUG:",
        "Doing action:",
        "Skipping action",
        "Command Line:",
        "******* Product:",
        "Machine policy value",
        "User policy value",
        "Decrementing counter",
        "Incrementing counter",
    ];
    if noise.iter().any(|n| msg.starts_with(n)) {
        return Level::Info;
    }
    if has(bits, 0) {
        if let Some(c) = ACTION_ENDED.captures(msg) {
            return match &c[3] {
                "3" => Level::Error,
                "2" => Level::Warning,
                _ => Level::Info,
            };
        }
    }
    if has(bits, 1) {
        if let Some(c) = RETURNING.captures(msg) {
            return if is_failure_code(&c[1]) { Level::Error } else { Level::Info };
        }
    }
    if has(bits, 2) {
        if let Some(c) = STATUS.captures(msg) {
            return if is_failure_code(&c[1]) { Level::Error } else { Level::Info };
        }
    }
    if has(bits, 3) && CA_ERROR.captures(msg).is_some_and(|c| is_failure_code(&c[2]))
        || has(bits, 4) && ERROR_NUMBER.is_match(msg)
    {
        return Level::Error;
    }
    if has(bits, 6) && msg.contains("Installation operation failed") || has(bits, 7) || has(bits, 8) || has(bits, 9) {
        return Level::Error;
    }
    if has(bits, 5) && WARNING_NUMBER.is_match(msg) {
        return Level::Warning;
    }
    // Custom actions write their own output (CAQuietExec:, InstallUtil, Regsvcs ...).
    super::records::keyword_level(msg)
}

/// Lines that report the outcome of the whole installation (`Return value 3`, the exit code,
/// "Installation operation failed"): consequences of the failure, not errors of their own.
pub fn is_outcome(msg: &str) -> bool {
    let bits = markers(msg);
    has(bits, 0) && ACTION_ENDED.is_match(msg)
        || has(bits, 1)
        || has(bits, 2) && STATUS.is_match(msg)
        || has(bits, 6) && msg.contains("Installation operation failed")
        || has(bits, 7)
        || has(bits, 8)
        || has(bits, 9)
        || msg.starts_with("Error in rollback skipped")
}

fn is_failure_code(code: &str) -> bool {
    code.trim().parse::<i64>().map_or(true, |n| !SUCCESS_CODES.contains(&n))
}

/// What an MSI log is about, gathered line by line.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MsiSummary {
    /// The product being installed, upgraded or removed.
    pub product: Option<String>,
    /// `install`, `upgrade` or `uninstall`.
    pub operation: &'static str,
    /// The first action that ended with `Return value 3`.
    pub failed_action: Option<String>,
    /// Line of that `Return value 3`.
    #[serde(skip)]
    pub failed_action_line: Option<u64>,
    /// The last `MainEngineThread is returning N`.
    pub exit_code: Option<i64>,
    /// The first custom action that returned an error code.
    pub failed_custom_action: Option<String>,
    #[serde(skip)]
    product_from_property: bool,
    #[serde(skip)]
    command_line_seen: bool,
    #[serde(skip)]
    remove_all: bool,
    #[serde(skip)]
    upgrade_seen: bool,
    #[serde(skip)]
    removed_products: Vec<String>,
}

impl MsiSummary {
    /// An empty summary (operation `install` until the log says otherwise).
    pub fn new() -> Self {
        MsiSummary { operation: "install", ..Default::default() }
    }

    /// Reads what one record says about the whole log (its marker bits say where to look).
    pub fn observe(&mut self, r: &Record) {
        let msg = message(&r.text);
        let bits = r.flags;
        let command_line = msg.starts_with("Command Line:") || msg.starts_with("******* Command Line:");
        if bits == 0 && !command_line {
            return;
        }
        // The package's own name is authoritative; "Product: X --" lines may be about the old
        // version an upgrade removes.
        if has(bits, 18) && !self.product_from_property {
            let property = msg
                .strip_prefix("Property(S): ProductName = ")
                .or_else(|| msg.strip_prefix("Property(C): ProductName = "));
            if let Some(name) = property.map(str::trim).filter(|n| !n.is_empty()) {
                self.product = Some(name.to_string());
                self.product_from_property = true;
            }
        }
        if self.product.is_none() && has(bits, 10) {
            if let Some(c) = PRODUCT.captures(msg) {
                let name = c.get(1).or(c.get(2)).or(c.get(3)).map(|m| m.as_str().trim().to_string());
                self.product = name.filter(|n| !n.is_empty());
            }
        }
        // Only the first command line is the log's own operation; later ones belong to
        // nested installations (an upgrade removing the old version).
        if command_line && !self.command_line_seen {
            self.command_line_seen = true;
            let upper = msg.to_ascii_uppercase();
            self.remove_all = upper.contains("REMOVE=ALL");
            self.upgrade_seen |= has(bits, 17) && !upper.contains("UPGRADINGPRODUCTCODE");
        }
        if has(bits, 11)
            && (msg.starts_with("Property(S): UPGRADINGPRODUCTCODE = {") || msg.contains("Adding UPGRADINGPRODUCTCODE"))
            || has(bits, 12) && msg.contains("Doing action: RemoveExistingProducts")
            || has(bits, 13) && msg.contains("Adding OLDPRODUCTFOUND")
            || has(bits, 14)
            || has(bits, 19)
        {
            self.upgrade_seen = true;
        }
        if has(bits, 7) || has(bits, 15) || has(bits, 16) {
            if let Some(c) = PRODUCT.captures(msg) {
                if let Some(name) = c.get(1).or(c.get(2)) {
                    self.removed_products.push(name.as_str().trim().to_string());
                }
            }
        }
        if self.failed_action.is_none() && has(bits, 0) {
            if let Some(c) = ACTION_ENDED.captures(msg) {
                if &c[3] == "3" {
                    self.failed_action = Some(c[2].trim().to_string());
                    self.failed_action_line = Some(r.line);
                }
            }
        }
        if self.failed_custom_action.is_none() && has(bits, 3) {
            if let Some(c) = CA_ERROR.captures(msg) {
                if is_failure_code(&c[2]) {
                    self.failed_custom_action = Some(c[1].to_string());
                }
            }
        }
        if has(bits, 1) {
            if let Some(c) = RETURNING.captures(msg) {
                self.exit_code = c[1].parse().ok();
            }
        }
    }

    /// Settles `operation` once the whole log has been read: removal when the log's own command
    /// line says `REMOVE=ALL` (or its product was removed outside an upgrade), upgrade when an
    /// older version was found, else install.
    pub fn finalize(&mut self) {
        let product_removed = self.product.as_ref().is_some_and(|p| self.removed_products.contains(p));
        self.operation = if self.remove_all || product_removed && !self.upgrade_seen {
            "uninstall"
        } else if self.upgrade_seen {
            "upgrade"
        } else {
            "install"
        };
    }

    /// Whether this record is the `Return value 3` that marks the first failure.
    pub fn is_first_failure(&self, r: &Record) -> bool {
        self.failed_action_line == Some(r.line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_characters_after_the_msi_prefix_do_not_panic() {
        for text in
            ["MSI (\u{FFFD}s) (2C:64) [15:48:23:562]: Product: X -- Error 1722. boom", "MSI (→) [1:2:3:4]: x", "MSI (é"]
        {
            let r = rec(1, text);
            assert!(r.component.is_none() || r.component.as_deref().is_some_and(|c| c.ends_with(')')));
        }
    }

    #[test]
    fn errors_and_harmless_lines_are_told_apart() {
        let cases = [
            ("Action ended 15:48:23: InstallFinalize. Return value 3.", Level::Error),
            ("Action ended 15:48:23: InstallFinalize. Return value 1.", Level::Info),
            ("MSI (s) (2C:64) [15:48:23:562]: Note: 1: 1402 2: HKEY_LOCAL_MACHINE\\Software 3: 2", Level::Info),
            ("MSI (s) (2C:64) [15:48:23:562]: Note: 1: 2205 2:  3: Error ", Level::Info),
            ("MSI (s) (2C:64) [15:48:23:562]: Product: Microsoft BizTalk Server 2016 -- Error 5003.Regsvcs failed", Level::Error),
            ("MSI (s) (2C:64) [15:48:23:562]: Product: Microsoft BizTalk Server 2016 -- Error 5003. Regsvcs failed", Level::Error),
            ("CustomAction RegsvcsDeployment returned actual error code 1603 (note this may not be 100% accurate)", Level::Error),
            ("MSI (s) (74:A8) [12:44:33:875]: MainEngineThread is returning 1603", Level::Error),
            ("MSI (s) (74:A8) [12:44:33:875]: MainEngineThread is returning 0", Level::Info),
            ("MSI (s) (74:A8) [12:44:33:875]: MainEngineThread is returning 3010", Level::Info),
            ("MSI (s) (74:A8) [12:44:33:875]: Windows Installer installed the product. Installation success or error status: 0.", Level::Info),
            ("MSI (s) (74:A8) [12:44:33:875]: Windows Installer installed the product. Installation success or error status: 1603.", Level::Error),
            ("Property(S): ErrorDialog = ErrorDlg", Level::Info),
            ("MSI (s) (74:A8) [12:44:33:875]: Product: X -- Installation operation failed.", Level::Error),
            ("Action ended 15:48:23: WelcomeDlg. Return value 2.", Level::Warning),
            ("MSI (s) (D4:74) [21:59:58:236]: Decrementing counter to disable shutdown. If counter >= 0, shutdown will be denied.", Level::Info),
        ];
        for (line, want) in cases {
            assert_eq!(level(message(line)), want, "{line}");
        }
    }

    fn rec(line: u64, text: &str) -> Record {
        let mut r = Record {
            line,
            end_line: line,
            timestamp: None,
            level: Level::Info,
            component: None,
            text: text.into(),
            event_id: None,
            flags: 0,
            headline: None,
        };
        classify(&mut r);
        r
    }

    /// The summary of a log made of `lines`.
    fn summary_of(lines: &[&str]) -> MsiSummary {
        let mut s = MsiSummary::new();
        for (i, line) in lines.iter().enumerate() {
            s.observe(&rec(i as u64 + 1, line));
        }
        s.finalize();
        s
    }

    #[test]
    fn an_upgrade_removing_the_old_version_is_still_an_upgrade_of_the_new_product() {
        let s = summary_of(&[
            "MSI (s) (48:8C) [22:14:06:012]: Command Line: ADDLOCAL=WMI ACTION=INSTALL BTSPREVIOUSVERSIONFOUND={5F1DDB6A-2C47-4E0B-9D7C-4A8E2B61C3F9}",
            "MSI (s) (48:8C) [22:14:07:403]: Command Line: UPGRADINGPRODUCTCODE={B084F3A7} CLIENTUILEVEL=0 REMOVE=ALL",
            "MSI (s) (48:8C) [22:14:32:348]: Product: Microsoft BizTalk Server 2013 R2 -- Removal completed successfully.",
            "Property(S): ProductName = Microsoft BizTalk Server 2016",
        ]);
        assert_eq!(s.product.as_deref(), Some("Microsoft BizTalk Server 2016"));
        assert_eq!(s.operation, "upgrade");
        let removal = summary_of(&[
            "MSI (s) (48:8C) [22:14:07:403]: Command Line: UPGRADINGPRODUCTCODE={B084F3A7} CLIENTUILEVEL=0 REMOVE=ALL",
        ]);
        assert_eq!(removal.operation, "uninstall");
    }

    #[test]
    fn the_summary_finds_product_operation_first_failure_and_exit_code() {
        let s = summary_of(&[
            "MSI (s) (2C:64) [15:48:23:562]: PROPERTY CHANGE: Adding UPGRADINGPRODUCTCODE property. Its value is '{X}'.",
            "CustomAction RegsvcsDeployment returned actual error code 1603 (note this may not be 100% accurate)",
            "Action ended 15:48:23: InstallFinalize. Return value 3.",
            "Action ended 15:48:24: INSTALL. Return value 3.",
            "MSI (s) (2C:64) [15:48:25:562]: Product: Microsoft BizTalk Server 2016 -- Installation operation failed.",
            "MSI (s) (2C:64) [15:48:25:600]: MainEngineThread is returning 1603",
        ]);
        assert_eq!(s.product.as_deref(), Some("Microsoft BizTalk Server 2016"));
        assert_eq!(s.operation, "upgrade");
        assert_eq!(s.failed_action.as_deref(), Some("InstallFinalize"));
        assert_eq!(s.failed_action_line, Some(3));
        assert_eq!(s.failed_custom_action.as_deref(), Some("RegsvcsDeployment"));
        assert_eq!(s.exit_code, Some(1603));
    }
}
