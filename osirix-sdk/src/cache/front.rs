//! The read path of the cache: a sharded hash map in front of moka.
//!
//! A cache hit is the SDK's most frequent operation (a warm database walk is tens of thousands of them), and
//! moka's lookup, built for its eviction bookkeeping, costs several times a plain hash-map read. So hits are
//! served from this map, and moka stays the authority on what is cached: an entry enters the front only once moka
//! holds it, and leaves it when moka drops it (moka's eviction listener), so the front never holds more than moka
//! and moka's byte bound holds for both. The front checks expiry itself, since moka reports expired entries late.
//!
//! The front is skipped when a time-to-idle is configured: moka must then see every read.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use hashbrown::HashTable;

use super::{CacheKey, CachedValue, Payload};

/// Enough shards that the two to a few dozen threads of a service rarely share one lock.
const SHARDS: usize = 64;

/// What the front keeps of a cached value: 32 bytes, so that with its key an entry fills one cache line.
struct Entry {
    payload: Payload,
    /// Nanoseconds after [`Front::base`] when the entry stops being served; `u64::MAX` for never.
    expires: u64,
}

type Table = HashTable<(CacheKey, Entry)>;

/// One shard: its table and the hits it served. A hit already writes the shard's lock word, so counting it
/// beside that word costs nothing more, where one counter for the whole cache would be written by every core's
/// every hit. Two cache lines apart, neighbouring shards never share a line.
#[derive(Default)]
#[repr(align(128))]
struct Shard {
    table: RwLock<Table>,
    hits: AtomicU64,
}

impl Shard {
    fn read(&self) -> RwLockReadGuard<'_, Table> {
        self.table.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Table> {
        self.table.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The front map.
pub(super) struct Front {
    hasher: hashbrown::DefaultHashBuilder,
    shards: Box<[Shard]>,
    base: Instant,
}

impl Front {
    pub(super) fn new() -> Self {
        Self {
            hasher: hashbrown::DefaultHashBuilder::default(),
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            base: Instant::now(),
        }
    }

    fn nanos_since_base(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.base).as_nanos()).unwrap_or(u64::MAX - 1)
    }

    fn hash(&self, rpc: &str, uid: &str) -> u64 {
        self.hasher.hash_one((rpc, uid))
    }

    fn shard(&self, hash: u64) -> &Shard {
        // The high bits pick the shard; hashbrown uses the low ones inside it.
        &self.shards[(hash >> 58) as usize % SHARDS]
    }

    /// Reads the live entry of `(rpc, uid)` with `read`, under the shard's read lock, and counts a hit when
    /// `read` makes something of it.
    pub(super) fn read<R>(
        &self,
        rpc: &str,
        uid: &str,
        read: impl FnOnce(&Payload) -> Option<R>,
    ) -> Option<R> {
        let hash = self.hash(rpc, uid);
        let shard = self.shard(hash);
        let table = shard.read();
        // Handles loaded from a cached list share their uid's allocation with the key: comparing addresses first
        // spares reading the key's uid (a cache miss per hit on a large cache).
        let (_, entry) =
            table.find(hash, |(k, _)| same_str(k.rpc, rpc) && same_str(&k.uid, uid))?;
        if entry.expires != u64::MAX && self.nanos_since_base(Instant::now()) >= entry.expires {
            return None;
        }
        let value = read(&entry.payload)?;
        shard.hits.fetch_add(1, Ordering::Relaxed);
        Some(value)
    }

    /// The hits served so far.
    pub(super) fn hits(&self) -> u64 {
        self.shards
            .iter()
            .map(|s| s.hits.load(Ordering::Relaxed))
            .sum()
    }

    /// Adds (or replaces) an entry moka holds.
    pub(super) fn insert(&self, key: CacheKey, value: &CachedValue) {
        let value = Entry {
            payload: value.payload.clone(),
            expires: value
                .expires_at
                .map_or(u64::MAX, |at| self.nanos_since_base(at)),
        };
        let hash = self.hash(key.rpc, &key.uid);
        let mut shard = self.shard(hash).write();
        let hasher = |(k, _): &(CacheKey, Entry)| self.hash(k.rpc, &k.uid);
        match shard.find_mut(hash, |(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => {
                shard.insert_unique(hash, (key, value), hasher);
            }
        }
    }

    /// Removes the entry of `key` if it is `value` (moka dropped that value; a newer one stays).
    pub(super) fn remove_if_same(&self, key: &CacheKey, value: &CachedValue) {
        self.remove_where(key, |held| held.payload.may_be(&value.payload));
    }

    /// Removes the entry of `key`, whatever it holds.
    pub(super) fn remove(&self, key: &CacheKey) {
        self.remove_where(key, |_| true);
    }

    fn remove_where(&self, key: &CacheKey, pred: impl FnOnce(&Entry) -> bool) {
        let hash = self.hash(key.rpc, &key.uid);
        let mut shard = self.shard(hash).write();
        if let Ok(entry) = shard.find_entry(hash, |(k, _)| k == key)
            && pred(&entry.get().1)
        {
            entry.remove();
        }
    }

    /// Removes everything.
    pub(super) fn clear(&self) {
        for shard in &self.shards {
            shard.write().clear();
        }
    }

    /// Entries held (for tests).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.shards.iter().map(|s| s.read().len()).sum()
    }
}

/// String equality that skips reading the bytes when both are the same allocation.
fn same_str(a: &str, b: &str) -> bool {
    (std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()) || a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With its key, an entry fills one 64-byte cache line: a hit reads one line of the table.
    #[test]
    fn an_entry_and_its_key_fill_one_cache_line() {
        assert_eq!(size_of::<(CacheKey, Entry)>(), 64);
    }

    #[test]
    fn same_str_compares_text_not_only_addresses() {
        let a = String::from("DicomSeriesModality");
        let b = String::from("DicomSeriesModality");
        assert!(same_str(&a, &a) && same_str(&a, &b));
        assert!(!same_str(&a, &a[..5]));
        assert!(!same_str(&a, "DicomSeriesName"));
    }
}
