//! The OsiriX classes, one file each, each one [`osirix_class!`](crate::osirix_class) declaration plus the
//! conveniences written on top of the generated accessors.
//!
//! Accessors are named after their RPC without the class prefix, in snake case (`DicomSeriesSortedImages` is
//! [`DicomSeries::sorted_images`]), except where OsiriX's name misleads: `DicomStudyName` returns the patient
//! name and is [`DicomStudy::patient_name`]; `DicomStudyNoFiles` is [`DicomStudy::number_of_files`].

mod browser_controller;
mod dicom_image;
mod dicom_series;
mod dicom_study;
mod osirix;
mod viewers;

pub use browser_controller::{BrowserController, Selection};
pub use dicom_image::DicomImage;
pub use dicom_series::{DicomSeries, SeriesSummary};
pub use dicom_study::DicomStudy;
pub use osirix::Version;
pub use viewers::{ViewerController, VrController};
