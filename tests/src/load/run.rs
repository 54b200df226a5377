//! The run itself: the tasks making the calls, the controller injecting faults (drops, a restart), and the
//! checks for leaked connections and tasks once the client is gone.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use osirix_emulator::demo::generate;
use osirix_emulator::{Catalog, Emulator, EmulatorBuilder, RunningEmulator};
use osirix_sdk::Client;

use super::config::{FaultPlan, LoadConfig};
use super::ops::{Check, OPS, Records};
use super::recorder::WireRecorder;
use super::report::{LoadReport, describe, error_kind, established_connections, proc_status_kib};

/// What one task brings back.
#[derive(Default)]
struct TaskResult {
    ok: u64,
    wrong: u64,
    lost: u64,
    late: u64,
    unnamed: u64,
    errors: BTreeMap<String, u64>,
    error_examples: BTreeMap<String, u64>,
    wrong_examples: Vec<String>,
    latencies: Vec<Duration>,
}

/// Makes `calls` calls and checks them.
async fn task(
    client: Client,
    catalog: Arc<Catalog>,
    calls: usize,
    seed: u64,
    hang_deadline: Duration,
    error_deadline: Option<Duration>,
    done: Arc<AtomicUsize>,
) -> TaskResult {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut result = TaskResult {
        latencies: Vec::with_capacity(calls),
        ..TaskResult::default()
    };
    for _ in 0..calls {
        let op = &OPS[rng.usize(..OPS.len())];
        let records = Records {
            client: &client,
            catalog: &catalog,
            series: &catalog.series()[rng.usize(..catalog.series().len())],
            study: &catalog.studies()[rng.usize(..catalog.studies().len())],
            image: &catalog.images()[rng.usize(..catalog.images().len())],
        };
        let started = Instant::now();
        let outcome = tokio::time::timeout(hang_deadline, (op.check)(&records)).await;
        let took = started.elapsed();
        result.latencies.push(took);
        match outcome {
            Ok(Check::Right) => result.ok += 1,
            Ok(Check::Wrong(got, expected)) => {
                result.wrong += 1;
                if result.wrong_examples.len() < 5 {
                    result
                        .wrong_examples
                        .push(format!("{}: got {got}, expected {expected}", op.rpc));
                }
            }
            Ok(Check::Failed(err)) => {
                let kind = error_kind(&err);
                *result.errors.entry(kind.clone()).or_default() += 1;
                *result.error_examples.entry(describe(&err)).or_default() += 1;
                if error_deadline.is_some_and(|limit| took > limit + Duration::from_secs(2)) {
                    result.late += 1;
                }
                if err.rpc() != Some(op.rpc) {
                    result.unnamed += 1;
                }
            }
            Err(_) => result.lost += 1,
        }
        done.fetch_add(1, Ordering::Relaxed);
    }
    result
}

/// What the controller measured.
#[derive(Debug, Default)]
struct Figures {
    connections_peak: usize,
    drops: u32,
    restarts: u32,
    server_calls_before: u64,
    restart_gap: Option<Duration>,
}

