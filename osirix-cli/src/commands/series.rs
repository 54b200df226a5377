//! `osirix series STUDY`: the series of one study.

use futures_util::future::try_join_all;
use osirix_sdk::DicomSeries;
use serde::Serialize;

use crate::connect::Settings;
use crate::exit::{Context, Failure};
use crate::output::{self, Format, Row, or_dash};
use crate::resolve;

/// One series.
#[derive(Debug, Serialize)]
struct SeriesRow {
    /// The handle uid, for `osirix images`.
    uid: String,
    /// OsiriX's, with the suffix it gives a series it split.
    series_instance_uid: String,
    name: String,
    description: Option<String>,
    modality: String,
    /// Local to the OsiriX machine, ISO 8601 without a zone.
    date: String,
    images: u32,
}

impl Row for SeriesRow {
    const HEADERS: &'static [&'static str] = &[
        "UID",
        "NAME",
        "DESCRIPTION",
        "MODALITY",
        "DATE",
        "IMAGES",
        "SERIES INSTANCE UID",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.uid.clone(),
            self.name.clone(),
            or_dash(self.description.as_ref()),
            self.modality.clone(),
            self.date.clone(),
            self.images.to_string(),
            self.series_instance_uid.clone(),
        ]
    }
}

/// Lists the series of the study `study` names.
///
/// # Errors
/// Exit code 4 for an unknown study; those of connecting (exit code 3) and of the calls.
pub(super) async fn run(settings: &Settings, study: &str, format: Format) -> Result<(), Failure> {
    let client = &settings.connect().await?;
    let (_, series) = resolve::study(client, study).await?;
    let rows = try_join_all(series.iter().map(row))
        .await
        .context("reading the series")?;
    output::print_rows(format, &rows)
}

async fn row(series: &DicomSeries) -> osirix_sdk::Result<SeriesRow> {
    let summary = series.summary().await?;
    Ok(SeriesRow {
        uid: series.uid().to_owned(),
        series_instance_uid: summary.series_instance_uid,
        name: summary.name,
        description: summary.series_description,
        modality: summary.modality,
        date: summary.date.format("%Y-%m-%dT%H:%M:%S").to_string(),
        images: summary.number_of_images,
    })
}
