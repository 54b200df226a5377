//! The geometry of each frame of an image file, read from the header without decoding a pixel.
//!
//! A frame's values are looked up most specific first: the frame's item of the Per-Frame Functional Groups
//! Sequence, then the Shared Functional Groups Sequence, then the top-level attribute, then the default. An
//! enhanced multi-frame file therefore gives each frame its own position, orientation, spacing, rescale and
//! window; a classic file, or a legacy multi-frame file without functional groups, gives every frame the same
//! values. A per-frame sequence with fewer items than frames leaves the later frames at the shared values.
//!
//! | Value | Attribute (functional group macro) | Default |
//! |---|---|---|
//! | rows, columns | Rows, Columns | none: an image needs both, 1–65535 |
//! | frames | NumberOfFrames | 1 when absent or empty; any other value must be a whole number from 1 |
//! | spacing Y, X (mm) | PixelSpacing (Pixel Measures), else ImagerPixelSpacing | 1 |
//! | origin (mm) | ImagePositionPatient (Plane Position) | (0, 0, 0) |
//! | row, column directions | ImageOrientationPatient (Plane Orientation) | (1, 0, 0), (0, 1, 0) |
//! | rescale | RescaleSlope, RescaleIntercept (Pixel Value Transformation) | slope 1, intercept 0 |
//! | window | WindowCenter, WindowWidth (Frame VOI LUT), the first pair | none |
//!
//! Like OsiriX's DCMPix, a spacing that is not a number, below 1e-5 mm or above 1000 mm reads as 1. A slope
//! of 0 or one that is not finite reads as 1, an intercept that is not finite as 0, and a window is kept
//! only when both values are finite and the width is above 0. An orientation whose row and column are
//! parallel (a zero normal), or that does not have six finite values, reads as the default.

use dicom_core::Tag;
use dicom_dictionary_std::tags;
use dicom_object::InMemDicomObject;

use super::{Extent, PixelError};
use super::{Window, open};

/// The modality rescale: the value OsiriX holds is `stored × slope + intercept`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rescale {
    /// RescaleSlope.
    pub(crate) slope: f64,
    /// RescaleIntercept.
    pub(crate) intercept: f64,
}

impl Rescale {
    /// No rescale.
    #[cfg(test)]
    pub(crate) const IDENTITY: Rescale = Rescale {
        slope: 1.0,
        intercept: 0.0,
    };

    /// The rescaled value of a stored sample.
    pub(crate) fn apply(self, stored: f64) -> f64 {
        stored * self.slope + self.intercept
    }
}

/// The geometry of one frame, as a DCMPix reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FrameGeometry {
    /// Rows: the image height.
    pub(crate) rows: u32,
    /// Columns: the image width.
    pub(crate) columns: u32,
    /// The distance between columns in mm (the second PixelSpacing value).
    pub(crate) spacing_x: f64,
    /// The distance between rows in mm (the first PixelSpacing value).
    pub(crate) spacing_y: f64,
    /// The centre of the first transmitted pixel, in patient mm (ImagePositionPatient).
    pub(crate) origin: [f64; 3],
    /// The direction of a row, along which the column index grows.
    pub(crate) row_direction: [f64; 3],
    /// The direction of a column, along which the row index grows.
    pub(crate) column_direction: [f64; 3],
    /// The slice normal: row direction × column direction.
    pub(crate) normal: [f64; 3],
    /// OsiriX's slice location, derived from the geometry (see [`slice_location`]).
    pub(crate) slice_location: f64,
    /// The DICOM window of the frame, if the file has a usable one.
    pub(crate) window: Option<Window>,
    /// The modality rescale of the frame.
    pub(crate) rescale: Rescale,
}

impl FrameGeometry {
    /// The nine direction cosines of `DCMPixOrientation`: the row direction, the column direction, the normal.
    pub(crate) fn orientation(&self) -> [f32; 9] {
        let mut out = [0.0; 9];
        let parts = [self.row_direction, self.column_direction, self.normal];
        for (i, v) in parts.iter().flatten().enumerate() {
            out[i] = *v as f32;
        }
        out
    }
}

