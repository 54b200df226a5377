//! [`Catalog`]: one snapshot of the database, with the uids its objects are first handed out under.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::Utc;

use super::derive::{BROWSER_IDENTITY, series_identity};
use super::record::{Image, Series, Study};
use super::scan::{self, Header};
use super::skipped::SkippedFile;
use crate::Error;
use crate::registry::{Class, ObjectRef, derive_uid};
use crate::wire_date::WireDate;

/// A snapshot of the database: studies, series and images, with the uids the emulator first hands out.
///
/// Indices into [`Catalog::studies`], [`Catalog::series`] and [`Catalog::images`] never change: a
/// catalogue read at once holds its records in display order, and imports append theirs (see
/// [`Catalog::browser_order`] for the order the browser shows).
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(super) studies: Vec<Study>,
    pub(super) series: Vec<Series>,
    pub(super) images: Vec<Image>,
    pub(super) skipped: Vec<SkippedFile>,
    pub(super) browser_order: Vec<usize>,
    pub(super) browser_uid: String,
    pub(super) by_uid: HashMap<String, ObjectRef>,
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

    /// An empty database.
    pub(crate) fn empty() -> Catalog {
        let browser_uid = derive_uid(Class::BrowserController, BROWSER_IDENTITY, 0);
        Catalog {
            studies: Vec::new(),
            series: Vec::new(),
            images: Vec::new(),
            skipped: Vec::new(),
            browser_order: Vec::new(),
            by_uid: HashMap::from([(browser_uid.clone(), ObjectRef::Browser)]),
            browser_uid,
        }
    }

    /// Reads the given files (absolute paths make absolute `DicomImageCompletePath` values).
    pub(crate) fn from_files(files: &[PathBuf]) -> Catalog {
        let (headers, unreadable) = scan::read_headers(files);
        let mut catalog = Catalog::from_headers(headers);
        catalog.skipped.extend(unreadable);
        catalog.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        catalog
    }

    /// Builds the catalogue from file headers (duplicates are skipped and counted).
    pub(crate) fn from_headers(headers: Vec<Header>) -> Catalog {
        Catalog::empty()
            .with_headers(headers, WireDate::new(Utc::now().naive_utc()))
            .0
    }

    /// How many files were skipped while reading or importing (not DICOM, unreadable, incomplete or
    /// duplicate).
    pub fn skipped(&self) -> usize {
        self.skipped.len()
    }

    /// The files skipped while reading or importing, each with its reason: those of the folder read first,
    /// by path, then those of each import in turn.
    pub fn skipped_files(&self) -> &[SkippedFile] {
        &self.skipped
    }

    /// Every study, by index: in display order for a catalogue read at once, imported studies after.
    pub fn studies(&self) -> &[Study] {
        &self.studies
    }

    /// The indices of the studies in the browser's display order (patient name, then date, then Study
    /// Instance UID), as `BrowserControllerDatabaseStudies` lists them.
    pub fn browser_order(&self) -> &[usize] {
        &self.browser_order
    }

    /// Every series, by index: grouped by study and in series-number order within a study for a catalogue
    /// read at once; imported series after.
    pub fn series(&self) -> &[Series] {
        &self.series
    }

    /// Every image, by index: grouped by series and sorted within a series for a catalogue read at once;
    /// imported images after.
    pub fn images(&self) -> &[Image] {
        &self.images
    }

    /// The uid the emulator first hands out for the browser (`OsirixCurrentBrowser`).
    pub fn browser_uid(&self) -> &str {
        &self.browser_uid
    }

    /// The object a first-handed-out uid stands for (uids given after a removal are not known here).
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
        self.image_by_uid(&derive_uid(Class::DicomImage, sop_instance_uid, 0))
    }

    /// The paths of some images, in order.
    pub(crate) fn paths(&self, images: &[usize]) -> Vec<String> {
        images
            .iter()
            .filter_map(|&i| self.images.get(i))
            .map(|i| i.path.clone())
            .collect()
    }

    /// Adds files an import left out to [`Catalog::skipped_files`].
    pub(crate) fn record_skipped(&mut self, files: impl IntoIterator<Item = SkippedFile>) {
        self.skipped.extend(files);
    }

    /// Whether an image with this SOP Instance UID is in the database.
    pub(crate) fn has_image(&self, sop_instance_uid: &str) -> bool {
        self.image_by_sop_instance_uid(sop_instance_uid).is_some()
    }

    /// The DICOM identity a database object's uids are derived from; `None` for another object.
    pub(crate) fn identity(&self, object: ObjectRef) -> Option<String> {
        match object {
            ObjectRef::Browser => Some(BROWSER_IDENTITY.to_owned()),
            ObjectRef::Study(i) => Some(self.studies.get(i)?.study_instance_uid.clone()),
            ObjectRef::Series(i) => {
                let series = self.series.get(i)?;
                let study = self.studies.get(series.study)?;
                Some(series_identity(
                    &study.study_instance_uid,
                    &series.series_instance_uid,
                ))
            }
            ObjectRef::Image(i) => Some(self.images.get(i)?.sop_instance_uid.clone()),
            _ => None,
        }
    }

    /// The objects of this catalogue that `before` did not have (all of them when `before` is `None`),
    /// with their first uids: the browser, studies, series, then images.
    pub(crate) fn objects_since(&self, before: Option<&Catalog>) -> Vec<(ObjectRef, String)> {
        let (studies, series, images) = before.map_or((0, 0, 0), |c| {
            (c.studies.len(), c.series.len(), c.images.len())
        });
        let mut objects = Vec::new();
        if before.is_none() {
            objects.push((ObjectRef::Browser, self.browser_uid.clone()));
        }
        let new = |from: usize, len: usize| from.min(len)..len;
        objects.extend(
            new(studies, self.studies.len())
                .map(|i| (ObjectRef::Study(i), self.studies[i].uid.clone())),
        );
        objects.extend(
            new(series, self.series.len())
                .map(|i| (ObjectRef::Series(i), self.series[i].uid.clone())),
        );
        objects.extend(
            new(images, self.images.len())
                .map(|i| (ObjectRef::Image(i), self.images[i].uid.clone())),
        );
        objects
    }
}
