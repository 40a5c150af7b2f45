//! The keymap: one table that turns keys into actions in each context, and from which the help
//! overlay and the hint bar are generated, so what the screen says is what the keys do.

use super::action::Action;
use super::state::Screen;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Where the keyboard focus is; decides which bindings apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ctx {
    /// Typing in the paste box.
    PasteInput,
    /// Moving through the matches.
    PasteResults,
    /// Typing a path to scan.
    ScanPrompt,
    /// A scan is running.
    ScanRunning,
    /// Moving through the scan results.
    ScanResults,
    /// Reading a log around a finding.
    LogViewer,
    /// Moving through the knowledge entries.
    Knowledge,
    /// Typing a knowledge filter.
    KnowledgeFilter,
    /// Moving through the live checks.
    Checks,
    /// Live checks are running.
    ChecksRunning,
    /// Typing in the SQL connection form.
    ChecksForm,
    /// Walking a playbook.
    Guide,
    /// Saved progress is offered for resuming.
    GuideResume,
    /// Reading one entry.
    Detail,
    /// The help overlay.
    Help,
}

impl Ctx {
    /// Whether printable keys type text here.
    pub fn is_typing(self) -> bool {
        matches!(self, Ctx::PasteInput | Ctx::ScanPrompt | Ctx::KnowledgeFilter | Ctx::ChecksForm)
    }
}

/// One binding: the contexts it applies in (empty = everywhere), the key, the action, and how
/// help shows it.
pub struct Binding {
    /// Contexts; empty means every context.
    pub contexts: &'static [Ctx],
    /// Key code.
    pub code: KeyCode,
    /// Required modifiers.
    pub modifiers: KeyModifiers,
    /// The action it produces.
    pub action: fn() -> Action,
    /// The key as shown in help.
    pub keys: &'static str,
    /// What it does.
    pub help: &'static str,
    /// Shown in the hint bar.
    pub hint: bool,
}

const NAV: &[Ctx] = &[
    Ctx::PasteResults,
    Ctx::ScanResults,
    Ctx::Knowledge,
    Ctx::Detail,
    Ctx::LogViewer,
    Ctx::ScanRunning,
    Ctx::Checks,
    Ctx::ChecksRunning,
    Ctx::Guide,
    Ctx::GuideResume,
];
const LISTS: &[Ctx] = &[
    Ctx::PasteResults,
    Ctx::ScanResults,
    Ctx::Knowledge,
    Ctx::Detail,
    Ctx::LogViewer,
    Ctx::Checks,
    Ctx::ChecksRunning,
];
/// Contexts where keys edit a one-line text.
const LINE_EDIT: &[Ctx] = &[Ctx::PasteInput, Ctx::ScanPrompt, Ctx::KnowledgeFilter, Ctx::ChecksForm];
const NONE: KeyModifiers = KeyModifiers::NONE;

macro_rules! bind {
    ($ctx:expr, $code:expr, $mods:expr, $action:expr, $keys:literal, $help:literal, $hint:literal) => {
        Binding {
            contexts: $ctx,
            code: $code,
            modifiers: $mods,
            action: || $action,
            keys: $keys,
            help: $help,
            hint: $hint,
        }
    };
}

