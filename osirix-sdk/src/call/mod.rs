//! The path every RPC takes, top to bottom. The code the macro generates calls only [`call_cached`] and
//! [`call`], so the behaviour of every accessor is defined here, once:
//!
//! 1. `cached.rs`: for a cached declaration, the front map (a hit returns at once), then moka (a hit, or the
//!    wait for an identical fetch under way), then the fetch, whose answer the cache keeps unless an
//!    invalidation superseded it; `Client::invalidate` lives there too.
//! 2. `uncached.rs`: every other declaration goes straight to the answer.
//! 3. `answer.rs`: one logical call and the reading of its answer: the in-band status (success, a stale
//!    handle, a declared absence, an OsiriX failure), then the payload made into the Rust value.
//! 4. `attempt.rs`: the call on the wire: concurrency limit, call deadline, retries with backoff (`retry.rs`),
//!    and each attempt with its own time limit, metadata and message size limits.
//!
//! `trace.rs` makes the `osirix.call` span every call runs in.

mod answer;
mod attempt;
mod cached;
mod trace;
mod uncached;

pub use cached::call_cached;
pub use uncached::call;
