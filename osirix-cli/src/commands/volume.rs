//! `osirix volume [VIEWER] --out FILE.npy`: a viewer's current frame as a float32 NumPy array of shape
//! (slices, rows, columns), slices in the frame's data order.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use osirix_sdk::Volume;
use serde::Serialize;

use crate::connect::Settings;
use crate::exit::{Context, Exit, Failure};
use crate::output::{self, Format};
use crate::progress::Bar;
use crate::{npy, resolve};

/// The arguments of `osirix volume`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The viewer: a uid as `osirix viewers` prints it [default: the frontmost viewer].
    viewer: Option<String>,
    /// The `.npy` file to write (replaced if it exists).
    #[arg(long, value_name = "FILE.npy")]
    out: PathBuf,
}

/// What was written.
#[derive(Debug, Serialize)]
struct Written {
    file: String,
    viewer: String,
    /// The frame exported (0-based).
    frame: u32,
    /// Slices, rows, columns.
    shape: [usize; 3],
    spacing: SpacingOut,
    /// The position of the first pixel of the first slice, in mm (x, y, z).
    origin: [f32; 3],
}

/// Distances between voxel centres, in mm.
#[derive(Debug, Serialize)]
struct SpacingOut {
    /// The mean distance between consecutive slice locations; `null` for one slice.
    slices: Option<f32>,
    rows: f32,
    columns: f32,
}

/// Exports the current frame of the viewer `args` names, or of the frontmost one.
///
/// # Errors
/// Exit code 3 when nothing answers, 4 for an unknown viewer or none in front, 1 for a frame that is no
/// greyscale volume or a file that cannot be written; those of the calls.
pub(super) async fn run(settings: &Settings, args: &Args, format: Format) -> Result<(), Failure> {
    let client = &settings.connect().await?;
    let viewer = resolve::viewer(client, args.viewer.as_deref()).await?;
    let frame = viewer
        .movie_idx()
        .await
        .context("reading the current frame")?;
    let bar = Bar::start(format!("reading frame {frame}"), "slices");
    let volume = viewer
        .volume_with_progress(frame, |progress| bar.update(progress))
        .await
        .context("reading the volume")?;
    bar.set_message(format!("writing {}", args.out.display()));
    let shape = [
        volume.slices,
        volume.shape.rows as usize,
        volume.shape.columns as usize,
    ];
    let what = || format!("writing {}", args.out.display());
    let file = File::create(&args.out).map_err(|e| Failure::new(what(), e, Exit::Failure))?;
    npy::write_f32(BufWriter::new(file), &shape, &volume.data)
        .map_err(|e| Failure::new(what(), e, Exit::Failure))?;
    drop(bar);

    let written = Written {
        file: args.out.display().to_string(),
        viewer: viewer.uid().to_owned(),
        frame,
        shape,
        spacing: SpacingOut {
            slices: slice_interval(&volume),
            rows: volume.spacing.rows,
            columns: volume.spacing.columns,
        },
        origin: [volume.origin.x, volume.origin.y, volume.origin.z],
    };
    match format {
        Format::Json => output::print_json(&written),
        Format::Table => output::write_stdout(&format!(
            "wrote {}\nshape: {} slices × {} rows × {} columns (float32)\nspacing: {} mm between slices, \
             {} mm between rows, {} mm between columns\n",
            written.file,
            shape[0],
            shape[1],
            shape[2],
            output::or_dash(written.spacing.slices),
            written.spacing.rows,
            written.spacing.columns,
        )),
    }
}

/// The mean distance between consecutive slice locations, or `None` for fewer than two slices.
fn slice_interval(volume: &Volume) -> Option<f32> {
    let locations = &volume.slice_locations;
    match (locations.first(), locations.last()) {
        (Some(first), Some(last)) if locations.len() > 1 => {
            Some((last - first).abs() / (locations.len() - 1) as f32)
        }
        _ => None,
    }
}
