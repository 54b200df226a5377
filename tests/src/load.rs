//! The load and fault run, shared by the `reliability` test target (a short run) and `src/bin/load.rs` (the
//! full run, `cargo run --release -p tests --bin load`).
//!
//! A run generates a demo database, serves it with the emulator, and has `tasks` concurrent tasks make
//! `calls` SDK calls in total through one client, each picking a pseudo-random accessor of a pseudo-random
//! study, series or image. Every answer is checked against the [`Catalog`] the emulator was built from; every
//! error is classified. Each call runs under an outer deadline (the client's call deadline plus a margin) so
//! that a hung call is counted as lost instead of hanging the run. Optional [`FaultPlan`]s inject failures,
//! latency spikes, dropped connections and a restart of the emulator on the same address mid-run.
//!
//! Afterwards the run checks for leaks: the client is dropped and the run waits (within a deadline) for the
//! emulator's side of every connection to close and for the runtime's task count to fall back to what it was
//! before the client existed.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::{Catalog, Emulator, EmulatorBuilder, RunningEmulator, WireDate};
use osirix_sdk::chrono::{NaiveDateTime, Timelike};
use osirix_sdk::{
    BoxError, BrowserController, CacheConfig, CacheStats, Client, DicomImage, DicomSeries,
    DicomStudy, Error, HttpService, RetryConfig, TimeoutConfig,
};
use tonic::body::Body;
use tower::{Layer, Service};

/// What a run does.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// A name for the report.
    pub label: String,
    /// Logical SDK calls in total.
    pub calls: usize,
    /// Concurrent tasks making them.
    pub tasks: usize,
    /// Serial mode of the emulator (one call at a time, like OsiriX's main thread).
    pub serial: bool,
    /// The client's response cache: off by default, so that every call goes on the wire.
    pub cache: CacheConfig,
    /// The size of the generated database.
    pub spec: DemoSpec,
    /// Faults to inject, if any.
    pub faults: Option<FaultPlan>,
    /// The client's retries (default: [`RetryConfig::default`]).
    pub retry: RetryConfig,
    /// The client's time limits.
    pub timeouts: TimeoutConfig,
    /// Seed of the tasks' choices.
    pub seed: u64,
}

impl LoadConfig {
    /// `calls` calls from `tasks` tasks, normal mode, no cache, no faults, default retries, a 4 × 4 × 8 database,
    /// and time limits of 10 s per attempt and 20 s per call.
    pub fn new(label: impl Into<String>, calls: usize, tasks: usize) -> Self {
        Self {
            label: label.into(),
            calls,
            tasks: tasks.max(1),
            serial: false,
            cache: CacheConfig::disabled(),
            spec: DemoSpec {
                studies: 4,
                series_per_study: 4,
                images_per_series: 8,
                seed: 7,
                ..DemoSpec::DEFAULT
            },
            faults: None,
            retry: RetryConfig::default(),
            timeouts: TimeoutConfig::default()
                .with_attempt(Some(Duration::from_secs(10)))
                .with_call(Some(Duration::from_secs(20))),
            seed: 1,
        }
    }

    /// Serial mode on or off.
    pub fn serial(mut self, serial: bool) -> Self {
        self.serial = serial;
        self
    }

    /// The client's cache.
    pub fn cache(mut self, cache: CacheConfig) -> Self {
        self.cache = cache;
        self
    }

    /// Faults to inject.
    pub fn faults(mut self, faults: FaultPlan) -> Self {
        self.faults = Some(faults);
        self
    }

    /// The client's retries.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// The client's time limits.
    pub fn timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The outer deadline of one call: the call deadline (or the attempt limit times the attempts) plus a
    /// margin. A call still running then is counted as lost.
    pub fn hang_deadline(&self) -> Duration {
        let attempts = self
            .timeouts
            .attempt()
            .map(|a| a * self.retry.max_attempts());
        let call = self
            .timeouts
            .call()
            .or(attempts)
            .unwrap_or(Duration::from_secs(120));
        call + Duration::from_secs(10)
    }
}

