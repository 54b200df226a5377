//! `osirix viewers`: the displayed 2D viewers.

use futures_util::future::try_join_all;
use osirix_sdk::ViewerController;
use serde::Serialize;

use crate::connect::Settings;
use crate::exit::{Context, Failure};
use crate::output::{self, Format, Row};

/// One viewer.
#[derive(Debug, Serialize)]
struct ViewerRow {
    /// The handle uid, for `osirix rois`, `roi-stats` and `volume`.
    uid: String,
    title: String,
    modality: String,
    /// The slices of the current frame.
    slices: usize,
    frames: u32,
    /// The current frame (0-based).
    frame: u32,
}

impl Row for ViewerRow {
    const HEADERS: &'static [&'static str] =
        &["UID", "TITLE", "MODALITY", "SLICES", "FRAMES", "FRAME"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.uid.clone(),
            self.title.clone(),
            self.modality.clone(),
            self.slices.to_string(),
            self.frames.to_string(),
            self.frame.to_string(),
        ]
    }
}

/// Lists the viewers.
///
/// # Errors
/// Those of connecting (exit code 3) and of the calls.
pub(super) async fn run(settings: &Settings, format: Format) -> Result<(), Failure> {
    let client = &settings.connect().await?;
    let viewers = client
        .displayed_2d_viewers()
        .await
        .context("listing the viewers")?;
    let rows = try_join_all(viewers.iter().map(row))
        .await
        .context("reading the viewers")?;
    output::print_rows(format, &rows)
}

async fn row(viewer: &ViewerController) -> osirix_sdk::Result<ViewerRow> {
    let (title, modality, frames, frame) = tokio::try_join!(
        viewer.title(),
        viewer.modality(),
        viewer.frame_count(),
        viewer.movie_idx(),
    )?;
    let slices = viewer.pix_list(frame).await?.len();
    Ok(ViewerRow {
        uid: viewer.uid().to_owned(),
        title,
        modality,
        slices,
        frames,
        frame,
    })
}
