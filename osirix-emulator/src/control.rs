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
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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
    holds: Holds,
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
            holds: Holds::default(),
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

    /// Holds every answer of `rpc` (an OsiriX RPC name such as `"DicomSeriesModality"`) computed from now on,
    /// until the returned [`Hold`] is released or dropped: the call is served as usual, then its answer waits.
    /// Calls of other RPCs flow as usual, in serial mode too (a held answer does not keep the serial gate).
    /// `None` when `rpc` is not a method of the service.
    ///
    /// For deterministic tests of what a client does while an answer is on its way:
    ///
    /// ```no_run
    /// # async fn demo(emulator: &osirix_emulator::RunningEmulator) {
    /// let hold = emulator.faults().hold("DicomSeriesModality").expect("an OsiriX RPC");
    /// // ... start a call of DicomSeriesModality on a task ...
    /// hold.until_held(1).await; // its answer is computed and waiting
    /// // ... change what the client or the server knows ...
    /// hold.release(); // the answer goes out
    /// # }
    /// ```
    pub fn hold(&self, rpc: &str) -> Option<Hold> {
        let index = RPC_NAMES.binary_search(&rpc).ok()?;
        Some(self.holds.add(index))
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

/// The holds of one emulator. `active` lets a call skip the lock when nothing is held (the usual case).
#[derive(Debug, Default)]
struct Holds {
    active: AtomicUsize,
    list: Mutex<Vec<Arc<HoldState>>>,
}

/// One [`Hold`]: the RPC it holds, how many answers it has held so far, and whether it was released.
#[derive(Debug)]
struct HoldState {
    rpc: usize,
    held: watch::Sender<usize>,
    released: watch::Sender<bool>,
}

impl Holds {
    fn list(&self) -> MutexGuard<'_, Vec<Arc<HoldState>>> {
        self.list.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn add(&self, rpc: usize) -> Hold {
        let state = Arc::new(HoldState {
            rpc,
            held: watch::Sender::new(0),
            released: watch::Sender::new(false),
        });
        let mut list = self.list();
        list.retain(|h| !*h.released.borrow());
        list.push(Arc::clone(&state));
        self.active.store(list.len(), Ordering::SeqCst);
        Hold { state }
    }

    /// Waits until every hold of `rpc` is released, counting this answer as held by each. Released holds are
    /// forgotten on the way.
    async fn wait(&self, rpc: usize) {
        if self.active.load(Ordering::SeqCst) == 0 {
            return;
        }
        let holding: Vec<Arc<HoldState>> = {
            let mut list = self.list();
            list.retain(|h| !*h.released.borrow());
            self.active.store(list.len(), Ordering::SeqCst);
            list.iter().filter(|h| h.rpc == rpc).cloned().collect()
        };
        for hold in holding {
            let mut released = hold.released.subscribe();
            hold.held.send_modify(|n| *n += 1);
            // The sender lives in `hold`: the wait ends when it is released.
            let _ = released.wait_for(|r| *r).await;
        }
    }
}

/// Answers of one RPC held back by [`Faults::hold`]: they go out when this is released or dropped.
#[derive(Debug)]
#[must_use = "dropping a hold releases it at once"]
pub struct Hold {
    state: Arc<HoldState>,
}

impl Hold {
    /// How many answers this hold has held back so far (released ones included).
    pub fn held(&self) -> usize {
        *self.state.held.borrow()
    }

    /// Waits until this hold has held back `n` answers in all.
    pub async fn until_held(&self, n: usize) {
        let mut held = self.state.held.subscribe();
        // The sender lives in `self.state`: it cannot be gone while `self` is borrowed.
        let _ = held.wait_for(|held| *held >= n).await;
    }

    /// Lets every held answer go out; later answers of the RPC are no longer held.
    pub fn release(self) {}
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.state.released.send_replace(true);
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
            let response = {
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
                inner.call(request).await?
            };
            // A held answer waits outside the serial gate (and is no longer counted in flight), so that other
            // calls go on.
            control.faults.holds.wait(index).await;
            Ok(response)
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
    type Inner = tower::util::BoxCloneService<
        http::Request<Body>,
        http::Response<Body>,
        std::convert::Infallible,
    >;

    /// The control layer in front of a service that answers every call at once.
    fn served(control: &Arc<Control>) -> ControlService<Inner> {
        let inner = Inner::new(tower::service_fn(|_: http::Request<Body>| async {
            Ok(http::Response::new(Body::empty()))
        }));
        ControlLayer::new(Arc::clone(control)).layer(inner)
    }

    /// Calls `rpc` on a task of its own.
    fn spawn_call(service: &ControlService<Inner>, rpc: &str) -> tokio::task::JoinHandle<()> {
        let mut service = service.clone();
        let request = http::Request::builder()
            .uri(format!("{SERVICE_PREFIX}{rpc}"))
            .body(Body::empty())
            .expect("a request");
        tokio::spawn(async move {
            let _ = service.call(request).await;
        })
    }

    #[tokio::test]
    async fn a_hold_keeps_one_rpc_answer_until_released_and_lets_others_through() {
        let control = Arc::new(Control::new(true, 0));
        let service = served(&control);
        assert!(control.faults.hold("NoSuchRpc").is_none());
        let hold = control
            .faults
            .hold("DicomSeriesModality")
            .expect("an OsiriX RPC");
        let held = spawn_call(&service, "DicomSeriesModality");
        hold.until_held(1).await;
        assert_eq!(hold.held(), 1);
        assert_eq!(control.calls("DicomSeriesModality"), 1, "served, then held");
        // Other RPCs flow, in serial mode too: the held answer does not keep the gate.
        tokio::time::timeout(
            Duration::from_secs(10),
            spawn_call(&service, "OsirixVersion"),
        )
        .await
        .expect("another RPC is answered while one is held")
        .expect("the call task");
        tokio::task::yield_now().await;
        assert!(!held.is_finished(), "the held answer waits");
        hold.release();
        tokio::time::timeout(Duration::from_secs(10), held)
            .await
            .expect("released")
            .expect("the call task");
        // Once released, later answers of that RPC are not held; a dropped hold releases too.
        tokio::time::timeout(
            Duration::from_secs(10),
            spawn_call(&service, "DicomSeriesModality"),
        )
        .await
        .expect("no longer held")
        .expect("the call task");
        let dropped = control
            .faults
            .hold("DicomSeriesName")
            .expect("an OsiriX RPC");
        let waiting = spawn_call(&service, "DicomSeriesName");
        dropped.until_held(1).await;
        drop(dropped);
        tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("a dropped hold releases")
            .expect("the call task");
        assert_eq!(control.faults.holds.active.load(Ordering::SeqCst), 1);
        let _ = spawn_call(&service, "OsirixVersion").await;
        assert_eq!(
            control.faults.holds.active.load(Ordering::SeqCst),
            0,
            "released holds are forgotten"
        );
    }
}
