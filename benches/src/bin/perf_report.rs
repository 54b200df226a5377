//! `perf-report`: the side-by-side performance report of osirix-sdk against the emulator over loopback.
//!
//! ```text
//! cargo run --release -p benches --bin perf-report [-- --json] [-- --quick]
//! ```
//!
//! Measures, in one run on one machine: the typed uncached call against the raw generated tonic client on the
//! same RPC (interleaved calls), a cache hit against the uncached call, the RPCs behind 1 000 concurrent
//! identical cold reads, `summary()` against the same accessors awaited one by one, and a database walk cold
//! and warm (normal and serial emulator), with the RPC count of the same walk done the way pyosirix does it.
//! Prints a table with every target and whether it is met, or with `--json` one JSON object with one number per
//! key. Progress goes to stderr.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use benches::{
    CALL_RPC, CALL_SPEC, COALESCED_READS, QUICK_WALK_SPEC, Server, WALK_SPEC, WalkTotals,
    cached_client, client_runtime, first_series, median, raw_client, raw_modality,
    sequential_summary, timed, uncached_client, walk, walk_client, walk_naive,
};
use futures_util::future::join_all;
use osirix_emulator::demo::DemoSpec;
use tokio::runtime::Runtime;

/// How much to measure.
struct Sizes {
    /// Interleaved (raw, typed, hit batch) triples.
    call_rounds: usize,
    /// Cache hits per timed batch (a hit is too short to time alone).
    hit_batch: u32,
    /// Interleaved (concurrent, sequential) summary pairs, per emulator mode.
    fanout_runs: usize,
    /// Rounds of 1 000 cold reads.
    coalesce_rounds: usize,
    /// Cold walks per emulator mode, each followed by `warm_per_cold` warm walks.
    walk_runs: usize,
    warm_per_cold: usize,
    walk_spec: DemoSpec,
    /// Interleaved (SDK volume, raw loop) pairs.
    volume_runs: usize,
}

const FULL: Sizes = Sizes {
    call_rounds: 3000,
    hit_batch: 100,
    fanout_runs: 100,
    coalesce_rounds: 10,
    walk_runs: 5,
    warm_per_cold: 3,
    walk_spec: WALK_SPEC,
    volume_runs: 20,
};

const QUICK: Sizes = Sizes {
    call_rounds: 500,
    hit_batch: 100,
    fanout_runs: 30,
    coalesce_rounds: 3,
    walk_runs: 3,
    warm_per_cold: 3,
    walk_spec: QUICK_WALK_SPEC,
    volume_runs: 5,
};

/// The volume measurements' database: one frame of 40 slices of 256 × 256 pixels.
const VOLUME_SPEC: DemoSpec = DemoSpec {
    studies: 1,
    series_per_study: 1,
    images_per_series: 40,
    image_size: 256,
    ..DemoSpec::DEFAULT
};

/// A target on one number.
#[derive(Clone, Copy)]
enum Target {
    AtMost(f64),
    AtLeast(f64),
    Exactly(f64),
}

impl Target {
    fn met(self, value: f64) -> bool {
        match self {
            Target::AtMost(t) => value <= t,
            Target::AtLeast(t) => value >= t,
            Target::Exactly(t) => value == t,
        }
    }

    fn describe(self) -> String {
        match self {
            Target::AtMost(t) => format!("<= {t}"),
            Target::AtLeast(t) => format!(">= {t}"),
            Target::Exactly(t) => format!("= {t}"),
        }
    }
}

/// One reported number.
struct Metric {
    key: &'static str,
    value: f64,
    target: Option<Target>,
    what: String,
}

#[derive(Default)]
struct Report {
    metrics: Vec<Metric>,
    details: Vec<Metric>,
}

impl Report {
    fn metric(
        &mut self,
        key: &'static str,
        value: f64,
        target: Option<Target>,
        what: impl Into<String>,
    ) {
        self.metrics.push(Metric {
            key,
            value,
            target,
            what: what.into(),
        });
    }

