//! The emulator's connections: the accept loop, the limits on open connections, and the closing of silent,
//! idle and dropped ones.
//!
//! Every accepted socket is registered with a [`Tracker`] that knows whether the peer has sent the HTTP/2
//! preface yet and how many of its calls are in progress ([`ActivityLayer`] counts them). A reaper closes
//! connections that stay silent past the handshake timeout or idle past the idle timeout. At the connection
//! limit, or when the process runs out of file descriptors, the accept loop closes the connection that has
//! waited longest without a call in progress (one that never sent anything first) to make room, and refuses
//! the newcomer only when every open connection has a call in progress: legitimate clients keep working while
//! silent ones are shed. Closing a connection fails its I/O, which makes the server drop it.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::Stream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tonic::body::Body;
use tonic::transport::server::Connected;
use tower::{Layer, Service};

/// The HTTP/2 connection preface a client sends first (`PRI * HTTP/2.0...`): 24 bytes.
const PREFACE_LEN: u64 = 24;
/// The first pause of the accept loop after a failure; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(1);
/// The longest pause of the accept loop after failures.
const MAX_BACKOFF: Duration = Duration::from_secs(1);
/// At most one warning per kind of trouble this often; the warnings in between are folded into a count.
const WARNING_INTERVAL: Duration = Duration::from_secs(5);
/// How long a new connection may go without its preface before it counts as silent when room is needed: a
/// client sends its preface as soon as it has connected, a round trip at most.
const PREFACE_GRACE: Duration = Duration::from_secs(1);

/// When connections are closed and how many may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ConnectionLimits {
    pub(crate) max_connections: usize,
    pub(crate) handshake_timeout: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
}

/// One accepted connection's state, shared by its I/O, its calls and the registry.
#[derive(Debug)]
pub(crate) struct Tracker {
    id: u64,
    accepted: Instant,
    /// Whether the peer has sent at least the preface's worth of bytes.
    greeted: AtomicBool,
    /// Calls in progress.
    active: AtomicUsize,
    /// When the last call started or ended, in milliseconds after `accepted`.
    last_active_ms: AtomicU64,
    close: watch::Sender<bool>,
}

impl Tracker {
    fn idle_since(&self) -> Instant {
        self.accepted + Duration::from_millis(self.last_active_ms.load(Ordering::Relaxed))
    }

