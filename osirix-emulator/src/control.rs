//! The tower layer in front of the gRPC routes: call counters, injected faults and serial mode.
//!
//! It works on plain `http::Request` paths (`/osirixgrpc.OsiriXService/<Rpc>`), so it sees every call
//! that reaches the server, served or not, before any decoding. Injected failures are answered as a gRPC
//! status ([`tonic::Status::into_http`]), exactly as a transport-level failure would look to a client.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::{Semaphore, watch};
use tonic::body::Body;
use tower::{Layer, Service};

/// Faults injected into the calls of a running emulator, for testing clients' error handling.
///
/// Every setting applies to calls that arrive after it is made and stays until changed or
/// [`Faults::clear`]ed. Random choices are deterministic: call number *n* since the emulator started
/// (or since [`Faults::set_seed`]) is failed or delayed depending only on the seed and *n*.
#[derive(Debug)]
pub struct Faults {
    config: Mutex<FaultConfig>,
    connections: watch::Sender<u64>,
}

#[derive(Debug, Clone)]
struct FaultConfig {
    seed: u64,
    calls: u64,
    fail_next: u32,
    fail_next_code: tonic::Code,
    fail_fraction: f64,
    fail_fraction_code: tonic::Code,
    latency: Option<Duration>,
    spike_fraction: f64,
    spike_extra: Duration,
}

impl FaultConfig {
    fn new(seed: u64) -> Self {
        Self {
            seed,
            calls: 0,
            fail_next: 0,
            fail_next_code: tonic::Code::Unavailable,
            fail_fraction: 0.0,
            fail_fraction_code: tonic::Code::Unavailable,
            latency: None,
            spike_fraction: 0.0,
            spike_extra: Duration::ZERO,
        }
    }
}

/// What happens to one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decision {
    fail: Option<tonic::Code>,
    delay: Duration,
}

/// Independent random streams for the two fraction-based faults.
const FAIL_STREAM: u64 = 0x6661_696c;
const SPIKE_STREAM: u64 = 0x7370_696b;

/// SplitMix64 of (seed, call, stream) as a number in [0, 1).
fn unit(seed: u64, call: u64, stream: u64) -> f64 {
    let mut z = seed
        ^ stream.wrapping_mul(0xd6e8_feb8_6659_fd93)
        ^ call.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A fraction clamped to [0, 1]; NaN counts as 0.
fn clamp_fraction(fraction: f64) -> f64 {
    if fraction.is_nan() {
        0.0
    } else {
        fraction.clamp(0.0, 1.0)
    }
}

impl Faults {
    /// No faults; random choices seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self {
            config: Mutex::new(FaultConfig::new(seed)),
            connections: watch::Sender::new(0),
        }
    }

    fn config(&self) -> MutexGuard<'_, FaultConfig> {
        self.config.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Fails the next `n` calls with gRPC `code` (they are still counted), before any fraction-based failure.
    pub fn fail_next(&self, n: u32, code: tonic::Code) {
        let mut config = self.config();
        config.fail_next = n;
        config.fail_next_code = code;
    }

    /// Fails about `fraction` (0.0–1.0) of the calls with gRPC `code`, chosen pseudo-randomly from the seed.
    pub fn fail_fraction(&self, fraction: f64, code: tonic::Code) {
        let mut config = self.config();
        config.fail_fraction = clamp_fraction(fraction);
        config.fail_fraction_code = code;
    }

    /// Adds a fixed delay before every call is handled (`None` for none).
    pub fn set_latency(&self, latency: Option<Duration>) {
        self.config().latency = latency;
    }

    /// Adds `extra` delay to about `fraction` (0.0–1.0) of the calls, chosen pseudo-randomly from the seed.
    pub fn latency_spikes(&self, fraction: f64, extra: Duration) {
        let mut config = self.config();
        config.spike_fraction = clamp_fraction(fraction);
        config.spike_extra = extra;
    }

    /// Re-seeds the pseudo-random choices and restarts the call numbering, so a test can replay them.
    pub fn set_seed(&self, seed: u64) {
        let mut config = self.config();
        config.seed = seed;
        config.calls = 0;
    }

    /// Closes every open client connection now (their reads and writes fail); new connections work.
    pub fn drop_connections(&self) {
        self.connections
            .send_modify(|generation| *generation = generation.wrapping_add(1));
    }

    /// Removes every injected failure and delay (the seed stays).
    pub fn clear(&self) {
        let mut config = self.config();
        *config = FaultConfig {
            seed: config.seed,
            calls: config.calls,
            ..FaultConfig::new(config.seed)
        };
    }

    /// A receiver that changes whenever [`Faults::drop_connections`] is called.
    pub(crate) fn connection_generation(&self) -> watch::Receiver<u64> {
        self.connections.subscribe()
    }

    fn decide(&self) -> Decision {
        let mut config = self.config();
        let call = config.calls;
        config.calls = config.calls.wrapping_add(1);
        let mut delay = config.latency.unwrap_or_default();
        if config.spike_fraction > 0.0
            && unit(config.seed, call, SPIKE_STREAM) < config.spike_fraction
        {
            delay += config.spike_extra;
        }
        let fail = if config.fail_next > 0 {
            config.fail_next -= 1;
            Some(config.fail_next_code)
        } else if config.fail_fraction > 0.0
            && unit(config.seed, call, FAIL_STREAM) < config.fail_fraction
        {
            Some(config.fail_fraction_code)
        } else {
            None
        };
        Decision { fail, delay }
    }
}

