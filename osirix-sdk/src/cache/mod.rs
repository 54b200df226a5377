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
//! - Answers that hold handles (a series' study, an image's series) expire after the growable time-to-live
//!   too: OsiriX gives an object a new uid once it has dropped it from its uid cache, so a cached handle can
//!   go stale while its object lives on ([`Cacheable::HOLDS_HANDLES`]).
//! - Errors are never cached. A stale-handle answer drops every entry of that uid.
//! - The cache belongs to one client (uids belong to one server process) and is shared by its clones.
//! - Values are kept without their client ([`stored`]) and hits are served by a plain sharded map in front of
//!   moka ([`front`]); moka decides what is kept, bounds it, and coalesces identical cold reads.

mod front;
mod stored;

pub use stored::{Cacheable, Payload};

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use moka::notification::RemovalCause;

use crate::decode::Weigh;

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
    ///
    /// Tracking idleness makes every hit go through moka's bookkeeping, which makes hits several times slower.
    pub fn with_time_to_idle(mut self, tti: Option<Duration>) -> Self {
        self.time_to_idle = tti;
        self
    }

    /// How long growable collections and counts, and every answer that holds handles, live after they were
    /// fetched; `None` keeps them like any other entry (until invalidated).
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

/// A cached answer, in its client-free [`Cacheable::Stored`] form, with what the cache needs to keep it.
#[derive(Clone)]
pub(crate) struct CachedValue {
    payload: Payload,
    weight: u32,
    /// When moka drops it and the front stops serving it (one instant for both), `None` for never.
    expires_at: Option<Instant>,
}

impl CachedValue {
    /// Stores `value`, fetched now, for `uid`. `growable` values, and values that hold handles
    /// ([`Cacheable::HOLDS_HANDLES`]), get the growable time-to-live.
    pub(crate) fn new<T: Cacheable + Weigh>(
        value: &T,
        uid: &str,
        growable: bool,
        config: &CacheConfig,
    ) -> Self {
        let growable = growable || T::HOLDS_HANDLES;
        // The key and the value are held twice: by moka and by the front map.
        let overhead = 2 * (size_of::<CacheKey>() + size_of::<CachedValue>());
        let weight = u32::try_from(value.weigh() + uid.len() + overhead).unwrap_or(u32::MAX);
        let ttl = match (
            growable.then_some(config.growable_ttl).flatten(),
            config.time_to_live,
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Self {
            payload: value.pack(),
            weight,
            expires_at: ttl.and_then(|ttl| Instant::now().checked_add(ttl)),
        }
    }

    /// The value bound to `client`, if it was stored as a `T` (it always was: one RPC has one Rust type).
    pub(crate) fn load<T: Cacheable>(&self, client: &crate::Client) -> Option<T> {
        T::unpack(&self.payload, client)
    }
}

/// moka expires each entry at the instant the value carries, which the front map also checks.
struct ExpiresAt;

impl moka::Expiry<CacheKey, CachedValue> for ExpiresAt {
    fn expire_after_create(
        &self,
        _: &CacheKey,
        value: &CachedValue,
        created_at: Instant,
    ) -> Option<Duration> {
        value
            .expires_at
            .map(|at| at.saturating_duration_since(created_at))
    }
}

#[derive(Debug, Default)]
struct Counters {
    /// Hits served by moka; the front map counts its own.
    hits: AtomicU64,
    misses: AtomicU64,
    coalesced: AtomicU64,
    evictions: Arc<AtomicU64>,
}

/// The cache of one client.
pub(crate) struct ResponseCache {
    entries: moka::future::Cache<CacheKey, CachedValue>,
    /// The read path; `None` when a time-to-idle needs moka to see every read.
    front: Option<Arc<front::Front>>,
    config: CacheConfig,
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
        let front = config
            .time_to_idle
            .is_none()
            .then(|| Arc::new(front::Front::new()));
        let listener_front = front.clone();
        let mut builder = moka::future::Cache::builder()
            .max_capacity(config.max_bytes)
            .weigher(|_: &CacheKey, v: &CachedValue| v.weight)
            .expire_after(ExpiresAt)
            .eviction_listener(move |key, value, cause| {
                // Whatever moka drops leaves the front too (unless the front already holds a newer value).
                if let Some(front) = &listener_front {
                    front.remove_if_same(&key, &value);
                }
                if matches!(cause, RemovalCause::Size | RemovalCause::Expired) {
                    evictions.fetch_add(1, Ordering::Relaxed);
                }
            });
        if let Some(tti) = config.time_to_idle {
            builder = builder.time_to_idle(tti);
        }
        Some(Self {
            entries: builder.build(),
            front,
            config: config.clone(),
            counters,
        })
    }

