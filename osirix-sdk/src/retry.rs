//! Retries of idempotent calls, after gRFC A6: a bounded number of attempts, exponential backoff with full
//! jitter drawn per request, a configurable set of retryable codes, and a token-bucket budget shared by the
//! client so that a dead server is not hammered. OsiriX's in-band failures are answers and never retried.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tower::retry::budget::{Budget, TpsBudget};

use crate::Error;

/// How calls are retried. Only RPCs the macro marks idempotent (every getter) are retried.
///
/// ```
/// use std::time::Duration;
/// use osirix_sdk::RetryConfig;
///
/// let retry = RetryConfig::default().with_max_attempts(3).with_initial_backoff(Duration::from_millis(50));
/// assert_eq!(retry.max_attempts(), 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    multiplier: f64,
    retryable: Vec<tonic::Code>,
    budget: Option<RetryBudget>,
}

/// The retry budget: retries may add at most `ratio` of the recent successful calls, plus `min_per_sec`
/// retries per second whatever the traffic, counted over `window`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct RetryBudget {
    /// How long deposits count, 1 to 60 seconds.
    pub window: Duration,
    /// Retries per second always allowed.
    pub min_per_sec: u32,
    /// Retries allowed per successful call, 0.0 to 1000.0.
    pub ratio: f32,
}

impl Default for RetryBudget {
    /// A 10 s window, 10 retries per second, plus 20 % of successful calls.
    fn default() -> Self {
        Self {
            window: Duration::from_secs(10),
            min_per_sec: 10,
            ratio: 0.2,
        }
    }
}

/// The most attempts gRFC A6 allows a policy to ask for.
pub const MAX_ATTEMPTS_LIMIT: u32 = 5;

impl Default for RetryConfig {
    /// 4 attempts (the first included), backoff from 100 ms doubling up to 2 s with full jitter, retrying
    /// `UNAVAILABLE` only, with the default [`RetryBudget`].
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            multiplier: 2.0,
            retryable: vec![tonic::Code::Unavailable],
            budget: Some(RetryBudget::default()),
        }
    }
}

impl RetryConfig {
    /// No retries: every call is one attempt.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts per call, the first included; clamped to 1..=5 (gRFC A6's limit).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.clamp(1, MAX_ATTEMPTS_LIMIT);
        self
    }

    /// The backoff ceiling before the first retry (the delay is drawn uniformly below it).
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff ceiling.
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// How much the backoff ceiling grows per retry; values below 1.0 are taken as 1.0.
    pub fn with_multiplier(mut self, multiplier: f64) -> Self {
        self.multiplier = if multiplier.is_finite() {
            multiplier.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// The gRPC codes that are retried.
    pub fn with_retryable_codes(mut self, codes: impl IntoIterator<Item = tonic::Code>) -> Self {
        self.retryable = codes.into_iter().collect();
        self
    }

    /// The retry budget, or `None` for no budget.
    pub fn with_budget(mut self, budget: Option<RetryBudget>) -> Self {
        self.budget = budget;
        self
    }

    /// Attempts per call, the first included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The first backoff ceiling.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest backoff ceiling.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The backoff growth factor.
    pub fn multiplier(&self) -> f64 {
        self.multiplier
    }

    /// The retried gRPC codes.
    pub fn retryable_codes(&self) -> &[tonic::Code] {
        &self.retryable
    }

    /// The retry budget.
    pub fn budget(&self) -> Option<RetryBudget> {
        self.budget
    }

    /// The backoff ceiling before retry number `retry` (1 for the first retry).
    pub fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = self.multiplier.powi(retry.saturating_sub(1).min(64) as i32);
        let ceiling = self.initial_backoff.as_secs_f64() * factor;
        Duration::from_secs_f64(ceiling.min(self.max_backoff.as_secs_f64()).max(0.0))
    }
}

/// A client's retry settings and its shared budget.
#[derive(Debug)]
pub(crate) struct Retrier {
    config: RetryConfig,
    budget: Option<TpsBudget>,
}

