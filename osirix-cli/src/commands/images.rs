//! `osirix images SERIES`: the images of one series, by instance number.

use futures_util::future::try_join_all;
use osirix_sdk::DicomImage;
use serde::Serialize;

use crate::connect::Settings;
use crate::exit::{Context, Failure};
use crate::output::{self, Format, Row};
use crate::resolve;

/// One image.
#[derive(Debug, Serialize)]
struct ImageRow {
    uid: String,
    instance_number: u32,
    slice_location: f32,
    width: u32,
    height: u32,
    frames: u32,
    modality: String,
    sop_instance_uid: String,
}

impl Row for ImageRow {
    const HEADERS: &'static [&'static str] = &[
        "UID",
        "INSTANCE",
        "LOCATION",
        "WIDTH",
        "HEIGHT",
        "FRAMES",
        "MODALITY",
        "SOP INSTANCE UID",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.uid.clone(),
            self.instance_number.to_string(),
            self.slice_location.to_string(),
            self.width.to_string(),
            self.height.to_string(),
            self.frames.to_string(),
            self.modality.clone(),
            self.sop_instance_uid.clone(),
        ]
    }
}

/// Lists the images of the series `series` names.
///
/// # Errors
/// Exit code 4 for an unknown series; those of connecting (exit code 3) and of the calls.
pub(super) async fn run(settings: &Settings, series: &str, format: Format) -> Result<(), Failure> {
    let client = &settings.connect().await?;
    let series = resolve::series(client, series).await?;
    let images = series
        .images_by_instance_number()
        .await
        .context("listing the images")?;
    let rows = try_join_all(images.iter().map(row))
        .await
        .context("reading the images")?;
    output::print_rows(format, &rows)
}

async fn row(image: &DicomImage) -> osirix_sdk::Result<ImageRow> {
    let (instance_number, slice_location, width, height, frames, modality, sop_instance_uid) = tokio::try_join!(
        image.instance_number(),
        image.slice_location(),
        image.width(),
        image.height(),
        image.number_of_frames(),
        image.modality(),
        image.sop_instance_uid(),
    )?;
    Ok(ImageRow {
        uid: image.uid().to_owned(),
        instance_number,
        slice_location,
        width,
        height,
        frames,
        modality,
        sop_instance_uid,
    })
}
