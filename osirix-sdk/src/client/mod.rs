//! The client: one connection to one OsiriX server, its middleware settings and its cache, shared by every
//! clone and every handle it hands out.

mod builder;
mod connector;
mod probe;
mod transport;
mod wire;

pub use builder::{ClientBuilder, DEFAULT_MAX_MESSAGE_BYTES};
pub(crate) use connector::ServerStart;
pub use transport::{BoxError, HttpService};
pub(crate) use wire::{WireFailure, wire_failure};

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::Semaphore;
use tonic::metadata::{AsciiMetadataValue, MetadataKey};

use crate::cache::{CacheStats, ResponseCache};
use crate::call::Rpc;
use crate::error::TimeoutScope;
use crate::handle::Handle;
use crate::retry::{Retrier, RetryPolicy};
use crate::{Error, Result};

/// A connection to one OsiriXgrpc server.
///
/// Cheap to clone (one `Arc`); clones share the connection, the cache, the retry budget and the concurrency
/// limit. `Send + Sync`: share it across tasks freely.
///
/// ```no_run
/// # async fn demo() -> osirix_sdk::Result<()> {
/// let client = osirix_sdk::Client::connect("http://127.0.0.1:50051").await?;
/// let browser = client.current_browser().await?;
/// for study in browser.database_studies().await? {
///     println!("{:?}", study.patient_id().await?);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
}

struct Shared {
    id: u64,
    transport: transport::Transport,
    /// How the server of the latest connection began, to tell its failures apart.
    server_start: Arc<connector::ServerStartNote>,
    timeouts: crate::TimeoutConfig,
    retrier: Arc<Retrier>,
    cache: Option<ResponseCache>,
    limit: Option<Semaphore>,
    metadata: Vec<(MetadataKey<tonic::metadata::Ascii>, AsciiMetadataValue)>,
    max_message_bytes: usize,
    closed: AtomicBool,
    _timer_anchor: crate::timeout::TimerAnchor,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("id", &self.shared.id)
            .field("timeouts", &self.shared.timeouts)
            .field("cache", &self.shared.cache.is_some())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

static NEXT_CLIENT_ID: AtomicU64 = AtomicU64::new(1);

impl Client {
    /// Connects to `endpoint` (e.g. `"http://127.0.0.1:50051"`) with the default settings, and proves a gRPC
    /// server answers there ([`ClientBuilder::connect`]).
    ///
    /// # Errors
    /// [`Error::Connect`] when the endpoint is not a valid URI or nothing answers there within the connect
    /// timeout, [`Error::Protocol`] when the server does not speak gRPC over HTTP/2, [`Error::Tls`] when the TLS
    /// handshake fails. Use [`ClientBuilder::connect_lazy`] to connect on first use instead.
    pub async fn connect(endpoint: impl Into<String>) -> Result<Self> {
        Self::builder(endpoint).connect().await
    }

    /// A builder for a client of `endpoint`, to set timeouts, retries, the cache, TLS and layers.
    pub fn builder(endpoint: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(endpoint.into())
    }

    /// The cache counters, all zero when the cache is disabled.
    pub fn cache_stats(&self) -> CacheStats {
        self.shared
            .cache
            .as_ref()
            .map(ResponseCache::stats)
            .unwrap_or_default()
    }

    /// Drops every cached answer about `handle`, so its next reads go to the server (for example after OsiriX
    /// imported more images into a series).
    pub async fn invalidate<H: Handle>(&self, handle: &H) {
        self.evict(H::CACHED_RPCS, &handle.inner().uid).await;
    }

    /// Drops every cached answer.
    pub fn invalidate_all(&self) {
        if let Some(cache) = &self.shared.cache {
            cache.invalidate_all();
        }
    }

    /// Runs the cache's pending maintenance, so that [`Client::cache_stats`] counts entries exactly.
    pub async fn sync_cache(&self) {
        if let Some(cache) = &self.shared.cache {
            cache.sync().await;
        }
    }

    /// Closes the client: every later call of it, its clones and its handles fails with [`Error::Closed`].
    /// Calls under way finish.
    pub fn close(&self) {
        self.shared.closed.store(true, Ordering::Release);
        self.invalidate_all();
    }

    /// True after [`Client::close`].
    pub fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }

    /// True when `other` is this client or a clone of it.
    pub fn same_as(&self, other: &Client) -> bool {
        self.shared.id == other.shared.id
    }

    pub(crate) fn cache(&self) -> Option<&ResponseCache> {
        self.shared.cache.as_ref()
    }

    pub(crate) fn check_open(&self, rpc: &'static Rpc) -> Result<()> {
        if self.is_closed() {
            Err(Error::Closed { rpc: rpc.name })
        } else {
            Ok(())
        }
    }

