//! Runs checks concurrently on tokio: a cap on how many run at once, a hard timeout per check,
//! a panic or failure turned into an `error` result, results streamed as they finish, and
//! cancellation that leaves every unfinished check `skipped`.

use super::result::{CheckResult, Verdict};
use super::sql::{self, SqlTarget};
use super::{local, sql_probes};
use crate::kb::check_spec::{current_os_name, Probe};
use crate::kb::{CheckSpec, KnowledgeBase};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

/// Checks running at once unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// Seconds a check may take when its spec names no timeout.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Checks running at once (at least 1).
    pub concurrency: usize,
    /// Timeout for checks whose spec names none.
    pub default_timeout: Duration,
    /// What the run knows beyond the specs.
    pub context: CheckContext,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            concurrency: DEFAULT_CONCURRENCY,
            default_timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
            context: CheckContext::default(),
        }
    }
}

/// Facts a check may judge against that its spec cannot hold: the failure time the scanned
/// logs tell (a restore point must predate it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CheckContext {
    /// When the failed setup run started and failed.
    pub failure_time: Option<crate::logs::when::TimeRange>,
    /// The table of SQL Server and Windows releases the knowledge holds (filled by the runner).
    pub platforms: Option<crate::kb::matrix::Platforms>,
}

/// One run: which checks, against what, how.
#[derive(Debug, Clone)]
pub struct Job {
    /// The knowledge base the specs came from (for entry titles and fix steps).
    pub kb: Arc<KnowledgeBase>,
    /// The checks to run, in the order results come back.
    pub specs: Vec<CheckSpec>,
    /// The SQL Server, when there is one.
    pub target: Option<SqlTarget>,
    /// Concurrency and default timeout.
    pub options: RunOptions,
}

/// What the runner reports while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum RunEvent {
    /// A check has started (its spinner starts).
    Started(String),
    /// A check has finished.
    Finished(CheckResult),
}

/// Runs the job's checks against its target and the local machine. Events stream to `events`
/// (a closed receiver is fine); the results come back in the order of the job's specs.
pub async fn run(job: Job, events: mpsc::UnboundedSender<RunEvent>, cancel: CancellationToken) -> Vec<CheckResult> {
    let mut context = job.options.context.clone();
    if context.platforms.is_none() {
        context.platforms = job.kb.matrices().map(|m| m.platforms.clone());
    }
    let context = Arc::new(context);
    run_with(job, events, cancel, move |spec, target| {
        let context = context.clone();
        async move { probe(&spec, target.as_deref(), &context).await }
    })
    .await
}

