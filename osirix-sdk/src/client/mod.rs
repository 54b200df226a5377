//! The client: one connection to one OsiriX server, its middleware settings and its cache, shared by every
//! clone and every handle it hands out.
//!
//! - `state.rs`: [`Client`], its shared state and its public API;
//! - `builder.rs`: [`ClientBuilder`], every default and the eager connect;
//! - `discover.rs`: finding the server from OsiriXgrpc's server list;
//! - `connector.rs`: the TCP connector (how each server began; the cache dropped with a connection);
//! - `transport.rs`: the HTTP/2 service, with the user's layers; `probe.rs`: the eager connect's health check.

mod builder;
mod connector;
mod discover;
mod probe;
mod state;
mod transport;

pub use builder::{ClientBuilder, DEFAULT_MAX_MESSAGE_BYTES};
pub use discover::{SERVER_CONFIGS_ENV, ServerEntry, locate_server_configs, read_server_configs};
pub use state::Client;
pub use transport::HttpService;

impl Client {
    /// Connects to `endpoint` (e.g. `"http://127.0.0.1:50051"`) with the default settings, and proves a gRPC
    /// server answers there ([`ClientBuilder::connect`]).
    ///
    /// # Errors
    /// [`Error::Connect`](crate::Error::Connect) when the endpoint is not a valid URI or nothing answers there
    /// within the connect timeout, [`Error::Protocol`](crate::Error::Protocol) when the server does not speak
    /// gRPC over HTTP/2, [`Error::Tls`](crate::Error::Tls) when the TLS handshake fails. Use
    /// [`ClientBuilder::connect_lazy`] to connect on first use instead.
    pub async fn connect(endpoint: impl Into<String>) -> crate::Result<Self> {
        Self::builder(endpoint).connect().await
    }

    /// A builder for a client of `endpoint`, to set timeouts, retries, the cache, TLS and layers.
    pub fn builder(endpoint: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(Some(endpoint.into()))
    }
}
