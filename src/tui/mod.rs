//! The terminal UI: state, actions, a pure `update`, views that only draw, background workers
//! that report over a channel, and the event loop that ties them to the terminal.

pub mod action;
pub mod checks;
mod checks_view;
pub mod console;
pub mod editor;
pub mod guide;
mod guide_view;
pub mod keymap;
pub mod keystream;
pub mod layout;
pub mod state;
pub mod theme;
pub mod update;
pub mod view;

use crate::logs::{self, ScanOptions};
use crate::matcher::Matcher;
use action::{Action, Effect};
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event, KeyEventKind,
    MouseEventKind,
};
use ratatui::crossterm::execute;
use state::App;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Longest the loop waits for input before it redraws (spinners, progress).
const FRAME_WAIT: Duration = Duration::from_millis(40);
/// Longest one batch of input is read before the screen is redrawn.
const BATCH: Duration = Duration::from_millis(30);
/// Lines loaded around a line for the log viewer.
const VIEW_RADIUS: u64 = 300;

/// Whether colour may be used: not in a Windows console without virtual-terminal support, not
/// when `NO_COLOR` is set to anything non-empty, not when `TERM` is `dumb`
/// (see [`console::colour_wanted`]).
pub fn color_allowed() -> bool {
    console::colour_wanted(
        console::supports_vt(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    )
}

/// Runs the app until the user quits; `paths`, when given, are scanned at once.
pub fn run(matcher: Matcher, paths: Vec<PathBuf>) -> io::Result<()> {
    // UTF-8 output for the run (a 2012 R2 console starts at 437 or 850); the old code page comes
    // back when this is dropped: on return, on an error and while a panic unwinds.
    let _code_page = console::Utf8Output::switch();
    let previous = std::panic::take_hook();
    let mut terminal = ratatui::init();
    // Replace ratatui's hook: only a panic on the UI thread ends the app and gives the terminal
    // back. A worker's panic is caught and becomes a result; it must not leave raw mode (or
    // print over the screen) while the app runs on.
    let _ratatui_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("main") {
            let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
            ratatui::restore();
            previous(info);
        }
    }));
    execute!(io::stdout(), EnableBracketedPaste, EnableMouseCapture)?;
    restore_on_signals();
    let result = event_loop(&mut terminal, matcher, paths);
    let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
    let _ = std::panic::take_hook();
    result
}

/// SIGTERM, SIGHUP or a SIGINT sent from outside (raw mode turns Ctrl+C into a key) end the app
/// with the terminal given back: cooked mode, the main screen, the cursor shown, no mouse
/// tracking. Guide progress is already saved after every step.
#[cfg(unix)]
fn restore_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT]) else { return };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
            ratatui::restore();
            tracing::info!(signal, "stopped by a signal; the terminal was restored");
            std::process::exit(128 + signal);
        }
    });
}

/// Windows consoles end the process themselves on a close event; nothing to restore there.
#[cfg(not(unix))]
fn restore_on_signals() {}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, matcher: Matcher, paths: Vec<PathBuf>) -> io::Result<()> {
    let start = Instant::now();
    let (tx, rx) = mpsc::channel::<Action>();
    let mut workers = Workers::new(matcher.clone(), tx.clone());
    let mut app = App::new(matcher, color_allowed());
    let size = terminal.size()?;
    app.size = (size.width, size.height);
    if !paths.is_empty() {
        for effect in update::start_scan(&mut app, paths) {
            workers.run(effect);
        }
    }
    while !app.quit {
        terminal.draw(|f| view::draw(f, &app))?;
        if event::poll(FRAME_WAIT)? {
            let deadline = Instant::now() + BATCH;
            loop {
                if let Some(action) = translate(&app, event::read()?) {
                    apply(&mut app, action, &mut workers);
                }
                if app.quit || Instant::now() >= deadline || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        drain(&rx, &mut app, &mut workers);
        apply(&mut app, Action::Tick(start.elapsed().as_millis() as u64), &mut workers);
    }
    Ok(())
}

fn drain(rx: &Receiver<Action>, app: &mut App, workers: &mut Workers) {
    while let Ok(action) = rx.try_recv() {
        apply(app, action, workers);
    }
}

fn apply(app: &mut App, action: Action, workers: &mut Workers) {
    for effect in update::update(app, action) {
        workers.run(effect);
    }
}

/// A terminal event as an action, through the keymap.
pub fn translate(app: &App, event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => keymap::translate(app.context(), key),
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::ScrollDown => Some(Action::Scroll(true)),
            MouseEventKind::ScrollUp => Some(Action::Scroll(false)),
            MouseEventKind::Down(_) => Some(Action::Click(m.column, m.row)),
            _ => None,
        },
        _ => None,
    }
}

