//! A series summary (its eight scalar attributes) with the cache disabled: `DicomSeries::summary()`, whose eight
//! RPCs go out concurrently, against the same eight accessors awaited one after the other; in the emulator's
//! normal (concurrent) mode and in its serial mode (one call at a time, like OsiriX's main thread).

use std::hint::black_box;

use benches::{
    CALL_SPEC, Server, client_runtime, first_series, sequential_summary, uncached_client,
};
use criterion::{Criterion, criterion_group, criterion_main};

fn summary(c: &mut Criterion) {
    let rt = client_runtime();
    let server = Server::start(CALL_SPEC);
    let client = rt.block_on(uncached_client(&server.url()));
    let series = rt.block_on(first_series(&client));

    let mut group = c.benchmark_group("summary");
    for (mode, serial) in [("normal", false), ("serial", true)] {
        server.emulator().set_serial(serial);
        group.bench_function(format!("concurrent_{mode}"), |b| {
            b.to_async(&rt)
                .iter(|| async { black_box(black_box(&series).summary().await.expect("summary")) })
        });
        group.bench_function(format!("sequential_{mode}"), |b| {
            b.to_async(&rt).iter(|| async {
                black_box(
                    sequential_summary(black_box(&series))
                        .await
                        .expect("summary"),
                )
            })
        });
    }
    server.emulator().set_serial(false);
    group.finish();
}

criterion_group!(benches, summary);
criterion_main!(benches);