/// Faults injected during a run.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultPlan {
    /// Fraction of calls the emulator fails with `UNAVAILABLE`.
    pub fail_fraction: f64,
    /// Fraction of calls delayed by [`FaultPlan::spike`].
    pub spike_fraction: f64,
    /// The extra delay of a spike.
    pub spike: Duration,
    /// How many times every client connection is closed, at evenly spaced points of the run's progress.
    pub drops: u32,
    /// Restart the emulator (shutdown, then a new one on the same address) once this fraction of the calls has
    /// completed.
    pub restart_at: Option<f64>,
}

impl FaultPlan {
    /// The plan for a run of `calls` calls: 10 % of calls failing `UNAVAILABLE`, 2 % delayed by
    /// 200 ms, every connection dropped once per 10 000 calls (at least once), and a restart half-way.
    ///
    /// Drops are scaled to the run so that a short run has the full run's density of them: each one fails
    /// every call in flight at once, which a short run would otherwise feel far more than a long one.
    pub fn standard(calls: usize) -> Self {
        Self {
            fail_fraction: 0.10,
            spike_fraction: 0.02,
            spike: Duration::from_millis(200),
            drops: u32::try_from(calls / 10_000).unwrap_or(u32::MAX).max(1),
            restart_at: Some(0.5),
        }
    }

    fn apply(&self, emulator: &RunningEmulator) {
        let faults = emulator.faults();
        faults.fail_fraction(self.fail_fraction, tonic::Code::Unavailable);
        faults.latency_spikes(self.spike_fraction, self.spike);
    }
}

/// Counts the HTTP requests (attempts, retries included) the SDK sends and records their `authorization`
/// headers; install it with [`WireRecorder::layer`] on [`osirix_sdk::ClientBuilder::layer`].
#[derive(Debug, Default)]
pub struct WireRecorder {
    attempts: AtomicU64,
    authorization: Mutex<HashSet<String>>,
    paths: Mutex<HashSet<String>>,
}

impl WireRecorder {
    /// A new recorder.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The layer to pass to `ClientBuilder::layer`.
    pub fn layer(self: &Arc<Self>) -> RecorderLayer {
        RecorderLayer {
            recorder: self.clone(),
        }
    }

    /// HTTP requests sent so far.
    pub fn attempts(&self) -> u64 {
        self.attempts.load(Ordering::Relaxed)
    }

    /// The distinct `authorization` header values sent ("" for requests without one).
    pub fn authorizations(&self) -> HashSet<String> {
        self.authorization
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The distinct request paths sent.
    pub fn paths(&self) -> HashSet<String> {
        self.paths
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The tower layer of a [`WireRecorder`].
#[derive(Debug, Clone)]
pub struct RecorderLayer {
    recorder: Arc<WireRecorder>,
}

impl Layer<HttpService> for RecorderLayer {
    type Service = Recording;

    fn layer(&self, inner: HttpService) -> Recording {
        Recording {
            inner,
            recorder: self.recorder.clone(),
        }
    }
}

/// The service of a [`RecorderLayer`].
#[derive(Clone)]
pub struct Recording {
    inner: HttpService,
    recorder: Arc<WireRecorder>,
}

impl fmt::Debug for Recording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recording").finish_non_exhaustive()
    }
}

impl Service<http::Request<Body>> for Recording {
    type Response = http::Response<Body>;
    type Error = BoxError;
    type Future = <HttpService as Service<http::Request<Body>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let recorder = &self.recorder;
        recorder.attempts.fetch_add(1, Ordering::Relaxed);
        let authorization = request
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap_or("<not ascii>").to_owned());
        {
            let mut seen = recorder
                .authorization
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let value = authorization.unwrap_or_default();
            if !seen.contains(&value) {
                seen.insert(value);
            }
        }
        {
            let mut paths = recorder
                .paths
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !paths.contains(request.uri().path()) {
                paths.insert(request.uri().path().to_owned());
            }
        }
        self.inner.call(request)
    }
}

