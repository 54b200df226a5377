//! The database: studies → series → images read from DICOM files, with the values OsiriX reports.
//!
//! - [`Catalog`] is one snapshot of the database: the records and the uids they are first handed out
//!   under. A snapshot never changes; an import builds the next one from it and
//!   the server swaps it in one step, so a reader never sees a half-built study.
//! - Records are only ever appended: a study, series or image keeps its index for the life of the
//!   emulator, and imports add to the lists of the studies and series they join.
//! - `scan` reads headers from files (through the file guard); `derive` turns a header into the values
//!   OsiriX derives on import (see docs/osirix-behaviour.md, *The database*).

mod build;
mod catalog;
mod derive;
mod record;
pub(crate) mod scan;
mod skipped;

pub use catalog::Catalog;
pub use record::{Image, Series, Study};
pub use skipped::SkippedFile;
