//! The `osirix.call` span of every call: the RPC, the handle's uid, and once known the cache outcome, the
//! attempts and the latency. A disabled span costs a branch; the latency is measured only when it is on.

use std::time::Instant;

use tracing::Span;
use tracing::field::Empty;

use crate::rpc::Rpc;

/// The span of a call of `rpc` on `uid`, and when it started (when the span is on).
pub(super) fn span(rpc: &'static Rpc, uid: Option<&str>, cached: bool) -> (Span, Option<Instant>) {
    let span = if cached {
        tracing::debug_span!(
            "osirix.call",
            rpc = rpc.name,
            uid,
            cache = Empty,
            attempts = Empty,
            latency_us = Empty
        )
    } else {
        tracing::debug_span!(
            "osirix.call",
            rpc = rpc.name,
            uid,
            attempts = Empty,
            latency_us = Empty
        )
    };
    let started = (!span.is_disabled()).then(Instant::now);
    (span, started)
}

/// Records a call's latency on its span, when the span is on.
pub(super) fn record_latency(span: &Span, started: Option<Instant>) {
    if let Some(started) = started {
        span.record("latency_us", started.elapsed().as_micros() as u64);
    }
}
