//! `DCMPix`: the pixels and geometry of one slice (one frame of one image) held by a viewer.

use crate::classes::geometry::{Orientation, Shape, Spacing, Vector3};
use crate::classes::pixels::{Mask, PixelImage};
use crate::value::{FromWire, Malformed};
use crate::{Client, DicomImage, DicomSeries, DicomStudy, Error, Result, Roi};

crate::osirix_class! {
    /// The pixels and geometry of one slice shown by a viewer (`DCMPix`); from
    /// [`ViewerController::pix_list`](crate::ViewerController::pix_list),
    /// [`ViewerController::cur_dcm`](crate::ViewerController::cur_dcm) or [`Roi::pix`].
    ///
    /// What no RPC changes is cached: the shape, spacing, origin, orientation, slice location, source file
    /// and database objects. The pixels and the colour mode are not (they change with
    /// [`DcmPix::set_image`] and the conversions).
    #[osirix(wire = "DCMPix")]
    pub class DcmPix {
        #[rpc(DCMPixConvertToRGB, request = DCMPixConvertToRGBRequest { pix: self, rgb_channel })]
        fn convert_to_rgb_wire(rgb_channel: i32);

        #[rpc(DCMPixConvertToBW, request = DCMPixConvertToBWRequest { pix: self, bw_channel })]
        fn convert_to_bw_wire(bw_channel: i32);

        /// Whether the pixels are colour (ARGB) rather than greyscale floats.
        #[rpc(DCMPixIsRGB)]
        pub fn is_rgb() -> bool = is_rgb;

        /// OsiriX's statistics of the pixels of `roi`, applied to this slice's pixels (the ROI may belong to
        /// another slice).
        ///
        /// [`Error::Osirix`] `"No values provided for RGB pix"` for a colour slice.
        #[rpc(DCMPixComputeROI, idempotent, request = DCMPixComputeROIRequest { pix: self, roi })]
        pub fn compute_roi(roi: &Roi) -> RoiStats;

        /// The values of the pixels of `roi` on this slice, in scan order (rows top to bottom, runs left to
        /// right).
        ///
        /// [`Error::Osirix`] `"No values provided for RGB pix"` for a colour slice, and
        /// `"Could not compute indices"` when OsiriX failed part way (it reports that as a success with
        /// partial values, which the SDK does not return).
        #[rpc(DCMPixROIValues, idempotent, request = DCMPixROIValuesRequest { pix: self, roi })]
        pub fn roi_values(roi: &Roi) -> Vec<RoiValue>;

        /// The matrix size.
        #[rpc(DCMPixShape, cache)]
        pub fn shape() -> Shape = (rows, columns);

        /// The pixel spacing in mm.
        #[rpc(DCMPixSpacing, cache)]
        pub fn spacing() -> Spacing = (spacing_rows, spacing_columns);

        /// The patient position of the centre of the first pixel, in mm (DICOM ImagePositionPatient).
        #[rpc(DCMPixOrigin, cache)]
        pub fn origin() -> Vector3 = (origin_x, origin_y, origin_z);

        /// The directions of the rows, the columns and the slice normal.
        #[rpc(DCMPixOrientation, cache)]
        pub fn orientation() -> Orientation = orientation;

        /// OsiriX's slice location: the image centre along the normal's dominant axis, in mm.
        #[rpc(DCMPixSliceLocation, cache)]
        pub fn slice_location() -> f32 = slice_location;

        /// The path of the DICOM file the slice was read from.
        #[rpc(DCMPixSourceFile, cache)]
        pub fn source_file() -> String = source_file;

        /// The pixels as they are now.
        ///
        /// [`Error::Osirix`] `"Could not create image"` when OsiriX could not read them.
        #[rpc(DCMPixImage)]
        pub fn image() -> PixelImage;

        #[rpc(DCMPixSetImage, request = DCMPixSetImageRequest { pix: self, image_data_float, image_data_argb })]
        fn set_image_wire(image_data_float: Vec<f32>, image_data_argb: Vec<i32>);

        /// The pixels of this slice inside `roi`: a mask of this slice's shape. Only for masks, polygons and
        /// pencils; a polygon's mask leaves out its outer one-pixel border, as OsiriX's helper does.
        ///
        /// [`Error::Osirix`] `"Invalid ROI"` for any other kind of ROI.
        #[rpc(DCMPixGetMapFromROI, idempotent, request = DCMPixGetMapFromROIRequest { pix: self, roi })]
        pub fn map_from_roi(roi: &Roi) -> Mask;

        /// The database image the slice comes from.
        #[rpc(DCMPixDicomImage, cache)]
        pub fn dicom_image() -> DicomImage = dicom_image;

        /// The database series the slice comes from.
        #[rpc(DCMPixDicomSeries, cache)]
        pub fn dicom_series() -> DicomSeries = dicom_series;

        /// The database study the slice comes from.
        #[rpc(DCMPixDicomStudy, cache)]
        pub fn dicom_study() -> DicomStudy = dicom_study;
    }
}

