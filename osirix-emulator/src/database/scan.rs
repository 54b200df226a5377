//! Reading DICOM headers from a folder: one [`Header`] per readable file, the rest skipped and counted.

use std::path::{Path, PathBuf};

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::{InMemDicomObject, OpenFileOptions};

use super::skipped::SkippedFile;
use crate::file_guard::{self, Extent};

/// The header values of one DICOM file that the catalogue needs.
#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    pub(crate) path: String,
    pub(crate) study_instance_uid: String,
    pub(crate) series_instance_uid: String,
    pub(crate) sop_instance_uid: String,
    pub(crate) sop_class_uid: Option<String>,
    pub(crate) modality: Option<String>,
    pub(crate) echo_time: Option<String>,
    pub(crate) patient_name: Option<String>,
    pub(crate) patient_id: Option<String>,
    pub(crate) birth_date: Option<String>,
    pub(crate) sex: Option<String>,
    pub(crate) institution: Option<String>,
    pub(crate) referring: Option<String>,
    pub(crate) performing: Option<String>,
    pub(crate) study_description: Option<String>,
    pub(crate) series_description: Option<String>,
    pub(crate) series_number: Option<i32>,
    pub(crate) instance_number: Option<i32>,
    pub(crate) slice_location: Option<f64>,
    pub(crate) rows: Option<i32>,
    pub(crate) columns: Option<i32>,
    pub(crate) frames: Option<i32>,
    pub(crate) acquisition_date: Option<String>,
    pub(crate) acquisition_time: Option<String>,
    pub(crate) series_date: Option<String>,
    pub(crate) series_time: Option<String>,
    pub(crate) study_date: Option<String>,
    pub(crate) study_time: Option<String>,
}

/// Every regular file under `root`, recursively, sorted by path. Symbolic links to folders are not
/// followed (no cycles); unreadable sub-folders are logged and skipped.
pub(crate) fn walk(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    let mut first = true;
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if first => return Err(e),
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "skipping unreadable folder");
                continue;
            }
        };
        first = false;
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Reads the headers of `paths`: the readable ones, and the others with why they were left out (each
/// logged as a warning).
pub(crate) fn read_headers(paths: &[PathBuf]) -> (Vec<Header>, Vec<SkippedFile>) {
    let mut headers = Vec::with_capacity(paths.len());
    let mut skipped = Vec::new();
    for (path, header) in paths.iter().zip(read_all(paths)) {
        match header {
            Ok(header) => headers.push(header),
            Err(reason) => {
                tracing::warn!(path = %path.display(), %reason, "skipping file that is not readable DICOM");
                skipped.push(SkippedFile::new(path.clone(), reason));
            }
        }
    }
    (headers, skipped)
}

/// Reads the headers of `paths` (in parallel over the available cores), keeping their order; a file
/// that cannot be read gives `Err(reason)` in its place.
pub(crate) fn read_all(paths: &[PathBuf]) -> Vec<Result<Header, String>> {
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8);
    if workers == 1 || paths.len() < 64 {
        return paths.iter().map(|p| read_one(p)).collect();
    }
    let chunk = paths.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = paths
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|p| read_one(p)).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .zip(paths.chunks(chunk))
            .flat_map(|(handle, part)| {
                handle.join().unwrap_or_else(|_| {
                    part.iter()
                        .map(|_| Err("the reader thread panicked".to_owned()))
                        .collect()
                })
            })
            .collect()
    })
}

/// [`read_header`], with a panic of the DICOM reader turned into that one file's error.
fn read_one(path: &Path) -> Result<Header, String> {
    std::panic::catch_unwind(|| read_header(path)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(format!("the DICOM reader panicked: {message}"))
    })
}

/// Reads one file's header (stopping before the pixel data), once [`file_guard::open`] has passed it.
pub(crate) fn read_header(path: &Path) -> Result<Header, String> {
    let file = file_guard::open(path, Extent::Header)?;
    let obj = OpenFileOptions::new()
        .read_until(tags::PIXEL_DATA)
        .from_reader(file)
        .map_err(|e| e.to_string())?;
    header_of(&obj, path)
}

/// The header values of a data set, as if read from the file at `path`.
pub(crate) fn header_of(obj: &InMemDicomObject, path: &Path) -> Result<Header, String> {
    let required = |tag: Tag, name: &str| text(obj, tag).ok_or_else(|| format!("no {name}"));
    Ok(Header {
        path: path.to_string_lossy().into_owned(),
        study_instance_uid: required(tags::STUDY_INSTANCE_UID, "StudyInstanceUID")?,
        series_instance_uid: required(tags::SERIES_INSTANCE_UID, "SeriesInstanceUID")?,
        sop_instance_uid: required(tags::SOP_INSTANCE_UID, "SOPInstanceUID")?,
        sop_class_uid: text(obj, tags::SOP_CLASS_UID),
        modality: text(obj, tags::MODALITY),
        echo_time: text(obj, tags::ECHO_TIME),
        patient_name: text(obj, tags::PATIENT_NAME),
        patient_id: text(obj, tags::PATIENT_ID),
        birth_date: text(obj, tags::PATIENT_BIRTH_DATE),
        sex: text(obj, tags::PATIENT_SEX),
        institution: text(obj, tags::INSTITUTION_NAME),
        referring: text(obj, tags::REFERRING_PHYSICIAN_NAME),
        performing: text(obj, tags::PERFORMING_PHYSICIAN_NAME),
        study_description: text(obj, tags::STUDY_DESCRIPTION),
        series_description: text(obj, tags::SERIES_DESCRIPTION),
        series_number: int(obj, tags::SERIES_NUMBER),
        instance_number: int(obj, tags::INSTANCE_NUMBER),
        slice_location: float(obj, tags::SLICE_LOCATION),
        rows: int(obj, tags::ROWS),
        columns: int(obj, tags::COLUMNS),
        frames: int(obj, tags::NUMBER_OF_FRAMES),
        acquisition_date: text(obj, tags::ACQUISITION_DATE),
        acquisition_time: text(obj, tags::ACQUISITION_TIME),
        series_date: text(obj, tags::SERIES_DATE),
        series_time: text(obj, tags::SERIES_TIME),
        study_date: text(obj, tags::STUDY_DATE),
        study_time: text(obj, tags::STUDY_TIME),
    })
}

/// A text value, trimmed of DICOM padding; `None` when absent or empty.
fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    let element = obj.element_opt(tag).ok()??;
    let value = element.to_str().ok()?;
    let trimmed = value.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// An integer value (IS, US, SS, UL, SL…); `None` when absent or not a number.
fn int(obj: &InMemDicomObject, tag: Tag) -> Option<i32> {
    let element = obj.element_opt(tag).ok()??;
    element.to_int::<i32>().ok().or_else(|| {
        let value = element.to_str().ok()?;
        value
            .trim_matches(|c: char| c.is_whitespace() || c == '\0')
            .parse()
            .ok()
    })
}

/// A decimal value (DS, FL, FD); `None` when absent, not a number or not finite.
fn float(obj: &InMemDicomObject, tag: Tag) -> Option<f64> {
    let element = obj.element_opt(tag).ok()??;
    element.to_float64().ok().filter(|v| v.is_finite())
}