    fn detail(&mut self, key: &'static str, value: f64, what: impl Into<String>) {
        self.details.push(Metric {
            key,
            value,
            target: None,
            what: what.into(),
        });
    }
}

fn main() -> ExitCode {
    let mut json = false;
    let mut quick = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json = true,
            "--quick" => quick = true,
            "-h" | "--help" => {
                println!("usage: perf-report [--json] [--quick]");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("perf-report: unknown argument {other:?} (expected --json, --quick)");
                return ExitCode::from(2);
            }
        }
    }
    let sizes = if quick { &QUICK } else { &FULL };
    let rt = client_runtime();
    let mut report = Report::default();

    let server = Server::start(CALL_SPEC);
    progress("per-call latency: raw tonic, typed uncached, cache hit (interleaved)");
    calls(&rt, &server, sizes, &mut report);
    progress("coalescing: 1000 concurrent identical cold reads");
    coalescing(&rt, &server, sizes, &mut report);
    progress("fan-out: summary() against the accessors one by one, cache disabled");
    fanout(&rt, &server, sizes, &mut report);
    drop(server);

    progress("volume: ViewerController::volume against a raw loop of DCMPixImage (interleaved)");
    let server = Server::start(VOLUME_SPEC);
    volumes(&rt, &server, sizes, &mut report);
    drop(server);

    let spec = sizes.walk_spec;
    let files = spec.studies * spec.series_per_study * spec.images_per_series;
    progress(&format!("generating the walk database ({files} files)"));
    let started = Instant::now();
    let server = Server::start(spec);
    report.detail(
        "walk_db_setup_s",
        started.elapsed().as_secs_f64(),
        "generating and loading the walk database, s",
    );
    progress("database walk: cold, warm, naive");
    walks(&rt, &server, sizes, &mut report);
    drop(server);

    if json {
        let object: serde_json::Map<String, serde_json::Value> = report
            .metrics
            .iter()
            .chain(&report.details)
            .map(|m| (m.key.to_owned(), json_number(m.value)))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&object).expect("a map of numbers serializes")
        );
    } else {
        print_table(&report, quick, spec, files);
    }
    ExitCode::SUCCESS
}

fn progress(message: &str) {
    eprintln!("perf-report: {message}");
}

