//! The 17 `DCMPix*` RPCs (see docs/osirix-behaviour.md, *DCMPix*). Every one first resolves its DCMPix
//! ("No DCMPix cached"); those that read or change pixels then work on the DCMPix's cell outside the world
//! lock, decoding its frame on first use.

use std::sync::Arc;

use super::reply::{Failure, Reply, done, success};
use crate::pixels::{PixCell, PixOpError, PixelBuffer, PixelError, Samples};
use crate::proto;
use crate::registry::ObjectRef;
use crate::roi::{Pixel, Shape, Statistics, sample};
use crate::scene::Pix;
use crate::state::State;

type PixHandle = proto::DcmPix;

/// OsiriX's message when making or changing the image fails.
const COULD_NOT_CREATE_IMAGE: &str = "Could not create image";

/// The handle in a request's `pix` field (an unset field is an empty, unknown uid).
fn handle(field: Option<PixHandle>) -> PixHandle {
    field.unwrap_or_default()
}

/// A copy of the DCMPix a handle names.
fn pix(state: &State, handle: &PixHandle) -> Reply<Pix> {
    state.world().pix(handle).map(|(_, p)| p.clone())
}

/// A file that cannot be decoded: OsiriX's message, with the reason in the log.
fn undecodable(error: PixelError) -> Failure {
    tracing::warn!(%error, "cannot decode a DCMPix");
    Failure::new(COULD_NOT_CREATE_IMAGE)
}

/// The pixels of a cell.
fn read(cell: &PixCell) -> Reply<Arc<PixelBuffer>> {
    cell.read().map_err(undecodable)
}

/// Changes a cell's pixels; a refusal is sent with its OsiriX message.
fn change(
    cell: &PixCell,
    f: impl FnOnce(&mut PixelBuffer) -> Result<(), PixOpError>,
) -> Reply<proto::Response> {
    cell.change(f)
        .map_err(undecodable)?
        .map_err(|e| Failure::new(e.to_string()))?;
    done()
}

