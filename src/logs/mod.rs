//! Reading setup, configuration, MSI and event logs: decoding, format detection, records,
//! Windows Installer knowledge, the root cause, the upgrade phase that failed, every known
//! issue with its context, and unknown errors grouped by template. Files are scanned in
//! parallel, each in one streaming pass with bounded memory.

pub mod decode;
mod file_scan;
pub mod format;
pub mod lines;
pub mod msi;
pub mod phase;
pub mod records;
pub mod report;
pub mod template;
pub mod when;

pub use decode::Encoding;
pub use format::LogFormat;
pub use phase::UpgradePhase;
pub use report::{
    ContextLine, FileReport, Finding, PhaseReport, Place, RootCause, ScanCode, ScanReport, UnmatchedGroup,
};

use crate::matcher::Matcher;
use file_scan::{scan_file, FileScan};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::Sender;

/// The `skipped` reason of a file whose scan panicked.
pub const INTERNAL_ERROR: &str = "internal error while reading this file (a bug)";

/// Most unknown-error groups in a report.
pub const MAX_REPORTED_GROUPS: usize = 200;

/// How to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Lines of context before and after each first occurrence.
    pub context: usize,
    /// Force this format instead of detecting it.
    pub format: Option<LogFormat>,
    /// Force this encoding instead of detecting it.
    pub encoding: Option<Encoding>,
    /// Files scanned at once (at least 1).
    pub jobs: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        let jobs = std::thread::available_parallelism().map_or(2, |n| n.get());
        ScanOptions { context: 3, format: None, encoding: None, jobs }
    }
}

/// How far a scan has got: sent over a channel so a UI can draw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes read so far, all files together.
    pub bytes_done: u64,
    /// Bytes to read in all.
    pub bytes_total: u64,
    /// Files finished.
    pub files_done: usize,
    /// Files in all.
    pub files_total: usize,
}

/// One input of a scan, after folders are walked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file to read; `special` when it was named on its own but is not a regular file (a
    /// FIFO, a device): it is read up to [`SPECIAL_LIMIT`] bytes.
    File {
        /// The file.
        path: PathBuf,
        /// Not a regular file.
        special: bool,
    },
    /// Not read, with why (a loop, a FIFO in a folder, a folder too deep).
    Skipped(PathBuf, String),
}

/// Most bytes read from a FIFO or a device named on its own.
pub const SPECIAL_LIMIT: u64 = 256 * 1024 * 1024;

/// Files and folders to scan, folders walked (links followed within the walk's bounds, loops
/// and second paths to one file left out, FIFOs and devices in folders skipped), in order.
pub fn expand_paths(paths: &[PathBuf]) -> Vec<Input> {
    let mut out = Vec::new();
    for path in paths {
        match crate::walk::kind(path) {
            crate::walk::Kind::Dir => {
                for found in crate::walk::walk(path, crate::walk::LIMITS, &|_| true) {
                    out.push(match found {
                        crate::walk::Found::File(p) => Input::File { path: p, special: false },
                        crate::walk::Found::Skipped(p, why) => Input::Skipped(p, why),
                    });
                }
            }
            crate::walk::Kind::Special(_) => out.push(Input::File { path: path.clone(), special: true }),
            _ => out.push(Input::File { path: path.clone(), special: false }),
        }
    }
    out
}

impl Input {
    /// The path.
    pub fn path(&self) -> &Path {
        match self {
            Input::File { path, .. } | Input::Skipped(path, _) => path,
        }
    }
}

