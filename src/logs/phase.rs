//! Where in the upgrade a failure happened, following the recovery model of Microsoft's upgrade
//! guide: prerequisites, database upgrade, removal of the old version's features, installation
//! of the new version, reconfiguration of features, or no failure at all. The guided recovery
//! uses this to choose its branch.

use super::format::LogFormat;
use super::msi::MsiSummary;
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// The stage of the upgrade that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UpgradePhase {
    /// Installing the redistributable prerequisites: fix the error and rerun setup.
    Prerequisites,
    /// Upgrading the BizTalk databases: they may need restoring from the pre-upgrade backup.
    DatabaseUpgrade,
    /// Removing the previous version's features: the machine may have no BizTalk left.
    FeatureRemoval,
    /// Installing the new version.
    Install,
    /// Reconfiguring features after setup: run Configuration to finish.
    Reconfiguration,
    /// No failure found.
    None,
}

impl UpgradePhase {
    /// The name used in JSON and by the recovery playbooks.
    pub fn name(self) -> &'static str {
        match self {
            UpgradePhase::Prerequisites => "prerequisites",
            UpgradePhase::DatabaseUpgrade => "database-upgrade",
            UpgradePhase::FeatureRemoval => "feature-removal",
            UpgradePhase::Install => "install",
            UpgradePhase::Reconfiguration => "reconfiguration",
            UpgradePhase::None => "none",
        }
    }
}

/// Products BizTalk setup installs as prerequisites (not BizTalk itself).
static PREREQUISITE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)native client|sqlxml|adomd|analysis management objects|visual c\+\+|redistributable|",
        r"office web components|\.net framework|msxml|sql server .*(client|management objects|clr types)|",
        r"prerequisite|\bprereq|\bcab\b|btsredist"
    ))
    .expect("static regex")
});
/// Signs of the database-upgrade step.
static DATABASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)database|\bdbs?\b|\.sql\b|sql script|BizTalkMgmtDb|BizTalkMsgBoxDb|BizTalkDTADb|BizTalkRuleEngineDb|SSODB|BAMPrimaryImport|upgradedb")
        .expect("static regex")
});
/// Signs of removing the old version.
static REMOVAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bremov|uninstall|CleanupRegistry|RemovePatches|RemoveExistingProducts").expect("static regex")
});

/// The phase a failing log points to, with a sentence saying why; `None` when the log is not a
/// setup or configuration log and so says nothing about the upgrade's stage.
pub fn phase_of(
    format: LogFormat,
    msi: Option<&MsiSummary>,
    root_text: &str,
    feature: Option<&str>,
) -> Option<(UpgradePhase, String)> {
    match format {
        LogFormat::Configlog => Some((
            UpgradePhase::Reconfiguration,
            match feature {
                Some(f) => format!("BizTalk Configuration failed while working on feature {f}"),
                None => "BizTalk Configuration reported the failure".into(),
            },
        )),
        LogFormat::Msi => {
            let summary = msi.cloned().unwrap_or_else(MsiSummary::new);
            let product = summary.product.clone().unwrap_or_default();
            let action = [summary.failed_custom_action.as_deref(), summary.failed_action.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            Some(msi_phase(&product, summary.operation, &action, root_text))
        }
        LogFormat::Setup => Some(text_phase(root_text, "BizTalk setup")),
        LogFormat::Eventlog if root_text.starts_with("MsiInstaller") || root_text.contains("Product: ") => {
            let product = root_text.split("Product: ").nth(1).and_then(|s| s.split(" -- ").next()).unwrap_or("");
            Some(msi_phase(product, "install", "", root_text))
        }
        LogFormat::Eventlog | LogFormat::Generic => None,
    }
}

fn msi_phase(product: &str, operation: &str, action: &str, root_text: &str) -> (UpgradePhase, String) {
    let is_biztalk = product.contains("BizTalk") || product.contains("Enterprise Single Sign-On");
    let product_name = if product.is_empty() { "the product" } else { product };
    if !product.is_empty() && !is_biztalk && PREREQUISITE.is_match(product) {
        return (UpgradePhase::Prerequisites, format!("the failing package is the prerequisite {product_name}"));
    }
    if DATABASE.is_match(action) || DATABASE.is_match(root_text) && !PREREQUISITE.is_match(root_text) {
        return (UpgradePhase::DatabaseUpgrade, format!("{product_name} failed while upgrading the BizTalk databases"));
    }
    let old_version = product.contains("2013") || product.contains("2010");
    if operation == "uninstall" || old_version || REMOVAL.is_match(action) {
        return (
            UpgradePhase::FeatureRemoval,
            format!("{product_name} failed while the previous version was being removed"),
        );
    }
    if action.contains("LaunchConfigFmk") {
        return (UpgradePhase::Reconfiguration, "setup failed while launching BizTalk Configuration".into());
    }
    if !product.is_empty() && !is_biztalk {
        return (
            UpgradePhase::Prerequisites,
            format!("the failing package {product_name} is not BizTalk Server itself"),
        );
    }
    (UpgradePhase::Install, format!("{product_name} failed while the new version was being installed"))
}

fn text_phase(text: &str, source: &str) -> (UpgradePhase, String) {
    if PREREQUISITE.is_match(text) {
        (UpgradePhase::Prerequisites, format!("{source} failed while installing prerequisites"))
    } else if DATABASE.is_match(text) {
        (UpgradePhase::DatabaseUpgrade, format!("{source} failed while upgrading the databases"))
    } else if REMOVAL.is_match(text) {
        (UpgradePhase::FeatureRemoval, format!("{source} failed while removing the previous version"))
    } else if text.to_ascii_lowercase().contains("configur") {
        (UpgradePhase::Reconfiguration, format!("{source} failed while configuring features"))
    } else {
        (UpgradePhase::Install, format!("{source} failed while installing the new version"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msi(product: &str, operation: &'static str, action: Option<&str>) -> MsiSummary {
        let mut summary = MsiSummary::new();
        summary.product = Some(product.into());
        summary.operation = operation;
        summary.failed_action = action.map(String::from);
        summary
    }

    #[test]
    fn each_phase_is_recognised() {
        let p = |s: &MsiSummary, text: &str| phase_of(LogFormat::Msi, Some(s), text, None).unwrap().0;
        assert_eq!(
            p(&msi("Microsoft SQL Server 2012 Native Client", "install", None), "Error 1935."),
            UpgradePhase::Prerequisites
        );
        assert_eq!(
            p(&msi("Microsoft BizTalk Server 2016", "upgrade", Some("CA_UpgradeDatabases")), "Login failed"),
            UpgradePhase::DatabaseUpgrade
        );
        assert_eq!(
            p(&msi("Microsoft BizTalk Server 2013 R2", "uninstall", Some("CA_CleanupRegistry_OldProducts")), "x"),
            UpgradePhase::FeatureRemoval
        );
        assert_eq!(
            p(&msi("Microsoft BizTalk Server 2016", "upgrade", Some("InstallFinalize")), "Error 5003. Regsvcs failed"),
            UpgradePhase::Install
        );
        assert_eq!(phase_of(LogFormat::Configlog, None, "x", Some("SSO")).unwrap().0, UpgradePhase::Reconfiguration);
        assert_eq!(phase_of(LogFormat::Generic, None, "x", None), None);
        assert!(UpgradePhase::Prerequisites < UpgradePhase::Reconfiguration);
        assert_eq!(UpgradePhase::DatabaseUpgrade.name(), "database-upgrade");
    }
}
