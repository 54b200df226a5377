//! The path every RPC takes: cache lookup (and coalescing), then the retried, time-limited unary call, then the
//! in-band status check and the conversion of the payload. The code the macro generates calls only these
//! functions, so the behaviour of every accessor is defined here, once.

use std::sync::Arc;
use std::time::Instant;

use tracing::field::Empty;
use tracing::{Instrument, Span};

use crate::cache::{CacheKey, Cacheable, CachedValue, ResponseCache};
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
    // The hit is a plain function call that never awaits, and the rest is boxed: across its one await the
    // accessor's future holds only that box, so every accessor's future (and with it every cache hit, and every
    // join of accessors) stays a few words instead of carrying the state of the paths it does not take.
    let miss = match front_lookup::<H, T>(handle, rpc) {
        Ok(value) => return Ok(value),
        Err(miss) => miss,
    };
    Box::pin(async move {
        let inner = handle.inner();
        let (client, uid) = (&inner.client, &inner.uid);
        let Some(Miss {
            cache,
            span,
            started,
        }) = miss
        else {
            let request = H::Wire::from_uid(uid.to_string());
            return call(client, Some(uid), rpc, request, split, absent).await;
        };
        // Not in the front map: moka's own lookup, then the fetch (or a wait for the identical fetch under way),
        // which fills the cache.
        let result = async {
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
        }
        .instrument(span.clone())
        .await;
        record_latency(&span, started);
        result
    })
    .await
}

/// What a cached call that missed the front map carries to its slow path: the client's cache, the call's span
/// and when it started.
struct Miss<'a> {
    cache: &'a ResponseCache,
    span: Span,
    started: Option<Instant>,
}

/// The front map's answer for `(rpc, handle)`, in a span of its own: the value, or what the slow path needs
/// (`None` when the client has no cache).
fn front_lookup<'a, H: Handle, T: Cacheable>(
    handle: &'a H,
    rpc: &'static Rpc,
) -> std::result::Result<T, Option<Miss<'a>>> {
    let inner = handle.inner();
    let (client, uid) = (&inner.client, &inner.uid);
    let Some(cache) = client.cache() else {
        return Err(None);
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
    match hit {
        Some(value) => {
            span.record("cache", "hit");
            record_latency(&span, started);
            Ok(value)
        }
        None => Err(Some(Miss {
            cache,
            span,
            started,
        })),
    }
}

/// Records a call's latency on its span, when the span is on.
fn record_latency(span: &Span, started: Option<Instant>) {
    if let Some(started) = started {
        span.record("latency_us", started.elapsed().as_micros() as u64);
    }
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
    record_latency(&span, started);
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

#[cfg(test)]
mod tests {
    use crate::{Client, DicomImage, DicomSeries};

    /// Every accessor's future is a few words: what a cache hit, and every join of accessors, has to move.
    #[tokio::test]
    async fn accessor_futures_stay_small() {
        let client = Client::builder("http://127.0.0.1:9")
            .connect_lazy()
            .expect("a lazy client needs no server");
        let series =
            DicomSeries::from_uid(&client, "E621E1F8-C36C-495A-93FC-0C247A3E6E5F").unwrap();
        let image = DicomImage::from_uid(&client, "0C247A3E-C36C-495A-93FC-E621E1F86E5F").unwrap();
        assert!(size_of_val(&series.modality()) <= 96);
        assert!(size_of_val(&series.images()) <= 96);
        assert!(size_of_val(&image.instance_number()) <= 96);
        assert!(size_of_val(&series.summary()) <= 8 * 96);
    }
}
