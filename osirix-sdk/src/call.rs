//! The path every RPC takes: cache lookup (and coalescing), then the retried, time-limited unary call, then the
//! in-band status check and the conversion of the payload. The code the macro generates calls only these
//! functions, so the behaviour of every accessor is defined here, once.

use std::sync::Arc;
use std::time::Instant;

use tracing::Instrument;
use tracing::field::Empty;

use crate::cache::{CacheKey, Cacheable, CachedValue};
use crate::decode::{Decode, Weigh};
use crate::handle::{Handle, WireHandle};
use crate::proto;
use crate::{Client, Error, Result};

/// Whether and how an RPC's answer is cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caching {
    /// Never cached (setters, browser, viewers, top-level calls).
    Never,
    /// Cached until evicted: the value cannot change while the object exists.
    Immutable,
    /// Cached for the growable time-to-live: a collection or count that grows while OsiriX imports.
    Growable,
}

/// What the generated code knows about one RPC.
#[derive(Debug)]
pub struct Rpc {
    /// The RPC name, e.g. `DicomSeriesPaths`.
    pub name: &'static str,
    /// The HTTP/2 path, `/osirixgrpc.OsiriXService/<name>`.
    pub path: &'static str,
    /// The OsiriX class of the handle, e.g. `DicomSeries` (empty for top-level calls).
    pub class: &'static str,
    /// The in-band message meaning "unknown handle", `No <class> cached`.
    pub stale: &'static str,
    /// In-band messages that mean "no value" and become `None`.
    pub absent: &'static [&'static str],
    /// Caching of the answer.
    pub caching: Caching,
    /// Whether the call may be retried.
    pub idempotent: bool,
    /// The cached RPCs of the class, all dropped when a handle turns out stale.
    pub class_cached: &'static [&'static str],
}

/// Splits a response into its status and the payload to decode.
pub type Split<Resp, P> = fn(Resp) -> (Option<proto::Status>, P);

/// Calls an RPC whose request is the handle itself, through the handle's client cache.
pub async fn call_cached<H, Resp, P, T>(
    handle: &H,
    rpc: &'static Rpc,
    split: Split<Resp, P>,
    absent: Option<fn() -> T>,
) -> Result<T>
where
    H: Handle,
    H::Wire: prost::Message + Clone + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + 'static,
    T: Decode<P> + Weigh + Cacheable + Send + Sync + 'static,
{
    let inner = handle.inner();
    let (client, uid) = (&inner.client, &inner.uid);
    // Only the hit is inline, and it never awaits: the rest is boxed, so that every accessor's future (and with
    // it every cache hit) stays a few words instead of carrying the state of the paths it does not take.
    let Some(cache) = client.cache() else {
        let request = H::Wire::from_uid(uid.to_string());
        return Box::pin(call(client, Some(uid), rpc, request, split, absent)).await;
    };
    let span = tracing::debug_span!(
        "osirix.call",
        rpc = rpc.name,
        uid = &**uid,
        cache = Empty,
        attempts = Empty,
        latency_us = Empty
    );
    let started = (!span.is_disabled()).then(Instant::now);
    let hit = if client.is_closed() {
        None
    } else {
        cache.get_fresh::<T>(rpc.name, uid, client)
    };
    let result = match hit {
        Some(value) => {
            span.record("cache", "hit");
            Ok(value)
        }
        // Not in the front map: moka's own lookup, then the fetch (or a wait for the identical fetch under
        // way), which fills the cache.
        None => {
            Box::pin(async {
                client.check_open(rpc)?;
                let key = CacheKey {
                    rpc: rpc.name,
                    uid: uid.clone(),
                };
                if let Some(value) = cache.get::<T>(&key, client).await {
                    tracing::Span::current().record("cache", "hit");
                    return Ok(value);
                }
                // One fetch of this handle's RPC, uncached; the cache runs it at most once per cold key.
                let fetch_once = || {
                    fetch(
                        client,
                        Some(uid),
                        rpc,
                        H::Wire::from_uid(uid.to_string()),
                        split,
                        absent,
                    )
                };
                let growable = rpc.caching == Caching::Growable;
                let fill = async {
                    let value: T = fetch_once().await?;
                    Ok::<_, Error>(CachedValue::new(&value, uid, growable, cache.config()))
                };
                match cache.get_or_fetch(key, fill).await {
                    Ok(value) => match value.load::<T>(client) {
                        Some(value) => Ok(value),
                        // Two declarations gave this RPC different Rust types: serve this one uncached.
                        None => fetch_once().await,
                    },
                    Err(err) => Err(Error::clone(&err)),
                }
            })
            .instrument(span.clone())
            .await
        }
    };
    if let Some(started) = started {
        span.record("latency_us", started.elapsed().as_micros() as u64);
    }
    result
}

/// Calls an RPC without the cache.
pub async fn call<Req, Resp, P, T>(
    client: &Client,
    uid: Option<&Arc<str>>,
    rpc: &'static Rpc,
    request: Req,
    split: Split<Resp, P>,
    absent: Option<fn() -> T>,
) -> Result<T>
where
    Req: prost::Message + Clone + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + 'static,
    T: Decode<P>,
{
    let span = tracing::debug_span!(
        "osirix.call",
        rpc = rpc.name,
        uid = uid.map(|u| &**u),
        attempts = Empty,
        latency_us = Empty
    );
    let started = (!span.is_disabled()).then(Instant::now);
    let result = async {
        client.check_open(rpc)?;
        fetch(client, uid, rpc, request, split, absent).await
    }
    .instrument(span.clone())
    .await;
    if let Some(started) = started {
        span.record("latency_us", started.elapsed().as_micros() as u64);
    }
    result
}

/// One logical call on the wire (retries included) and the reading of its answer.
async fn fetch<Req, Resp, P, T>(
    client: &Client,
    uid: Option<&Arc<str>>,
    rpc: &'static Rpc,
    request: Req,
    split: Split<Resp, P>,
    absent: Option<fn() -> T>,
) -> Result<T>
where
    Req: prost::Message + Clone + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + 'static,
    T: Decode<P>,
{
    let response: Resp = client.unary(rpc, request).await?;
    let (status, payload) = split(response);
    let Some(status) = status else {
        return Err(Error::malformed(rpc.name, "the response has no status"));
    };
    match status.status {
        1 => T::decode(payload, client).map_err(|m| Error::malformed(rpc.name, m.0)),
        0 => {
            let message = status.message;
            if let Some(uid) = uid
                && !rpc.stale.is_empty()
                && message == rpc.stale
            {
                client.evict(rpc.class_cached, uid).await;
                return Err(Error::StaleHandle {
                    rpc: rpc.name,
                    class: rpc.class,
                    uid: uid.clone(),
                });
            }
            match absent {
                Some(absent) if rpc.absent.contains(&message.as_str()) => Ok(absent()),
                _ => Err(Error::Osirix {
                    rpc: rpc.name,
                    message,
                }),
            }
        }
        other => Err(Error::malformed(
            rpc.name,
            format!("invalid status value {other} (OsiriX sends 0 or 1)"),
        )),
    }
}
