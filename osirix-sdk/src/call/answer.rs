//! One logical call (retries included) and the reading of its answer: the in-band status, then the payload.

use std::sync::Arc;

use super::attempt::unary;
use crate::Client;
use crate::error::{Error, Result};
use crate::rpc::{Rpc, Split};
use crate::value::FromWire;

/// What a successful exchange answered.
pub(super) enum Answer<P> {
    /// Status 1: the payload.
    Payload(P),
    /// Status 0 with one of the declaration's absence messages (this one).
    Absent(String),
}

/// Calls `rpc` and reads the in-band status of its answer (see docs/osirix-behaviour.md, *Failures*): `1`
/// hands back the payload, `"No <Class> cached"` for a handle's RPC is a stale handle (and drops what the cache
/// holds about it), a declared absence is [`Answer::Absent`], any other message an OsiriX error, and a status
/// that is neither 0 nor 1 a malformed response. A success that carries a message is a failure OsiriX reported
/// with status 1 (`DCMPixROIValues` answers `"Could not compute indices"` so, with partial arrays): an OsiriX
/// error, never a partial value.
pub(super) async fn answer<Req, Resp, P>(
    client: &Client,
    uid: Option<&Arc<str>>,
    rpc: &'static Rpc,
    request: Req,
    split: Split<Resp, P>,
) -> Result<Answer<P>>
where
    Req: prost::Message + Clone + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + 'static,
{
    let response: Resp = unary(client, rpc, request).await?;
    let (status, payload) = split(response);
    let Some(status) = status else {
        return Err(Error::malformed(rpc.name, "the response has no status"));
    };
    match status.status {
        1 if status.message.is_empty() => Ok(Answer::Payload(payload)),
        1 => Err(Error::Osirix {
            rpc: rpc.name,
            message: status.message,
        }),
        0 => {
            let message = status.message;
            if let Some(uid) = uid
                && !rpc.stale.is_empty()
                && message == rpc.stale
            {
                if let Some(cache) = client.cache() {
                    cache.invalidate(rpc.class, uid).await;
                }
                return Err(Error::StaleHandle {
                    rpc: rpc.name,
                    class: rpc.class,
                    uid: uid.clone(),
                });
            }
            if rpc.absent.contains(&message.as_str()) {
                Ok(Answer::Absent(message))
            } else {
                Err(Error::Osirix {
                    rpc: rpc.name,
                    message,
                })
            }
        }
        other => Err(Error::malformed(
            rpc.name,
            format!("invalid status value {other} (OsiriX sends 0 or 1)"),
        )),
    }
}

/// The answer of `rpc` made into a `T` (the payload, or `absent()` for a declared absence).
pub(super) async fn value<Req, Resp, P, T>(
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
    match answer(client, uid, rpc, request, split).await? {
        Answer::Payload(payload) => {
            T::from_wire(payload, client).map_err(|m| Error::malformed(rpc.name, m.0))
        }
        Answer::Absent(message) => absent.map(|absent| absent()).ok_or(Error::Osirix {
            rpc: rpc.name,
            message,
        }),
    }
}
