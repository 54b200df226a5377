//! A hostile OsiriXgrpc server: it answers a few RPCs the way a broken, buggy or malicious server might, as
//! its [`Mode`] says, so that tests can check the SDK turns every such answer into a typed error.
//!
//! The server implements `OsiriXService` (the emulator's generated stubs, every other RPC answering
//! `UNIMPLEMENTED`) for `DicomSeriesNumberOfImages`, `DicomSeriesDate`, `DicomSeriesStudy`,
//! `DicomSeriesImages`, `DicomStudyNoFiles`, `OsirixCurrentBrowser` and `OsirixVersion`. A tower layer in
//! front of it counts calls, records the `authorization` metadata it receives, and answers the HTTP-level
//! modes (a raw `grpc-status`, a non-gRPC answer, a broken gRPC body) itself.
//!
//! [`RawTcpServer`] covers what is not HTTP/2 at all: an HTTP/1.1 page, a connection closed at once, a server
//! that never says anything, garbage; and an HTTP/2 server that only says GOAWAY.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::Frame;
use osirix_emulator::proto;
use osirix_emulator::proto::osiri_x_service_server::{OsiriXService, OsiriXServiceServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::body::Body;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Server, ServerTlsConfig};
use tonic::{Request, Response, Status};
use tower::{Layer, Service};

/// The uid of the series handle tests make with `DicomSeries::from_uid` (any uid is accepted).
pub const SERIES_UID: &str = "6B1E0B7C-94C4-4F55-9F3A-1C5B6A0E2D11";
/// The uid of the study handle tests make with `DicomStudy::from_uid`, and the study `DicomSeriesStudy` names.
pub const STUDY_UID: &str = "0D9A6C55-3C1E-4B67-8E0B-6A4C1E77F2A3";
/// The browser `OsirixCurrentBrowser` names.
pub const BROWSER_UID: &str = "F3C2B1A0-1111-4222-8333-944455556666";
/// The images `DicomSeriesImages` lists in [`Mode::Valid`].
pub const IMAGE_UIDS: [&str; 3] = [
    "A0000000-0000-4000-8000-000000000001",
    "A0000000-0000-4000-8000-000000000002",
    "A0000000-0000-4000-8000-000000000003",
];
/// The count `DicomSeriesNumberOfImages` sends in [`Mode::Valid`].
pub const VALID_COUNT: i32 = 5;
/// The count `DicomStudyNoFiles` sends in [`Mode::Valid`].
pub const VALID_NO_FILES: i32 = 7;
/// The date `DicomSeriesDate` sends in [`Mode::Valid`] (the phantom's study date, `2022-08-03 19:01:19.530`).
pub const VALID_DATE: [i32; 7] = [2022, 8, 3, 19, 1, 19, 1_718_993_592];
/// The bundle name `OsirixVersion` reports; its version is the `authorization` metadata received (or "").
pub const BUNDLE_NAME: &str = "Hostile";

/// How the server answers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// Well-formed answers: status 1 and a valid payload.
    Valid,
    /// Status 1 with the payload left out: no handle, an all-zero date, a zero count, an empty list.
    PayloadMissing,
    /// Status 1 and this count (`DicomSeriesNumberOfImages`, `DicomStudyNoFiles`).
    Count(i32),
    /// Status 1 and a date of these seven components (`year, month, day, hour, minute, second, millisecond`).
    Date([i32; 7]),
    /// Status 1 and handles with this uid: the singular handle, and the second handle of lists.
    HandleUid(String),
    /// Status 1 and lists of `n` copies of one handle.
    RepeatedHandles(usize),
    /// This value in the status field (OsiriX only sends 0 and 1), with a valid payload.
    StatusValue(i32),
    /// No status message at all, with a valid payload.
    MissingStatus,
    /// Status 0 and this message.
    InBand(String),
    /// A gRPC error status made with `tonic::Status::new`.
    Grpc(tonic::Code, String),
    /// A trailers-only HTTP/2 answer whose `grpc-status` header is this text, verbatim (e.g. `"99"`).
    RawGrpcStatus(String),
    /// A non-gRPC HTTP/2 answer.
    Http {
        /// The HTTP status.
        status: u16,
        /// The `content-type`.
        content_type: String,
        /// The body.
        body: String,
    },
    /// An HTTP 200 `application/grpc` answer with this raw body (gRPC framing included, or not) and a
    /// `grpc-status` trailer of this text (no trailers when `None`).
    RawBody {
        /// The body bytes, sent as they are.
        body: Vec<u8>,
        /// The `grpc-status` trailer.
        trailer_status: Option<String>,
    },
    /// Never answers (the call stays open until the client gives up).
    Hang,
    /// Status 1 with this message, and a valid payload (OsiriX's `DCMPixROIValues` reports
    /// `"Could not compute indices"` so, with partial arrays).
    SuccessWithMessage(String),
    /// Status 1 and a one-pixel ARGB image (`DCMPixImage`) of these four values.
    Argb([i32; 4]),
}

