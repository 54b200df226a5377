//! An OsiriXgrpc server with OsiriX's semantics over real DICOM files, for running and testing
//! OsiriXgrpc clients anywhere (no macOS, no OsiriX).
//!
//! - The database: [`Catalog`] reads a folder of DICOM files (headers only) into studies → series → images,
//!   with the values OsiriX derives on import; [`Emulator::open_database`] owns a folder and imports into
//!   it (`BrowserControllerCopyFilesIfNeeded`, [`RunningEmulator::import`]); [`demo::generate`] writes a
//!   synthetic database whose pixels hold a [`demo::Phantom`] of known shapes and values.
//! - The scene: viewers opened on database images (2D, 4D), their DCMPix with pixels decoded from the files
//!   when first asked for, and ROIs with OsiriX's geometry, all in one uid cache shared by every connection
//!   and every listening address ([`EmulatorBuilder::start_all`]).
//! - The scene also holds 3D (VR and MIP) windows opened on viewers, with the ROI volumes built from
//!   the viewers' ROIs when they open.
//! - [`Emulator::builder`] serves it over gRPC with OsiriX's answers and failure strings for all 141 RPCs
//!   (Osirix, BrowserController, DicomStudy, DicomSeries, DicomImage, ViewerController, DCMPix, ROI,
//!   VRController and ROIVolume), plus the standard health and reflection services.
//! - [`RunningEmulator`] is the test harness: what a person does at the screen (open a series, open a 3D
//!   window, bring a window to the front, select ROIs, close a window), imports, call counters,
//!   [`Faults`], serial mode and stale handles ([`RunningEmulator::forget`]); [`testing`] is the fixture
//!   for tests of OsiriXgrpc clients.
//!
//! The behaviour it reproduces is written down in `docs/osirix-behaviour.md` of the repository. Feature `tls`
//! (off by default; OsiriX has no TLS) adds `EmulatorBuilder::tls`, for testing clients that connect through
//! a TLS proxy.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use osirix_emulator::demo::{DemoSpec, generate};
//! use osirix_emulator::{Emulator, ObjectRef};
//!
//! let dir = std::env::temp_dir().join("osirix-demo");
//! let catalog = generate(&dir, &DemoSpec::default())?;
//! let emulator = Emulator::builder(catalog).start("127.0.0.1:0".parse()?).await?;
//! // A person opens the first series; a client now finds it with OsirixFrontmostViewer.
//! emulator.open_series(ObjectRef::Series(0)).await?;
//! emulator.faults().fail_next(1, tonic::Code::Unavailable);
//! // ... run a client against emulator.url() ...
//! emulator.shutdown().await?;
//! # Ok(()) }
//! ```

mod connections;
mod control;
pub mod database;
pub mod demo;
mod error;
mod file_guard;
mod import;
mod pixels;
mod registry;
pub(crate) mod roi;
mod scene;
mod screen;
mod server;
mod service;
mod state;
pub mod testing;
pub mod wire_date;

/// The OsiriXgrpc protocol ([`osirix_proto`] with its `client` and `server` features): the messages, the server
/// trait the emulator implements and a plain generated client for tests.
#[doc(inline)]
pub use osirix_proto as proto;

pub use control::{Faults, Hold, OTHER_SERVICE, UNKNOWN_METHOD};
pub use database::{Catalog, Image, Series, SkippedFile, Study};
pub use error::Error;
pub use file_guard::MAX_SEQUENCE_DEPTH;
pub use import::ImportReport;
pub use pixels::DEFAULT_PIXEL_MEMORY;
pub use registry::{Class, ObjectRef};
pub use scene::RenderingMode;
pub use server::{
    DEFAULT_BUNDLE_NAME, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
    DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HEADER_LIST_SIZE,
    DEFAULT_REQUEST_TIMEOUT, DEFAULT_VERSION, Emulator, EmulatorBuilder, MAX_MESSAGE_SIZE,
    RunningEmulator,
};
pub use wire_date::WireDate;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The crate README's example, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
