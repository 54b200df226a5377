//! A call whose answer is not cached: the answer, in the call's span.

use std::sync::Arc;

use tracing::Instrument;

use super::answer::value;
use super::trace::{record_latency, span};
use crate::Client;
use crate::error::Result;
use crate::rpc::{Rpc, Split};
use crate::value::FromWire;

/// Calls `rpc` with `request` and makes its payload (split from the response by `split`) into a `T`; `absent`
/// makes the value of a declared absence. `uid` is the handle's, for stale-handle errors.
///
/// A call on a handle that is not idempotent (a setter, or an action such as a colour conversion) may change
/// the object: once it was sent, whatever its outcome, the cache drops every answer about that handle.
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
    T: FromWire<P>,
{
    let (span, started) = span(rpc, uid.map(|u| &**u), false);
    let result = async {
        client.check_open(rpc)?;
        let result = value(client, uid, rpc, request, split, absent).await;
        if !rpc.idempotent
            && let Some(uid) = uid
            && let Some(cache) = client.cache()
        {
            cache.invalidate(rpc.class, uid).await;
        }
        result
    }
    .instrument(span.clone())
    .await;
    record_latency(&span, started);
    result
}
