//! Starting, controlling and stopping an emulator: [`Emulator::builder`], [`EmulatorBuilder`] and
//! [`RunningEmulator`].

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tonic::transport::server::{Connected, TcpConnectInfo};
use tonic::transport::{Server, ServerTlsConfig};

use crate::Error;
use crate::catalog::Catalog;
use crate::control::{Control, ControlLayer, Faults};
use crate::proto::osiri_x_service_server::OsiriXServiceServer;
use crate::service::{OsirixService, Selection, State};
use crate::uid::{Class, ObjectRef};

/// The `CFBundleShortVersionString` the emulator reports by default (`OsirixVersion`).
pub const DEFAULT_VERSION: &str = "14.0.0";
/// The `CFBundleName` the emulator reports by default (`OsirixVersion`).
pub const DEFAULT_BUNDLE_NAME: &str = "OsiriX MD";
/// OsiriX's send and receive message limit: 512 MiB (spec §1.4).
pub const MAX_MESSAGE_SIZE: usize = 512 * 1024 * 1024;
/// How long [`RunningEmulator::shutdown`] lets calls in flight finish before it closes connections.
const GRACE: Duration = Duration::from_secs(5);

/// Entry point: an OsiriXgrpc server over a [`Catalog`].
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use osirix_emulator::{Catalog, Emulator};
/// let catalog = Catalog::from_dir("/data/dicom")?;
/// let emulator = Emulator::builder(catalog).start("127.0.0.1:0".parse()?).await?;
/// println!("serving on {}", emulator.url());
/// emulator.shutdown().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Emulator {
    _private: (),
}

impl Emulator {
    /// A builder for an emulator serving `catalog` (an owned or shared catalogue).
    pub fn builder(catalog: impl Into<Arc<Catalog>>) -> EmulatorBuilder {
        EmulatorBuilder {
            catalog: catalog.into(),
            serial: false,
            tls: None,
            version: DEFAULT_VERSION.to_owned(),
            bundle_name: DEFAULT_BUNDLE_NAME.to_owned(),
            fault_seed: 0,
        }
    }
}

/// Options of an emulator before it starts. Cheap to clone, so the same options can start it again.
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    catalog: Arc<Catalog>,
    serial: bool,
    tls: Option<ServerTlsConfig>,
    version: String,
    bundle_name: String,
    fault_seed: u64,
}

impl EmulatorBuilder {
    /// Handles one call at a time, like OsiriX's main thread (spec §1.4). Defaults to `false`
    /// (calls run concurrently); can be changed later with [`RunningEmulator::set_serial`].
    pub fn serial(mut self, serial: bool) -> Self {
        self.serial = serial;
        self
    }

    /// Serves over TLS instead of plain HTTP/2 (OsiriX itself has no TLS). Defaults to no TLS.
    pub fn tls(mut self, tls: ServerTlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// The version `OsirixVersion` reports. Defaults to [`DEFAULT_VERSION`].
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// The bundle name `OsirixVersion` reports. Defaults to [`DEFAULT_BUNDLE_NAME`].
    pub fn bundle_name(mut self, bundle_name: impl Into<String>) -> Self {
        self.bundle_name = bundle_name.into();
        self
    }

    /// The seed of the pseudo-random fault choices ([`Faults::fail_fraction`], [`Faults::latency_spikes`]).
    /// Defaults to 0.
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.fault_seed = seed;
        self
    }

