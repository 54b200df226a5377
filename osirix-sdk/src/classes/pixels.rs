//! Images and masks: a row-major matrix of values ([`Plane`]), the pixels of a DCMPix ([`PixelImage`]) and
//! the masks of ROIs ([`Mask`]).

use std::ops::{Index, IndexMut};

use crate::classes::geometry::Shape;
use crate::value::{FromWire, Malformed};
use crate::{Client, Error, proto};

/// A matrix of values in row-major order (element `row * columns + column`), as OsiriX sends images and
/// masks. Indexing with `[(row, column)]` panics outside the matrix, as slices do; [`Plane::get`] does not.
#[derive(Debug, Clone, PartialEq)]
pub struct Plane<T> {
    shape: Shape,
    data: Vec<T>,
}

impl<T> Plane<T> {
    /// A plane of `shape` holding `data` in row-major order.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `data` does not hold `rows × columns` values.
    pub fn new(shape: Shape, data: Vec<T>) -> crate::Result<Self> {
        if data.len() != shape.len() {
            return Err(Error::invalid(format!(
                "{} values do not fill {} rows × {} columns",
                data.len(),
                shape.rows,
                shape.columns
            )));
        }
        Ok(Plane { shape, data })
    }

    /// A plane of `shape` with every value `value`.
    pub fn filled(shape: Shape, value: T) -> Self
    where
        T: Clone,
    {
        Plane {
            shape,
            data: vec![value; shape.len()],
        }
    }

    /// The size of the matrix.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The number of rows (the height).
    pub fn rows(&self) -> usize {
        self.shape.rows as usize
    }

    /// The number of columns (the width).
    pub fn columns(&self) -> usize {
        self.shape.columns as usize
    }

    /// The value at `row`, `column`, or `None` outside the matrix.
    pub fn get(&self, row: usize, column: usize) -> Option<&T> {
        (row < self.rows() && column < self.columns())
            .then(|| &self.data[row * self.columns() + column])
    }

    /// The value at `row`, `column` for writing, or `None` outside the matrix.
    pub fn get_mut(&mut self, row: usize, column: usize) -> Option<&mut T> {
        let columns = self.columns();
        (row < self.rows() && column < columns).then(|| &mut self.data[row * columns + column])
    }

    /// Every value in row-major order.
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// Every value in row-major order, for writing.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// Every value in row-major order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.data.iter()
    }

    /// Every value in row-major order, for writing.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.data.iter_mut()
    }

    /// Every value with its `(row, column)`, in row-major order.
    pub fn indexed_iter(&self) -> impl Iterator<Item = ((usize, usize), &T)> + '_ {
        let columns = self.columns().max(1);
        self.data
            .iter()
            .enumerate()
            .map(move |(i, value)| ((i / columns, i % columns), value))
    }

    /// The rows, top to bottom, each a slice of `columns` values.
    pub fn row_iter(&self) -> impl Iterator<Item = &[T]> + '_ {
        self.data.chunks(self.columns().max(1))
    }

    /// The values, row-major.
    pub fn into_vec(self) -> Vec<T> {
        self.data
    }
}

impl<T> Index<(usize, usize)> for Plane<T> {
    type Output = T;

    fn index(&self, (row, column): (usize, usize)) -> &T {
        match self.get(row, column) {
            Some(value) => value,
            None => panic!(
                "({row}, {column}) is outside {} rows × {} columns",
                self.shape.rows, self.shape.columns
            ),
        }
    }
}

impl<T> IndexMut<(usize, usize)> for Plane<T> {
    fn index_mut(&mut self, (row, column): (usize, usize)) -> &mut T {
        let shape = self.shape;
        match self.get_mut(row, column) {
            Some(value) => value,
            None => panic!(
                "({row}, {column}) is outside {} rows × {} columns",
                shape.rows, shape.columns
            ),
        }
    }
}

impl<'a, T> IntoIterator for &'a Plane<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
    }
}

/// A mask: `true` where a pixel belongs (`DCMPixGetMapFromROI`), or the pixels of a new mask ROI.
pub type Mask = Plane<bool>;

