//! Pixels as OsiriX's DCMPix holds them: the geometry of each frame of a file, one frame decoded into a
//! greyscale or ARGB buffer, and OsiriX's operations on that buffer.
//!
//! - [`read_geometry`] reads a file's header only: shape, spacing, origin, orientation, slice location,
//!   window, rescale and number of frames, per frame.
//! - [`decode_frame`] decodes one frame into a [`PixelBuffer`] (f32 greyscale with the modality rescale
//!   applied, or ARGB).
//! - [`PixelBuffer`] carries SetImage, ConvertToRGB, ConvertToBW and reading values at pixels;
//!   [`initial_window`] gives a new DCMPix its window.
//!
//! - [`PixCell`] holds one DCMPix's pixels, decoded when first asked for, and [`PixelCache`] keeps the
//!   decoded, unchanged ones within a memory budget.
//!
//! Every file is opened through [`open`], and nowhere else in this module. Nothing read from a file can make
//! this module panic: a bad file gives a [`PixelError`] that says what is wrong with it.

mod buffer;
mod cell;
mod colour;
mod decode;
mod error;
mod file;
mod geometry;
mod initial_window;
mod window;

#[cfg(test)]
mod tests;

pub(crate) use buffer::{PixelBuffer, Samples, pixel_count};
pub use cell::DEFAULT_PIXEL_MEMORY;
pub(crate) use cell::{PixCell, PixSource, PixelCache};
#[cfg(test)]
pub(crate) use colour::{conversion_window, window_byte};
pub(crate) use decode::decode_frame;
#[cfg(test)]
pub(crate) use decode::decode_frame_of;
pub(crate) use error::{PixOpError, PixelError};
pub(crate) use file::{Extent, open};
pub(crate) use geometry::{FrameGeometry, Rescale, geometry_of, read_geometry};
#[cfg(test)]
pub(crate) use geometry::{ImageGeometry, slice_location};
pub(crate) use initial_window::initial_window;
pub(crate) use window::Window;