/// A matrix size as the wire's int32.
fn dimension(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

pub(super) fn shape(state: &State, handle: PixHandle) -> Reply<proto::DcmPixShapeResponse> {
    let pix = pix(state, &handle)?;
    Ok(proto::DcmPixShapeResponse {
        status: success(),
        rows: dimension(pix.geometry.rows),
        columns: dimension(pix.geometry.columns),
    })
}

pub(super) fn spacing(state: &State, handle: PixHandle) -> Reply<proto::DcmPixSpacingResponse> {
    let pix = pix(state, &handle)?;
    Ok(proto::DcmPixSpacingResponse {
        status: success(),
        spacing_rows: pix.geometry.spacing_y as f32,
        spacing_columns: pix.geometry.spacing_x as f32,
    })
}

pub(super) fn origin(state: &State, handle: PixHandle) -> Reply<proto::DcmPixOriginResponse> {
    let [x, y, z] = pix(state, &handle)?.geometry.origin;
    Ok(proto::DcmPixOriginResponse {
        status: success(),
        origin_x: x as f32,
        origin_y: y as f32,
        origin_z: z as f32,
    })
}

pub(super) fn orientation(
    state: &State,
    handle: PixHandle,
) -> Reply<proto::DcmPixOrientationResponse> {
    Ok(proto::DcmPixOrientationResponse {
        status: success(),
        orientation: pix(state, &handle)?.geometry.orientation().to_vec(),
    })
}

pub(super) fn slice_location(
    state: &State,
    handle: PixHandle,
) -> Reply<proto::DcmPixSliceLocationResponse> {
    Ok(proto::DcmPixSliceLocationResponse {
        status: success(),
        slice_location: pix(state, &handle)?.geometry.slice_location as f32,
    })
}

pub(super) fn source_file(
    state: &State,
    handle: PixHandle,
) -> Reply<proto::DcmPixSourceFileResponse> {
    let pix = pix(state, &handle)?;
    Ok(proto::DcmPixSourceFileResponse {
        status: success(),
        source_file: pix.cell.source().path.to_string_lossy().into_owned(),
    })
}

pub(super) fn is_rgb(state: &State, handle: PixHandle) -> Reply<proto::DcmPixIsRgbResponse> {
    Ok(proto::DcmPixIsRgbResponse {
        status: success(),
        is_rgb: pix(state, &handle)?.cell.is_rgb(),
    })
}

pub(super) fn image(state: &State, handle: PixHandle) -> Reply<proto::DcmPixImageResponse> {
    let pix = pix(state, &handle)?;
    let pixels = read(&pix.cell)?;
    let (image_data_float, image_data_argb) = match pixels.samples() {
        Samples::Grey(values) => (values.clone(), Vec::new()),
        Samples::Argb(_) => (Vec::new(), pixels.wire_argb()),
    };
    Ok(proto::DcmPixImageResponse {
        status: success(),
        rows: dimension(pixels.rows()),
        columns: dimension(pixels.columns()),
        is_argb: pixels.is_rgb(),
        image_data_float,
        image_data_argb,
    })
}

pub(super) fn set_image(
    state: &State,
    request: proto::DcmPixSetImageRequest,
) -> Reply<proto::Response> {
    let pix = pix(state, &handle(request.pix))?;
    change(&pix.cell, |buffer| {
        buffer.set_image(&request.image_data_float, &request.image_data_argb)
    })
}

pub(super) fn convert_to_rgb(
    state: &State,
    request: proto::DcmPixConvertToRgbRequest,
) -> Reply<proto::Response> {
    let pix = pix(state, &handle(request.pix))?;
    // Both refusals come before any decoding.
    if pix.cell.is_rgb() {
        return Err(Failure::new(PixOpError::AlreadyRgb.to_string()));
    }
    if !(0..=3).contains(&request.rgb_channel) {
        return Err(Failure::new(PixOpError::UnknownRgbChannel.to_string()));
    }
    change(&pix.cell, |buffer| {
        buffer.convert_to_rgb(request.rgb_channel).map(|_| ())
    })
}

pub(super) fn convert_to_bw(
    state: &State,
    request: proto::DcmPixConvertToBwRequest,
) -> Reply<proto::Response> {
    let pix = pix(state, &handle(request.pix))?;
    if !pix.cell.is_rgb() {
        return Err(Failure::new(PixOpError::AlreadyBw.to_string()));
    }
    if !(0..=3).contains(&request.bw_channel) {
        return Err(Failure::new(PixOpError::UnknownBwChannel.to_string()));
    }
    change(&pix.cell, |buffer| {
        buffer.convert_to_bw(request.bw_channel).map(|_| ())
    })
}

pub(super) fn dicom_image(
    state: &State,
    handle: PixHandle,
) -> Reply<proto::DcmPixDicomImageResponse> {
    let mut world = state.world();
    let (_, pix) = world.pix(&handle)?;
    let image = pix.image;
    Ok(proto::DcmPixDicomImageResponse {
        status: success(),
        dicom_image: Some(world.handle(ObjectRef::Image(image))),
    })
}

/// The database image record of a DCMPix: its series and study.
fn image_parents(state: &State, handle: &PixHandle) -> Reply<(usize, usize)> {
    let world = state.world();
    let (_, pix) = world.pix(handle)?;
    let image = world
        .catalog
        .images()
        .get(pix.image)
        .ok_or_else(|| Failure::new("The DCMPix has no database image"))?;
    Ok((image.series, image.study))
}

pub(super) fn dicom_series(
    state: &State,
    handle: PixHandle,
) -> Reply<proto::DcmPixDicomSeriesResponse> {
    let (series, _) = image_parents(state, &handle)?;
    Ok(proto::DcmPixDicomSeriesResponse {
        status: success(),
        dicom_series: Some(state.world().handle(ObjectRef::Series(series))),
    })
}

pub(super) fn dicom_study(
    state: &State,
    handle: PixHandle,
) -> Reply<proto::DcmPixDicomStudyResponse> {
    let (_, study) = image_parents(state, &handle)?;
    Ok(proto::DcmPixDicomStudyResponse {
        status: success(),
        dicom_study: Some(state.world().handle(ObjectRef::Study(study))),
    })
}

/// OsiriX's message for ROI values of a colour DCMPix.
const RGB_VALUES: &str = "No values provided for RGB pix";

/// What ComputeROI and ROIValues work on: the DCMPix's greyscale values and the pixels the ROI covers.
/// Checked in OsiriX's order: the DCMPix, then its colour, then the ROI.
fn roi_pixels(
    state: &State,
    pix: Option<PixHandle>,
    roi: Option<proto::Roi>,
) -> Reply<(Vec<Pixel>, Vec<f32>)> {
    let (pix, shape) = pix_and_shape(state, pix, roi)?;
    if pix.cell.is_rgb() {
        return Err(Failure::new(RGB_VALUES));
    }
    let shape = shape?;
    let pixels = read(&pix.cell)?;
    let Samples::Grey(image) = pixels.samples() else {
        return Err(Failure::new(RGB_VALUES));
    };
    let covered = shape.pixels(pix.size());
    let values = sample(image, pix.size(), &covered);
    Ok((covered, values))
}

/// A DCMPix (or its failure) and an ROI's shape (or its failure), resolved under one lock.
fn pix_and_shape(
    state: &State,
    pix: Option<PixHandle>,
    roi: Option<proto::Roi>,
) -> Reply<(Pix, Reply<Shape>)> {
    let world = state.world();
    let (_, pix) = world.pix(&handle(pix))?;
    let shape = world
        .roi(&roi.unwrap_or_default())
        .map(|(_, r)| r.shape.clone());
    Ok((pix.clone(), shape))
}

pub(super) fn compute_roi(
    state: &State,
    request: proto::DcmPixComputeRoiRequest,
) -> Reply<proto::DcmPixComputeRoiResponse> {
    let (_, values) = roi_pixels(state, request.pix, request.roi)?;
    let stats = Statistics::of(&values);
    Ok(proto::DcmPixComputeRoiResponse {
        status: success(),
        mean: stats.mean,
        total: stats.total,
        std_dev: stats.std_dev,
        min: stats.min,
        max: stats.max,
        skewness: stats.skewness,
        kurtosis: stats.kurtosis,
    })
}

pub(super) fn roi_values(
    state: &State,
    request: proto::DcmPixRoiValuesRequest,
) -> Reply<proto::DcmPixRoiValuesResponse> {
    let (covered, values) = roi_pixels(state, request.pix, request.roi)?;
    Ok(proto::DcmPixRoiValuesResponse {
        status: success(),
        values,
        row_indices: covered.iter().map(|p| p.y).collect(),
        column_indices: covered.iter().map(|p| p.x).collect(),
    })
}

pub(super) fn get_map_from_roi(
    state: &State,
    request: proto::DcmPixGetMapFromRoiRequest,
) -> Reply<proto::DcmPixGetMapFromRoiResponse> {
    let (pix, shape) = pix_and_shape(state, request.pix, request.roi)?;
    let map = shape?
        .map(pix.size())
        .ok_or_else(|| Failure::new("Invalid ROI"))?;
    Ok(proto::DcmPixGetMapFromRoiResponse {
        status: success(),
        rows: dimension(pix.geometry.rows),
        columns: dimension(pix.geometry.columns),
        map,
    })
}
