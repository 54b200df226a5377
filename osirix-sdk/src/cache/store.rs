//! The cache of one client: moka (what is kept, its bound and expiry), the front map that serves hits, and the
//! fills in flight (identical cold reads wait for one fetch; invalidations supersede the fetches they overtake).

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use moka::notification::RemovalCause;
use moka::ops::compute::Op;

use super::config::{CacheConfig, CacheStats};
use super::entry::{CacheKey, Filled, Superseded};
use super::fills::{Fill, Fills, Part};
use super::front::Front;
use super::kept::Kept;
use crate::error::Error;
use crate::rpc::Rpc;

/// How often a read asks again after meeting answers an invalidation superseded, before it gives up on the
/// cache for this read: each time an invalidation of the same uid landed while the answer was on its way.
const SUPERSEDED_TRIES: usize = 3;

/// What a read got from the cache's slow path.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// A value this read may take.
    Value(Arc<Filled>),
    /// Invalidations kept superseding the answers this read met (or the reads running its fetch went away): it
    /// should fetch without the cache.
    Superseded,
    /// The fetch failed (every read waiting on it gets the same error).
    Failed(Error),
}

/// What a fill brings back for the cache to keep.
#[derive(Debug)]
pub(crate) struct Fetched {
    /// The value, client-free.
    pub(crate) kept: Kept,
    /// Estimated bytes of the value.
    pub(crate) bytes: usize,
    /// Whether it gets the growable time-to-live.
    pub(crate) growable: bool,
}

/// moka expires each entry at the instant the value carries, which the front map also checks.
struct ExpiresAt;

impl moka::Expiry<CacheKey, Arc<Filled>> for ExpiresAt {
    fn expire_after_create(
        &self,
        _: &CacheKey,
        value: &Arc<Filled>,
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
    evictions: AtomicU64,
    /// Numbers the fills, so that the front tells newer values from older ones.
    seq: AtomicU64,
}

/// The cache of one client, shared by its clones and its connector (which drops it on a new connection).
#[derive(Clone)]
pub(crate) struct ResponseCache {
    pub(super) entries: moka::future::Cache<CacheKey, Arc<Filled>>,
    /// The read path; `None` when a time-to-idle needs moka to see every read.
    pub(super) front: Option<Arc<Front>>,
    pub(super) fills: Arc<Fills>,
    /// Every declaration that has filled the cache, so that a uid's entries can all be found.
    declarations: Arc<Mutex<Vec<&'static Rpc>>>,
    config: Arc<CacheConfig>,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseCache")
            .field("entries", &self.entries.entry_count())
            .finish_non_exhaustive()
    }
}

impl ResponseCache {
    /// Builds the cache, or `None` when the configuration disables it.
    pub(crate) fn new(config: &CacheConfig) -> Option<Self> {
        if !config.is_enabled() {
            return None;
        }
        let counters = Arc::new(Counters::default());
        let front = config
            .time_to_idle()
            .is_none()
            .then(|| Arc::new(Front::new()));
        let listener_front = front.clone();
        let listener_counters = Arc::clone(&counters);
        let mut builder = moka::future::Cache::builder()
            .max_capacity(config.max_bytes())
            .weigher(|_: &CacheKey, v: &Arc<Filled>| v.weight)
            .expire_after(ExpiresAt)
            .eviction_listener(move |key, value: Arc<Filled>, cause| {
                // Dead first, then out of the front: a promotion that checked before is removed here after.
                value.kill();
                if let Some(front) = &listener_front {
                    front.remove_if_seq(&key, value.seq);
                }
                if matches!(cause, RemovalCause::Size | RemovalCause::Expired) {
                    listener_counters.evictions.fetch_add(1, Ordering::Relaxed);
                }
            });
        if let Some(tti) = config.time_to_idle() {
            builder = builder.time_to_idle(tti);
        }
        Some(Self {
            entries: builder.build(),
            front,
            fills: Arc::new(Fills::default()),
            declarations: Arc::new(Mutex::new(Vec::new())),
            config: Arc::new(config.clone()),
            counters,
        })
    }

    /// The value of `(rpc, uid)` from the front map read with `read`, counted as a hit; `None` when the front
    /// does not hold it (it may still be in moka: see [`ResponseCache::lookup`]).
    pub(crate) fn front_read<R>(
        &self,
        rpc: &'static Rpc,
        uid: &str,
        read: impl FnOnce(&Kept) -> Option<R>,
    ) -> Option<R> {
        self.front.as_ref()?.read(rpc, uid, read)
    }

    /// The number of invalidations so far: what a read notes when it begins.
    pub(crate) fn invalidations(&self) -> u64 {
        self.fills.invalidations()
    }

