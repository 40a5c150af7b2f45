//! Drawing the checks screen: the connection form (password masked), the list with spinners,
//! and the selected result with the entry and fix step that explain it.

use super::layout;
use super::state::{App, RowState, FORM_FIELDS, FORM_TRUST};
use super::theme::Theme;
use super::view::{block, cut, wrap};
use crate::checks::result::tally;
use crate::checks::CheckResult;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};
use ratatui::Frame;

/// Frames of the running-check spinner.
const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/// Milliseconds per spinner frame.
const SPIN_MS: u64 = 80;

/// Draws the whole checks screen.
pub fn draw(f: &mut Frame, body: Rect, app: &App, theme: &Theme) {
    let (form, list, detail) = layout::checks_areas(body);
    draw_form(f, form, app, theme);
    draw_list(f, list, app, theme);
    draw_result(f, detail, app, theme);
}

fn draw_form(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let c = &app.checks;
    let editing = c.editing && app.detail.is_none() && !app.help;
    let b = block("SQL Server (read-only; e edits, Enter runs)", editing, theme);
    let inner = b.inner(area);
    f.render_widget(b, area);
    let half = (inner.width / 2).max(20) as usize;
    let label_width = 9;
    let field_width = half.saturating_sub(label_width + 3).max(6);
    let value = |i: usize| -> String {
        let text = c.form.fields[i].text();
        // A fixed mask: the length of the password is not shown either.
        let shown = if i == 3 && !text.is_empty() { "•".repeat(8) } else { text.to_string() };
        let placeholder = match i {
            2 if shown.is_empty() => "(empty: Windows login)",
            0 if shown.is_empty() => "(none: SQL checks skip)",
            _ => "",
        };
        if shown.is_empty() {
            placeholder.to_string()
        } else {
            cut(&shown, field_width).to_string()
        }
    };
    let field = |i: usize| -> Vec<Span<'static>> {
        let focused = editing && c.form.focus == i;
        let label = format!("{:<label_width$}", FORM_FIELDS[i]);
        let text = value(i);
        let empty = c.form.fields[i].text().is_empty();
        let style = if focused {
            theme.selected()
        } else if empty {
            theme.dim()
        } else {
            ratatui::style::Style::new()
        };
        vec![
            Span::styled(label, if focused { theme.strong() } else { ratatui::style::Style::new() }),
            Span::styled(format!("{text:<field_width$}"), style),
            Span::raw("  "),
        ]
    };
    let trust_focused = editing && c.form.focus == FORM_TRUST;
    let trust = Span::styled(
        format!("[{}] trust the certificate", if c.form.trust { "x" } else { " " }),
        if trust_focused { theme.selected() } else { ratatui::style::Style::new() },
    );
    let mut first = field(0);
    first.extend(field(1));
    let mut second = field(2);
    second.extend(field(3));
    let third =
        Line::from(vec![trust, Span::raw("  "), Span::styled(c.message.clone().unwrap_or_default(), theme.dim())]);
    let lines = vec![Line::from(first), Line::from(second), third];
    f.render_widget(Paragraph::new(lines), inner);
    if editing && c.form.focus < FORM_TRUST {
        let column = if c.form.focus.is_multiple_of(2) { 0 } else { half };
        let field = &c.form.fields[c.form.focus];
        let typed = if c.form.focus == 3 {
            if field.text().is_empty() {
                0
            } else {
                8
            }
        } else {
            field.text()[..field.cursor()].chars().count()
        };
        let x = inner.x + (column + label_width + typed.min(field_width)) as u16;
        let y = inner.y + (c.form.focus / 2) as u16;
        f.set_cursor_position((x.min(inner.right().saturating_sub(1)), y));
    }
}

