//! `osirix studies`: the studies of the database browser, in its order.

use futures_util::future::try_join_all;
use osirix_sdk::DicomStudy;
use serde::Serialize;

use crate::connect::Settings;
use crate::exit::{Context, Failure};
use crate::output::{self, Format, Row, or_dash};

/// One study.
#[derive(Debug, Serialize)]
struct StudyRow {
    /// The handle uid, for `osirix series`.
    uid: String,
    study_instance_uid: Option<String>,
    patient_name: Option<String>,
    /// OsiriX's study name (the description).
    study_name: Option<String>,
    /// Local to the OsiriX machine, ISO 8601 without a zone.
    date: Option<String>,
    modality: Option<String>,
    /// The number of series, OsiriX's SR series for ROIs and reports included.
    series: usize,
}

impl Row for StudyRow {
    const HEADERS: &'static [&'static str] = &[
        "UID",
        "PATIENT",
        "STUDY",
        "DATE",
        "MODALITY",
        "SERIES",
        "STUDY INSTANCE UID",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.uid.clone(),
            or_dash(self.patient_name.as_ref()),
            or_dash(self.study_name.as_ref()),
            or_dash(self.date.as_ref()),
            or_dash(self.modality.as_ref()),
            self.series.to_string(),
            or_dash(self.study_instance_uid.as_ref()),
        ]
    }
}

/// Lists the studies.
///
/// # Errors
/// Those of connecting (exit code 3) and of the calls.
pub(super) async fn run(settings: &Settings, format: Format) -> Result<(), Failure> {
    let client = &settings.connect().await?;
    let browser = client
        .current_browser()
        .await
        .context("finding the browser")?;
    let studies = browser
        .database_studies()
        .await
        .context("listing the studies")?;
    let rows = try_join_all(studies.iter().map(row))
        .await
        .context("reading the studies")?;
    output::print_rows(format, &rows)
}

async fn row(study: &DicomStudy) -> osirix_sdk::Result<StudyRow> {
    let (study_instance_uid, patient_name, study_name, date, modality, series) = tokio::try_join!(
        study.study_instance_uid(),
        study.patient_name(),
        study.study_name(),
        study.date(),
        study.modality(),
        study.series(),
    )?;
    Ok(StudyRow {
        uid: study.uid().to_owned(),
        study_instance_uid,
        patient_name,
        study_name,
        date: date.map(|d| d.format("%Y-%m-%dT%H:%M:%S").to_string()),
        modality,
        series: series.len(),
    })
}
