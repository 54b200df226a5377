//! The HTTP/2 service every RPC goes through: tonic's `Channel`, or the channel wrapped in the user's own tower
//! layers. The plain channel is not boxed, so clients without extra layers pay nothing for the option.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::TryFutureExt;
use futures_util::future::{Either, MapErr};
use tonic::body::Body;
use tonic::transport::Channel;
use tower::Service;
use tower::util::BoxCloneSyncService;

use crate::error::{BoxError, TransportError};

/// The type-erased HTTP service that user layers wrap (see
/// [`ClientBuilder::layer`](crate::ClientBuilder::layer)).
pub type HttpService = BoxCloneSyncService<http::Request<Body>, http::Response<Body>, BoxError>;

/// A user layer, stored type-erased until the channel exists.
pub(crate) type BoxedLayer = std::sync::Arc<dyn Fn(HttpService) -> HttpService + Send + Sync>;

fn from_channel(err: tonic::transport::Error) -> TransportError {
    TransportError(Box::new(err))
}

fn from_layer(err: BoxError) -> TransportError {
    TransportError(err)
}

/// The channel, or the channel inside user layers.
#[derive(Clone)]
pub(crate) enum Transport {
    Channel(Channel),
    Layered(HttpService),
}

type LayeredFuture = Pin<Box<dyn Future<Output = Result<http::Response<Body>, BoxError>> + Send>>;

impl Service<http::Request<Body>> for Transport {
    type Response = http::Response<Body>;
    type Error = TransportError;
    type Future = Either<
        MapErr<
            tonic::transport::channel::ResponseFuture,
            fn(tonic::transport::Error) -> TransportError,
        >,
        MapErr<LayeredFuture, fn(BoxError) -> TransportError>,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        match self {
            Transport::Channel(channel) => channel.poll_ready(cx).map_err(from_channel),
            Transport::Layered(service) => service.poll_ready(cx).map_err(from_layer),
        }
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        match self {
            Transport::Channel(channel) => {
                Either::Left(channel.call(request).map_err(from_channel as fn(_) -> _))
            }
            Transport::Layered(service) => {
                Either::Right(service.call(request).map_err(from_layer as fn(_) -> _))
            }
        }
    }
}

/// Wraps the channel in the layers, the first added outermost (as `tower::ServiceBuilder` does).
pub(crate) fn build(channel: Channel, layers: &[BoxedLayer]) -> Transport {
    if layers.is_empty() {
        return Transport::Channel(channel);
    }
    let base = HttpService::new(tower::ServiceExt::map_err(channel, BoxError::from));
    Transport::Layered(layers.iter().rev().fold(base, |svc, layer| layer(svc)))
}
