//! Decoding one frame of a file into a [`PixelBuffer`], as OsiriX's DCMPix loads it.
//!
//! dicom-rs (`dicom-pixeldata`) turns the frame into native samples; this module then applies what DICOM
//! says they mean:
//!
//! - **Greyscale** (MONOCHROME1, MONOCHROME2): each sample is masked to BitsStored (at HighBit), sign-extended
//!   when PixelRepresentation is 1, and rescaled with the frame's slope and intercept, computed in f64 and
//!   stored as f32. MONOCHROME1 values are not inverted: they are the values, and inverting is display.
//! - **Colour** (RGB, YBR_FULL, and YBR_FULL_422 or YBR_PARTIAL_422 when a JPEG codec has already turned them
//!   into RGB): ARGB bytes with alpha 255 (opaque). YBR_FULL samples are turned into RGB with the full-range
//!   ITU-R BT.601 matrix of the DICOM standard; 16-bit colour samples keep their 8 high stored bits; both
//!   planar configurations are read.
//!
//! Transfer syntaxes decoded: Implicit and Explicit VR Little Endian, Explicit VR Big Endian, Encapsulated
//! Uncompressed, RLE Lossless, and the JPEG baseline, extended and lossless processes. These need no C
//! library. A data set deflated as a whole never gets here: the file check refuses it, since its inflated size
//! is not bounded by the file's. Any other one (JPEG-LS, JPEG 2000, JPEG XL, HTJ2K, video) gives
//! [`PixelError::Unsupported`] naming it. So do BitsAllocated other than 8, 16 or 32 (or above 16 for colour),
//! and samples per pixel and photometric interpretations other than those above (PALETTE COLOR among them).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use dicom_dictionary_std::{tags, uids};
use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
use dicom_object::DefaultDicomObject;
use dicom_pixeldata::PixelDecoder;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

use super::{Extent, PixelBuffer, PixelError, Rescale, Samples, geometry_of, open};

/// Reads the file at `path` and decodes frame `frame` (0-based).
///
/// # Errors
///
/// Every [`PixelError`]: the file cannot be read, is not an image, is in a form this module does not decode,
/// has no such frame, or holds less pixel data than it declares.
pub(crate) fn decode_frame(path: &Path, frame: u32) -> Result<PixelBuffer, PixelError> {
    decode_frame_of(&open(path, Extent::Whole)?, frame)
}

/// Decodes frame `frame` (0-based) of a data set read whole.
///
/// # Errors
///
/// As [`decode_frame`], less the file errors.
pub(crate) fn decode_frame_of(
    obj: &DefaultDicomObject,
    frame: u32,
) -> Result<PixelBuffer, PixelError> {
    let geometry = geometry_of(obj)?;
    let frames = geometry.number_of_frames();
    let rescale = geometry
        .frame(frame)
        .ok_or(PixelError::FrameOutOfRange { frame, frames })?
        .rescale;
    let (rows, columns) = (geometry.rows(), geometry.columns());
    let count = super::pixel_count(rows, columns);
    let pixel_data = obj
        .element_opt(tags::PIXEL_DATA)
        .ok()
        .flatten()
        .ok_or_else(|| PixelError::NotAnImage("no PixelData".into()))?;
    let syntax = check_transfer_syntax(obj)?;
    let native = pixel_data.value().primitive();
    let layout = Layout::of(obj, native.is_some())?;
    if let Some(value) = native {
        let frame_bytes = count * layout.samples * layout.bytes_per_sample;
        let needed = (frame as usize + 1).checked_mul(frame_bytes);
        if needed.is_none_or(|needed| value.calculate_byte_len() < needed) {
            return Err(PixelError::Decode(short_data(
                rows, columns, &layout, frames,
            )));
        }
    }

    // A codec may panic on data it does not expect (a JPEG larger than Rows × Columns, for one): that is a
    // bad file like any other, not a reason to take the server down.
    let decoded = catch_unwind(AssertUnwindSafe(|| obj.decode_pixel_data_frame(frame)))
        .map_err(|_| PixelError::Decode(format!("the {} codec failed on this data", syntax.name)))?
        .map_err(|e| PixelError::Decode(e.to_string()))?;
    if (decoded.rows(), decoded.columns()) != (rows, columns) {
        return Err(PixelError::Decode(format!(
            "the codec gave {}×{} pixels for a {rows}×{columns} image",
            decoded.rows(),
            decoded.columns()
        )));
    }
    let bytes = decoded
        .frame_data(0)
        .map_err(|_| PixelError::Decode(short_data(rows, columns, &layout, frames)))?;
    // The JPEG codecs hand back RGB whatever the file declares; the other syntaxes keep the file's samples.
    let photometric = if syntax.jpeg {
        decoded.photometric_interpretation().as_str().to_owned()
    } else {
        text(obj, tags::PHOTOMETRIC_INTERPRETATION)
    };
    let samples = match (layout.samples, photometric.as_str()) {
        (1, "MONOCHROME1" | "MONOCHROME2") => Samples::Grey(grey(bytes, &layout, rescale, count)),
        (3, "RGB") => Samples::Argb(colour(bytes, &layout, count, false)?),
        (3, "YBR_FULL") => Samples::Argb(colour(bytes, &layout, count, true)?),
        (spp, other) => {
            return Err(PixelError::Unsupported(format!(
                "photometric interpretation {other:?} with {spp} sample(s) per pixel"
            )));
        }
    };
    PixelBuffer::new(rows, columns, samples)
        .ok_or_else(|| PixelError::Decode(short_data(rows, columns, &layout, frames)))
}

