//! Conversions between the SDK's pixel types and [`ndarray`] arrays (the `ndarray` feature).
//!
//! Axes follow the SDK's row-major order: a [`Plane`] is `rows × columns`, an ARGB plane
//! `rows × columns × 4` (alpha, red, green, blue), a [`Volume`] `slices × rows × columns`. Views borrow the
//! SDK's buffer and conversions of owned values move it, except where the element type changes (an
//! `Array3<u8>` to `[u8; 4]` pixels, which is copied). Every conversion from an array checks its shape and
//! returns [`Error::InvalidArgument`] when it does not fit.

use ndarray::{Array2, Array3, ArrayView2, ArrayView3, ArrayViewMut2, Ix2};

use crate::classes::geometry::Shape;
use crate::classes::pixels::{Argb, Plane};
use crate::classes::volume::Volume;
use crate::{Error, Result};

impl Shape {
    /// The shape of a `rows × columns` array, refused when a side does not fit in `u32`.
    fn of_array(rows: usize, columns: usize) -> Result<Shape> {
        let side = |n: usize, what: &str| {
            u32::try_from(n).map_err(|_| {
                Error::invalid(format!("{n} {what} do not fit in an image (at most u32)"))
            })
        };
        Ok(Shape {
            rows: side(rows, "rows")?,
            columns: side(columns, "columns")?,
        })
    }
}

impl<T> Plane<T> {
    /// The `(rows, columns)` of the array forms.
    fn dim(&self) -> (usize, usize) {
        (self.rows(), self.columns())
    }

    /// The plane as a borrowed `rows × columns` array, without a copy (the `ndarray` feature).
    ///
    /// ```no_run
    /// # fn demo(plane: &osirix_sdk::Plane<f32>) {
    /// let column_means = plane.view().mean_axis(osirix_sdk::ndarray::Axis(0));
    /// # }
    /// ```
    pub fn view(&self) -> ArrayView2<'_, T> {
        const { assert!(size_of::<T>() > 0, "a Plane of zero-sized values") };
        // A plane holds exactly rows × columns values, and a Vec of a type of non-zero size never holds more
        // than isize::MAX of them: ndarray accepts that shape.
        ArrayView2::from_shape(self.dim(), self.as_slice())
            .expect("a plane's values fill its rows × columns")
    }

    /// The plane as a borrowed `rows × columns` array for writing, without a copy (the `ndarray` feature).
    pub fn view_mut(&mut self) -> ArrayViewMut2<'_, T> {
        const { assert!(size_of::<T>() > 0, "a Plane of zero-sized values") };
        let dim = self.dim();
        ArrayViewMut2::from_shape(dim, self.as_mut_slice())
            .expect("a plane's values fill its rows × columns")
    }

    /// The plane as an owned `rows × columns` array, moving its buffer (the `ndarray` feature).
    pub fn into_array(self) -> Array2<T> {
        const { assert!(size_of::<T>() > 0, "a Plane of zero-sized values") };
        let dim = self.dim();
        Array2::from_shape_vec(dim, self.into_vec())
            .expect("a plane's values fill its rows × columns")
    }

    /// A plane of the values of a `rows × columns` array, moving its buffer when the array is in standard
    /// (row-major) layout and reordering it otherwise (the `ndarray` feature).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a side of the array does not fit in `u32`.
    pub fn from_array(array: Array2<T>) -> Result<Self> {
        let (rows, columns) = array.dim();
        let shape = Shape::of_array(rows, columns)?;
        let len = array.len();
        let data = if array.is_standard_layout() {
            // The array's elements are contiguous and in row-major order from `offset` in the buffer, which
            // may hold more (a sliced array).
            let (buffer, offset) = array.into_raw_vec_and_offset();
            let offset = offset.unwrap_or(0);
            if offset == 0 && buffer.len() == len {
                buffer
            } else {
                buffer.into_iter().skip(offset).take(len).collect()
            }
        } else {
            array.into_iter().collect()
        };
        Plane::new(shape, data)
    }
}

