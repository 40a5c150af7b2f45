//! The check runner with probes supplied by the test: the concurrency cap, per-check timeouts,
//! panics and failures as `error` results, streaming, cancellation, and skips.

use bts_doctor::checks::runner::{run_with, Job, RunOptions};
use bts_doctor::checks::{RunEvent, Status, Verdict};
use bts_doctor::kb::check_spec::parse_check;
use bts_doctor::kb::{CheckSpec, KnowledgeBase, Origin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

fn spec(id: &str, extra: &str) -> CheckSpec {
    let text = format!(
        "id: {id}\ntitle: {id} title\nprobe:\n  kind: tcp\n  host: example.invalid\n  port: 1\nseverity: error\nissue: msdtc-rpc-server-unavailable\nfix_step: 2\n{extra}"
    );
    parse_check(&text, Origin { layer: "test".into(), file: format!("{id}.yaml"), line: 0 }).expect("test spec parses")
}

fn kb() -> Arc<KnowledgeBase> {
    Arc::new(KnowledgeBase::embedded().expect("embedded knowledge loads"))
}

/// A job without a SQL Server.
fn job(specs: Vec<CheckSpec>, concurrency: usize, timeout_ms: u64) -> Job {
    let options =
        RunOptions { concurrency, default_timeout: Duration::from_millis(timeout_ms), ..RunOptions::default() };
    Job { kb: kb(), specs, target: None, options }
}

// The paused clock moves only when every task is idle, so the hang times out after the others
// finished, whatever the machine's load.
#[tokio::test(start_paused = true)]
async fn hangs_time_out_panics_and_misses_become_results_and_the_rest_still_pass() {
    let specs = vec![spec("t-pass", ""), spec("t-hang", ""), spec("t-panic", ""), spec("t-miss", "")];
    let (tx, mut rx) = mpsc::unbounded_channel();
    let results = run_with(job(specs, 4, 300), tx, CancellationToken::new(), |spec, _| async move {
        match spec.id.as_str() {
            "t-hang" => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                Verdict::Pass("never".into())
            }
            "t-panic" => panic!("probe exploded"),
            "t-miss" => Verdict::Miss("port closed".into()),
            _ => Verdict::Pass("fine".into()),
        }
    })
    .await;
    let by_id = |id: &str| results.iter().find(|r| r.id == id).expect(id);
    assert_eq!(results.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["t-pass", "t-hang", "t-panic", "t-miss"]);
    assert_eq!(by_id("t-pass").status, Status::Pass);
    assert_eq!(by_id("t-pass").fix, None, "a pass carries no fix");
    let hang = by_id("t-hang");
    assert_eq!(hang.status, Status::Error);
    assert!(hang.detail.contains("no answer within"), "{}", hang.detail);
    let panic = by_id("t-panic");
    assert_eq!(panic.status, Status::Error);
    assert!(panic.detail.contains("probe exploded"), "{}", panic.detail);
    let miss = by_id("t-miss");
    assert_eq!(miss.status, Status::Fail, "error severity makes a miss a failure");
    assert_eq!(miss.issue_id.as_deref(), Some("msdtc-rpc-server-unavailable"));
    let fix = miss.fix.as_deref().expect("a failure names its fix step");
    assert!(fix.starts_with("Check name resolution"), "fix_step 2 of the entry: {fix}");

    let mut started = 0;
    let mut finished = Vec::new();
    while let Ok(event) = rx.try_recv() {
        match event {
            RunEvent::Started(_) => started += 1,
            RunEvent::Finished(r) => finished.push(r.id),
        }
    }
    assert_eq!(started, 4);
    assert_eq!(finished.len(), 4);
    assert_eq!(finished.last().map(String::as_str), Some("t-hang"), "results stream in the order they finish");
}

// The paused clock: all three first probes are asleep at once before any of them wakes.
#[tokio::test(start_paused = true)]
async fn no_more_than_the_cap_run_at_once() {
    let specs: Vec<CheckSpec> = (0..8).map(|i| spec(&format!("t-cap-{i}"), "")).collect();
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (tx, _rx) = mpsc::unbounded_channel();
    let (r, p) = (running.clone(), peak.clone());
    let results = run_with(job(specs, 3, 5_000), tx, CancellationToken::new(), move |_, _| {
        let (running, peak) = (r.clone(), p.clone());
        async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(40)).await;
            running.fetch_sub(1, Ordering::SeqCst);
            Verdict::Pass("ok".into())
        }
    })
    .await;
    assert!(results.iter().all(|r| r.status == Status::Pass));
    assert_eq!(peak.load(Ordering::SeqCst), 3, "the cap is reached and never passed");
}