impl Mode {
    /// Whether the layer answers this mode itself, without the gRPC service.
    fn is_raw(&self) -> bool {
        matches!(
            self,
            Mode::RawGrpcStatus(_) | Mode::Http { .. } | Mode::RawBody { .. }
        )
    }
}

/// A gRPC length-prefixed message frame of `message` (not compressed).
pub fn grpc_frame(message: &[u8]) -> Vec<u8> {
    let mut frame = Vec::with_capacity(message.len() + 5);
    frame.push(0);
    frame.extend_from_slice(
        &u32::try_from(message.len())
            .unwrap_or(u32::MAX)
            .to_be_bytes(),
    );
    frame.extend_from_slice(message);
    frame
}

#[derive(Debug)]
struct Shared {
    mode: Mutex<Mode>,
    calls: Mutex<HashMap<String, u64>>,
    authorization: Mutex<Vec<String>>,
}

impl Shared {
    fn mode(&self) -> Mode {
        self.mode
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A running hostile server.
#[derive(Debug)]
pub struct HostileServer {
    addr: SocketAddr,
    tls: bool,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), tonic::transport::Error>>>,
}

impl HostileServer {
    /// Starts a plaintext server on a free loopback port, in `mode`.
    pub async fn start(mode: Mode) -> Self {
        Self::start_with(mode, None).await
    }

    /// Starts a server on a free loopback port, in `mode`, over TLS when `tls` is given.
    pub async fn start_with(mode: Mode, tls: Option<ServerTlsConfig>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let shared = Arc::new(Shared {
            mode: Mutex::new(mode),
            calls: Mutex::new(HashMap::new()),
            authorization: Mutex::new(Vec::new()),
        });
        let mut server = Server::builder();
        let is_tls = tls.is_some();
        if let Some(tls) = tls {
            server = server.tls_config(tls).expect("TLS configuration");
        }
        let service = OsiriXServiceServer::new(Hostile {
            shared: shared.clone(),
        })
        .max_decoding_message_size(512 << 20)
        .max_encoding_message_size(512 << 20);
        let router = server
            .layer(HostileLayer {
                shared: shared.clone(),
            })
            .add_service(service);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            router
                .serve_with_incoming_shutdown(TcpIncoming::from(listener), async {
                    let _ = stopped.await;
                })
                .await
        });
        Self {
            addr,
            tls: is_tls,
            shared,
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS).
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Switches the mode for calls that arrive from now on.
    pub fn set_mode(&self, mode: Mode) {
        *self
            .shared
            .mode
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = mode;
    }

    /// How many calls of `rpc` (e.g. `"DicomSeriesDate"`) reached the server.
    pub fn calls(&self, rpc: &str) -> u64 {
        self.shared
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(rpc)
            .copied()
            .unwrap_or(0)
    }

    /// How many calls of any RPC reached the server.
    pub fn total_calls(&self) -> u64 {
        self.shared
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .sum()
    }

