//! `bts-doctor scan`: read setup, configuration, MSI and event logs; report the root cause, the
//! upgrade phase that failed, every known issue and the unknown errors.

use super::{print, print_json, text, with_matcher, GlobalArgs};
use crate::exit;
use crate::logs::{self, Encoding, LogFormat, ScanOptions, ScanReport};
use crate::report::{jsonl, redact};
use clap::Args;
use std::fmt::Write;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

/// Arguments of `scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Log files or folders (searched recursively).
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// Print JSON (schema 1) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print JSON Lines instead: one object per known issue found, with host name and time,
    /// in Elastic Common Schema field names (for collecting from many servers).
    #[arg(long)]
    pub jsonl: bool,
    /// Lines of context shown before and after each finding.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub context: usize,
    /// The log format: auto, msi, configlog, setup, eventlog or generic.
    #[arg(long, value_name = "FORMAT", default_value = "auto")]
    pub format: String,
    /// The text encoding: auto, utf-8, utf-16le, utf-16be or windows-1252.
    #[arg(long, value_name = "ENCODING", default_value = "auto")]
    pub encoding: String,
    /// Files scanned at once (default: one per CPU).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// Runs `scan`: exit 0 when every file was read and nothing was found, 1 on findings, 4 when
/// nothing was found but a file could not be read, 2 on a missing path or when no input could
/// be read.
pub fn run(global: &GlobalArgs, args: ScanArgs) -> u8 {
    if args.json && args.jsonl {
        eprintln!("bts-doctor scan: {}", super::JSON_AND_JSONL);
        return exit::USAGE;
    }
    let format =
        match choice(&args.format, "format", "auto, msi, configlog, setup, eventlog or generic", LogFormat::parse) {
            Ok(f) => f,
            Err(code) => return code,
        };
    let encoding =
        match choice(&args.encoding, "encoding", "auto, utf-8, utf-16le, utf-16be or windows-1252", Encoding::parse) {
            Ok(e) => e,
            Err(code) => return code,
        };
    if let Some(missing) = super::missing_path(&args.paths) {
        eprintln!("bts-doctor scan: {missing}; nothing was scanned");
        return exit::USAGE;
    }
    with_matcher(global, &[], |matcher| scan_with(matcher, &args, format, encoding))
}

/// An option that is `auto` (`None`) or one of the names `parse` knows; anything else is a
/// usage error naming the choices.
fn choice<T>(value: &str, flag: &str, choices: &str, parse: fn(&str) -> Option<T>) -> Result<Option<T>, u8> {
    if value == "auto" {
        return Ok(None);
    }
    parse(value).map(Some).ok_or_else(|| {
        eprintln!("bts-doctor scan: unknown --{flag} `{value}`; use {choices}");
        exit::USAGE
    })
}

fn scan_with(
    matcher: &crate::matcher::Matcher,
    args: &ScanArgs,
    format: Option<LogFormat>,
    encoding: Option<Encoding>,
) -> u8 {
    let mut options = ScanOptions { context: args.context.min(50), format, encoding, ..ScanOptions::default() };
    if let Some(jobs) = args.jobs {
        options.jobs = jobs.max(1);
    }
    let cancel = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::channel::<logs::Progress>();
    let show_progress = std::io::stderr().is_terminal() && !args.json && !args.jsonl;
    let report = std::thread::scope(|s| {
        let drawer = s.spawn(move || {
            for p in rx {
                if show_progress && p.bytes_total > 32 << 20 {
                    eprint!(
                        "\rscanning: {} of {} MB, {} of {} files   ",
                        p.bytes_done >> 20,
                        p.bytes_total >> 20,
                        p.files_done,
                        p.files_total
                    );
                }
            }
            if show_progress {
                eprint!("\r{:60}\r", "");
            }
        });
        let report = logs::scan(&args.paths, matcher, &options, Some(tx), &cancel);
        let _ = drawer.join();
        report
    });
    // Masked whole, before any line is cut for the screen (a cut could hide what marks a secret).
    let mut report = report;
    redact::mask_scan_report(&mut report);
    if args.json {
        print_json(&report);
    } else if args.jsonl {
        super::print_lines(&jsonl::scan_lines(&jsonl::Origin::here_now(), &report));
    } else {
        print(&render(&report));
    }
    if report.internal_errors > 0 {
        eprintln!(
            "bts-doctor scan: {} file(s) hit an internal error (a bug); the results are incomplete",
            report.internal_errors
        );
        exit::INTERNAL
    } else if report.files_read() == 0 {
        eprintln!("bts-doctor scan: none of the given paths could be read");
        exit::USAGE
    } else {
        report.completeness().exit_code()
    }
}

