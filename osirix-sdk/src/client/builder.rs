//! Building a [`Client`]: every default is stated on its setter and checked by a test.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tokio::sync::Semaphore;
use tonic::body::Body;
use tonic::metadata::{AsciiMetadataValue, MetadataKey};
#[cfg(feature = "tls")]
use tonic::transport::ClientTlsConfig;
use tonic::transport::Endpoint;
use tower::{Layer, Service};

use super::connector::{Connector, ServerStartNote};
use super::probe;
use super::state::{Client, Shared};
use super::transport::{self, BoxedLayer, HttpService};
use crate::cache::{CacheConfig, ResponseCache};
use crate::error::{BoxError, Error, Result, ServerStart, WireFailure, wire_failure};
use crate::retry::{Retrier, RetryConfig};
use crate::timeout::{TimeoutConfig, TimerAnchor};

/// The message size limit OsiriX sets both ways: 512 MiB.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 512 * 1024 * 1024;

/// Configures and builds a [`Client`]; from [`Client::builder`].
///
/// ```no_run
/// use std::time::Duration;
/// use osirix_sdk::{CacheConfig, Client, RetryConfig};
///
/// # async fn demo() -> osirix_sdk::Result<()> {
/// let client = Client::builder("http://127.0.0.1:50051")
///     .timeout(Some(Duration::from_secs(10)))
///     .retry(RetryConfig::default().with_max_attempts(3))
///     .cache(CacheConfig::default().with_max_bytes(128 << 20))
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[must_use]
pub struct ClientBuilder {
    /// `None` for a builder from [`ClientBuilder::default`], whose endpoint discovery finds.
    endpoint: Option<String>,
    timeouts: TimeoutConfig,
    retry: RetryConfig,
    cache: CacheConfig,
    concurrency_limit: Option<usize>,
    max_message_bytes: usize,
    keep_alive: Option<Duration>,
    #[cfg(feature = "tls")]
    tls: Option<ClientTlsConfig>,
    metadata: Vec<(MetadataKey<tonic::metadata::Ascii>, AsciiMetadataValue)>,
    layers: Vec<BoxedLayer>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("timeouts", &self.timeouts)
            .field("retry", &self.retry)
            .field("cache", &self.cache)
            .field("concurrency_limit", &self.concurrency_limit)
            .field("max_message_bytes", &self.max_message_bytes)
            .field("keep_alive", &self.keep_alive)
            .field("tls", &self.has_tls())
            .field(
                "metadata_keys",
                &self
                    .metadata
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("layers", &self.layers.len())
            .finish_non_exhaustive()
    }
}

/// A builder without an endpoint, for [`ClientBuilder::discover`] and [`ClientBuilder::discover_from`]:
/// [`ClientBuilder::connect`] on it fails with [`Error::Connect`]. Every other setting has its stated default.
impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new(None)
    }
}

impl ClientBuilder {
    pub(super) fn new(endpoint: Option<String>) -> Self {
        Self {
            endpoint,
            timeouts: TimeoutConfig::default(),
            retry: RetryConfig::default(),
            cache: CacheConfig::default(),
            concurrency_limit: None,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            keep_alive: None,
            #[cfg(feature = "tls")]
            tls: None,
            metadata: Vec::new(),
            layers: Vec::new(),
        }
    }

    /// All time limits at once. Default: [`TimeoutConfig::default`] (connect 5 s, attempt 30 s, call 60 s).
    pub fn timeouts(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = timeouts;
        self
    }