/// The figures of a run.
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// The run's label.
    pub label: String,
    /// Calls made.
    pub calls: u64,
    /// Calls that returned the catalogue's value.
    pub ok: u64,
    /// Calls that returned something else than the catalogue's value.
    pub wrong: u64,
    /// Calls that did not end within the outer deadline, or whose task panicked.
    pub lost: u64,
    /// Errors by kind (`unavailable`, `grpc Internal`, `timeout (call deadline)`, ...).
    pub errors: BTreeMap<String, u64>,
    /// Errors that arrived after the client's call deadline (plus 2 s of scheduling margin).
    pub late_errors: u64,
    /// Errors that name no RPC or the wrong one.
    pub unnamed_errors: u64,
    /// HTTP requests the client sent (attempts, retries included).
    pub attempts: u64,
    /// Calls that reached the emulator (over every emulator of the run).
    pub server_calls: u64,
    /// The client's cache counters at the end.
    pub cache: CacheStats,
    /// Median latency of a call.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Slowest call.
    pub max: Duration,
    /// Wall-clock time of the calls.
    pub elapsed: Duration,
    /// `VmHWM` (peak resident set) of the process at the end, in KiB.
    pub peak_rss_kib: Option<u64>,
    /// `VmRSS` before the run, in KiB.
    pub rss_before_kib: Option<u64>,
    /// `VmRSS` after the run, in KiB.
    pub rss_after_kib: Option<u64>,
    /// Open client connections to the emulator, at most, sampled during the run.
    pub connections_peak: usize,
    /// Connections still open once the client was dropped (after waiting for them to close).
    pub connections_leaked: usize,
    /// Tasks alive before the client existed.
    pub tasks_before: usize,
    /// Tasks alive above that number once the client was dropped (after waiting for them to end).
    pub tasks_leaked: usize,
    /// Times every connection was dropped.
    pub drops: u32,
    /// Restarts of the emulator.
    pub restarts: u32,
    /// How long the emulator was down for its restart (from the start of its shutdown to the new one
    /// listening), when it restarted.
    pub restart_gap: Option<Duration>,
    /// A few wrong answers, described.
    pub wrong_examples: Vec<String>,
    /// Errors by kind and innermost cause (see [`describe`]).
    pub error_causes: BTreeMap<String, u64>,
}

impl LoadReport {
    /// Errors of kinds other than `kinds` (see [`error_kind`]), with their counts.
    pub fn errors_other_than(&self, kinds: &[&str]) -> BTreeMap<String, u64> {
        self.errors
            .iter()
            .filter(|(k, _)| !kinds.contains(&k.as_str()))
            .map(|(k, n)| (k.clone(), *n))
            .collect()
    }

    /// Calls that failed (an error, a wrong value or lost).
    pub fn failures(&self) -> u64 {
        self.calls - self.ok
    }