/// The geometry of every frame of one image file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ImageGeometry {
    rows: u32,
    columns: u32,
    frames: u32,
    colour: bool,
    /// The top-level SliceLocation, OsiriX's fallback when the normal has no single dominant axis.
    slice_location_tag: Option<f64>,
    /// The shared functional group over the top-level attributes.
    shared: PlaneValues,
    /// One entry per item of the Per-Frame Functional Groups Sequence (none in a classic file).
    per_frame: Vec<PlaneValues>,
}

impl ImageGeometry {
    /// Rows: the image height.
    pub(crate) fn rows(&self) -> u32 {
        self.rows
    }

    /// Columns: the image width.
    pub(crate) fn columns(&self) -> u32 {
        self.columns
    }

    /// NumberOfFrames (1 when absent): a DCMPix each.
    pub(crate) fn number_of_frames(&self) -> u32 {
        self.frames
    }

    /// Whether the frames decode to ARGB (three samples per pixel, or an RGB, YBR or palette photometric
    /// interpretation) rather than greyscale.
    pub(crate) fn is_colour(&self) -> bool {
        self.colour
    }

    /// The geometry of frame `index` (0-based), `None` past the last frame.
    pub(crate) fn frame(&self, index: u32) -> Option<FrameGeometry> {
        if index >= self.frames {
            return None;
        }
        let values = match self.per_frame.get(index as usize) {
            Some(own) => own.or(self.shared),
            None => self.shared,
        };
        let [spacing_y, spacing_x] = values.spacing.unwrap_or([1.0, 1.0]).map(sane_spacing);
        let origin = values.position.unwrap_or([0.0; 3]);
        let (row_direction, column_direction, normal) = directions(values.orientation);
        let slope = values.slope.filter(|s| s.is_finite() && *s != 0.0);
        let intercept = values.intercept.filter(|i| i.is_finite());
        let mut geometry = FrameGeometry {
            rows: self.rows,
            columns: self.columns,
            spacing_x,
            spacing_y,
            origin,
            row_direction,
            column_direction,
            normal,
            slice_location: 0.0,
            window: values.window,
            rescale: Rescale {
                slope: slope.unwrap_or(1.0),
                intercept: intercept.unwrap_or(0.0),
            },
        };
        geometry.slice_location =
            slice_location(&geometry).unwrap_or(self.slice_location_tag.unwrap_or(0.0));
        Some(geometry)
    }
}

/// Reads the geometry of the file at `path` from its header (the pixel data is not read).
///
/// # Errors
///
/// [`PixelError::Open`] when the file cannot be read, [`PixelError::NotAnImage`] when it has no usable Rows
/// and Columns or a NumberOfFrames that is not a whole number from 1.
pub(crate) fn read_geometry(path: &std::path::Path) -> Result<ImageGeometry, PixelError> {
    let obj = open(path, Extent::Header)?;
    geometry_of(&obj)
}