    /// The limit on opening a connection (TCP and TLS), and for [`ClientBuilder::connect`] also on the
    /// server's first answer and the health check that proves it speaks gRPC. Default: 5 s.
    pub fn connect_timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeouts = self.timeouts.with_connect(limit);
        self
    }

    /// The limit on a whole call, retries included. Default: 60 s. OsiriX applies none and its UI thread can
    /// block, so `None` means a call may wait for ever.
    pub fn timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeouts = self.timeouts.with_call(limit);
        self
    }

    /// The limit on one attempt. Default: 30 s.
    pub fn attempt_timeout(mut self, limit: Option<Duration>) -> Self {
        self.timeouts = self.timeouts.with_attempt(limit);
        self
    }

    /// HTTP/2 keep-alive: a PING every `interval`, and the connection dropped if no answer comes within 10 s,
    /// so that a peer gone without closing (a network cut, a sleeping Mac) is found even between calls.
    /// Default: off, as in gRPC: the attempt timeout already bounds a call on a dead connection, and the
    /// keep-alive timer, re-armed on every frame, costs a few percent of every call's latency on loopback.
    pub fn http2_keep_alive(mut self, interval: Option<Duration>) -> Self {
        self.keep_alive = interval;
        self
    }

    /// Retries of idempotent calls. Default: [`RetryConfig::default`] (4 attempts, `UNAVAILABLE` only).
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// The response cache. Default: [`CacheConfig::default`] (64 MiB).
    pub fn cache(mut self, cache: CacheConfig) -> Self {
        self.cache = cache;
        self
    }

    /// At most `limit` calls on the wire at once from this client and its clones; `None` (the default) for
    /// no limit. OsiriX serves one call at a time anyway; a limit keeps a burst from queueing thousands of
    /// requests in the transport.
    pub fn concurrency_limit(mut self, limit: Option<usize>) -> Self {
        self.concurrency_limit = limit.map(|l| l.max(1));
        self
    }

    /// The largest message sent or received. Default: 512 MiB, as OsiriX sets.
    pub fn max_message_bytes(mut self, bytes: usize) -> Self {
        self.max_message_bytes = bytes;
        self
    }

    /// TLS for an `https://` endpoint. OsiriX itself speaks plaintext only; TLS is for a proxy in front of it.
    /// Default: none. With an `http://` endpoint the client is not built ([`Error::Connect`]): tonic would
    /// send plaintext there. Needs the crate's `tls` feature; without it an `https://` endpoint is refused
    /// when the client is built.
    #[cfg(feature = "tls")]
    pub fn tls(mut self, tls: ClientTlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Sends `authorization: Bearer <token>` with every call (for a proxy that checks it).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the token has characters a header cannot carry.
    pub fn bearer_token(self, token: &str) -> Result<Self> {
        self.metadata("authorization", &format!("Bearer {token}"))
    }

    /// Sends the ASCII metadata `key: value` with every call.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the key or value is not a valid ASCII metadata entry.
    pub fn metadata(mut self, key: &str, value: &str) -> Result<Self> {
        let key = MetadataKey::from_bytes(key.as_bytes())
            .map_err(|_| Error::invalid("invalid metadata key"))?;
        // gRPC ASCII metadata is printable ASCII only (0x20..=0x7E); refuse the rest rather than send raw bytes.
        if !value.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(Error::invalid("metadata values must be printable ASCII"));
        }
        let mut value = AsciiMetadataValue::try_from(value)
            .map_err(|_| Error::invalid("invalid metadata value"))?;
        value.set_sensitive(true);
        self.metadata.push((key, value));
        Ok(self)
    }

    /// Wraps the HTTP/2 transport in a tower layer of the user's (metrics, logging, auth, ...). The first
    /// layer added is the outermost, as with `tower::ServiceBuilder`. Layers see every attempt, retries
    /// included.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: Layer<HttpService> + Send + Sync + 'static,
        L::Service: Service<http::Request<Body>, Response = http::Response<Body>>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as Service<http::Request<Body>>>::Error: Into<BoxError>,
        <L::Service as Service<http::Request<Body>>>::Future: Send + 'static,
    {
        self.layers.push(Arc::new(move |inner| {
            HttpService::new(tower::ServiceExt::map_err(layer.layer(inner), Into::into))
        }));
        self
    }

    /// Connects now: opens the connection, waits for the server's first bytes, and makes one round trip (a gRPC
    /// health check, which does not reach OsiriX's main thread) to prove the server speaks gRPC over HTTP/2, all
    /// within the connect timeout. The check carries the client's metadata but does not go through the layers
    /// added with [`ClientBuilder::layer`]; any gRPC answer to it, `UNIMPLEMENTED` included, will do.
    ///
    /// # Errors
    /// [`Error::Connect`] when the endpoint is invalid, TLS settings come with an `http://` endpoint, there is
    /// no Tokio runtime, or the server cannot be reached or does not answer within the connect timeout;
    /// [`Error::Protocol`] when the server does not speak gRPC over HTTP/2; [`Error::Tls`] when the TLS
    /// handshake fails.
    pub async fn connect(self) -> Result<Client> {
        let endpoint = self.endpoint_or_refuse()?.to_owned();
        let (channel, note, cache) = self.handshake(&endpoint).await?;
        Ok(self.finish(channel, note, cache))
    }

    /// The endpoint given to [`Client::builder`], or an error for a builder without one.
    fn endpoint_or_refuse(&self) -> Result<&str> {
        self.endpoint.as_deref().ok_or(Error::Connect {
            reason: "no endpoint: give one to Client::builder, or discover the server with \
                     ClientBuilder::discover"
                .into(),
            source: None,
        })
    }

    /// The eager connect to `uri` with this builder's settings, leaving the builder for another try.
    pub(super) async fn handshake(
        &self,
        uri: &str,
    ) -> Result<(
        tonic::transport::Channel,
        Arc<ServerStartNote>,
        Option<ResponseCache>,
    )> {
        let cache = ResponseCache::new(&self.cache);
        let (endpoint, connector, note) = self.endpoint(uri, cache.clone())?;
        let plaintext = endpoint.uri().scheme_str() != Some("https");
        let handshake = async {
            let channel = endpoint
                .connect_with_connector(connector)
                .await
                .map_err(|e| {
                    let failure = wire_failure(&e, note.get()).unwrap_or(WireFailure::Broken);
                    connect_error(failure, Some(Arc::new(e)))
                })?;
            // The server's first bytes before anything else is sent: a server that answers HTTP/1.1 and
            // closes would otherwise reset the connection under the next write, and its answer be lost.
            if plaintext {
                let failure = match note.settled().await {
                    ServerStart::Http2 | ServerStart::Unknown => None,
                    ServerStart::Http1 => {
                        Some(WireFailure::Protocol("it answered HTTP/1.1".into()))
                    }
                    ServerStart::NotHttp2 => {
                        Some(WireFailure::Protocol("its answer is not HTTP/2".into()))
                    }
                    ServerStart::Closed => Some(WireFailure::Broken),
                };
                if let Some(failure) = failure {
                    return Err(connect_error(failure, None));
                }
            }
            probe::probe(channel.clone(), &self.metadata, &note)
                .await
                .map_err(|(failure, status)| connect_error(failure, Some(Arc::new(status))))?;
            Ok::<_, Error>(channel)
        };
        let channel = match self.timeouts.connect() {
            Some(limit) => tokio::time::timeout(limit, handshake)
                .await
                .unwrap_or_else(|_| {
                    Err(Error::Connect {
                        reason: format!(
                            "the server did not answer within the connect timeout ({limit:?})"
                        )
                        .into(),
                        source: None,
                    })
                })?,
            None => handshake.await?,
        };
        Ok((channel, note, cache))
    }

    /// Builds the client without connecting: the connection opens on the first call, and calls fail with
    /// [`Error::Unavailable`] (after retries) while the server is down.
    ///
    /// # Errors
    /// [`Error::Connect`] when the endpoint is not a valid URI, TLS settings come with an `http://` endpoint,
    /// or there is no Tokio runtime to run the connection on.
    pub fn connect_lazy(self) -> Result<Client> {
        let cache = ResponseCache::new(&self.cache);
        let (endpoint, connector, note) =
            self.endpoint(self.endpoint_or_refuse()?, cache.clone())?;
        let channel = endpoint.connect_with_connector_lazy(connector);
        Ok(self.finish(channel, note, cache))
    }

    /// The endpoint, and the connector that notes how each connection's server begins and drops `cache` when a
    /// connection ends or a later one opens.
    /// Whether TLS settings were given (always `false` without the `tls` feature).
    fn has_tls(&self) -> bool {
        #[cfg(feature = "tls")]
        return self.tls.is_some();
        #[cfg(not(feature = "tls"))]
        false
    }

    fn endpoint(
        &self,
        uri: &str,
        cache: Option<ResponseCache>,
    ) -> Result<(Endpoint, Connector, Arc<ServerStartNote>)> {
        let invalid = |reason: &'static str| {
            move |e: tonic::transport::Error| Error::Connect {
                reason: reason.into(),
                source: Some(Arc::new(e)),
            }
        };
        let refuse = |reason: &'static str| Error::Connect {
            reason: reason.into(),
            source: None,
        };
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(refuse(
                "no Tokio runtime: build the client inside one (the connection runs as its task)",
            ));
        }
        let mut endpoint =
            Endpoint::from_shared(uri.to_owned()).map_err(invalid("invalid endpoint URI"))?;
        let encrypted = endpoint.uri().scheme_str() == Some("https");
        if encrypted && !cfg!(feature = "tls") {
            return Err(refuse(
                "an https:// endpoint needs TLS, which this build leaves out: enable the `tls` feature \
                 of osirix-sdk, or connect to http:// (OsiriX itself speaks plaintext)",
            ));
        }
        if self.has_tls() && !encrypted {
            return Err(refuse(
                "TLS settings need an https:// endpoint (tonic speaks plaintext to http://): \
                 change the endpoint to https://, or remove .tls(...) to connect in plaintext",
            ));
        }
        if !encrypted {
            warn_if_plaintext_off_host(endpoint.uri(), !self.metadata.is_empty());
        }
        endpoint = endpoint.tcp_nodelay(true);
        if let Some(interval) = self.keep_alive {
            endpoint = endpoint
                .http2_keep_alive_interval(interval)
                .keep_alive_timeout(Duration::from_secs(10));
        }
        if let Some(limit) = self.timeouts.connect() {
            endpoint = endpoint.connect_timeout(limit);
        }
        #[cfg(feature = "tls")]
        if let Some(tls) = &self.tls {
            endpoint = endpoint
                .tls_config(tls.clone())
                .map_err(invalid("TLS settings rejected"))?;
        }
        let note = Arc::new(ServerStartNote::default());
        let connector = Connector::new(Arc::clone(&note), !encrypted, cache);
        Ok((endpoint, connector, note))
    }

    pub(super) fn finish(
        self,
        channel: tonic::transport::Channel,
        server_start: Arc<ServerStartNote>,
        cache: Option<ResponseCache>,
    ) -> Client {
        Client::from_shared(Shared {
            id: Shared::next_id(),
            transport: transport::build(channel, &self.layers),
            server_start,
            timeouts: self.timeouts,
            retrier: Arc::new(Retrier::new(self.retry)),
            cache,
            limit: self.concurrency_limit.map(Semaphore::new),
            metadata: self.metadata,
            max_message_bytes: self.max_message_bytes,
            closed: AtomicBool::new(false),
            _timer_anchor: TimerAnchor::start(&self.timeouts),
        })
    }
}

