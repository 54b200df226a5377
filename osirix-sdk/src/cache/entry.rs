//! A cache entry: its key, and the value with what the cache needs to keep it.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use super::kept::Kept;
use crate::rpc::Rpc;

/// The key of a cached answer: the declaration (by address, see [`Rpc`]) and the handle's uid.
#[derive(Debug, Clone)]
pub(crate) struct CacheKey {
    pub(crate) rpc: &'static Rpc,
    pub(crate) uid: Arc<str>,
}

impl CacheKey {
    /// The declaration's address, which identifies it.
    pub(crate) fn rpc_id(rpc: &'static Rpc) -> usize {
        std::ptr::from_ref(rpc) as usize
    }
}

impl PartialEq for CacheKey {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.rpc, other.rpc) && self.uid == other.uid
    }
}

impl Eq for CacheKey {}

impl Hash for CacheKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        CacheKey::rpc_id(self.rpc).hash(state);
        self.uid.hash(state);
    }
}

/// Whether an invalidation superseded the fetch that produced a value: shared by the fetch in flight (which an
/// invalidation marks) and the value it produced (which the cache then neither keeps nor serves).
#[derive(Debug, Default)]
pub(crate) struct Superseded(AtomicU64);

impl Superseded {
    /// Marks the fetch superseded by invalidation number `invalidation` (the first one counts).
    pub(crate) fn mark(&self, invalidation: u64) {
        let _ = self
            .0
            .compare_exchange(0, invalidation, Ordering::SeqCst, Ordering::SeqCst);
    }

    /// The number of the invalidation that superseded it, if one did.
    pub(crate) fn by(&self) -> Option<u64> {
        match self.0.load(Ordering::SeqCst) {
            0 => None,
            n => Some(n),
        }
    }

    /// Whether a read that began after `began` invalidations may take the value: no invalidation superseded it,
    /// or the one that did came after the read began.
    pub(crate) fn takeable_after(&self, began: u64) -> bool {
        self.by().is_none_or(|invalidation| invalidation > began)
    }
}

/// A cached answer in its client-free form, shared by the store and the front map.
#[derive(Debug)]
pub(crate) struct Filled {
    pub(crate) kept: Kept,
    /// Estimated bytes, for the store's bound.
    pub(crate) weight: u32,
    /// When the store drops it and the front stops serving it (one instant for both), `None` for never.
    pub(crate) expires_at: Option<Instant>,
    /// Later fills have larger numbers: the front never replaces a value with an older one.
    pub(crate) seq: u64,
    /// Cleared by the store's eviction listener when the store drops the value.
    alive: AtomicBool,
    /// Marked when an invalidation superseded the fetch that produced it.
    pub(crate) superseded: Arc<Superseded>,
}

impl Filled {
    pub(crate) fn new(
        kept: Kept,
        weight: u32,
        expires_at: Option<Instant>,
        seq: u64,
        superseded: Arc<Superseded>,
    ) -> Self {
        Self {
            kept,
            weight,
            expires_at,
            seq,
            alive: AtomicBool::new(true),
            superseded,
        }
    }

    /// The store dropped it.
    pub(crate) fn kill(&self) {
        self.alive.store(false, Ordering::SeqCst);
    }

    /// Whether it may still be served from the front: the store holds it and no invalidation superseded the
    /// fetch that produced it.
    pub(crate) fn servable(&self) -> bool {
        self.alive.load(Ordering::SeqCst) && self.superseded.by().is_none()
    }
}
