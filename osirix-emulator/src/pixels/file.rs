//! The one door through which pixel code reads a DICOM file.

use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, OpenFileOptions};

use super::PixelError;

/// How much of a file [`open`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extent {
    /// Everything before the pixel data: the geometry, never the pixels.
    Header,
    /// The whole data set, pixel data included.
    Whole,
}

/// Opens the DICOM file at `path`, reading `extent` of it.
///
/// Every file this module reads, for its geometry or for its pixels, is opened here and nowhere else, so a
/// check of a file's structure (nesting depth, declared lengths) made here covers every read.
///
/// # Errors
///
/// [`PixelError::Open`] when the file cannot be read or is not DICOM, including a data set cut short.
pub(crate) fn open(path: &Path, extent: Extent) -> Result<DefaultDicomObject, PixelError> {
    let options = match extent {
        Extent::Header => OpenFileOptions::new().read_until(tags::PIXEL_DATA),
        Extent::Whole => OpenFileOptions::new(),
    };
    options.open_file(path).map_err(|source| PixelError::Open {
        path: path.to_path_buf(),
        source: Box::new(source),
    })
}