/// Every binding, first match wins.
pub static BINDINGS: &[Binding] = &[
    bind!(&[], KeyCode::Char('c'), KeyModifiers::CONTROL, Action::ForceQuit, "Ctrl+C", "quit at once", false),
    bind!(&[], KeyCode::F(1), NONE, Action::ToggleHelp, "F1", "help", false),
    bind!(&[], KeyCode::Char('e'), KeyModifiers::CONTROL, Action::ExportReport, "Ctrl+E", "export a report", false),
    bind!(&[Ctx::Help], KeyCode::Esc, NONE, Action::ToggleHelp, "Esc", "close help", true),
    bind!(&[Ctx::Help], KeyCode::Char('?'), NONE, Action::ToggleHelp, "?", "close help", false),
    bind!(&[Ctx::Help], KeyCode::Char('q'), NONE, Action::ToggleHelp, "q", "close help", false),
    // typing contexts
    bind!(&[Ctx::PasteInput], KeyCode::Tab, NONE, Action::FocusNext, "Tab", "go to the matches", true),
    bind!(&[Ctx::PasteInput], KeyCode::Esc, NONE, Action::FocusNext, "Esc", "leave the text box", false),
    bind!(&[Ctx::PasteInput], KeyCode::Enter, NONE, Action::Newline, "Enter", "new line", false),
    bind!(
        &[Ctx::PasteInput],
        KeyCode::Char('l'),
        KeyModifiers::CONTROL,
        Action::Clear,
        "Ctrl+L",
        "clear the text",
        true
    ),
    bind!(&[Ctx::ScanPrompt], KeyCode::Tab, NONE, Action::Complete, "Tab", "complete the path", true),
    bind!(&[Ctx::ScanPrompt], KeyCode::Enter, NONE, Action::Submit, "Enter", "scan it", true),
    bind!(&[Ctx::ScanPrompt], KeyCode::Esc, NONE, Action::Back, "Esc", "back", false),
    bind!(&[Ctx::KnowledgeFilter], KeyCode::Enter, NONE, Action::FocusNext, "Enter", "go to the list", true),
    bind!(&[Ctx::KnowledgeFilter], KeyCode::Tab, NONE, Action::FocusNext, "Tab", "go to the list", false),
    bind!(&[Ctx::KnowledgeFilter], KeyCode::Esc, NONE, Action::Back, "Esc", "clear the filter", true),
    bind!(&[Ctx::ChecksForm], KeyCode::Enter, NONE, Action::Submit, "Enter", "run all checks", true),
    bind!(&[Ctx::ChecksForm], KeyCode::Tab, NONE, Action::FocusNext, "Tab/Down", "next field", true),
    bind!(&[Ctx::ChecksForm], KeyCode::Down, NONE, Action::Down, "Tab/Down", "next field", false),
    bind!(&[Ctx::ChecksForm], KeyCode::BackTab, NONE, Action::Up, "Shift+Tab/Up", "previous field", false),
    bind!(&[Ctx::ChecksForm], KeyCode::Up, NONE, Action::Up, "Shift+Tab/Up", "previous field", false),
    bind!(&[Ctx::ChecksForm], KeyCode::Esc, NONE, Action::Back, "Esc", "leave the form", true),
    bind!(LINE_EDIT, KeyCode::Backspace, NONE, Action::Backspace, "Backspace", "delete back", false),
    bind!(LINE_EDIT, KeyCode::Delete, NONE, Action::Delete, "Delete", "delete", false),
    bind!(LINE_EDIT, KeyCode::Left, NONE, Action::Left, "Left", "cursor left", false),
    bind!(LINE_EDIT, KeyCode::Right, NONE, Action::Right, "Right", "cursor right", false),
    bind!(&[Ctx::PasteInput], KeyCode::Up, NONE, Action::Up, "Up", "cursor up", false),
    bind!(&[Ctx::PasteInput], KeyCode::Down, NONE, Action::Down, "Down", "cursor down", false),
    bind!(LINE_EDIT, KeyCode::Home, NONE, Action::Home, "Home", "line start", false),
    bind!(LINE_EDIT, KeyCode::End, NONE, Action::End, "End", "line end", false),
    // the checks screen's own keys come first, so the hint bar shows them first
    bind!(&[Ctx::Checks], KeyCode::Char('r'), NONE, Action::RunChecks, "r", "run all checks", true),
    bind!(&[Ctx::Checks], KeyCode::Char('x'), NONE, Action::RerunCheck, "x", "re-run this check", true),
    bind!(&[Ctx::Checks], KeyCode::Char('e'), NONE, Action::Filter, "e", "edit the connection", true),
    bind!(&[Ctx::GuideResume], KeyCode::Enter, NONE, Action::Open, "Enter", "resume where you stopped", true),
    bind!(&[Ctx::GuideResume], KeyCode::Char('n'), NONE, Action::Restart, "n", "start over", true),
    bind!(&[Ctx::Guide], KeyCode::Enter, NONE, Action::Open, "Enter", "answer / go on / run the check", true),
    bind!(&[Ctx::Guide], KeyCode::Up, NONE, Action::Up, "Up/Down", "choose", true),
    bind!(&[Ctx::Guide], KeyCode::Down, NONE, Action::Down, "Up/Down", "choose", false),
    bind!(&[Ctx::Guide], KeyCode::Char('o'), NONE, Action::ViewLog, "o", "open the step's knowledge entry", true),
    bind!(
        &[Ctx::Guide],
        KeyCode::Char('y'),
        NONE,
        Action::ConfirmDone,
        "y",
        "confirm a destructive step is done",
        false
    ),
    bind!(&[Ctx::Guide, Ctx::GuideResume], KeyCode::Char('p'), NONE, Action::NextPlaybook, "p", "next playbook", true),
    bind!(&[Ctx::Guide], KeyCode::Char('n'), NONE, Action::Restart, "n", "start over", false),
    // moving and opening
    bind!(NAV, KeyCode::Char('q'), NONE, Action::Quit, "q", "quit", true),
    bind!(NAV, KeyCode::Char('?'), NONE, Action::ToggleHelp, "?", "help", true),
    bind!(NAV, KeyCode::Char('1'), NONE, Action::ShowScreen(Screen::Paste), "1", "Paste screen", false),
    bind!(NAV, KeyCode::Char('2'), NONE, Action::ShowScreen(Screen::Scan), "2", "Scan screen", false),
    bind!(NAV, KeyCode::Char('3'), NONE, Action::ShowScreen(Screen::Knowledge), "3", "Knowledge screen", false),
    bind!(NAV, KeyCode::Char('4'), NONE, Action::ShowScreen(Screen::Checks), "4", "Checks screen", false),
    bind!(NAV, KeyCode::Char('5'), NONE, Action::ShowScreen(Screen::Guide), "5", "Guide screen", false),
    bind!(&[Ctx::ScanRunning], KeyCode::Esc, NONE, Action::CancelScan, "Esc", "cancel the scan", true),
    bind!(&[Ctx::ChecksRunning], KeyCode::Esc, NONE, Action::CancelChecks, "Esc", "cancel the checks", true),
    bind!(NAV, KeyCode::Esc, NONE, Action::Back, "Esc", "back", true),
    bind!(NAV, KeyCode::Tab, NONE, Action::FocusNext, "Tab", "next pane", true),
    bind!(LISTS, KeyCode::Up, NONE, Action::Up, "Up/k", "move up", false),
    bind!(LISTS, KeyCode::Char('k'), NONE, Action::Up, "Up/k", "move up", false),
    bind!(LISTS, KeyCode::Down, NONE, Action::Down, "Down/j", "move down", true),
    bind!(LISTS, KeyCode::Char('j'), NONE, Action::Down, "Down/j", "move down", false),
    bind!(LISTS, KeyCode::PageUp, NONE, Action::PageUp, "PgUp", "page up", false),
    bind!(LISTS, KeyCode::PageDown, NONE, Action::PageDown, "PgDn", "page down", false),
    bind!(LISTS, KeyCode::Home, NONE, Action::Home, "Home/g", "first", false),
    bind!(LISTS, KeyCode::Char('g'), NONE, Action::Home, "Home/g", "first", false),
    bind!(LISTS, KeyCode::End, NONE, Action::End, "End/G", "last", false),
    bind!(LISTS, KeyCode::Char('G'), NONE, Action::End, "End/G", "last", false),
    bind!(&[Ctx::Detail], KeyCode::Char(' '), NONE, Action::Toggle, "Space", "tick the fix step", true),
    bind!(&[Ctx::LogViewer], KeyCode::Char('n'), NONE, Action::NextError, "n", "next error", true),
    bind!(&[Ctx::LogViewer], KeyCode::Char('N'), NONE, Action::PrevError, "N", "previous error", true),
    bind!(
        &[Ctx::PasteResults, Ctx::ScanResults, Ctx::Knowledge, Ctx::Checks, Ctx::ChecksRunning],
        KeyCode::Enter,
        NONE,
        Action::Open,
        "Enter",
        "open",
        true
    ),
    bind!(&[Ctx::ScanResults], KeyCode::Char('l'), NONE, Action::ViewLog, "l", "show in the log", true),
    bind!(&[Ctx::ScanResults], KeyCode::Char('s'), NONE, Action::NewScan, "s", "scan something else", true),
    bind!(
        &[Ctx::Knowledge, Ctx::PasteResults],
        KeyCode::Char('/'),
        NONE,
        Action::Filter,
        "/",
        "type (filter / paste)",
        true
    ),
    bind!(&[Ctx::PasteResults], KeyCode::Char('i'), NONE, Action::Filter, "i", "back to the text box", false),
];

