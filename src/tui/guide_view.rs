//! Drawing the guide screen: the playbook's steps with progress, and the current step with
//! its text, command, choices and check result.

use super::guide;
use super::layout;
use super::state::App;
use super::theme::Theme;
use super::view::{block, cut, wrap};
use crate::guide::machine;
use crate::guide::session::{Mark, Pending};
use crate::kb::playbook::StepKind;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

/// Draws the whole guide screen.
pub fn draw(f: &mut Frame, body: Rect, app: &App, theme: &Theme) {
    let (list, step) = layout::guide_areas(body);
    draw_steps(f, list, app, theme);
    draw_current(f, step, app, theme);
}

fn draw_steps(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let books = app.matcher.kb().playbooks();
    let Some(book) = guide::playbook(app) else {
        f.render_widget(Paragraph::new("No playbook in the knowledge base.").block(block("Guide", false, theme)), area);
        return;
    };
    let width = area.width.saturating_sub(4) as usize;
    let mut items: Vec<ListItem> = Vec::new();
    let mut selected = None;
    if let Some(session) = &app.guide.session {
        for taken in session.taken() {
            let style = match taken.mark {
                Mark::Established => theme.good(),
                Mark::Failed => theme.bad(),
                Mark::Undecided => theme.warn(),
            };
            let said = if taken.said.is_empty() { String::new() } else { format!(" → {}", taken.said) };
            items.push(ListItem::new(Line::from(vec![
                Span::styled(format!("{} ", taken.mark.symbol()), style),
                Span::raw(cut(&format!("{}{said}", taken.title), width.saturating_sub(2)).to_string()),
            ])));
        }
        let progress = &session.progress;
        selected = Some(items.len());
        for (i, step) in machine::remaining(book, progress).into_iter().enumerate() {
            let (mark, style) = if i == 0 {
                (if progress.finished { "■ " } else { "▶ " }, theme.strong())
            } else {
                ("· ", theme.dim())
            };
            items.push(ListItem::new(Line::from(vec![
                Span::styled(mark, style),
                Span::styled(cut(&step.title, width.saturating_sub(2)).to_string(), style),
            ])));
        }
    }
    let position = format!("{} ({}/{} · p: next playbook)", book.id, app.guide.playbook + 1, books.len());
    let mut state = ListState::default().with_selected(selected);
    f.render_stateful_widget(
        List::new(items).block(block(&position, false, theme)).highlight_style(theme.selected()),
        area,
        &mut state,
    );
}

