//! White-box tests of the cache: its byte bound with moka's real size eviction, the front map against moka, and
//! invalidations against fills in flight.

use std::sync::Arc;
use std::time::Duration;

use super::entry::Filled;
use super::*;
use crate::rpc::{Caching, Rpc};

static PATH: Rpc = Rpc {
    name: "DicomImageCompletePath",
    path: "/osirixgrpc.OsiriXService/DicomImageCompletePath",
    class: "DicomImage",
    stale: "No DicomImage cached",
    absent: &[],
    caching: Caching::Immutable,
    idempotent: true,
};

/// A second declaration of the same RPC (a user's class over `DicomImage`, say).
static OTHER_PATH: Rpc = Rpc {
    name: "DicomImageCompletePath",
    path: "/osirixgrpc.OsiriXService/DicomImageCompletePath",
    class: "DicomImage",
    stale: "No DicomImage cached",
    absent: &[],
    caching: Caching::Immutable,
    idempotent: true,
};

fn key(i: u32) -> CacheKey {
    CacheKey {
        rpc: &PATH,
        uid: format!("E621E1F8-C36C-495A-93FC-{i:012}").into(),
    }
}

fn fetched(text: &str) -> Fetched {
    Fetched {
        kept: Kept::Text(text.into()),
        bytes: size_of::<String>() + text.len(),
        growable: false,
    }
}

/// The cached text of `key` through the slow path, filling it with `/data/<i>.dcm` when it is missing.
async fn fill_with(cache: &ResponseCache, key: &CacheKey, text: &str) -> Arc<Filled> {
    let began = cache.invalidations();
    match cache
        .lookup(key, began, || async {
            Ok::<_, crate::Error>(fetched(text))
        })
        .await
    {
        Lookup::Value(filled) => filled,
        other => panic!("no value: {other:?}"),
    }
}

async fn fill(cache: &ResponseCache, i: u32) -> Arc<Filled> {
    fill_with(cache, &key(i), &format!("/data/{i}.dcm")).await
}

/// The text the front map serves for `key`.
fn front_text(cache: &ResponseCache, key: &CacheKey) -> Option<String> {
    cache.front_read(key.rpc, &key.uid, |kept| match kept {
        Kept::Text(text) => Some(text.to_string()),
        _ => None,
    })
}

