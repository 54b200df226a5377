//! The OsiriX classes, one file each, each one [`osirix_class!`](crate::osirix_class) declaration plus the
//! conveniences written on top of the generated accessors.
//!
//! Accessors are named after their RPC without the class prefix, in snake case (`DicomSeriesSortedImages` is
//! [`DicomSeries::sorted_images`]), except where OsiriX's name misleads: `DicomStudyName` returns the patient
//! name and is [`DicomStudy::patient_name`]; `DicomStudyNoFiles` is [`DicomStudy::number_of_files`]; `ViewerControllerMaxMovieIdx` counts frames and is
//! [`ViewerController::frame_count`]; `ROIIType` is [`Roi::kind`]; `ROIMove` is [`Roi::move_by`].

#[cfg(feature = "ndarray")]
mod arrays;
mod browser_controller;
mod dcm_pix;
mod dicom_image;
mod dicom_series;
mod dicom_study;
mod geometry;
mod import;
mod osirix;
mod pixels;
mod roi;
mod roi_spec;
mod roi_volume;
mod viewer_controller;
mod volume;
mod vr_controller;

pub use browser_controller::{BrowserController, Selection};
pub use dcm_pix::{DcmPix, GreySource, RgbChannel, RoiStats, RoiValue};
pub use dicom_image::DicomImage;
pub use dicom_series::{DicomSeries, SeriesSummary};
pub use dicom_study::DicomStudy;
pub use geometry::{Orientation, Point, Shape, Spacing, Vector3};
pub use import::{Import, Imported, ImportedStudy};
pub use osirix::Version;
pub use pixels::{Argb, Mask, PixelImage, Plane};
pub use roi::{Roi, RoiColor, RoiKind};
pub use roi_spec::RoiSpec;
pub use roi_volume::{RoiVolume, RoiVolumeColor};
pub use viewer_controller::{RenderingMode, ViewerController, WindowLevel};
pub use volume::Volume;
pub use vr_controller::VrController;
