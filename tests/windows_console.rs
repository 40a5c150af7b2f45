//! Recorded Windows console input (see `tests/support/console.rs` for where each shape comes
//! from) fed through the real input path: one poll batch → key stream → keymap → update.

#[path = "support/console.rs"]
mod console;

use bts_doctor::kb::KnowledgeBase;
use bts_doctor::matcher::Matcher;
use bts_doctor::tui::action::{Action, Effect};
use bts_doctor::tui::state::{App, Screen};
use bts_doctor::tui::update::update;
use console::*;
use ratatui::crossterm::event::{Event, KeyCode, KeyModifiers};
use std::sync::OnceLock;

fn app() -> App {
    static M: OnceLock<Matcher> = OnceLock::new();
    App::new(M.get_or_init(|| Matcher::new(KnowledgeBase::embedded().unwrap()).unwrap()).clone(), true)
}

/// Feeds one poll batch as the event loop does (key stream, keymap, update), returning the effects.
fn feed(app: &mut App, batch: Vec<Event>) -> Vec<Effect> {
    let mut effects = Vec::new();
    for event in bts_doctor::tui::keystream::fold(batch) {
        if let Some(action) = bts_doctor::tui::translate(app, event) {
            effects.extend(update(app, action));
        }
    }
    effects
}

fn scan_prompt() -> App {
    let mut a = app();
    update(&mut a, Action::ShowScreen(Screen::Scan));
    a
}

/// Types `text` one key at a time, each key its own batch, as a person types.
fn type_keys(a: &mut App, text: &str) {
    for c in text.chars() {
        feed(a, typed(&c.to_string()));
    }
}

#[test]
fn typed_keys_each_insert_once_though_windows_sends_press_and_release() {
    let mut a = app();
    type_keys(&mut a, "sso");
    assert_eq!(a.paste.editor.text(), "sso");
}

#[test]
fn a_held_key_repeats_and_its_release_adds_nothing() {
    let mut a = app();
    feed(&mut a, held(KeyCode::Char('x'), 3));
    assert_eq!(a.paste.editor.text(), "xxxx");
}

#[test]
fn altgr_characters_are_typed_not_taken_as_shortcuts() {
    let mut a = app();
    for c in ['@', '{', '}', '\\', '|', '€'] {
        feed(&mut a, altgr(c));
    }
    assert_eq!(a.paste.editor.text(), "@{}\\|€");
}

#[test]
fn altgr_in_the_scan_prompt_types_a_unc_path() {
    let mut a = scan_prompt();
    feed(&mut a, altgr('\\'));
    feed(&mut a, altgr('\\'));
    type_keys(&mut a, "srv");
    assert_eq!(a.scan.prompt.text(), "\\\\srv");
}

#[test]
fn an_alt_code_types_its_character() {
    let mut a = app();
    feed(&mut a, alt_code('@'));
    assert_eq!(a.paste.editor.text(), "@");
}

#[test]
fn a_conhost_paste_with_line_breaks_and_tabs_lands_whole_in_the_paste_box() {
    let mut a = app();
    let text = "Error 1603.\n\tat Microsoft.BizTalk.Setup\nSSO Master Secret Server service is not running";
    feed(&mut a, conhost_paste(text));
    assert_eq!(a.paste.editor.text(), text);
    assert!(!a.paste.on_results, "Tab inside the paste moved the focus");
}

#[test]
fn a_conhost_paste_into_the_scan_prompt_does_not_submit_at_its_line_break() {
    let mut a = scan_prompt();
    let effects = feed(&mut a, conhost_paste("C:\\Logs\\setup.log\n"));
    assert!(effects.iter().all(|e| !matches!(e, Effect::StartScan(..))), "{effects:?}");
    assert!(a.scan.prompt.text().starts_with("C:\\Logs\\setup.log"), "{:?}", a.scan.prompt.text());
}

#[test]
fn a_conhost_paste_over_a_list_goes_to_the_paste_box_and_fires_no_shortcut() {
    let mut a = app();
    update(&mut a, Action::ShowScreen(Screen::Knowledge));
    // 'q' would quit, '2' switch screens, 'j' move, Enter open, Tab change pane
    feed(&mut a, conhost_paste("query 2 jobs failed\n\tretry"));
    assert!(!a.quit);
    assert_eq!(a.screen, Screen::Paste);
    assert_eq!(a.paste.editor.text(), "query 2 jobs failed\n\tretry");
}

#[test]
fn keys_typed_one_batch_at_a_time_still_work_as_shortcuts() {
    let mut a = app();
    update(&mut a, Action::ShowScreen(Screen::Knowledge));
    feed(&mut a, typed("2"));
    assert_eq!(a.screen, Screen::Scan);
    let mut a = scan_prompt();
    for c in "a.log".chars() {
        feed(&mut a, typed(&c.to_string()));
    }
    let effects = feed(&mut a, tap(KeyCode::Enter, KeyModifiers::NONE));
    assert!(effects.iter().any(|e| matches!(e, Effect::StartScan(..))), "{effects:?}");
}

#[test]
fn ctrl_c_still_quits_and_its_release_does_nothing_more() {
    let mut a = app();
    feed(&mut a, tap(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(a.quit);
}