/// Counters, faults and serial mode of one running emulator, shared by the layer and the handle.
#[derive(Debug)]
pub(crate) struct Control {
    counters: Mutex<HashMap<String, u64>>,
    total: AtomicU64,
    pub(crate) faults: Faults,
    serial: AtomicBool,
    gate: Semaphore,
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
}

/// Counts a call as being handled until dropped (also when the call is cancelled).
struct InFlight<'a>(&'a Control);

impl<'a> InFlight<'a> {
    fn enter(control: &'a Control) -> Self {
        let now = control.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        control.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(control)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The path prefix of the OsiriXgrpc methods.
const SERVICE_PREFIX: &str = "/osirixgrpc.OsiriXService/";

/// The counter name of a request path: the RPC name for OsiriXgrpc methods, else the whole path.
fn rpc_name(path: &str) -> &str {
    path.strip_prefix(SERVICE_PREFIX).unwrap_or(path)
}

impl Control {
    pub(crate) fn new(serial: bool, seed: u64) -> Self {
        Self {
            counters: Mutex::new(HashMap::new()),
            total: AtomicU64::new(0),
            faults: Faults::new(seed),
            serial: AtomicBool::new(serial),
            gate: Semaphore::new(1),
            in_flight: AtomicU64::new(0),
            peak_in_flight: AtomicU64::new(0),
        }
    }

    fn counters(&self) -> MutexGuard<'_, HashMap<String, u64>> {
        self.counters.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn count(&self, rpc: &str) {
        let mut counters = self.counters();
        match counters.get_mut(rpc) {
            Some(n) => *n += 1,
            None => {
                counters.insert(rpc.to_owned(), 1);
            }
        }
        self.total.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn calls(&self, rpc: &str) -> u64 {
        self.counters().get(rpc).copied().unwrap_or(0)
    }

    pub(crate) fn total_calls(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub(crate) fn reset_counters(&self) {
        let mut counters = self.counters();
        counters.clear();
        self.total.store(0, Ordering::Relaxed);
        self.peak_in_flight
            .store(self.in_flight.load(Ordering::SeqCst), Ordering::SeqCst);
    }

    pub(crate) fn peak_in_flight(&self) -> u64 {
        self.peak_in_flight.load(Ordering::SeqCst)
    }

    pub(crate) fn set_serial(&self, serial: bool) {
        self.serial.store(serial, Ordering::Relaxed);
    }

    pub(crate) fn is_serial(&self) -> bool {
        self.serial.load(Ordering::Relaxed)
    }
}

/// The layer that puts [`ControlService`] in front of the routes.
#[derive(Debug, Clone)]
pub(crate) struct ControlLayer {
    control: Arc<Control>,
}

impl ControlLayer {
    pub(crate) fn new(control: Arc<Control>) -> Self {
        Self { control }
    }
}

impl<S> Layer<S> for ControlLayer {
    type Service = ControlService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ControlService {
            inner,
            control: Arc::clone(&self.control),
        }
    }
}

/// Counts each call, then (holding the serial gate if on) waits out injected latency and either answers
/// an injected failure or passes the call on.
#[derive(Debug, Clone)]
pub(crate) struct ControlService<S> {
    inner: S,
    control: Arc<Control>,
}

impl<S> Service<http::Request<Body>> for ControlService<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>> + Clone + Send + 'static,
    S::Future: Send,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        // The clone is not driven to readiness; the ready one goes into the future (tower's usual swap).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let control = Arc::clone(&self.control);
        Box::pin(async move {
            let rpc = rpc_name(request.uri().path());
            control.count(rpc);
            // One call at a time, like OsiriX's main thread; the semaphore is never closed.
            let _permit = if control.is_serial() {
                control.gate.acquire().await.ok()
            } else {
                None
            };
            let _in_flight = InFlight::enter(&control);
            let decision = control.faults.decide();
            if !decision.delay.is_zero() {
                tokio::time::sleep(decision.delay).await;
            }
            if let Some(code) = decision.fail {
                tracing::debug!(rpc, ?code, "injecting a failure");
                return Ok(tonic::Status::new(code, "injected fault").into_http());
            }
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rpc_names() {
        assert_eq!(
            rpc_name("/osirixgrpc.OsiriXService/OsirixVersion"),
            "OsirixVersion"
        );
        assert_eq!(
            rpc_name("/grpc.health.v1.Health/Check"),
            "/grpc.health.v1.Health/Check"
        );
    }

    #[test]
    fn fail_next_then_none() {
        let faults = Faults::new(1);
        faults.fail_next(2, tonic::Code::Internal);
        assert_eq!(faults.decide().fail, Some(tonic::Code::Internal));
        assert_eq!(faults.decide().fail, Some(tonic::Code::Internal));
        assert_eq!(faults.decide().fail, None);
    }

    #[test]
    fn fractions_are_deterministic_and_about_right() {
        let faults = Faults::new(7);
        faults.fail_fraction(0.25, tonic::Code::Unavailable);
        let first: Vec<_> = (0..4000).map(|_| faults.decide().fail.is_some()).collect();
        faults.set_seed(7);
        let second: Vec<_> = (0..4000).map(|_| faults.decide().fail.is_some()).collect();
        assert_eq!(first, second);
        let failed = first.iter().filter(|f| **f).count();
        assert!((800..1200).contains(&failed), "{failed}");
        faults.fail_fraction(1.0, tonic::Code::Unavailable);
        assert!((0..100).all(|_| faults.decide().fail.is_some()));
        faults.fail_fraction(f64::NAN, tonic::Code::Unavailable);
        assert!((0..100).all(|_| faults.decide().fail.is_none()));
    }

    #[test]
    fn latency_and_spikes_add_up() {
        let faults = Faults::new(3);
        faults.set_latency(Some(Duration::from_millis(5)));
        faults.latency_spikes(1.0, Duration::from_millis(10));
        assert_eq!(faults.decide().delay, Duration::from_millis(15));
        faults.clear();
        assert_eq!(
            faults.decide(),
            Decision {
                fail: None,
                delay: Duration::ZERO
            }
        );
    }
}