/// The geometry of a data set.
///
/// # Errors
///
/// [`PixelError::NotAnImage`] when it has no usable Rows and Columns or a NumberOfFrames that is not a whole
/// number from 1.
pub(crate) fn geometry_of(obj: &InMemDicomObject) -> Result<ImageGeometry, PixelError> {
    let dimension = |tag: Tag, name: &str| {
        int(obj, tag)
            .filter(|v| (1..=65535).contains(v))
            .map(|v| v as u32)
            .ok_or_else(|| PixelError::NotAnImage(format!("no usable {name} (1–65535)")))
    };
    let rows = dimension(tags::ROWS, "Rows")?;
    let columns = dimension(tags::COLUMNS, "Columns")?;
    let frames = match text(obj, tags::NUMBER_OF_FRAMES).filter(|t| !t.is_empty()) {
        None => 1,
        Some(declared) => int(obj, tags::NUMBER_OF_FRAMES)
            .and_then(|n| i32::try_from(n).ok())
            .filter(|n| *n >= 1)
            .map(|n| n as u32)
            .ok_or_else(|| {
                PixelError::NotAnImage(format!(
                    "NumberOfFrames {declared:?} is not a whole number from 1"
                ))
            })?,
    };
    let samples = int(obj, tags::SAMPLES_PER_PIXEL).unwrap_or(1);
    let photometric = text(obj, tags::PHOTOMETRIC_INTERPRETATION).unwrap_or_default();
    let colour = samples > 1 || (!photometric.is_empty() && !photometric.starts_with("MONOCHROME"));

    let top = PlaneValues {
        position: floats::<3>(obj, tags::IMAGE_POSITION_PATIENT),
        orientation: floats::<6>(obj, tags::IMAGE_ORIENTATION_PATIENT),
        spacing: floats::<2>(obj, tags::PIXEL_SPACING)
            .or_else(|| floats::<2>(obj, tags::IMAGER_PIXEL_SPACING)),
        slope: float(obj, tags::RESCALE_SLOPE),
        intercept: float(obj, tags::RESCALE_INTERCEPT),
        window: window(obj),
    };
    let shared = items(obj, tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE)
        .first()
        .map_or(PlaneValues::default(), functional_group);
    let per_frame = items(obj, tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE)
        .iter()
        .take(frames as usize)
        .map(functional_group)
        .collect();
    Ok(ImageGeometry {
        rows,
        columns,
        frames,
        colour,
        slice_location_tag: float(obj, tags::SLICE_LOCATION),
        shared: shared.or(top),
        per_frame,
    })
}

/// OsiriX's slice location: the coordinate of the image centre along the axis that dominates the normal.
///
/// The centre is the point at pixel (columns / 2 − 0.5, rows / 2 − 0.5), with integer halves, as OsiriX
/// places it. `None` when no axis strictly dominates (an oblique normal such as (0.6, 0.6, 0.53)); the
/// caller then uses the DICOM SliceLocation, else 0.
pub(crate) fn slice_location(geometry: &FrameGeometry) -> Option<f64> {
    let x = f64::from(geometry.columns / 2) - 0.5;
    let y = f64::from(geometry.rows / 2) - 0.5;
    let centre: [f64; 3] = std::array::from_fn(|i| {
        geometry.origin[i]
            + x * geometry.row_direction[i] * geometry.spacing_x
            + y * geometry.column_direction[i] * geometry.spacing_y
    });
    let n = geometry.normal.map(f64::abs);
    let axis = (0..3).find(|&i| (0..3).all(|j| j == i || n[i] > n[j]))?;
    Some(centre[axis])
}

/// The values a functional group (or the top level) may set for a frame.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct PlaneValues {
    position: Option<[f64; 3]>,
    orientation: Option<[f64; 6]>,
    /// DICOM order: between rows (Y), then between columns (X).
    spacing: Option<[f64; 2]>,
    slope: Option<f64>,
    intercept: Option<f64>,
    window: Option<Window>,
}

impl PlaneValues {
    /// These values, each missing one taken from `fallback`.
    fn or(self, fallback: PlaneValues) -> PlaneValues {
        PlaneValues {
            position: self.position.or(fallback.position),
            orientation: self.orientation.or(fallback.orientation),
            spacing: self.spacing.or(fallback.spacing),
            slope: self.slope.or(fallback.slope),
            intercept: self.intercept.or(fallback.intercept),
            window: self.window.or(fallback.window),
        }
    }
}

/// The values of one item of a functional groups sequence.
fn functional_group(group: &InMemDicomObject) -> PlaneValues {
    let inner = |sequence: Tag| items(group, sequence).first();
    let position = inner(tags::PLANE_POSITION_SEQUENCE);
    let orientation = inner(tags::PLANE_ORIENTATION_SEQUENCE);
    let measures = inner(tags::PIXEL_MEASURES_SEQUENCE);
    let transformation = inner(tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE);
    let voi = inner(tags::FRAME_VOILUT_SEQUENCE);
    PlaneValues {
        position: position.and_then(|o| floats::<3>(o, tags::IMAGE_POSITION_PATIENT)),
        orientation: orientation.and_then(|o| floats::<6>(o, tags::IMAGE_ORIENTATION_PATIENT)),
        spacing: measures.and_then(|o| floats::<2>(o, tags::PIXEL_SPACING)),
        slope: transformation.and_then(|o| float(o, tags::RESCALE_SLOPE)),
        intercept: transformation.and_then(|o| float(o, tags::RESCALE_INTERCEPT)),
        window: voi.and_then(window),
    }
}

