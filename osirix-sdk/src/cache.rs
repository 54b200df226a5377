//! The per-client response cache (moka). Series, studies and images do not change while they exist, so their
//! reads are cached by (RPC, uid), and concurrent identical cold reads share one RPC.
//!
//! # Policy
//! - Only RPCs the macro declares `cache` are cached: reads of `DicomSeries`, `DicomStudy` and `DicomImage`.
//!   Browser, viewer and top-level calls and setters never are.
//! - Scalar attributes (uids, names, dates, dimensions) live until evicted by size, or by the optional
//!   [`CacheConfig::with_time_to_live`] / [`CacheConfig::with_time_to_idle`].
//! - Collections that can grow while OsiriX imports (a study's series, images and paths, a series' images and
//!   paths, the counts) are declared `cache(growable)` and expire after
//!   [`CacheConfig::with_growable_ttl`] (10 s by default). [`Client::invalidate`](crate::Client::invalidate)
//!   and [`Client::invalidate_all`](crate::Client::invalidate_all) refresh on demand.
//! - Errors are never cached. A stale-handle answer drops every entry of that uid.
//! - The cache belongs to one client (uids belong to one server process) and is shared by its clones.

use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use moka::notification::RemovalCause;

/// How the response cache is sized and when entries expire.
///
/// ```
/// use std::time::Duration;
/// use osirix_sdk::CacheConfig;
///
/// let cache = CacheConfig::default().with_max_bytes(16 << 20).with_time_to_idle(Some(Duration::from_secs(600)));
/// assert_eq!(cache.max_bytes(), 16 << 20);
/// assert!(CacheConfig::disabled().max_bytes() == 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheConfig {
    max_bytes: u64,
    time_to_live: Option<Duration>,
    time_to_idle: Option<Duration>,
    growable_ttl: Option<Duration>,
}

impl Default for CacheConfig {
    /// 64 MiB, no time-to-live or time-to-idle for immutable values, 10 s for growable collections.
    fn default() -> Self {
        Self {
            max_bytes: 64 << 20,
            time_to_live: None,
            time_to_idle: None,
            growable_ttl: Some(Duration::from_secs(10)),
        }
    }
}

impl CacheConfig {
    /// No cache: every read is an RPC (and concurrent identical reads are not coalesced).
    pub fn disabled() -> Self {
        Self {
            max_bytes: 0,
            ..Self::default()
        }
    }

    /// The capacity in (estimated) bytes of cached values; 0 disables the cache.
    pub fn with_max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// How long any entry lives after it was fetched, `None` for no limit.
    pub fn with_time_to_live(mut self, ttl: Option<Duration>) -> Self {
        self.time_to_live = ttl;
        self
    }

    /// How long an entry lives without being read, `None` for no limit.
    pub fn with_time_to_idle(mut self, tti: Option<Duration>) -> Self {
        self.time_to_idle = tti;
        self
    }

    /// How long growable collections and counts live after they were fetched; `None` keeps them like any
    /// other entry (until invalidated).
    pub fn with_growable_ttl(mut self, ttl: Option<Duration>) -> Self {
        self.growable_ttl = ttl;
        self
    }

    /// The capacity in bytes.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The time-to-live of every entry.
    pub fn time_to_live(&self) -> Option<Duration> {
        self.time_to_live
    }

    /// The time-to-idle of every entry.
    pub fn time_to_idle(&self) -> Option<Duration> {
        self.time_to_idle
    }

    /// The time-to-live of growable collections.
    pub fn growable_ttl(&self) -> Option<Duration> {
        self.growable_ttl
    }

    /// True when the cache is on.
    pub fn is_enabled(&self) -> bool {
        self.max_bytes > 0
    }
}

/// Counters of a client's cache, from [`Client::cache_stats`](crate::Client::cache_stats).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Reads answered from the cache.
    pub hits: u64,
    /// Reads that sent an RPC.
    pub misses: u64,
    /// Reads that waited for another caller's identical RPC instead of sending their own.
    pub coalesced: u64,
    /// Entries dropped for size or expiry.
    pub evictions: u64,
    /// Entries held now (approximate until moka's pending tasks have run).
    pub entries: u64,
    /// Estimated bytes held now.
    pub weighted_bytes: u64,
}

/// The key of a cached answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CacheKey {
    pub(crate) rpc: &'static str,
    pub(crate) uid: Arc<str>,
}

/// A cached typed value with the weight it was admitted with.
#[derive(Clone)]
pub(crate) struct CachedValue {
    value: Arc<dyn Any + Send + Sync>,
    weight: u32,
    growable: bool,
}

impl CachedValue {
    pub(crate) fn new<T: Any + Send + Sync>(value: T, weight: usize, growable: bool) -> Self {
        let weight = u32::try_from(weight).unwrap_or(u32::MAX);
        Self {
            value: Arc::new(value),
            weight,
            growable,
        }
    }

    /// The value, if it has type `T` (it always has: one RPC has one Rust type).
    pub(crate) fn get<T: Any + Clone>(&self) -> Option<T> {
        self.value.downcast_ref::<T>().cloned()
    }
}

struct GrowableExpiry(Option<Duration>);

impl moka::Expiry<CacheKey, CachedValue> for GrowableExpiry {
    fn expire_after_create(
        &self,
        _: &CacheKey,
        value: &CachedValue,
        _: Instant,
    ) -> Option<Duration> {
        if value.growable { self.0 } else { None }
    }
}