/// The action a key produces in a context, if any. In typing contexts a printable key with no
/// binding types itself, and so does an AltGr character: Windows reports AltGr as Ctrl+Alt, so
/// German '@' (AltGr+Q) is `Char('@')` with `CONTROL | ALT` and is text, never a shortcut.
pub fn translate(ctx: Ctx, key: KeyEvent) -> Option<Action> {
    let mods = key.modifiers - KeyModifiers::SHIFT;
    let found = BINDINGS
        .iter()
        .find(|b| (b.contexts.is_empty() || b.contexts.contains(&ctx)) && b.code == key.code && b.modifiers == mods);
    if let Some(b) = found {
        return Some((b.action)());
    }
    match key.code {
        KeyCode::Char(c)
            if ctx.is_typing() && (mods.is_empty() || mods == KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(Action::InsertText(c.to_string()))
        }
        _ => None,
    }
}

/// The bindings that apply in a context, for the help overlay (one row per distinct key label).
pub fn help_rows(ctx: Ctx) -> Vec<(&'static str, &'static str)> {
    let mut rows: Vec<(&str, &str)> = Vec::new();
    if ctx.is_typing() {
        rows.push(("keys", "type or paste text"));
    }
    for b in BINDINGS.iter().filter(|b| b.contexts.is_empty() || b.contexts.contains(&ctx)) {
        if !rows.iter().any(|(k, _)| *k == b.keys) {
            rows.push((b.keys, b.help));
        }
    }
    rows
}