    /// The value of `key` for a read that began after `began` invalidations: the answer of an identical fetch
    /// under way (which this read waits for), from moka, or from `fetch`, which this read then runs. The fetch's
    /// answer is kept unless an invalidation of its uid landed while it was on its way; a read does not wait for
    /// nor take an answer that an invalidation superseded before the read began, and asks again instead.
    pub(crate) async fn lookup<F, Fut>(&self, key: &CacheKey, began: u64, fetch: F) -> Lookup
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Fetched, Error>>,
    {
        for _ in 0..SUPERSEDED_TRIES {
            // The fills in flight first, then moka: a fill leaves the registry only once its answer is in moka.
            let filled = if let Some(fill) = self.fills.find(key, began) {
                match self.wait(&fill).await {
                    Some(Ok(filled)) => filled,
                    Some(Err(err)) => return Lookup::Failed(err),
                    None => continue,
                }
            } else if let Some(filled) = self.entries.get(key).await {
                self.counters.hits.fetch_add(1, Ordering::Relaxed);
                tracing::Span::current().record("cache", "hit");
                filled
            } else {
                match self.fills.join_or_start(key, began) {
                    Part::Wait(fill) => match self.wait(&fill).await {
                        Some(Ok(filled)) => filled,
                        Some(Err(err)) => return Lookup::Failed(err),
                        None => continue,
                    },
                    Part::Run(guard) => {
                        self.counters.misses.fetch_add(1, Ordering::Relaxed);
                        tracing::Span::current().record("cache", "miss");
                        self.remember(key.rpc);
                        let result = match fetch().await {
                            Ok(fetched) => {
                                let filled =
                                    Arc::new(self.filled(fetched, &key.uid, guard.superseded()));
                                self.keep(key, &filled).await;
                                Ok(filled)
                            }
                            Err(err) => Err(err),
                        };
                        guard.finish(result.clone());
                        match result {
                            Ok(filled) => filled,
                            Err(err) => return Lookup::Failed(err),
                        }
                    }
                }
            };
            if filled.superseded.by().is_none() {
                if let Some(front) = &self.front {
                    front.promote(key, &filled);
                }
                return Lookup::Value(filled);
            }
            // Kept by nobody, whoever asked.
            self.discard(key, &filled).await;
            if filled.superseded.takeable_after(began) {
                return Lookup::Value(filled);
            }
        }
        Lookup::Superseded
    }

    /// Waits for another read's fill; `None` when it was abandoned.
    async fn wait(&self, fill: &Fill) -> Option<Result<Arc<Filled>, Error>> {
        self.counters.coalesced.fetch_add(1, Ordering::Relaxed);
        tracing::Span::current().record("cache", "coalesced");
        fill.outcome().await
    }

    /// Puts a fetched value in moka, unless an invalidation superseded its fetch; and takes it out again if one
    /// did meanwhile (the invalidation may have cleared the key before the value went in).
    async fn keep(&self, key: &CacheKey, filled: &Arc<Filled>) {
        if filled.superseded.by().is_some() {
            return;
        }
        self.entries.insert(key.clone(), Arc::clone(filled)).await;
        if filled.superseded.by().is_some() {
            self.discard(key, filled).await;
        }
    }

    /// The entry of a fetched value, for `uid`, marked by `superseded`.
    fn filled(&self, fetched: Fetched, uid: &str, superseded: &Arc<Superseded>) -> Filled {
        let growable = fetched.growable;
        // The key and the value are held twice: by moka and by the front map.
        let overhead = 2 * (size_of::<CacheKey>() + size_of::<Filled>());
        let bytes = fetched.bytes + uid.len() + overhead;
        let weight = u32::try_from(bytes).unwrap_or(u32::MAX);
        let ttl = match (
            growable.then_some(self.config.growable_ttl()).flatten(),
            self.config.time_to_live(),
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let seq = self.counters.seq.fetch_add(1, Ordering::Relaxed);
        Filled::new(
            fetched.kept,
            weight,
            ttl.and_then(|ttl| Instant::now().checked_add(ttl)),
            seq,
            Arc::clone(superseded),
        )
    }

    /// Puts a fetched value straight into moka (tests of the bound, which need no fill).
    #[cfg(test)]
    pub(super) async fn insert(&self, key: CacheKey, fetched: Fetched) {
        let filled = self.filled(fetched, &key.uid, &Arc::default());
        self.entries.insert(key, Arc::new(filled)).await;
    }

    /// Drops `filled` from moka if it is still what moka holds for `key`.
    async fn discard(&self, key: &CacheKey, filled: &Arc<Filled>) {
        let _ = self
            .entries
            .entry_by_ref(key)
            .and_compute_with(|held| {
                let op = match held {
                    Some(held) if Arc::ptr_eq(held.value(), filled) => Op::Remove,
                    _ => Op::Nop,
                };
                std::future::ready(op)
            })
            .await;
    }

    /// Notes that `rpc` has filled the cache.
    fn remember(&self, rpc: &'static Rpc) {
        let mut declarations = self
            .declarations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if !declarations.iter().any(|known| std::ptr::eq(*known, rpc)) {
            declarations.push(rpc);
        }
    }

    /// Drops every answer about `uid` of the declarations of OsiriX class `class`, and supersedes the fetches of
    /// `uid` in flight.
    pub(crate) async fn invalidate(&self, class: &str, uid: &Arc<str>) {
        self.fills.invalidate(Some(uid));
        let declarations: Vec<&'static Rpc> = self
            .declarations
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .copied()
            .filter(|rpc| rpc.class == class)
            .collect();
        for rpc in declarations {
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

    /// Drops everything, and supersedes every fetch in flight.
    pub(crate) fn invalidate_all(&self) {
        self.fills.invalidate(None);
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
                + self.front.as_deref().map_or(0, Front::hits),
            misses: self.counters.misses.load(Ordering::Relaxed),
            coalesced: self.counters.coalesced.load(Ordering::Relaxed),
            evictions: self.counters.evictions.load(Ordering::Relaxed),
            entries: self.entries.entry_count(),
            weighted_bytes: self.entries.weighted_size(),
        }
    }
}