impl<T> From<Plane<T>> for Array2<T> {
    fn from(plane: Plane<T>) -> Self {
        plane.into_array()
    }
}

impl<T> TryFrom<Array2<T>> for Plane<T> {
    type Error = Error;

    fn try_from(array: Array2<T>) -> Result<Self> {
        Plane::from_array(array)
    }
}

impl<T: Clone> TryFrom<ArrayView2<'_, T>> for Plane<T> {
    type Error = Error;

    /// Copies the view's values.
    fn try_from(view: ArrayView2<'_, T>) -> Result<Self> {
        Plane::from_array(view.to_owned())
    }
}

impl Plane<Argb> {
    /// The pixels as a borrowed `rows × columns × 4` array of bytes (alpha, red, green, blue), without a copy
    /// (the `ndarray` feature).
    pub fn argb_view(&self) -> ArrayView3<'_, u8> {
        let (rows, columns) = self.dim();
        ArrayView3::from_shape((rows, columns, 4), self.as_slice().as_flattened())
            .expect("a plane's pixels fill its rows × columns")
    }

    /// The pixels as an owned `rows × columns × 4` array of bytes (alpha, red, green, blue), moving the
    /// buffer (the `ndarray` feature).
    pub fn into_argb_array(self) -> Array3<u8> {
        let (rows, columns) = self.dim();
        Array3::from_shape_vec((rows, columns, 4), self.into_vec().into_flattened())
            .expect("a plane's pixels fill its rows × columns")
    }

    /// A colour plane of a `rows × columns × 4` array of bytes (alpha, red, green, blue), copied (the
    /// `ndarray` feature).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the last axis is not 4 long, or when a side does not fit in `u32`.
    pub fn from_argb_array(array: ArrayView3<'_, u8>) -> Result<Self> {
        let (rows, columns, channels) = array.dim();
        if channels != 4 {
            return Err(Error::invalid(format!(
                "an ARGB array has 4 channels on its last axis, not {channels}"
            )));
        }
        let shape = Shape::of_array(rows, columns)?;
        let data = array
            .rows()
            .into_iter()
            .map(|pixel| [pixel[0], pixel[1], pixel[2], pixel[3]])
            .collect();
        Plane::new(shape, data)
    }
}

impl From<Plane<Argb>> for Array3<u8> {
    fn from(plane: Plane<Argb>) -> Self {
        plane.into_argb_array()
    }
}

impl TryFrom<ArrayView3<'_, u8>> for Plane<Argb> {
    type Error = Error;

    fn try_from(view: ArrayView3<'_, u8>) -> Result<Self> {
        Plane::from_argb_array(view)
    }
}

impl Volume {
    /// The `(slices, rows, columns)` of the array forms, refused when `data` does not fill them (the fields
    /// are public, so they may have been changed apart).
    fn dim(&self) -> Result<(usize, usize, usize)> {
        let (slices, rows, columns) = (
            self.slices,
            self.shape.rows as usize,
            self.shape.columns as usize,
        );
        match slices.checked_mul(self.shape.len()) {
            Some(len) if len == self.data.len() => Ok((slices, rows, columns)),
            _ => Err(Error::invalid(format!(
                "{} values do not fill {slices} slices × {rows} rows × {columns} columns",
                self.data.len()
            ))),
        }
    }

