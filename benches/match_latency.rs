//! Match latency for a 2 KB paste: p50 / p99 / max over many runs, with the shipped knowledge
//! base and with a synthetic 2,000-entry one. Targets (p99): under 1 ms and under 5 ms.
//!
//! Run: `cargo bench --bench match_latency` (add `-- --quick` for fewer iterations).
//! A custom harness because the targets are percentiles, which criterion does not report.

use bts_doctor::kb::{Entry, FixStep, Kind, KnowledgeBase, Origin, Pattern, Phase, Severity, Signature};
use bts_doctor::matcher::Matcher;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A realistic 2 KB paste: an event-log entry with a .NET stack trace, ending in a known error.
fn paste_2kb() -> String {
    let mut text = String::from(
        "Log Name:      Application\r\nSource:        BizTalk Server\r\nDate:          12/01/2017 10:14:55\r\n\
         Event ID:      5410\r\nTask Category: BizTalk Server\r\nLevel:         Error\r\nComputer:      BTSAPP01.contoso.local\r\n\
         Description:\r\nAn error occurred that requires the BizTalk service to terminate. The most common causes are the following:\r\n\
         1) An unexpected out of memory error.\r\n2) An inability to connect or a loss of connectivity to one of the BizTalk databases.\r\n\
         The service will shutdown and auto-restart in 1 minute. If the problematic database remains unavailable, this cycle will repeat.\r\n\
         Error message: Exception of type 'System.EnterpriseServices.TransactionProxyException' was thrown.\r\n",
    );
    let frames = [
        "   at System.EnterpriseServices.TransactionProxy.Commit(Guid guid)\r\n",
        "   at Microsoft.BizTalk.Agent.Interop.IBTTransportBatch.Done(IBTDTCCommitConfirm commitConfirm)\r\n",
        "   at Microsoft.BizTalk.Adapter.Framework.BatchHandler.SubmitBatch(Int32 timeout)\r\n",
        "   at Microsoft.BizTalk.Management.Deployment.Database.Connect(String server, String database)\r\n",
    ];
    let mut i = 0;
    while text.len() < 2048 {
        text.push_str(frames[i % frames.len()]);
        i += 1;
    }
    text.truncate(2048);
    text
}

/// Deterministic xorshift, so every run benchmarks the same synthetic knowledge.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &'a [String]) -> &'a str {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// 2,000 entries shaped like the real ones: three phrases of 5-9 words, one regex, one code.
fn synthetic_kb(count: usize) -> KnowledgeBase {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let syllables = ["bo", "ka", "tre", "mil", "sso", "dta", "qua", "zen", "rul", "pix", "om", "vex", "lor", "gan"];
    let vocab: Vec<String> = (0..3000)
        .map(|_| (0..3).map(|_| syllables[(rng.next() % syllables.len() as u64) as usize]).collect())
        .collect();
    let mut entries = Vec::with_capacity(count);
    for n in 0..count {
        let mut signatures = Vec::new();
        for _ in 0..3 {
            let words = 5 + (rng.next() % 5) as usize;
            let phrase: Vec<&str> = (0..words).map(|_| rng.pick(&vocab)).collect();
            let pattern = Pattern::Phrase(phrase.join(" "));
            signatures.push(Signature { weight: pattern.default_weight(), pattern, line: 0, from_catalogue: None });
        }
        let regex = format!(r"{} \S+ {} \d+", rng.pick(&vocab), rng.pick(&vocab));
        signatures.push(Signature { pattern: Pattern::Regex(regex), weight: 5.0, line: 0, from_catalogue: None });
        signatures.push(Signature {
            pattern: Pattern::Code(format!("0x{:08X}", rng.next() as u32)),
            weight: 5.0,
            line: 0,
            from_catalogue: None,
        });
        entries.push(Entry {
            id: format!("syn-entry-{n}"),
            title: format!("Synthetic entry {n}"),
            kind: Kind::KnownIssue,
            phase: Phase::Any,
            severity: Severity::Error,
            applies_to: vec!["2016".into()],
            tags: vec![],
            signatures,
            cause: "synthetic".into(),
            fix: vec![FixStep { step: "none".into(), command: None, check: None, destructive: None }],
            checks: vec![],
            references: vec![],
            examples: vec![],
            example_sources: vec![],
            counter_examples: vec![],
            example_lines: vec![],
            counter_example_lines: vec![],
            generic: false,
            origin: Origin { layer: "synthetic".into(), file: String::new(), line: 0 },
        });
    }
    KnowledgeBase::from_entries(entries)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn measure(name: &str, matcher: &Matcher, text: &str, iterations: usize) {
    for _ in 0..iterations / 10 {
        black_box(matcher.match_text(black_box(text)));
    }
    let mut samples = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let start = Instant::now();
        black_box(matcher.match_text(black_box(text)));
        samples.push(start.elapsed());
    }
    samples.sort();
    println!(
        "{name}: {} runs, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        iterations,
        percentile(&samples, 0.50).as_secs_f64() * 1e6,
        percentile(&samples, 0.99).as_secs_f64() * 1e6,
        samples.last().unwrap().as_secs_f64() * 1e6,
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let iterations = if quick { 1_000 } else { 20_000 };
    let text = paste_2kb();

    let started = Instant::now();
    let shipped = Matcher::new(KnowledgeBase::embedded().expect("embedded knowledge")).expect("compiles");
    println!(
        "shipped knowledge base: {} entries, loaded and compiled in {:.1} ms",
        shipped.kb().entries().len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    let best = shipped.match_text(&text);
    println!("  the paste matches: {:?}", best.matches.iter().take(3).map(|m| &m.id).collect::<Vec<_>>());
    measure("match 2 KB paste, shipped knowledge base", &shipped, &text, iterations);

    let started = Instant::now();
    let synthetic = Matcher::new(synthetic_kb(2_000)).expect("compiles");
    println!(
        "synthetic knowledge base: 2000 entries (10000 signatures), compiled in {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    measure("match 2 KB paste, synthetic 2,000-entry knowledge base", &synthetic, &text, iterations);
}