/// Counts as integers; ratios and timings with four decimals, which is plenty.
fn json_number(value: f64) -> serde_json::Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        serde_json::Value::from(value as i64)
    } else {
        serde_json::Value::from((value * 10_000.0).round() / 10_000.0)
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

/// `uncached_over_raw` and `hit_speedup`: the same RPC (`DicomSeriesModality`, same series) through the raw
/// tonic client, the typed client without cache, and the typed client's cache, in rotating order.
fn calls(rt: &Runtime, server: &Server, sizes: &Sizes, report: &mut Report) {
    let url = server.url();
    let (mut raw, uncached, cached) = rt.block_on(async {
        (
            raw_client(&url).await,
            uncached_client(&url).await,
            cached_client(&url).await,
        )
    });
    let typed_series = rt.block_on(first_series(&uncached));
    let hit_series = rt.block_on(first_series(&cached));
    let uid = typed_series.uid().to_owned();
    let batch = sizes.hit_batch;
    let (raw_times, typed_times, hit_times) = rt.block_on(async {
        let (mut raw_times, mut typed_times, mut hit_times) = (Vec::new(), Vec::new(), Vec::new());
        let warmup = sizes.call_rounds / 10;
        for round in 0..warmup + sizes.call_rounds {
            let mut one = [Duration::ZERO; 3];
            for step in 0..3 {
                let which = (round + step) % 3;
                one[which] = match which {
                    0 => timed(raw_modality(&mut raw, &uid)).await.0,
                    1 => timed(typed_series.modality()).await.0,
                    _ => {
                        let (elapsed, ()) = timed(async {
                            for _ in 0..batch {
                                std::hint::black_box(
                                    hit_series.modality().await.expect("cache hit"),
                                );
                            }
                        })
                        .await;
                        elapsed / batch
                    }
                };
            }
            if round >= warmup {
                raw_times.push(one[0]);
                typed_times.push(one[1]);
                hit_times.push(one[2]);
            }
        }
        (raw_times, typed_times, hit_times)
    });
    let (mut raw_times, mut typed_times, mut hit_times) = (raw_times, typed_times, hit_times);
    let (raw_med, typed_med, hit_med) = (
        median(&mut raw_times),
        median(&mut typed_times),
        median(&mut hit_times),
    );
    let n = sizes.call_rounds;
    report.metric(
        "uncached_over_raw",
        ratio(typed_med, raw_med),
        Some(Target::AtMost(1.10)),
        format!("typed uncached / raw tonic {CALL_RPC}, medians of {n} interleaved calls each"),
    );
    report.metric(
        "hit_speedup",
        ratio(typed_med, hit_med),
        Some(Target::AtLeast(100.0)),
        "typed uncached / cache hit, medians",
    );
    report.detail(
        "raw_call_us",
        micros(raw_med),
        format!("raw tonic {CALL_RPC}, median, µs"),
    );
    report.detail(
        "uncached_call_us",
        micros(typed_med),
        format!("typed uncached {CALL_RPC}, median, µs"),
    );
    report.detail(
        "hit_call_us",
        micros(hit_med),
        format!("cache hit, median of batches of {batch}, µs"),
    );
}

/// `volume_over_raw` and `volume_mb_per_s`: every slice of a viewer frame through `ViewerController::volume`
/// (uncached client: every call is an RPC) against the raw tonic client calling `DCMPixImage` slice after slice
/// into one buffer, interleaved, after one unmeasured run that has the emulator decode every file.
fn volumes(rt: &Runtime, server: &Server, sizes: &Sizes, report: &mut Report) {
    let url = server.url();
    let (raw, client) =
        rt.block_on(async { (raw_client(&url).await, uncached_client(&url).await) });
    let (viewer, uids) = rt.block_on(async {
        let series = first_series(&client).await;
        let browser = client.current_browser().await.expect("browser");
        let viewer = browser.open_viewer(&series).await.expect("viewer");
        let pix = viewer.pix_list(0).await.expect("pix list");
        let uids: Vec<String> = pix.iter().map(|p| p.uid().to_owned()).collect();
        (viewer, uids)
    });
    let raw_volume = |raw: &benches::RawClient| {
        let uids = &uids;
        let mut raw = raw.clone();
        async move {
            let mut data: Vec<f32> = Vec::new();
            for uid in uids {
                let request = osirix_sdk::proto::DcmPix {
                    osirixrpc_uid: uid.clone(),
                };
                let image = raw
                    .dcm_pix_image(request)
                    .await
                    .expect("DCMPixImage")
                    .into_inner();
                assert_eq!(
                    image.status.map(|s| s.status),
                    Some(1),
                    "DCMPixImage succeeds"
                );
                data.extend_from_slice(&image.image_data_float);
            }
            data
        }
    };
    let warm = rt.block_on(viewer.volume(0)).expect("volume");
    assert_eq!(rt.block_on(raw_volume(&raw)), warm.data, "the same pixels");
    let bytes = (warm.data.len() * size_of::<f32>()) as f64;
    let (mut sdk_times, mut raw_times) = (Vec::new(), Vec::new());
    for run in 0..sizes.volume_runs {
        for step in 0..2 {
            if (run + step) % 2 == 0 {
                let (elapsed, volume) = rt.block_on(timed(viewer.volume(0)));
                std::hint::black_box(volume.expect("volume"));
                sdk_times.push(elapsed);
            } else {
                let (elapsed, data) = rt.block_on(timed(raw_volume(&raw)));
                std::hint::black_box(data);
                raw_times.push(elapsed);
            }
        }
    }
    let (sdk, raw_med) = (median(&mut sdk_times), median(&mut raw_times));
    let slices = uids.len();
    report.metric(
        "volume_over_raw",
        ratio(sdk, raw_med),
        Some(Target::AtMost(1.0)),
        format!(
            "volume() / raw DCMPixImage loop, {slices} slices of 256 × 256, medians of {} each",
            sizes.volume_runs
        ),
    );
    report.metric(
        "volume_mb_per_s",
        bytes / 1e6 / sdk.as_secs_f64(),
        None,
        "volume() throughput, MB of f32 pixels per second, median",
    );
    report.detail("volume_ms", millis(sdk), "volume(), median, ms");
    report.detail(
        "raw_volume_ms",
        millis(raw_med),
        "raw DCMPixImage loop, median, ms",
    );
}

/// `coalesced_rpcs`: the RPCs the emulator served for 1 000 concurrent identical reads on an emptied cache, the
/// largest count over several rounds.
fn coalescing(rt: &Runtime, server: &Server, sizes: &Sizes, report: &mut Report) {
    let client = rt.block_on(cached_client(&server.url()));
    let series = rt.block_on(first_series(&client));
    let mut worst = 0;
    let mut times = Vec::new();
    for _ in 0..sizes.coalesce_rounds {
        server.emulator().reset_counters();
        let (elapsed, reads) = rt.block_on(timed(async {
            client.invalidate_all();
            join_all((0..COALESCED_READS).map(|_| series.modality())).await
        }));
        assert!(
            reads.iter().all(Result::is_ok),
            "every coalesced read succeeds"
        );
        worst = worst.max(server.emulator().calls(CALL_RPC));
        times.push(elapsed);
    }
    report.metric(
        "coalesced_rpcs",
        worst as f64,
        Some(Target::Exactly(1.0)),
        format!(
            "{CALL_RPC} RPCs served for {COALESCED_READS} concurrent identical cold reads (worst of {} rounds)",
            sizes.coalesce_rounds
        ),
    );
    report.detail(
        "coalesced_reads_ms",
        millis(median(&mut times)),
        format!("{COALESCED_READS} concurrent cold reads, median, ms"),
    );
}

/// `fanout_over_sequential`: `summary()` (eight RPCs at once) against the eight accessors awaited one by one,
/// cache disabled, interleaved; in normal mode (the target) and, for information, serial mode.
fn fanout(rt: &Runtime, server: &Server, sizes: &Sizes, report: &mut Report) {
    let client = rt.block_on(uncached_client(&server.url()));
    let series = rt.block_on(first_series(&client));
    for serial in [false, true] {
        server.emulator().set_serial(serial);
        let (mut concurrent, mut sequential) = rt.block_on(async {
            let (mut concurrent, mut sequential) = (Vec::new(), Vec::new());
            let warmup = sizes.fanout_runs / 10;
            for run in 0..warmup + sizes.fanout_runs {
                let (c, s) = if run % 2 == 0 {
                    let c = timed(series.summary()).await;
                    (c, timed(sequential_summary(&series)).await)
                } else {
                    let s = timed(sequential_summary(&series)).await;
                    (timed(series.summary()).await, s)
                };
                let (c, s) = (
                    (c.0, c.1.expect("summary")),
                    (s.0, s.1.expect("sequential summary")),
                );
                assert_eq!(c.1.modality, s.1.3, "both read the same series");
                if run >= warmup {
                    concurrent.push(c.0);
                    sequential.push(s.0);
                }
            }
            (concurrent, sequential)
        });
        let (c, s) = (median(&mut concurrent), median(&mut sequential));
        let n = sizes.fanout_runs;
        if serial {
            report.detail(
                "fanout_over_sequential_serial",
                ratio(c, s),
                "concurrent summary / sequential, serial emulator (one call at a time, like OsiriX), medians",
            );
            report.detail(
                "summary_concurrent_serial_us",
                micros(c),
                "summary(), serial emulator, median, µs",
            );
            report.detail(
                "summary_sequential_serial_us",
                micros(s),
                "8 accessors in sequence, serial emulator, median, µs",
            );
        } else {
            report.metric(
                "fanout_over_sequential",
                ratio(c, s),
                Some(Target::AtMost(0.5)),
                format!("concurrent summary / sequential, normal emulator, cache disabled, medians of {n} runs"),
            );
            report.detail(
                "summary_concurrent_us",
                micros(c),
                "summary(), normal emulator, median, µs",
            );
            report.detail(
                "summary_sequential_us",
                micros(s),
                "8 accessors in sequence, normal emulator, median, µs",
            );
        }
    }
    server.emulator().set_serial(false);

    // The transport's own fan-out, for comparison: eight raw tonic calls joined against eight in sequence. When
    // this ratio is near the SDK's, the SDK adds nothing to the cost of concurrent calls.
    let url = server.url();
    let raw = rt.block_on(raw_client(&url));
    let uid = series.uid().to_owned();
    let (mut concurrent, mut sequential) = rt.block_on(async {
        let (mut concurrent, mut sequential) = (Vec::new(), Vec::new());
        let warmup = sizes.fanout_runs / 10;
        for run in 0..warmup + sizes.fanout_runs {
            let joined = || {
                join_all((0..8).map(|_| {
                    let mut raw = raw.clone();
                    let uid = uid.clone();
                    async move { raw_modality(&mut raw, &uid).await }
                }))
            };
            let in_sequence = || async {
                let mut raw = raw.clone();
                for _ in 0..8 {
                    raw_modality(&mut raw, &uid).await;
                }
            };
            let (c, s) = if run % 2 == 0 {
                let c = timed(joined()).await.0;
                (c, timed(in_sequence()).await.0)
            } else {
                let s = timed(in_sequence()).await.0;
                (timed(joined()).await.0, s)
            };
            if run >= warmup {
                concurrent.push(c);
                sequential.push(s);
            }
        }
        (concurrent, sequential)
    });
    report.detail(
        "raw_fanout_over_sequential",
        ratio(median(&mut concurrent), median(&mut sequential)),
        "baseline: 8 raw tonic calls joined / 8 in sequence, normal emulator, medians",
    );
}

/// `walk_warm_speedup`, `walk_rpcs_cold`, `walk_rpcs_naive`, and the serial-mode walk for information.
fn walks(rt: &Runtime, server: &Server, sizes: &Sizes, report: &mut Report) {
    let url = server.url();
    let (client, naive_client) =
        rt.block_on(async { (walk_client(&url).await, uncached_client(&url).await) });
    let emulator = server.emulator();

    emulator.reset_counters();
    client.invalidate_all();
    let cold_totals = rt.block_on(walk(&client)).expect("cold walk");
    let rpcs_cold = emulator.total_calls();
    emulator.reset_counters();
    let warm_totals = rt.block_on(walk(&client)).expect("warm walk");
    let rpcs_warm = emulator.total_calls();
    assert_eq!(
        cold_totals, warm_totals,
        "the warm walk reads what the cold one read"
    );

    for serial in [false, true] {
        emulator.set_serial(serial);
        let (mut cold, mut warm) = (Vec::new(), Vec::new());
        for _ in 0..sizes.walk_runs {
            client.invalidate_all();
            let (elapsed, totals) = rt.block_on(timed(walk(&client)));
            check(totals.expect("cold walk"), cold_totals);
            cold.push(elapsed);
            for _ in 0..sizes.warm_per_cold {
                let (elapsed, totals) = rt.block_on(timed(walk(&client)));
                check(totals.expect("warm walk"), cold_totals);
                warm.push(elapsed);
            }
        }
        let (c, w) = (median(&mut cold), median(&mut warm));
        let runs = sizes.walk_runs;
        if serial {
            report.detail(
                "walk_warm_speedup_serial",
                ratio(c, w),
                "cold walk / warm walk, serial emulator, medians",
            );
            report.detail(
                "walk_cold_serial_ms",
                millis(c),
                "cold walk, serial emulator, median, ms",
            );
            report.detail(
                "walk_warm_serial_ms",
                millis(w),
                "warm walk, serial emulator, median, ms",
            );
        } else {
            report.metric(
                "walk_warm_speedup",
                ratio(c, w),
                Some(Target::AtLeast(100.0)),
                format!(
                    "cold walk / warm walk, normal emulator, medians of {runs} cold and {} warm",
                    runs * sizes.warm_per_cold
                ),
            );
            report.detail(
                "walk_cold_ms",
                millis(c),
                "cold walk, normal emulator, median, ms",
            );
            report.detail(
                "walk_warm_ms",
                millis(w),
                "warm walk, normal emulator, median, ms",
            );
        }
    }
    emulator.set_serial(false);

    emulator.reset_counters();
    let (naive_time, naive_totals) = rt.block_on(timed(walk_naive(&naive_client)));
    check(naive_totals.expect("naive walk"), cold_totals);
    let rpcs_naive = emulator.total_calls();

    report.metric(
        "walk_rpcs_cold",
        rpcs_cold as f64,
        None,
        "RPCs served for the cold walk (cache, coalescing, no pings)",
    );
    report.metric(
        "walk_rpcs_naive",
        rpcs_naive as f64,
        None,
        "RPCs served for the same walk done as pyosirix does (version() ping before every call, no cache)",
    );
    report.detail(
        "walk_rpcs_warm",
        rpcs_warm as f64,
        "RPCs served for the warm walk (the browser's two calls)",
    );
    report.detail(
        "walk_naive_ms",
        millis(naive_time),
        "the naive walk (sequential, pinged, uncached), ms",
    );
    report.detail(
        "walk_images",
        cold_totals.images as f64,
        "images read by each walk",
    );
}

fn check(totals: WalkTotals, expected: WalkTotals) {
    assert_eq!(totals, expected, "every walk reads the same database");
}

fn print_table(report: &Report, quick: bool, spec: DemoSpec, files: usize) {
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "osirix-sdk performance report ({}; emulator over loopback; {cores} cores)",
        if quick { "--quick" } else { "full" }
    );
    println!(
        "walk database: {} studies x {} series x {} images = {files} files",
        spec.studies, spec.series_per_study, spec.images_per_series
    );
    println!();
    println!(
        "{:<24} {:>10}  {:<9} {:<4} what",
        "metric", "value", "target", "met"
    );
    println!("{}", "-".repeat(110));
    for m in &report.metrics {
        let (target, met) = match m.target {
            Some(t) => (t.describe(), if t.met(m.value) { "yes" } else { "NO" }),
            None => ("-".to_owned(), "-"),
        };
        println!(
            "{:<24} {:>10}  {:<9} {:<4} {}",
            m.key,
            format_value(m.value),
            target,
            met,
            m.what
        );
    }
    println!();
    println!("details");
    println!("{}", "-".repeat(110));
    for m in &report.details {
        println!("{:<30} {:>12}  {}", m.key, format_value(m.value), m.what);
    }
    let missed: Vec<_> = report
        .metrics
        .iter()
        .filter(|m| m.target.is_some_and(|t| !t.met(m.value)))
        .map(|m| m.key)
        .collect();
    println!();
    if missed.is_empty() {
        println!("every target met");
    } else {
        println!("targets missed: {}", missed.join(", "));
    }
}

fn format_value(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else if value.abs() >= 100.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.3}")
    }
}
