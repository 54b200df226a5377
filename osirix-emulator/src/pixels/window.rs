//! The window level and width of a DCMPix: the one it starts with, and the one a colour conversion leaves.

use super::{FrameGeometry, PixelBuffer, Samples};

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

/// The window a new DCMPix starts with.
///
/// - An ARGB pix starts at [`Window::EIGHT_BIT`].
/// - A greyscale pix starts at the frame's DICOM window (WindowCenter/WindowWidth, the first pair when there
///   are several, per frame for an enhanced multi-frame file) when the file has one with a width above 0.
/// - Otherwise the window spans the pixel range: width = max − min and level = min + width / 2 over the
///   finite values. An image of one value (or none finite) gets width 1, the smallest width DICOM allows, so
///   the window is never empty.
pub(crate) fn initial_window(geometry: &FrameGeometry, pixels: &PixelBuffer) -> Window {
    match pixels.samples() {
        Samples::Argb(_) => Window::EIGHT_BIT,
        Samples::Grey(values) => geometry.window.unwrap_or_else(|| range_window(values)),
    }
}

/// The window over the finite values of `values`.
fn range_window(values: &[f32]) -> Window {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (min, max) = finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if min > max {
        return Window {
            level: 0.0,
            width: 1.0,
        };
    }
    let width = max - min;
    if width > 0.0 {
        Window {
            level: min + width / 2.0,
            width,
        }
    } else {
        Window {
            level: min,
            width: 1.0,
        }
    }
}
