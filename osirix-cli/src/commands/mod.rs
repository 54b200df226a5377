//! The subcommands, one module each, and the dispatch from the parsed command line to them. Every subcommand
//! but `import` only reads.

mod images;
mod import;
mod roi_stats;
mod rois;
mod series;
mod studies;
mod viewers;
mod volume;
mod watch;

use clap::Subcommand;

use crate::connect::Settings;
use crate::exit::Failure;
use crate::output::Format;

/// What `osirix` is asked to do.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// The studies of OsiriX's database browser.
    Studies,
    /// The series of a study.
    Series {
        /// The study: a uid as `osirix studies` prints it, or a DICOM Study Instance UID.
        study: String,
    },
    /// The images of a series, by instance number.
    Images {
        /// The series: a uid as `osirix series` prints it, or a DICOM Series Instance UID.
        series: String,
    },
    /// The displayed 2D viewers.
    Viewers,
    /// The ROIs of a viewer's current frame.
    Rois {
        /// The viewer: a uid as `osirix viewers` prints it [default: the frontmost viewer].
        viewer: Option<String>,
    },
    /// OsiriX's statistics of each ROI of a viewer's current frame.
    RoiStats {
        /// The viewer: a uid as `osirix viewers` prints it [default: the frontmost viewer].
        viewer: Option<String>,
    },
    /// Writes a viewer's current frame as a float32 NumPy array (slices, rows, columns).
    Volume(volume::Args),
    /// Copies files into OsiriX's database (folders are searched for files).
    Import(import::Args),
    /// Follows what changes: the database, the viewers, or one viewer's ROIs (polled; a line per event, and
    /// with --json one JSON object per line, the first an "initial" listing).
    Watch(watch::Args),
}

/// Runs `command` (each connects with `settings`), printing its results in `format`.
///
/// # Errors
/// The command's [`Failure`].
pub(crate) async fn run(
    command: Command,
    settings: &Settings,
    format: Format,
) -> Result<(), Failure> {
    match command {
        Command::Studies => studies::run(settings, format).await,
        Command::Series { study } => series::run(settings, &study, format).await,
        Command::Images { series } => images::run(settings, &series, format).await,
        Command::Viewers => viewers::run(settings, format).await,
        Command::Rois { viewer } => rois::run(settings, viewer.as_deref(), format).await,
        Command::RoiStats { viewer } => roi_stats::run(settings, viewer.as_deref(), format).await,
        Command::Volume(args) => volume::run(settings, &args, format).await,
        // `import` checks its files before it connects, so a typo fails fast and without a server.
        Command::Import(args) => import::run(settings, &args, format).await,
        Command::Watch(args) => watch::run(settings, &args, format).await,
    }
}
