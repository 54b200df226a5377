//! The database walk (every series' attributes, every image's path and instance number) over a generated
//! database of 50 studies × 4 series × 100 images (20 000 files), with a cold cache (`invalidate_all` before
//! each walk) and a warm one, in the emulator's normal and serial modes.
//!
//! A cold walk takes seconds, so the group runs 10 flat samples with a short measurement time.

use std::hint::black_box;
use std::time::Duration;

use benches::{Server, WALK_SPEC, client_runtime, walk, walk_client};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

fn walks(c: &mut Criterion) {
    let rt = client_runtime();
    let server = Server::start(WALK_SPEC);
    let client = rt.block_on(walk_client(&server.url()));

    let mut group = c.benchmark_group("walk");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1));
    for (mode, serial) in [("normal", false), ("serial", true)] {
        server.emulator().set_serial(serial);
        group.measurement_time(Duration::from_secs(10));
        group.bench_function(format!("cold_{mode}"), |b| {
            b.to_async(&rt).iter(|| async {
                client.invalidate_all();
                black_box(walk(black_box(&client)).await.expect("cold walk"))
            })
        });
        rt.block_on(walk(&client)).expect("fills the cache");
        group.measurement_time(Duration::from_secs(3));
        group.bench_function(format!("warm_{mode}"), |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(walk(black_box(&client)).await.expect("warm walk")) })
        });
    }
    server.emulator().set_serial(false);
    group.finish();
}

criterion_group!(benches, walks);
criterion_main!(benches);
