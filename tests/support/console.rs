//! Recorded input as a Windows console (conhost, Windows Server 2012 R2) hands it to crossterm.
//!
//! Where the shape comes from: crossterm 0.29's Windows event source reads `KEY_EVENT_RECORD`s
//! with `ReadConsoleInputW` and maps each one in `src/event/sys/windows/parse.rs`
//! (`parse_key_event_record`):
//! - every record becomes an event of its own: key down → `KeyEventKind::Press`, key up →
//!   `KeyEventKind::Release` (an auto-repeated key is another key-down record, so another
//!   `Press` with no `Release` in between);
//! - Shift, Ctrl and Alt themselves (`VK_SHIFT | VK_CONTROL | VK_MENU`) produce no event, but
//!   their state is in every record's `dwControlKeyState`: AltGr sets `RIGHT_ALT_PRESSED` and
//!   `LEFT_CTRL_PRESSED`, so an AltGr character arrives as `KeyCode::Char(c)` with
//!   `CONTROL | ALT` (German layout: AltGr+Q = '@', AltGr+7 = '{', AltGr+0 = '}',
//!   AltGr+ß = '\\', AltGr+< = '|', AltGr+E = '€');
//! - Enter and Tab are mapped by virtual key (`VK_RETURN`, `VK_TAB`) to `KeyCode::Enter` and
//!   `KeyCode::Tab`, whatever their character;
//! - an Alt code (Alt held, digits on the numpad): the numpad presses are dropped while only Alt
//!   is held, and the character comes with the *release* of Alt (`VK_MENU`, key up, `u_char`
//!   set), so it is a `Release` of `KeyCode::Char(c)`; the record's control state still has Alt.
//! - conhost has no bracketed paste: a paste (right click, Ctrl+V in the 2012 R2 console) is
//!   written into the input buffer as one key-down and one key-up record per character, line
//!   breaks as Enter (`VK_RETURN`) and tabs as Tab, all at once — the app reads them in one
//!   batch.
#![allow(dead_code)]

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// One key record as crossterm reports it.
pub fn key(code: KeyCode, modifiers: KeyModifiers, kind: KeyEventKind) -> Event {
    Event::Key(KeyEvent::new_with_kind(code, modifiers, kind))
}

/// The shift state a US/German layout needs for a printable character.
fn shift_for(c: char) -> KeyModifiers {
    if c.is_uppercase() || "!\"§$%&/()=?*'>;:_".contains(c) {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    }
}

/// A key pressed and released, as conhost sends it: Press then Release.
pub fn tap(code: KeyCode, modifiers: KeyModifiers) -> Vec<Event> {
    vec![key(code, modifiers, KeyEventKind::Press), key(code, modifiers, KeyEventKind::Release)]
}

/// Typing `text` key by key (each character pressed and released; Enter and Tab by their keys).
pub fn typed(text: &str) -> Vec<Event> {
    text.chars()
        .flat_map(|c| match c {
            '\n' => tap(KeyCode::Enter, KeyModifiers::NONE),
            '\t' => tap(KeyCode::Tab, KeyModifiers::NONE),
            c => tap(KeyCode::Char(c), shift_for(c)),
        })
        .collect()
}

/// A paste into conhost: the same records as typing, all in the input buffer at once.
pub fn conhost_paste(text: &str) -> Vec<Event> {
    typed(&text.replace("\r\n", "\n"))
}

/// An AltGr character on a German layout: `Char(c)` with `CONTROL | ALT`, pressed and released.
pub fn altgr(c: char) -> Vec<Event> {
    tap(KeyCode::Char(c), KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// An Alt code (e.g. Alt+0064 for '@'): only the release of Alt carries the character.
pub fn alt_code(c: char) -> Vec<Event> {
    vec![key(KeyCode::Char(c), KeyModifiers::ALT, KeyEventKind::Release)]
}

/// A key held down: the first press and `repeats` auto-repeated presses, then one release.
pub fn held(code: KeyCode, repeats: usize) -> Vec<Event> {
    let mut v = vec![key(code, KeyModifiers::NONE, KeyEventKind::Press); repeats + 1];
    v.push(key(code, KeyModifiers::NONE, KeyEventKind::Release));
    v
}
