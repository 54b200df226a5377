//! The plain values the ROI geometry works on: points, rectangles, spacings, image sizes, pixels and the
//! integer vertices that pixel membership truncates points to.

/// A point in pixel coordinates: `x` is the column and `y` the row, with the origin at the top-left of
/// the image and y growing downwards.
///
/// Held in double because the tested OsiriX keeps its points in double; points from the wire (float32)
/// widen exactly.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Point {
    /// The column coordinate.
    pub(crate) x: f64,
    /// The row coordinate.
    pub(crate) y: f64,
}

impl Point {
    /// A point from its coordinates.
    pub(crate) const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }

    /// A point from the float32 coordinates a request carries.
    pub(crate) fn from_f32(x: f32, y: f32) -> Self {
        Self::new(f64::from(x), f64::from(y))
    }
}

/// A rectangle as OsiriX's `NSRect`: an origin and a size, in pixels.
///
/// What the origin means depends on the ROI kind: the top-left corner of a tROI, the centre of a tOval
/// (whose size is then the two semi-axes), the point of a t2DPoint, the anchor of a tText.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Rect {
    /// Origin column.
    pub(crate) x: f64,
    /// Origin row.
    pub(crate) y: f64,
    /// Size along x.
    pub(crate) width: f64,
    /// Size along y.
    pub(crate) height: f64,
}

impl Rect {
    /// A rectangle from its origin and size.
    pub(crate) const fn new(x: f64, y: f64, width: f64, height: f64) -> Self {
        Self {
            x,
            y,
            width,
            height,
        }
    }

    /// The rectangle with a negative width or height made positive by moving the origin to the other
    /// side, so that it covers the same area (what OsiriX does to a tROI or a t2DPoint).
    pub(crate) fn folded(self) -> Self {
        let mut rect = self;
        if rect.width < 0.0 {
            rect.x += rect.width;
            rect.width = -rect.width;
        }
        if rect.height < 0.0 {
            rect.y += rect.height;
            rect.height = -rect.height;
        }
        rect
    }
}

/// A pixel spacing in mm: `x` between columns, `y` between rows.
///
/// Float32, because OsiriX's ROI creation takes the spacings as `float`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Spacing {
    /// Spacing between columns (DICOM PixelSpacing\[1\]).
    pub(crate) x: f32,
    /// Spacing between rows (DICOM PixelSpacing\[0\]).
    pub(crate) y: f32,
}

impl Spacing {
    /// A spacing from its two values.
    pub(crate) const fn new(x: f32, y: f32) -> Self {
        Self { x, y }
    }
}

/// The matrix size of an image.
///
/// 16-bit, as DICOM Rows and Columns are: every pixel coordinate then fits the wire's int32, and a mask of
/// rows × columns entries always fits memory's address space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct ImageSize {
    /// Width (DICOM Columns).
    pub(crate) columns: u16,
    /// Height (DICOM Rows).
    pub(crate) rows: u16,
}

impl ImageSize {
    /// A size from its width and height.
    pub(crate) const fn new(columns: u16, rows: u16) -> Self {
        Self { columns, rows }
    }

    /// The number of pixels, rows × columns.
    pub(crate) fn len(self) -> usize {
        usize::from(self.columns) * usize::from(self.rows)
    }

    /// Whether the pixel at column `x`, row `y` lies in the image.
    pub(crate) fn contains(self, x: i64, y: i64) -> bool {
        (0..i64::from(self.columns)).contains(&x) && (0..i64::from(self.rows)).contains(&y)
    }

    /// The row-major index of pixel (`x`, `y`), if it lies in the image.
    pub(crate) fn index(self, x: i64, y: i64) -> Option<usize> {
        if !self.contains(x, y) {
            return None;
        }
        usize::try_from(y * i64::from(self.columns) + x).ok()
    }
}

/// A whole pixel location as DCMPixROIValues reports it: `x` = column, `y` = row, int32 as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Pixel {
    /// The column.
    pub(crate) x: i32,
    /// The row.
    pub(crate) y: i32,
}

