//! Turning one poll batch of terminal events into the events the keymap should see, the way a
//! Windows console sends them (crossterm's Windows source maps each `KEY_EVENT_RECORD`):
//! - key releases are dropped, except the one that carries an Alt code's character (crossterm
//!   reports it as the release of `Char(c)` with Alt, the release of Alt itself);
//! - a run of text keys (characters, Enter, Tab) in one batch that no one could type that fast
//!   is a paste the console did not bracket (conhost has no bracketed paste): it becomes one
//!   `Event::Paste`, so its Enter and Tab insert a line break and a tab instead of submitting,
//!   moving the focus or firing list shortcuts.
//!
//! Pure: the decision rests on the batch alone, never on a clock.

use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Text keys in one batch from which on the run is taken as a paste. The event loop reads a
/// batch for at most 30 ms; nobody types four distinct keys in that time, a paste sends them all
/// at once.
pub const PASTE_MIN_KEYS: usize = 4;

/// The text a key press types, if it is a text key: a character with no modifier but Shift, an
/// AltGr character (Ctrl+Alt), Enter (a line break) or Tab.
pub fn text_of(key: &KeyEvent) -> Option<char> {
    let mods = key.modifiers - KeyModifiers::SHIFT;
    let altgr = KeyModifiers::CONTROL | KeyModifiers::ALT;
    match key.code {
        KeyCode::Char(c) if mods.is_empty() || mods == altgr => Some(c),
        KeyCode::Enter if mods.is_empty() => Some('\n'),
        KeyCode::Tab if key.modifiers.is_empty() => Some('\t'),
        _ => None,
    }
}

/// Whether a release event is an Alt code's character (Alt held, no Ctrl).
fn is_alt_code(key: &KeyEvent) -> bool {
    key.kind == KeyEventKind::Release
        && matches!(key.code, KeyCode::Char(_))
        && key.modifiers.contains(KeyModifiers::ALT)
        && !key.modifiers.contains(KeyModifiers::CONTROL)
}

/// The events of one batch as the keymap should see them: releases gone (an Alt code becomes a
/// press), and a run of at least [`PASTE_MIN_KEYS`] text keys, not all the same key (a held key
/// auto-repeats), folded into one `Event::Paste`.
pub fn fold(batch: Vec<Event>) -> Vec<Event> {
    let mut presses: Vec<Event> = Vec::with_capacity(batch.len());
    let mut alt_pressed: Option<KeyCode> = None;
    for event in batch {
        match event {
            Event::Key(key) if key.kind == KeyEventKind::Release => {
                if is_alt_code(&key) && alt_pressed != Some(key.code) {
                    presses.push(Event::Key(KeyEvent::new(key.code, key.modifiers - KeyModifiers::ALT)));
                }
                if alt_pressed == Some(key.code) {
                    alt_pressed = None;
                }
            }
            Event::Key(key) => {
                if key.modifiers.contains(KeyModifiers::ALT) && !key.modifiers.contains(KeyModifiers::CONTROL) {
                    alt_pressed = Some(key.code);
                }
                presses.push(Event::Key(key));
            }
            other => presses.push(other),
        }
    }
    let mut out = Vec::with_capacity(presses.len());
    let mut run: Vec<(Event, char)> = Vec::new();
    for event in presses {
        let text = match &event {
            Event::Key(key) => text_of(key),
            _ => None,
        };
        match text {
            Some(c) => run.push((event, c)),
            None => {
                flush(&mut run, &mut out);
                out.push(event);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

fn flush(run: &mut Vec<(Event, char)>, out: &mut Vec<Event>) {
    let repeated = run.windows(2).all(|w| w[0].1 == w[1].1);
    if run.len() >= PASTE_MIN_KEYS && !repeated {
        out.push(Event::Paste(run.iter().map(|(_, c)| *c).collect()));
        run.clear();
    } else {
        out.extend(run.drain(..).map(|(e, _)| e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, m: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new_with_kind(code, m, KeyEventKind::Press))
    }
    fn release(code: KeyCode, m: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new_with_kind(code, m, KeyEventKind::Release))
    }
    const N: KeyModifiers = KeyModifiers::NONE;

    #[test]
    fn releases_go_and_a_short_run_stays_keys() {
        let out = fold(vec![press(KeyCode::Char('q'), N), release(KeyCode::Char('q'), N)]);
        assert_eq!(out, vec![press(KeyCode::Char('q'), N)]);
    }

    #[test]
    fn a_long_mixed_run_is_a_paste_with_its_line_breaks_and_tabs() {
        let keys = [KeyCode::Char('a'), KeyCode::Enter, KeyCode::Tab, KeyCode::Char('B')];
        let batch = keys.iter().flat_map(|&k| [press(k, N), release(k, N)]).collect();
        assert_eq!(fold(batch), vec![Event::Paste("a\n\tB".into())]);
    }

    #[test]
    fn a_held_key_is_not_a_paste_and_a_shortcut_breaks_a_run() {
        let held = vec![press(KeyCode::Char('j'), N); 6];
        assert_eq!(fold(held.clone()), held);
        let ctrl = press(KeyCode::Char('l'), KeyModifiers::CONTROL);
        let batch = vec![press(KeyCode::Char('a'), N), press(KeyCode::Char('b'), N), ctrl.clone()];
        assert_eq!(fold(batch.clone()), batch);
    }

    #[test]
    fn an_alt_code_release_types_but_an_alt_shortcut_release_does_not() {
        let alt = KeyModifiers::ALT;
        assert_eq!(fold(vec![release(KeyCode::Char('@'), alt)]), vec![press(KeyCode::Char('@'), N)]);
        let shortcut = vec![press(KeyCode::Char('x'), alt), release(KeyCode::Char('x'), alt)];
        assert_eq!(fold(shortcut), vec![press(KeyCode::Char('x'), alt)]);
    }
}
