//! The window level and width of a DCMPix, and the one a colour conversion leaves.

/// A window level (centre) and width, in the pixel value units (after the modality rescale).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Window {
    /// The level: the value shown mid-grey.
    pub(crate) level: f32,
    /// The width: the range of values from black to white.
    pub(crate) width: f32,
}

impl Window {
    /// The window OsiriX gives a pix after ConvertToRGB, and the one an ARGB pix starts with here: the 0–255
    /// range of 8-bit channels.
    pub(crate) const EIGHT_BIT: Window = Window {
        level: 127.0,
        width: 256.0,
    };
}
