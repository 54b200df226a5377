//! Growing a catalogue by a batch of headers: the one way records are made, for a folder read at once
//! and for every import.
//!
//! A batch is grouped by study and by OsiriX series UID in path order. New studies are appended in display
//! order, new series in series-number order within their study, new images in sorted order within their
//! series, so a catalogue built in one batch is numbered in display order. Headers that join an existing
//! study or series add to it; the values OsiriX computes over a study or series (counts, dates, sorted
//! lists, modalities, next and previous series) are then computed again, while the values it takes from
//! the first file (names, identifiers, dates of birth) stay and only fill what was missing.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::catalog::Catalog;
use super::derive::{
    UNNAMED_SERIES, image, osirix_series_uid, patient_uid, series_identity, title_case,
};
use super::record::{Image, Series, Study};
use super::scan::Header;
use super::skipped::SkippedFile;
use crate::registry::{Class, ObjectRef, derive_uid};
use crate::wire_date::{self, WireDate};

/// The headers of one series of a batch.
struct SeriesBatch<'h> {
    /// OsiriX's series UID.
    uid: String,
    headers: Vec<&'h Header>,
}

/// The headers of one study of a batch, by series in first-seen order.
struct StudyBatch<'h> {
    study_instance_uid: &'h str,
    series: Vec<SeriesBatch<'h>>,
}

impl StudyBatch<'_> {
    fn headers(&self) -> impl Iterator<Item = &Header> + Clone {
        self.series.iter().flat_map(|s| s.headers.iter().copied())
    }
}

/// The first `Some` value of a field over some headers (files in path order).
fn first<'h, T: Clone + 'h>(
    headers: impl IntoIterator<Item = &'h Header>,
    f: impl Fn(&Header) -> &Option<T>,
) -> Option<T> {
    headers.into_iter().find_map(|h| f(h).clone())
}

/// Fills `field` from `value` if it is missing.
fn fill<T>(field: &mut Option<T>, value: Option<T>) {
    if field.is_none() {
        *field = value;
    }
}

/// The order of studies in the browser: patient name (missing last), date, Study Instance UID.
fn display_order(a: &Study, b: &Study) -> Ordering {
    let key = |s: &Study| (s.patient_name.is_none(), s.patient_name.clone(), s.date);
    key(a)
        .cmp(&key(b))
        .then_with(|| a.study_instance_uid.cmp(&b.study_instance_uid))
}

/// The order of series within a study: series number (missing last), then OsiriX series UID.
fn series_order(a: &Series, b: &Series) -> Ordering {
    let key = |s: &Series| (s.series_number.is_none(), s.series_number);
    key(a)
        .cmp(&key(b))
        .then_with(|| a.series_instance_uid.cmp(&b.series_instance_uid))
}

/// The order of images within a series: instance number (as OsiriX reads it, a signed int), slice
/// location, SOP Instance UID.
fn image_order(a: &Image, b: &Image) -> Ordering {
    (a.instance_number as i32)
        .cmp(&(b.instance_number as i32))
        .then(a.slice_location.total_cmp(&b.slice_location))
        .then_with(|| a.sop_instance_uid.cmp(&b.sop_instance_uid))
}

/// A new study record from the first file values of its headers (lists and counts are filled later).
fn new_study<'h>(
    uid: &str,
    headers: impl Iterator<Item = &'h Header> + Clone,
    date_added: WireDate,
) -> Study {
    let mut study = Study {
        uid: derive_uid(Class::DicomStudy, uid, 0),
        study_instance_uid: uid.to_owned(),
        study_name: None,
        patient_name: None,
        patient_id: None,
        patient_uid: None,
        patient_sex: None,
        date_of_birth: None,
        institution_name: None,
        referring_physician: None,
        performing_physician: None,
        modality: None,
        modalities: None,
        date: None,
        date_added,
        no_files: 0,
        raw_no_files: 0,
        number_of_images: 0,
        series: Vec::new(),
        images: Vec::new(),
    };
    fill_study(&mut study, headers);
    study
}

/// Fills the missing first-file values of a study from `headers`.
fn fill_study<'h>(study: &mut Study, headers: impl Iterator<Item = &'h Header> + Clone) {
    fill(
        &mut study.study_name,
        first(headers.clone(), |h| &h.study_description).map(|d| title_case(&d)),
    );
    fill(
        &mut study.patient_name,
        first(headers.clone(), |h| &h.patient_name),
    );
    fill(
        &mut study.patient_id,
        first(headers.clone(), |h| &h.patient_id),
    );
    fill(
        &mut study.date_of_birth,
        first(headers.clone(), |h| &h.birth_date)
            .as_deref()
            .and_then(wire_date::parse_da),
    );
    fill(&mut study.patient_sex, first(headers.clone(), |h| &h.sex));
    fill(
        &mut study.institution_name,
        first(headers.clone(), |h| &h.institution),
    );
    fill(
        &mut study.referring_physician,
        first(headers.clone(), |h| &h.referring),
    );
    fill(
        &mut study.performing_physician,
        first(headers, |h| &h.performing),
    );
    study.patient_uid = patient_uid(
        study.patient_name.as_deref(),
        study.patient_id.as_deref(),
        study.date_of_birth,
    );
}