fn draw_current(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let width = area.width.saturating_sub(4) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let g = &app.guide;
    if let Some(notice) = &g.notice {
        lines.extend(wrap(notice, width).into_iter().map(|l| Line::styled(l, theme.bad())));
        lines.push(Line::raw(""));
    }
    if let Some(offer) = &g.offer {
        lines.push(Line::styled("Saved progress found", theme.strong()));
        lines.extend(
            wrap(
                &format!(
                    "You stopped at “{}” after {} step(s). Enter resumes there; n starts over.",
                    crate::guide::session::step_title(
                        guide::playbook(app).expect("a session's playbook"),
                        &offer.current
                    ),
                    offer.path.len()
                ),
                width,
            )
            .into_iter()
            .map(Line::raw),
        );
        f.render_widget(Paragraph::new(lines).block(block("Resume?", true, theme)), area);
        return;
    }
    let Some(step) = guide::current_step(app) else {
        lines.push(Line::styled("Reading saved progress…", theme.dim()));
        f.render_widget(Paragraph::new(lines).block(block("Step", true, theme)), area);
        return;
    };
    let Some(session) = g.session.as_ref() else { return };
    let view = session.view(app.matcher.kb(), step);
    let book_title = guide::playbook(app).map(|b| b.title.clone()).unwrap_or_default();
    lines.push(Line::styled(book_title, theme.dim()));
    lines.push(Line::styled(view.title.clone(), theme.strong()));
    if !view.text.is_empty() {
        lines.extend(wrap(&view.text, width).into_iter().map(Line::raw));
    }
    lines.push(Line::raw(""));
    let choices = |lines: &mut Vec<Line>, labels: Vec<(String, &str)>| {
        for (i, (label, note)) in labels.into_iter().enumerate() {
            let style = if i == g.choice { theme.selected() } else { ratatui::style::Style::new() };
            let mark = if i == g.choice { "▶" } else { " " };
            lines.push(Line::styled(format!("{mark} {label}{note}"), style));
        }
    };
    match guide::pending(app) {
        Some(Pending::Question { .. }) => {
            let hint = guide::scan_hint(app);
            let labels = step
                .choices
                .iter()
                .map(|c| {
                    let note = if hint.as_deref() == Some(c.value.as_str()) { "  (from the scanned logs)" } else { "" };
                    (c.label.clone(), note)
                })
                .collect();
            choices(&mut lines, labels);
            lines.push(Line::styled("Up/Down choose · Enter answers", theme.dim()));
        }
        Some(Pending::Undecided { question, outcome }) => {
            let why = outcome.reason.map_or("it could not tell", |r| r.phrase());
            lines.extend(
                wrap(&format!("The check {} could not tell ({why}): {}", outcome.id, outcome.detail), width)
                    .into_iter()
                    .map(|l| Line::styled(l, theme.warn())),
            );
            lines.extend(wrap(&format!("Answer it yourself: {question}"), width).into_iter().map(Line::raw));
            choices(&mut lines, vec![("Yes".to_string(), ""), ("No".to_string(), "")]);
            lines.push(Line::styled("Up/Down choose · Enter answers", theme.dim()));
        }
        Some(Pending::Check { check }) => {
            if g.awaiting.is_some() {
                let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][(app.now / 80) as usize % 10];
                lines.push(Line::styled(format!("{spinner} running check {check}…"), theme.strong()));
            } else {
                lines.push(Line::raw(format!("Enter runs check {check} (with the connection of screen 4).")));
            }
        }
        Some(Pending::ConfirmDestructive { affects }) => {
            lines.extend(
                wrap(&format!("⚠ Destructive: {affects}"), width).into_iter().map(|l| Line::styled(l, theme.bad())),
            );
            lines.push(Line::styled("Do it, then press y to confirm it is done", theme.strong()));
        }
        Some(Pending::Proceed) if step.kind == StepKind::Action => {
            lines.push(Line::styled("Do it, then press Enter", theme.dim()))
        }
        Some(Pending::Proceed) => lines.push(Line::styled("Enter goes on", theme.dim())),
        Some(Pending::Done) | None => {
            lines.push(Line::styled("Finished. p: next playbook · n: start over", theme.good()))
        }
    }
    if let Some(root) = &view.root_cause {
        lines.push(Line::raw(""));
        if let Some(text) = &root.text {
            lines.extend(wrap(&format!("The logs' root cause: {text}"), width).into_iter().map(Line::raw));
        }
        if let Some(entry) = &root.entry {
            lines.extend(
                wrap(&format!("Its known issue: {} — {}", entry.id, entry.title), width).into_iter().map(Line::raw),
            );
        }
        if let Some(first) = &root.first_fix {
            lines.extend(wrap(&format!("First fix step: {first}"), width).into_iter().map(Line::raw));
        }
    }
    if let Some(entry) = &view.entry {
        lines.push(Line::raw(""));
        lines.extend(
            wrap(&format!("Knowledge: {} — {} (o opens it)", entry.id, entry.title), width)
                .into_iter()
                .map(|l| Line::styled(l, theme.dim())),
        );
        if let Some(first) = view.entry_fix.first() {
            lines.extend(wrap(&format!("First fix step: {}", first.step), width).into_iter().map(Line::raw));
            if let Some(command) = &first.command {
                lines.push(Line::styled(format!("  > {command}"), theme.dim()));
            }
        }
    }
    if let Some(command) = &view.command {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Command", theme.strong()));
        for raw in command.lines() {
            lines.extend(wrap(raw, width.saturating_sub(2)).into_iter().map(|l| Line::raw(format!("  {l}"))));
        }
    }
    if let Some(c) = &g.last_check {
        lines.push(Line::raw(""));
        let (status, style) = theme.status(c.status);
        lines.push(Line::from(vec![
            Span::raw(format!("Last check {}: ", c.id)),
            Span::styled(status.trim_end().to_string(), style),
        ]));
        lines.extend(wrap(&c.detail, width).into_iter().map(Line::raw));
    }
    f.render_widget(Paragraph::new(lines).block(block("Step", true, theme)).wrap(Wrap { trim: false }), area);
}
