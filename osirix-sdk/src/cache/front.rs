//! The read path of the cache: a sharded hash map in front of moka.
//!
//! A cache hit is the SDK's most frequent operation (a warm database walk is tens of thousands of them), and
//! moka's lookup, built for its eviction bookkeeping, costs several times a plain hash-map read. So hits are
//! served from this map, and moka stays the authority on what is cached:
//! - a value enters the front only while moka holds it and no invalidation superseded it, checked under the
//!   shard's lock, and never replaces a newer one;
//! - it leaves when moka drops it (moka's eviction listener marks it dead, then removes it here), and an
//!   invalidation removes it after marking its fill superseded.
//!
//! Either way a check and a removal meet under the shard's lock, so the front never keeps what moka dropped, and
//! moka's byte bound holds for both. The front checks expiry itself, since moka reports expired entries late.
//!
//! The front is skipped when a time-to-idle is configured: moka must then see every read.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use hashbrown::HashTable;

use super::entry::{CacheKey, Filled};
use super::kept::Kept;
use crate::rpc::Rpc;

/// Enough shards that the two to a few dozen threads of a service rarely share one lock.
const SHARDS: usize = 64;

/// What the front keeps of a cached value: 40 bytes, so that with its key an entry fills one cache line.
struct Entry {
    kept: Kept,
    /// Nanoseconds after [`Front::base`] when the entry stops being served; `u64::MAX` for never.
    expires: u64,
    /// The fill's number ([`Filled::seq`]): which value this is.
    seq: u64,
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

    fn hash(&self, rpc: &'static Rpc, uid: &str) -> u64 {
        self.hasher.hash_one((CacheKey::rpc_id(rpc), uid))
    }

    fn shard(&self, hash: u64) -> &Shard {
        // The high bits pick the shard; hashbrown uses the low ones inside it.
        &self.shards[(hash >> 58) as usize % SHARDS]
    }

    /// Reads the live entry of `(rpc, uid)` with `read`, under the shard's read lock, and counts a hit when
    /// `read` makes something of it.
    pub(super) fn read<R>(
        &self,
        rpc: &'static Rpc,
        uid: &str,
        read: impl FnOnce(&Kept) -> Option<R>,
    ) -> Option<R> {
        let hash = self.hash(rpc, uid);
        let shard = self.shard(hash);
        let table = shard.read();
        // Handles loaded from a cached list share their uid's allocation with the key: comparing addresses first
        // spares reading the key's uid (a cache miss per hit on a large cache).
        let (_, entry) = table.find(hash, |(k, _)| {
            std::ptr::eq(k.rpc, rpc) && same_str(&k.uid, uid)
        })?;
        if entry.expires != u64::MAX && self.nanos_since_base(Instant::now()) >= entry.expires {
            return None;
        }
        let value = read(&entry.kept)?;
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

    /// Adds `filled`, unless moka dropped it, an invalidation superseded it, or the front holds a newer value.
    pub(super) fn promote(&self, key: &CacheKey, filled: &Filled) {
        let hash = self.hash(key.rpc, &key.uid);
        let mut shard = self.shard(hash).write();
        // Checked under the lock that the listener's and the invalidation's removals take.
        if !filled.servable() {
            return;
        }
        let entry = Entry {
            kept: filled.kept.clone(),
            expires: filled
                .expires_at
                .map_or(u64::MAX, |at| self.nanos_since_base(at)),
            seq: filled.seq,
        };
        match shard.find_mut(hash, |(k, _)| k == key) {
            Some(slot) if slot.1.seq < entry.seq => slot.1 = entry,
            Some(_) => {}
            None => {
                let hasher = |(k, _): &(CacheKey, Entry)| self.hash(k.rpc, &k.uid);
                shard.insert_unique(hash, (key.clone(), entry), hasher);
            }
        }
    }

    /// Removes the entry of `key` if it holds value number `seq` (moka dropped that one; a newer one stays).
    pub(super) fn remove_if_seq(&self, key: &CacheKey, seq: u64) {
        self.remove_where(key, |held| held.seq == seq);
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

    static RPC: Rpc = Rpc {
        name: "DicomImageCompletePath",
        path: "/osirixgrpc.OsiriXService/DicomImageCompletePath",
        class: "DicomImage",
        stale: "No DicomImage cached",
        absent: &[],
        caching: crate::rpc::Caching::Immutable,
        idempotent: true,
    };

    fn filled(text: &str, seq: u64) -> Filled {
        Filled::new(Kept::Text(text.into()), 64, None, seq, Default::default())
    }

    fn text(front: &Front, key: &CacheKey) -> Option<String> {
        front.read(key.rpc, &key.uid, |kept| match kept {
            Kept::Text(text) => Some(text.to_string()),
            _ => None,
        })
    }

    #[test]
    fn the_front_keeps_the_newest_servable_value() {
        let front = Front::new();
        let key = CacheKey {
            rpc: &RPC,
            uid: "U".into(),
        };
        let (older, newer) = (filled("older", 1), filled("newer", 2));
        front.promote(&key, &newer);
        front.promote(&key, &older);
        assert_eq!(
            text(&front, &key).as_deref(),
            Some("newer"),
            "never replaced by an older value"
        );
        front.remove_if_seq(&key, 1);
        assert_eq!(
            text(&front, &key).as_deref(),
            Some("newer"),
            "the older value's removal keeps it"
        );
        front.remove_if_seq(&key, 2);
        assert_eq!(text(&front, &key), None);
        let dead = filled("dead", 3);
        dead.kill();
        front.promote(&key, &dead);
        assert_eq!(
            text(&front, &key),
            None,
            "a value moka dropped never enters"
        );
        let superseded = filled("superseded", 4);
        superseded.superseded.mark(1);
        front.promote(&key, &superseded);
        assert_eq!(text(&front, &key), None, "nor does a superseded one");
    }
}
