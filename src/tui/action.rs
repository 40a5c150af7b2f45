//! What can happen to the app (actions) and what it asks the outside world to do (effects).

use super::state::Screen;
use crate::checks::{RunEvent, SqlTarget};
use crate::logs::{Progress, ScanReport};
use crate::matcher::MatchReport;
use std::path::PathBuf;

/// Everything `update` reacts to: keys already translated by the keymap, mouse, time, resize,
/// and results coming back from background work.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Leave (asks nothing: the app only quits).
    Quit,
    /// Ctrl+C: leave at once, cancelling background work.
    ForceQuit,
    /// Show or hide the help overlay.
    ToggleHelp,
    /// Switch to a screen.
    ShowScreen(Screen),
    /// Go back one level (close detail, leave a viewer, leave an input).
    Back,
    /// Move focus to the next pane.
    FocusNext,
    /// Move up in a list or the cursor up in a text.
    Up,
    /// Move down.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// First item, or line start while typing.
    Home,
    /// Last item, or line end while typing.
    End,
    /// Cursor left.
    Left,
    /// Cursor right.
    Right,
    /// Open the selected item.
    Open,
    /// Tick or untick the selected fix step.
    Toggle,
    /// Focus the filter or text box.
    Filter,
    /// Typed text.
    InsertText(String),
    /// A bracketed paste (a whole block at once).
    Paste(String),
    /// Enter in the paste box.
    Newline,
    /// Delete before the cursor.
    Backspace,
    /// Delete at the cursor.
    Delete,
    /// Empty the paste box.
    Clear,
    /// Complete the path being typed.
    Complete,
    /// Submit the path prompt.
    Submit,
    /// Cancel the running scan.
    CancelScan,
    /// Start a new scan (back to the prompt).
    NewScan,
    /// Show the selected scan result in its log.
    ViewLog,
    /// Next error in the log viewer.
    NextError,
    /// Previous error in the log viewer.
    PrevError,
    /// Time passes (milliseconds since the app started).
    Tick(u64),
    /// The terminal was resized.
    Resize(u16, u16),
    /// Mouse wheel: `true` for down.
    Scroll(bool),
    /// Mouse click at a column and row.
    Click(u16, u16),
    /// Matching finished for a generation of the pasted text.
    Matched(u64, Box<MatchReport>),
    /// Scan progress.
    ScanProgress(Progress),
    /// The scan finished.
    ScanDone(Box<ScanReport>),
    /// Completions for the path prompt.
    Completions(Vec<String>),
    /// Lines of a log loaded for the viewer (or why not), for the file and line asked for.
    LogLoaded(String, u64, Result<Vec<(u64, String)>, String>),
    /// Run every check (with the connection in the form).
    RunChecks,
    /// Run the selected check again.
    RerunCheck,
    /// Cancel the running checks.
    CancelChecks,
    /// Something happened in check run N.
    CheckEvent(u64, RunEvent),
    /// Check run N ended (or could not start, and why).
    ChecksDone(u64, Option<String>),
    /// The Management database's server and name from the BizTalk registry, when configured.
    RegistryTarget(Option<(String, String)>),
    /// Switch the guide to the next playbook.
    NextPlaybook,
    /// Start the playbook over.
    Restart,
    /// Confirm that the guide's destructive step was done.
    ConfirmDone,
    /// What was saved for a playbook (read at the guide's start).
    ProgressLoaded(String, Result<crate::guide::store::Saved, String>),
    /// Saving progress failed, and why.
    ProgressNotSaved(String),
    /// Export a report of everything on screen.
    ExportReport,
    /// The report was written (its path) or not (why).
    Exported(Result<String, String>),
}

/// What the TUI's report holds: everything the screens show.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportJob {
    /// The pasted text and its matches.
    pub paste: Option<(String, crate::matcher::MatchReport)>,
    /// The last scan.
    pub scan: Option<crate::logs::ScanReport>,
    /// Check results of this session.
    pub checks: Vec<crate::checks::CheckResult>,
    /// The SQL Server of the checks form.
    pub target: Option<SqlTarget>,
    /// The guide's progress.
    pub progress: Option<crate::guide::machine::Progress>,
}

/// Work `update` asks the event loop to start; results come back as actions.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Match this text; answer with `Matched(generation, ..)`.
    Match(u64, String),
    /// Scan these paths.
    StartScan(Vec<PathBuf>),
    /// Stop the running scan.
    CancelScan,
    /// List completions for a path prefix.
    Complete(String),
    /// Load lines around a line of a file.
    LoadLog(String, u64),
    /// Run these checks as run N against this SQL Server (or none).
    RunChecks(u64, Vec<String>, Option<Box<SqlTarget>>, Box<crate::checks::runner::CheckContext>),
    /// Stop the running checks.
    CancelChecks,
    /// Read the BizTalk registry for the Management database's location.
    FindRegistryTarget,
    /// Read the saved progress of a playbook.
    LoadProgress(String),
    /// Save progress (atomically) after a step.
    SaveProgress(Box<crate::guide::machine::Progress>),
    /// Write a Markdown report of this session.
    ExportReport(Box<ExportJob>),
    /// Leave the app.
    Quit,
}
