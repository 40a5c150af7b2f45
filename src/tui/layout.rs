//! Where things are on screen, computed the same way for drawing and for mouse hits.

use super::state::Screen;
use ratatui::layout::{Constraint, Direction, Layout, Rect};

/// Smallest terminal the app draws in; below it a "window too small" note is shown.
pub const MIN_SIZE: (u16, u16) = (40, 12);

/// The frame's three bands: tab bar, body, hint bar.
pub fn bands(area: Rect) -> (Rect, Rect, Rect) {
    let [tabs, body, hints] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    (tabs, body, hints)
}

/// A tab's title as the tab bar shows it: its number and name.
pub fn tab_label(index: usize, screen: Screen) -> String {
    format!(" {} {} ", index + 1, screen.title())
}

/// The column ranges of the tab titles in the tab bar, in [`Screen::ALL`] order.
pub fn tab_ranges() -> Vec<(Screen, u16, u16)> {
    let mut x = 1;
    Screen::ALL
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let width = tab_label(i, *s).chars().count() as u16;
            let range = (*s, x, x + width);
            x += width + 1;
            range
        })
        .collect()
}

/// The paste screen's text box and results list: side by side when wide, stacked when not.
pub fn paste_areas(body: Rect) -> (Rect, Rect) {
    let direction = if body.width >= 100 { Direction::Horizontal } else { Direction::Vertical };
    let [input, results] = Layout::default()
        .direction(direction)
        .constraints([Constraint::Percentage(50), Constraint::Percentage(50)])
        .areas(body);
    (input, results)
}

/// The knowledge screen's filter line and list.
pub fn knowledge_areas(body: Rect) -> (Rect, Rect) {
    let [filter, list] = Layout::vertical([Constraint::Length(3), Constraint::Min(1)]).areas(body);
    (filter, list)
}

/// The scan results' root-cause box and list.
pub fn scan_result_areas(body: Rect) -> (Rect, Rect) {
    let root_height = (body.height / 3).clamp(4, 9);
    let [root, list] = Layout::vertical([Constraint::Length(root_height), Constraint::Min(1)]).areas(body);
    (root, list)
}

/// Rows of the checks screen's connection form (borders included).
pub const CHECKS_FORM_HEIGHT: u16 = 5;

/// The checks screen's connection form, list and result detail: the detail beside the list
/// when wide, under it when not.
pub fn checks_areas(body: Rect) -> (Rect, Rect, Rect) {
    let [form, rest] = Layout::vertical([Constraint::Length(CHECKS_FORM_HEIGHT), Constraint::Min(1)]).areas(body);
    let [list, detail] = if rest.width >= 110 {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(rest)
    } else {
        Layout::vertical([Constraint::Min(3), Constraint::Length((rest.height / 3).clamp(5, 9))]).areas(rest)
    };
    (form, list, detail)
}

/// The guide screen's step list and current step: side by side when wide, stacked when not.
pub fn guide_areas(body: Rect) -> (Rect, Rect) {
    if body.width >= 100 {
        let [list, step] = Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body);
        (list, step)
    } else {
        let [list, step] = Layout::vertical([Constraint::Percentage(30), Constraint::Percentage(70)]).areas(body);
        (list, step)
    }
}
