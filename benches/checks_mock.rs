//! How long the live SQL checks take end to end: every SQL check of the embedded knowledge run
//! by the real runner, over real tiberius and TCP, against a TDS server on loopback serving a
//! healthy BizTalk group. Prints the median and p95 of whole runs (logins included).
//!
//! `cargo bench --bench checks_mock`

#[path = "../tests/support/mock_sql.rs"]
mod mock_sql;

use bts_doctor::checks::runner::{self, Job, RunOptions};
use bts_doctor::checks::sql::{SqlTarget, TargetSource};
use bts_doctor::checks::Status;
use bts_doctor::kb::KnowledgeBase;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

const RUNS: usize = 30;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mock = runtime.block_on(mock_sql::plaintext_mock(&mock_sql::healthy()));
    let kb = Arc::new(KnowledgeBase::embedded().unwrap());
    let specs: Vec<_> = kb.checks().iter().filter(|c| c.probe.is_sql()).cloned().collect();
    let conn = format!("Server=tcp:127.0.0.1,{};User ID=bench;Password=x;Encrypt=DANGER_PLAINTEXT", mock.addr.port());
    let target = SqlTarget::from_connection_string(&conn, TargetSource::ConnectionString).unwrap();
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let job =
            Job { kb: kb.clone(), specs: specs.clone(), target: Some(target.clone()), options: RunOptions::default() };
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let started = Instant::now();
        let results = runtime.block_on(runner::run(job, tx, CancellationToken::new()));
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(results.iter().all(|r| r.status == Status::Pass), "the healthy group passes");
    }
    times.sort_by(f64::total_cmp);
    let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{} SQL checks (each with its own login, {} at a time), {RUNS} runs: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        specs.len(),
        runner::DEFAULT_CONCURRENCY,
        p(0.5),
        p(0.95),
        p(1.0)
    );
}