/// A text attribute, trimmed of DICOM padding ("" when absent).
fn text(obj: &DefaultDicomObject, tag: dicom_core::Tag) -> String {
    obj.element_opt(tag)
        .ok()
        .flatten()
        .and_then(|e| e.to_str().ok())
        .map(|s| s.trim_matches([' ', '\0']).to_owned())
        .unwrap_or_default()
}

/// A transfer syntax whose pixel data this module decodes.
#[derive(Debug)]
struct Syntax {
    /// Its name and uid, for messages.
    name: String,
    /// Whether it is one of the JPEG processes, whose codec turns colour into RGB.
    jpeg: bool,
}

/// The file's transfer syntax, or why its pixel data cannot be decoded here.
fn check_transfer_syntax(obj: &DefaultDicomObject) -> Result<Syntax, PixelError> {
    let uid = obj.meta().transfer_syntax();
    let syntax = TransferSyntaxRegistry.get(uid).ok_or_else(|| {
        PixelError::Unsupported(format!("transfer syntax {uid} is not a known one"))
    })?;
    let name = format!("{} ({uid})", syntax.name());
    // JPEG-LS, JPEG 2000, JPEG XL, HTJ2K and video are known, but their codecs are left out of this build.
    if !syntax.can_decode_all() {
        return Err(PixelError::Unsupported(format!(
            "transfer syntax {name} cannot be decoded by this emulator"
        )));
    }
    let jpeg = [
        uids::JPEG_BASELINE8_BIT,
        uids::JPEG_EXTENDED12_BIT,
        uids::JPEG_LOSSLESS,
        uids::JPEG_LOSSLESS_SV1,
    ]
    .contains(&uid);
    Ok(Syntax { name, jpeg })
}

/// How the samples of a decoded frame are laid out.
#[derive(Debug)]
struct Layout {
    samples: usize,
    bytes_per_sample: usize,
    bits_stored: u32,
    /// The right shift that brings HighBit to bit BitsStored − 1.
    shift: u32,
    signed: bool,
    planar: bool,
}