/// The human answer to `scan`.
pub fn render(report: &ScanReport) -> String {
    let mut out = String::new();
    let bytes: u64 = report.files.iter().map(|f| f.bytes).sum();
    let _ = writeln!(out, "Scanned {} of {} file(s), {}", report.files_read(), report.files.len(), human_bytes(bytes));
    for f in &report.files {
        match (&f.skipped, f.format, f.encoding) {
            (Some(reason), _, _) => {
                let _ = writeln!(out, "  [skipped] {}: {reason}", f.path);
            }
            (None, format, encoding) => {
                let format = format.map_or("?", LogFormat::name);
                let encoding = encoding.map_or("?", Encoding::name);
                let _ = writeln!(out, "  [read]    {}  {format}, {encoding}, {} records", f.path, f.records);
                if let Some(msi) = &f.msi {
                    let product = msi.product.as_deref().unwrap_or("unknown product");
                    let exit = msi.exit_code.map(|c| format!(", exit code {c}")).unwrap_or_default();
                    let _ = writeln!(out, "            {} of {product}{exit}", msi.operation);
                }
            }
        }
        for note in &f.notes {
            let _ = writeln!(out, "            note: {note}");
        }
    }
    if report.cancelled {
        out.push_str("\nThe scan was cancelled; the results cover only what was read.\n");
    }

    out.push_str("\nRoot cause\n");
    match &report.root_cause {
        // "No failure" only speaks of what was read.
        None if report.files_read() == 0 => out.push_str("  Nothing could be read, so nothing can be told.\n"),
        None if report.files_read() < report.files.len() || report.cancelled => {
            let _ = writeln!(
                out,
                "  No failure found in the {} file(s) read; {} could not be read, so this is not the whole answer.",
                report.files_read(),
                report.files.len() - report.files_read()
            );
        }
        None => out.push_str("  No failure found.\n"),
        Some(root) => {
            let _ = writeln!(out, "  {}:{}", root.path, root.line);
            text::wrap_into(&mut out, &root.text, "    ", "    ");
            match &root.issue_id {
                Some(id) => {
                    let _ = writeln!(out, "  Known issue: {id}  (see `bts-doctor kb show {id}`)");
                }
                None => out.push_str("  No known issue matches this error.\n"),
            }
            let _ = writeln!(out, "  Chosen because it is {}.", root.reason);
            context_block(&mut out, &root.context, root.line);
        }
    }

    let _ = writeln!(out, "\nUpgrade phase: {}", report.phase.name());
    text::wrap_into(&mut out, &report.phase_detail.reason, "  ", "  ");
    for e in &report.phase_detail.evidence {
        let _ = writeln!(out, "    {}:{}  {}", e.path, e.line, text::shorten(&e.text, 100));
    }

    let _ = writeln!(out, "\nKnown issues ({})", report.findings.len());
    if report.findings.is_empty() {
        out.push_str("  none\n");
    }
    for f in &report.findings {
        let _ = writeln!(out, "  {}  [{}]  x{}", f.issue_id, f.severity, f.count);
        let _ = writeln!(out, "    {}", f.title);
        let _ = writeln!(out, "    first {}:{}   last {}:{}", f.first.path, f.first.line, f.last.path, f.last.line);
        context_block(&mut out, &f.context, f.first.line);
    }

    let _ = writeln!(out, "\nErrors matching no known issue ({} group(s))", report.unmatched.len());
    if report.unmatched.is_empty() {
        out.push_str("  none\n");
    }
    for g in &report.unmatched {
        let _ = writeln!(out, "  x{}  {}", g.count, text::shorten(&g.template, 140));
        let _ = writeln!(out, "       first at {}:{}", g.first.path, g.first.line);
    }
    if report.unmatched_omitted > 0 {
        let _ = writeln!(out, "  ... and {} more group(s) not shown", report.unmatched_omitted);
    }
    if !report.codes.is_empty() {
        let _ = writeln!(out, "\nCodes explained ({})", report.codes.len());
        for c in &report.codes {
            text::explain_block(&mut out, &c.code);
            let _ = writeln!(out, "      first at {}:{}", c.first.path, c.first.line);
        }
    }
    out
}

fn context_block(out: &mut String, lines: &[logs::ContextLine], marked: u64) {
    for c in lines {
        let mark = if c.line == marked { ">" } else { " " };
        let _ = writeln!(out, "    {mark}{:>7} | {}", c.line, text::shorten(&c.text, 150));
    }
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / 1024.0),
        n => format!("{n} bytes"),
    }
}
