//! The full load and fault run of the SDK against the emulator, with its figures.
//!
//! ```text
//! cargo run --release -p tests --bin load            # 100 000 calls × 256 tasks per run
//! cargo run --release -p tests --bin load -- --quick # 10 000 calls × 64 tasks per run
//! cargo run --release -p tests --bin load -- --calls 50000 --tasks 128
//! ```
//!
//! Runs, each against a fresh emulator: normal mode, serial mode, normal mode with the client cache on, and
//! normal mode under faults (10 % `UNAVAILABLE`, 2 % latency spikes of 200 ms, every connection dropped once
//! per 10 000 calls, the emulator restarted half-way), all with the SDK's default retries (4 attempts, jittered backoff
//! from 100 ms). Exits with status 1 when a run misses the bar (see `LoadReport::problems`).

use std::process::ExitCode;

use osirix_sdk::CacheConfig;
use tests::load::{FaultPlan, LoadConfig, run};

fn usage() -> ExitCode {
    eprintln!("usage: load [--quick] [--calls N] [--tasks N]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut calls = 100_000usize;
    let mut tasks = 256usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => {
                calls = 10_000;
                tasks = 64;
            }
            "--calls" => match args.next().and_then(|v| v.parse().ok()) {
                Some(v) => calls = v,
                None => return usage(),
            },
            "--tasks" => match args.next().and_then(|v| v.parse().ok()) {
                Some(v) => tasks = v,
                None => return usage(),
            },
            _ => return usage(),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let label = |what: &str| format!("{what}: {calls} calls x {tasks} tasks");
    let plan = FaultPlan::standard(calls);
    let fault_label = format!(
        "{}, 10 % UNAVAILABLE, 2 % +200 ms spikes, every connection dropped {} times, restart at 50 %, \
         default retries",
        label("faults"),
        plan.drops
    );
    let runs = [
        (
            LoadConfig::new(label("normal mode, no cache"), calls, tasks),
            1.0,
        ),
        (
            LoadConfig::new(label("serial mode, no cache"), calls, tasks).serial(true),
            1.0,
        ),
        (
            LoadConfig::new(label("normal mode, default cache"), calls, tasks)
                .cache(CacheConfig::default()),
            1.0,
        ),
        (
            LoadConfig::new(fault_label, calls, tasks).faults(plan),
            0.999,
        ),
    ];
    println!(
        "osirix-sdk load run ({} logical CPUs)",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    let mut failed = false;
    for (config, min_success) in runs {
        let report = runtime.block_on(run(&config));
        println!("{report}");
        let problems = report.problems(min_success);
        if problems.is_empty() {
            println!("PASS\n");
        } else {
            failed = true;
            println!("FAIL: {}\n", problems.join("; "));
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
