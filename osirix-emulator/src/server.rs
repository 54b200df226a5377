//! Starting, controlling and stopping an emulator: [`Emulator::builder`], [`EmulatorBuilder`] and
//! [`RunningEmulator`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::{Server, ServerTlsConfig};

use crate::Error;
use crate::catalog::Catalog;
use crate::connections::{self, ActivityLayer, ConnectionLimits, Registry};
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

/// The default of [`EmulatorBuilder::max_connections`]: 4096 open connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// The default of [`EmulatorBuilder::max_concurrent_streams`]: 1024 calls at once per connection.
pub const DEFAULT_MAX_CONCURRENT_STREAMS: u32 = 1024;
/// The default of [`EmulatorBuilder::max_header_list_size`]: 16 KiB of request headers.
pub const DEFAULT_MAX_HEADER_LIST_SIZE: u32 = 16 * 1024;
/// The default of [`EmulatorBuilder::handshake_timeout`]: 10 s.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The default of [`EmulatorBuilder::idle_timeout`]: 5 minutes.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(300);
/// The default of [`EmulatorBuilder::request_timeout`]: 5 minutes.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

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
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_concurrent_streams: DEFAULT_MAX_CONCURRENT_STREAMS,
            max_header_list_size: DEFAULT_MAX_HEADER_LIST_SIZE,
            handshake_timeout: Some(DEFAULT_HANDSHAKE_TIMEOUT),
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
        }
    }
}

/// Options of an emulator before it starts. Cheap to clone, so the same options can start it again.
///
/// The limits on connections keep hostile or broken clients (silent sockets, stalled calls, floods of
/// connections) from stopping the emulator; their defaults are far above what a test harness does.
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    catalog: Arc<Catalog>,
    serial: bool,
    tls: Option<ServerTlsConfig>,
    version: String,
    bundle_name: String,
    fault_seed: u64,
    max_connections: usize,
    max_concurrent_streams: u32,
    max_header_list_size: u32,
    handshake_timeout: Option<Duration>,
    idle_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
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

    /// The most connections open at once. Default: [`DEFAULT_MAX_CONNECTIONS`] (4096).
    ///
    /// At the limit, and whenever the process runs out of file descriptors, the connection that has waited
    /// longest without a call in progress is closed to make room (one that never sent anything first); a new
    /// connection is refused only when every open connection has a call in progress. Values below 1 are
    /// taken as 1.
    pub fn max_connections(mut self, limit: usize) -> Self {
        self.max_connections = limit.max(1);
        self
    }

    /// The most calls (HTTP/2 streams) open at once on one connection, announced to clients, which queue
    /// the rest. Default: [`DEFAULT_MAX_CONCURRENT_STREAMS`] (1024). Values below 1 are taken as 1.
    pub fn max_concurrent_streams(mut self, limit: u32) -> Self {
        self.max_concurrent_streams = limit.max(1);
        self
    }

    /// The largest request header list (path and metadata, as HTTP/2 counts it) accepted. Default:
    /// [`DEFAULT_MAX_HEADER_LIST_SIZE`] (16 KiB).
    pub fn max_header_list_size(mut self, bytes: u32) -> Self {
        self.max_header_list_size = bytes;
        self
    }

    /// How long a new connection may take to send the 24-byte HTTP/2 preface (with TLS, as many bytes of
    /// its handshake) before it is closed; `None` for no limit. Default: [`DEFAULT_HANDSHAKE_TIMEOUT`]
    /// (10 s).
    pub fn handshake_timeout(mut self, limit: Option<Duration>) -> Self {
        self.handshake_timeout = limit;
        self
    }

    /// How long a connection may stay without a call in progress before it is closed (a client reconnects
    /// on its next call); `None` for no limit. Default: [`DEFAULT_IDLE_TIMEOUT`] (5 minutes).
    pub fn idle_timeout(mut self, limit: Option<Duration>) -> Self {
        self.idle_timeout = limit;
        self
    }

    /// How long a call may take, from its headers to its answer, before it is answered `CANCELLED` and its
    /// stream ends: this bounds a stalled call whose client never sends its message, and covers injected
    /// latency and waiting for the serial gate too. `None` for no limit. Default:
    /// [`DEFAULT_REQUEST_TIMEOUT`] (5 minutes).
    pub fn request_timeout(mut self, limit: Option<Duration>) -> Self {
        self.request_timeout = limit;
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
        let mut server = Server::builder()
            .max_concurrent_streams(self.max_concurrent_streams)
            .http2_max_header_list_size(self.max_header_list_size);
        if let Some(limit) = self.request_timeout {
            server = server.timeout(limit);
        }
        if let Some(config) = self.tls {
            server = server.tls_config(config).map_err(Error::Tls)?;
        }
        let service = OsiriXServiceServer::new(OsirixService {
            state: Arc::clone(&state),
        })
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let router = server
            .layer(ActivityLayer)
            .layer(ControlLayer::new(Arc::clone(&control)))
            .add_service(service);
        let registry = Registry::new(ConnectionLimits {
            max_connections: self.max_connections,
            handshake_timeout: self.handshake_timeout,
            idle_timeout: self.idle_timeout,
        });
        connections::spawn_reaper(&registry);
        let incoming =
            connections::incoming(listener, control.faults.connection_generation(), registry);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_as_documented() {
        let b = Emulator::builder(Catalog::from_headers(Vec::new()));
        assert_eq!(b.max_connections, 4096);
        assert_eq!(b.max_concurrent_streams, 1024);
        assert_eq!(b.max_header_list_size, 16 * 1024);
        assert_eq!(b.handshake_timeout, Some(Duration::from_secs(10)));
        assert_eq!(b.idle_timeout, Some(Duration::from_secs(300)));
        assert_eq!(b.request_timeout, Some(Duration::from_secs(300)));
        assert!(!b.serial && b.tls.is_none() && b.fault_seed == 0);
        assert_eq!(
            (b.version.as_str(), b.bundle_name.as_str()),
            ("14.0.0", "OsiriX MD")
        );
        // Limits below 1 are taken as 1.
        let b = b.max_connections(0).max_concurrent_streams(0);
        assert_eq!((b.max_connections, b.max_concurrent_streams), (1, 1));
    }
}