    /// The values as a borrowed `slices × rows × columns` array, without a copy (the `ndarray` feature).
    ///
    /// ```no_run
    /// # async fn demo(viewer: osirix_sdk::ViewerController) -> osirix_sdk::Result<()> {
    /// let volume = viewer.volume(0).await?;
    /// let array = volume.view()?;
    /// let mip = array.fold_axis(osirix_sdk::ndarray::Axis(0), f32::MIN, |a, &b| a.max(b));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `data` does not hold `slices × rows × columns` values.
    pub fn view(&self) -> Result<ArrayView3<'_, f32>> {
        ArrayView3::from_shape(self.dim()?, &self.data).map_err(shape_error)
    }

    /// The values as an owned `slices × rows × columns` array, moving the buffer (no copy; the `ndarray`
    /// feature). The geometry is dropped: keep what you need of it first.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `data` does not hold `slices × rows × columns` values.
    pub fn into_array(self) -> Result<Array3<f32>> {
        let dim = self.dim()?;
        Array3::from_shape_vec(dim, self.data).map_err(shape_error)
    }

    /// One slice as a borrowed `rows × columns` array, or `None` past the last slice (the `ndarray` feature).
    pub fn slice_view(&self, slice: usize) -> Option<ArrayView2<'_, f32>> {
        self.dim().ok()?;
        let values = self.slice(slice)?;
        ArrayView2::from_shape(
            Ix2(self.shape.rows as usize, self.shape.columns as usize),
            values,
        )
        .ok()
    }
}

impl TryFrom<Volume> for Array3<f32> {
    type Error = Error;

    fn try_from(volume: Volume) -> Result<Self> {
        volume.into_array()
    }
}

fn shape_error(error: ndarray::ShapeError) -> Error {
    Error::invalid(format!("the volume's shape: {error}"))
}

#[cfg(test)]
mod tests {
    use ndarray::{Array3, Axis, Slice, array};

    use super::*;
    use crate::classes::geometry::{Orientation, Spacing, Vector3};

    fn shape(rows: u32, columns: u32) -> Shape {
        Shape { rows, columns }
    }

    /// 2 rows × 3 columns: value 10 × row + column.
    fn grey() -> Plane<f32> {
        Plane::new(shape(2, 3), vec![0.0, 1.0, 2.0, 10.0, 11.0, 12.0]).unwrap()
    }

    #[test]
    fn a_plane_is_rows_by_columns() {
        let plane = grey();
        let view = plane.view();
        assert_eq!(view.dim(), (2, 3));
        assert_eq!(view[[1, 2]], 12.0);
        assert_eq!(
            view.as_ptr(),
            plane.as_slice().as_ptr(),
            "a view, not a copy"
        );
        let array = Array2::from(plane.clone());
        assert_eq!(array, array![[0.0, 1.0, 2.0], [10.0, 11.0, 12.0]]);
        assert_eq!(Plane::try_from(array).unwrap(), plane);
    }

    #[test]
    fn writing_through_the_view_changes_the_plane() {
        let mut plane = grey();
        plane.view_mut()[[0, 1]] = -1.0;
        assert_eq!(plane[(0, 1)], -1.0);
    }

    #[test]
    fn an_owned_array_moves_its_buffer_into_the_plane() {
        let array = array![[1.0f32, 2.0], [3.0, 4.0]];
        let pointer = array.as_ptr();
        let plane = Plane::from_array(array).unwrap();
        assert_eq!(plane.as_slice().as_ptr(), pointer);
    }

