//! The figures of a run, and how its errors are classified.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use osirix_sdk::{CacheStats, Error};

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