/// The error of an eager connect that failed on the wire; `source` is the transport's error, if there is one.
fn connect_error(
    failure: WireFailure,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
) -> Error {
    match failure {
        WireFailure::Protocol(reason) => Error::Protocol {
            rpc: None,
            reason,
            source,
        },
        WireFailure::Tls(reason) => Error::Tls {
            rpc: None,
            reason,
            source,
        },
        WireFailure::Broken => Error::Connect {
            reason: "the server did not accept the connection, or closed it before answering"
                .into(),
            source,
        },
    }
}

/// OsiriX speaks plaintext and listens on 127.0.0.1; plaintext to another host crosses a network unprotected.
/// Called for endpoints that are not `https://`, which are what tonic sends plaintext to.
fn warn_if_plaintext_off_host(uri: &http::Uri, with_metadata: bool) {
    if is_loopback(uri.host().unwrap_or_default()) {
        return;
    }
    if with_metadata {
        tracing::warn!(
            "plaintext connection to a non-loopback OsiriX server: calls, uids and the metadata (a bearer token \
             included) cross the network unencrypted"
        );
    } else {
        tracing::warn!(
            "plaintext connection to a non-loopback OsiriX server: calls and uids cross the network unencrypted"
        );
    }
}

/// `localhost` in any case, and the IPv4 and IPv6 loopback addresses, IPv4-mapped ones (`::ffff:127.0.0.1`)
/// included. `host` is as a URI gives it (IPv6 in brackets).
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_loopback(),
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_as_documented() {
        let b = Client::builder("http://127.0.0.1:1");
        assert_eq!(b.timeouts, TimeoutConfig::default());
        assert_eq!(b.retry, RetryConfig::default());
        assert_eq!(b.cache, CacheConfig::default());
        assert_eq!(b.concurrency_limit, None);
        assert_eq!(b.max_message_bytes, 536_870_912);
        assert_eq!(b.keep_alive, None);
        assert!(!b.has_tls() && b.metadata.is_empty() && b.layers.is_empty());
    }

    #[tokio::test]
    async fn a_builder_without_an_endpoint_says_so_and_keeps_the_defaults() {
        let b = ClientBuilder::default();
        assert_eq!(b.endpoint, None);
        assert_eq!(b.timeouts, TimeoutConfig::default());
        assert_eq!(b.max_message_bytes, DEFAULT_MAX_MESSAGE_BYTES);
        for err in [
            ClientBuilder::default()
                .connect()
                .await
                .expect_err("no endpoint"),
            ClientBuilder::default()
                .connect_lazy()
                .expect_err("no endpoint"),
        ] {
            assert!(
                matches!(&err, Error::Connect { reason, .. } if reason.contains("no endpoint")),
                "{err:?}"
            );
        }
    }

    #[test]
    fn loopback_hosts() {
        for host in [
            "localhost",
            "LOCALHOST",
            "LocalHost",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
            "[::ffff:127.0.0.1]",
            "[::ffff:127.9.9.9]",
        ] {
            assert!(is_loopback(host), "{host}");
        }
        for host in [
            "",
            "10.0.0.1",
            "osirix.example",
            "localhost.example",
            "[::ffff:10.0.0.1]",
            "[2001:db8::1]",
            "[::]",
        ] {
            assert!(!is_loopback(host), "{host}");
        }
    }

    #[cfg(not(feature = "tls"))]
    #[tokio::test]
    async fn without_the_tls_feature_an_https_endpoint_is_refused() {
        let err = Client::builder("https://127.0.0.1:1")
            .connect_lazy()
            .expect_err("refused");
        assert!(
            matches!(&err, Error::Connect { reason, .. } if reason.contains("`tls` feature")),
            "{err:?}"
        );
        assert!(Client::builder("http://127.0.0.1:1").connect_lazy().is_ok());
    }

    #[cfg(feature = "tls")]
    #[tokio::test]
    async fn tls_settings_with_an_http_endpoint_are_refused() {
        let err = Client::builder("http://127.0.0.1:1")
            .tls(ClientTlsConfig::new())
            .connect_lazy()
            .expect_err("refused");
        assert!(
            matches!(&err, Error::Connect { reason, .. } if reason.contains("https://")),
            "{err:?}"
        );
        // The scheme decides, not its case.
        assert!(
            Client::builder("HTTPS://127.0.0.1:1")
                .tls(ClientTlsConfig::new())
                .connect_lazy()
                .is_ok()
        );
    }

    #[test]
    fn without_a_runtime_building_is_an_error_not_a_panic() {
        let err = Client::builder("http://127.0.0.1:1")
            .connect_lazy()
            .expect_err("no runtime");
        assert!(
            matches!(&err, Error::Connect { reason, .. } if reason.contains("Tokio runtime")),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn invalid_inputs_are_errors_not_panics() {
        assert!(Client::builder("not a uri").connect_lazy().is_err());
        assert!(
            Client::builder("http://127.0.0.1:1")
                .bearer_token("bad\ntoken")
                .is_err()
        );
        assert!(
            Client::builder("http://127.0.0.1:1")
                .metadata("bad key", "v")
                .is_err()
        );
    }
}
