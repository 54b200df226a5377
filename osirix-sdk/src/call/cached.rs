//! A call whose answer is cached: the front map, then moka and the fetch (see `cache/`), and the invalidation of
//! a handle's answers.

use std::time::Instant;

use tracing::{Instrument, Span};

use super::answer::{Answer, answer, value};
use super::trace::{record_latency, span};
use crate::Client;
use crate::cache::{CacheKey, Fetched, Kept, Lookup, ResponseCache};
use crate::error::{Error, Result};
use crate::handle::{Handle, WireHandle};
use crate::rpc::{Caching, Rpc, Split};
use crate::value::FromWire;
use crate::value::keep::{make_and_keep, restore};

/// Calls an RPC whose request is the handle itself, through the handle's client cache. `split` takes the
/// payload out of the response, `absent` makes the value of a declared absence.
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
    P: Clone + Send + Sync + 'static,
    T: FromWire<P> + Send + 'static,
{
    // The hit is a plain function call that never awaits, and the rest is boxed: across its one await the
    // accessor's future holds only that box, so every accessor's future (and with it every cache hit, and every
    // join of accessors) stays a few words instead of carrying the state of the paths it does not take.
    let miss = match front_lookup::<H, P, T>(handle, rpc, absent) {
        Ok(value) => return Ok(value),
        Err(miss) => miss,
    };
    Box::pin(async move {
        let inner = handle.inner();
        let (client, uid) = (&inner.client, &inner.uid);
        let request = || H::Wire::from_uid(uid.to_string());
        let Some(Miss {
            cache,
            span,
            started,
        }) = miss
        else {
            return super::call(client, Some(uid), rpc, request(), split, absent).await;
        };
        let result = async {
            client.check_open(rpc)?;
            let key = CacheKey {
                rpc,
                uid: uid.clone(),
            };
            let began = cache.invalidations();
            let growable = rpc.caching == Caching::Growable || T::HOLDS_HANDLES;
            // One fetch of this handle's RPC; the cache runs it at most once per cold key.
            let fetch = || async {
                let (kept, bytes) = match answer(client, Some(uid), rpc, request(), split).await? {
                    Answer::Payload(payload) => {
                        let (value, kept) = make_and_keep::<P, T>(payload, client)
                            .map_err(|m| Error::malformed(rpc.name, m.0))?;
                        (kept, <T as FromWire<P>>::weigh(&value))
                    }
                    Answer::Absent(message) => match absent {
                        Some(absent) => (Kept::Absent, <T as FromWire<P>>::weigh(&absent())),
                        None => {
                            return Err(Error::Osirix {
                                rpc: rpc.name,
                                message,
                            });
                        }
                    },
                };
                Ok(Fetched {
                    kept,
                    bytes,
                    growable,
                })
            };
            match cache.lookup(&key, began, fetch).await {
                Lookup::Value(filled) => restore::<P, T>(&filled.kept, client, absent)
                    .ok_or_else(|| Error::malformed(rpc.name, "the cached answer does not fit")),
                Lookup::Failed(err) => Err(err),
                // Invalidations of this uid kept landing while its answers were on their way: ask once more,
                // without the cache.
                Lookup::Superseded => value(client, Some(uid), rpc, request(), split, absent).await,
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
fn front_lookup<'a, H, P, T>(
    handle: &'a H,
    rpc: &'static Rpc,
    absent: Option<fn() -> T>,
) -> std::result::Result<T, Option<Miss<'a>>>
where
    H: Handle,
    P: Clone + 'static,
    T: FromWire<P>,
{
    let inner = handle.inner();
    let (client, uid) = (&inner.client, &inner.uid);
    let Some(cache) = client.cache() else {
        return Err(None);
    };
    let (span, started) = span(rpc, Some(uid), true);
    let hit = if client.is_closed() {
        None
    } else {
        cache.front_read(rpc, uid, |kept| restore::<P, T>(kept, client, absent))
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

impl Client {
    /// Drops every cached answer about `handle`, of every declaration over its OsiriX class, so its next reads
    /// go to the server (for example after OsiriX imported more images into a series). A fetch of it under way
    /// is not cached, and a read after this call does not take its answer.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `handle` belongs to another client: its answers are in that client's
    /// cache (invalidate them there).
    pub async fn invalidate<H: Handle>(&self, handle: &H) -> Result<()> {
        let inner = handle.inner();
        if !inner.client.same_as(self) {
            return Err(Error::invalid(
                "the handle belongs to another client: invalidate it on the client it came from",
            ));
        }
        if let Some(cache) = self.cache() {
            cache.invalidate(H::CLASS, &inner.uid).await;
        }
        Ok(())
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

    /// A handle of one client cannot invalidate another client's cache, and says so.
    #[tokio::test]
    async fn invalidating_a_foreign_handle_is_an_error() {
        let ours = Client::builder("http://127.0.0.1:9")
            .connect_lazy()
            .unwrap();
        let theirs = Client::builder("http://127.0.0.1:9")
            .connect_lazy()
            .unwrap();
        let series =
            DicomSeries::from_uid(&theirs, "E621E1F8-C36C-495A-93FC-0C247A3E6E5F").unwrap();
        let err = ours.invalidate(&series).await.expect_err("foreign");
        assert!(
            matches!(err, crate::Error::InvalidArgument { .. }),
            "{err:?}"
        );
        theirs.invalidate(&series).await.expect("its own client");
    }
}