    pub(crate) async fn evict(&self, rpcs: &[&'static str], uid: &Arc<str>) {
        if let Some(cache) = &self.shared.cache {
            cache.invalidate(rpcs, uid).await;
        }
    }

    /// One logical unary call: concurrency limit, retries with backoff, per-attempt timeout, call deadline.
    pub(crate) async fn unary<Req, Resp>(&self, rpc: &'static Rpc, request: Req) -> Result<Resp>
    where
        Req: prost::Message + Clone + Send + Sync + 'static,
        Resp: prost::Message + Default + Send + 'static,
    {
        let shared = &*self.shared;
        let _permit = match &shared.limit {
            Some(limit) => Some(
                limit
                    .acquire()
                    .await
                    .map_err(|_| Error::Closed { rpc: rpc.name })?,
            ),
            None => None,
        };
        let retry = rpc.idempotent && shared.retrier.enabled();
        // One timer per attempt: each attempt ends at its own limit or at the call's deadline, whichever comes
        // first, and backoff never sleeps past the deadline; so the deadline needs no timer of its own.
        let deadline = shared
            .timeouts
            .call()
            .map(|limit| (tokio::time::Instant::now() + limit, limit));
        let policy = RetryPolicy::new(shared.retrier.clone(), retry)
            .with_deadline(deadline.map(|(at, _)| at));
        let attempt = Attempt::<Req, Resp> {
            client: self.clone(),
            rpc,
            deadline,
            marker: PhantomData,
        };
        tower::ServiceExt::oneshot(tower::retry::Retry::new(policy, attempt), request).await
    }

    /// One attempt on the wire, ended at the attempt limit or at the call's `deadline` (the instant and the
    /// call limit it came from).
    async fn attempt<Req, Resp>(
        &self,
        rpc: &'static Rpc,
        request: Req,
        deadline: Option<(tokio::time::Instant, Duration)>,
    ) -> Result<Resp>
    where
        Req: prost::Message + Send + 'static,
        Resp: prost::Message + Default + Send + 'static,
    {
        let shared = &*self.shared;
        let mut request = tonic::Request::new(request);
        for (key, value) in &shared.metadata {
            request.metadata_mut().insert(key.clone(), value.clone());
        }
        let mut transport = shared.transport.clone();
        let max = shared.max_message_bytes;
        let start = &shared.server_start;
        let exchange = async move {
            std::future::poll_fn(|cx| tower::Service::poll_ready(&mut transport, cx))
                .await
                .map_err(|e| {
                    Error::from_status(
                        rpc.name,
                        tonic::Status::from_error(Box::new(e)),
                        start.get(),
                    )
                })?;
            // The readiness reserved above travels with the transport into `Grpc`.
            let mut grpc = tonic::client::Grpc::new(transport)
                .max_decoding_message_size(max)
                .max_encoding_message_size(max);
            let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
            let path = http::uri::PathAndQuery::from_static(rpc.path);
            match grpc.unary(request, path, codec).await {
                Ok(response) => Ok(response.into_inner()),
                Err(status) => Err(Error::from_status(rpc.name, status, start.get())),
            }
        };
        // The earlier of the attempt's own end and the call's deadline; the error is only built if it fires.
        let now = tokio::time::Instant::now();
        let attempt_end = shared
            .timeouts
            .attempt()
            .map(|limit| (now + limit, limit, TimeoutScope::Attempt));
        let call_end = deadline.map(|(at, limit)| (at, limit, TimeoutScope::Call));
        let end = match (attempt_end, call_end) {
            (Some(a), Some(c)) => Some(if c.0 <= a.0 { c } else { a }),
            (a, c) => a.or(c),
        };
        let timeout = |after, scope| Error::Timeout {
            rpc: rpc.name,
            after,
            scope,
        };
        // A retry whose backoff reached the call's deadline sends nothing.
        if let Some((at, after, scope)) = end
            && at <= now
        {
            return Err(timeout(after, scope));
        }
        match end {
            Some((at, after, scope)) => tokio::time::timeout_at(at, exchange)
                .await
                .unwrap_or_else(|_| Err(timeout(after, scope))),
            None => exchange.await,
        }
    }
}

/// One attempt as a `tower::Service`, so that `tower::retry::Retry` can drive it.
struct Attempt<Req, Resp> {
    client: Client,
    rpc: &'static Rpc,
    deadline: Option<(tokio::time::Instant, Duration)>,
    marker: PhantomData<fn(Req) -> Resp>,
}

impl<Req, Resp> Clone for Attempt<Req, Resp> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            rpc: self.rpc,
            deadline: self.deadline,
            marker: PhantomData,
        }
    }
}

impl<Req, Resp> tower::Service<Req> for Attempt<Req, Resp>
where
    Req: prost::Message + Send + 'static,
    Resp: prost::Message + Default + Send + 'static,
{
    type Response = Resp;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Resp>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let (client, rpc, deadline) = (self.client.clone(), self.rpc, self.deadline);
        Box::pin(async move { client.attempt(rpc, request, deadline).await })
    }
}