    /// The configuration the cache was built with.
    pub(crate) fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// The value of `(rpc, uid)` from the front map, bound to `client` and counted as a hit; `None` when the
    /// front does not hold it (it may still be in moka: see [`ResponseCache::get`]).
    pub(crate) fn get_fresh<T: Cacheable>(
        &self,
        rpc: &str,
        uid: &str,
        client: &crate::Client,
    ) -> Option<T> {
        let hit = self
            .front
            .as_ref()?
            .read(rpc, uid, |p| T::unpack(p, client))?;
        Some(hit)
    }

    /// A value from moka, bound to `client` and counted as a hit (and put in the front map).
    pub(crate) async fn get<T: Cacheable>(
        &self,
        key: &CacheKey,
        client: &crate::Client,
    ) -> Option<T> {
        let value = self.entries.get(key).await?;
        let hit = value.load::<T>(client)?;
        self.fill_front(key.clone(), &value).await;
        self.counters.hits.fetch_add(1, Ordering::Relaxed);
        Some(hit)
    }

    /// Puts a value moka returned into the front, and takes it out again if moka dropped it meanwhile (its
    /// eviction listener may have run before the insertion): the front never keeps what moka does not hold.
    async fn fill_front(&self, key: CacheKey, value: &CachedValue) {
        let Some(front) = &self.front else { return };
        front.insert(key.clone(), value);
        if !self.entries.contains_key(&key) {
            front.remove_if_same(&key, value);
        }
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
            .try_get_with(key.clone(), async {
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
        if let Ok(value) = &result {
            self.fill_front(key, value).await;
        }
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
            let key = CacheKey {
                rpc,
                uid: uid.clone(),
            };
            self.entries.invalidate(&key).await;
            if let Some(front) = &self.front {
                front.remove(&key);
            }
        }
    }

    /// Drops everything.
    pub(crate) fn invalidate_all(&self) {
        self.entries.invalidate_all();
        // moka drops (and reports) invalidated entries lazily; the front must stop serving them now.
        if let Some(front) = &self.front {
            front.clear();
        }
    }

    /// Runs moka's pending maintenance, so counts are exact.
    pub(crate) async fn sync(&self) {
        self.entries.run_pending_tasks().await;
    }

    pub(crate) fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.counters.hits.load(Ordering::Relaxed)
                + self.front.as_deref().map_or(0, front::Front::hits),
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
        let config = CacheConfig::default().with_max_bytes(max);
        let cache = ResponseCache::new(&config).unwrap();
        let uid: Arc<str> = "E621E1F8-C36C-495A-93FC-0C247A3E6E5F".into();
        for i in 0..1_000_000u32 {
            let key = CacheKey {
                rpc: "DicomImageSopInstanceUid",
                uid: format!("{uid}-{i}").into(),
            };
            let value = format!("1.2.840.{i}");
            let cached = CachedValue::new(&value, &key.uid, false, &config);
            cache.insert(key, cached).await;
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

    fn key(i: u32) -> CacheKey {
        CacheKey {
            rpc: "DicomImageCompletePath",
            uid: format!("E621E1F8-C36C-495A-93FC-{i:012}").into(),
        }
    }

    async fn fill(cache: &ResponseCache, config: &CacheConfig, i: u32) -> CachedValue {
        let value = format!("/data/{i}.dcm");
        let key = key(i);
        let fetched = async { Ok::<_, ()>(CachedValue::new(&value, &key.uid, false, config)) };
        cache
            .get_or_fetch(key.clone(), fetched)
            .await
            .expect("fills")
    }

    fn client() -> crate::Client {
        crate::Client::builder("http://127.0.0.1:9")
            .connect_lazy()
            .expect("lazy client")
    }

    /// The front map serves hits but never holds what moka dropped: its size follows moka's bound.
    #[tokio::test]
    async fn the_front_never_outgrows_moka() {
        let config = CacheConfig::default().with_max_bytes(256 << 10);
        let cache = ResponseCache::new(&config).unwrap();
        let client = client();
        for i in 0..50_000 {
            fill(&cache, &config, i).await;
            // Read an early key often, so that hits go through the front while moka evicts around it.
            let _ = cache.get_fresh::<String>(key(i % 100).rpc, &key(i % 100).uid, &client);
        }
        cache.sync().await;
        let front = cache.front.as_ref().expect("on by default");
        let held = cache.stats().entries;
        assert!(held < 50_000, "moka evicted: {:?}", cache.stats());
        assert!(
            front.len() as u64 <= held,
            "front {} > moka {held}",
            front.len()
        );
        // Everything the front serves is something moka holds.
        for i in 0..50_000 {
            let k = key(i);
            if cache.get_fresh::<String>(k.rpc, &k.uid, &client).is_some() {
                assert!(
                    cache.entries.contains_key(&k),
                    "front serves evicted key {i}"
                );
            }
        }
    }

    #[tokio::test]
    async fn invalidation_reaches_the_front_at_once() {
        let config = CacheConfig::default();
        let cache = ResponseCache::new(&config).unwrap();
        let client = client();
        for i in 0..10 {
            fill(&cache, &config, i).await;
        }
        let k = key(3);
        assert_eq!(
            cache.get_fresh::<String>(k.rpc, &k.uid, &client).as_deref(),
            Some("/data/3.dcm")
        );
        assert_eq!(
            cache.get_fresh::<u32>(k.rpc, &k.uid, &client),
            None,
            "another type is a miss"
        );
        cache.invalidate(&[k.rpc], &k.uid).await;
        assert_eq!(cache.get_fresh::<String>(k.rpc, &k.uid, &client), None);
        assert!(cache.get::<String>(&k, &client).await.is_none());
        let k = key(4);
        assert!(cache.get_fresh::<String>(k.rpc, &k.uid, &client).is_some());
        cache.invalidate_all();
        assert_eq!(cache.get_fresh::<String>(k.rpc, &k.uid, &client), None);
        assert!(cache.get::<String>(&k, &client).await.is_none());
        // Refilled after invalidation, served again.
        fill(&cache, &config, 4).await;
        assert!(cache.get_fresh::<String>(k.rpc, &k.uid, &client).is_some());
    }

    #[tokio::test]
    async fn the_front_stops_serving_at_the_time_to_live() {
        let config = CacheConfig::default().with_time_to_live(Some(Duration::from_millis(200)));
        let cache = ResponseCache::new(&config).unwrap();
        let client = client();
        fill(&cache, &config, 1).await;
        let k = key(1);
        assert!(cache.get_fresh::<String>(k.rpc, &k.uid, &client).is_some());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(cache.get_fresh::<String>(k.rpc, &k.uid, &client), None);
        assert!(
            cache.get::<String>(&k, &client).await.is_none(),
            "moka expired it too"
        );
    }

    /// Hits are counted per shard of the front map: the stats add every shard's count and moka's, exactly, and a
    /// read of the wrong type is no hit.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hits_from_many_threads_and_shards_add_up() {
        let config = CacheConfig::default();
        let cache = Arc::new(ResponseCache::new(&config).unwrap());
        for i in 0..256 {
            fill(&cache, &config, i).await;
        }
        let client = client();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let (cache, client) = (cache.clone(), client.clone());
                std::thread::spawn(move || {
                    for i in 0..2_560 {
                        let k = key((i * 7 + t) % 256);
                        assert!(cache.get_fresh::<String>(k.rpc, &k.uid, &client).is_some());
                        assert!(cache.get_fresh::<u32>(k.rpc, &k.uid, &client).is_none());
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("reader thread");
        }
        assert_eq!(cache.stats().hits, 4 * 2_560);
        let k = key(0);
        cache.front.as_ref().unwrap().clear();
        assert!(cache.get::<String>(&k, &client).await.is_some());
        assert_eq!(cache.stats().hits, 4 * 2_560 + 1, "moka's hits count too");
    }

    #[tokio::test]
    async fn a_time_to_idle_sends_every_hit_through_moka() {
        let config = CacheConfig::default().with_time_to_idle(Some(Duration::from_secs(60)));
        let cache = ResponseCache::new(&config).unwrap();
        assert!(cache.front.is_none());
        let client = client();
        fill(&cache, &config, 1).await;
        let k = key(1);
        assert_eq!(cache.get_fresh::<String>(k.rpc, &k.uid, &client), None);
        assert_eq!(
            cache.get::<String>(&k, &client).await.as_deref(),
            Some("/data/1.dcm")
        );
        assert_eq!(cache.stats().hits, 1);
    }
}
