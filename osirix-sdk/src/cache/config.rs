//! The cache's settings and counters, the two public types of the cache.

use std::time::Duration;

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
    }
}
