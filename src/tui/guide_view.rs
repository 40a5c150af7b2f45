//! Drawing the guide screen: the playbook's steps with progress, and the current step with
//! its text, command, choices and check result.

use super::guide;
use super::layout;
use super::state::App;
use super::theme::Theme;
use super::view::{block, cut, wrap};
use crate::guide::machine;
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
    if let Some(progress) = &app.guide.progress {
        for visit in &progress.path {
            let title = book.step(&visit.step).map_or(visit.step.as_str(), |s| s.title.as_str());
            let answer = match (&visit.answer, &visit.check) {
                (Some(a), _) => format!(" → {a}"),
                (_, Some(c)) => format!(" → {}", c.status.as_str()),
                _ => String::new(),
            };
            items.push(ListItem::new(Line::from(vec![
                Span::styled("✓ ", theme.good()),
                Span::raw(cut(&format!("{title}{answer}"), width.saturating_sub(2)).to_string()),
            ])));
        }
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
                    "You stopped at step `{}` after {} step(s). Enter resumes there; n starts over.",
                    offer.current,
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
    let book_title = guide::playbook(app).map(|b| b.title.clone()).unwrap_or_default();
    lines.push(Line::styled(book_title, theme.dim()));
    lines.push(Line::styled(step.title.clone(), theme.strong()));
    if !step.text.is_empty() {
        lines.extend(wrap(&step.text, width).into_iter().map(Line::raw));
    }
    lines.push(Line::raw(""));
    match step.kind {
        StepKind::Question => {
            let hint = guide::scan_hint(app);
            for (i, c) in step.choices.iter().enumerate() {
                let from_logs =
                    if hint.as_deref() == Some(c.value.as_str()) { "  (from the scanned logs)" } else { "" };
                let style = if i == g.choice { theme.selected() } else { ratatui::style::Style::new() };
                let mark = if i == g.choice { "▶" } else { " " };
                lines.push(Line::styled(format!("{mark} {}{from_logs}", c.label), style));
            }
            lines.push(Line::styled("Up/Down choose · Enter answers", theme.dim()));
        }
        StepKind::Check => {
            let id = step.check.clone().unwrap_or_default();
            if g.awaiting.is_some() {
                let spinner = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"][(app.now / 80) as usize % 10];
                lines.push(Line::styled(format!("{spinner} running check {id}…"), theme.strong()));
            } else {
                lines.push(Line::raw(format!("Enter runs check {id} (with the connection of screen 4).")));
            }
        }
        StepKind::Info => lines.push(Line::styled("Enter goes on", theme.dim())),
        StepKind::Action => lines.push(Line::styled("Do it, then press Enter", theme.dim())),
        StepKind::Done => lines.push(Line::styled("Finished. p: next playbook · n: start over", theme.good())),
    }
    if let Some(entry) = step.issue.as_deref().and_then(|i| app.matcher.kb().get(i)) {
        lines.push(Line::raw(""));
        lines.extend(
            wrap(&format!("Knowledge: {} — {} (o opens it)", entry.id, entry.title), width)
                .into_iter()
                .map(|l| Line::styled(l, theme.dim())),
        );
        if step.kind == StepKind::Action && step.command.is_none() {
            if let Some(first) = entry.fix.first() {
                let what = crate::report::text::squash_space(&first.step);
                lines.extend(wrap(&format!("First fix step: {what}"), width).into_iter().map(Line::raw));
                if let Some(command) = &first.command {
                    lines.push(Line::styled(format!("  > {command}"), theme.dim()));
                }
            }
        }
    }
    if let Some(command) = &step.command {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Command", theme.strong()));
        lines.extend(wrap(command, width.saturating_sub(2)).into_iter().map(|l| Line::raw(format!("  {l}"))));
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
