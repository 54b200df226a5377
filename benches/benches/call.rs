//! One typed accessor (`DicomSeriesModality`) three ways, against the same emulator over loopback: a cache hit,
//! an uncached typed call (client with `CacheConfig::disabled()`), and the raw generated tonic client.

use std::hint::black_box;
use std::time::Instant;

use benches::{
    CALL_SPEC, Server, cached_client, client_runtime, first_series, raw_client, raw_modality,
    uncached_client,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn call(c: &mut Criterion) {
    let rt = client_runtime();
    let server = Server::start(CALL_SPEC);
    let url = server.url();
    let (cached, uncached, raw) = rt.block_on(async {
        (
            cached_client(&url).await,
            uncached_client(&url).await,
            raw_client(&url).await,
        )
    });
    let hit_series = rt.block_on(first_series(&cached));
    rt.block_on(hit_series.modality()).expect("fills the cache");
    let cold_series = rt.block_on(first_series(&uncached));
    let uid = cold_series.uid().to_owned();

    let mut group = c.benchmark_group("call");
    group.bench_function("cache_hit", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(black_box(&hit_series).modality().await.expect("hit")) })
    });
    group.bench_function("uncached_typed", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(black_box(&cold_series).modality().await.expect("call")) })
    });
    group.bench_function("raw_tonic", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (mut raw, uid) = (raw.clone(), uid.clone());
            async move {
                let started = Instant::now();
                for _ in 0..iters {
                    black_box(raw_modality(&mut raw, black_box(&uid)).await);
                }
                started.elapsed()
            }
        })
    });
    group.finish();
}

criterion_group!(benches, call);
criterion_main!(benches);
