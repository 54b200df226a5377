//! The 19 `ROI*` RPCs (see docs/osirix-behaviour.md, *ROIs*). "No ROI cached" is their only failure;
//! every setter answers status 1, also where OsiriX ignores the change. The geometry is the
//! [`crate::roi`] library's.

use super::reply::{Failure, Reply, done, success};
use crate::proto;
use crate::proto::roi_points_response::Point2D;
use crate::registry::{Class, ObjectRef};
use crate::roi::{Flip, Point};
use crate::scene::Roi;
use crate::state::{State, World};

type RoiHandle = proto::Roi;

/// The handle in a request's `roi` field (an unset field is an empty, unknown uid).
fn handle(field: Option<RoiHandle>) -> RoiHandle {
    field.unwrap_or_default()
}

/// A copy of the ROI a handle names.
fn roi(state: &State, handle: &RoiHandle) -> Reply<Roi> {
    state.world().roi(handle).map(|(_, r)| r.clone())
}

/// Changes the ROI a handle names, with the world locked.
fn change(
    state: &State,
    handle: &RoiHandle,
    f: impl FnOnce(&mut Roi, &World),
) -> Reply<proto::Response> {
    let mut world = state.world();
    let (id, _) = world.roi(handle)?;
    let mut roi = world
        .scene
        .roi(id)
        .cloned()
        .ok_or_else(|| Failure::not_cached(Class::Roi))?;
    f(&mut roi, &world);
    if let Some(stored) = world.scene.roi_mut(id) {
        *stored = roi;
    }
    done()
}

pub(super) fn delete(state: &State, handle: RoiHandle) -> Reply<proto::Response> {
    let mut world = state.world();
    let (id, _) = world.roi(&handle)?;
    world.delete_roi(id);
    done()
}

pub(super) fn flip_horizontally(state: &State, handle: RoiHandle) -> Reply<proto::Response> {
    change(state, &handle, |roi, _| roi.shape.flip(Flip::Horizontal))
}

pub(super) fn flip_vertically(state: &State, handle: RoiHandle) -> Reply<proto::Response> {
    change(state, &handle, |roi, _| roi.shape.flip(Flip::Vertical))
}

pub(super) fn area(state: &State, handle: RoiHandle) -> Reply<proto::RoiAreaResponse> {
    Ok(proto::RoiAreaResponse {
        status: success(),
        area: roi(state, &handle)?.shape.area_cm2(),
    })
}

pub(super) fn centroid(state: &State, handle: RoiHandle) -> Reply<proto::RoiCentroidResponse> {
    let centre = roi(state, &handle)?.shape.centroid();
    Ok(proto::RoiCentroidResponse {
        status: success(),
        x: centre.x as f32,
        y: centre.y as f32,
    })
}

pub(super) fn rotate(state: &State, request: proto::RoiRotateRequest) -> Reply<proto::Response> {
    let centre = Point::from_f32(request.x, request.y);
    change(state, &handle(request.roi), |roi, world| {
        let ratio = world.scene.pix(roi.pix).map_or(1.0, |p| p.pixel_ratio());
        roi.shape.rotate(f64::from(request.degrees), centre, ratio);
    })
}

pub(super) fn move_by(state: &State, request: proto::RoiMoveRequest) -> Reply<proto::Response> {
    change(state, &handle(request.roi), |roi, _| {
        roi.shape
            .translate(f64::from(request.columns), f64::from(request.rows));
    })
}

pub(super) fn pix(state: &State, handle: RoiHandle) -> Reply<proto::RoiPixResponse> {
    let mut world = state.world();
    let (_, roi) = world.roi(&handle)?;
    let pix = roi.pix;
    Ok(proto::RoiPixResponse {
        status: success(),
        pix: Some(world.handle(ObjectRef::Pix(pix))),
    })
}

pub(super) fn name(state: &State, handle: RoiHandle) -> Reply<proto::RoiNameResponse> {
    Ok(proto::RoiNameResponse {
        status: success(),
        name: roi(state, &handle)?.name().to_owned(),
    })
}

pub(super) fn set_name(state: &State, request: proto::RoiSetNameRequest) -> Reply<proto::Response> {
    change(state, &handle(request.roi), |roi, _| {
        roi.set_name(&request.name)
    })
}

pub(super) fn itype(state: &State, handle: RoiHandle) -> Reply<proto::RoiiTypeResponse> {
    Ok(proto::RoiiTypeResponse {
        status: success(),
        itype: roi(state, &handle)?.shape.kind().code(),
    })
}

pub(super) fn color(state: &State, handle: RoiHandle) -> Reply<proto::RoiColorResponse> {
    let [r, g, b] = roi(state, &handle)?.colour();
    Ok(proto::RoiColorResponse {
        status: success(),
        r,
        g,
        b,
    })
}

pub(super) fn set_color(
    state: &State,
    request: proto::RoiSetColorRequest,
) -> Reply<proto::Response> {
    change(state, &handle(request.roi), |roi, _| {
        roi.set_colour([request.r, request.g, request.b]);
    })
}

pub(super) fn opacity(state: &State, handle: RoiHandle) -> Reply<proto::RoiOpacityResponse> {
    Ok(proto::RoiOpacityResponse {
        status: success(),
        opacity: roi(state, &handle)?.opacity,
    })
}

pub(super) fn set_opacity(
    state: &State,
    request: proto::RoiSetOpacityRequest,
) -> Reply<proto::Response> {
    change(state, &handle(request.roi), |roi, _| {
        roi.opacity = request.opacity.clamp(0.0, 1.0);
    })
}

pub(super) fn thickness(state: &State, handle: RoiHandle) -> Reply<proto::RoiThicknessResponse> {
    Ok(proto::RoiThicknessResponse {
        status: success(),
        thickness: roi(state, &handle)?.thickness,
    })
}

pub(super) fn set_thickness(
    state: &State,
    request: proto::RoiSetThicknessRequest,
) -> Reply<proto::Response> {
    change(state, &handle(request.roi), |roi, _| {
        roi.thickness = request.thickness;
    })
}

pub(super) fn points(state: &State, handle: RoiHandle) -> Reply<proto::RoiPointsResponse> {
    let points = roi(state, &handle)?
        .shape
        .points()
        .into_iter()
        .map(|p| Point2D {
            x: p.x as f32,
            y: p.y as f32,
        })
        .collect();
    Ok(proto::RoiPointsResponse {
        status: success(),
        points,
    })
}

pub(super) fn set_points(
    state: &State,
    request: proto::RoiSetPointsRequest,
) -> Reply<proto::Response> {
    let points = request
        .points
        .iter()
        .map(|p| Point::from_f32(p.x, p.y))
        .collect();
    change(state, &handle(request.roi), |roi, _| {
        roi.shape.set_points(points)
    })
}