    fn touch(&self) {
        let ms = u64::try_from(self.accepted.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_active_ms.store(ms, Ordering::Relaxed);
    }

    fn is_idle(&self) -> bool {
        self.active.load(Ordering::Acquire) == 0
    }

    fn close(&self, why: &'static str) {
        if !self.close.send_replace(true) {
            tracing::debug!(connection = self.id, why, "closing a connection");
        }
    }
}

/// The open connections of one emulator.
#[derive(Debug)]
pub(crate) struct Registry {
    limits: ConnectionLimits,
    open: Mutex<HashMap<u64, Arc<Tracker>>>,
    next_id: AtomicU64,
}

impl Registry {
    pub(crate) fn new(limits: ConnectionLimits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
        })
    }

    fn open(&self) -> MutexGuard<'_, HashMap<u64, Arc<Tracker>>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a connection accepted at `now`, closing an idle one first at the limit; `None` refuses it
    /// (every connection has a call in progress).
    fn admit(&self, now: Instant) -> Option<Arc<Tracker>> {
        let mut open = self.open();
        if open.len() >= self.limits.max_connections {
            let victim = Self::longest_waiting(&open, now)?;
            if let Some(tracker) = open.remove(&victim) {
                tracker.close("connection limit reached");
            }
        }
        let tracker = Arc::new(Tracker {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            accepted: now,
            greeted: AtomicBool::new(false),
            active: AtomicUsize::new(0),
            last_active_ms: AtomicU64::new(0),
            close: watch::Sender::new(false),
        });
        open.insert(tracker.id, Arc::clone(&tracker));
        Some(tracker)
    }

    /// Closes the connection that has waited longest without a call in progress, to free its descriptor.
    /// Returns whether there was one.
    fn shed_one(&self, why: &'static str, now: Instant) -> bool {
        let mut open = self.open();
        let Some(victim) = Self::longest_waiting(&open, now) else {
            return false;
        };
        if let Some(tracker) = open.remove(&victim) {
            tracker.close(why);
        }
        true
    }

    /// The connection without a call in progress to give up first: a silent one (no preface after
    /// [`PREFACE_GRACE`]), the oldest; else the one idle the longest; else the oldest of those just
    /// accepted, which are most likely sending their preface now.
    fn longest_waiting(open: &HashMap<u64, Arc<Tracker>>, now: Instant) -> Option<u64> {
        open.values()
            .filter(|t| t.is_idle())
            .min_by_key(|t| {
                // Ties go to the first accepted.
                if t.greeted.load(Ordering::Relaxed) {
                    (1, t.idle_since(), t.id)
                } else if now.saturating_duration_since(t.accepted) >= PREFACE_GRACE {
                    (0, t.accepted, t.id)
                } else {
                    (2, t.accepted, t.id)
                }
            })
            .map(|t| t.id)
    }

    /// Closes the connections past their handshake or idle timeout.
    fn reap(&self, now: Instant) {
        let ConnectionLimits {
            handshake_timeout,
            idle_timeout,
            ..
        } = self.limits;
        self.open().retain(|_, t| {
            let silent = !t.greeted.load(Ordering::Relaxed)
                && handshake_timeout.is_some_and(|limit| now >= t.accepted + limit);
            if silent {
                t.close("no HTTP/2 preface within the handshake timeout");
                return false;
            }
            let idle =
                t.is_idle() && idle_timeout.is_some_and(|limit| now >= t.idle_since() + limit);
            if idle {
                t.close("idle past the idle timeout");
                return false;
            }
            true
        });
    }

    fn forget(&self, id: u64) {
        self.open().remove(&id);
    }

    /// How often the reaper looks: a quarter of the shortest timeout, between 10 ms and 1 s; `None` when no
    /// timeout is set.
    fn reap_interval(&self) -> Option<Duration> {
        let shortest = match (self.limits.handshake_timeout, self.limits.idle_timeout) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        Some((shortest / 4).clamp(Duration::from_millis(10), Duration::from_secs(1)))
    }
}

/// Runs the reaper of `registry` until the registry is gone (the server stopped).
pub(crate) fn spawn_reaper(registry: &Arc<Registry>) {
    let Some(every) = registry.reap_interval() else {
        return;
    };
    let registry = Arc::downgrade(registry);
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(registry) = registry.upgrade() else {
                return;
            };
            registry.reap(Instant::now());
        }
    });
}

/// A warning printed at most once per [`WARNING_INTERVAL`], with the number of occurrences folded into it.
#[derive(Debug, Default)]
struct FoldedWarning {
    last: Option<Instant>,
    folded: u64,
}

impl FoldedWarning {
    /// Counts one occurrence; returns how many to report (this one included) when a warning is due.
    fn note(&mut self) -> Option<u64> {
        self.folded += 1;
        let due = self.last.is_none_or(|at| at.elapsed() >= WARNING_INTERVAL);
        due.then(|| {
            self.last = Some(Instant::now());
            std::mem::take(&mut self.folded)
        })
    }
}

/// The accept loop's state between connections.
struct Acceptor {
    listener: TcpListener,
    generation: watch::Receiver<u64>,
    registry: Arc<Registry>,
    backoff: Duration,
    accept_failures: FoldedWarning,
    refusals: FoldedWarning,
}

