//! The one fixture of the SDK's tests and benches: a demo database written to a temporary folder, served by the
//! emulator on a loopback port, and SDK clients of it. A thin layer (emulator + folder + client), kept so for
//! the day it is built on the emulator's own test fixture.

use std::path::PathBuf;

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::{Catalog, Emulator, EmulatorBuilder, RunningEmulator};
use osirix_sdk::{Client, ClientBuilder, DicomImage, DicomSeries, DicomStudy};

/// A demo database in a temporary folder, served by the emulator on a free loopback port of the runtime that
/// started it.
///
/// Field order matters: the emulator stops before its files go away.
#[derive(Debug)]
pub struct Served {
    /// The running server.
    pub emulator: RunningEmulator,
    /// Keeps the generated files alive.
    pub dir: tempfile::TempDir,
}

impl Served {
    /// Generates the database of `spec` and serves it with the emulator's defaults.
    pub async fn start(spec: DemoSpec) -> Self {
        Self::start_with(spec, |builder| builder).await
    }

    /// Generates the database of `spec` and serves it with the emulator built by `configure`.
    pub async fn start_with(
        spec: DemoSpec,
        configure: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
    ) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let catalog = generate(dir.path(), &spec).expect("demo database");
        let emulator = configure(Emulator::builder(catalog))
            .start("127.0.0.1:0".parse().expect("address"))
            .await
            .expect("emulator starts");
        Self { emulator, dir }
    }

    /// The URL clients connect to.
    pub fn url(&self) -> String {
        self.emulator.url()
    }

    /// The catalogue the emulator serves.
    pub fn catalog(&self) -> &Catalog {
        self.emulator.catalog()
    }

    /// A client with the default settings, connected.
    pub async fn client(&self) -> Client {
        self.client_with(|builder| builder).await
    }

    /// A client built from `configure`'s settings, connected.
    pub async fn client_with(
        &self,
        configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
    ) -> Client {
        configure(Client::builder(self.url()))
            .connect()
            .await
            .expect("client connects")
    }
}

/// An emulator serving generated data, the folder holding that data, and a connected client.
#[derive(Debug)]
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
        let Served { emulator, dir } =
            Served::start_with(spec, |builder| builder.serial(serial)).await;
        let client = Client::connect(emulator.url())
            .await
            .expect("client connects");
        Self {
            emulator,
            client,
            dir,
        }
    }

    /// A second client of the same server, built from `configure`'s settings.
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

/// Every study of the browser with every one of its series, in the server's order: the walk down from the
/// browser that most tests start with.
pub async fn all_series(client: &Client) -> Vec<(DicomStudy, DicomSeries)> {
    let browser = client.current_browser().await.expect("current browser");
    let mut out = Vec::new();
    for study in browser.database_studies().await.expect("database studies") {
        for series in study.series().await.expect("study series") {
            out.push((study.clone(), series));
        }
    }
    out
}

/// The first study of the browser and its first series.
pub async fn first_study_and_series(client: &Client) -> (DicomStudy, DicomSeries) {
    let browser = client.current_browser().await.expect("current browser");
    let study = browser
        .database_studies()
        .await
        .expect("database studies")
        .into_iter()
        .next()
        .expect("at least one study");
    let series = study
        .series()
        .await
        .expect("study series")
        .into_iter()
        .next()
        .expect("at least one series");
    (study, series)
}

/// The first series of the first study in the browser.
pub async fn first_series(client: &Client) -> DicomSeries {
    first_study_and_series(client).await.1
}

/// The first image of [`first_series`].
pub async fn first_image(client: &Client) -> DicomImage {
    first_series(client)
        .await
        .images()
        .await
        .expect("series images")
        .into_iter()
        .next()
        .expect("at least one image")
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

/// Files to import: one study of two series of three images, generated with seed 2 so that its uids are not
/// the demo database's, in a folder of its own (removed when the `TempDir` is dropped).
pub fn import_source() -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().expect("a folder");
    let spec = DemoSpec {
        studies: 1,
        series_per_study: 2,
        images_per_series: 3,
        seed: 2,
        ..DemoSpec::DEFAULT
    };
    let catalog = generate(dir.path(), &spec).expect("demo files");
    (dir, catalog)
}
