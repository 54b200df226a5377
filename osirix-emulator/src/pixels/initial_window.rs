//! The window a new DCMPix starts with: from the frame's header, else from its pixels.

use super::{FrameGeometry, PixelBuffer, Samples, Window};

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