impl DcmPix {
    /// Writes `image` into the slice's pixels (the shape cannot change). Nothing is redrawn and the window is
    /// kept.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `image`'s shape is not the slice's (refused before the image is sent);
    /// [`Error::Osirix`] `"Incompatible image shape"` when `image` is greyscale and the slice colour, or the
    /// other way round; [`Error::StaleHandle`] when the viewer was closed; the errors of every call.
    pub async fn set_image(&self, image: &PixelImage) -> Result<()> {
        let shape = self.shape().await?;
        if image.shape() != shape {
            return Err(Error::invalid(format!(
                "the image is {} × {}, the DCMPix {} × {}",
                image.shape().rows,
                image.shape().columns,
                shape.rows,
                shape.columns
            )));
        }
        let (floats, argb) = image.to_wire();
        self.set_image_wire(floats, argb).await
    }

    /// Converts greyscale pixels to colour: OsiriX windows them onto 0–255 over their range and writes the
    /// value into `channel` (alpha becomes the mean of red, green and blue).
    ///
    /// # Errors
    /// [`Error::Osirix`] `"Data already RGB"` for a colour slice; [`Error::StaleHandle`] when the viewer was
    /// closed; the errors of every call.
    pub async fn convert_to_rgb(&self, channel: RgbChannel) -> Result<()> {
        self.convert_to_rgb_wire(channel as i32).await
    }

    /// Converts colour pixels to greyscale floats 0–255, taken from `source`.
    ///
    /// # Errors
    /// [`Error::Osirix`] `"Data already BW"` for a greyscale slice; [`Error::StaleHandle`] when the viewer
    /// was closed; the errors of every call.
    pub async fn convert_to_bw(&self, source: GreySource) -> Result<()> {
        self.convert_to_bw_wire(source as i32).await
    }
}

/// Where [`DcmPix::convert_to_rgb`] writes the windowed grey value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RgbChannel {
    /// Red only (OsiriX's channel 0).
    Red = 0,
    /// Green only (1).
    Green = 1,
    /// Blue only (2).
    Blue = 2,
    /// All four bytes, alpha included (3).
    All = 3,
}

/// What [`DcmPix::convert_to_bw`] makes the grey value of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GreySource {
    /// Red (OsiriX's channel 0).
    Red = 0,
    /// Green (1).
    Green = 1,
    /// Blue (2).
    Blue = 2,
    /// The mean of red, green and blue (3).
    Mean = 3,
}

/// OsiriX's statistics of an ROI's pixels (`DCMPixComputeROI`), over the N values that
/// [`DcmPix::roi_values`] lists (duplicates included), as 32-bit floats.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub struct RoiStats {
    /// The mean, total / N (0 when N = 0).
    pub mean: f32,
    /// The sum of the values.
    pub total: f32,
    /// The population standard deviation, √(Σ(v − mean)² / N).
    pub std_dev: f32,
    /// The smallest value (0 when N = 0).
    pub min: f32,
    /// The largest value (0 when N = 0).
    pub max: f32,
    /// m3 / m2^1.5 with the moments m_k = Σ(v − mean)^k / (N − 1); 0 when N < 2, NaN when every value is
    /// the same (m2 = 0).
    pub skewness: f32,
    /// The excess kurtosis m4 / m2² − 3, with the same moments; 0 when N < 2, NaN when every value is the
    /// same.
    pub kurtosis: f32,
}

impl FromWire<crate::proto::DcmPixComputeRoiResponse> for RoiStats {
    fn from_wire(
        wire: crate::proto::DcmPixComputeRoiResponse,
        _: &Client,
    ) -> std::result::Result<Self, Malformed> {
        Ok(RoiStats {
            mean: wire.mean,
            total: wire.total,
            std_dev: wire.std_dev,
            min: wire.min,
            max: wire.max,
            skewness: wire.skewness,
            kurtosis: wire.kurtosis,
        })
    }
}

/// One pixel of an ROI (`DCMPixROIValues`). Its location is a whole pixel; a pixel where two runs of the scan
/// meet (the tip of a concave notch) is listed twice, and counts twice in [`RoiStats`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RoiValue {
    /// The row (may lie outside the image for a point ROI, whose value is then 0).
    pub row: i32,
    /// The column.
    pub column: i32,
    /// The pixel value.
    pub value: f32,
}

impl FromWire<crate::proto::DcmPixRoiValuesResponse> for Vec<RoiValue> {
    fn from_wire(
        wire: crate::proto::DcmPixRoiValuesResponse,
        _: &Client,
    ) -> std::result::Result<Self, Malformed> {
        let n = wire.values.len();
        if wire.row_indices.len() != n || wire.column_indices.len() != n {
            return Err(Malformed::new(format!(
                "{n} values with {} rows and {} columns",
                wire.row_indices.len(),
                wire.column_indices.len()
            )));
        }
        Ok(wire
            .values
            .into_iter()
            .zip(wire.row_indices)
            .zip(wire.column_indices)
            .map(|((value, row), column)| RoiValue { row, column, value })
            .collect())
    }
}