    /// The `authorization` metadata of every call so far, decoded lossily (an empty string for a call without
    /// one).
    pub fn authorizations(&self) -> Vec<String> {
        self.shared
            .authorization
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Stops the server, closing its connections, and waits for it.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            // Hanging calls keep a graceful shutdown waiting: give it a moment, then stop it.
            if tokio::time::timeout(std::time::Duration::from_secs(2), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The gRPC service of the hostile server.
#[derive(Debug, Clone)]
struct Hostile {
    shared: Arc<Shared>,
}

fn ok_status() -> Option<proto::Status> {
    Some(proto::Status {
        status: 1,
        message: String::new(),
    })
}

impl Hostile {
    /// The status field for the mode, or the gRPC error to answer instead (after hanging for [`Mode::Hang`]).
    async fn status(&self, mode: &Mode) -> Result<Option<proto::Status>, Status> {
        match mode {
            Mode::StatusValue(value) => Ok(Some(proto::Status {
                status: *value,
                message: String::new(),
            })),
            Mode::MissingStatus => Ok(None),
            Mode::InBand(message) => Ok(Some(proto::Status {
                status: 0,
                message: message.clone(),
            })),
            Mode::Grpc(code, message) => Err(Status::new(*code, message.clone())),
            Mode::Hang => std::future::pending().await,
            Mode::SuccessWithMessage(message) => Ok(Some(proto::Status {
                status: 1,
                message: message.clone(),
            })),
            _ => Ok(ok_status()),
        }
    }

    fn handle_uid(mode: &Mode, valid: &str) -> Option<String> {
        match mode {
            Mode::PayloadMissing => None,
            Mode::HandleUid(uid) => Some(uid.clone()),
            _ => Some(valid.to_owned()),
        }
    }

    fn count(mode: &Mode, valid: i32) -> i32 {
        match mode {
            Mode::PayloadMissing => 0,
            Mode::Count(n) => *n,
            _ => valid,
        }
    }
}

#[tonic::async_trait]
impl OsiriXService for Hostile {
    async fn dicom_series_number_of_images(
        &self,
        _: Request<proto::DicomSeries>,
    ) -> Result<Response<proto::DicomSeriesNumberOfImagesResponse>, Status> {
        let mode = self.shared.mode();
        let status = self.status(&mode).await?;
        let number_of_images = Self::count(&mode, VALID_COUNT);
        Ok(Response::new(proto::DicomSeriesNumberOfImagesResponse {
            status,
            number_of_images,
        }))
    }

    async fn dicom_study_no_files(
        &self,
        _: Request<proto::DicomStudy>,
    ) -> Result<Response<proto::DicomStudyNoFilesResponse>, Status> {
        let mode = self.shared.mode();
        let status = self.status(&mode).await?;
        let no_files = Self::count(&mode, VALID_NO_FILES);
        Ok(Response::new(proto::DicomStudyNoFilesResponse {
            status,
            no_files,
        }))
    }

    async fn dicom_series_date(
        &self,
        _: Request<proto::DicomSeries>,
    ) -> Result<Response<proto::DicomSeriesDateResponse>, Status> {
        let mode = self.shared.mode();
        let status = self.status(&mode).await?;
        let [year, month, day, hour, minute, second, millisecond] = match &mode {
            Mode::PayloadMissing => [0; 7],
            Mode::Date(parts) => *parts,
            _ => VALID_DATE,
        };
        Ok(Response::new(proto::DicomSeriesDateResponse {
            status,
            year,
            month,
            day,
            hour,
            minute,
            second,
            millisecond,
        }))
    }

    async fn dicom_series_study(
        &self,
        _: Request<proto::DicomSeries>,
    ) -> Result<Response<proto::DicomSeriesStudyResponse>, Status> {
        let mode = self.shared.mode();
        let status = self.status(&mode).await?;
        let study = Self::handle_uid(&mode, STUDY_UID)
            .map(|osirixrpc_uid| proto::DicomStudy { osirixrpc_uid });
        Ok(Response::new(proto::DicomSeriesStudyResponse {
            status,
            study,
        }))
    }

    async fn dicom_series_images(
        &self,
        _: Request<proto::DicomSeries>,
    ) -> Result<Response<proto::DicomSeriesImagesResponse>, Status> {
        let mode = self.shared.mode();
        let status = self.status(&mode).await?;
        let uids: Vec<String> = match &mode {
            Mode::PayloadMissing => Vec::new(),
            Mode::HandleUid(uid) => vec![IMAGE_UIDS[0].to_owned(), uid.clone()],
            Mode::RepeatedHandles(n) => vec![IMAGE_UIDS[0].to_owned(); *n],
            _ => IMAGE_UIDS.iter().map(|u| (*u).to_owned()).collect(),
        };
        let images = uids
            .into_iter()
            .map(|osirixrpc_uid| proto::DicomImage { osirixrpc_uid })
            .collect();
        Ok(Response::new(proto::DicomSeriesImagesResponse {
            status,
            images,
        }))
    }

    async fn dcm_pix_image(
        &self,
        _: Request<proto::DcmPix>,
    ) -> Result<Response<proto::DcmPixImageResponse>, Status> {
        let mode = self.shared.mode();
        let status = self.status(&mode).await?;
        let argb = match mode {
            Mode::Argb(argb) => argb,
            _ => [255, 1, 2, 3],
        };
        Ok(Response::new(proto::DcmPixImageResponse {
            status,
            rows: 1,
            columns: 1,
            is_argb: true,
            image_data_float: Vec::new(),
            image_data_argb: argb.to_vec(),
        }))
    }

    async fn dcm_pix_roi_values(
        &self,
        _: Request<proto::DcmPixRoiValuesRequest>,
    ) -> Result<Response<proto::DcmPixRoiValuesResponse>, Status> {
        let mode = self.shared.mode();
        let status = self.status(&mode).await?;
        Ok(Response::new(proto::DcmPixRoiValuesResponse {
            status,
            values: vec![1.0, 2.0],
            row_indices: vec![0, 0],
            column_indices: vec![0, 1],
        }))
    }

    async fn osirix_current_browser(
        &self,
        _: Request<proto::Empty>,
    ) -> Result<Response<proto::OsirixCurrentBrowserResponse>, Status> {
        let mode = self.shared.mode();
        let status = self.status(&mode).await?;
        let browser_controller = Self::handle_uid(&mode, BROWSER_UID)
            .map(|osirixrpc_uid| proto::BrowserController { osirixrpc_uid });
        Ok(Response::new(proto::OsirixCurrentBrowserResponse {
            status,
            browser_controller,
        }))
    }

    async fn osirix_version(
        &self,
        request: Request<proto::Empty>,
    ) -> Result<Response<proto::OsirixVersionResponse>, Status> {
        let mode = self.shared.mode();
        let status = self.status(&mode).await?;
        // The bytes received, decoded lossily (a header may carry bytes above 0x7f).
        let version = request
            .metadata()
            .get("authorization")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        Ok(Response::new(proto::OsirixVersionResponse {
            status,
            version,
            bundle_name: BUNDLE_NAME.to_owned(),
        }))
    }
}

/// Counts calls, records `authorization`, and answers the HTTP-level modes.
#[derive(Debug, Clone)]
struct HostileLayer {
    shared: Arc<Shared>,
}

impl<S> Layer<S> for HostileLayer {
    type Service = HostileHttp<S>;

    fn layer(&self, inner: S) -> Self::Service {
        HostileHttp {
            inner,
            shared: self.shared.clone(),
        }
    }
}

#[derive(Debug, Clone)]
struct HostileHttp<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<http::Request<Body>> for HostileHttp<S>
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
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = self.shared.clone();
        let rpc = request
            .uri()
            .path()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        *shared
            .calls
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(rpc)
            .or_default() += 1;
        let authorization = request
            .headers()
            .get("authorization")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .unwrap_or_default();
        shared
            .authorization
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(authorization);
        let mode = shared.mode();
        Box::pin(async move {
            if mode.is_raw() {
                return Ok(raw_response(mode));
            }
            inner.call(request).await
        })
    }
}

/// The HTTP answer of a raw mode.
fn raw_response(mode: Mode) -> http::Response<Body> {
    let builder = http::Response::builder();
    let response = match mode {
        Mode::RawGrpcStatus(code) => builder
            .status(200)
            .header("content-type", "application/grpc")
            .header("grpc-status", code)
            .header("grpc-message", "raw%20status")
            .body(Body::empty()),
        Mode::Http {
            status,
            content_type,
            body,
        } => builder
            .status(status)
            .header("content-type", content_type)
            .body(Body::new(body)),
        Mode::RawBody {
            body,
            trailer_status,
        } => {
            let mut frames: Vec<Result<Frame<Bytes>, Infallible>> =
                vec![Ok(Frame::data(Bytes::from(body)))];
            if let Some(code) = trailer_status {
                let mut trailers = http::HeaderMap::new();
                if let Ok(value) = http::HeaderValue::from_str(&code) {
                    trailers.insert("grpc-status", value);
                }
                frames.push(Ok(Frame::trailers(trailers)));
            }
            let stream = futures_util::stream::iter(frames);
            builder
                .status(200)
                .header("content-type", "application/grpc")
                .body(Body::new(http_body_util::StreamBody::new(stream)))
        }
        _ => builder.status(500).body(Body::empty()),
    };
    response.unwrap_or_else(|_| http::Response::new(Body::empty()))
}

/// What a [`RawTcpServer`] does with each connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RawTcp {
    /// Reads the request, answers `HTTP/1.1 200 OK` with an HTML page, closes.
    Http1Html,
    /// Closes the connection as soon as it is accepted.
    CloseAtOnce,
    /// Accepts, reads, and never writes anything (the connection stays open).
    Silent,
    /// Answers 64 KiB of bytes that are no protocol at all, then closes.
    Garbage,
    /// Reads the client's preface, answers an HTTP/2 SETTINGS frame and a GOAWAY with this error code (0 is
    /// a graceful NO_ERROR, 1 PROTOCOL_ERROR), then closes.
    GoAway(u32),
}