/// The short list for the hint bar.
pub fn hints(ctx: Ctx) -> Vec<(&'static str, &'static str)> {
    let mut rows: Vec<(&str, &str)> = Vec::new();
    for b in BINDINGS.iter().filter(|b| b.hint && (b.contexts.is_empty() || b.contexts.contains(&ctx))) {
        if !rows.iter().any(|(k, _)| *k == b.keys) {
            rows.push((b.keys, b.help));
        }
    }
    if ctx != Ctx::Help && !rows.iter().any(|(_, what)| *what == "help") {
        rows.push((if ctx.is_typing() { "F1" } else { "?" }, "help"));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    #[test]
    fn the_same_key_means_what_the_context_says() {
        assert_eq!(translate(Ctx::PasteInput, key(KeyCode::Char('q'), NONE)), Some(Action::InsertText("q".into())));
        assert_eq!(translate(Ctx::Knowledge, key(KeyCode::Char('q'), NONE)), Some(Action::Quit));
        assert_eq!(translate(Ctx::PasteInput, key(KeyCode::Char('c'), KeyModifiers::CONTROL)), Some(Action::ForceQuit));
        assert_eq!(translate(Ctx::PasteInput, key(KeyCode::Char('?'), NONE)), Some(Action::InsertText("?".into())));
        assert_eq!(translate(Ctx::PasteInput, key(KeyCode::F(1), NONE)), Some(Action::ToggleHelp));
        assert_eq!(translate(Ctx::Knowledge, key(KeyCode::Char('G'), KeyModifiers::SHIFT)), Some(Action::End));
        assert_eq!(translate(Ctx::ScanRunning, key(KeyCode::Esc, NONE)), Some(Action::CancelScan));
    }

    #[test]
    fn help_lists_every_binding_of_the_context_and_hints_are_a_subset() {
        let help = help_rows(Ctx::Detail);
        assert!(help.contains(&("Space", "tick the fix step")));
        assert!(help.contains(&("Ctrl+C", "quit at once")));
        for hint in hints(Ctx::Detail) {
            assert!(help.iter().any(|(k, _)| *k == hint.0), "{hint:?}");
        }
    }
}