/// Keeps the emulator running under the fault plan until `stop`, sampling connections; returns the emulator.
#[allow(clippy::too_many_arguments)]
async fn controller(
    mut emulator: RunningEmulator,
    builder: EmulatorBuilder,
    addr: SocketAddr,
    plan: Option<FaultPlan>,
    total: usize,
    done: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    figures: Arc<Mutex<Figures>>,
) -> RunningEmulator {
    let figures = |f: &mut dyn FnMut(&mut Figures)| {
        f(&mut figures.lock().unwrap_or_else(PoisonError::into_inner))
    };
    let tick = Duration::from_millis(5);
    let mut drops_done = 0u32;
    let mut restarted = false;
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(tick).await;
        let connections = established_connections(addr.port());
        figures(&mut |f| f.connections_peak = f.connections_peak.max(connections));
        let Some(plan) = &plan else { continue };
        let progress = done.load(Ordering::Relaxed) as f64 / total.max(1) as f64;
        let next_drop = f64::from(drops_done + 1) / f64::from(plan.drops + 1);
        if drops_done < plan.drops && progress >= next_drop {
            emulator.faults().drop_connections();
            drops_done += 1;
            figures(&mut |f| f.drops += 1);
        }
        if !restarted && plan.restart_at.is_some_and(|at| progress >= at) {
            restarted = true;
            let calls = emulator.total_calls();
            let down = Instant::now();
            emulator.shutdown().await.expect("the emulator stops");
            emulator = builder
                .clone()
                .start(addr)
                .await
                .expect("the emulator restarts on the same address");
            plan.apply(&emulator);
            let gap = down.elapsed();
            figures(&mut |f| {
                f.server_calls_before += calls;
                f.restarts += 1;
                f.restart_gap = Some(gap);
            });
        }
    }
    emulator
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Runs the load described by `config` and returns its figures. Must run inside a multi-threaded tokio runtime.
///
/// # Panics
/// When the database cannot be generated or the emulator cannot start (or restart on its address).
pub async fn run(config: &LoadConfig) -> LoadReport {
    let rss_before_kib = proc_status_kib("VmRSS");
    let dir = tempfile::tempdir().expect("temporary folder");
    let catalog = Arc::new(generate(dir.path(), &config.spec).expect("demo database"));
    let builder = Emulator::builder(catalog.clone()).serial(config.serial);
    let emulator = builder
        .clone()
        .start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator starts");
    let addr = emulator.addr();
    if let Some(plan) = &config.faults {
        plan.apply(&emulator);
    }
    let metrics = tokio::runtime::Handle::current().metrics();
    let tasks_before = metrics.num_alive_tasks();

    let recorder = WireRecorder::new();
    let client = Client::builder(emulator.url())
        .retry(config.retry.clone())
        .timeouts(config.timeouts)
        .cache(config.cache.clone())
        .layer(recorder.layer())
        .connect_lazy()
        .expect("client builds");

    let done = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let figures = Arc::new(Mutex::new(Figures::default()));
    let control = tokio::spawn(controller(
        emulator,
        builder,
        addr,
        config.faults.clone(),
        config.calls,
        done.clone(),
        stop.clone(),
        figures.clone(),
    ));

    let started = Instant::now();
    let per_task = config.calls / config.tasks;
    let extra = config.calls % config.tasks;
    let hang_deadline = config.hang_deadline();
    let handles: Vec<_> = (0..config.tasks)
        .map(|t| {
            let calls = per_task + usize::from(t < extra);
            let seed = config.seed.wrapping_mul(1_000_003).wrapping_add(t as u64);
            tokio::spawn(task(
                client.clone(),
                catalog.clone(),
                calls,
                seed,
                hang_deadline,
                config.timeouts.call(),
                done.clone(),
            ))
        })
        .collect();
    let mut report = LoadReport {
        label: config.label.clone(),
        calls: config.calls as u64,
        tasks_before,
        ..LoadReport::default()
    };
    let mut latencies = Vec::with_capacity(config.calls);
    for (t, handle) in handles.into_iter().enumerate() {
        match handle.await {
            Ok(r) => {
                report.ok += r.ok;
                report.wrong += r.wrong;
                report.lost += r.lost;
                report.late_errors += r.late;
                report.unnamed_errors += r.unnamed;
                for (kind, n) in r.errors {
                    *report.errors.entry(kind).or_default() += n;
                }
                for (cause, n) in r.error_examples {
                    *report.error_causes.entry(cause).or_default() += n;
                }
                report.wrong_examples.extend(
                    r.wrong_examples
                        .into_iter()
                        .take(5usize.saturating_sub(report.wrong_examples.len())),
                );
                latencies.extend(r.latencies);
            }
            Err(_) => report.lost += (per_task + usize::from(t < extra)) as u64,
        }
    }
    report.elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let emulator = control.await.expect("the controller task ends");
    {
        let fig = figures.lock().unwrap_or_else(PoisonError::into_inner);
        report.connections_peak = fig.connections_peak;
        report.drops = fig.drops;
        report.restarts = fig.restarts;
        report.restart_gap = fig.restart_gap;
        report.server_calls = fig.server_calls_before + emulator.total_calls();
    }
    emulator.faults().clear();
    latencies.sort_unstable();
    report.p50 = percentile(&latencies, 0.50);
    report.p99 = percentile(&latencies, 0.99);
    report.max = latencies.last().copied().unwrap_or_default();
    report.attempts = recorder.attempts();
    client.sync_cache().await;
    report.cache = client.cache_stats();
    drop(client);

    // Leaks: every connection closes and every task of the client ends, within a deadline.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let connections = established_connections(addr.port());
        let tasks = metrics.num_alive_tasks();
        if (connections == 0 && tasks <= tasks_before) || Instant::now() >= deadline {
            report.connections_leaked = connections;
            report.tasks_leaked = tasks.saturating_sub(tasks_before);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    emulator.shutdown().await.expect("the emulator stops");
    report.rss_before_kib = rss_before_kib;
    report.rss_after_kib = proc_status_kib("VmRSS");
    report.peak_rss_kib = proc_status_kib("VmHWM");
    report
}