#[derive(Debug, Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    coalesced: AtomicU64,
    evictions: Arc<AtomicU64>,
}

/// The cache of one client.
pub(crate) struct ResponseCache {
    entries: moka::future::Cache<CacheKey, CachedValue>,
    counters: Counters,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("entries", &self.entries.entry_count())
            .finish()
    }
}

impl ResponseCache {
    /// Builds the cache, or `None` when the configuration disables it.
    pub(crate) fn new(config: &CacheConfig) -> Option<Self> {
        if !config.is_enabled() {
            return None;
        }
        let counters = Counters::default();
        let evictions = counters.evictions.clone();
        let mut builder = moka::future::Cache::builder()
            .max_capacity(config.max_bytes)
            .weigher(|_: &CacheKey, v: &CachedValue| v.weight)
            .expire_after(GrowableExpiry(config.growable_ttl))
            .eviction_listener(move |_, _, cause| {
                if matches!(cause, RemovalCause::Size | RemovalCause::Expired) {
                    evictions.fetch_add(1, Ordering::Relaxed);
                }
            });
        if let Some(ttl) = config.time_to_live {
            builder = builder.time_to_live(ttl);
        }
        if let Some(tti) = config.time_to_idle {
            builder = builder.time_to_idle(tti);
        }
        Some(Self {
            entries: builder.build(),
            counters,
        })
    }

    /// A cached value, counted as a hit.
    pub(crate) async fn get<T: Any + Clone>(&self, key: &CacheKey) -> Option<T> {
        let value = self.entries.get(key).await?.get::<T>()?;
        self.counters.hits.fetch_add(1, Ordering::Relaxed);
        Some(value)
    }

    /// The value for `key`, running `fetch` unless another caller is already fetching it, in which case this
    /// caller waits for that result. Errors are returned to every waiter and not cached.
    pub(crate) async fn get_or_fetch<E, F>(
        &self,
        key: CacheKey,
        fetch: F,
    ) -> Result<CachedValue, Arc<E>>
    where
        E: Send + Sync + 'static,
        F: Future<Output = Result<CachedValue, E>>,
    {
        let ran = std::sync::atomic::AtomicBool::new(false);
        let result = self
            .entries
            .try_get_with(key, async {
                ran.store(true, Ordering::Relaxed);
                fetch.await
            })
            .await;
        let (counter, outcome) = if ran.load(Ordering::Relaxed) {
            (&self.counters.misses, "miss")
        } else {
            (&self.counters.coalesced, "coalesced")
        };
        counter.fetch_add(1, Ordering::Relaxed);
        tracing::Span::current().record("cache", outcome);
        result
    }

    /// Inserts directly (used by tests of the bound).
    #[cfg(test)]
    pub(crate) async fn insert(&self, key: CacheKey, value: CachedValue) {
        self.entries.insert(key, value).await;
    }

    /// Drops the entries of `uid` for the given RPCs.
    pub(crate) async fn invalidate(&self, rpcs: &[&'static str], uid: &Arc<str>) {
        for rpc in rpcs {
            self.entries
                .invalidate(&CacheKey {
                    rpc,
                    uid: uid.clone(),
                })
                .await;
        }
    }

    /// Drops everything.
    pub(crate) fn invalidate_all(&self) {
        self.entries.invalidate_all();
    }

    /// Runs moka's pending maintenance, so counts are exact.
    pub(crate) async fn sync(&self) {
        self.entries.run_pending_tasks().await;
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.counters.hits.load(Ordering::Relaxed),
            misses: self.counters.misses.load(Ordering::Relaxed),
            coalesced: self.counters.coalesced.load(Ordering::Relaxed),
            evictions: self.counters.evictions.load(Ordering::Relaxed),
            entries: self.entries.entry_count(),
            weighted_bytes: self.entries.weighted_size(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_as_documented() {
        let c = CacheConfig::default();
        assert_eq!(c.max_bytes(), 64 << 20);
        assert_eq!(c.time_to_live(), None);
        assert_eq!(c.time_to_idle(), None);
        assert_eq!(c.growable_ttl(), Some(Duration::from_secs(10)));
        assert!(c.is_enabled());
        assert!(!CacheConfig::disabled().is_enabled());
        assert!(ResponseCache::new(&CacheConfig::disabled()).is_none());
    }

    #[tokio::test]
    async fn a_million_distinct_keys_stay_within_the_weight_bound() {
        let max = 4 << 20;
        let cache = ResponseCache::new(&CacheConfig::default().with_max_bytes(max)).unwrap();
        let uid: Arc<str> = "E621E1F8-C36C-495A-93FC-0C247A3E6E5F".into();
        for i in 0..1_000_000u32 {
            let key = CacheKey {
                rpc: "DicomImageSopInstanceUid",
                uid: format!("{uid}-{i}").into(),
            };
            let value = format!("1.2.840.{i}");
            let weight = crate::decode::Weigh::weigh(&value) + 64;
            cache
                .insert(key, CachedValue::new(value, weight, false))
                .await;
            if i % 100_000 == 0 {
                cache.sync().await;
                assert!(cache.stats().weighted_bytes <= max, "{:?}", cache.stats());
            }
        }
        cache.sync().await;
        let stats = cache.stats();
        assert!(stats.weighted_bytes <= max, "{stats:?}");
        assert!(
            stats.entries > 1000,
            "the cache still holds entries: {stats:?}"
        );
        assert!(stats.evictions > 900_000, "{stats:?}");
    }
}
