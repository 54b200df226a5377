//! `DCMPixConvertToRGB` and `DCMPixConvertToBW`: OsiriX's conversions between greyscale floats and ARGB.

use super::{PixOpError, PixelBuffer, Samples, Window};

/// The byte index of each colour in an ARGB pixel.
const ALPHA: usize = 0;
const RED: usize = 1;
const GREEN: usize = 2;
const BLUE: usize = 3;

impl PixelBuffer {
    /// `DCMPixConvertToRGB(channel)`: turns a greyscale buffer into ARGB, in place, and returns the window the
    /// pix then has (127/256).
    ///
    /// 1. The window is the one [`conversion_window`] computes from the values.
    /// 2. Each value becomes a byte through [`window_byte`].
    /// 3. Channel 0, 1 or 2 puts that byte into red, green or blue only, the other bytes 0; channel 3 puts it
    ///    into all four bytes.
    /// 4. Then every pixel's alpha becomes (R + G + B) / 3, in integer division.
    ///
    /// # Errors
    ///
    /// [`PixOpError::AlreadyRgb`] for an ARGB buffer (checked first), [`PixOpError::UnknownRgbChannel`] for a
    /// channel outside 0–3; the buffer is then unchanged.
    pub(crate) fn convert_to_rgb(&mut self, channel: i32) -> Result<Window, PixOpError> {
        let Samples::Grey(values) = self.samples() else {
            return Err(PixOpError::AlreadyRgb);
        };
        let channel = usize::try_from(channel)
            .ok()
            .filter(|c| *c <= 3)
            .ok_or(PixOpError::UnknownRgbChannel)?;
        let (level, width) = conversion_window(values);
        let pixels = values
            .iter()
            .map(|v| {
                let byte = window_byte(*v, level, width);
                let mut pixel = [0u8; 4];
                if channel == 3 {
                    pixel = [byte; 4];
                } else {
                    pixel[RED + channel] = byte;
                }
                let sum = u16::from(pixel[RED]) + u16::from(pixel[GREEN]) + u16::from(pixel[BLUE]);
                pixel[ALPHA] = (sum / 3) as u8;
                pixel
            })
            .collect();
        self.replace(Samples::Argb(pixels));
        Ok(Window::EIGHT_BIT)
    }

    /// `DCMPixConvertToBW(channel)`: turns an ARGB buffer into greyscale floats 0–255, in place, and returns
    /// the window over that range (127/256; what OsiriX sets here is not known).
    ///
    /// Channel 0, 1 or 2 takes the red, green or blue byte; channel 3 takes the mean (R + G + B) / 3 as a
    /// float.
    ///
    /// # Errors
    ///
    /// [`PixOpError::AlreadyBw`] for a greyscale buffer (checked first), [`PixOpError::UnknownBwChannel`] for
    /// a channel outside 0–3; the buffer is then unchanged.
    pub(crate) fn convert_to_bw(&mut self, channel: i32) -> Result<Window, PixOpError> {
        let Samples::Argb(pixels) = self.samples() else {
            return Err(PixOpError::AlreadyBw);
        };
        let channel = usize::try_from(channel)
            .ok()
            .filter(|c| *c <= 3)
            .ok_or(PixOpError::UnknownBwChannel)?;
        let values = pixels
            .iter()
            .map(|p| match channel {
                3 => (f32::from(p[RED]) + f32::from(p[GREEN]) + f32::from(p[BLUE])) / 3.0,
                c => f32::from(p[RED + c]),
            })
            .collect();
        self.replace(Samples::Grey(values));
        Ok(Window::EIGHT_BIT)
    }
}

/// The window ConvertToRGB maps from, as OsiriX's delegate computes it: a scan for the minimum (starting at
/// the largest float) and the maximum (starting at FLT_MIN, the smallest positive normal float, so an
/// all-negative image gets a maximum of about 1e-38), then `level = (long)((min + max) / 2)` and
/// `width = (long)(max − min)` in float arithmetic, truncated toward zero. NaN values are skipped.
pub(crate) fn conversion_window(values: &[f32]) -> (i64, i64) {
    let mut min = f32::MAX;
    let mut max = f32::MIN_POSITIVE;
    for &v in values {
        if v < min {
            min = v;
        }
        if v > max {
            max = v;
        }
    }
    (((min + max) / 2.0) as i64, (max - min) as i64)
}

/// The byte of `value` in the window (`level`, `width`).
///
/// The window runs from `level − width / 2` to `level + width / 2`, with integer halves. Inside it a value
/// maps linearly onto 0–255 with `255 · (v − low) / (high − low) + 0.5` clipped to 0–255 and truncated: the
/// rounding of Apple's vImage float-to-8-bit conversion, assumed here because OsiriX's own rounding is not
/// known. Below the window gives 0 and above it 255. An empty window (high ≤ low) gives 0 below low and 255
/// from low up; NaN gives 0.
pub(crate) fn window_byte(value: f32, level: i64, width: i64) -> u8 {
    let low = level.saturating_sub(width / 2);
    let high = level.saturating_add(width / 2);
    let (low, high) = (low as f32, high as f32);
    if value.is_nan() {
        return 0;
    }
    if high <= low {
        return if value < low { 0 } else { 255 };
    }
    let scaled = 255.0 * (value - low) / (high - low) + 0.5;
    if scaled <= 0.0 {
        0
    } else if scaled >= 255.0 {
        255
    } else {
        scaled as u8
    }
}
