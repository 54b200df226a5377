//! When the next poll of a watch is due: the interval while polls succeed, doubled per failed poll up to the
//! backoff ceiling, each sleep jittered.

use std::time::Duration;

use super::config::WatchConfig;

/// The delays between the polls of one watch.
#[derive(Debug)]
pub(super) struct Schedule {
    interval: Duration,
    jitter: f64,
    max_backoff: Duration,
    /// Failed polls in a row.
    failures: u32,
    rng: fastrand::Rng,
}

impl Schedule {
    pub(super) fn new(config: &WatchConfig) -> Self {
        Self::with_rng(config, fastrand::Rng::new())
    }

    fn with_rng(config: &WatchConfig, rng: fastrand::Rng) -> Self {
        Self {
            interval: config.interval,
            jitter: config.jitter,
            max_backoff: config.max_backoff.max(config.interval),
            failures: 0,
            rng,
        }
    }

    /// Records the outcome of a poll.
    pub(super) fn record(&mut self, succeeded: bool) {
        self.failures = if succeeded {
            0
        } else {
            self.failures.saturating_add(1)
        };
    }

    /// The delay before jitter: `interval × 2^failures`, at most the backoff ceiling.
    fn base(&self) -> Duration {
        let factor = 2f64.powi(self.failures.min(64) as i32);
        let delay = self.interval.as_secs_f64() * factor;
        seconds(delay.min(self.max_backoff.as_secs_f64()))
    }

    /// The sleep before the next poll: the base delay times a factor uniform in `[1 - jitter, 1 + jitter]`.
    pub(super) fn next_sleep(&mut self) -> Duration {
        let factor = 1.0 - self.jitter + 2.0 * self.jitter * self.rng.f64();
        seconds(self.base().as_secs_f64() * factor.max(0.0))
    }
}

/// `secs` as a duration, [`Duration::MAX`] when it is beyond it (an interval of years does not panic).
fn seconds(secs: f64) -> Duration {
    Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn schedule(config: WatchConfig) -> Schedule {
        Schedule::with_rng(&config, fastrand::Rng::with_seed(11))
    }

    #[test]
    fn sleeps_stay_within_the_jitter_and_vary() {
        let mut s = schedule(WatchConfig::default().interval(ms(100)).jitter(0.25));
        let sleeps: Vec<Duration> = (0..200).map(|_| s.next_sleep()).collect();
        for sleep in &sleeps {
            assert!(*sleep >= ms(75) && *sleep <= ms(125), "{sleep:?}");
        }
        let mut distinct = sleeps.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() > 100, "jittered: {distinct:?}");
        // Both halves of the range are drawn.
        assert!(sleeps.iter().any(|s| *s < ms(90)) && sleeps.iter().any(|s| *s > ms(110)));
    }

    #[test]
    fn the_default_jitter_is_a_tenth_of_the_default_interval() {
        let mut s = schedule(WatchConfig::default());
        for _ in 0..100 {
            let sleep = s.next_sleep();
            assert!(sleep >= ms(900) && sleep <= ms(1100), "{sleep:?}");
        }
    }

    #[test]
    fn no_jitter_sleeps_the_interval() {
        let mut s = schedule(WatchConfig::default().interval(ms(40)).jitter(0.0));
        assert_eq!(s.next_sleep(), ms(40));
    }

    #[test]
    fn failures_double_the_delay_up_to_the_ceiling_and_success_resets_it() {
        let config = WatchConfig::default()
            .interval(ms(100))
            .max_backoff(ms(1000));
        let mut s = schedule(config);
        let mut bases = vec![s.base()];
        for _ in 0..6 {
            s.record(false);
            bases.push(s.base());
        }
        assert_eq!(
            bases,
            [
                ms(100),
                ms(200),
                ms(400),
                ms(800),
                ms(1000),
                ms(1000),
                ms(1000)
            ]
        );
        // The jitter applies on top of the ceiling.
        for _ in 0..50 {
            let sleep = s.next_sleep();
            assert!(sleep >= ms(900) && sleep <= ms(1100), "{sleep:?}");
        }
        s.record(true);
        assert_eq!(s.base(), ms(100));
        for _ in 0..u16::MAX {
            s.record(false);
        }
        assert_eq!(s.base(), ms(1000), "many failures stay at the ceiling");
    }

    #[test]
    fn the_default_ceiling_is_30_s_and_never_below_the_interval() {
        let mut s = schedule(WatchConfig::default());
        for _ in 0..10 {
            s.record(false);
        }
        assert_eq!(s.base(), Duration::from_secs(30));
        let mut s = schedule(
            WatchConfig::default()
                .interval(Duration::from_secs(5))
                .max_backoff(Duration::from_secs(1)),
        );
        s.record(false);
        assert_eq!(s.base(), Duration::from_secs(5));
    }

    #[test]
    fn a_huge_interval_does_not_overflow() {
        let mut s = schedule(WatchConfig::default().interval(Duration::MAX).jitter(1.0));
        s.record(false);
        for _ in 0..20 {
            let _ = s.next_sleep();
        }
        assert_eq!(s.base(), Duration::MAX);
    }

    #[test]
    fn a_zero_interval_never_sleeps() {
        let mut s = schedule(WatchConfig::default().interval(Duration::ZERO));
        s.record(false);
        assert_eq!(s.next_sleep(), Duration::ZERO);
    }
}