    /// Calls that ended with an error.
    pub fn errored(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The fraction of calls that returned the right value.
    pub fn success_ratio(&self) -> f64 {
        if self.calls == 0 {
            1.0
        } else {
            self.ok as f64 / self.calls as f64
        }
    }

    /// What keeps the run from meeting the bar, empty when it does: no call wrong or lost, no
    /// connection or task leaked, every error naming its RPC and ending within its deadline, and at least
    /// `min_success` of the calls (1.0 without faults) returning the catalogue's value.
    pub fn problems(&self, min_success: f64) -> Vec<String> {
        let mut problems = Vec::new();
        let mut check = |bad: bool, what: String| {
            if bad {
                problems.push(what);
            }
        };
        check(self.wrong > 0, format!("{} wrong answers", self.wrong));
        check(
            self.lost > 0,
            format!(
                "{} calls lost (hung past the deadline or panicked)",
                self.lost
            ),
        );
        check(
            self.connections_leaked > 0,
            format!("{} connections leaked", self.connections_leaked),
        );
        check(
            self.tasks_leaked > 0,
            format!("{} tasks leaked", self.tasks_leaked),
        );
        check(
            self.late_errors > 0,
            format!("{} errors after the call deadline", self.late_errors),
        );
        check(
            self.unnamed_errors > 0,
            format!("{} errors not naming their RPC", self.unnamed_errors),
        );
        check(
            self.success_ratio() < min_success,
            format!(
                "success {:.4} % below {:.4} %",
                self.success_ratio() * 100.0,
                min_success * 100.0
            ),
        );
        problems
    }

    /// Retries: attempts beyond the one each call that went on the wire makes.
    pub fn retries(&self) -> u64 {
        let on_wire = self
            .calls
            .saturating_sub(self.cache.hits + self.cache.coalesced);
        self.attempts.saturating_sub(on_wire)
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kib = |v: Option<u64>| {
            v.map_or_else(
                || "n/a".to_owned(),
                |k| format!("{:.1} MiB", k as f64 / 1024.0),
            )
        };
        writeln!(f, "== {} ==", self.label)?;
        writeln!(
            f,
            "calls {}  ok {}  wrong {}  lost {}  errors {}  success {:.4} %",
            self.calls,
            self.ok,
            self.wrong,
            self.lost,
            self.errored(),
            self.success_ratio() * 100.0
        )?;
        for (kind, n) in &self.errors {
            writeln!(f, "  error {kind}: {n}")?;
        }
        let mut causes: Vec<_> = self.error_causes.iter().collect();
        causes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (cause, n) in causes.into_iter().take(12) {
            writeln!(f, "    {n} x {cause}")?;
        }
        writeln!(
            f,
            "  late errors (after the call deadline) {}  errors without the RPC name {}",
            self.late_errors, self.unnamed_errors
        )?;
        writeln!(
            f,
            "wire attempts {}  retries {}  server calls {}  cache hits {} coalesced {}",
            self.attempts,
            self.retries(),
            self.server_calls,
            self.cache.hits,
            self.cache.coalesced
        )?;
        let secs = self.elapsed.as_secs_f64();
        writeln!(
            f,
            "elapsed {:.2} s  ({:.0} calls/s)  latency p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
            secs,
            if secs > 0.0 {
                self.calls as f64 / secs
            } else {
                0.0
            },
            self.p50.as_secs_f64() * 1e3,
            self.p99.as_secs_f64() * 1e3,
            self.max.as_secs_f64() * 1e3
        )?;
        writeln!(
            f,
            "connections peak {}  leaked {}   tasks before {}  leaked {}",
            self.connections_peak, self.connections_leaked, self.tasks_before, self.tasks_leaked
        )?;
        match self.restart_gap {
            Some(gap) => writeln!(
                f,
                "drops {}  restarts {} (down for {:.0} ms)",
                self.drops,
                self.restarts,
                gap.as_secs_f64() * 1e3
            )?,
            None => writeln!(f, "drops {}  restarts {}", self.drops, self.restarts)?,
        }
        write!(
            f,
            "RSS before {}  after {}  peak (VmHWM) {}",
            kib(self.rss_before_kib),
            kib(self.rss_after_kib),
            kib(self.peak_rss_kib)
        )?;
        for wrong in &self.wrong_examples {
            write!(f, "\n  wrong: {wrong}")?;
        }
        Ok(())
    }
}

/// A field of `/proc/self/status` in KiB (`VmHWM`, `VmRSS`), where there is one.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Established TCP connections whose local port is `port` (the server side of each client connection), from
/// `/proc/net/tcp` and `/proc/net/tcp6`; 0 where those files do not exist.
pub fn established_connections(port: u16) -> usize {
    let port_hex = format!(":{port:04X}");
    ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|file| std::fs::read_to_string(file).ok())
        .map(|table| {
            table
                .lines()
                .skip(1)
                .filter(|line| {
                    let cols: Vec<&str> = line.split_whitespace().collect();
                    cols.len() > 3 && cols[1].ends_with(&port_hex) && cols[3] == "01"
                })
                .count()
        })
        .sum()
}

/// The kind of an error, for the report.
pub fn error_kind(err: &Error) -> String {
    match err {
        Error::Unavailable { .. } => "unavailable".to_owned(),
        Error::Timeout { scope, .. } => format!("timeout ({scope})"),
        Error::Grpc { code, .. } => format!("grpc {code:?}"),
        Error::Osirix { .. } => "osirix in-band".to_owned(),
        Error::StaleHandle { .. } => "stale handle".to_owned(),
        Error::MalformedResponse { .. } => "malformed response".to_owned(),
        Error::InvalidArgument { .. } => "invalid argument".to_owned(),
        Error::Closed { .. } => "closed".to_owned(),
        Error::Connect { .. } => "connect".to_owned(),
        _ => "other".to_owned(),
    }
}

/// The kind of an error (see [`error_kind`]) and its innermost cause: the transport's or the server's own
/// text, for diagnosis (the SDK's `Display` does not show it).
pub fn describe(err: &Error) -> String {
    let mut cause: Option<&dyn std::error::Error> = std::error::Error::source(err);
    let mut innermost = None;
    while let Some(c) = cause {
        innermost = Some(c.to_string());
        cause = c.source();
    }
    match innermost {
        Some(text) => format!(
            "{} <- {}",
            error_kind(err),
            text.chars().take(100).collect::<String>()
        ),
        None => format!("{} ({err})", error_kind(err)),
    }
}

