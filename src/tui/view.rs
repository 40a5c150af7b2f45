//! Views: functions that draw the state. They read `App` and never change it.

use super::keymap;
use super::layout::{self, MIN_SIZE};
use super::state::{App, DetailState, LogViewer, ScanItem, ScanPhase, Screen};
use super::theme::Theme;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Gauge, List, ListItem, ListState, Paragraph, Wrap};
use ratatui::Frame;

/// How long a tab-bar message stays, in milliseconds.
const TOAST_MS: u64 = 10_000;

/// Draws the whole frame.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    let theme = Theme::new(app.color);
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let note = format!(
            "Window too small ({}×{}); bts-doctor needs at least {}×{}.",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        );
        f.render_widget(Paragraph::new(note).wrap(Wrap { trim: true }), area);
        return;
    }
    let (tabs, body, hints) = layout::bands(area);
    draw_tabs(f, tabs, app, &theme);
    match app.screen {
        Screen::Paste => draw_paste(f, body, app, &theme),
        Screen::Scan => draw_scan(f, body, app, &theme),
        Screen::Knowledge => draw_knowledge(f, body, app, &theme),
        Screen::Checks => super::checks_view::draw(f, body, app, &theme),
        Screen::Guide => super::guide_view::draw(f, body, app, &theme),
    }
    if let Some(d) = &app.detail {
        draw_detail(f, body, app, d, &theme);
    }
    if app.help {
        draw_help(f, body, app, &theme);
    }
    draw_hints(f, hints, app, &theme);
}

