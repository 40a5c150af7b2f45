//! Report collection, the use case `report` and the TUI's export share: each part is either in
//! hand already (the TUI's session) or produced here (the CLI), then readiness is assessed the
//! one way readiness always is, and the summary is computed.

use super::document::{ChecksPart, GuidePart, ReportData};
use super::pseudonym::Options;
use crate::checks::runner::{self, Job, RunOptions};
use crate::checks::{CheckResult, SqlTarget};
use crate::guide::machine::Progress;
use crate::guide::readiness::{self, ChecklistChecks, Facts};
use crate::guide::store::Store;
use crate::logs::{ScanOptions, ScanReport};
use crate::matcher::{MatchReport, Matcher};
use std::path::PathBuf;
use std::sync::Arc;

/// Where the scan part comes from.
pub enum ScanPart {
    /// No scan.
    None,
    /// Scan these paths now.
    Paths(Vec<PathBuf>),
    /// A scan already done.
    Done(Box<ScanReport>),
}

/// Where the checks part comes from.
pub enum ChecksInput {
    /// Leave the live checks out (`--no-checks`, or none were run in the session).
    None,
    /// Run every check now against the target.
    Run,
    /// Results already in hand.
    Done(Vec<CheckResult>),
}

/// Where guided-procedure progress comes from.
pub enum GuideInput {
    /// Every playbook's saved progress on this computer.
    Saved,
    /// The progress of the session.
    Given(Option<Progress>),
}

/// Everything a report is made from.
pub struct ReportInputs {
    /// A pasted error and its matches.
    pub paste: Option<(String, MatchReport)>,
    /// The scan.
    pub scan: ScanPart,
    /// The SQL Server (no password in any output).
    pub target: Option<SqlTarget>,
    /// The live checks.
    pub checks: ChecksInput,
    /// Guided progress.
    pub guide: GuideInput,
    /// What is known of the environment for readiness (detection fills the rest).
    pub facts: Facts,
    /// When the report is generated (RFC 3339).
    pub generated_at: String,
    /// Pseudonyms for machine and account names.
    pub pseudonyms: Options,
}

/// Builds the report: the parts, readiness from the same facts and check results every face
/// uses, and the summary.
pub async fn collect(matcher: &Matcher, inputs: ReportInputs) -> Result<ReportData, String> {
    let kb = Arc::new(matcher.kb().clone());
    let mut data = ReportData::new(&kb, inputs.generated_at, inputs.pseudonyms);
    data.matches = inputs.paste.map(|(text, report)| super::json::match_document(matcher, &text, &report, 5));
    data.scan = match inputs.scan {
        ScanPart::None => None,
        ScanPart::Done(report) => Some(*report),
        ScanPart::Paths(paths) => {
            let never = std::sync::atomic::AtomicBool::new(false);
            Some(crate::logs::scan(&paths, matcher, &ScanOptions::default(), None, &never))
        }
    };
    let results = match inputs.checks {
        ChecksInput::None => None,
        ChecksInput::Done(results) => Some(results),
        ChecksInput::Run => {
            let mut specs: Vec<_> = kb.checks().iter().filter(|c| !c.is_guide_only()).cloned().collect();
            runner::display_order(&mut specs);
            let job = Job { kb: kb.clone(), specs, target: inputs.target.clone(), options: RunOptions::default() };
            let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
            Some(runner::run(job, tx, Default::default()).await)
        }
    };
    let checklist = match &results {
        Some(r) if !r.is_empty() => ChecklistChecks::Given(r.clone()),
        _ => ChecklistChecks::Skip,
    };
    if kb.matrices().is_some() && kb.playbook(readiness::PRE_UPGRADE).is_some() {
        data.readiness = Some(readiness::assess(kb.clone(), inputs.facts, inputs.target.as_ref(), checklist).await?);
    }
    if let Some(results) = results.filter(|r| !r.is_empty()) {
        data.checks = Some(ChecksPart { sql: inputs.target.clone(), results });
    }
    match inputs.guide {
        GuideInput::Given(progress) => {
            data.guide.extend(progress.as_ref().and_then(|p| GuidePart::from_progress(&kb, p)))
        }
        GuideInput::Saved => {
            if let Some(store) = Store::default_location() {
                for book in kb.playbooks() {
                    if let Ok(Some(progress)) = store.load(&book.id) {
                        data.guide.extend(GuidePart::from_progress(&kb, &progress));
                    }
                }
            }
        }
    }
    data.server = Some(super::server::collect(super::server::host_name()).await);
    data.summarise();
    Ok(data)
}
