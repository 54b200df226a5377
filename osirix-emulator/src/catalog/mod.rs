//! The catalogue: studies → series → images read from DICOM files, with the values OsiriX reports.
//!
//! A catalogue is built once ([`Catalog::from_dir`] or [`crate::demo::generate`]) and never changes; the
//! running server only adds the uid cache on top of it. Grouping and derived values follow spec §5.2.

mod record;
pub(crate) mod scan;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::Utc;

pub use record::{Image, Series, Study};

use crate::Error;
use crate::uid::{Class, ObjectRef, derive_uid};
use crate::wire_date::{self, WireDate};
use scan::Header;

/// The name OsiriX gives a series without a SeriesDescription.
const UNNAMED_SERIES: &str = "unnamed";

/// Identity of the one browser (hashed into its uid).
const BROWSER_IDENTITY: &str = "browser";

/// A file the catalogue left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedFile {
    /// The file, as found under the folder read.
    pub path: PathBuf,
    /// Why it was left out (not DICOM, refused by the structural check, unreadable, incomplete, a duplicate).
    pub reason: String,
}

/// A read-only database of studies, series and images, with the uids the emulator first hands out.
#[derive(Debug, Clone)]
pub struct Catalog {
    studies: Vec<Study>,
    series: Vec<Series>,
    images: Vec<Image>,
    skipped: Vec<SkippedFile>,
    browser_uid: String,
    by_uid: HashMap<String, ObjectRef>,
}

impl Catalog {
    /// Reads every DICOM file under `path`, recursively, headers only. Symbolic links to files are
    /// followed, links to folders are not (so a link loop cannot hang the walk).
    ///
    /// Files that are not DICOM, cannot be read, lack a Study/Series/SOP Instance UID or repeat an
    /// already seen SOP Instance UID are skipped with a warning and listed in [`Catalog::skipped_files`],
    /// wherever they sit in the folder. Before dicom-object parses a file, a structural check refuses
    /// sequences nested deeper than [`MAX_SEQUENCE_DEPTH`](crate::MAX_SEQUENCE_DEPTH) levels and any
    /// declared length larger than the bytes left in the file, so a hostile file can neither overflow the
    /// reader's stack nor make it allocate more than about 50 bytes per byte of the file (the worst case,
    /// a text value of backslashes split into one string per byte).
    ///
    /// # Errors
    ///
    /// [`Error::Folder`] when `path` itself cannot be read.
    pub fn from_dir(path: impl AsRef<Path>) -> Result<Catalog, Error> {
        let path = path.as_ref();
        let folder_error = |source| Error::Folder {
            path: path.to_path_buf(),
            source,
        };
        let root = std::path::absolute(path).map_err(folder_error)?;
        let files = scan::walk(&root).map_err(folder_error)?;
        Ok(Catalog::from_files(&files))
    }

    /// Reads the given files (absolute paths make absolute `DicomImageCompletePath` values).
    pub(crate) fn from_files(files: &[PathBuf]) -> Catalog {
        let mut skipped = Vec::new();
        let mut headers: Vec<Header> = Vec::with_capacity(files.len());
        for (path, header) in files.iter().zip(scan::read_all(files)) {
            match header {
                Ok(header) => headers.push(header),
                Err(reason) => {
                    tracing::warn!(path = %path.display(), %reason, "skipping file that is not readable DICOM");
                    skipped.push(SkippedFile {
                        path: path.clone(),
                        reason,
                    });
                }
            }
        }
        let mut catalog = Catalog::from_headers(headers);
        catalog.skipped.extend(skipped);
        catalog.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        catalog
    }

    /// Builds the catalogue from file headers (duplicates are skipped and counted).
    pub(crate) fn from_headers(mut headers: Vec<Header>) -> Catalog {
        // Path order (as `walk` gives it), whatever order the headers came in.
        headers.sort_by(|a, b| Path::new(&a.path).cmp(Path::new(&b.path)));
        let mut skipped = Vec::new();
        let mut seen = HashSet::new();
        headers.retain(|h| {
            let fresh = seen.insert(h.sop_instance_uid.clone());
            if !fresh {
                tracing::warn!(path = %h.path, sop_instance_uid = %h.sop_instance_uid, "skipping duplicate image");
                skipped.push(SkippedFile {
                    path: PathBuf::from(&h.path),
                    reason: "repeats the SOPInstanceUID of another file".to_owned(),
                });
            }
            fresh
        });
        let mut catalog = build(headers, WireDate::new(Utc::now().naive_utc()));
        catalog.skipped = skipped;
        catalog
    }