impl Layout {
    /// The layout the data set declares. Encapsulated frames come out of their codec interleaved, so the
    /// planar configuration counts for `native` pixel data only.
    fn of(obj: &DefaultDicomObject, native: bool) -> Result<Layout, PixelError> {
        let int = |tag, default: u32| {
            obj.element_opt(tag)
                .ok()
                .flatten()
                .and_then(|e| e.to_int::<u32>().ok())
                .unwrap_or(default)
        };
        let samples = int(tags::SAMPLES_PER_PIXEL, 1) as usize;
        let allocated = int(tags::BITS_ALLOCATED, 0);
        let stored = int(tags::BITS_STORED, allocated);
        let high = int(tags::HIGH_BIT, stored.saturating_sub(1));
        if samples != 1 && samples != 3 {
            return Err(PixelError::Unsupported(format!(
                "{samples} samples per pixel"
            )));
        }
        let allowed = if samples == 1 { 32 } else { 16 };
        if ![8, 16, 32].contains(&allocated) || allocated > allowed {
            return Err(PixelError::Unsupported(format!(
                "BitsAllocated {allocated} with {samples} sample(s) per pixel"
            )));
        }
        if stored == 0 || stored > allocated || high >= allocated || high + 1 < stored {
            return Err(PixelError::NotAnImage(format!(
                "BitsStored {stored} and HighBit {high} do not fit BitsAllocated {allocated}"
            )));
        }
        Ok(Layout {
            samples,
            bytes_per_sample: (allocated / 8) as usize,
            bits_stored: stored,
            shift: high + 1 - stored,
            signed: int(tags::PIXEL_REPRESENTATION, 0) == 1,
            planar: native && samples == 3 && int(tags::PLANAR_CONFIGURATION, 0) == 1,
        })
    }

    /// The stored value of a native-endian sample: HighBit down to BitsStored bits, sign-extended if signed.
    fn stored(&self, sample: &[u8]) -> i64 {
        let raw = match *sample {
            [b] => u32::from(b),
            [a, b] => u32::from(u16::from_ne_bytes([a, b])),
            [a, b, c, d] => u32::from_ne_bytes([a, b, c, d]),
            _ => 0,
        };
        let value = u64::from(raw >> self.shift) & ((1u64 << self.bits_stored) - 1);
        if self.signed && value >> (self.bits_stored - 1) == 1 {
            value as i64 - (1i64 << self.bits_stored)
        } else {
            value as i64
        }
    }
}

/// What a frame needs, for the error when the pixel data holds less.
fn short_data(rows: u32, columns: u32, layout: &Layout, frames: u32) -> String {
    format!(
        "the pixel data is shorter than {frames} frame(s) of {rows}×{columns} pixels × {} sample(s) × {} \
         byte(s) declare",
        layout.samples, layout.bytes_per_sample
    )
}

/// The rescaled greyscale values of a frame.
fn grey(bytes: &[u8], layout: &Layout, rescale: Rescale, count: usize) -> Vec<f32> {
    bytes
        .chunks_exact(layout.bytes_per_sample)
        .take(count)
        .map(|s| rescale.apply(layout.stored(s) as f64) as f32)
        .collect()
}

/// The ARGB pixels of a frame of three samples per pixel.
fn colour(
    bytes: &[u8],
    layout: &Layout,
    count: usize,
    ybr: bool,
) -> Result<Vec<[u8; 4]>, PixelError> {
    let width = layout.bytes_per_sample;
    if bytes.len() < count * 3 * width {
        return Err(PixelError::Decode("the colour frame is short".into()));
    }
    let to_8_bits = layout.bits_stored.saturating_sub(8);
    let sample = |pixel: usize, channel: usize| {
        let index = if layout.planar {
            channel * count + pixel
        } else {
            pixel * 3 + channel
        };
        let value = layout.stored(&bytes[index * width..(index + 1) * width]);
        (value.max(0) >> to_8_bits).min(255) as u8
    };
    Ok((0..count)
        .map(|p| {
            let [a, b, c] = [sample(p, 0), sample(p, 1), sample(p, 2)];
            let [r, g, b] = if ybr { ybr_to_rgb(a, b, c) } else { [a, b, c] };
            [255, r, g, b]
        })
        .collect())
}

/// Full-range YCbCr (DICOM YBR_FULL) to RGB.
fn ybr_to_rgb(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let (y, cb, cr) = (f32::from(y), f32::from(cb) - 128.0, f32::from(cr) - 128.0);
    let byte = |v: f32| v.round().clamp(0.0, 255.0) as u8;
    [
        byte(y + 1.402 * cr),
        byte(y - 0.344_136 * cb - 0.714_136 * cr),
        byte(y + 1.772 * cb),
    ]
}