impl Retrier {
    pub(crate) fn new(config: RetryConfig) -> Self {
        let budget = config.budget.map(|b| {
            let window = b
                .window
                .clamp(Duration::from_secs(1), Duration::from_secs(60));
            let ratio = if b.ratio.is_finite() {
                b.ratio.clamp(0.0, 1000.0)
            } else {
                0.0
            };
            TpsBudget::new(window, b.min_per_sec.min(i32::MAX as u32 - 1), ratio)
        });
        Self { config, budget }
    }

    pub(crate) fn enabled(&self) -> bool {
        self.config.max_attempts > 1
    }
}

/// The `tower::retry` policy of one logical call: it counts attempts and draws its own jitter.
#[derive(Clone, Debug)]
pub(crate) struct RetryPolicy {
    retrier: Arc<Retrier>,
    attempts: u32,
    retry: bool,
    rng: fastrand::Rng,
    /// The call's deadline: no backoff sleeps past it (the next attempt then fails at once with the call's
    /// timeout).
    deadline: Option<tokio::time::Instant>,
}

impl RetryPolicy {
    pub(crate) fn new(retrier: Arc<Retrier>, retry: bool) -> Self {
        Self {
            retrier,
            attempts: 1,
            retry,
            rng: fastrand::Rng::new(),
            deadline: None,
        }
    }

    /// Caps backoff sleeps at `deadline`.
    pub(crate) fn with_deadline(mut self, deadline: Option<tokio::time::Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    fn retryable(&self, err: &Error) -> bool {
        err.grpc_code()
            .is_some_and(|code| self.retrier.config.retryable.contains(&code))
    }
}

impl<Req: Clone, Res> tower::retry::Policy<Req, Res, Error> for RetryPolicy {
    type Future = Pin<Box<dyn Future<Output = ()> + Send>>;

    fn retry(&mut self, _: &mut Req, result: &mut Result<Res, Error>) -> Option<Self::Future> {
        let budget = self.retrier.budget.as_ref();
        match result {
            Ok(_) => {
                if let Some(b) = budget {
                    b.deposit();
                }
                None
            }
            Err(err) => {
                if self.attempts >= self.retrier.config.max_attempts || !self.retryable(err) {
                    return None;
                }
                if budget.is_some_and(|b| !b.withdraw()) {
                    tracing::debug!("retry budget exhausted");
                    return None;
                }
                let ceiling = self.retrier.config.backoff_ceiling(self.attempts);
                self.attempts += 1;
                let delay = ceiling.mul_f64(self.rng.f64());
                tracing::Span::current().record("attempts", self.attempts);
                tracing::debug!(attempt = self.attempts, ?delay, "retrying");
                let wake = tokio::time::Instant::now() + delay;
                let wake = self.deadline.map_or(wake, |deadline| wake.min(deadline));
                Some(Box::pin(tokio::time::sleep_until(wake)))
            }
        }
    }

