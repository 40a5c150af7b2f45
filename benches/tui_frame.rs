//! Time to the first TUI frame (load and compile the embedded knowledge base, build the app,
//! draw once) and the time to render one frame, into ratatui's `TestBackend` at 120×40.
//! Target: first frame under 150 ms. Run: `cargo bench --bench tui_frame`.

use bts_doctor::kb::KnowledgeBase;
use bts_doctor::matcher::Matcher;
use bts_doctor::tui::action::Action;
use bts_doctor::tui::state::App;
use bts_doctor::tui::{update::update, view};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

fn main() {
    let mut firsts = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        let matcher = Matcher::new(KnowledgeBase::embedded().expect("kb")).expect("compiles");
        let app = App::new(matcher, true);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("backend");
        terminal.draw(|f| view::draw(f, &app)).expect("draw");
        firsts.push(start.elapsed());
        black_box(&terminal);
    }
    firsts.sort();
    println!(
        "first frame (load + compile knowledge, build app, draw 120x40): p50 {:.1} ms, max {:.1} ms",
        percentile(&firsts, 0.5),
        percentile(&firsts, 1.0)
    );

    let matcher = Matcher::new(KnowledgeBase::embedded().expect("kb")).expect("compiles");
    let mut app = App::new(matcher, true);
    let text = "SSO Master Secret Server service is not running on BTSCLUSTER01.Please start the service to continue the upgrade.";
    update(&mut app, Action::Paste(text.into()));
    let report = app.matcher.match_text(text);
    let generation = app.paste.generation;
    update(&mut app, Action::Matched(generation, Box::new(report)));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("backend");
    let mut frames = Vec::new();
    for _ in 0..2000 {
        let start = Instant::now();
        terminal.draw(|f| view::draw(f, &app)).expect("draw");
        frames.push(start.elapsed());
    }
    frames.sort();
    println!(
        "one frame (paste screen with matches, 120x40): p50 {:.3} ms, p99 {:.3} ms",
        percentile(&frames, 0.5),
        percentile(&frames, 0.99)
    );
}
