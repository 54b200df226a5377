//! The one door through which pixel code reads a DICOM file.

use std::path::Path;

use dicom_dictionary_std::tags;
use dicom_object::{DefaultDicomObject, OpenFileOptions};

use super::PixelError;
use crate::file_guard;

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
/// Every file this module reads, for its geometry or for its pixels, is opened here and nowhere else, after
/// the structural check of [`crate::file_guard`] (nesting depth, declared lengths within the file), so no file
/// can make dicom-object overflow its stack or allocate more than the file's size warrants.
///
/// # Errors
///
/// [`PixelError::Open`] when the file cannot be read, fails the check or is not DICOM, including a data set cut
/// short.
pub(crate) fn open(path: &Path, extent: Extent) -> Result<DefaultDicomObject, PixelError> {
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| PixelError::Open {
        path: path.to_path_buf(),
        source,
    };
    let (guarded, options) = match extent {
        Extent::Header => (
            file_guard::Extent::Header,
            OpenFileOptions::new().read_until(tags::PIXEL_DATA),
        ),
        Extent::Whole => (file_guard::Extent::WholeFile, OpenFileOptions::new()),
    };
    let reader = file_guard::open(path, guarded).map_err(|why| failed(why.into()))?;
    options
        .from_reader(reader)
        .map_err(|source| failed(Box::new(source)))
}
