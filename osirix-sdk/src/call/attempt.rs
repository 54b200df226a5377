//! The call on the wire: the concurrency limit, the call's deadline, retries with backoff (`tower::retry` with
//! the policy of `retry.rs`), and each attempt with its own time limit, the client's metadata and the message
//! size limits. Failures of the wire are classified by the error module.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::Client;
use crate::error::{Error, Result, TimeoutScope};
use crate::retry::RetryPolicy;
use crate::rpc::Rpc;

/// One logical unary call: concurrency limit, retries with backoff, per-attempt timeout, call deadline.
pub(super) async fn unary<Req, Resp>(
    client: &Client,
    rpc: &'static Rpc,
    request: Req,
) -> Result<Resp>
where
    Req: prost::Message + Clone + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + 'static,
{
    let shared = client.shared();
    let _permit = match &shared.limit {
        Some(limit) => Some(
            limit
                .acquire()
                .await
                .map_err(|_| Error::Closed { rpc: rpc.name })?,
        ),
        None => None,
    };
    let retry = rpc.idempotent && shared.retrier.enabled();
    // One timer per attempt: each attempt ends at its own limit or at the call's deadline, whichever comes
    // first, and backoff never sleeps past the deadline; so the deadline needs no timer of its own.
    let deadline = shared
        .timeouts
        .call()
        .map(|limit| (tokio::time::Instant::now() + limit, limit));
    let policy =
        RetryPolicy::new(shared.retrier.clone(), retry).with_deadline(deadline.map(|(at, _)| at));
    let attempt = Attempt::<Req, Resp> {
        client: client.clone(),
        rpc,
        deadline,
        marker: PhantomData,
    };
    tower::ServiceExt::oneshot(tower::retry::Retry::new(policy, attempt), request).await
}

/// One attempt on the wire, ended at the attempt limit or at the call's `deadline` (the instant and the call
/// limit it came from).
async fn attempt<Req, Resp>(
    client: &Client,
    rpc: &'static Rpc,
    request: Req,
    deadline: Option<(tokio::time::Instant, Duration)>,
) -> Result<Resp>
where
    Req: prost::Message + Send + 'static,
    Resp: prost::Message + Default + Send + 'static,
{
    let shared = client.shared();
    let mut request = tonic::Request::new(request);
    for (key, value) in &shared.metadata {
        request.metadata_mut().insert(key.clone(), value.clone());
    }
    let mut transport = shared.transport.clone();
    let max = shared.max_message_bytes;
    let start = &shared.server_start;
    let exchange = async move {
        std::future::poll_fn(|cx| tower::Service::poll_ready(&mut transport, cx))
            .await
            .map_err(|e| {
                Error::from_status(
                    rpc.name,
                    tonic::Status::from_error(Box::new(e)),
                    start.get(),
                )
            })?;
        // The readiness reserved above travels with the transport into `Grpc`.
        let mut grpc = tonic::client::Grpc::new(transport)
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let codec = tonic_prost::ProstCodec::<Req, Resp>::default();
        let path = http::uri::PathAndQuery::from_static(rpc.path);
        match grpc.unary(request, path, codec).await {
            Ok(response) => Ok(response.into_inner()),
            Err(status) => Err(Error::from_status(rpc.name, status, start.get())),
        }
    };
    // The earlier of the attempt's own end and the call's deadline; the error is only built if it fires.
    let now = tokio::time::Instant::now();
    let attempt_end = shared
        .timeouts
        .attempt()
        .map(|limit| (now + limit, limit, TimeoutScope::Attempt));
    let call_end = deadline.map(|(at, limit)| (at, limit, TimeoutScope::Call));
    let end = match (attempt_end, call_end) {
        (Some(a), Some(c)) => Some(if c.0 <= a.0 { c } else { a }),
        (a, c) => a.or(c),
    };
    let timeout = |after, scope| Error::Timeout {
        rpc: rpc.name,
        after,
        scope,
    };
    // A retry whose backoff reached the call's deadline sends nothing.
    if let Some((at, after, scope)) = end
        && at <= now
    {
        return Err(timeout(after, scope));
    }
    match end {
        Some((at, after, scope)) => tokio::time::timeout_at(at, exchange)
            .await
            .unwrap_or_else(|_| Err(timeout(after, scope))),
        None => exchange.await,
    }
}

/// One attempt as a `tower::Service`, so that `tower::retry::Retry` can drive it.
struct Attempt<Req, Resp> {
    client: Client,
    rpc: &'static Rpc,
    deadline: Option<(tokio::time::Instant, Duration)>,
    marker: PhantomData<fn(Req) -> Resp>,
}

impl<Req, Resp> Clone for Attempt<Req, Resp> {
    fn clone(&self) -> Self {
        Self {
            client: self.client.clone(),
            rpc: self.rpc,
            deadline: self.deadline,
            marker: PhantomData,
        }
    }
}

impl<Req, Resp> tower::Service<Req> for Attempt<Req, Resp>
where
    Req: prost::Message + Send + 'static,
    Resp: prost::Message + Default + Send + 'static,
{
    type Response = Resp;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Resp>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Req) -> Self::Future {
        let (client, rpc, deadline) = (self.client.clone(), self.rpc, self.deadline);
        Box::pin(async move { attempt(&client, rpc, request, deadline).await })
    }
}