/// The value the SDK should make of a wire date: the wall-clock time, with the milliseconds when OsiriX's
/// wrapped `millisecond` can be decoded and whole seconds otherwise.
pub fn expected_datetime(date: &WireDate) -> NaiveDateTime {
    match osirix_sdk::decode_millisecond(date.millisecond) {
        Some(_) => date.datetime,
        None => date.datetime.with_nanosecond(0).unwrap_or(date.datetime),
    }
}

/// One kind of call the tasks make.
#[derive(Debug, Clone, Copy)]
enum Op {
    SeriesNumberOfImages,
    SeriesModality,
    SeriesInstanceUid,
    SeriesDescription,
    SeriesName,
    SeriesDate,
    SeriesStudy,
    SeriesImages,
    SeriesSortedImages,
    SeriesNext,
    StudyNumberOfImages,
    StudyPatientId,
    StudyPatientName,
    StudyDate,
    StudySeries,
    StudyNoFiles,
    ImageWidth,
    ImageSopInstanceUid,
    ImageCompletePath,
    ImageInstanceNumber,
    ImageDate,
    ImageSeries,
    CurrentBrowser,
    Version,
    BrowserStudies,
}

const OPS: [Op; 25] = [
    Op::SeriesNumberOfImages,
    Op::SeriesModality,
    Op::SeriesInstanceUid,
    Op::SeriesDescription,
    Op::SeriesName,
    Op::SeriesDate,
    Op::SeriesStudy,
    Op::SeriesImages,
    Op::SeriesSortedImages,
    Op::SeriesNext,
    Op::StudyNumberOfImages,
    Op::StudyPatientId,
    Op::StudyPatientName,
    Op::StudyDate,
    Op::StudySeries,
    Op::StudyNoFiles,
    Op::ImageWidth,
    Op::ImageSopInstanceUid,
    Op::ImageCompletePath,
    Op::ImageInstanceNumber,
    Op::ImageDate,
    Op::ImageSeries,
    Op::CurrentBrowser,
    Op::Version,
    Op::BrowserStudies,
];

/// What one call came to.
enum Outcome {
    Right,
    Wrong(String),
    Failed(Error),
}

fn compare<T: PartialEq + fmt::Debug>(what: &str, got: T, expected: T) -> Outcome {
    if got == expected {
        Outcome::Right
    } else {
        Outcome::Wrong(format!("{what}: got {got:?}, expected {expected:?}"))
    }
}

