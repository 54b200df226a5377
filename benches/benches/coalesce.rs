//! 1 000 concurrent identical cold reads: per iteration the cache is emptied (`invalidate_all`), then 1 000
//! `modality()` reads of one series are joined; the cache coalesces them into one RPC.

use std::hint::black_box;

use benches::{
    CALL_RPC, CALL_SPEC, COALESCED_READS, Server, cached_client, client_runtime, first_series,
};
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::future::join_all;

fn coalesce(c: &mut Criterion) {
    let rt = client_runtime();
    let server = Server::start(CALL_SPEC);
    let client = rt.block_on(cached_client(&server.url()));
    let series = rt.block_on(first_series(&client));

    let mut group = c.benchmark_group("coalesce");
    group.bench_function("1000_cold_reads", |b| {
        b.to_async(&rt).iter(|| async {
            client.invalidate_all();
            let reads = join_all((0..COALESCED_READS).map(|_| black_box(&series).modality())).await;
            black_box(reads)
        })
    });
    group.finish();

    // What the bench is about: one RPC per iteration.
    server.emulator().reset_counters();
    rt.block_on(async {
        client.invalidate_all();
        let reads = join_all((0..COALESCED_READS).map(|_| series.modality())).await;
        assert!(
            reads.iter().all(Result::is_ok),
            "every coalesced read succeeds"
        );
    });
    println!(
        "coalesce/1000_cold_reads: {} {CALL_RPC} RPC(s) for {COALESCED_READS} reads",
        server.emulator().calls(CALL_RPC)
    );
}

criterion_group!(benches, coalesce);
criterion_main!(benches);
