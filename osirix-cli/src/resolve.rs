//! From a uid on the command line to a handle. A study or series is named by the handle uid that `osirix
//! studies` / `osirix series` print, or by its DICOM instance UID; a viewer by the uid `osirix viewers` prints,
//! or by default the frontmost viewer.
//!
//! A handle uid is tried first, with one call that proves OsiriX holds it; when OsiriX does not (a stale
//! handle), or the string cannot be a handle uid at all (empty, too long), the browser's studies are searched
//! for the DICOM UID. Not finding either is exit code 4.

use osirix_sdk::{Client, DicomSeries, DicomStudy, ViewerController};

use crate::exit::{Context, Failure};

/// The study `arg` names, with its series (the call that proved the handle).
///
/// # Errors
/// A [`Failure`] with exit code 4 when no study has that uid; those of the calls.
pub(crate) async fn study(
    client: &Client,
    arg: &str,
) -> Result<(DicomStudy, Vec<DicomSeries>), Failure> {
    let what = "listing the series of the study";
    if let Ok(study) = DicomStudy::from_uid(client, arg) {
        match study.series().await {
            Ok(series) => return Ok((study, series)),
            Err(error) if error.is_stale_handle() => {}
            Err(error) => return Err(error).context(what),
        }
    }
    let browser = client
        .current_browser()
        .await
        .context("finding the browser")?;
    for study in browser
        .database_studies()
        .await
        .context("listing the studies")?
    {
        let uid = study
            .study_instance_uid()
            .await
            .context("reading a Study Instance UID")?;
        if uid.as_deref() == Some(arg) {
            let series = study.series().await.context(what)?;
            return Ok((study, series));
        }
    }
    Err(Failure::not_found(
        format!("finding study {arg}"),
        "no study has that handle uid or Study Instance UID",
    ))
}

/// The series `arg` names. OsiriX appends a suffix (`" TE-98"`) to the Series Instance UID of a series it
/// split; the DICOM UID alone names such a series when only one part has it.
///
/// # Errors
/// A [`Failure`] with exit code 4 when no series has that uid, exit code 1 when several parts of a split
/// series have it; those of the calls.
pub(crate) async fn series(client: &Client, arg: &str) -> Result<DicomSeries, Failure> {
    if let Ok(series) = DicomSeries::from_uid(client, arg) {
        match series.series_instance_uid().await {
            Ok(_) => return Ok(series),
            Err(error) if error.is_stale_handle() => {}
            Err(error) => return Err(error).context("reading the series"),
        }
    }
    let browser = client
        .current_browser()
        .await
        .context("finding the browser")?;
    let mut parts = Vec::new();
    for study in browser
        .database_studies()
        .await
        .context("listing the studies")?
    {
        for series in study
            .series()
            .await
            .context("listing the series of a study")?
        {
            let uid = series
                .series_instance_uid()
                .await
                .context("reading a Series Instance UID")?;
            if uid == arg {
                return Ok(series);
            }
            if uid.split_once(' ').is_some_and(|(dicom, _)| dicom == arg) {
                parts.push((uid, series));
            }
        }
    }
    match parts.len() {
        0 => Err(Failure::not_found(
            format!("finding series {arg}"),
            "no series has that handle uid or Series Instance UID",
        )),
        1 => Ok(parts.remove(0).1),
        _ => {
            let names: Vec<String> = parts
                .into_iter()
                .map(|(uid, _)| format!("{uid:?}"))
                .collect();
            Err(Failure::new(
                format!("finding series {arg}"),
                format!(
                    "OsiriX split it into {}: name one by its handle uid",
                    names.join(", ")
                ),
                crate::exit::Exit::Failure,
            ))
        }
    }
}

/// The viewer `arg` names, or the frontmost one.
///
/// # Errors
/// A [`Failure`] with exit code 4 when OsiriX holds no viewer of that uid, or shows no viewer; those of the
/// calls.
pub(crate) async fn viewer(
    client: &Client,
    arg: Option<&str>,
) -> Result<ViewerController, Failure> {
    let Some(arg) = arg else {
        return client
            .frontmost_viewer()
            .await
            .context("finding the frontmost viewer")?
            .ok_or_else(|| {
                Failure::not_found("finding the frontmost viewer", "OsiriX shows no 2D viewer")
            });
    };
    let not_found =
        || Failure::not_found(format!("finding viewer {arg}"), "no viewer has that uid");
    let viewer = ViewerController::from_uid(client, arg)
        .ok()
        .ok_or_else(not_found)?;
    let shown = client
        .displayed_2d_viewers()
        .await
        .context("listing the viewers")?;
    if shown.contains(&viewer) {
        Ok(viewer)
    } else {
        Err(not_found())
    }
}