fn uids<'a, I: IntoIterator<Item = &'a str>>(it: I) -> Vec<String> {
    it.into_iter().map(str::to_owned).collect()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Makes one call of `op` and checks its answer against the catalogue.
async fn call_and_check(
    client: &Client,
    catalog: &Catalog,
    op: Op,
    rng: &mut fastrand::Rng,
) -> Outcome {
    macro_rules! attempt {
        ($e:expr) => {
            match $e {
                Ok(value) => value,
                Err(err) => return Outcome::Failed(err),
            }
        };
    }
    let series_i = rng.usize(..catalog.series().len());
    let study_i = rng.usize(..catalog.studies().len());
    let image_i = rng.usize(..catalog.images().len());
    let series = &catalog.series()[series_i];
    let study = &catalog.studies()[study_i];
    let image = &catalog.images()[image_i];
    let series_h = || DicomSeries::from_uid(client, &series.uid);
    let study_h = || DicomStudy::from_uid(client, &study.uid);
    let image_h = || DicomImage::from_uid(client, &image.uid);
    let non_empty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    match op {
        Op::SeriesNumberOfImages => {
            let got = attempt!(attempt!(series_h()).number_of_images().await);
            compare(
                "DicomSeriesNumberOfImages",
                got,
                series.number_of_images as u32,
            )
        }
        Op::SeriesModality => compare(
            "DicomSeriesModality",
            attempt!(attempt!(series_h()).modality().await),
            series.modality.clone(),
        ),
        Op::SeriesInstanceUid => compare(
            "DicomSeriesSeriesInstanceUID",
            attempt!(attempt!(series_h()).series_instance_uid().await),
            series.series_instance_uid.clone(),
        ),
        Op::SeriesDescription => compare(
            "DicomSeriesSeriesDescription",
            attempt!(attempt!(series_h()).series_description().await),
            non_empty(&series.description),
        ),
        Op::SeriesName => compare(
            "DicomSeriesName",
            attempt!(attempt!(series_h()).name().await),
            series.name.clone(),
        ),
        Op::SeriesDate => match (attempt!(series_h()).date().await, &series.date) {
            (Ok(got), Some(expected)) => {
                compare("DicomSeriesDate", got, expected_datetime(expected))
            }
            // The emulator sends zeros for a missing date, which the SDK must reject.
            (Err(err), None) if err.is_malformed() => Outcome::Right,
            (Ok(got), None) => {
                Outcome::Wrong(format!("DicomSeriesDate: got {got:?} for a missing date"))
            }
            (Err(err), _) => Outcome::Failed(err),
        },
        Op::SeriesStudy => {
            let got = attempt!(attempt!(series_h()).study().await);
            compare(
                "DicomSeriesStudy",
                got.uid().to_owned(),
                catalog.studies()[series.study].uid.clone(),
            )
        }
        Op::SeriesImages => {
            let got = attempt!(attempt!(series_h()).images().await);
            let expected = series
                .images
                .iter()
                .map(|&i| catalog.images()[i].uid.clone())
                .collect();
            compare(
                "DicomSeriesImages",
                sorted(uids(got.iter().map(DicomImage::uid))),
                sorted(expected),
            )
        }
        Op::SeriesSortedImages => {
            let got = attempt!(attempt!(series_h()).sorted_images().await);
            let expected: Vec<String> = series
                .sorted_images
                .iter()
                .map(|&i| catalog.images()[i].uid.clone())
                .collect();
            compare(
                "DicomSeriesSortedImages",
                uids(got.iter().map(DicomImage::uid)),
                expected,
            )
        }
        Op::SeriesNext => {
            let got = attempt!(attempt!(series_h()).next_series().await);
            let expected = series.next.map(|i| catalog.series()[i].uid.clone());
            compare(
                "DicomSeriesNextSeries",
                got.map(|s| s.uid().to_owned()),
                expected,
            )
        }
        Op::StudyNumberOfImages => compare(
            "DicomStudyNumberOfImages",
            attempt!(attempt!(study_h()).number_of_images().await),
            Some(study.number_of_images as u32),
        ),
        Op::StudyNoFiles => compare(
            "DicomStudyNoFiles",
            attempt!(attempt!(study_h()).number_of_files().await),
            Some(study.no_files as u32),
        ),
        Op::StudyPatientId => compare(
            "DicomStudyPatientID",
            attempt!(attempt!(study_h()).patient_id().await),
            non_empty(&study.patient_id),
        ),
        Op::StudyPatientName => compare(
            "DicomStudyName",
            attempt!(attempt!(study_h()).patient_name().await),
            non_empty(&study.patient_name),
        ),
        Op::StudyDate => compare(
            "DicomStudyDate",
            attempt!(attempt!(study_h()).date().await),
            study.date.as_ref().map(expected_datetime),
        ),
        Op::StudySeries => {
            let got = attempt!(attempt!(study_h()).series().await);
            let expected = study
                .series
                .iter()
                .map(|&i| catalog.series()[i].uid.clone())
                .collect();
            compare(
                "DicomStudySeries",
                sorted(uids(got.iter().map(DicomSeries::uid))),
                sorted(expected),
            )
        }
        Op::ImageWidth => compare(
            "DicomImageWidth",
            attempt!(attempt!(image_h()).width().await),
            image.width,
        ),
        Op::ImageSopInstanceUid => compare(
            "DicomImageSOPInstanceUID",
            attempt!(attempt!(image_h()).sop_instance_uid().await),
            image.sop_instance_uid.clone(),
        ),
        Op::ImageCompletePath => compare(
            "DicomImageCompletePath",
            attempt!(attempt!(image_h()).complete_path().await),
            image.path.clone(),
        ),
        Op::ImageInstanceNumber => compare(
            "DicomImageInstanceNumber",
            attempt!(attempt!(image_h()).instance_number().await),
            image.instance_number,
        ),
        Op::ImageDate => match (attempt!(image_h()).date().await, &image.date) {
            (Ok(got), Some(expected)) => {
                compare("DicomImageDate", got, expected_datetime(expected))
            }
            (Err(err), None) if err.is_malformed() => Outcome::Right,
            (Ok(got), None) => {
                Outcome::Wrong(format!("DicomImageDate: got {got:?} for a missing date"))
            }
            (Err(err), _) => Outcome::Failed(err),
        },
        Op::ImageSeries => {
            let got = attempt!(attempt!(image_h()).series().await);
            compare(
                "DicomImageSeries",
                got.uid().to_owned(),
                catalog.series()[image.series].uid.clone(),
            )
        }
        Op::CurrentBrowser => {
            let got = attempt!(client.current_browser().await);
            compare(
                "OsirixCurrentBrowser",
                got.uid().to_owned(),
                catalog.browser_uid().to_owned(),
            )
        }
        Op::Version => {
            let got = attempt!(client.version().await);
            compare(
                "OsirixVersion",
                got.version,
                osirix_emulator::DEFAULT_VERSION.to_owned(),
            )
        }
        Op::BrowserStudies => {
            let browser = attempt!(BrowserController::from_uid(client, catalog.browser_uid()));
            let got = attempt!(browser.database_studies().await);
            let expected = catalog.studies().iter().map(|s| s.uid.clone()).collect();
            compare(
                "BrowserControllerDatabaseStudies",
                sorted(uids(got.iter().map(DicomStudy::uid))),
                sorted(expected),
            )
        }
    }
}

/// The RPC name each op's call names in its errors.
fn op_rpcs(op: Op) -> &'static [&'static str] {
    match op {
        Op::SeriesNumberOfImages => &["DicomSeriesNumberOfImages"],
        Op::SeriesModality => &["DicomSeriesModality"],
        Op::SeriesInstanceUid => &["DicomSeriesSeriesInstanceUID"],
        Op::SeriesDescription => &["DicomSeriesSeriesDescription"],
        Op::SeriesName => &["DicomSeriesName"],
        Op::SeriesDate => &["DicomSeriesDate"],
        Op::SeriesStudy => &["DicomSeriesStudy"],
        Op::SeriesImages => &["DicomSeriesImages"],
        Op::SeriesSortedImages => &["DicomSeriesSortedImages"],
        Op::SeriesNext => &["DicomSeriesNextSeries"],
        Op::StudyNumberOfImages => &["DicomStudyNumberOfImages"],
        Op::StudyNoFiles => &["DicomStudyNoFiles"],
        Op::StudyPatientId => &["DicomStudyPatientID"],
        Op::StudyPatientName => &["DicomStudyName"],
        Op::StudyDate => &["DicomStudyDate"],
        Op::StudySeries => &["DicomStudySeries"],
        Op::ImageWidth => &["DicomImageWidth"],
        Op::ImageSopInstanceUid => &["DicomImageSOPInstanceUID"],
        Op::ImageCompletePath => &["DicomImageCompletePath"],
        Op::ImageInstanceNumber => &["DicomImageInstanceNumber"],
        Op::ImageDate => &["DicomImageDate"],
        Op::ImageSeries => &["DicomImageSeries"],
        Op::CurrentBrowser => &["OsirixCurrentBrowser"],
        Op::Version => &["OsirixVersion"],
        Op::BrowserStudies => &["BrowserControllerDatabaseStudies"],
    }
}

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
        let op = OPS[rng.usize(..OPS.len())];
        let started = Instant::now();
        let outcome = tokio::time::timeout(
            hang_deadline,
            call_and_check(&client, &catalog, op, &mut rng),
        )
        .await;
        let took = started.elapsed();
        result.latencies.push(took);
        match outcome {
            Ok(Outcome::Right) => result.ok += 1,
            Ok(Outcome::Wrong(what)) => {
                result.wrong += 1;
                if result.wrong_examples.len() < 5 {
                    result.wrong_examples.push(what);
                }
            }
            Ok(Outcome::Failed(err)) => {
                let kind = error_kind(&err);
                *result.errors.entry(kind.clone()).or_default() += 1;
                *result.error_examples.entry(describe(&err)).or_default() += 1;
                if error_deadline.is_some_and(|limit| took > limit + Duration::from_secs(2)) {
                    result.late += 1;
                }
                if !err.rpc().is_some_and(|rpc| op_rpcs(op).contains(&rpc)) {
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
