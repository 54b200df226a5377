//! The client's shared state and its public API. The call path (`call/`) reads the state; `Client::invalidate`
//! is implemented beside the cache path, in `call/cached.rs`, since it needs the handle trait.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::sync::Semaphore;
use tonic::metadata::{Ascii, AsciiMetadataValue, MetadataKey};

use super::connector::ServerStartNote;
use super::transport::Transport;
use crate::cache::{CacheStats, ResponseCache};
use crate::error::{Error, Result};
use crate::retry::Retrier;
use crate::rpc::Rpc;
use crate::timeout::{TimeoutConfig, TimerAnchor};

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

/// What every clone of a client shares: the connection and its settings, read by the call path.
pub(crate) struct Shared {
    pub(crate) id: u64,
    pub(crate) transport: Transport,
    /// How the server of the latest connection began, to tell its failures apart.
    pub(crate) server_start: Arc<ServerStartNote>,
    pub(crate) timeouts: TimeoutConfig,
    pub(crate) retrier: Arc<Retrier>,
    pub(crate) cache: Option<ResponseCache>,
    pub(crate) limit: Option<Semaphore>,
    pub(crate) metadata: Vec<(MetadataKey<Ascii>, AsciiMetadataValue)>,
    pub(crate) max_message_bytes: usize,
    pub(crate) closed: AtomicBool,
    pub(crate) _timer_anchor: TimerAnchor,
}

static NEXT_CLIENT_ID: AtomicU64 = AtomicU64::new(1);

impl Shared {
    /// A new client's number, for [`Client::same_as`].
    pub(crate) fn next_id() -> u64 {
        NEXT_CLIENT_ID.fetch_add(1, Ordering::Relaxed)
    }
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

impl Client {
    pub(crate) fn from_shared(shared: Shared) -> Self {
        Self {
            shared: Arc::new(shared),
        }
    }

    /// The cache counters, all zero when the cache is disabled.
    pub fn cache_stats(&self) -> CacheStats {
        self.shared
            .cache
            .as_ref()
            .map(ResponseCache::stats)
            .unwrap_or_default()
    }

    /// Drops every cached answer, and keeps the answers of fetches under way out of the cache.
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

    /// The state the call path reads.
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The cache, when it is on.
    pub(crate) fn cache(&self) -> Option<&ResponseCache> {
        self.shared.cache.as_ref()
    }

    /// [`Error::Closed`] once the client is closed.
    pub(crate) fn check_open(&self, rpc: &'static Rpc) -> Result<()> {
        if self.is_closed() {
            Err(Error::Closed { rpc: rpc.name })
        } else {
            Ok(())
        }
    }
}
