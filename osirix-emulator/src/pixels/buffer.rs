//! A DCMPix's pixel buffer: greyscale floats or ARGB bytes, row-major, with a shape that never changes.

use super::PixOpError;

/// The values of a buffer, one per pixel, row-major (element `row * columns + column`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Samples {
    /// Greyscale: the value after the modality rescale.
    Grey(Vec<f32>),
    /// Colour: the bytes alpha, red, green, blue, in the order they go on the wire.
    Argb(Vec<[u8; 4]>),
}

/// The pixels of one DCMPix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PixelBuffer {
    rows: u32,
    columns: u32,
    samples: Samples,
}

impl PixelBuffer {
    /// A buffer of `rows × columns` pixels; `None` when `samples` has another length.
    pub(crate) fn new(rows: u32, columns: u32, samples: Samples) -> Option<PixelBuffer> {
        let len = match &samples {
            Samples::Grey(values) => values.len(),
            Samples::Argb(pixels) => pixels.len(),
        };
        (len == pixel_count(rows, columns)).then_some(PixelBuffer {
            rows,
            columns,
            samples,
        })
    }

    /// The image height.
    pub(crate) fn rows(&self) -> u32 {
        self.rows
    }

    /// The image width.
    pub(crate) fn columns(&self) -> u32 {
        self.columns
    }

    /// The bytes its values take: four per pixel, greyscale or ARGB.
    pub(crate) fn byte_size(&self) -> usize {
        pixel_count(self.rows, self.columns) * 4
    }

    /// Whether the buffer is ARGB (`DCMPixIsRGB`).
    pub(crate) fn is_rgb(&self) -> bool {
        matches!(self.samples, Samples::Argb(_))
    }

    /// The values.
    pub(crate) fn samples(&self) -> &Samples {
        &self.samples
    }

    /// Replaces the values, keeping the mode and the shape (the conversions' single way in).
    pub(super) fn replace(&mut self, samples: Samples) {
        self.samples = samples;
    }

    #[cfg(test)]
    /// The greyscale value at (`column`, `row`): `None` outside the image or for an ARGB buffer (OsiriX
    /// gives no values for an RGB pix).
    pub(crate) fn value(&self, column: i64, row: i64) -> Option<f32> {
        let Samples::Grey(values) = &self.samples else {
            return None;
        };
        let column = u32::try_from(column).ok().filter(|c| *c < self.columns)?;
        let row = u32::try_from(row).ok().filter(|r| *r < self.rows)?;
        values
            .get(row as usize * self.columns as usize + column as usize)
            .copied()
    }

    /// The ARGB buffer as `DCMPixImage` sends it: four int32 per pixel (A, R, G, B), each 0–255; empty for a
    /// greyscale buffer.
    pub(crate) fn wire_argb(&self) -> Vec<i32> {
        match &self.samples {
            Samples::Grey(_) => Vec::new(),
            Samples::Argb(pixels) => pixels.iter().flatten().map(|b| i32::from(*b)).collect(),
        }
    }

    /// `DCMPixSetImage`: writes into the buffer, whose shape and mode never change.
    ///
    /// A greyscale buffer takes `floats`, which must hold exactly rows × columns values. An ARGB buffer takes
    /// `argb`, which must hold exactly 4 × rows × columns values (A, R, G, B per pixel), each truncated to its
    /// low 8 bits (256 becomes 0, −1 becomes 255). The array that does not match the mode is ignored.
    ///
    /// # Errors
    ///
    /// [`PixOpError::IncompatibleShape`] when the array of the buffer's mode has the wrong length (as it has
    /// when only the other one is filled); the buffer is then unchanged.
    pub(crate) fn set_image(&mut self, floats: &[f32], argb: &[i32]) -> Result<(), PixOpError> {
        let count = pixel_count(self.rows, self.columns);
        match &mut self.samples {
            Samples::Grey(values) => {
                if floats.len() != count {
                    return Err(PixOpError::IncompatibleShape);
                }
                values.copy_from_slice(floats);
            }
            Samples::Argb(pixels) => {
                if argb.len() != count.saturating_mul(4) {
                    return Err(PixOpError::IncompatibleShape);
                }
                for (pixel, wire) in pixels.iter_mut().zip(argb.chunks_exact(4)) {
                    *pixel = std::array::from_fn(|i| low_byte(wire[i]));
                }
            }
        }
        Ok(())
    }
}

/// rows × columns.
pub(crate) fn pixel_count(rows: u32, columns: u32) -> usize {
    rows as usize * columns as usize
}

/// The low 8 bits of a wire value, as OsiriX's byte store keeps them.
fn low_byte(value: i32) -> u8 {
    (value & 0xff) as u8
}
