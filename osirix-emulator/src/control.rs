//! The tower layer in front of the gRPC routes: call counters, injected faults and serial mode.
//!
//! It works on plain `http::Request` paths (`/osirixgrpc.OsiriXService/<Rpc>`), so it sees every call
//! that reaches the server, served or not, before any decoding. Injected failures are answered as a gRPC
//! status ([`tonic::Status::into_http`]), exactly as a transport-level failure would look to a client.
//!
//! Only OsiriX RPCs (the 141 methods of the service) are counted by name and go through faults and the
//! serial gate, as only they reach OsiriX's main thread. A path under the service that names no method,
//! and any other service (a health probe, reflection), is counted under one fixed key each and passed
//! straight on, so a client cannot grow the counters with made-up paths.

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

/// Every method of the service, sorted: the keys of the call counters.
use osirix_proto::METHODS as RPC_NAMES;

/// The counter key of calls under `/osirixgrpc.OsiriXService/` that name no OsiriX RPC.
pub const UNKNOWN_METHOD: &str = "<unknown method>";
/// The counter key of calls of any other service (a gRPC health probe, reflection, any stray path).
pub const OTHER_SERVICE: &str = "<other service>";

/// What a request path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// The OsiriX RPC with this index in [`RPC_NAMES`].
    Rpc(usize),
    UnknownMethod,
    OtherService,
}

/// The path prefix of the OsiriXgrpc methods.
const SERVICE_PREFIX: &str = "/osirixgrpc.OsiriXService/";

impl Route {
    fn of(path: &str) -> Route {
        match path.strip_prefix(SERVICE_PREFIX) {
            Some(method) => RPC_NAMES
                .binary_search(&method)
                .map_or(Route::UnknownMethod, Route::Rpc),
            None => Route::OtherService,
        }
    }

    /// The route a counter key names (an RPC name or one of the two fixed keys).
    fn of_key(key: &str) -> Option<Route> {
        match key {
            UNKNOWN_METHOD => Some(Route::UnknownMethod),
            OTHER_SERVICE => Some(Route::OtherService),
            _ => RPC_NAMES.binary_search(&key).ok().map(Route::Rpc),
        }
    }

    /// The index of its counter: the RPCs, then the two fixed keys.
    fn counter(self) -> usize {
        match self {
            Route::Rpc(i) => i,
            Route::UnknownMethod => RPC_NAMES.len(),
            Route::OtherService => RPC_NAMES.len() + 1,
        }
    }
}

/// Counters, faults and serial mode of one running emulator, shared by the layer and the handle.
#[derive(Debug)]
pub(crate) struct Control {
    /// One counter per OsiriX RPC, then [`UNKNOWN_METHOD`] and [`OTHER_SERVICE`]: a fixed size.
    counters: Box<[AtomicU64]>,
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

impl Control {
    pub(crate) fn new(serial: bool, seed: u64) -> Self {
        Self {
            counters: (0..RPC_NAMES.len() + 2)
                .map(|_| AtomicU64::new(0))
                .collect(),
            total: AtomicU64::new(0),
            faults: Faults::new(seed),
            serial: AtomicBool::new(serial),
            gate: Semaphore::new(1),
            in_flight: AtomicU64::new(0),
            peak_in_flight: AtomicU64::new(0),
        }
    }

    fn count(&self, route: Route) {
        self.counters[route.counter()].fetch_add(1, Ordering::Relaxed);
        if let Route::Rpc(_) = route {
            self.total.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn calls(&self, key: &str) -> u64 {
        Route::of_key(key).map_or(0, |route| {
            self.counters[route.counter()].load(Ordering::Relaxed)
        })
    }

    pub(crate) fn total_calls(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub(crate) fn reset_counters(&self) {
        for counter in &self.counters {
            counter.store(0, Ordering::Relaxed);
        }
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

/// Counts each call; for an OsiriX RPC, then (holding the serial gate if on) waits out injected latency
/// and either answers an injected failure or passes the call on. Other paths pass straight on.
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
            let route = Route::of(request.uri().path());
            control.count(route);
            let Route::Rpc(index) = route else {
                return inner.call(request).await;
            };
            let rpc = RPC_NAMES[index];
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
    fn routes() {
        assert_eq!(RPC_NAMES.len(), 141);
        let version = Route::of("/osirixgrpc.OsiriXService/OsirixVersion");
        assert!(matches!(version, Route::Rpc(i) if RPC_NAMES[i] == "OsirixVersion"));
        assert_eq!(Route::of_key("OsirixVersion"), Some(version));
        assert_eq!(
            Route::of("/osirixgrpc.OsiriXService/NoSuchRpc"),
            Route::UnknownMethod
        );
        assert_eq!(
            Route::of("/osirixgrpc.OsiriXService/"),
            Route::UnknownMethod
        );
        assert_eq!(
            Route::of("/grpc.health.v1.Health/Check"),
            Route::OtherService
        );
        assert_eq!(
            Route::of("/osirixgrpc.OsiriXServiceX/OsirixVersion"),
            Route::OtherService
        );
        assert_eq!(Route::of_key("/grpc.health.v1.Health/Check"), None);
        assert_eq!(Route::of_key(UNKNOWN_METHOD), Some(Route::UnknownMethod));
        assert_eq!(Route::of_key(OTHER_SERVICE), Some(Route::OtherService));
    }

    #[test]
    fn counters_have_a_fixed_size_whatever_the_paths() {
        let control = Control::new(false, 0);
        let size = control.counters.len();
        for i in 0..10_000 {
            control.count(Route::of(&format!("/osirixgrpc.OsiriXService/X{i}")));
            control.count(Route::of(&format!("/other{i}")));
        }
        assert_eq!(control.counters.len(), size);
        assert_eq!(control.calls(UNKNOWN_METHOD), 10_000);
        assert_eq!(control.calls(OTHER_SERVICE), 10_000);
        assert_eq!(control.total_calls(), 0);
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
