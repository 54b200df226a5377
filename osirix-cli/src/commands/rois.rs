//! `osirix rois [VIEWER]`: the ROIs of a viewer's current frame, slice by slice (data order), oldest first.

use futures_util::future::try_join_all;
use osirix_sdk::{Roi, RoiKind, ViewerController};
use serde::Serialize;

use crate::connect::Settings;
use crate::exit::{Context, Failure};
use crate::output::{self, Format, Row};
use crate::resolve;

/// One ROI.
#[derive(Debug, Serialize)]
struct RoiRow {
    uid: String,
    /// The slice, in the frame's data order.
    slice: usize,
    name: String,
    /// OsiriX's kind, named as the SDK's `RoiKind` (`Other(<code>)` for a code it does not know).
    kind: String,
    /// OsiriX's tool code of the kind.
    kind_code: i32,
    /// `#rrggbb`.
    color: String,
    points: usize,
    /// OsiriX's area, in cm².
    area: f32,
}

impl Row for RoiRow {
    const HEADERS: &'static [&'static str] = &[
        "UID",
        "SLICE",
        "NAME",
        "KIND",
        "COLOR",
        "POINTS",
        "AREA (cm²)",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.uid.clone(),
            self.slice.to_string(),
            self.name.clone(),
            self.kind.clone(),
            self.color.clone(),
            self.points.to_string(),
            self.area.to_string(),
        ]
    }
}

/// Every ROI of the current frame of `viewer`, with its slice.
///
/// # Errors
/// Those of the calls.
pub(crate) async fn current_frame_rois(
    viewer: &ViewerController,
) -> Result<Vec<(usize, Roi)>, Failure> {
    let frame = viewer
        .movie_idx()
        .await
        .context("reading the current frame")?;
    let slices = viewer.roi_list(frame).await.context("listing the ROIs")?;
    Ok(slices
        .into_iter()
        .enumerate()
        .flat_map(|(slice, rois)| rois.into_iter().map(move |roi| (slice, roi)))
        .collect())
}

/// Lists the ROIs of the viewer `viewer` names, or of the frontmost one.
///
/// # Errors
/// Exit code 4 for an unknown viewer or none in front; those of connecting (exit code 3) and of the calls.
pub(super) async fn run(
    settings: &Settings,
    viewer: Option<&str>,
    format: Format,
) -> Result<(), Failure> {
    let client = &settings.connect().await?;
    let viewer = resolve::viewer(client, viewer).await?;
    let rois = current_frame_rois(&viewer).await?;
    let rows = try_join_all(rois.iter().map(|(slice, roi)| row(*slice, roi)))
        .await
        .context("reading the ROIs")?;
    output::print_rows(format, &rows)
}

async fn row(slice: usize, roi: &Roi) -> osirix_sdk::Result<RoiRow> {
    let (name, kind, color, points, area) = tokio::try_join!(
        roi.name(),
        roi.kind(),
        roi.color(),
        roi.points(),
        roi.area()
    )?;
    Ok(RoiRow {
        uid: roi.uid().to_owned(),
        slice,
        name,
        kind: kind_name(kind),
        kind_code: kind.code(),
        color: format!("#{:02x}{:02x}{:02x}", color.r, color.g, color.b),
        points: points.len(),
        area,
    })
}

/// The kind as the SDK names it.
pub(crate) fn kind_name(kind: RoiKind) -> String {
    format!("{kind:?}")
}
