//! What a run does: its size, the client's settings, and the faults to inject.

use std::time::Duration;

use osirix_emulator::RunningEmulator;
use osirix_emulator::demo::DemoSpec;
use osirix_sdk::{CacheConfig, RetryConfig, TimeoutConfig};

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

    pub(super) fn apply(&self, emulator: &RunningEmulator) {
        let faults = emulator.faults();
        faults.fail_fraction(self.fail_fraction, tonic::Code::Unavailable);
        faults.latency_spikes(self.spike_fraction, self.spike);
    }
}