    /// How many files were skipped while reading (not DICOM, unreadable, incomplete or duplicate).
    pub fn skipped(&self) -> usize {
        self.skipped.len()
    }

    /// The files skipped while reading, by path, each with its reason.
    pub fn skipped_files(&self) -> &[SkippedFile] {
        &self.skipped
    }

    /// The studies, in the browser's display order (patient name, then date, then Study Instance UID).
    pub fn studies(&self) -> &[Study] {
        &self.studies
    }

    /// The series, grouped by study (in study order) and by series number within a study.
    pub fn series(&self) -> &[Series] {
        &self.series
    }

    /// The images, grouped by series (in series order) and sorted within a series.
    pub fn images(&self) -> &[Image] {
        &self.images
    }

    /// The uid the emulator first hands out for the browser (`OsirixCurrentBrowser`).
    pub fn browser_uid(&self) -> &str {
        &self.browser_uid
    }

    /// The object a first-handed-out uid stands for (uids given after `forget` are not known here).
    pub fn lookup(&self, uid: &str) -> Option<ObjectRef> {
        self.by_uid.get(uid).copied()
    }

    /// The study whose first uid is `uid`.
    pub fn study_by_uid(&self, uid: &str) -> Option<&Study> {
        match self.lookup(uid)? {
            ObjectRef::Study(i) => self.studies.get(i),
            _ => None,
        }
    }

    /// The series whose first uid is `uid`.
    pub fn series_by_uid(&self, uid: &str) -> Option<&Series> {
        match self.lookup(uid)? {
            ObjectRef::Series(i) => self.series.get(i),
            _ => None,
        }
    }

    /// The image whose first uid is `uid`.
    pub fn image_by_uid(&self, uid: &str) -> Option<&Image> {
        match self.lookup(uid)? {
            ObjectRef::Image(i) => self.images.get(i),
            _ => None,
        }
    }

    /// The image whose SOP Instance UID is `sop_instance_uid`.
    pub fn image_by_sop_instance_uid(&self, sop_instance_uid: &str) -> Option<&Image> {
        self.images
            .iter()
            .find(|i| i.sop_instance_uid == sop_instance_uid)
    }

    /// Identities (hash inputs) and first uids of every object, flat: browser, studies, series, images.
    pub(crate) fn registry_seed(&self) -> (Vec<String>, Vec<String>) {
        let mut identities = vec![BROWSER_IDENTITY.to_owned()];
        let mut uids = vec![self.browser_uid.clone()];
        identities.extend(self.studies.iter().map(study_identity));
        uids.extend(self.studies.iter().map(|s| s.uid.clone()));
        identities.extend(self.series.iter().map(|s| {
            let study = self
                .studies
                .get(s.study)
                .map_or("", |st| st.study_instance_uid.as_str());
            series_identity(study, &s.series_instance_uid)
        }));
        uids.extend(self.series.iter().map(|s| s.uid.clone()));
        identities.extend(self.images.iter().map(|i| i.sop_instance_uid.clone()));
        uids.extend(self.images.iter().map(|i| i.uid.clone()));
        (identities, uids)
    }
}

/// The DICOM identity of a study, hashed into its uid.
fn study_identity(study: &Study) -> String {
    study.study_instance_uid.clone()
}

/// The DICOM identity of a series (OsiriX's series UID within its study), hashed into its uid.
fn series_identity(study_instance_uid: &str, series_instance_uid: &str) -> String {
    format!("{study_instance_uid}\n{series_instance_uid}")
}