    fn clone_request(&mut self, req: &Req) -> Option<Req> {
        self.retry.then(|| req.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_as_documented() {
        let c = RetryConfig::default();
        assert_eq!(c.max_attempts(), 4);
        assert_eq!(c.initial_backoff(), Duration::from_millis(100));
        assert_eq!(c.max_backoff(), Duration::from_secs(2));
        assert_eq!(c.multiplier(), 2.0);
        assert_eq!(c.retryable_codes(), &[tonic::Code::Unavailable]);
        assert_eq!(
            c.budget(),
            Some(RetryBudget {
                window: Duration::from_secs(10),
                min_per_sec: 10,
                ratio: 0.2
            })
        );
        assert_eq!(RetryConfig::disabled().max_attempts(), 1);
    }

    #[test]
    fn attempts_are_clamped_to_a6_limits() {
        assert_eq!(
            RetryConfig::default().with_max_attempts(9).max_attempts(),
            5
        );
        assert_eq!(
            RetryConfig::default().with_max_attempts(0).max_attempts(),
            1
        );
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let c = RetryConfig::default();
        assert_eq!(c.backoff_ceiling(1), Duration::from_millis(100));
        assert_eq!(c.backoff_ceiling(2), Duration::from_millis(200));
        assert_eq!(c.backoff_ceiling(3), Duration::from_millis(400));
        assert_eq!(c.backoff_ceiling(10), Duration::from_secs(2));
        assert_eq!(c.backoff_ceiling(u32::MAX), Duration::from_secs(2));
    }

    fn unavailable() -> Result<(), Error> {
        Err(Error::from_status(
            "DicomSeriesModality",
            tonic::Status::unavailable("down"),
            crate::error::ServerStart::Http2,
        ))
    }

    fn decide(
        policy: &mut RetryPolicy,
        result: &mut Result<(), Error>,
    ) -> Option<Pin<Box<dyn Future<Output = ()> + Send>>> {
        tower::retry::Policy::<(), (), Error>::retry(policy, &mut (), result)
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_stays_under_a_growing_ceiling_and_stops_at_max_attempts() {
        let config = RetryConfig::default().with_budget(None);
        let mut policy = RetryPolicy::new(Arc::new(Retrier::new(config.clone())), true);
        for retry in 1..config.max_attempts() {
            let start = tokio::time::Instant::now();
            decide(&mut policy, &mut unavailable())
                .expect("retried")
                .await;
            assert!(
                start.elapsed() <= config.backoff_ceiling(retry),
                "retry {retry}: {:?}",
                start.elapsed()
            );
        }
        assert!(
            decide(&mut policy, &mut unavailable()).is_none(),
            "no attempt beyond max_attempts"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn jitter_is_drawn_per_request() {
        let retrier = Arc::new(Retrier::new(RetryConfig::default().with_budget(None)));
        let mut delays = Vec::new();
        for _ in 0..16 {
            let mut policy = RetryPolicy::new(retrier.clone(), true);
            let start = tokio::time::Instant::now();
            decide(&mut policy, &mut unavailable())
                .expect("retried")
                .await;
            delays.push(start.elapsed());
        }
        delays.sort();
        delays.dedup();
        assert!(
            delays.len() > 1,
            "every request drew the same delay: {delays:?}"
        );
    }

    #[tokio::test]
    async fn only_configured_codes_are_retried() {
        let mut policy = RetryPolicy::new(Arc::new(Retrier::new(RetryConfig::default())), true);
        let mut internal = Err(Error::from_status(
            "X",
            tonic::Status::internal("boom"),
            crate::error::ServerStart::Http2,
        ));
        assert!(decide(&mut policy, &mut internal).is_none());
        let mut timeout = Err(Error::Timeout {
            rpc: "X",
            after: Duration::from_secs(1),
            scope: crate::TimeoutScope::Attempt,
        });
        assert!(decide(&mut policy, &mut timeout).is_none());
        let custom = RetryConfig::default().with_retryable_codes([tonic::Code::Internal]);
        let mut policy = RetryPolicy::new(Arc::new(Retrier::new(custom)), true);
        assert!(decide(&mut policy, &mut internal).is_some());
    }

    #[tokio::test]
    async fn an_empty_budget_stops_retries() {
        // One retry of reserve (1 per second over 1 s) and no credit from successes.
        let budget = RetryBudget {
            window: Duration::from_secs(1),
            min_per_sec: 1,
            ratio: 0.0,
        };
        let retrier = Arc::new(Retrier::new(
            RetryConfig::default().with_budget(Some(budget)),
        ));
        let mut first = RetryPolicy::new(retrier.clone(), true);
        assert!(
            decide(&mut first, &mut unavailable()).is_some(),
            "the reserve allows one retry"
        );
        let mut second = RetryPolicy::new(retrier, true);
        assert!(
            decide(&mut second, &mut unavailable()).is_none(),
            "the budget is spent"
        );
    }

    #[test]
    fn odd_budget_values_do_not_panic() {
        let cfg = RetryConfig::default().with_budget(Some(RetryBudget {
            window: Duration::from_secs(3600),
            min_per_sec: 0,
            ratio: f32::NAN,
        }));
        let _ = Retrier::new(cfg);
    }
}
