//! Shared fixtures of the end-to-end tests: a demo database written to a temporary folder, served by the
//! emulator on a loopback port, and an SDK client connected to it.

pub mod hostile;
pub mod load;

/// The workspace README's examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}

use std::path::PathBuf;

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::{Catalog, Emulator, RunningEmulator};
use osirix_sdk::{Client, ClientBuilder};

/// An emulator serving generated data, the folder holding that data, and a connected client.
pub struct Fixture {
    /// The running server.
    pub emulator: RunningEmulator,
    /// A client with the default settings.
    pub client: Client,
    /// Keeps the generated files alive for the test.
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// Starts the emulator on the default demo database (3 studies × 2 series × 5 images).
    pub async fn demo() -> Self {
        Self::with_spec(DemoSpec::default(), false).await
    }

    /// Starts the emulator on a demo database of `spec`, in serial mode or not.
    pub async fn with_spec(spec: DemoSpec, serial: bool) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let catalog = generate(dir.path(), &spec).expect("demo database");
        let emulator = start(catalog, serial).await;
        let client = Client::connect(emulator.url())
            .await
            .expect("client connects");
        Self {
            emulator,
            client,
            dir,
        }
    }

    /// A second client of the same server, built from `builder`'s settings.
    pub async fn client_with(
        &self,
        configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> Client {
        configure(Client::builder(self.emulator.url()))
            .connect()
            .await
            .expect("client connects")
    }

    /// The catalogue the emulator serves.
    pub fn catalog(&self) -> &Catalog {
        self.emulator.catalog()
    }
}

/// Starts an emulator on a free loopback port.
pub async fn start(catalog: Catalog, serial: bool) -> RunningEmulator {
    Emulator::builder(catalog)
        .serial(serial)
        .start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator starts")
}

/// The MR phantom folder from `OSIRIX_PHANTOM_DIR`, or `None` after printing why the test is skipped.
pub fn phantom_dir(test: &str) -> Option<PathBuf> {
    match std::env::var_os("OSIRIX_PHANTOM_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => {
            println!(
                "skipped: {test}: OSIRIX_PHANTOM_DIR not set (point it at shared/data/mr-phantom)"
            );
            None
        }
    }
}
