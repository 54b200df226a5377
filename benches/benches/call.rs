//! One typed accessor (`DicomSeriesModality`) three ways, against the same emulator over loopback: a cache hit,
//! an uncached typed call (client with `CacheConfig::disabled()`), and the raw generated tonic client. And cache
//! hits of a number (`DicomImageInstanceNumber`) from two tasks at once, each over the images of its own series,
//! as a service's concurrent requests hit one client's cache: the time per hit of both cores together.

use std::hint::black_box;
use std::time::Instant;

use benches::{
    CALL_SPEC, Server, cached_client, client_runtime, first_series, raw_client, raw_modality,
    uncached_client,
};
use criterion::{Criterion, criterion_group, criterion_main};
use osirix_sdk::DicomImage;

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
    // The images of two series, one list per task, their instance numbers cached.
    let two_series: Vec<Vec<DicomImage>> = rt
        .block_on(async {
            let studies = cached.current_browser().await?.database_studies().await?;
            let mut lists = Vec::new();
            for series in studies[0].series().await?.into_iter().take(2) {
                let images = series.images().await?;
                for image in &images {
                    image.instance_number().await?;
                }
                lists.push(images);
            }
            Ok::<_, osirix_sdk::Error>(lists)
        })
        .expect("fills the cache");
    assert_eq!(two_series.len(), 2, "the first study has two series");
    let cold_series = rt.block_on(first_series(&uncached));
    let uid = cold_series.uid().to_owned();

    let mut group = c.benchmark_group("call");
    group.bench_function("cache_hit", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(black_box(&hit_series).modality().await.expect("hit")) })
    });
    group.bench_function("cache_hit_two_tasks", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let two_series = two_series.clone();
            async move {
                let started = Instant::now();
                let tasks: Vec<_> = two_series
                    .into_iter()
                    .enumerate()
                    .map(|(k, images)| {
                        // The two tasks share the iterations; the time is that of both together.
                        let n = iters / 2 + if k == 0 { iters % 2 } else { 0 };
                        tokio::spawn(async move {
                            for image in images.iter().cycle().take(n as usize) {
                                black_box(black_box(image).instance_number().await.expect("hit"));
                            }
                        })
                    })
                    .collect();
                for task in tasks {
                    task.await.expect("the hit task");
                }
                started.elapsed()
            }
        })
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