/// OsiriX's series UID: MR series are split by echo time and get `" TE-<EchoTime>"`.
fn osirix_series_uid(h: &Header) -> String {
    match (&h.modality, &h.echo_time) {
        (Some(m), Some(te)) if m == "MR" => {
            let te = te.split('\\').next().unwrap_or_default().trim();
            let te = te
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map_or_else(|| te.to_owned(), |v| v.to_string());
            format!("{} TE-{te}", h.series_instance_uid)
        }
        _ => h.series_instance_uid.clone(),
    }
}

/// `NSString.capitalizedString`: the first letter of each space-separated word upper case, the rest lower.
pub(crate) fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c.is_whitespace();
    }
    out
}

/// The image date: acquisition, else series, else study date and time.
fn image_date(h: &Header) -> Option<WireDate> {
    let day = |d: &Option<String>| d.as_deref().and_then(wire_date::parse_da);
    let acquisition = match (day(&h.acquisition_date), h.acquisition_time.as_deref()) {
        (Some(date), time) => Some((date, time)),
        // A time without its own date takes the series or study day.
        (None, Some(time)) => day(&h.series_date)
            .or_else(|| day(&h.study_date))
            .map(|d| (d, Some(time))),
        (None, None) => None,
    };
    let (date, time) = acquisition
        .or_else(|| day(&h.series_date).map(|d| (d, h.series_time.as_deref())))
        .or_else(|| day(&h.study_date).map(|d| (d, h.study_time.as_deref())))?;
    wire_date::join(date, time).map(WireDate::new)
}

/// The first `Some` value of a field over some headers (files in path order).
fn first<T: Clone>(headers: &[&Header], f: impl Fn(&Header) -> &Option<T>) -> Option<T> {
    headers.iter().find_map(|h| f(h).clone())
}

/// A series with its sorted images, before global indices are known.
struct SeriesDraft {
    series: Series,
    images: Vec<Image>,
}

/// A study with its series in series-number order, before global indices are known.
struct StudyDraft {
    study: Study,
    series: Vec<SeriesDraft>,
}

/// The headers of one series: its OsiriX series UID and its files, in path order.
type SeriesGroup<'a> = (String, Vec<&'a Header>);