/// The row direction, column direction and normal of an orientation, or the default ones.
fn directions(orientation: Option<[f64; 6]>) -> ([f64; 3], [f64; 3], [f64; 3]) {
    const DEFAULT: [f64; 6] = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
    let split = |o: [f64; 6]| {
        let row = [o[0], o[1], o[2]];
        let column = [o[3], o[4], o[5]];
        let normal = [
            row[1] * column[2] - row[2] * column[1],
            row[2] * column[0] - row[0] * column[2],
            row[0] * column[1] - row[1] * column[0],
        ];
        (row, column, normal)
    };
    match orientation.map(split) {
        Some(d) if d.2.iter().any(|c| *c != 0.0) => d,
        _ => split(DEFAULT),
    }
}

/// DCMPix's guard on a spacing: not a number, below 1e-5 or above 1000 gives 1.
fn sane_spacing(spacing: f64) -> f64 {
    if (1e-5..=1000.0).contains(&spacing) {
        spacing
    } else {
        1.0
    }
}

/// The first WindowCenter/WindowWidth pair of a data set, when usable.
fn window(obj: &InMemDicomObject) -> Option<Window> {
    let level = float(obj, tags::WINDOW_CENTER)?;
    let width = float(obj, tags::WINDOW_WIDTH).filter(|w| *w > 0.0)?;
    Some(Window {
        level: level as f32,
        width: width as f32,
    })
}

/// The items of a sequence, none when absent or not a sequence.
fn items(obj: &InMemDicomObject, tag: Tag) -> &[InMemDicomObject] {
    obj.element_opt(tag)
        .ok()
        .flatten()
        .and_then(|e| e.items())
        .unwrap_or(&[])
}

/// The first `N` decimal values (DS or FD) when there are at least `N` and they are finite, else `None`.
fn floats<const N: usize>(obj: &InMemDicomObject, tag: Tag) -> Option<[f64; N]> {
    let values = decimals(obj, tag)?;
    let values: [f64; N] = values.get(..N)?.try_into().ok()?;
    values.iter().all(|v| v.is_finite()).then_some(values)
}

/// The first value of a decimal attribute, when finite.
fn float(obj: &InMemDicomObject, tag: Tag) -> Option<f64> {
    let first = *decimals(obj, tag)?.first()?;
    first.is_finite().then_some(first)
}

/// Every value of a decimal attribute. A data set built in memory may hold several DS values as one
/// backslash-separated string, which is split here as a file reader would.
fn decimals(obj: &InMemDicomObject, tag: Tag) -> Option<Vec<f64>> {
    let element = obj.element_opt(tag).ok()??;
    let text = element.to_str().ok()?;
    if text.contains('\\') {
        text.split('\\')
            .map(|v| v.trim_matches([' ', '\0']).parse().ok())
            .collect()
    } else {
        element.to_multi_float64().ok()
    }
}

/// An integer attribute (IS, US, UL…).
fn int(obj: &InMemDicomObject, tag: Tag) -> Option<i64> {
    let element = obj.element_opt(tag).ok()??;
    element.to_int::<i64>().ok().or_else(|| {
        let value = element.to_str().ok()?;
        value.trim_matches([' ', '\0']).parse().ok()
    })
}

/// A text attribute, trimmed of DICOM padding.
fn text(obj: &InMemDicomObject, tag: Tag) -> Option<String> {
    let element = obj.element_opt(tag).ok()??;
    let value = element.to_str().ok()?;
    Some(value.trim_matches([' ', '\0']).to_owned())
}