    #[test]
    fn transposed_and_sliced_arrays_keep_their_logical_order() {
        let transposed = array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]].reversed_axes();
        let plane = Plane::from_array(transposed).unwrap();
        assert_eq!(plane.shape(), shape(3, 2));
        assert_eq!(plane.as_slice(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);

        // Standard layout, but the rows start past the buffer's beginning.
        let mut sliced = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 6.0]];
        sliced.slice_axis_inplace(Axis(0), Slice::from(1..));
        let plane = Plane::from_array(sliced).unwrap();
        assert_eq!(plane.as_slice(), &[3.0, 4.0, 5.0, 6.0]);

        // Every other column: not contiguous.
        let mut strided = array![[1.0f32, 2.0, 3.0, 4.0]];
        strided.slice_axis_inplace(Axis(1), Slice::new(0, None, 2));
        assert_eq!(Plane::from_array(strided).unwrap().as_slice(), &[1.0, 3.0]);
    }

    #[test]
    fn a_view_converts_by_copy_and_empty_arrays_are_empty_planes() {
        let array = array![[true, false], [false, true]];
        let mask: crate::Mask = Plane::try_from(array.view()).unwrap();
        assert_eq!(mask.view(), array);
        let empty = Plane::<f32>::from_array(Array2::zeros((0, 5))).unwrap();
        assert_eq!(empty.shape(), shape(0, 5));
        assert_eq!(empty.view().dim(), (0, 5));
    }

    #[test]
    fn argb_pixels_are_rows_by_columns_by_four() {
        let pixels = vec![
            [255, 1, 2, 3],
            [255, 4, 5, 6],
            [0, 7, 8, 9],
            [0, 10, 11, 12],
        ];
        let plane = Plane::new(shape(1, 4), pixels).unwrap();
        let view = plane.argb_view();
        assert_eq!(view.dim(), (1, 4, 4));
        assert_eq!(
            view.index_axis(Axis(0), 0).index_axis(Axis(0), 2).to_vec(),
            vec![0, 7, 8, 9]
        );
        assert_eq!(view.as_ptr(), plane.as_slice().as_ptr().cast::<u8>());
        let array = plane.clone().into_argb_array();
        assert_eq!(array[[0, 3, 3]], 12);
        assert_eq!(Plane::from_argb_array(array.view()).unwrap(), plane);
        assert_eq!(Plane::try_from(array.view()).unwrap(), plane);
    }

    #[test]
    fn an_argb_array_needs_four_channels() {
        let err = Plane::from_argb_array(Array3::<u8>::zeros((2, 2, 3)).view()).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
        assert!(err.to_string().contains("not 3"), "{err}");
    }

    #[test]
    fn a_side_beyond_u32_is_an_error() {
        let err = Shape::of_array(u32::MAX as usize + 1, 0).unwrap_err();
        assert!(err.to_string().contains("rows"), "{err}");
        let wide = Array2::<f32>::zeros((0, u32::MAX as usize + 1));
        assert!(matches!(
            Plane::from_array(wide),
            Err(Error::InvalidArgument { .. })
        ));
    }

    fn volume(slices: usize, data: Vec<f32>) -> Volume {
        Volume {
            slices,
            shape: shape(2, 3),
            data,
            spacing: Spacing::default(),
            origin: Vector3::default(),
            orientation: Orientation::default(),
            slice_locations: vec![0.0; slices],
        }
    }

    #[test]
    fn a_volume_is_slices_by_rows_by_columns_without_a_copy() {
        // Value 100 × slice + 10 × row + column.
        let data = (0..2)
            .flat_map(|k| {
                (0..2).flat_map(move |r| (0..3).map(move |c| (100 * k + 10 * r + c) as f32))
            })
            .collect::<Vec<_>>();
        let volume = volume(2, data);
        let view = volume.view().unwrap();
        assert_eq!(view.dim(), (2, 2, 3));
        assert_eq!(view[[1, 1, 2]], 112.0);
        assert_eq!(view.index_axis(Axis(0), 1), volume.slice_view(1).unwrap());
        assert_eq!(volume.slice_view(2), None);
        let pointer = volume.data.as_ptr();
        let array = Array3::try_from(volume).unwrap();
        assert_eq!(array.as_ptr(), pointer, "the buffer moved, not copied");
        assert_eq!(array[[1, 0, 1]], 101.0);
    }

    #[test]
    fn a_volume_whose_data_does_not_fill_it_is_an_error() {
        let short = volume(2, vec![0.0; 11]);
        for err in [
            short.view().unwrap_err(),
            short.clone().into_array().unwrap_err(),
        ] {
            assert!(matches!(err, Error::InvalidArgument { .. }), "{err}");
            assert!(err.to_string().contains("11 values"), "{err}");
        }
        assert_eq!(short.slice_view(0), None);
    }
}
