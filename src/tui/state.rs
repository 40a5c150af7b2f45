//! The app's state: everything a view draws and `update` changes. No terminal in here.

use super::editor::Editor;
use super::keymap::Ctx;
use crate::logs::{Progress, ScanReport};
use crate::matcher::{MatchReport, Matcher};
use std::collections::HashMap;

/// The top-level screens, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Paste an error, get the fix (the screen the app opens on).
    Paste,
    /// Scan logs.
    Scan,
    /// Browse the knowledge base.
    Knowledge,
    /// Live checks against SQL Server and this machine.
    Checks,
    /// Guided recovery (arrives with the readiness and recovery work).
    Guide,
}

impl Screen {
    /// Every screen, in tab order.
    pub const ALL: [Screen; 5] = [Screen::Paste, Screen::Scan, Screen::Knowledge, Screen::Checks, Screen::Guide];

    /// The tab title.
    pub fn title(self) -> &'static str {
        match self {
            Screen::Paste => "Paste",
            Screen::Scan => "Scan",
            Screen::Knowledge => "Knowledge",
            Screen::Checks => "Checks",
            Screen::Guide => "Guide",
        }
    }
}

/// The paste screen.
#[derive(Debug, Clone, Default)]
pub struct PasteState {
    /// The text.
    pub editor: Editor,
    /// Focus on the matches rather than the text box.
    pub on_results: bool,
    /// The latest matches, when any text was matched.
    pub report: Option<MatchReport>,
    /// The selected match.
    pub selected: usize,
    /// Counts edits, so a late answer for older text is dropped.
    pub generation: u64,
    /// When the text last changed (ms), while a match is pending.
    pub edited_at: Option<u64>,
    /// A match is running in the background.
    pub matching: bool,
}

/// Where the scan screen is.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanPhase {
    /// Asking for a path.
    Prompt,
    /// Scanning, since the given time (ms).
    Running {
        /// Latest progress.
        progress: Option<Progress>,
        /// When it started.
        started: u64,
        /// Cancellation asked for.
        cancelling: bool,
    },
    /// Finished.
    Done(Box<ScanReport>),
}

/// One line of the scan results list: a finding or an unknown-error group.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanItem {
    /// A known issue (index into findings).
    Finding(usize),
    /// An unknown error group (index into unmatched).
    Unmatched(usize),
}

/// The log viewer over one file.
#[derive(Debug, Clone, PartialEq)]
pub struct LogViewer {
    /// The file.
    pub path: String,
    /// The line it was opened at.
    pub target: u64,
    /// Loaded lines (number, text); empty while loading.
    pub lines: Vec<(u64, String)>,
    /// Why the lines could not be loaded.
    pub error: Option<String>,
    /// First line shown (index into `lines`).
    pub top: usize,
    /// Lines of this file the scan knows are errors, in order.
    pub error_lines: Vec<u64>,
    /// Text to mark on the target line.
    pub mark: String,
}

/// The scan screen.
#[derive(Debug, Clone)]
pub struct ScanState {
    /// The path being typed.
    pub prompt: Editor,
    /// Completions offered for it.
    pub completions: Vec<String>,
    /// Prompt, running or done.
    pub phase: ScanPhase,
    /// The selected result line.
    pub selected: usize,
    /// The log viewer, when open.
    pub viewer: Option<LogViewer>,
}

impl Default for ScanState {
    fn default() -> Self {
        ScanState {
            prompt: Editor::new(),
            completions: Vec::new(),
            phase: ScanPhase::Prompt,
            selected: 0,
            viewer: None,
        }
    }
}

/// The knowledge browser.
#[derive(Debug, Clone, Default)]
pub struct KnowledgeState {
    /// The filter text.
    pub filter: Editor,
    /// Typing in the filter.
    pub typing: bool,
    /// Entry indices shown, in display order (grouped by area and phase).
    pub shown: Vec<usize>,
    /// The selected row of `shown`.
    pub selected: usize,
}

/// The playbook the guide screen opens on.
pub const DEFAULT_PLAYBOOK: &str = "recover-failed-upgrade";

/// The labels of the connection form's text fields, in order.
pub const FORM_FIELDS: [&str; 4] = ["Server", "Database", "User", "Password"];
/// The form's focus position of the "trust the certificate" box (after the text fields).
pub const FORM_TRUST: usize = FORM_FIELDS.len();

/// The SQL connection form of the checks screen.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectionForm {
    /// Server, database, user and password, in [`FORM_FIELDS`] order.
    pub fields: [Editor; 4],
    /// Trust the server's certificate without validating it.
    pub trust: bool,
    /// The focused field (0..4) or [`FORM_TRUST`].
    pub focus: usize,
}

impl Default for ConnectionForm {
    fn default() -> Self {
        let mut database = Editor::new();
        database.insert(crate::checks::sql::DEFAULT_DATABASE);
        ConnectionForm { fields: [Editor::new(), database, Editor::new(), Editor::new()], trust: false, focus: 0 }
    }
}

/// Where one check is.
#[derive(Debug, Clone, PartialEq)]
pub enum RowState {
    /// Not run in this session.
    NotRun,
    /// Waiting for a free slot.
    Queued,
    /// Running since the given time (ms).
    Running(u64),
    /// Finished.
    Done(crate::checks::CheckResult),
}

/// One row of the checks list.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckRow {
    /// The check's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Whether it needs the SQL connection.
    pub sql: bool,
    /// Where it is.
    pub state: RowState,
}