/// Background work: one matcher thread (newest text wins), a thread per scan, per completion,
/// per log load and per check run. Every result comes back as an action.
struct Workers {
    matcher: Matcher,
    kb: Arc<crate::kb::KnowledgeBase>,
    tx: Sender<Action>,
    match_tx: Sender<(u64, String)>,
    cancel: Option<Arc<AtomicBool>>,
    cancel_checks: Option<tokio_util::sync::CancellationToken>,
    /// The playbook walks this app holds, so another bts-doctor cannot overwrite their progress.
    walks: std::collections::HashMap<String, crate::guide::store::WalkLock>,
}

impl Workers {
    fn new(matcher: Matcher, tx: Sender<Action>) -> Self {
        let (match_tx, match_rx) = mpsc::channel::<(u64, String)>();
        let m = matcher.clone();
        let out = tx.clone();
        std::thread::spawn(move || {
            while let Ok(mut job) = match_rx.recv() {
                while let Ok(newer) = match_rx.try_recv() {
                    job = newer;
                }
                let mut report = m.match_text(&job.1);
                crate::report::redact::mask_match_report(&mut report);
                if out.send(Action::Matched(job.0, Box::new(report))).is_err() {
                    break;
                }
            }
        });
        let kb = Arc::new(matcher.kb().clone());
        Workers { matcher, kb, tx, match_tx, cancel: None, cancel_checks: None, walks: Default::default() }
    }

    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Match(generation, text) => {
                let _ = self.match_tx.send((generation, text));
            }
            Effect::StartScan(paths) => {
                let cancel = Arc::new(AtomicBool::new(false));
                self.cancel = Some(cancel.clone());
                let (matcher, tx) = (self.matcher.clone(), self.tx.clone());
                std::thread::spawn(move || {
                    let (ptx, prx) = mpsc::channel();
                    let forward = tx.clone();
                    let relay = std::thread::spawn(move || {
                        for p in prx {
                            let _ = forward.send(Action::ScanProgress(p));
                        }
                    });
                    let options = ScanOptions { context: 5, ..ScanOptions::default() };
                    let mut report = logs::scan(&paths, &matcher, &options, Some(ptx), &cancel);
                    crate::report::redact::mask_scan_report(&mut report);
                    let _ = relay.join();
                    let _ = tx.send(Action::ScanDone(Box::new(report)));
                });
            }
            Effect::CancelScan => {
                if let Some(c) = &self.cancel {
                    c.store(true, Ordering::Relaxed);
                }
            }
            Effect::Complete(prefix) => {
                let tx = self.tx.clone();
                std::thread::spawn(move || {
                    let _ = tx.send(Action::Completions(complete_path(&prefix)));
                });
            }
            Effect::LoadLog(path, line) => {
                let tx = self.tx.clone();
                std::thread::spawn(move || {
                    let lines = logs::read_lines(std::path::Path::new(&path), line, VIEW_RADIUS).map(|lines| {
                        lines
                            .into_iter()
                            .map(|(n, text)| (n, crate::report::redact::secrets(&text).into_owned()))
                            .collect()
                    });
                    let _ = tx.send(Action::LogLoaded(path, line, lines));
                });
            }
            Effect::RunChecks(run, ids, target, context) => {
                let cancel = tokio_util::sync::CancellationToken::new();
                self.cancel_checks = Some(cancel.clone());
                let (kb, tx) = (self.kb.clone(), self.tx.clone());
                std::thread::spawn(move || run_checks(kb, run, ids, target.map(|t| *t), *context, cancel, tx));
            }
            Effect::CancelChecks => {
                if let Some(c) = &self.cancel_checks {
                    c.cancel();
                }
            }
            Effect::FindRegistryTarget => {
                let tx = self.tx.clone();
                std::thread::spawn(move || {
                    let found = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()
                        .and_then(|rt| rt.block_on(crate::checks::sql::registry_target()))
                        .and_then(Result::ok)
                        .map(|t| (t.server, t.database));
                    let _ = tx.send(Action::RegistryTarget(found));
                });
            }
            Effect::LoadProgress(id) => {
                let (kb, tx) = (self.kb.clone(), self.tx.clone());
                std::thread::spawn(move || {
                    let saved = match (crate::guide::store::Store::default_location(), kb.playbook(&id)) {
                        (Some(store), Some(book)) => store.saved(book).map_err(|e| e.to_string()),
                        _ => Ok(crate::guide::store::Saved::None),
                    };
                    let _ = tx.send(Action::ProgressLoaded(id, saved));
                });
            }
            Effect::SaveProgress(progress) => {
                // Saved on this thread, in order: a later step never lands before an earlier one;
                // and only while this app holds the playbook's walk.
                let result = crate::guide::store::Store::default_location()
                    .ok_or_else(|| "no data directory on this system".to_string())
                    .and_then(|store| {
                        if !self.walks.contains_key(&progress.playbook) {
                            let lock = store.lock(&progress.playbook)?;
                            self.walks.insert(progress.playbook.clone(), lock);
                        }
                        store.save(&progress).map_err(|e| e.to_string())
                    });
                if let Err(why) = result {
                    let _ = self.tx.send(Action::ProgressNotSaved(why));
                }
            }
            Effect::ExportReport(job) => {
                let (matcher, kb, tx) = (self.matcher.clone(), self.kb.clone(), self.tx.clone());
                std::thread::spawn(move || {
                    let _ = tx.send(Action::Exported(export(&matcher, &kb, *job)));
                });
            }
            Effect::Quit => {
                if let Some(c) = &self.cancel {
                    c.store(true, Ordering::Relaxed);
                }
                if let Some(c) = &self.cancel_checks {
                    c.cancel();
                }
            }
        }
    }
}