    /// Binds `addr` (port 0 picks a free port) and starts serving.
    ///
    /// # Errors
    ///
    /// [`Error::Bind`] if the address cannot be bound, [`Error::Tls`] if the TLS configuration is rejected.
    pub async fn start(self, addr: SocketAddr) -> Result<RunningEmulator, Error> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })?;
        self.start_on(listener).await
    }

    /// Starts serving on an already bound listener.
    ///
    /// # Errors
    ///
    /// [`Error::LocalAddr`] if the listener's address cannot be read, [`Error::Tls`] if the TLS
    /// configuration is rejected.
    pub async fn start_on(self, listener: TcpListener) -> Result<RunningEmulator, Error> {
        let addr = listener.local_addr().map_err(Error::LocalAddr)?;
        let state = Arc::new(State::new(
            Arc::clone(&self.catalog),
            self.version,
            self.bundle_name,
        ));
        let control = Arc::new(Control::new(self.serial, self.fault_seed));
        let tls = self.tls.is_some();
        let mut server = Server::builder();
        if let Some(config) = self.tls {
            server = server.tls_config(config).map_err(Error::Tls)?;
        }
        let service = OsiriXServiceServer::new(OsirixService {
            state: Arc::clone(&state),
        })
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let router = server
            .layer(ControlLayer::new(Arc::clone(&control)))
            .add_service(service);
        let incoming = incoming(listener, control.faults.connection_generation());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            router
                .serve_with_incoming_shutdown(incoming, async {
                    // A dropped sender also stops the server.
                    let _ = stopped.await;
                })
                .await
        });
        tracing::info!(%addr, tls, "emulator listening");
        Ok(RunningEmulator {
            addr,
            tls,
            state,
            control,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running emulator: its address, its control API and its shutdown.
///
/// Dropping it stops the server too (in the background, closing open connections); call
/// [`RunningEmulator::shutdown`] to wait until the port is free.
#[derive(Debug)]
pub struct RunningEmulator {
    addr: SocketAddr,
    tls: bool,
    state: Arc<State>,
    control: Arc<Control>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
}

impl RunningEmulator {
    /// The bound address (with the real port when started on port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL a client connects to: `http://ADDR`, or `https://ADDR` with TLS.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The catalogue being served.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.state.catalog
    }

    /// How many calls of `rpc` (e.g. `"DicomSeriesPaths"`) reached the server since the last reset,
    /// including calls failed by an injected fault and calls of unimplemented RPCs. Calls of paths that
    /// name no OsiriX RPC are counted under [`UNKNOWN_METHOD`](crate::UNKNOWN_METHOD) (under the
    /// OsiriXgrpc service) and [`OTHER_SERVICE`](crate::OTHER_SERVICE) (any other service, such as a
    /// health probe); any other `rpc` is 0.
    pub fn calls(&self, rpc: &str) -> u64 {
        self.control.calls(rpc)
    }

    /// How many calls of OsiriX RPCs (served, failed by a fault, or unimplemented) reached the server since
    /// the last reset; unknown methods and other services are not OsiriX RPCs.
    pub fn total_calls(&self) -> u64 {
        self.control.total_calls()
    }

    /// The largest number of calls handled at the same time since the last reset (1 in serial mode).
    /// A call counts from when it passes the serial gate until its answer is ready, injected latency
    /// included.
    pub fn peak_concurrent_calls(&self) -> u64 {
        self.control.peak_in_flight()
    }

    /// Sets every call counter back to 0 (and the peak of concurrent calls to the current count).
    pub fn reset_counters(&self) {
        self.control.reset_counters();
    }

    /// The fault injection controls.
    pub fn faults(&self) -> &Faults {
        &self.control.faults
    }

    /// Switches serial mode (one call at a time) on or off for calls that arrive from now on.
    pub fn set_serial(&self, serial: bool) {
        self.control.set_serial(serial);
    }

    /// Whether serial mode is on.
    pub fn is_serial(&self) -> bool {
        self.control.is_serial()
    }

    /// Sets the browser selection that `BrowserControllerDatabaseSelection` reports, each list in
    /// selection order.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownUid`] if a uid is not a currently cached series (or study); nothing is changed then.
    pub fn set_selection(
        &self,
        series_uids: Vec<String>,
        study_uids: Vec<String>,
    ) -> Result<(), Error> {
        let resolve = |uid: String, class: Class| match self.state.registry.resolve(&uid, class) {
            Some(ObjectRef::Series(i) | ObjectRef::Study(i)) => Ok(i),
            _ => Err(Error::UnknownUid {
                uid,
                class: class.name(),
            }),
        };
        let series = series_uids
            .into_iter()
            .map(|u| resolve(u, Class::DicomSeries))
            .collect::<Result<_, _>>()?;
        let studies = study_uids
            .into_iter()
            .map(|u| resolve(u, Class::DicomStudy))
            .collect::<Result<_, _>>()?;
        self.state.set_selection(Selection { series, studies });
        Ok(())
    }

    /// Drops `uid` from the cache, as OsiriX does when an object goes away: calls with it now get
    /// `"No <Class> cached"`, and the object gets a new uid the next time an RPC returns it.
    /// Returns whether the uid was cached.
    pub fn forget(&self, uid: &str) -> bool {
        self.state.registry.forget(uid)
    }

    /// The object a uid currently stands for, if it is cached.
    pub fn lookup(&self, uid: &str) -> Option<ObjectRef> {
        self.state.registry.lookup(uid)
    }

    /// The current uid of an object; `None` after [`RunningEmulator::forget`] until an RPC returns it again.
    pub fn uid_of(&self, object: ObjectRef) -> Option<String> {
        self.state.registry.current(object)
    }

    /// The current uid of the browser.
    pub fn browser_uid(&self) -> Option<String> {
        self.uid_of(ObjectRef::Browser)
    }

    /// The current uid of `catalog().studies()[index]`.
    pub fn uid_of_study(&self, index: usize) -> Option<String> {
        self.uid_of(ObjectRef::Study(index))
    }

    /// The current uid of `catalog().series()[index]`.
    pub fn uid_of_series(&self, index: usize) -> Option<String> {
        self.uid_of(ObjectRef::Series(index))
    }

    /// The current uid of `catalog().images()[index]`.
    pub fn uid_of_image(&self, index: usize) -> Option<String> {
        self.uid_of(ObjectRef::Image(index))
    }

    /// Stops accepting calls, lets calls in flight finish (closing connections after a grace period of
    /// a few seconds) and waits until the port is released, so it can be bound again.
    ///
    /// # Errors
    ///
    /// [`Error::Server`] if the server had failed.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        let joined = match tokio::time::timeout(GRACE, &mut task).await {
            Ok(joined) => joined,
            Err(_) => {
                tracing::warn!("calls still running after the grace period, closing connections");
                self.control.faults.drop_connections();
                match tokio::time::timeout(GRACE, &mut task).await {
                    Ok(joined) => joined,
                    Err(_) => {
                        task.abort();
                        task.await
                    }
                }
            }
        };
        tracing::info!(addr = %self.addr, "emulator stopped");
        match joined {
            Ok(result) => result.map_err(Error::Server),
            Err(e) if e.is_cancelled() => Ok(()),
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
            self.control.faults.drop_connections();
        }
    }
}