/// One pixel of a colour image: alpha, red, green, blue, as OsiriX orders them.
pub type Argb = [u8; 4];

/// The pixels of a DCMPix (`DCMPixImage`), as OsiriX holds them now.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PixelImage {
    /// Greyscale: OsiriX's float values (the stored values after rescale).
    Grey(Plane<f32>),
    /// Colour: one `[alpha, red, green, blue]` per pixel.
    Argb(Plane<Argb>),
}

impl PixelImage {
    /// The size of the image.
    pub fn shape(&self) -> Shape {
        match self {
            PixelImage::Grey(plane) => plane.shape(),
            PixelImage::Argb(plane) => plane.shape(),
        }
    }

    /// Whether the pixels are colour.
    pub fn is_argb(&self) -> bool {
        matches!(self, PixelImage::Argb(_))
    }

    /// The greyscale values, if the image is greyscale.
    pub fn as_grey(&self) -> Option<&Plane<f32>> {
        match self {
            PixelImage::Grey(plane) => Some(plane),
            PixelImage::Argb(_) => None,
        }
    }

    /// The colour values, if the image is colour.
    pub fn as_argb(&self) -> Option<&Plane<Argb>> {
        match self {
            PixelImage::Argb(plane) => Some(plane),
            PixelImage::Grey(_) => None,
        }
    }

    /// The request fields of `DCMPixSetImage`: the floats or the ARGB bytes (the other stays empty).
    pub(crate) fn to_wire(&self) -> (Vec<f32>, Vec<i32>) {
        match self {
            PixelImage::Grey(plane) => (plane.as_slice().to_vec(), Vec::new()),
            PixelImage::Argb(plane) => (
                Vec::new(),
                plane.iter().flat_map(|argb| argb.map(i32::from)).collect(),
            ),
        }
    }
}

fn shape_of(rows: i32, columns: i32, client: &Client) -> Result<Shape, Malformed> {
    Ok(Shape {
        rows: u32::from_wire(rows, client)?,
        columns: u32::from_wire(columns, client)?,
    })
}

/// Checks that `count` values fill `shape` (`per_pixel` values each).
fn check_len(shape: Shape, count: usize, per_pixel: usize, what: &str) -> Result<(), Malformed> {
    match shape.len().checked_mul(per_pixel) {
        Some(expected) if expected == count => Ok(()),
        _ => Err(Malformed::new(format!(
            "{count} {what} for {} rows × {} columns",
            shape.rows, shape.columns
        ))),
    }
}

impl FromWire<proto::DcmPixImageResponse> for PixelImage {
    fn from_wire(wire: proto::DcmPixImageResponse, client: &Client) -> Result<Self, Malformed> {
        let shape = shape_of(wire.rows, wire.columns, client)?;
        if !wire.is_argb {
            check_len(shape, wire.image_data_float.len(), 1, "float values")?;
            return Ok(PixelImage::Grey(Plane {
                shape,
                data: wire.image_data_float,
            }));
        }
        check_len(shape, wire.image_data_argb.len(), 4, "ARGB values")?;
        let byte = |value: i32| {
            u8::try_from(value)
                .map_err(|_| Malformed::new(format!("ARGB value {value} is outside 0–255")))
        };
        let data = wire
            .image_data_argb
            .chunks_exact(4)
            .map(|p| Ok([byte(p[0])?, byte(p[1])?, byte(p[2])?, byte(p[3])?]))
            .collect::<Result<Vec<Argb>, Malformed>>()?;
        Ok(PixelImage::Argb(Plane { shape, data }))
    }
}

impl FromWire<proto::DcmPixGetMapFromRoiResponse> for Mask {
    fn from_wire(
        wire: proto::DcmPixGetMapFromRoiResponse,
        client: &Client,
    ) -> Result<Self, Malformed> {
        let shape = shape_of(wire.rows, wire.columns, client)?;
        check_len(shape, wire.map.len(), 1, "mask values")?;
        Ok(Plane {
            shape,
            data: wire.map,
        })
    }
}
