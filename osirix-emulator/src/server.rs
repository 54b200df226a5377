//! Starting, controlling and stopping an emulator: [`Emulator::builder`], [`EmulatorBuilder`] and
//! [`RunningEmulator`].

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Server;
#[cfg(feature = "tls")]
use tonic::transport::ServerTlsConfig;

use crate::Error;
use crate::connections::{self, ActivityLayer, ConnectionLimits, Registry};
use crate::control::{Control, ControlLayer, Faults};
use crate::database::Catalog;
use crate::import::{self, ImportReport, Importer};
use crate::pixels::{DEFAULT_PIXEL_MEMORY, PixelCache};
use crate::proto::osiri_x_service_server::OsiriXServiceServer;
use crate::registry::{Class, ObjectRef};
use crate::service::OsirixService;
use crate::state::{Selection, State};

/// The `CFBundleShortVersionString` the emulator reports by default (`OsirixVersion`).
pub const DEFAULT_VERSION: &str = "14.0.0";
/// The `CFBundleName` the emulator reports by default (`OsirixVersion`).
pub const DEFAULT_BUNDLE_NAME: &str = "OsiriX MD";
/// OsiriX's send and receive message limit: 512 MiB.
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
    /// A builder for an emulator serving `catalog` (an owned or shared catalogue). Its database is
    /// read-only unless [`EmulatorBuilder::database_folder`] gives it a folder to import into.
    pub fn builder(catalog: impl Into<Arc<Catalog>>) -> EmulatorBuilder {
        EmulatorBuilder {
            catalog: catalog.into(),
            database_folder: None,
            pixel_memory: DEFAULT_PIXEL_MEMORY,
            serial: false,
            #[cfg(feature = "tls")]
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

    /// A builder for an emulator that owns the database folder `dir`: it starts from what `dir` holds
    /// (read recursively; an empty or new folder gives an empty database) and imports copy files into
    /// `dir/imported/`, so an emulator started again on `dir` finds them there.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// use osirix_emulator::Emulator;
    /// let emulator = Emulator::open_database("/tmp/osirix-database")?
    ///     .start("127.0.0.1:0".parse()?)
    ///     .await?;
    /// let report = emulator.import(vec!["/data/phantom".into()]).await?;
    /// println!("imported {} files", report.imported);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Folder`] when `dir` cannot be created or read.
    pub fn open_database(dir: impl AsRef<Path>) -> Result<EmulatorBuilder, Error> {
        let dir = dir.as_ref();
        let folder_error = |source| Error::Folder {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(folder_error)?;
        let dir = std::path::absolute(dir).map_err(folder_error)?;
        import::remove_partial_copies(&dir);
        let catalog = Catalog::from_dir(&dir)?;
        Ok(Emulator::builder(catalog).database_folder(dir))
    }
}

/// Options of an emulator before it starts. Cheap to clone, so the same options can start it again.
///
/// The limits on connections keep hostile or broken clients (silent sockets, stalled calls, floods of
/// connections) from stopping the emulator; their defaults are far above what a test harness does.
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    catalog: Arc<Catalog>,
    database_folder: Option<PathBuf>,
    pixel_memory: usize,
    serial: bool,
    #[cfg(feature = "tls")]
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
    /// The catalogue the emulator will start from.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// The folder the database owns: imports (`BrowserControllerCopyFilesIfNeeded`,
    /// [`RunningEmulator::import`]) copy files into `folder/imported/`. Without one (the default) the
    /// database is read-only and an import answers status 0 with a message that says so.
    pub fn database_folder(mut self, folder: impl Into<PathBuf>) -> Self {
        self.database_folder = Some(folder.into());
        self
    }

    /// How many bytes of decoded pixels that nobody changed may be kept, across all DCMPix. Default:
    /// [`DEFAULT_PIXEL_MEMORY`] (512 MiB).
    ///
    /// Opening a viewer decodes nothing: a DCMPix's frame is decoded when its pixels are first asked for.
    /// Past this budget the least recently used decoded buffers are dropped, to be decoded again from their
    /// files when asked for. Pixels changed through the API (SetImage, ConvertToRGB, ConvertToBW) cannot be
    /// decoded again, so they are kept for as long as their DCMPix lives and do not count here.
    pub fn pixel_memory(mut self, bytes: usize) -> Self {
        self.pixel_memory = bytes;
        self
    }

    /// Handles one call at a time, like OsiriX's main thread. Defaults to `false`
    /// (calls run concurrently); can be changed later with [`RunningEmulator::set_serial`].
    pub fn serial(mut self, serial: bool) -> Self {
        self.serial = serial;
        self
    }

    /// Serves over TLS instead of plain HTTP/2 (OsiriX itself has no TLS). Defaults to no TLS. Needs the
    /// crate's `tls` feature.
    #[cfg(feature = "tls")]
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
    /// [`Error::Bind`] if the address cannot be bound, `Error::Tls` (with the `tls` feature) if the TLS configuration is rejected.
    pub async fn start(self, addr: SocketAddr) -> Result<RunningEmulator, Error> {
        self.start_all(&[addr]).await
    }

    /// Binds every address of `addrs` and serves the same state on all of them, as OsiriX's servers share
    /// one cache: a uid handed out on one address resolves on the others.
    ///
    /// # Errors
    ///
    /// [`Error::Bind`] if an address cannot be bound (or none is given), `Error::Tls` (with the `tls` feature) if the TLS
    /// configuration is rejected.
    pub async fn start_all(self, addrs: &[SocketAddr]) -> Result<RunningEmulator, Error> {
        let mut listeners = Vec::with_capacity(addrs.len());
        for &addr in addrs {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|source| Error::Bind { addr, source })?;
            listeners.push(listener);
        }
        self.start_on_all(listeners).await
    }

    /// Starts serving on an already bound listener.
    ///
    /// # Errors
    ///
    /// [`Error::LocalAddr`] if the listener's address cannot be read, `Error::Tls` (with the `tls` feature) if the TLS
    /// configuration is rejected.
    pub async fn start_on(self, listener: TcpListener) -> Result<RunningEmulator, Error> {
        self.start_on_all(vec![listener]).await
    }

    /// Starts serving the same state on several already bound listeners.
    ///
    /// # Errors
    ///
    /// [`Error::LocalAddr`] if a listener's address cannot be read (or none is given), `Error::Tls` (with the `tls` feature) if
    /// the TLS configuration is rejected.
    pub async fn start_on_all(self, listeners: Vec<TcpListener>) -> Result<RunningEmulator, Error> {
        let addrs = listeners
            .iter()
            .map(|l| l.local_addr().map_err(Error::LocalAddr))
            .collect::<Result<Vec<_>, _>>()?;
        if addrs.is_empty() {
            return Err(Error::LocalAddr(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "no address to listen on",
            )));
        }
        let state = Arc::new(State::new(
            Arc::clone(&self.catalog),
            self.version,
            self.bundle_name,
            Importer::new(self.database_folder),
            PixelCache::new(self.pixel_memory),
        ));
        let control = Arc::new(Control::new(self.serial, self.fault_seed));
        #[cfg(feature = "tls")]
        let tls = self.tls.is_some();
        #[cfg(not(feature = "tls"))]
        let tls = false;
        let mut server = Server::builder()
            .max_concurrent_streams(self.max_concurrent_streams)
            .http2_max_header_list_size(self.max_header_list_size);
        if let Some(limit) = self.request_timeout {
            server = server.timeout(limit);
        }
        #[cfg(feature = "tls")]
        if let Some(config) = self.tls {
            server = server.tls_config(config).map_err(Error::Tls)?;
        }
        let service = OsiriXServiceServer::new(OsirixService {
            state: Arc::clone(&state),
        })
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
        let (health, health_service) = tonic_health::server::health_reporter();
        health
            .set_serving::<OsiriXServiceServer<OsirixService>>()
            .await;
        let reflection_v1 = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(osirix_proto::FILE_DESCRIPTOR_SET)
            .build_v1()
            .map_err(|e| Error::Reflection(e.to_string()))?;
        let reflection_v1alpha = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(osirix_proto::FILE_DESCRIPTOR_SET)
            .build_v1alpha()
            .map_err(|e| Error::Reflection(e.to_string()))?;
        let router = server
            .layer(ActivityLayer)
            .layer(ControlLayer::new(Arc::clone(&control)))
            .add_service(service)
            .add_service(health_service)
            .add_service(reflection_v1)
            .add_service(reflection_v1alpha);
        let registry = Registry::new(ConnectionLimits {
            max_connections: self.max_connections,
            handshake_timeout: self.handshake_timeout,
            idle_timeout: self.idle_timeout,
        });
        connections::spawn_reaper(&registry);
        let incoming = futures_util::stream::select_all(listeners.into_iter().map(|listener| {
            Box::pin(connections::incoming(
                listener,
                control.faults.connection_generation(),
                Arc::clone(&registry),
            ))
        }));
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            router
                .serve_with_incoming_shutdown(incoming, async {
                    // A dropped sender also stops the server.
                    let _ = stopped.await;
                })
                .await
        });
        for addr in &addrs {
            tracing::info!(%addr, tls, "emulator listening");
        }
        Ok(RunningEmulator {
            addrs,
            tls,
            state,
            control,
            _health: health,
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
    addrs: Vec<SocketAddr>,
    tls: bool,
    state: Arc<State>,
    control: Arc<Control>,
    /// Keeps the health service's statuses.
    _health: tonic_health::server::HealthReporter,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
}

impl RunningEmulator {
    /// The shared state.
    pub(crate) fn state(&self) -> &Arc<State> {
        &self.state
    }

    /// The (first) bound address, with the real port when started on port 0.
    pub fn addr(&self) -> SocketAddr {
        self.addrs[0]
    }

    /// Every bound address, in the order given.
    pub fn addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// The URL a client connects to: `http://ADDR`, or `https://ADDR` with TLS, for the first address.
    pub fn url(&self) -> String {
        self.url_of(self.addr())
    }

    /// The URL of every bound address, in order.
    pub fn urls(&self) -> Vec<String> {
        self.addrs.iter().map(|&a| self.url_of(a)).collect()
    }

    /// Writes OsiriXgrpc's server list (`server_configs.json`) naming every bound address, in order, each
    /// active: a JSON array of `{"ipaddress": "127.0.0.1", "port": "50051", "active": "YES"}`, the port a
    /// string as OsiriX writes it. Creates the file's folder if needed and replaces the file. The list has no
    /// scheme (OsiriX speaks plaintext), so a client discovering an emulator started with TLS would connect
    /// in plaintext.
    ///
    /// # Errors
    ///
    /// [`Error::ServerConfigs`] when the folder or the file cannot be written.
    pub fn write_server_configs(&self, path: &Path) -> Result<(), Error> {
        let entries: Vec<String> = self
            .addrs
            .iter()
            .map(|addr| {
                format!(
                    "  {{\"ipaddress\": \"{}\", \"port\": \"{}\", \"active\": \"YES\"}}",
                    addr.ip(),
                    addr.port()
                )
            })
            .collect();
        let text = format!("[\n{}\n]\n", entries.join(",\n"));
        let failed = |source| Error::ServerConfigs {
            path: path.to_owned(),
            source,
        };
        if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(failed)?;
        }
        std::fs::write(path, text).map_err(failed)
    }

    fn url_of(&self, addr: SocketAddr) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{addr}")
    }

    /// The catalogue the emulator started with. Imports do not change it: see
    /// [`RunningEmulator::database`] for the database as it is now.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.state.initial
    }

    /// The database as it is now: the starting catalogue and everything imported since (indices of the
    /// starting catalogue stay valid).
    pub fn database(&self) -> Arc<Catalog> {
        self.state.catalog()
    }

    /// Imports `paths` (files, and folders walked recursively) as `BrowserControllerCopyFilesIfNeeded`
    /// does, and waits until the import is done and visible.
    ///
    /// # Errors
    ///
    /// [`Error::ReadOnly`] when the database has no folder to import into (see
    /// [`EmulatorBuilder::database_folder`]).
    pub async fn import(&self, paths: Vec<PathBuf>) -> Result<ImportReport, Error> {
        let report = import::start(&self.state, paths).ok_or(Error::ReadOnly)?;
        // The import thread always sends its report, unless it could not start at all.
        Ok(report.await.unwrap_or_default())
    }

    /// Waits until every import started so far (by RPC or by [`RunningEmulator::import`]) is done.
    pub async fn wait_for_imports(&self) {
        self.state.imports.wait().await;
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
        let mut world = self.state.world();
        let resolve = |uid: String, class: Class| match world.registry.resolve(&uid, class) {
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
        world.selection = Selection { series, studies };
        Ok(())
    }

    /// Drops `uid` from the cache, as OsiriX does when an object goes away: calls with it now get
    /// `"No <Class> cached"`, and the object gets a new uid the next time an RPC returns it.
    /// Returns whether the uid was cached.
    pub fn forget(&self, uid: &str) -> bool {
        self.state.world().registry.forget(uid)
    }

    /// The object a uid currently stands for, if it is cached.
    pub fn lookup(&self, uid: &str) -> Option<ObjectRef> {
        self.state.world().registry.lookup(uid)
    }

    /// The current uid of an object; `None` after [`RunningEmulator::forget`] until an RPC returns it again.
    pub fn uid_of(&self, object: ObjectRef) -> Option<String> {
        self.state
            .world()
            .registry
            .current(object)
            .map(str::to_owned)
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
        tracing::info!(addrs = ?self.addrs, "emulator stopped");
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
        assert!(!b.serial && b.fault_seed == 0);
        #[cfg(feature = "tls")]
        assert!(b.tls.is_none());
        assert_eq!(
            (b.version.as_str(), b.bundle_name.as_str()),
            ("14.0.0", "OsiriX MD")
        );
        // Limits below 1 are taken as 1.
        let b = b.max_connections(0).max_concurrent_streams(0);
        assert_eq!((b.max_connections, b.max_concurrent_streams), (1, 1));
    }
}
