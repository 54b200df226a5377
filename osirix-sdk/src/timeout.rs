//! Time limits. OsiriX applies none and serves every call on its UI thread, which a modal dialog can block for
//! ever, so the SDK bounds each attempt and each whole call by default.

use std::time::Duration;

/// Time limits of the client.
///
/// ```
/// use std::time::Duration;
/// use osirix_sdk::TimeoutConfig;
///
/// let t = TimeoutConfig::default().with_attempt(Some(Duration::from_secs(5)));
/// assert_eq!(t.attempt(), Some(Duration::from_secs(5)));
/// assert_eq!(TimeoutConfig::disabled().call(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimeoutConfig {
    connect: Option<Duration>,
    attempt: Option<Duration>,
    call: Option<Duration>,
}

impl Default for TimeoutConfig {
    /// Connect: 5 s. One attempt: 30 s. A whole call, retries and backoff included: 60 s.
    fn default() -> Self {
        Self {
            connect: Some(Duration::from_secs(5)),
            attempt: Some(Duration::from_secs(30)),
            call: Some(Duration::from_secs(60)),
        }
    }
}

impl TimeoutConfig {
    /// No time limits at all (as pyosirix: a blocked OsiriX then blocks the caller).
    pub fn disabled() -> Self {
        Self {
            connect: None,
            attempt: None,
            call: None,
        }
    }

    /// The limit on opening a TCP connection.
    pub fn with_connect(mut self, limit: Option<Duration>) -> Self {
        self.connect = limit;
        self
    }

    /// The limit on one attempt (one RPC on the wire).
    pub fn with_attempt(mut self, limit: Option<Duration>) -> Self {
        self.attempt = limit;
        self
    }

    /// The limit on a whole call, retries and backoff included.
    pub fn with_call(mut self, limit: Option<Duration>) -> Self {
        self.call = limit;
        self
    }

    /// The connect limit.
    pub fn connect(&self) -> Option<Duration> {
        self.connect
    }

    /// The per-attempt limit.
    pub fn attempt(&self) -> Option<Duration> {
        self.attempt
    }

    /// The whole-call limit.
    pub fn call(&self) -> Option<Duration> {
        self.call
    }
}

/// Keeps the runtime's timer armed while a client lives, so that arming a call's time limit is cheap.
///
/// Tokio wakes its timer driver (a syscall, and a thread woken up) whenever a timer is set earlier than the
/// driver's next planned wake-up, which is every time when no other timer is pending: on an otherwise idle
/// runtime every call would pay it (about 3 % of a loopback call, measured with the `perf-report` bench). A
/// timer firing every [`TimerAnchor::PERIOD`] keeps the planned wake-up nearer than any call's limit. The task is
/// aborted with the client.
#[derive(Debug)]
pub(crate) struct TimerAnchor(Option<tokio::task::JoinHandle<()>>);

impl TimerAnchor {
    /// Shorter than any default limit, rare enough to cost nothing.
    pub(crate) const PERIOD: Duration = Duration::from_secs(1);

    /// Starts the anchor on the current runtime when the client has time limits; nothing outside a runtime.
    pub(crate) fn start(timeouts: &TimeoutConfig) -> Self {
        let limited = timeouts.attempt.is_some() || timeouts.call.is_some();
        let runtime = tokio::runtime::Handle::try_current()
            .ok()
            .filter(|_| limited);
        Self(runtime.map(|runtime| {
            runtime.spawn(async {
                let mut tick = tokio::time::interval(Self::PERIOD);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                }
            })
        }))
    }
}

impl Drop for TimerAnchor {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_as_documented() {
        let t = TimeoutConfig::default();
        assert_eq!(t.connect(), Some(Duration::from_secs(5)));
        assert_eq!(t.attempt(), Some(Duration::from_secs(30)));
        assert_eq!(t.call(), Some(Duration::from_secs(60)));
        let off = TimeoutConfig::disabled();
        assert_eq!(
            (off.connect(), off.attempt(), off.call()),
            (None, None, None)
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_timer_anchor_runs_with_limits_and_ends_with_its_owner() {
        let metrics = tokio::runtime::Handle::current().metrics();
        let before = metrics.num_alive_tasks();
        let none = TimerAnchor::start(&TimeoutConfig::disabled());
        assert!(none.0.is_none(), "no limits, no timer to keep armed");
        let anchor = TimerAnchor::start(&TimeoutConfig::default());
        assert_eq!(metrics.num_alive_tasks(), before + 1);
        drop(anchor);
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while metrics.num_alive_tasks() > before && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(metrics.num_alive_tasks(), before, "aborted with its owner");
    }

    #[test]
    fn outside_a_runtime_there_is_no_anchor() {
        assert!(TimerAnchor::start(&TimeoutConfig::default()).0.is_none());
    }
}