fn draw_list(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let c = &app.checks;
    let id_width = c.rows.iter().map(|r| r.id.chars().count()).max().unwrap_or(10);
    let spinner = SPINNER[(app.now / SPIN_MS) as usize % SPINNER.len()];
    let items: Vec<ListItem> = c
        .rows
        .iter()
        .map(|row| {
            let (mark, style) = match &row.state {
                RowState::NotRun => ("       ".to_string(), theme.dim()),
                RowState::Queued => ("· wait ".to_string(), theme.dim()),
                RowState::Running(_) => (format!("{spinner} run  "), theme.strong()),
                RowState::Done(r) => {
                    let (s, st) = theme.status(r.status);
                    (s.to_string(), st)
                }
            };
            let room = (area.width as usize).saturating_sub(id_width + 14);
            Line::from(vec![
                Span::styled(mark, style),
                Span::raw(" "),
                Span::styled(format!("{:<id_width$}", row.id), theme.strong()),
                Span::raw("  "),
                Span::raw(cut(&row.title, room).to_string()),
            ])
            .into()
        })
        .collect();
    let results: Vec<CheckResult> = c
        .rows
        .iter()
        .filter_map(|r| match &r.state {
            RowState::Done(result) => Some(result.clone()),
            _ => None,
        })
        .collect();
    let title = if results.is_empty() {
        format!("Checks ({}; r runs them all)", c.rows.len())
    } else {
        let counts: Vec<String> =
            tally(&results).iter().filter(|(_, n)| *n > 0).map(|(s, n)| format!("{n} {}", s.as_str())).collect();
        let state = if c.cancelling {
            " · cancelling"
        } else if c.running {
            " · running"
        } else {
            ""
        };
        format!("Checks ({}{state})", counts.join(" · "))
    };
    let focused = !c.editing && app.detail.is_none() && !app.help;
    let mut state = ListState::default().with_selected(Some(c.selected));
    f.render_stateful_widget(
        List::new(items).block(block(&title, focused, theme)).highlight_style(theme.selected()),
        area,
        &mut state,
    );
}

fn draw_result(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let c = &app.checks;
    let width = area.width.saturating_sub(4) as usize;
    let mut lines: Vec<Line> = Vec::new();
    let Some(row) = c.rows.get(c.selected) else {
        f.render_widget(Paragraph::new("").block(block("Result", false, theme)), area);
        return;
    };
    let spec = app.matcher.kb().check(&row.id);
    match &row.state {
        RowState::Done(r) => {
            let (status, style) = theme.status(r.status);
            lines.push(Line::from(vec![
                Span::styled(status.trim_end().to_string(), style),
                Span::styled(format!("  in {} ms", r.duration_ms), theme.dim()),
            ]));
            lines.extend(wrap(&r.detail, width).into_iter().map(Line::raw));
            if let Some(issue) = &r.issue_id {
                let title = app.matcher.kb().get(issue).map(|e| e.title.clone()).unwrap_or_default();
                let how = if r.status.is_problem() { "Explained by" } else { "Confirms" };
                lines.push(Line::raw(""));
                lines.extend(
                    wrap(&format!("{how} {issue}: {title}"), width)
                        .into_iter()
                        .map(|l| Line::styled(l, theme.strong())),
                );
            }
            if let Some(fix) = &r.fix {
                lines.extend(wrap(&format!("Fix: {fix}"), width).into_iter().map(Line::raw));
            }
            lines.push(Line::styled("Enter opens the entry · x runs this check again", theme.dim()));
        }
        RowState::Running(since) => {
            lines.push(Line::styled(
                format!("running for {:.1} s", app.now.saturating_sub(*since) as f64 / 1000.0),
                theme.strong(),
            ));
        }
        RowState::Queued => lines.push(Line::styled("waiting for a free slot", theme.dim())),
        RowState::NotRun => {
            lines.push(Line::styled("not run yet: r runs every check, x this one", theme.dim()));
            if let Some(spec) = spec {
                let needs = if row.sql { "needs the SQL connection" } else { "looks at this computer" };
                lines.push(Line::raw(format!("{} probe, {needs}; confirms {}", spec.probe.kind_name(), spec.issue)));
            }
        }
    }
    f.render_widget(
        Paragraph::new(lines).block(block(&row.id, false, theme)).wrap(ratatui::widgets::Wrap { trim: false }),
        area,
    );
}
