//! Why a file's pixels could not be read, and why a DCMPix operation was refused.

use std::path::PathBuf;

/// A file's geometry or pixels could not be read. Nothing in a file makes this module panic: every defect of
/// a file ends here, with a reason a person can act on.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PixelError {
    /// The file could not be opened or parsed as DICOM (a missing file, not DICOM, or a data set cut short,
    /// such as a pixel data element shorter than its declared length at the end of the file).
    #[error("cannot read the DICOM file {}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// What the structural check or the DICOM reader said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The data set has no image, or its image attributes contradict each other.
    #[error("not an image: {0}")]
    NotAnImage(String),
    /// The image is valid DICOM, but in a form this emulator does not decode.
    #[error("unsupported image: {0}")]
    Unsupported(String),
    /// The requested frame is not in the file.
    #[error("frame {frame} is out of range: the image has {frames} frame(s)")]
    FrameOutOfRange {
        /// The requested frame (0-based).
        frame: u32,
        /// NumberOfFrames.
        frames: u32,
    },
    /// The pixel data could not be decoded (a codec failure, or less data than the image attributes declare).
    #[error("cannot decode the pixel data: {0}")]
    Decode(String),
}

/// A DCMPix operation refused its arguments. The `Display` text is OsiriX's status message, word for word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PixOpError {
    /// SetImage got the wrong number of values, or only the array that does not match the pix mode.
    #[error("Incompatible image shape")]
    IncompatibleShape,
    /// ConvertToRGB on a pix that is already ARGB.
    #[error("Data already RGB")]
    AlreadyRgb,
    /// ConvertToRGB with a channel outside 0–3.
    #[error("Requested RGB type not understood")]
    UnknownRgbChannel,
    /// ConvertToBW on a greyscale pix.
    #[error("Data already BW")]
    AlreadyBw,
    /// ConvertToBW with a channel outside 0–3.
    #[error("Requested BW type not understood")]
    UnknownBwChannel,
}