/// A TCP server that does not speak gRPC.
#[derive(Debug)]
pub struct RawTcpServer {
    addr: SocketAddr,
    task: JoinHandle<()>,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
}

impl RawTcpServer {
    /// Starts the server on a free loopback port.
    pub async fn start(behaviour: RawTcp) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("local address");
        let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        let task = tokio::spawn(async move {
            // Dropped (aborting every connection task) when this task is aborted.
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((mut stream, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                connections.spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    match behaviour {
                        RawTcp::CloseAtOnce => {}
                        RawTcp::Http1Html => {
                            let _ = stream.read(&mut buf).await;
                            let body = "<html><body><h1>It works!</h1></body></html>";
                            let answer = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            let _ = stream.write_all(answer.as_bytes()).await;
                            let _ = stream.shutdown().await;
                        }
                        RawTcp::Garbage => {
                            let _ = stream.read(&mut buf).await;
                            let garbage: Vec<u8> = (0..65_536u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
                            let _ = stream.write_all(&garbage).await;
                            let _ = stream.shutdown().await;
                        }
                        RawTcp::Silent => {
                            while let Ok(n) = stream.read(&mut buf).await {
                                if n == 0 {
                                    break;
                                }
                            }
                        }
                        RawTcp::GoAway(code) => {
                            let mut preface = [0u8; 24];
                            if stream.read_exact(&mut preface).await.is_err() {
                                return;
                            }
                            // An empty SETTINGS frame, then GOAWAY (last stream 0, the code), on stream 0.
                            let mut frames = vec![0, 0, 0, 4, 0, 0, 0, 0, 0];
                            frames.extend_from_slice(&[0, 0, 8, 7, 0, 0, 0, 0, 0]);
                            frames.extend_from_slice(&0u32.to_be_bytes());
                            frames.extend_from_slice(&code.to_be_bytes());
                            let _ = stream.write_all(&frames).await;
                            // Let the client read the frames before the connection ends.
                            let _ = stream.read(&mut buf).await;
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            let _ = stream.shutdown().await;
                        }
                    }
                });
                while connections.try_join_next().is_some() {}
            }
        });
        Self {
            addr,
            task,
            accepted,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections the server has accepted.
    pub fn accepted(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl Drop for RawTcpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