/// Scans every file (after [`expand_paths`]), in parallel, and merges the results.
/// `progress` receives updates as bytes are read; setting `cancel` stops the scan early.
pub fn scan(
    paths: &[PathBuf],
    matcher: &Matcher,
    options: &ScanOptions,
    progress: Option<Sender<Progress>>,
    cancel: &AtomicBool,
) -> ScanReport {
    let files = expand_paths(paths);
    tracing::info!(files = files.len(), "scan started");
    let bytes_total: u64 =
        files.iter().filter_map(|i| std::fs::metadata(i.path()).ok()).filter(|m| m.is_file()).map(|m| m.len()).sum();
    let next = AtomicUsize::new(0);
    let finished = AtomicUsize::new(0);
    let done = AtomicU64::new(0);
    let mut results: Vec<Option<FileScan>> = vec![None; files.len()];
    let jobs = options.jobs.clamp(1, files.len().max(1));
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..jobs)
            .map(|_| {
                let progress = progress.clone();
                let (files, next, finished, done) = (&files, &next, &finished, &done);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= files.len() {
                            break;
                        }
                        let scanned = match &files[i] {
                            Input::Skipped(path, why) => FileScan::from_report(report::FileReport::skipped(
                                &path.display().to_string(),
                                0,
                                why.clone(),
                            )),
                            Input::File { path, special } => {
                                let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                                    scan_file(path, *special, matcher, options, done, cancel)
                                }));
                                attempt.unwrap_or_else(|_| {
                                    let shown = path.display().to_string();
                                    FileScan::from_report(report::FileReport::skipped(
                                        &shown,
                                        0,
                                        "internal error while reading this file (a bug)",
                                    ))
                                })
                            }
                        };
                        mine.push((i, scanned));
                        let files_done = finished.fetch_add(1, Ordering::Relaxed) + 1;
                        if let Some(tx) = &progress {
                            let _ = tx.send(Progress {
                                bytes_done: done.load(Ordering::Relaxed),
                                bytes_total,
                                files_done,
                                files_total: files.len(),
                            });
                        }
                    }
                    mine
                })
            })
            .collect();
        for worker in workers {
            for (i, scanned) in worker.join().unwrap_or_default() {
                results[i] = Some(scanned);
            }
        }
    });
    let cancelled = cancel.load(Ordering::Relaxed);
    let scans: Vec<FileScan> = results
        .into_iter()
        .zip(&files)
        .map(|(r, p)| {
            r.unwrap_or_else(|| {
                FileScan::from_report(report::FileReport::skipped(&p.path().display().to_string(), 0, "not scanned"))
            })
        })
        .collect();
    merge(scans, matcher, cancelled)
}

impl FileScan {
    fn from_report(report: FileReport) -> Self {
        FileScan {
            report,
            findings: HashMap::new(),
            unmatched: HashMap::new(),
            unmatched_omitted: 0,
            root: None,
            codes: Vec::new(),
        }
    }
}