fn draw_tabs(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![Span::raw(" ")];
    for (i, screen) in Screen::ALL.iter().enumerate() {
        let label = layout::tab_label(i, *screen);
        let style = if *screen == app.screen { theme.selected().patch(theme.strong()) } else { Style::new() };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    let right = match &app.toast {
        Some((text, at)) if app.now.saturating_sub(*at) < TOAST_MS => format!("{text} "),
        _ => format!("{} known issues ", app.matcher.kb().entries().len()),
    };
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let room = (area.width as usize).saturating_sub(used + 1);
    let count = right.chars().count();
    let right = if count > room && room > 1 {
        // A long message keeps its end (the file name).
        format!("…{}", right.chars().skip(count - room + 1).collect::<String>())
    } else {
        right
    };
    let width = right.chars().count();
    if used + width < area.width as usize {
        spans.push(Span::raw(" ".repeat(area.width as usize - used - width)));
        spans.push(Span::styled(right, theme.dim()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_hints(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = Vec::new();
    for (i, (keys, what)) in keymap::hints(app.context()).into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", theme.dim()));
        }
        spans.push(Span::styled(keys, theme.strong()));
        spans.push(Span::raw(format!(" {what}")));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// A bordered pane with a title, its border bright when it has the focus.
pub(super) fn block<'a>(title: &'a str, focused: bool, theme: &Theme) -> Block<'a> {
    let b = Block::bordered()
        .title(Span::styled(format!(" {title} "), if focused { theme.strong() } else { Style::new() }));
    if focused {
        b.border_style(theme.focus_border())
    } else {
        b.border_style(theme.dim())
    }
}

fn draw_paste(f: &mut Frame, body: Rect, app: &App, theme: &Theme) {
    let (input_area, results_area) = layout::paste_areas(body);
    let p = &app.paste;
    let focused = !p.on_results && app.detail.is_none() && !app.help;
    let input = block("Paste an error: a dialog, a log line, an event, a stack trace", focused, theme);
    let inner = input.inner(input_area);
    f.render_widget(input, input_area);

    let width = (inner.width as usize).max(1);
    let height = inner.height as usize;
    let marks: Vec<String> = p
        .report
        .as_ref()
        .and_then(|r| r.matches.get(p.selected))
        .map(|m| m.why.iter().map(|w| w.matched.clone()).filter(|t| !t.is_empty()).collect())
        .unwrap_or_default();
    let text = p.editor.text();
    if text.is_empty() {
        let hint = vec![
            Line::styled("Paste the error here, or type part of it.", theme.dim()),
            Line::styled("Matches appear on their own as you paste; no Enter needed.", theme.dim()),
        ];
        f.render_widget(Paragraph::new(hint), inner);
    } else {
        // Soft-wrap: each text line becomes rows of `width` characters; show the rows that end
        // at the cursor's row (or the top, when the cursor is near it).
        let (cursor_line, cursor_col) = p.editor.cursor_position();
        let first_line = cursor_line.saturating_sub(height);
        let mut rows: Vec<Line> = Vec::new();
        let mut cursor_row = 0;
        let mut cursor_cell = 0;
        for (offset, (s, e)) in p.editor.line_ranges(first_line, height + 1).into_iter().enumerate() {
            if first_line + offset == cursor_line {
                let (row, cell) = wrapped_cursor(&text[s..e], cursor_col, width);
                cursor_row = rows.len() + row;
                cursor_cell = cell;
            }
            rows.extend(wrap_styled(&text[s..e], &marks, theme, width));
        }
        let skip = (cursor_row + 1).saturating_sub(height);
        let shown: Vec<Line> = rows.into_iter().skip(skip).take(height).collect();
        f.render_widget(Paragraph::new(shown), inner);
        if focused {
            let x = inner.x + cursor_cell as u16;
            let y = inner.y + (cursor_row - skip) as u16;
            f.set_cursor_position((x, y));
        }
    }
    draw_matches(f, results_area, app, theme);
}

/// A text line cut into rows `width` terminal cells wide (a wide character such as CJK or an
/// emoji takes two), with the marked texts styled across rows.
fn wrap_styled(line: &str, marks: &[String], theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let styled = highlight(line, marks, theme, usize::MAX);
    let mut rows = vec![Line::default()];
    let mut used = 0;
    for span in styled.spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = cell_width(c);
            if used + w > width && used > 0 {
                rows.last_mut().expect("one row").spans.push(Span::styled(std::mem::take(&mut piece), span.style));
                rows.push(Line::default());
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        rows.last_mut().expect("one row").spans.push(Span::styled(piece, span.style));
    }
    rows
}

/// Terminal cells a character takes (0 for combining marks, 2 for wide characters).
fn cell_width(c: char) -> usize {
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The row and cell column of the character at `chars_before` in a line wrapped by
/// [`wrap_styled`].
fn wrapped_cursor(line: &str, chars_before: usize, width: usize) -> (usize, usize) {
    let (mut row, mut used) = (0, 0);
    for c in line.chars().take(chars_before) {
        let w = cell_width(c);
        if used + w > width && used > 0 {
            row += 1;
            used = 0;
        }
        used += w;
    }
    if used >= width {
        (row + 1, 0)
    } else {
        (row, used)
    }
}

/// One line with every occurrence of the marked texts styled.
fn highlight<'a>(line: &'a str, marks: &[String], theme: &Theme, width: usize) -> Line<'a> {
    let shown = cut(line, width);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for m in marks {
        for piece in m.lines().filter(|p| p.trim().len() >= 3) {
            let mut from = 0;
            while let Some(i) = shown[from..].find(piece.trim()) {
                let start = from + i;
                ranges.push((start, start + piece.trim().len()));
                from = start + piece.trim().len();
            }
        }
    }
    if ranges.is_empty() {
        return Line::raw(shown);
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let mut spans = Vec::new();
    let mut at = 0;
    for (s, e) in merged {
        spans.push(Span::raw(&shown[at..s]));
        spans.push(Span::styled(&shown[s..e], theme.mark()));
        at = e;
    }
    spans.push(Span::raw(&shown[at..]));
    Line::from(spans)
}

fn draw_matches(f: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let p = &app.paste;
    let title = if p.matching { "Matches (matching…)" } else { "Matches" };
    let outer = block(title, p.on_results && app.detail.is_none() && !app.help, theme);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let Some(report) = &p.report else {
        let text = if p.editor.text().trim().is_empty() {
            "Known issues that fit the text appear here, best first, with how sure the match is."
        } else {
            "Matching…"
        };
        f.render_widget(Paragraph::new(text).style(theme.dim()).wrap(Wrap { trim: true }), inner);
        return;
    };
    let mut items: Vec<ListItem> = Vec::new();
    if report.best_confident().is_none() {
        items.push(ListItem::new(Line::styled("No known issue matches with confidence.", theme.bad())));
    }
    for m in &report.matches {
        let e = app.matcher.entry(m.entry);
        let (symbol, style) = theme.confidence(m.confidence);
        items.push(ListItem::new(Text::from(vec![
            Line::from(vec![
                Span::styled(symbol, style),
                Span::raw(format!(" {:>5.1}  ", m.score)),
                Span::styled(e.id.clone(), theme.strong()),
            ]),
            Line::raw(format!("           {}", cut(&e.title, inner.width.saturating_sub(11) as usize))),
        ])));
    }
    for c in &report.nearest {
        items.push(ListItem::new(Line::styled(
            format!("  nearest: {} ({})", c.id, c.shared_words.join(", ")),
            theme.dim(),
        )));
    }
    for c in &report.codes {
        let name = c.name.as_deref().map(|n| format!(" {n}")).unwrap_or_default();
        items.push(ListItem::new(Line::from(vec![
            Span::styled("  code ", theme.dim()),
            Span::styled(format!("{}{name}", c.code), theme.strong()),
            Span::raw(
                cut(&format!(": {} [{}]", c.meaning, c.area), inner.width.saturating_sub(30) as usize).to_string(),
            ),
        ])));
    }
    let offset = usize::from(report.best_confident().is_none());
    let mut state = ListState::default().with_selected((!report.matches.is_empty()).then_some(p.selected + offset));
    let list_height = inner.height.saturating_sub(3);
    let [list_area, why_area] =
        Layout::vertical([Constraint::Length(list_height.max(2)), Constraint::Min(0)]).areas(inner);
    f.render_stateful_widget(List::new(items).highlight_style(theme.selected()), list_area, &mut state);
    if let Some(m) = report.matches.get(p.selected) {
        let reason = Line::from(vec![
            Span::styled("confidence: ", theme.dim()),
            Span::raw(cut(&m.reason, (why_area.width as usize).saturating_sub(12)).to_string()),
        ]);
        let why: Vec<Line> = std::iter::once(reason)
            .chain(m.why.iter().take((why_area.height as usize).saturating_sub(1)).map(|w| {
                Line::from(vec![
                    Span::styled("why: ", theme.dim()),
                    Span::raw(
                        cut(
                            &format!("{} matched \"{}\"", w.signature, w.matched),
                            (why_area.width as usize).saturating_sub(5),
                        )
                        .to_string(),
                    ),
                ])
            }))
            .collect();
        f.render_widget(Paragraph::new(why), why_area);
    }
}

fn draw_scan(f: &mut Frame, body: Rect, app: &App, theme: &Theme) {
    if let Some(v) = &app.scan.viewer {
        draw_viewer(f, body, v, theme);
        return;
    }
    match &app.scan.phase {
        ScanPhase::Prompt => {
            let [intro, input, rest] =
                Layout::vertical([Constraint::Length(4), Constraint::Length(3), Constraint::Min(0)]).areas(body);
            let text = vec![
                Line::styled("Scan setup, configuration, MSI and event logs", theme.strong()),
                Line::raw("Type a file or folder (folders are searched recursively; separate several with ;)."),
                Line::styled(
                    "Tab completes the path, Enter starts the scan. Or start with: bts-doctor PATH...",
                    theme.dim(),
                ),
            ];
            f.render_widget(Paragraph::new(text), intro);
            let b = block("Path", true, theme);
            let inner = b.inner(input);
            f.render_widget(b, input);
            let prompt = &app.scan.prompt;
            f.render_widget(Paragraph::new(cut(prompt.text(), inner.width as usize)), inner);
            if app.detail.is_none() && !app.help {
                f.set_cursor_position((
                    inner.x + (prompt.cursor_position().1 as u16).min(inner.width.saturating_sub(1)),
                    inner.y,
                ));
            }
            let items: Vec<ListItem> = app.scan.completions.iter().map(|c| ListItem::new(c.as_str())).collect();
            f.render_widget(
                List::new(items).block(Block::new().title(Span::styled(" completions ", theme.dim()))),
                rest,
            );
        }
        ScanPhase::Running { progress, started, cancelling } => {
            let [title, gauge, rest] =
                Layout::vertical([Constraint::Length(2), Constraint::Length(3), Constraint::Min(0)]).areas(body);
            let head = if *cancelling { "Cancelling the scan…" } else { "Scanning… (Esc cancels)" };
            f.render_widget(Paragraph::new(Line::styled(head, theme.strong())), title);
            let (ratio, label) = match progress {
                Some(p) => {
                    let secs = (app.now.saturating_sub(*started) as f64 / 1000.0).max(0.001);
                    let mb = p.bytes_done as f64 / 1_048_576.0;
                    (
                        if p.bytes_total == 0 { 0.0 } else { (p.bytes_done as f64 / p.bytes_total as f64).min(1.0) },
                        format!(
                            "{:.1} of {:.1} MB · {} of {} files · {:.0} MB/s",
                            mb,
                            p.bytes_total as f64 / 1_048_576.0,
                            p.files_done,
                            p.files_total,
                            mb / secs
                        ),
                    )
                }
                None => (0.0, "starting…".to_string()),
            };
            f.render_widget(
                Gauge::default().block(Block::bordered()).gauge_style(theme.strong()).ratio(ratio).label(label),
                gauge,
            );
            f.render_widget(Paragraph::new("Results appear here when the scan finishes.").style(theme.dim()), rest);
        }
        ScanPhase::Done(report) => {
            let (root_area, list_area) = layout::scan_result_areas(body);
            let mut root = vec![Line::from(vec![
                Span::styled("Upgrade phase: ", theme.dim()),
                Span::styled(report.phase.name(), theme.strong()),
                Span::raw(format!("  ({} of {} files read)", report.files_read(), report.files.len())),
            ])];
            match &report.root_cause {
                Some(r) => {
                    root.push(Line::from(vec![
                        Span::styled("✗ Root cause ", theme.bad()),
                        Span::raw(format!("{}:{}", r.path, r.line)),
                    ]));
                    root.push(Line::raw(format!("  {}", r.text)));
                    root.push(Line::from(vec![
                        Span::styled("  known issue: ", theme.dim()),
                        Span::styled(r.issue_id.clone().unwrap_or_else(|| "none matches".into()), theme.strong()),
                    ]));
                }
                None if report.files_read() == 0 => {
                    root.push(Line::styled("? Nothing could be read, so nothing can be told.", theme.warn()))
                }
                None if report.files_read() < report.files.len() || report.cancelled => root.push(Line::styled(
                    format!(
                        "? No failure in the {} file(s) read; the others could not be read, so this is not the whole answer.",
                        report.files_read()
                    ),
                    theme.warn(),
                )),
                None => root.push(Line::styled("✓ No failure found in these logs.", theme.good())),
            }
            for file in report.files.iter().filter(|f| f.skipped.is_some()) {
                root.push(Line::styled(
                    format!("  skipped {}: {}", file.path, file.skipped.clone().unwrap_or_default()),
                    theme.dim(),
                ));
            }
            f.render_widget(
                Paragraph::new(root).block(block("Root cause", false, theme)).wrap(Wrap { trim: false }),
                root_area,
            );
            let items: Vec<ListItem> = app
                .scan_items()
                .iter()
                .map(|item| match item {
                    ScanItem::Finding(i) => {
                        let finding = &report.findings[*i];
                        let severity = app
                            .matcher
                            .kb()
                            .get(&finding.issue_id)
                            .map(|e| theme.severity(e.severity))
                            .unwrap_or(("[?]", Style::new()));
                        ListItem::new(Line::from(vec![
                            Span::styled(severity.0, severity.1),
                            Span::raw(format!(" ×{:<4} ", finding.count)),
                            Span::styled(finding.issue_id.clone(), theme.strong()),
                            Span::raw(format!("  {}", finding.title)),
                        ]))
                    }
                    ScanItem::Unmatched(i) => {
                        let group = &report.unmatched[*i];
                        ListItem::new(Line::from(vec![
                            Span::styled("[unknown]", theme.dim()),
                            Span::raw(format!(" ×{:<4} ", group.count)),
                            Span::raw(group.template.clone()),
                        ]))
                    }
                })
                .collect();
            let title =
                format!("Known issues ({}) and unknown errors ({})", report.findings.len(), report.unmatched.len());
            let mut state = ListState::default().with_selected((!items.is_empty()).then_some(app.scan.selected));
            f.render_stateful_widget(
                List::new(items).block(block(&title, app.detail.is_none(), theme)).highlight_style(theme.selected()),
                list_area,
                &mut state,
            );
        }
    }
}

fn draw_viewer(f: &mut Frame, body: Rect, v: &LogViewer, theme: &Theme) {
    let title = format!("{} (line {})", v.path, v.target);
    let b = block(&title, true, theme);
    let inner = b.inner(body);
    f.render_widget(b, body);
    if let Some(e) = &v.error {
        f.render_widget(Paragraph::new(format!("Cannot show this log: {e}")).style(theme.bad()), inner);
        return;
    }
    if v.lines.is_empty() {
        f.render_widget(Paragraph::new("Loading…").style(theme.dim()), inner);
        return;
    }
    let marks = if v.mark.is_empty() { Vec::new() } else { vec![v.mark.clone()] };
    let lines: Vec<Line> = v
        .lines
        .iter()
        .skip(v.top)
        .take(inner.height as usize)
        .map(|(n, text)| {
            let is_error = v.error_lines.contains(n);
            let gutter = format!(
                "{}{:>7} │ ",
                if *n == v.target {
                    '>'
                } else if is_error {
                    '!'
                } else {
                    ' '
                },
                n
            );
            let gutter_style = if *n == v.target {
                theme.strong()
            } else if is_error {
                theme.bad()
            } else {
                theme.dim()
            };
            let mut line = highlight(
                text,
                if *n == v.target { &marks } else { &[] },
                theme,
                inner.width.saturating_sub(11) as usize,
            );
            line.spans.insert(0, Span::styled(gutter, gutter_style));
            if *n == v.target {
                line = line.style(Style::new().add_modifier(Modifier::BOLD));
            }
            line
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

fn draw_knowledge(f: &mut Frame, body: Rect, app: &App, theme: &Theme) {
    let (filter_area, list_area) = layout::knowledge_areas(body);
    let k = &app.knowledge;
    let typing = k.typing && app.detail.is_none() && !app.help;
    let b = block("Search (ranked: titles, causes, fixes, examples, codes; typos tolerated)", typing, theme);
    let inner = b.inner(filter_area);
    f.render_widget(b, filter_area);
    let shown = if k.filter.text().is_empty() && !typing {
        Line::styled("press / to filter", theme.dim())
    } else {
        Line::raw(k.filter.text())
    };
    f.render_widget(Paragraph::new(shown), inner);
    if typing {
        f.set_cursor_position((
            inner.x + (k.filter.cursor_position().1 as u16).min(inner.width.saturating_sub(1)),
            inner.y,
        ));
    }
    let entries = app.matcher.kb().entries();
    let mut items: Vec<ListItem> = Vec::new();
    let mut selected_row = None;
    let mut next_header = k.shown.first().map(|&i| &entries[i]);
    for row in super::update::knowledge_rows(app) {
        match row {
            None => {
                let e = next_header.expect("a header comes before an entry");
                items.push(ListItem::new(Line::styled(format!("── {} · {} ──", e.area(), e.phase), theme.dim())));
            }
            Some(shown_index) => {
                let e = &entries[k.shown[shown_index]];
                next_header = k.shown.get(shown_index + 1).map(|&i| &entries[i]);
                if shown_index == k.selected {
                    selected_row = Some(items.len());
                }
                let (sev, style) = theme.severity(e.severity);
                items.push(ListItem::new(Line::from(vec![
                    Span::raw("  "),
                    Span::styled(sev, style),
                    Span::raw(" "),
                    Span::styled(e.id.clone(), theme.strong()),
                    Span::raw(format!("  {}", e.title)),
                ])));
            }
        }
    }
    let title = format!("Knowledge ({} of {})", k.shown.len(), entries.len());
    let mut state = ListState::default().with_selected(selected_row);
    f.render_stateful_widget(
        List::new(items).block(block(&title, !typing && app.detail.is_none(), theme)).highlight_style(theme.selected()),
        list_area,
        &mut state,
    );
}

fn draw_detail(f: &mut Frame, body: Rect, app: &App, d: &DetailState, theme: &Theme) {
    let e = app.matcher.entry(d.entry);
    let width = body.width.saturating_sub(4) as usize;
    let mut lines: Vec<Line> = Vec::new();
    lines.push(Line::styled(e.title.clone(), theme.strong()));
    let (sev, sev_style) = theme.severity(e.severity);
    lines.push(Line::from(vec![
        Span::styled(sev.trim_end(), sev_style),
        Span::raw(format!(" {} · {} · BizTalk {}", e.kind, e.phase, e.applies_to.join(", "))),
    ]));
    if !d.why.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Why it matched", theme.strong()));
        for (signature, matched) in &d.why {
            for l in wrap(&format!("{signature} → \"{matched}\""), width.saturating_sub(2)) {
                lines.push(Line::raw(format!("  {l}")));
            }
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Cause", theme.strong()));
    for paragraph in e.cause.split("\n\n") {
        lines.extend(wrap(paragraph, width.saturating_sub(2)).into_iter().map(|l| Line::raw(format!("  {l}"))));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Fix (Space ticks a step; ticks last for this session)", theme.strong()));
    let ticks = app.ticked.get(&e.id);
    let mut step_line = 0;
    for (i, s) in e.fix.iter().enumerate() {
        let done = ticks.and_then(|t| t.get(i)).copied().unwrap_or(false);
        let mark = if done { "[x]" } else { "[ ]" };
        if i == d.step {
            step_line = lines.len();
        }
        let style = if i == d.step { theme.selected() } else { Style::new() };
        for (j, l) in wrap(&s.step, width.saturating_sub(8)).into_iter().enumerate() {
            let prefix = if j == 0 { format!("  {mark} {}. ", i + 1) } else { "        ".to_string() };
            lines.push(Line::styled(format!("{prefix}{l}"), style));
        }
        if let Some(cmd) = &s.command {
            lines.push(Line::styled(format!("        > {cmd}"), theme.dim()));
        }
        if let Some(affects) = &s.destructive {
            for l in wrap(&format!("⚠ destructive: {affects}"), width.saturating_sub(8)) {
                lines.push(Line::styled(format!("        {l}"), theme.bad()));
            }
        }
    }
    if !e.checks.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled("Live checks", theme.strong()));
        lines.push(Line::raw(format!("  {} (4 opens the Checks screen)", e.checks.join(", "))));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("References", theme.strong()));
    lines.extend(e.references.iter().map(|r| Line::raw(format!("  {r}"))));
    let height = body.height.saturating_sub(2) as usize;
    let scroll = (d.scroll as usize).max((step_line + 2).saturating_sub(height)).min(lines.len().saturating_sub(1));
    f.render_widget(Clear, body);
    f.render_widget(Paragraph::new(lines).block(block(&e.id, true, theme)).scroll((scroll as u16, 0)), body);
}

fn draw_help(f: &mut Frame, body: Rect, app: &App, theme: &Theme) {
    let rows = keymap::help_rows(app.base_context());
    let width = body.width.clamp(30, 64);
    let height = (rows.len() as u16 + 4).min(body.height);
    let area = Rect::new(body.x + (body.width - width) / 2, body.y + (body.height - height) / 2, width, height);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(k, what)| Line::from(vec![Span::styled(format!("{k:>12}  "), theme.strong()), Span::raw(what)]))
        .collect();
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(block("Keys here (Esc closes)", true, theme)).alignment(Alignment::Left),
        area,
    );
}

/// At most `width` characters of a line.
pub(super) fn cut(text: &str, width: usize) -> &str {
    match text.char_indices().nth(width) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// Word-wraps a paragraph to `width` columns (at least 10).
pub(super) fn wrap(text: &str, width: usize) -> Vec<String> {
    crate::text::wrap(text, width.max(10))
}

#[cfg(test)]
mod tests {
    use super::{wrap_styled, wrapped_cursor, Theme};

    #[test]
    fn wide_characters_wrap_by_cells_and_the_cursor_follows() {
        let rows = wrap_styled("漢字漢字漢", &[], &Theme::new(false), 4);
        let text: Vec<String> = rows.iter().map(|r| r.spans.iter().map(|s| s.content.as_ref()).collect()).collect();
        assert_eq!(text, ["漢字", "漢字", "漢"]);
        assert_eq!(wrapped_cursor("漢字漢字漢", 3, 4), (1, 2));
        assert_eq!(wrapped_cursor("abcd", 4, 4), (1, 0));
        assert_eq!(wrapped_cursor("ab", 1, 4), (0, 1));
    }
}