/// The accepted connections of `listener`. Accept errors (such as running out of file descriptors) are
/// retried after an exponential backoff and warned about at most every few seconds, never fatal; running out
/// of descriptors also sheds an idle connection.
pub(crate) fn incoming(
    listener: TcpListener,
    generation: watch::Receiver<u64>,
    registry: Arc<Registry>,
) -> impl Stream<Item = Result<Connection, io::Error>> {
    let acceptor = Acceptor {
        listener,
        generation,
        registry,
        backoff: FIRST_BACKOFF,
        accept_failures: FoldedWarning::default(),
        refusals: FoldedWarning::default(),
    };
    futures_util::stream::unfold(acceptor, |mut acceptor| async move {
        loop {
            match acceptor.listener.accept().await {
                Ok((stream, _)) => {
                    acceptor.backoff = FIRST_BACKOFF;
                    let Some(tracker) = acceptor.registry.admit(Instant::now()) else {
                        if let Some(n) = acceptor.refusals.note() {
                            tracing::warn!(
                                refused = n,
                                limit = acceptor.registry.limits.max_connections,
                                "connection limit reached and every connection has a call in progress: refusing new connections"
                            );
                        }
                        drop(stream);
                        continue;
                    };
                    let _ = stream.set_nodelay(true);
                    let conn = Connection::new(
                        stream,
                        tracker,
                        &acceptor.registry,
                        acceptor.generation.clone(),
                    );
                    return Some((Ok(conn), acceptor));
                }
                Err(e) => {
                    let exhausted = is_out_of_descriptors(&e)
                        && acceptor
                            .registry
                            .shed_one("out of file descriptors", Instant::now());
                    if let Some(n) = acceptor.accept_failures.note() {
                        tracing::warn!(
                            error = %e,
                            failures = n,
                            shedding_idle_connections = exhausted,
                            "accept failed; retrying with backoff"
                        );
                    }
                    tokio::time::sleep(acceptor.backoff).await;
                    acceptor.backoff = (acceptor.backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    })
}

/// EMFILE or ENFILE: the process or the system has no descriptor left for the new socket.
fn is_out_of_descriptors(e: &io::Error) -> bool {
    // The raw codes of Linux and macOS alike.
    const EMFILE: i32 = 24;
    const ENFILE: i32 = 23;
    matches!(e.raw_os_error(), Some(EMFILE | ENFILE))
}

/// What the server knows of a connection, in every request's extensions.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionInfo {
    tracker: Arc<Tracker>,
}

/// A TCP connection that fails all I/O once it is closed: by the registry (limits, timeouts) or by
/// [`Faults::drop_connections`](crate::Faults::drop_connections) (the connection generation moves past the
/// one it was accepted in). The server then drops it, which closes the socket.
pub(crate) struct Connection {
    inner: TcpStream,
    tracker: Arc<Tracker>,
    registry: Weak<Registry>,
    closed: Pin<Box<dyn Future<Output = ()> + Send>>,
    is_closed: bool,
    bytes_read: u64,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("inner", &self.inner)
            .field("tracker", &self.tracker)
            .field("is_closed", &self.is_closed)
            .finish_non_exhaustive()
    }
}

impl Connection {
    fn new(
        inner: TcpStream,
        tracker: Arc<Tracker>,
        registry: &Arc<Registry>,
        mut generation: watch::Receiver<u64>,
    ) -> Self {
        let accepted_in = *generation.borrow_and_update();
        let mut close = tracker.close.subscribe();
        let closed = Box::pin(async move {
            let gone = tokio::select! {
                dropped = generation.wait_for(|g| *g != accepted_in) => dropped.is_err(),
                closed = close.wait_for(|c| *c) => closed.is_err(),
            };
            if gone {
                // The emulator is gone; the server closes its connections itself.
                std::future::pending::<()>().await;
            }
        });
        Self {
            inner,
            tracker,
            registry: Arc::downgrade(registry),
            closed,
            is_closed: false,
            bytes_read: 0,
        }
    }

    fn check(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        if !self.is_closed && self.closed.as_mut().poll(cx).is_ready() {
            self.is_closed = true;
        }
        if self.is_closed {
            Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection closed by the emulator",
            ))
        } else {
            Ok(())
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(registry) = self.registry.upgrade() {
            registry.forget(self.tracker.id);
        }
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check(cx)?;
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if self.bytes_read < PREFACE_LEN {
            self.bytes_read += (buf.filled().len() - before) as u64;
            if self.bytes_read >= PREFACE_LEN {
                self.tracker.greeted.store(true, Ordering::Relaxed);
                self.tracker.touch();
            }
        }
        result
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check(cx)?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check(cx)?;
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check(cx)?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl Connected for Connection {
    type ConnectInfo = ConnectionInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        ConnectionInfo {
            tracker: Arc::clone(&self.tracker),
        }
    }
}

/// Counts each call as in progress on its connection until its answer is ready, so that a connection with
/// calls in progress is never idle.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ActivityLayer;

impl<S> Layer<S> for ActivityLayer {
    type Service = Activity<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Activity { inner }
    }
}

/// The service of [`ActivityLayer`].
#[derive(Debug, Clone)]
pub(crate) struct Activity<S> {
    inner: S,
}

/// A call in progress on a connection, until dropped.
struct Busy(Option<Arc<Tracker>>);

impl Busy {
    fn enter(tracker: Option<Arc<Tracker>>) -> Self {
        if let Some(t) = &tracker {
            t.active.fetch_add(1, Ordering::AcqRel);
            t.touch();
        }
        Self(tracker)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if let Some(t) = &self.0 {
            t.touch();
            t.active.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

impl<S> Service<http::Request<Body>> for Activity<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>> + Send,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let tracker = request
            .extensions()
            .get::<ConnectionInfo>()
            .map(|info| Arc::clone(&info.tracker));
        let busy = Busy::enter(tracker);
        let answer = self.inner.call(request);
        Box::pin(async move {
            let _busy = busy;
            answer.await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(max_connections: usize) -> ConnectionLimits {
        ConnectionLimits {
            max_connections,
            handshake_timeout: Some(Duration::from_secs(10)),
            idle_timeout: Some(Duration::from_secs(60)),
        }
    }

    #[test]
    fn at_the_limit_the_longest_waiting_idle_connection_makes_way() {
        let registry = Registry::new(limits(4));
        let start = Instant::now();
        let silent = registry.admit(start).expect("room");
        let busy = registry.admit(start).expect("room");
        busy.greeted.store(true, Ordering::Relaxed);
        let _call = Busy::enter(Some(Arc::clone(&busy)));
        let idle = registry.admit(start).expect("room");
        idle.greeted.store(true, Ordering::Relaxed);
        let later = start + PREFACE_GRACE;
        let young = registry.admit(later).expect("room");
        // Silent past the grace first, then idle, then the newcomers; never a connection with a call.
        let fifth = registry.admit(later).expect("the silent one makes way");
        assert!(*silent.close.borrow());
        assert!(!*idle.close.borrow() && !*young.close.borrow());
        let _sixth = registry.admit(later).expect("then the idle one");
        assert!(*idle.close.borrow());
        assert!(!*young.close.borrow() && !*fifth.close.borrow());
        let _seventh = registry.admit(later).expect("then the oldest newcomer");
        assert!(*young.close.borrow());
        assert!(!*busy.close.borrow() && !*fifth.close.borrow());
        assert_eq!(registry.open().len(), 4);
    }

    #[test]
    fn a_newcomer_is_refused_when_every_connection_is_busy() {
        let registry = Registry::new(limits(2));
        let now = Instant::now();
        let a = registry.admit(now).expect("room");
        let b = registry.admit(now).expect("room");
        let _calls = (Busy::enter(Some(a)), Busy::enter(Some(b)));
        assert!(registry.admit(now).is_none());
        assert!(!registry.shed_one("test", now));
    }

    #[test]
    fn the_reaper_closes_silent_and_idle_connections_only() {
        let registry = Registry::new(limits(10));
        let now = Instant::now();
        let silent = registry.admit(now).expect("room");
        let idle = registry.admit(now).expect("room");
        idle.greeted.store(true, Ordering::Relaxed);
        let busy = registry.admit(now).expect("room");
        busy.greeted.store(true, Ordering::Relaxed);
        let _call = Busy::enter(Some(Arc::clone(&busy)));
        registry.reap(now + Duration::from_secs(11));
        assert!(*silent.close.borrow() && !*idle.close.borrow());
        registry.reap(now + Duration::from_secs(61));
        assert!(*idle.close.borrow() && !*busy.close.borrow());
        assert_eq!(registry.open().len(), 1);
    }

    #[test]
    fn warnings_are_folded() {
        let mut warning = FoldedWarning::default();
        assert_eq!(warning.note(), Some(1));
        assert_eq!((0..99).filter_map(|_| warning.note()).count(), 0);
        warning.last = Some(Instant::now() - WARNING_INTERVAL);
        assert_eq!(warning.note(), Some(100));
    }

    #[test]
    fn the_reaper_looks_a_quarter_of_the_shortest_timeout_apart() {
        let mut l = limits(1);
        assert_eq!(
            Registry::new(l).reap_interval(),
            Some(Duration::from_secs(1))
        );
        l.handshake_timeout = Some(Duration::from_millis(200));
        assert_eq!(
            Registry::new(l).reap_interval(),
            Some(Duration::from_millis(50))
        );
        l.handshake_timeout = None;
        l.idle_timeout = None;
        assert_eq!(Registry::new(l).reap_interval(), None);
    }
}