/// Groups headers (already de-duplicated, in path order) into the catalogue.
fn build(headers: Vec<Header>, date_added: WireDate) -> Catalog {
    // Group by study, then by OsiriX series UID, keeping first-seen order.
    let mut study_keys: HashMap<&str, usize> = HashMap::new();
    let mut series_keys: HashMap<(usize, String), usize> = HashMap::new();
    let mut groups: Vec<(&str, Vec<SeriesGroup<'_>>)> = Vec::new();
    for h in &headers {
        let s = *study_keys
            .entry(h.study_instance_uid.as_str())
            .or_insert_with(|| {
                groups.push((h.study_instance_uid.as_str(), Vec::new()));
                groups.len() - 1
            });
        let Some((_, series)) = groups.get_mut(s) else {
            continue;
        };
        let series_uid = osirix_series_uid(h);
        let k = *series_keys
            .entry((s, series_uid.clone()))
            .or_insert_with(|| {
                series.push((series_uid, Vec::new()));
                series.len() - 1
            });
        if let Some((_, files)) = series.get_mut(k) {
            files.push(h);
        }
    }
    let mut drafts: Vec<StudyDraft> = groups
        .into_iter()
        .map(|(study_uid, series)| study_draft(study_uid, series, date_added))
        .collect();
    // Display order of studies: patient name (missing last), study date, Study Instance UID.
    drafts.sort_by(|a, b| {
        let key = |d: &StudyDraft| {
            (
                d.study.patient_name.is_none(),
                d.study.patient_name.clone(),
                d.study.date,
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.study.study_instance_uid.cmp(&b.study.study_instance_uid))
    });
    assemble(drafts)
}

/// Builds one study and its series from its grouped headers.
fn study_draft(study_uid: &str, groups: Vec<SeriesGroup<'_>>, date_added: WireDate) -> StudyDraft {
    let all: Vec<&Header> = groups
        .iter()
        .flat_map(|(_, hs)| hs.iter().copied())
        .collect();
    let mut series: Vec<SeriesDraft> = groups
        .into_iter()
        .map(|(uid, hs)| series_draft(study_uid, uid, &hs))
        .collect();
    // Series-number order (missing numbers last), then series UID.
    series.sort_by(|a, b| {
        let key = |d: &SeriesDraft| (d.series.series_number.is_none(), d.series.series_number);
        key(a).cmp(&key(b)).then_with(|| {
            a.series
                .series_instance_uid
                .cmp(&b.series.series_instance_uid)
        })
    });
    let mut modalities: Vec<&str> = Vec::new();
    for s in &series {
        if !s.series.modality.is_empty() && !modalities.contains(&s.series.modality.as_str()) {
            modalities.push(&s.series.modality);
        }
    }
    let patient_name = first(&all, |h| &h.patient_name);
    let patient_id = first(&all, |h| &h.patient_id);
    let date_of_birth = first(&all, |h| &h.birth_date)
        .as_deref()
        .and_then(wire_date::parse_da);
    let patient_uid = (patient_name.is_some() || patient_id.is_some() || date_of_birth.is_some())
        .then(|| {
            let dob = date_of_birth
                .map(|d| d.format("%Y%m%d").to_string())
                .unwrap_or_default();
            let name = patient_name.as_deref().unwrap_or_default();
            let id = patient_id.as_deref().unwrap_or_default();
            format!("{name}-{id}-{dob}").to_uppercase()
        });
    let count = i32::try_from(all.len()).unwrap_or(i32::MAX);
    let study = Study {
        uid: derive_uid(Class::DicomStudy, study_uid, 0),
        study_instance_uid: study_uid.to_owned(),
        study_name: first(&all, |h| &h.study_description).map(|d| title_case(&d)),
        patient_name,
        patient_id,
        patient_uid,
        patient_sex: first(&all, |h| &h.sex),
        date_of_birth,
        institution_name: first(&all, |h| &h.institution),
        referring_physician: first(&all, |h| &h.referring),
        performing_physician: first(&all, |h| &h.performing),
        modality: modalities.first().map(|m| (*m).to_owned()),
        modalities: (!modalities.is_empty()).then(|| modalities.join("\\")),
        date: series
            .iter()
            .flat_map(|s| s.images.iter().filter_map(|i| i.date))
            .min(),
        date_added,
        no_files: count,
        raw_no_files: count,
        number_of_images: count,
        series: Vec::new(),
        images: Vec::new(),
    };
    StudyDraft { study, series }
}

/// Builds one series and its sorted images.
fn series_draft(study_uid: &str, series_uid: String, hs: &[&Header]) -> SeriesDraft {
    let mut images: Vec<Image> = hs.iter().map(|h| image(h)).collect();
    // Instance number (as OsiriX reads it, a signed int), then slice location.
    images.sort_by(|a, b| {
        (a.instance_number as i32)
            .cmp(&(b.instance_number as i32))
            .then(a.slice_location.total_cmp(&b.slice_location))
            .then_with(|| a.sop_instance_uid.cmp(&b.sop_instance_uid))
    });
    let description = first(hs, |h| &h.series_description);
    let series = Series {
        uid: derive_uid(
            Class::DicomSeries,
            &series_identity(study_uid, &series_uid),
            0,
        ),
        study: 0,
        dicom_series_instance_uid: hs
            .first()
            .map(|h| h.series_instance_uid.clone())
            .unwrap_or_default(),
        series_instance_uid: series_uid,
        sop_class_uid: first(hs, |h| &h.sop_class_uid).unwrap_or_default(),
        name: description
            .clone()
            .unwrap_or_else(|| UNNAMED_SERIES.to_owned()),
        description,
        modality: first(hs, |h| &h.modality).unwrap_or_default(),
        series_number: first(hs, |h| &h.series_number),
        // The image with the highest instance number (last in sorted order).
        date: images.last().and_then(|i| i.date),
        number_of_images: i32::try_from(images.len()).unwrap_or(i32::MAX),
        images: Vec::new(),
        sorted_images: Vec::new(),
        previous: None,
        next: None,
    };
    SeriesDraft { series, images }
}

/// One image record from its header.
fn image(h: &Header) -> Image {
    Image {
        uid: derive_uid(Class::DicomImage, &h.sop_instance_uid, 0),
        series: 0,
        study: 0,
        path: h.path.clone(),
        sop_instance_uid: h.sop_instance_uid.clone(),
        // OsiriX's `intValue` into uint32: negative values wrap, as on the wire.
        width: h.columns.unwrap_or(0) as u32,
        height: h.rows.unwrap_or(0) as u32,
        number_of_frames: h.frames.unwrap_or(1) as u32,
        modality: h.modality.clone().unwrap_or_default(),
        instance_number: h.instance_number.unwrap_or(0) as u32,
        slice_location: h.slice_location.unwrap_or(0.0) as f32,
        date: image_date(h),
    }
}

/// Flattens the drafts (already in display order) and fills every index list.
fn assemble(drafts: Vec<StudyDraft>) -> Catalog {
    let mut studies = Vec::with_capacity(drafts.len());
    let mut all_series = Vec::new();
    let mut images = Vec::new();
    for (study_index, draft) in drafts.into_iter().enumerate() {
        let mut study = draft.study;
        let first_series = all_series.len();
        let count = draft.series.len();
        for (
            k,
            SeriesDraft {
                mut series,
                images: imgs,
            },
        ) in draft.series.into_iter().enumerate()
        {
            let series_index = first_series + k;
            series.study = study_index;
            series.previous = (k > 0).then(|| series_index - 1);
            series.next = (k + 1 < count).then_some(series_index + 1);
            series.sorted_images = (images.len()..images.len() + imgs.len()).collect();
            for mut image in imgs {
                image.series = series_index;
                image.study = study_index;
                images.push(image);
            }
            // "Unordered" lists are ordered by uid: deterministic, unrelated to slice order.
            series.images = series.sorted_images.clone();
            series
                .images
                .sort_by(|&a, &b| images[a].uid.cmp(&images[b].uid));
            study.images.extend(series.sorted_images.iter().copied());
            all_series.push(series);
        }
        study.series = (first_series..all_series.len()).collect();
        study
            .series
            .sort_by(|&a, &b| all_series[a].uid.cmp(&all_series[b].uid));
        study
            .images
            .sort_by(|&a, &b| images[a].uid.cmp(&images[b].uid));
        studies.push(study);
    }
    let browser_uid = derive_uid(Class::BrowserController, BROWSER_IDENTITY, 0);
    let mut by_uid = HashMap::with_capacity(1 + studies.len() + all_series.len() + images.len());
    by_uid.insert(browser_uid.clone(), ObjectRef::Browser);
    by_uid.extend(
        studies
            .iter()
            .enumerate()
            .map(|(i, s)| (s.uid.clone(), ObjectRef::Study(i))),
    );
    by_uid.extend(
        all_series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.uid.clone(), ObjectRef::Series(i))),
    );
    by_uid.extend(
        images
            .iter()
            .enumerate()
            .map(|(i, s)| (s.uid.clone(), ObjectRef::Image(i))),
    );
    Catalog {
        studies,
        series: all_series,
        images,
        skipped: Vec::new(),
        browser_uid,
        by_uid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_is_word_by_word() {
        assert_eq!(title_case("osirixgrpc test study"), "Osirixgrpc Test Study");
        assert_eq!(title_case("MR  BRAIN w/o"), "Mr  Brain W/o");
        assert_eq!(title_case(""), "");
    }

    #[test]
    fn echo_time_suffix_only_for_mr() {
        let mut h = Header {
            series_instance_uid: "1.2".into(),
            modality: Some("MR".into()),
            echo_time: Some("98".into()),
            ..Header::default()
        };
        assert_eq!(osirix_series_uid(&h), "1.2 TE-98");
        h.echo_time = Some("98.50".into());
        assert_eq!(osirix_series_uid(&h), "1.2 TE-98.5");
        h.modality = Some("CT".into());
        assert_eq!(osirix_series_uid(&h), "1.2");
    }
}