/// [`run`] with the probe supplied by the caller: the seam that lets tests drive the runner
/// with probes that hang, fail or panic.
pub async fn run_with<F, Fut>(
    job: Job,
    events: mpsc::UnboundedSender<RunEvent>,
    cancel: CancellationToken,
    probe: F,
) -> Vec<CheckResult>
where
    F: Fn(CheckSpec, Option<Arc<SqlTarget>>) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Verdict> + Send + 'static,
{
    let Job { kb, specs, target, options } = job;
    let probe = Arc::new(probe);
    let mut results: Vec<Option<CheckResult>> = vec![None; specs.len()];
    let finish = |results: &mut Vec<Option<CheckResult>>, i: usize, result: CheckResult| {
        tracing::debug!(check = %result.id, status = result.status.as_str(), duration_ms = result.duration_ms, detail = %result.detail, "check finished");
        let _ = events.send(RunEvent::Finished(result.clone()));
        results[i] = Some(result);
    };

    // Decide what cannot run before anything starts.
    let mut runnable = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let skip = if !spec.applies_here() {
            Some(Verdict::NotApplicable(format!("not applicable on {}", current_os_name())))
        } else if spec.needs_sql() && target.is_none() {
            Some(Verdict::Skip(
                "no SQL connection given (use --sql, or run on a configured BizTalk server)".to_string(),
            ))
        } else {
            None
        };
        match skip {
            Some(verdict) => finish(&mut results, i, CheckResult::from_verdict(spec, verdict, &kb, 0)),
            None => runnable.push(i),
        }
    }

    // One login first: when it fails, every SQL check says why instead of timing out alone.
    let target = target.map(Arc::new);
    let mut gate: Option<Verdict> = None;
    if let Some(t) = &target {
        if runnable.iter().any(|&i| specs[i].probe.is_sql()) {
            let started = Instant::now();
            let gate_target = t.clone();
            let login_task = tokio::spawn(async move { sql::connect(&gate_target).await });
            let login = tokio::select! {
                _ = cancel.cancelled() => Err(Verdict::Skip("cancelled".into())),
                r = login_task => r.unwrap_or_else(|e| Err(Verdict::error(format!("the SQL login failed unexpectedly: {e}")))),
            };
            match login {
                Ok(client) => {
                    let _ = client.close().await;
                }
                Err(verdict) => {
                    let ms = started.elapsed().as_millis() as u64;
                    // With the connection check in the run, it carries the error and the rest
                    // are skipped; without it, each SQL check reports the error itself.
                    let connection_reported = runnable.iter().any(|&i| specs[i].probe == Probe::SqlConnection {});
                    for &i in runnable.iter().filter(|&&i| specs[i].probe.is_sql()) {
                        let verdict = match (&specs[i].probe, &verdict) {
                            // The connection check establishes that the login fails: a failure.
                            (Probe::SqlConnection {}, Verdict::Error { detail, issue }) => {
                                Verdict::MissExplained { detail: detail.clone(), issue: issue.clone() }
                            }
                            (Probe::SqlConnection {}, v) => v.clone(),
                            (_, Verdict::Error { .. }) if connection_reported => {
                                Verdict::Skip("not run: the SQL connection failed (see sql-connection)".into())
                            }
                            (_, Verdict::Error { detail, issue }) => Verdict::Error {
                                detail: format!("not run: the SQL connection failed ({detail})"),
                                issue: issue.clone(),
                            },
                            (_, other) => other.clone(),
                        };
                        finish(&mut results, i, CheckResult::from_verdict(&specs[i], verdict, &kb, ms));
                    }
                    gate = Some(verdict);
                }
            }
        }
    }
    if gate.is_some() {
        runnable.retain(|&i| !specs[i].probe.is_sql());
    }

    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(usize, CheckResult)>();
    for &i in &runnable {
        let spec = specs[i].clone();
        let (kb, target, limit, done, events, cancel, probe) =
            (kb.clone(), target.clone(), limit.clone(), done_tx.clone(), events.clone(), cancel.clone(), probe.clone());
        let timeout = spec.timeout_secs.map_or(options.default_timeout, Duration::from_secs);
        tokio::spawn(async move {
            // A check still waiting for its turn when the run is cancelled never starts; the
            // runner marks it cancelled once every task has ended.
            let _permit = tokio::select! {
                biased;
                _ = cancel.cancelled() => return,
                permit = limit.acquire() => match permit {
                    Ok(p) => p,
                    Err(_) => return,
                },
            };
            let _ = events.send(RunEvent::Started(spec.id.clone()));
            let started = Instant::now();
            let mut task = tokio::spawn(probe(spec.clone(), target));
            let verdict = tokio::select! {
                _ = cancel.cancelled() => {
                    task.abort();
                    Verdict::Skip("cancelled".into())
                }
                joined = tokio::time::timeout(timeout, &mut task) => match joined {
                    Ok(Ok(verdict)) => verdict,
                    Ok(Err(e)) if e.is_panic() => Verdict::error(format!("the probe failed unexpectedly: {}", panic_text(e.into_panic()))),
                    Ok(Err(_)) => Verdict::Skip("cancelled".into()),
                    Err(_) => {
                        task.abort();
                        Verdict::error(format!("no answer within {}s; the check was abandoned", timeout.as_secs()))
                    }
                },
            };
            let result = CheckResult::from_verdict(&spec, verdict, &kb, started.elapsed().as_millis() as u64);
            let _ = done.send((i, result));
        });
    }
    drop(done_tx);

    // Every task ends promptly once the token is cancelled (a running probe is aborted, a waiting
    // one never starts), so the channel closes by itself: no grace period, no timing.
    while let Some((i, result)) = done_rx.recv().await {
        finish(&mut results, i, result);
    }
    let mut out = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        match results[i].take() {
            Some(r) => out.push(r),
            None => {
                let r = CheckResult::from_verdict(spec, Verdict::Skip("cancelled".into()), &kb, 0);
                let _ = events.send(RunEvent::Finished(r.clone()));
                out.push(r);
            }
        }
    }
    out
}

/// The order checks are shown and run in: the SQL connection first, then the other SQL checks,
/// then this computer's, each group by id.
pub fn display_order(specs: &mut [CheckSpec]) {
    specs.sort_by_key(|s| {
        let group = match (&s.probe, s.needs_sql()) {
            (Probe::SqlConnection {}, _) => 0,
            (_, true) if s.probe.is_sql() => 1,
            (_, true) => 2,
            _ => 3,
        };
        (group, s.id.clone())
    });
}

/// One probe, SQL or local. SQL probes open their own connection, so abandoning one (a
/// timeout) never leaves another with a half-read stream.
async fn probe(spec: &CheckSpec, target: Option<&SqlTarget>, context: &CheckContext) -> Verdict {
    if !spec.probe.is_sql() {
        // A named instance without a port listens where the SQL Server Browser says.
        let host =
            target.map(|t| (t.host(), t.explicit_port().or(if t.instance().is_some() { None } else { Some(1433) })));
        return local::run(&spec.probe, &spec.expect, host.as_ref().map(|(h, p)| (h.as_str(), *p))).await;
    }
    let Some(target) = target else { return Verdict::Skip("no SQL connection given".into()) };
    let mut client = match sql::connect(target).await {
        Ok(c) => c,
        Err(v) => return v,
    };
    let limit = Duration::from_secs(target.query_timeout_secs);
    let verdict = sql_probes::run(&spec.probe, &spec.expect, spec.severity, &mut client, limit, context).await;
    let _ = client.close().await;
    match verdict {
        Verdict::Error { detail, issue } => Verdict::Error { detail: target.hide(&detail), issue },
        other => other,
    }
}

/// The message a panic carried.
fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

/// Runs checks to completion on a runtime of its own (for the CLI and the TUI's worker
/// thread), streaming events to `events`.
pub fn run_blocking(
    job: Job,
    events: mpsc::UnboundedSender<RunEvent>,
    cancel: CancellationToken,
) -> Result<Vec<CheckResult>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the check runtime: {e}"))?;
    Ok(runtime.block_on(run(job, events, cancel)))
}