/// Cancels when the quick check's result has streamed out: synchronised on the event, not on
/// a clock, so the quick check has always finished and the others never do, whatever the load.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_stops_waiting_and_skips_what_did_not_finish() {
    let specs = vec![spec("t-quick", ""), spec("t-slow", ""), spec("t-queued", "")];
    let cancel = CancellationToken::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let trigger = cancel.clone();
    let watcher = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Some(event) = rx.recv().await {
            if matches!(&event, RunEvent::Finished(r) if r.id == "t-quick") {
                trigger.cancel();
            }
            seen.push(event);
        }
        seen
    });
    let never = Arc::new(tokio::sync::Notify::new());
    // Room for all three (tasks take their places in any order): only t-quick can finish.
    let results = run_with(job(specs, 3, 60_000), tx, cancel, move |spec, _| {
        let never = never.clone();
        async move {
            if spec.id != "t-quick" {
                never.notified().await;
            }
            Verdict::Pass("done".into())
        }
    })
    .await;
    assert_eq!(results[0].status, Status::Pass);
    for r in &results[1..] {
        assert_eq!((r.status, r.detail.as_str()), (Status::Skipped, "cancelled"), "{}", r.id);
    }
    let events = watcher.await.unwrap();
    let finished: Vec<&str> =
        events.iter().filter_map(|e| if let RunEvent::Finished(r) = e { Some(r.id.as_str()) } else { None }).collect();
    assert_eq!(finished.len(), 3, "every check reports its end exactly once: {finished:?}");
}

/// A check still waiting for its turn when the run is cancelled never starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_waiting_for_its_turn_never_starts_after_a_cancel() {
    let specs = vec![spec("t-hold", ""), spec("t-waiting", "")];
    let cancel = CancellationToken::new();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let trigger = cancel.clone();
    // One place: the first check to start holds it for ever; cancel once it has started.
    let watcher = tokio::spawn(async move {
        let mut started = Vec::new();
        while let Some(event) = rx.recv().await {
            if let RunEvent::Started(id) = &event {
                started.push(id.clone());
                trigger.cancel();
            }
        }
        started
    });
    let never = Arc::new(tokio::sync::Notify::new());
    let results = run_with(job(specs, 1, 60_000), tx, cancel, move |_, _| {
        let never = never.clone();
        async move {
            never.notified().await;
            Verdict::Pass("done".into())
        }
    })
    .await;
    assert!(results.iter().all(|r| r.status == Status::Skipped && r.detail == "cancelled"), "{results:?}");
    let started = watcher.await.unwrap();
    assert_eq!(started.len(), 1, "the one waiting for the place never started: {started:?}");
}

#[tokio::test]
async fn sql_checks_without_a_connection_and_other_platforms_are_skipped_with_the_reason() {
    let sql = parse_check(
        "id: t-sql\ntitle: t\nprobe:\n  kind: sql-server-version\nexpect:\n  min_version: \"12.0.4100\"\nseverity: blocker\nissue: sql-upgrade-sql-server-first\n",
        Origin { layer: "test".into(), file: "t.yaml".into(), line: 0 },
    )
    .unwrap();
    let elsewhere = spec("t-elsewhere", if cfg!(windows) { "platforms: [linux]\n" } else { "platforms: [windows]\n" });
    let (tx, _rx) = mpsc::unbounded_channel();
    let results = run_with(job(vec![sql, elsewhere], 2, 1_000), tx, CancellationToken::new(), |_, _| async {
        Verdict::error("a skipped check must not be probed")
    })
    .await;
    assert_eq!(results[0].status, Status::Skipped);
    assert!(results[0].detail.starts_with("no SQL connection given"), "{}", results[0].detail);
    assert_eq!(results[1].status, Status::Skipped);
    assert!(results[1].detail.starts_with("not applicable on "), "{}", results[1].detail);
    assert_eq!(results[0].issue_id.as_deref(), Some("sql-upgrade-sql-server-first"));
}