/// A new series record of study `study` (lists and counts are filled later).
fn new_series(study: usize, study_uid: &str, batch: &SeriesBatch<'_>) -> Series {
    let mut series = Series {
        uid: derive_uid(
            Class::DicomSeries,
            &series_identity(study_uid, &batch.uid),
            0,
        ),
        study,
        dicom_series_instance_uid: batch
            .headers
            .first()
            .map(|h| h.series_instance_uid.clone())
            .unwrap_or_default(),
        series_instance_uid: batch.uid.clone(),
        sop_class_uid: String::new(),
        description: None,
        name: String::new(),
        modality: String::new(),
        series_number: None,
        date: None,
        number_of_images: 0,
        images: Vec::new(),
        sorted_images: Vec::new(),
        previous: None,
        next: None,
    };
    fill_series(&mut series, &batch.headers);
    series
}

/// Fills the missing first-file values of a series from `headers`.
fn fill_series(series: &mut Series, headers: &[&Header]) {
    let headers = || headers.iter().copied();
    if series.sop_class_uid.is_empty() {
        series.sop_class_uid = first(headers(), |h| &h.sop_class_uid).unwrap_or_default();
    }
    if series.modality.is_empty() {
        series.modality = first(headers(), |h| &h.modality).unwrap_or_default();
    }
    fill(
        &mut series.description,
        first(headers(), |h| &h.series_description),
    );
    series.name = series
        .description
        .clone()
        .unwrap_or_else(|| UNNAMED_SERIES.to_owned());
    fill(
        &mut series.series_number,
        first(headers(), |h| &h.series_number),
    );
}

/// Groups a batch by study and series, in first-seen (path) order.
fn group(headers: &[Header]) -> Vec<StudyBatch<'_>> {
    let mut studies: Vec<StudyBatch<'_>> = Vec::new();
    let mut study_index: HashMap<&str, usize> = HashMap::new();
    let mut series_index: HashMap<(usize, String), usize> = HashMap::new();
    for h in headers {
        let s = *study_index
            .entry(h.study_instance_uid.as_str())
            .or_insert_with(|| {
                studies.push(StudyBatch {
                    study_instance_uid: &h.study_instance_uid,
                    series: Vec::new(),
                });
                studies.len() - 1
            });
        let Some(study) = studies.get_mut(s) else {
            continue;
        };
        let uid = osirix_series_uid(h);
        let k = *series_index.entry((s, uid.clone())).or_insert_with(|| {
            study.series.push(SeriesBatch {
                uid,
                headers: Vec::new(),
            });
            study.series.len() - 1
        });
        if let Some(series) = study.series.get_mut(k) {
            series.headers.push(h);
        }
    }
    studies
}

impl Catalog {
    /// This catalogue grown by `headers`, and the headers left out as duplicates.
    ///
    /// A header whose SOP Instance UID is already in the database, or repeats an earlier header of the
    /// batch (in path order), is left out. New studies get `date_added`.
    pub(crate) fn with_headers(
        &self,
        mut headers: Vec<Header>,
        date_added: WireDate,
    ) -> (Catalog, Vec<SkippedFile>) {
        headers.sort_by(|a, b| Path::new(&a.path).cmp(Path::new(&b.path)));
        let mut duplicates = Vec::new();
        let mut seen = HashSet::new();
        headers.retain(|h| {
            let fresh = !self.has_image(&h.sop_instance_uid) && seen.insert(h.sop_instance_uid.clone());
            if !fresh {
                tracing::warn!(path = %h.path, sop_instance_uid = %h.sop_instance_uid, "skipping duplicate image");
                duplicates.push(SkippedFile::new(
                    PathBuf::from(&h.path),
                    "repeats the SOPInstanceUID of another file",
                ));
            }
            fresh
        });
        let mut next = self.clone();
        next.add(&group(&headers), date_added);
        next.skipped.extend(duplicates.iter().cloned());
        (next, duplicates)
    }

