//! Building a [`Client`]: every default is stated on its setter and checked by a test.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tokio::sync::Semaphore;
use tonic::body::Body;
use tonic::metadata::{AsciiMetadataValue, MetadataKey};
use tonic::transport::{ClientTlsConfig, Endpoint};
use tower::{Layer, Service};

use super::transport::{self, BoxError, BoxedLayer, HttpService};
use super::{NEXT_CLIENT_ID, Shared};
use crate::cache::ResponseCache;
use crate::retry::Retrier;
use crate::{CacheConfig, Client, Error, Result, RetryConfig, TimeoutConfig};

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
    endpoint: String,
    timeouts: TimeoutConfig,
    retry: RetryConfig,
    cache: CacheConfig,
    concurrency_limit: Option<usize>,
    max_message_bytes: usize,
    keep_alive: Option<Duration>,
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
            .field("tls", &self.tls.is_some())
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

impl ClientBuilder {
    pub(super) fn new(endpoint: String) -> Self {
        Self {
            endpoint,
            timeouts: TimeoutConfig::default(),
            retry: RetryConfig::default(),
            cache: CacheConfig::default(),
            concurrency_limit: None,
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            keep_alive: None,
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

    /// The limit on opening the connection. Default: 5 s.
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

    /// Connects now.
    ///
    /// # Errors
    /// [`Error::Connect`] when the endpoint is invalid or cannot be reached within the connect timeout.
    pub async fn connect(self) -> Result<Client> {
        let endpoint = self.endpoint()?;
        let channel = endpoint.connect().await.map_err(|e| Error::Connect {
            reason: "the server did not accept the connection".into(),
            source: Some(Arc::new(e)),
        })?;
        Ok(self.finish(channel))
    }

    /// Builds the client without connecting: the connection opens on the first call, and calls fail with
    /// [`Error::Unavailable`] (after retries) while the server is down.
    ///
    /// # Errors
    /// [`Error::Connect`] when the endpoint is not a valid URI or the TLS settings are rejected.
    pub fn connect_lazy(self) -> Result<Client> {
        let channel = self.endpoint()?.connect_lazy();
        Ok(self.finish(channel))
    }

    fn endpoint(&self) -> Result<Endpoint> {
        let invalid = |reason: &'static str| {
            move |e: tonic::transport::Error| Error::Connect {
                reason: reason.into(),
                source: Some(Arc::new(e)),
            }
        };
        let mut endpoint = Endpoint::from_shared(self.endpoint.clone())
            .map_err(invalid("invalid endpoint URI"))?;
        warn_if_plaintext_off_host(endpoint.uri(), self.tls.is_some());
        endpoint = endpoint.tcp_nodelay(true);
        if let Some(interval) = self.keep_alive {
            endpoint = endpoint
                .http2_keep_alive_interval(interval)
                .keep_alive_timeout(Duration::from_secs(10));
        }
        if let Some(limit) = self.timeouts.connect() {
            endpoint = endpoint.connect_timeout(limit);
        }
        if let Some(tls) = &self.tls {
            endpoint = endpoint
                .tls_config(tls.clone())
                .map_err(invalid("TLS settings rejected"))?;
        }
        Ok(endpoint)
    }

    fn finish(self, channel: tonic::transport::Channel) -> Client {
        let shared = Shared {
            id: NEXT_CLIENT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            transport: transport::build(channel, &self.layers),
            timeouts: self.timeouts,
            retrier: Arc::new(Retrier::new(self.retry)),
            cache: ResponseCache::new(&self.cache),
            limit: self.concurrency_limit.map(Semaphore::new),
            metadata: self.metadata,
            max_message_bytes: self.max_message_bytes,
            closed: AtomicBool::new(false),
            _timer_anchor: crate::timeout::TimerAnchor::start(&self.timeouts),
        };
        Client {
            shared: Arc::new(shared),
        }
    }
}

/// OsiriX speaks plaintext and listens on 127.0.0.1; plaintext to another host crosses a network unprotected.
fn warn_if_plaintext_off_host(uri: &http::Uri, tls: bool) {
    if tls || uri.scheme_str() == Some("https") {
        return;
    }
    let host = uri
        .host()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    let loopback = host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        tracing::warn!(
            "plaintext connection to a non-loopback OsiriX server: calls and uids cross the network unencrypted"
        );
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
        assert!(b.tls.is_none() && b.metadata.is_empty() && b.layers.is_empty());
    }

    #[test]
    fn invalid_inputs_are_errors_not_panics() {
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