/// Runs checks as run `run`, forwarding every event and then the end as actions.
fn run_checks(
    kb: Arc<crate::kb::KnowledgeBase>,
    run: u64,
    ids: Vec<String>,
    target: Option<crate::checks::SqlTarget>,
    context: crate::checks::runner::CheckContext,
    cancel: tokio_util::sync::CancellationToken,
    tx: Sender<Action>,
) {
    use crate::checks::runner::{self, Job, RunOptions};
    let specs = ids.iter().filter_map(|id| kb.check(id).cloned()).collect();
    let (events, mut received) = tokio::sync::mpsc::unbounded_channel();
    let forward = tx.clone();
    let relay = std::thread::spawn(move || {
        while let Some(event) = received.blocking_recv() {
            let _ = forward.send(Action::CheckEvent(run, event));
        }
    });
    let job = Job { kb, specs, target, options: RunOptions { context, ..RunOptions::default() } };
    let outcome = runner::run_blocking(job, events, cancel);
    let _ = relay.join();
    let _ = tx.send(Action::ChecksDone(run, outcome.err()));
}

/// The report of a TUI session: the same collection (and readiness assessment) `report` uses,
/// fed with what the session already holds.
pub fn export_data(
    matcher: &Matcher,
    job: action::ExportJob,
    now: String,
) -> Result<crate::report::document::ReportData, String> {
    use crate::report::collect::{collect, ChecksInput, GuideInput, ReportInputs, ScanPart};
    let inputs = ReportInputs {
        paste: job.paste,
        scan: job.scan.map_or(ScanPart::None, |s| ScanPart::Done(Box::new(s))),
        target: job.target.clone(),
        checks: if job.checks.is_empty() { ChecksInput::None } else { ChecksInput::Done(job.checks) },
        guide: GuideInput::Given(job.progress),
        facts: Default::default(),
        generated_at: now,
        pseudonyms: Default::default(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(collect(matcher, inputs))
}

/// Writes the session's Markdown report into the data directory's `reports` folder.
fn export(matcher: &Matcher, _kb: &crate::kb::KnowledgeBase, job: action::ExportJob) -> Result<String, String> {
    let now = crate::report::document::now_utc();
    let target = job.target.clone();
    let data = export_data(matcher, job, now.clone())?;
    let mut text = crate::report::render(&data, crate::report::Format::Markdown);
    if let Some(t) = &target {
        text = t.hide(&text);
    }
    let dir = crate::report::document::reports_dir().ok_or("no data directory on this system")?;
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("bts-doctor-report-{}.md", now.replace(':', "")));
    crate::atomic::write(&path, text.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "report exported from the terminal UI");
    Ok(path.display().to_string())
}

/// Paths starting with `prefix` (the part after its last separator), folders ending in `/`.
pub fn complete_path(prefix: &str) -> Vec<String> {
    let (dir, stem) = match prefix.rfind(['/', '\\']) {
        Some(i) => (&prefix[..=i], &prefix[i + 1..]),
        None => ("", prefix),
    };
    let listing = if dir.is_empty() { "." } else { dir };
    let Ok(entries) = std::fs::read_dir(listing) else { return Vec::new() };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(stem).then(|| {
                let slash = if e.path().is_dir() { std::path::MAIN_SEPARATOR_STR } else { "" };
                format!("{dir}{name}{slash}")
            })
        })
        .collect();
    out.sort();
    out.truncate(200);
    out
}