fn text(filled: &Filled) -> String {
    match &filled.kept {
        Kept::Text(text) => text.to_string(),
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn a_disabled_configuration_builds_no_cache() {
    assert!(ResponseCache::new(&CacheConfig::disabled()).is_none());
}

#[tokio::test]
async fn a_million_distinct_keys_stay_within_the_weight_bound() {
    let max = 4 << 20;
    let cache = ResponseCache::new(&CacheConfig::default().with_max_bytes(max)).unwrap();
    for i in 0..1_000_000u32 {
        cache
            .insert(key(i), fetched(&format!("/data/{i}.dcm")))
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

/// The front map serves hits but never holds what moka dropped: its size follows moka's bound.
#[tokio::test]
async fn the_front_never_outgrows_moka() {
    let cache = ResponseCache::new(&CacheConfig::default().with_max_bytes(256 << 10)).unwrap();
    for i in 0..50_000 {
        fill(&cache, i).await;
        // Read an early key often, so that hits go through the front while moka evicts around it.
        let _ = front_text(&cache, &key(i % 100));
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
    for i in 0..50_000 {
        let k = key(i);
        if front_text(&cache, &k).is_some() {
            assert!(
                cache.entries.contains_key(&k),
                "front serves evicted key {i}"
            );
        }
    }
}

/// A front fill that arrives late (its caller was descheduled after moka answered) must not replace the store's
/// newer value, and once moka evicts the key for size, the front must not serve it.
#[tokio::test]
async fn a_late_front_fill_does_not_outlive_the_store() {
    let cache = ResponseCache::new(&CacheConfig::default().with_max_bytes(32 << 10)).unwrap();
    let k = key(0);
    let early = fill(&cache, 0).await;
    // A newer value replaces it (an invalidation, then a refill).
    cache.invalidate("DicomImage", &k.uid).await;
    let newer = fill_with(&cache, &k, "/data/newer.dcm").await;
    assert_eq!(text(&newer), "/data/newer.dcm");
    // The early fill's caller reaches the front only now.
    cache.front.as_ref().unwrap().promote(&k, &early);
    assert_eq!(
        front_text(&cache, &k).as_deref(),
        Some("/data/newer.dcm"),
        "the late fill did not replace the newer value"
    );
    // moka evicts the key for size: other keys, each asked for a few times first so that moka admits them
    // over it.
    let mut i = 1;
    while cache.entries.contains_key(&k) {
        for _ in 0..4 {
            let _ = cache.entries.get(&key(i)).await;
        }
        fill(&cache, i).await;
        cache.sync().await;
        i += 1;
        assert!(i < 100_000, "moka never evicted the key");
    }
    assert_eq!(
        front_text(&cache, &k),
        None,
        "the front serves a value moka dropped"
    );
    cache.front.as_ref().unwrap().promote(&k, &newer);
    assert_eq!(
        front_text(&cache, &k),
        None,
        "a dropped value never enters again"
    );
}

#[tokio::test]
async fn invalidation_reaches_the_front_at_once() {
    let cache = ResponseCache::new(&CacheConfig::default()).unwrap();
    for i in 0..10 {
        fill(&cache, i).await;
    }
    let k = key(3);
    assert_eq!(front_text(&cache, &k).as_deref(), Some("/data/3.dcm"));
    cache.invalidate("DicomImage", &k.uid).await;
    assert_eq!(front_text(&cache, &k), None);
    assert!(cache.entries.get(&k).await.is_none());
    let k = key(4);
    assert!(front_text(&cache, &k).is_some());
    cache.invalidate_all();
    assert_eq!(front_text(&cache, &k), None);
    assert!(cache.entries.get(&k).await.is_none());
    // Refilled after invalidation, served again.
    fill(&cache, 4).await;
    assert!(front_text(&cache, &k).is_some());
}

/// Entries are per declaration: a second declaration of the same RPC neither reads the first one's entry nor
/// survives an invalidation of the uid.
#[tokio::test]
async fn declarations_keep_their_own_entries_and_invalidation_drops_them_all() {
    let cache = ResponseCache::new(&CacheConfig::default()).unwrap();
    let first = key(1);
    let second = CacheKey {
        rpc: &OTHER_PATH,
        uid: first.uid.clone(),
    };
    fill_with(&cache, &first, "first").await;
    assert_eq!(
        front_text(&cache, &second),
        None,
        "another declaration misses"
    );
    fill_with(&cache, &second, "second").await;
    assert_eq!(front_text(&cache, &first).as_deref(), Some("first"));
    assert_eq!(front_text(&cache, &second).as_deref(), Some("second"));
    cache.invalidate("DicomImage", &first.uid).await;
    assert_eq!(front_text(&cache, &first), None);
    assert_eq!(front_text(&cache, &second), None);
    // Another class's invalidation of the same uid leaves them.
    fill_with(&cache, &first, "first").await;
    cache.invalidate("DicomSeries", &first.uid).await;
    assert_eq!(front_text(&cache, &first).as_deref(), Some("first"));
}

/// A fill in flight when its uid is invalidated: its answer goes to the reads that began before the
/// invalidation, is not kept, and a read that began after asks again.
#[tokio::test]
async fn an_invalidation_supersedes_the_fill_in_flight() {
    let cache = ResponseCache::new(&CacheConfig::default()).unwrap();
    let k = key(7);
    let before = cache.invalidations();
    let gate = tokio::sync::Semaphore::new(0);
    let slow = || async {
        let _ = gate.acquire().await;
        Ok::<_, crate::Error>(fetched("old"))
    };
    let mut slow = std::pin::pin!(cache.lookup(&k, before, slow));
    // Start the fill and leave it waiting for its answer.
    let pending = std::future::poll_fn(|cx| {
        std::task::Poll::Ready(std::future::Future::poll(slow.as_mut(), cx).is_pending())
    })
    .await;
    assert!(pending);
    assert_eq!(cache.fills.len(), 1, "registered before it sends");
    cache.invalidate("DicomImage", &k.uid).await;
    let after = cache.invalidations();
    gate.add_permits(1);
    match slow.await {
        Lookup::Value(filled) => assert_eq!(text(&filled), "old", "asked before the invalidation"),
        other => panic!("{other:?}"),
    }
    assert_eq!(cache.fills.len(), 0);
    assert!(cache.entries.get(&k).await.is_none(), "not kept");
    assert_eq!(front_text(&cache, &k), None, "not served");
    let fresh = cache
        .lookup(&k, after, || async {
            Ok::<_, crate::Error>(fetched("new"))
        })
        .await;
    assert!(matches!(fresh, Lookup::Value(f) if text(&f) == "new"));
}

#[tokio::test]
async fn the_front_stops_serving_at_the_time_to_live() {
    let config = CacheConfig::default().with_time_to_live(Some(Duration::from_millis(200)));
    let cache = ResponseCache::new(&config).unwrap();
    fill(&cache, 1).await;
    let k = key(1);
    assert!(front_text(&cache, &k).is_some());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(front_text(&cache, &k), None);
    assert!(cache.entries.get(&k).await.is_none(), "moka expired it too");
}

/// Hits are counted per shard of the front map: the stats add every shard's count and moka's, exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hits_from_many_threads_and_shards_add_up() {
    let cache = Arc::new(ResponseCache::new(&CacheConfig::default()).unwrap());
    for i in 0..256 {
        fill(&cache, i).await;
    }
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let cache = cache.clone();
            std::thread::spawn(move || {
                for i in 0..2_560 {
                    assert!(front_text(&cache, &key((i * 7 + t) % 256)).is_some());
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("reader thread");
    }
    assert_eq!(cache.stats().hits, 4 * 2_560);
    cache.front.as_ref().unwrap().clear();
    fill(&cache, 0).await;
    assert_eq!(cache.stats().hits, 4 * 2_560 + 1, "moka's hits count too");
}

#[tokio::test]
async fn a_time_to_idle_sends_every_hit_through_moka() {
    let config = CacheConfig::default().with_time_to_idle(Some(Duration::from_secs(60)));
    let cache = ResponseCache::new(&config).unwrap();
    assert!(cache.front.is_none());
    fill(&cache, 1).await;
    assert_eq!(front_text(&cache, &key(1)), None);
    assert_eq!(text(&*fill(&cache, 1).await), "/data/1.dcm");
    assert_eq!(cache.stats().hits, 1);
}
