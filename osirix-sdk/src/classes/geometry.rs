//! Positions and directions in an image and in the patient: what DCMPix and ROI RPCs send as loose floats.

use crate::Client;
use crate::proto;
use crate::value::{FromWire, IntoWire, Malformed};

/// A position in an image, in pixels: the wire's x is the column and its y the row. The origin is the top-left
/// corner of the image and rows grow downwards; fractions are allowed (OsiriX truncates where it needs whole
/// pixels).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    /// The column (x).
    pub column: f32,
    /// The row (y).
    pub row: f32,
}

impl Point {
    /// The point at `column`, `row`.
    pub const fn new(column: f32, row: f32) -> Self {
        Point { column, row }
    }

    pub(crate) fn is_finite(self) -> bool {
        self.column.is_finite() && self.row.is_finite()
    }
}

impl FromWire<proto::roi_points_response::Point2D> for Point {
    fn from_wire(wire: proto::roi_points_response::Point2D, _: &Client) -> Result<Self, Malformed> {
        Ok(Point::new(wire.x, wire.y))
    }
}

/// `ROICentroid`'s `(x, y)`.
impl FromWire<(f32, f32)> for Point {
    fn from_wire((x, y): (f32, f32), _: &Client) -> Result<Self, Malformed> {
        Ok(Point::new(x, y))
    }
}

impl IntoWire<Vec<proto::roi_set_points_request::Point2D>> for &[Point] {
    fn into_wire(self, _: &Client) -> crate::Result<Vec<proto::roi_set_points_request::Point2D>> {
        self.iter()
            .map(|p| {
                finite(*p).map(|p| proto::roi_set_points_request::Point2D {
                    x: p.column,
                    y: p.row,
                })
            })
            .collect()
    }
}

/// Refuses NaN and infinite coordinates, which OsiriX would store as they are.
pub(crate) fn finite(point: Point) -> crate::Result<Point> {
    if point.is_finite() {
        Ok(point)
    } else {
        Err(crate::Error::invalid(format!(
            "the point {point:?} is not finite"
        )))
    }
}

/// The size of an image matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Shape {
    /// The number of rows (the height, DICOM Rows).
    pub rows: u32,
    /// The number of columns (the width, DICOM Columns).
    pub columns: u32,
}

impl Shape {
    /// The number of pixels, `rows × columns`.
    pub fn len(self) -> usize {
        self.rows as usize * self.columns as usize
    }

    /// Whether the matrix has no pixel.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// `DCMPixShape`'s `(rows, columns)`.
impl FromWire<(i32, i32)> for Shape {
    fn from_wire((rows, columns): (i32, i32), client: &Client) -> Result<Self, Malformed> {
        Ok(Shape {
            rows: u32::from_wire(rows, client)?,
            columns: u32::from_wire(columns, client)?,
        })
    }
}

/// The distance between pixel centres, in mm.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Spacing {
    /// Between rows (the vertical spacing, DICOM PixelSpacing\[0\], OsiriX's spacing Y).
    pub rows: f32,
    /// Between columns (the horizontal spacing, DICOM PixelSpacing\[1\], OsiriX's spacing X).
    pub columns: f32,
}

/// `DCMPixSpacing`'s `(spacing_rows, spacing_columns)`.
impl FromWire<(f32, f32)> for Spacing {
    fn from_wire((rows, columns): (f32, f32), _: &Client) -> Result<Self, Malformed> {
        Ok(Spacing { rows, columns })
    }
}

/// A position or direction in the patient's coordinate system (DICOM's LPS), in mm for positions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Vector3 {
    /// Towards the patient's left.
    pub x: f32,
    /// Towards the patient's back.
    pub y: f32,
    /// Towards the patient's head.
    pub z: f32,
}

impl Vector3 {
    /// The vector `(x, y, z)`.
    pub const fn new(x: f32, y: f32, z: f32) -> Self {
        Vector3 { x, y, z }
    }
}

/// `DCMPixOrigin`'s `(origin_x, origin_y, origin_z)`.
impl FromWire<(f32, f32, f32)> for Vector3 {
    fn from_wire((x, y, z): (f32, f32, f32), _: &Client) -> Result<Self, Malformed> {
        Ok(Vector3 { x, y, z })
    }
}

/// The direction cosines of an image plane (DICOM ImageOrientationPatient, plus the normal OsiriX computes).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Orientation {
    /// The direction along a row, in which the column index grows.
    pub row: Vector3,
    /// The direction along a column, in which the row index grows.
    pub column: Vector3,
    /// The slice normal, `row × column`.
    pub normal: Vector3,
}

/// `DCMPixOrientation`'s nine floats: row, column, normal.
impl FromWire<Vec<f32>> for Orientation {
    fn from_wire(wire: Vec<f32>, _: &Client) -> Result<Self, Malformed> {
        let [r0, r1, r2, c0, c1, c2, n0, n1, n2] = wire[..] else {
            return Err(Malformed::new(format!(
                "an orientation has 9 values, not {}",
                wire.len()
            )));
        };
        Ok(Orientation {
            row: Vector3::new(r0, r1, r2),
            column: Vector3::new(c0, c1, c2),
            normal: Vector3::new(n0, n1, n2),
        })
    }
}
