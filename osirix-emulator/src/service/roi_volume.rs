//! The 11 `ROIVolume*` RPCs (see docs/osirix-behaviour.md, *VR windows and ROI volumes*). "No ROIVolume
//! cached" is their only failure; the setters store what they are given, unclamped, and there is no
//! setter of visibility (only `VRControllerDisplayROIVolume` and `VRControllerHideROIVolume`).

use super::reply::{Reply, done, success};
use crate::proto;
use crate::scene::RoiVolume;
use crate::state::State;

type VolumeHandle = proto::RoiVolume;

/// The handle in a setter's `roi` field (an unset field is an empty, unknown uid).
fn handle(field: Option<VolumeHandle>) -> VolumeHandle {
    field.unwrap_or_default()
}

/// A copy of the ROI volume a handle names.
fn volume(state: &State, handle: &VolumeHandle) -> Reply<RoiVolume> {
    state.world().roi_volume(handle).map(|(_, v)| v.clone())
}

/// Changes the ROI volume a handle names.
fn change(
    state: &State,
    field: Option<VolumeHandle>,
    f: impl FnOnce(&mut RoiVolume),
) -> Reply<proto::Response> {
    let mut world = state.world();
    let (id, _) = world.roi_volume(&handle(field))?;
    if let Some(volume) = world.scene.roi_volume_mut(id) {
        f(volume);
    }
    done()
}

pub(super) fn texture(
    state: &State,
    handle: VolumeHandle,
) -> Reply<proto::RoiVolumeTextureResponse> {
    Ok(proto::RoiVolumeTextureResponse {
        status: success(),
        texture: volume(state, &handle)?.texture,
    })
}

pub(super) fn set_texture(
    state: &State,
    request: proto::RoiVolumeSetTextureRequest,
) -> Reply<proto::Response> {
    change(state, request.roi, |v| v.texture = request.texture)
}

pub(super) fn volume_cm3(
    state: &State,
    handle: VolumeHandle,
) -> Reply<proto::RoiVolumeVolumeResponse> {
    Ok(proto::RoiVolumeVolumeResponse {
        status: success(),
        volume: volume(state, &handle)?.volume,
    })
}

pub(super) fn color(state: &State, handle: VolumeHandle) -> Reply<proto::RoiVolumeColorResponse> {
    let [r, g, b] = volume(state, &handle)?.colour;
    Ok(proto::RoiVolumeColorResponse {
        status: success(),
        r,
        g,
        b,
    })
}

pub(super) fn set_color(
    state: &State,
    request: proto::RoiVolumeSetColorRequest,
) -> Reply<proto::Response> {
    change(state, request.roi, |v| {
        v.colour = [request.r, request.g, request.b];
    })
}

pub(super) fn opacity(
    state: &State,
    handle: VolumeHandle,
) -> Reply<proto::RoiVolumeOpacityResponse> {
    Ok(proto::RoiVolumeOpacityResponse {
        status: success(),
        opacity: volume(state, &handle)?.opacity,
    })
}

pub(super) fn set_opacity(
    state: &State,
    request: proto::RoiVolumeSetOpacityRequest,
) -> Reply<proto::Response> {
    change(state, request.roi, |v| v.opacity = request.opacity)
}

pub(super) fn factor(state: &State, handle: VolumeHandle) -> Reply<proto::RoiVolumeFactorResponse> {
    Ok(proto::RoiVolumeFactorResponse {
        status: success(),
        factor: volume(state, &handle)?.factor,
    })
}

pub(super) fn set_factor(
    state: &State,
    request: proto::RoiVolumeSetFactorRequest,
) -> Reply<proto::Response> {
    change(state, request.roi, |v| v.factor = request.factor)
}

pub(super) fn name(state: &State, handle: VolumeHandle) -> Reply<proto::RoiVolumeNameResponse> {
    Ok(proto::RoiVolumeNameResponse {
        status: success(),
        name: volume(state, &handle)?.name,
    })
}

pub(super) fn visible(
    state: &State,
    handle: VolumeHandle,
) -> Reply<proto::RoiVolumeVisibleResponse> {
    Ok(proto::RoiVolumeVisibleResponse {
        status: success(),
        visible: volume(state, &handle)?.visible,
    })
}
