//! `osirix roi-stats [VIEWER]`: OsiriX's statistics of each ROI of a viewer's current frame, on the ROI's own
//! slice.

use futures_util::future::try_join_all;
use osirix_sdk::Roi;
use serde::Serialize;

use super::rois::{current_frame_rois, kind_name};
use crate::connect::Settings;
use crate::exit::{Context, Failure};
use crate::output::{self, Format, Row};
use crate::resolve;

/// One ROI's statistics: every field of the SDK's `RoiStats`, and the area.
#[derive(Debug, Serialize)]
struct StatsRow {
    uid: String,
    slice: usize,
    name: String,
    kind: String,
    mean: f32,
    min: f32,
    max: f32,
    /// The population standard deviation.
    std_dev: f32,
    total: f32,
    skewness: f32,
    /// Excess kurtosis.
    kurtosis: f32,
    /// In cm².
    area: f32,
}

impl Row for StatsRow {
    const HEADERS: &'static [&'static str] = &[
        "UID",
        "SLICE",
        "NAME",
        "KIND",
        "MEAN",
        "MIN",
        "MAX",
        "STD",
        "TOTAL",
        "SKEW",
        "KURT",
        "AREA (cm²)",
    ];

    fn cells(&self) -> Vec<String> {
        let number = |v: f32| format!("{v:.3}");
        vec![
            self.uid.clone(),
            self.slice.to_string(),
            self.name.clone(),
            self.kind.clone(),
            number(self.mean),
            number(self.min),
            number(self.max),
            number(self.std_dev),
            number(self.total),
            number(self.skewness),
            number(self.kurtosis),
            number(self.area),
        ]
    }
}

/// Prints the statistics of the ROIs of the viewer `viewer` names, or of the frontmost one.
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
        .context("computing the ROI statistics")?;
    output::print_rows(format, &rows)
}

async fn row(slice: usize, roi: &Roi) -> osirix_sdk::Result<StatsRow> {
    let (name, kind, stats, area) =
        tokio::try_join!(roi.name(), roi.kind(), roi.stats(), roi.area())?;
    Ok(StatsRow {
        uid: roi.uid().to_owned(),
        slice,
        name,
        kind: kind_name(kind),
        mean: stats.mean,
        min: stats.min,
        max: stats.max,
        std_dev: stats.std_dev,
        total: stats.total,
        skewness: stats.skewness,
        kurtosis: stats.kurtosis,
        area,
    })
}
