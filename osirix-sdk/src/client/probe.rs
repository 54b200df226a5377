//! The round trip an eager [`connect`](crate::ClientBuilder::connect) makes to prove the server speaks gRPC
//! over HTTP/2, without touching OsiriX's main thread: the standard health check.
//!
//! OsiriXgrpc enables gRPC's health service, and any gRPC status at all (`UNIMPLEMENTED` from a server without
//! it included) shows a gRPC server answered; only a failure of the connection itself fails the probe. The two
//! messages are written out here, rather than generated from a `.proto`, as they are all the SDK needs of it.

use tonic::metadata::{Ascii, AsciiMetadataValue, MetadataKey};
use tonic::transport::Channel;

use super::connector::ServerStartNote;
use crate::error::{WireFailure, wire_failure};

/// The health check's path.
const HEALTH_CHECK: &str = "/grpc.health.v1.Health/Check";

/// `grpc.health.v1.HealthCheckRequest`; an empty `service` asks about the server as a whole.
#[derive(Clone, PartialEq, prost::Message)]
struct HealthCheckRequest {
    #[prost(string, tag = "1")]
    service: String,
}

/// `grpc.health.v1.HealthCheckResponse`; its status is not needed, only that it came.
#[derive(Clone, PartialEq, prost::Message)]
struct HealthCheckResponse {
    #[prost(int32, tag = "1")]
    status: i32,
}

/// Sends one health check on `channel` with the client's `metadata`; `Ok` once the server answered anything
/// in gRPC, else the failure of the connection. `note` tells how the server began.
pub(crate) async fn probe(
    channel: Channel,
    metadata: &[(MetadataKey<Ascii>, AsciiMetadataValue)],
    note: &ServerStartNote,
) -> Result<(), (WireFailure, tonic::Status)> {
    let mut grpc = tonic::client::Grpc::new(channel);
    let failed = |status: tonic::Status| match wire_failure(&status, note.get()) {
        Some(failure) => Err((failure, status)),
        None => Ok(()),
    };
    if let Err(e) = grpc.ready().await {
        return failed(tonic::Status::from_error(Box::new(e)));
    }
    let mut request = tonic::Request::new(HealthCheckRequest::default());
    for (key, value) in metadata {
        request.metadata_mut().insert(key.clone(), value.clone());
    }
    let codec = tonic_prost::ProstCodec::<HealthCheckRequest, HealthCheckResponse>::default();
    let path = http::uri::PathAndQuery::from_static(HEALTH_CHECK);
    match grpc.unary(request, path, codec).await {
        Ok(_) => Ok(()),
        Err(status) => failed(status),
    }
}