/// The checks screen.
#[derive(Debug, Clone, Default)]
pub struct ChecksState {
    /// The SQL connection form.
    pub form: ConnectionForm,
    /// Typing in the form.
    pub editing: bool,
    /// Every check, in the knowledge base's order.
    pub rows: Vec<CheckRow>,
    /// The selected row.
    pub selected: usize,
    /// Counts runs, so events of an older run are dropped.
    pub run: u64,
    /// A run is going on.
    pub running: bool,
    /// Cancellation asked for.
    pub cancelling: bool,
    /// What the last run was against (no secrets), or why it could not start.
    pub message: Option<String>,
    /// The registry was read for the connection once.
    pub looked_up: bool,
}

/// The guide screen: one playbook walked step by step.
#[derive(Debug, Clone, Default)]
pub struct GuideState {
    /// Index of the playbook in the knowledge base's playbooks.
    pub playbook: usize,
    /// The guided session (none until the saved progress has been read).
    pub session: Option<crate::guide::session::Session>,
    /// Saved progress offered for resuming.
    pub offer: Option<crate::guide::machine::Progress>,
    /// A note for the user (a changed playbook, a save that failed).
    pub notice: Option<String>,
    /// The selected choice of a question.
    pub choice: usize,
    /// The check run (of the checks screen's runner) a check step waits for.
    pub awaiting: Option<u64>,
    /// The last check outcome, shown with the step it decided.
    pub last_check: Option<crate::guide::machine::CheckOutcome>,
}

/// One entry opened in full.
#[derive(Debug, Clone, PartialEq)]
pub struct DetailState {
    /// Index of the entry.
    pub entry: usize,
    /// Why it matched, when opened from a match: (signature, matched text).
    pub why: Vec<(String, String)>,
    /// The selected fix step.
    pub step: usize,
    /// Lines scrolled.
    pub scroll: u16,
}

/// The whole app.
pub struct App {
    /// The knowledge base, compiled.
    pub matcher: Matcher,
    /// The screen shown.
    pub screen: Screen,
    /// An entry opened over the screen.
    pub detail: Option<DetailState>,
    /// The help overlay is open.
    pub help: bool,
    /// Paste screen state.
    pub paste: PasteState,
    /// Scan screen state.
    pub scan: ScanState,
    /// Knowledge browser state.
    pub knowledge: KnowledgeState,
    /// Checks screen state.
    pub checks: ChecksState,
    /// Guide screen state.
    pub guide: GuideState,
    /// A short message in the tab bar (a report written) and when it was set (ms).
    pub toast: Option<(String, u64)>,
    /// A destructive fix step (entry id, step) whose warning was shown: the next Space ticks it.
    pub confirming: Option<(String, usize)>,
    /// Fix steps ticked, per entry id (kept for the session).
    pub ticked: HashMap<String, Vec<bool>>,
    /// Milliseconds since start, from the last tick.
    pub now: u64,
    /// Terminal size.
    pub size: (u16, u16),
    /// Colour allowed (false when `NO_COLOR` is set).
    pub color: bool,
    /// Set when the app should end.
    pub quit: bool,
}

impl App {
    /// A fresh app on the paste screen.
    pub fn new(matcher: Matcher, color: bool) -> Self {
        let mut app = App {
            matcher,
            screen: Screen::Paste,
            detail: None,
            help: false,
            paste: PasteState::default(),
            scan: ScanState::default(),
            knowledge: KnowledgeState::default(),
            checks: ChecksState::default(),
            guide: GuideState::default(),
            toast: None,
            confirming: None,
            ticked: HashMap::new(),
            now: 0,
            size: (80, 24),
            color,
            quit: false,
        };
        super::update::refilter(&mut app);
        let mut specs: Vec<_> = app.matcher.kb().checks().iter().filter(|c| !c.is_guide_only()).cloned().collect();
        crate::checks::runner::display_order(&mut specs);
        app.guide.playbook = app.matcher.kb().playbooks().iter().position(|p| p.id == DEFAULT_PLAYBOOK).unwrap_or(0);
        app.checks.rows = specs
            .iter()
            .map(|c| CheckRow { id: c.id.clone(), title: c.title.clone(), sql: c.needs_sql(), state: RowState::NotRun })
            .collect();
        app
    }

    /// Where the keyboard focus is.
    pub fn context(&self) -> Ctx {
        if self.help {
            Ctx::Help
        } else {
            self.base_context()
        }
    }

    /// The context under the help overlay (what the help describes).
    pub fn base_context(&self) -> Ctx {
        if self.detail.is_some() {
            return Ctx::Detail;
        }
        match self.screen {
            Screen::Paste if self.paste.on_results => Ctx::PasteResults,
            Screen::Paste => Ctx::PasteInput,
            Screen::Scan if self.scan.viewer.is_some() => Ctx::LogViewer,
            Screen::Scan => match self.scan.phase {
                ScanPhase::Prompt => Ctx::ScanPrompt,
                ScanPhase::Running { .. } => Ctx::ScanRunning,
                ScanPhase::Done(_) => Ctx::ScanResults,
            },
            Screen::Knowledge if self.knowledge.typing => Ctx::KnowledgeFilter,
            Screen::Knowledge => Ctx::Knowledge,
            Screen::Checks if self.checks.editing => Ctx::ChecksForm,
            Screen::Checks if self.checks.running => Ctx::ChecksRunning,
            Screen::Checks => Ctx::Checks,
            Screen::Guide if self.guide.offer.is_some() => Ctx::GuideResume,
            Screen::Guide => Ctx::Guide,
        }
    }

    /// The rows of the scan results list: findings first, then unknown-error groups.
    pub fn scan_items(&self) -> Vec<ScanItem> {
        match &self.scan.phase {
            ScanPhase::Done(report) => (0..report.findings.len())
                .map(ScanItem::Finding)
                .chain((0..report.unmatched.len()).map(ScanItem::Unmatched))
                .collect(),
            _ => Vec::new(),
        }
    }
}