    /// Places a grouped batch (already free of duplicates) and recomputes what it touched.
    fn add(&mut self, batch: &[StudyBatch<'_>], date_added: WireDate) {
        let mut touched_series = BTreeSet::new();
        let mut touched_studies = BTreeSet::new();
        // Existing studies first, then new ones in display order.
        let mut fresh: Vec<(Study, &StudyBatch<'_>)> = Vec::new();
        for study in batch {
            match self.lookup(&derive_uid(Class::DicomStudy, study.study_instance_uid, 0)) {
                Some(ObjectRef::Study(i)) => {
                    if let Some(record) = self.studies.get_mut(i) {
                        fill_study(record, study.headers());
                    }
                    self.add_series(i, study, &mut touched_series);
                    touched_studies.insert(i);
                }
                _ => {
                    let mut record =
                        new_study(study.study_instance_uid, study.headers(), date_added);
                    record.date = study.headers().filter_map(|h| image(h).date).min();
                    fresh.push((record, study));
                }
            }
        }
        fresh.sort_by(|(a, _), (b, _)| display_order(a, b));
        for (record, study) in fresh {
            let i = self.studies.len();
            self.by_uid.insert(record.uid.clone(), ObjectRef::Study(i));
            self.studies.push(record);
            self.add_series(i, study, &mut touched_series);
            touched_studies.insert(i);
        }
        for s in touched_series {
            self.finish_series(s);
        }
        for s in touched_studies {
            self.finish_study(s);
        }
        let mut order: Vec<usize> = (0..self.studies.len()).collect();
        order.sort_by(|&a, &b| display_order(&self.studies[a], &self.studies[b]));
        self.browser_order = order;
    }

    /// Places the series of a batch study into study `study`: new series in series-number order, then
    /// every image.
    fn add_series(&mut self, study: usize, batch: &StudyBatch<'_>, touched: &mut BTreeSet<usize>) {
        let study_uid = batch.study_instance_uid;
        let mut fresh: Vec<(Series, &SeriesBatch<'_>)> = Vec::new();
        let mut placed: Vec<(usize, &SeriesBatch<'_>)> = Vec::new();
        for series in &batch.series {
            let uid = derive_uid(
                Class::DicomSeries,
                &series_identity(study_uid, &series.uid),
                0,
            );
            match self.lookup(&uid) {
                Some(ObjectRef::Series(i)) => {
                    if let Some(record) = self.series.get_mut(i) {
                        fill_series(record, &series.headers);
                    }
                    placed.push((i, series));
                }
                _ => fresh.push((new_series(study, study_uid, series), series)),
            }
        }
        fresh.sort_by(|(a, _), (b, _)| series_order(a, b));
        for (record, series) in fresh {
            let i = self.series.len();
            self.by_uid.insert(record.uid.clone(), ObjectRef::Series(i));
            self.series.push(record);
            if let Some(record) = self.studies.get_mut(study) {
                record.series.push(i);
            }
            placed.push((i, series));
        }
        for (s, series) in placed {
            let mut images: Vec<Image> = series.headers.iter().map(|h| image(h)).collect();
            images.sort_by(image_order);
            for mut record in images {
                let i = self.images.len();
                record.series = s;
                record.study = study;
                self.by_uid.insert(record.uid.clone(), ObjectRef::Image(i));
                self.images.push(record);
                if let Some(series) = self.series.get_mut(s) {
                    series.sorted_images.push(i);
                }
            }
            touched.insert(s);
        }
    }

    /// Recomputes a series' sorted and "unordered" image lists, its count and its date.
    fn finish_series(&mut self, s: usize) {
        let Some(series) = self.series.get(s) else {
            return;
        };
        let images = &self.images;
        let mut sorted = series.sorted_images.clone();
        sorted.sort_by(|&a, &b| image_order(&images[a], &images[b]));
        // "Unordered" lists are ordered by uid: deterministic, unrelated to slice order.
        let mut unordered = sorted.clone();
        unordered.sort_by(|&a, &b| images[a].uid.cmp(&images[b].uid));
        // The image with the highest instance number (last in sorted order).
        let date = sorted.last().and_then(|&i| images[i].date);
        let count = i32::try_from(sorted.len()).unwrap_or(i32::MAX);
        if let Some(series) = self.series.get_mut(s) {
            series.sorted_images = sorted;
            series.images = unordered;
            series.date = date;
            series.number_of_images = count;
        }
    }

    /// Recomputes a study's lists, counts, date, modalities and the next/previous links of its series.
    fn finish_study(&mut self, st: usize) {
        let Some(study) = self.studies.get(st) else {
            return;
        };
        let mut ordered = study.series.clone();
        ordered.sort_by(|&a, &b| series_order(&self.series[a], &self.series[b]));
        for (k, &s) in ordered.iter().enumerate() {
            let previous = k.checked_sub(1).map(|p| ordered[p]);
            let next = ordered.get(k + 1).copied();
            if let Some(series) = self.series.get_mut(s) {
                series.previous = previous;
                series.next = next;
            }
        }
        let mut modalities: Vec<&str> = Vec::new();
        for &s in &ordered {
            let modality = self.series[s].modality.as_str();
            if !modality.is_empty() && !modalities.contains(&modality) {
                modalities.push(modality);
            }
        }
        let images = &self.images;
        let mut all: Vec<usize> = ordered
            .iter()
            .flat_map(|&s| self.series[s].sorted_images.iter().copied())
            .collect();
        let date = all.iter().filter_map(|&i| images[i].date).min();
        all.sort_by(|&a, &b| images[a].uid.cmp(&images[b].uid));
        let mut by_uid = ordered.clone();
        by_uid.sort_by(|&a, &b| self.series[a].uid.cmp(&self.series[b].uid));
        let count = i32::try_from(all.len()).unwrap_or(i32::MAX);
        let modality = modalities.first().map(|m| (*m).to_owned());
        let joined = (!modalities.is_empty()).then(|| modalities.join("\\"));
        if let Some(study) = self.studies.get_mut(st) {
            study.modality = modality;
            study.modalities = joined;
            study.date = date;
            study.no_files = count;
            study.raw_no_files = count;
            study.number_of_images = count;
            study.images = all;
            study.series = by_uid;
        }
    }
}