/// The accepted connections of `listener`, each closable through the generation counter.
/// Accept errors (such as running out of file descriptors) are logged and retried, never fatal.
fn incoming(
    listener: TcpListener,
    generation: watch::Receiver<u64>,
) -> impl Stream<Item = Result<DroppableStream, io::Error>> {
    futures_util::stream::unfold(
        (listener, generation),
        |(listener, generation)| async move {
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        let _ = stream.set_nodelay(true);
                        let conn = DroppableStream::new(stream, generation.clone());
                        return Some((Ok(conn), (listener, generation)));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                }
            }
        },
    )
}

/// A TCP connection that fails all I/O once the connection generation moves past the one it was
/// accepted in ([`Faults::drop_connections`]); the server then closes it.
struct DroppableStream {
    inner: TcpStream,
    dropped: Pin<Box<dyn Future<Output = ()> + Send>>,
    is_dropped: bool,
}

impl std::fmt::Debug for DroppableStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DroppableStream")
            .field("inner", &self.inner)
            .field("is_dropped", &self.is_dropped)
            .finish()
    }
}

impl DroppableStream {
    fn new(inner: TcpStream, mut generation: watch::Receiver<u64>) -> Self {
        let accepted_in = *generation.borrow_and_update();
        let dropped = Box::pin(async move {
            if generation.wait_for(|g| *g != accepted_in).await.is_err() {
                // The emulator is gone; the server closes its connections itself.
                std::future::pending::<()>().await;
            }
        });
        Self {
            inner,
            dropped,
            is_dropped: false,
        }
    }

    fn check(&mut self, cx: &mut Context<'_>) -> io::Result<()> {
        if !self.is_dropped && self.dropped.as_mut().poll(cx).is_ready() {
            self.is_dropped = true;
            tracing::debug!("dropping a connection");
        }
        if self.is_dropped {
            Err(io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection dropped by the emulator",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for DroppableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check(cx)?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DroppableStream {
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

impl Connected for DroppableStream {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.inner.connect_info()
    }
}
