//! The client of a command: to `--addr` when it is given, else to the first server of OsiriXgrpc's server list
//! that answers (discovery). Both connect eagerly, so a server that is not there fails here, with exit code 3.

use std::time::Duration;

use osirix_sdk::{Client, ClientBuilder};

use crate::exit::{Context, Failure};

/// The global options that say how to connect.
#[derive(Debug, Clone, Default)]
pub(crate) struct Settings {
    /// `--addr`: the server's URL; `None` for discovery.
    pub(crate) addr: Option<String>,
    /// `--timeout`: the limit on connecting and on each call; `None` keeps the SDK's defaults.
    pub(crate) timeout: Option<Duration>,
}

impl Settings {
    /// Connects with these settings.
    ///
    /// # Errors
    /// A [`Failure`] with exit code 3 when nothing answers at `addr` or discovery finds no server.
    pub(crate) async fn connect(&self) -> Result<Client, Failure> {
        match &self.addr {
            Some(addr) => self
                .configure(Client::builder(addr.as_str()))
                .connect()
                .await
                .context(&format!("connecting to {addr}")),
            None => self
                .configure(ClientBuilder::default())
                .discover()
                .await
                .context("finding the OsiriX server (give --addr, or set OSIRIX_SERVER_CONFIGS)"),
        }
    }

    fn configure(&self, builder: ClientBuilder) -> ClientBuilder {
        match self.timeout {
            Some(limit) => builder.connect_timeout(Some(limit)).timeout(Some(limit)),
            None => builder,
        }
    }
}