/// Combines per-file results in input order: findings and groups summed, the root cause taken
/// from the file whose failure comes earliest in the upgrade.
fn merge(scans: Vec<FileScan>, matcher: &Matcher, cancelled: bool) -> ScanReport {
    for scan in &scans {
        let f = &scan.report;
        tracing::info!(path = %f.path, format = ?f.format, records = f.records, skipped = ?f.skipped, "file scanned");
    }
    let mut findings: Vec<Finding> = Vec::new();
    let mut finding_index: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<UnmatchedGroup> = Vec::new();
    let mut group_index: HashMap<String, usize> = HashMap::new();
    let mut omitted = 0;
    let mut roots = Vec::new();
    let mut files = Vec::new();
    let mut codes: Vec<ScanCode> = Vec::new();
    let internal_errors = scans.iter().filter(|s| s.report.skipped.as_deref() == Some(INTERNAL_ERROR)).count();
    for (order, scan) in scans.into_iter().enumerate() {
        let mut file_findings: Vec<(String, file_scan::FileFinding)> = scan.findings.into_iter().collect();
        file_findings.sort_by_key(|(_, f)| f.first.line);
        for (id, f) in file_findings {
            match finding_index.get(&id) {
                Some(&i) => {
                    findings[i].count += f.count;
                    findings[i].last = f.last;
                }
                None => {
                    let (title, severity) =
                        matcher.kb().get(&id).map(|e| (e.title.clone(), e.severity.to_string())).unwrap_or_default();
                    finding_index.insert(id.clone(), findings.len());
                    findings.push(Finding {
                        issue_id: id,
                        title,
                        severity,
                        count: f.count,
                        first: f.first,
                        last: f.last,
                        context: f.context,
                    });
                }
            }
        }
        for (code, first) in scan.codes {
            if codes.len() < crate::matcher::codes::MAX_CODES
                && !codes.iter().any(|c| c.code.code == code.code && c.code.catalogue == code.catalogue)
            {
                codes.push(ScanCode { code, first });
            }
        }
        let mut file_groups: Vec<(String, (u64, Place))> = scan.unmatched.into_iter().collect();
        file_groups.sort_by_key(|(_, (_, p))| p.line);
        for (template, (count, first)) in file_groups {
            match group_index.get(&template) {
                Some(&i) => groups[i].count += count,
                None => {
                    group_index.insert(template.clone(), groups.len());
                    groups.push(UnmatchedGroup { template, count, first });
                }
            }
        }
        omitted += scan.unmatched_omitted;
        if let Some(root) = scan.root {
            roots.push((order, root));
        }
        files.push(scan.report);
    }
    // Specific entries first, then generic catch-alls, then areas' triage; most frequent first within.
    let tier = |id: &str| matcher.kb().get(id).map(|e| e.tier());
    findings.sort_by(|a, b| {
        tier(&b.issue_id)
            .cmp(&tier(&a.issue_id))
            .then_with(|| b.count.cmp(&a.count))
            .then_with(|| a.issue_id.cmp(&b.issue_id))
    });
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.template.cmp(&b.template)));
    if groups.len() > MAX_REPORTED_GROUPS {
        omitted += (groups.len() - MAX_REPORTED_GROUPS) as u64;
        groups.truncate(MAX_REPORTED_GROUPS);
    }

    // The failure that stopped the upgrade comes from the earliest phase; logs that say nothing
    // about the phase (event logs, generic logs) only win when no setup log failed.
    roots.sort_by_key(|(order, r)| (r.phase.as_ref().map_or(UpgradePhase::None, |(p, _)| *p), *order));
    let chosen = roots.into_iter().next().map(|(_, r)| r);
    let (phase, phase_detail) = match chosen.as_ref().and_then(|r| r.phase.clone().map(|p| (p, r.evidence.clone()))) {
        Some(((phase, reason), evidence)) => (phase, PhaseReport { phase, reason, evidence }),
        None => {
            let reason = if chosen.is_some() {
                "errors were found, but no setup or configuration log shows a failed upgrade step".to_string()
            } else {
                "no failure was found in the logs".to_string()
            };
            (UpgradePhase::None, PhaseReport { phase: UpgradePhase::None, reason, evidence: Vec::new() })
        }
    };
    let root_cause = chosen.map(|r| RootCause {
        when: when::failure_time(Path::new(&r.place.path), r.place.line),
        issue_id: r.issue_id,
        path: r.place.path,
        line: r.place.line,
        text: r.place.text,
        reason: r.reason,
        context: r.context,
    });
    ScanReport {
        schema: crate::JSON_SCHEMA,
        files,
        root_cause,
        phase,
        phase_detail,
        findings,
        unmatched: groups,
        unmatched_omitted: omitted,
        codes,
        cancelled,
        internal_errors,
    }
}

/// Lines `center - radius ..= center + radius` of a log (1-based), decoded like a scan would,
/// read in one streaming pass that stops after the last wanted line. For the log viewer.
pub fn read_lines(path: &Path, center: u64, radius: u64) -> Result<Vec<(u64, String)>, String> {
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let head = decode::read_head(&mut file).map_err(|e| e.to_string())?;
    let (encoding, bom) = decode::choose(&head, None).ok_or("binary file")?;
    let (first, last) = (center.saturating_sub(radius).max(1), center + radius);
    let mut reader = decode::TextReader::new(file, encoding, head, bom);
    let mut splitter = lines::LineSplitter::new();
    let mut out = Vec::new();
    let mut chunk = String::new();
    let mut keep = |line: lines::Line<'_>| {
        if line.number >= first && line.number <= last {
            out.push((line.number, line.text.to_string()));
        }
    };
    loop {
        chunk.clear();
        match reader.next_chunk(&mut chunk) {
            Ok(true) => splitter.feed(&chunk, &mut keep),
            Ok(false) => break,
            Err(e) => return Err(e.to_string()),
        }
        if splitter.lines() > last {
            break;
        }
    }
    splitter.finish(&mut keep);
    Ok(out)
}
