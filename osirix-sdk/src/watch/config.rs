//! How often a watch polls, how it backs off after a failure, and how long a new study's series are listed.

use std::time::Duration;

/// How a [`Watch`](crate::watch::Watch) polls.
///
/// The first poll is made at once. Each sleep between two polls (from the end of one to the start of the next)
/// is the current delay times a factor drawn uniformly in `[1 - jitter, 1 + jitter]`, so that several watches
/// do not poll in step. The delay is `interval` while polls succeed; after `n` failed polls in a row it is
/// `interval × 2ⁿ`, at most `max_backoff` (before the jitter), and one successful poll sets it back to
/// `interval`.
///
/// ```no_run
/// # async fn demo(client: osirix_sdk::Client) {
/// use std::time::Duration;
/// use osirix_sdk::WatchConfig;
///
/// // Every 250 ms ± 20 %, at most every 5 s while the server fails.
/// let config = WatchConfig::default()
///     .interval(Duration::from_millis(250))
///     .jitter(0.2)
///     .max_backoff(Duration::from_secs(5));
/// let viewers = client.watch_viewers(config);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct WatchConfig {
    pub(super) interval: Duration,
    pub(super) jitter: f64,
    pub(super) max_backoff: Duration,
    pub(super) settle_polls: u32,
    pub(super) all_series: bool,
}

impl Default for WatchConfig {
    /// A poll every 1 s with 10 % jitter, backoff up to 30 s, a new study's series listed until they were
    /// unchanged for 3 polls, and the series of other studies not listed.
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(1),
            jitter: 0.1,
            max_backoff: Duration::from_secs(30),
            settle_polls: 3,
            all_series: false,
        }
    }
}

impl WatchConfig {
    /// The sleep between the end of a successful poll and the start of the next (1 s by default). A zero
    /// interval polls again as soon as the last answer is in, without backoff.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The jitter fraction (0.1 by default), clamped to 0–1; NaN is taken as 0.
    pub fn jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_nan() {
            0.0
        } else {
            jitter.clamp(0.0, 1.0)
        };
        self
    }

    /// The longest delay after failed polls, before the jitter (30 s by default). A value below the interval
    /// is taken as the interval.
    pub fn max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// For [`Client::watch_database`](crate::Client::watch_database): the number of consecutive polls in
    /// which a new study's series list must stay the same before it is no longer listed (3 by default). 0
    /// lists a new study's series once, in the poll that found it.
    pub fn settle_polls(mut self, polls: u32) -> Self {
        self.settle_polls = polls;
        self
    }

    /// For [`Client::watch_database`](crate::Client::watch_database): list the series of every study in every
    /// poll (off by default), so that series added to any study are reported, at the cost of one
    /// `DicomStudySeries` call per study per poll.
    pub fn all_series(mut self, all: bool) -> Self {
        self.all_series = all;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_as_documented() {
        let c = WatchConfig::default();
        assert_eq!(c.interval, Duration::from_secs(1));
        assert_eq!(c.jitter, 0.1);
        assert_eq!(c.max_backoff, Duration::from_secs(30));
        assert_eq!(c.settle_polls, 3);
        assert!(!c.all_series);
    }

    #[test]
    fn odd_values_are_brought_into_range() {
        assert_eq!(WatchConfig::default().jitter(f64::NAN).jitter, 0.0);
        assert_eq!(WatchConfig::default().jitter(7.0).jitter, 1.0);
        assert_eq!(WatchConfig::default().jitter(-1.0).jitter, 0.0);
    }
}