impl Pixel {
    /// A pixel from its column and row.
    pub(crate) const fn new(x: i32, y: i32) -> Self {
        Self { x, y }
    }

    /// The pixel at an integer vertex, saturated to int32 (a reported location outside the image may not
    /// fit; in the image it always does, see [`ImageSize`]).
    pub(crate) fn at(vertex: Vertex) -> Self {
        Self::new(saturate_i32(vertex.x), saturate_i32(vertex.y))
    }
}

/// An integer vertex: a point truncated toward zero, as OsiriX does before clipping, filling and masking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Vertex {
    /// The column.
    pub(crate) x: i64,
    /// The row.
    pub(crate) y: i64,
}

impl Vertex {
    /// A vertex from its coordinates, clamped to [`COORD_LIMIT`].
    pub(crate) fn new(x: i64, y: i64) -> Self {
        Self {
            x: x.clamp(-COORD_LIMIT, COORD_LIMIT),
            y: y.clamp(-COORD_LIMIT, COORD_LIMIT),
        }
    }

    /// The vertex of a point: each coordinate truncated toward zero (C truncation, so −0.9 → 0 and
    /// −1.5 → −1, not floor).
    pub(crate) fn truncate(point: Point) -> Self {
        Self::new(truncate(point.x), truncate(point.y))
    }
}

/// The largest magnitude an integer coordinate is given, 2^52 px.
///
/// OsiriX converts to a C `long`, which is undefined for values out of its range; the clamp keeps the
/// fill's exact integer arithmetic (products of two coordinate differences) inside `i128`, and changes
/// nothing for any point within 4.5·10^15 px of an image.
pub(crate) const COORD_LIMIT: i64 = 1 << 52;

/// `value` truncated toward zero and clamped to [`COORD_LIMIT`]; NaN gives 0.
pub(crate) fn truncate(value: f64) -> i64 {
    // `as` truncates toward zero and saturates (NaN → 0), which is the defined subset of C's conversion.
    (value as i64).clamp(-COORD_LIMIT, COORD_LIMIT)
}

/// `value` saturated into the int32 range.
pub(crate) fn saturate_i32(value: i64) -> i32 {
    i32::try_from(value).unwrap_or(if value < 0 { i32::MIN } else { i32::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_is_toward_zero() {
        assert_eq!(truncate(-0.9), 0);
        assert_eq!(truncate(-1.5), -1);
        assert_eq!(truncate(10.99), 10);
        assert_eq!(truncate(f64::NAN), 0);
        assert_eq!(truncate(f64::INFINITY), COORD_LIMIT);
        assert_eq!(truncate(f64::NEG_INFINITY), -COORD_LIMIT);
        assert_eq!(truncate(-1e300), -COORD_LIMIT);
    }

    #[test]
    fn folding_moves_the_origin() {
        assert_eq!(
            Rect::new(66.0, 42.0, -20.0, -10.0).folded(),
            Rect::new(46.0, 32.0, 20.0, 10.0)
        );
        assert_eq!(
            Rect::new(1.0, 2.0, 3.0, 4.0).folded(),
            Rect::new(1.0, 2.0, 3.0, 4.0)
        );
    }

    #[test]
    fn image_indices_are_row_major() {
        let size = ImageSize::new(4, 3);
        assert_eq!(size.len(), 12);
        assert_eq!(size.index(1, 2), Some(9));
        assert_eq!(size.index(4, 0), None);
        assert_eq!(size.index(0, -1), None);
    }

    #[test]
    fn pixels_saturate_to_int32() {
        assert_eq!(
            Pixel::at(Vertex::new(1 << 40, -(1 << 40))),
            Pixel::new(i32::MAX, i32::MIN)
        );
        assert_eq!(Pixel::at(Vertex::new(-3, 7)), Pixel::new(-3, 7));
    }
}
