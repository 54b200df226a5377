//! The 12 `VRController*` RPCs, and opening a 3D window (see docs/osirix-behaviour.md, *VR windows and ROI
//! volumes*). Every RPC first resolves its 3D window ("No VRController cached").

use super::reply::{Failure, Reply, done, success};
use super::viewer_frames::{is_volumic_frame, viewer_window};
use crate::proto;
use crate::registry::{Class, ObjectRef};
use crate::scene::{RenderingMode, STANDARD_STYLE, Viewer, VrWindow, Window, interval};
use crate::state::{State, World};

type VrHandle = proto::VrController;

/// The handle in a request's `vr_controller` field (an unset field is an empty, unknown uid).
fn handle(field: Option<VrHandle>) -> VrHandle {
    field.unwrap_or_default()
}

/// Why no 3D window was opened.
#[derive(Debug)]
pub(crate) enum NoVrWindow {
    /// The viewer is not cached (or is gone).
    Failure(Failure),
    /// OsiriX opens no 3D window on this viewer; the alert or dialog it shows instead.
    Refused(String),
}

/// Opens a 3D window on viewer `viewer` in `mode`, as OsiriX's "3D Volume Rendering" and "3D MIP" menu
/// items do: a 3D window already built on the viewer is brought to the front and switched to `mode`;
/// otherwise a new one opens (with the viewer's window level and width, decoding a slice for them if
/// needed) on volumic data only.
///
/// # Errors
///
/// [`NoVrWindow::Failure`] when the viewer is not live, [`NoVrWindow::Refused`] with OsiriX's reason when
/// it opens no window.
pub(crate) fn open_vr_window(
    state: &State,
    viewer: u64,
    mode: RenderingMode,
) -> Result<u64, NoVrWindow> {
    {
        let mut world = state.world();
        if let Some(id) = reuse(&mut world, viewer, mode) {
            return Ok(id);
        }
        let source = world
            .scene
            .viewer(viewer)
            .ok_or_else(|| NoVrWindow::Failure(Failure::not_cached(Class::ViewerController)))?;
        if let Some(reason) = why_no_3d(&world, source) {
            return Err(NoVrWindow::Refused(reason.to_owned()));
        }
    }
    let window =
        viewer_window(state, viewer).map_err(|f| NoVrWindow::Refused(f.message().to_owned()))?;
    let mut world = state.world();
    // Another call may have opened one meanwhile.
    if let Some(id) = reuse(&mut world, viewer, mode) {
        return Ok(id);
    }
    world
        .scene
        .open_vr(viewer, mode, window)
        .ok_or_else(|| NoVrWindow::Failure(Failure::not_cached(Class::ViewerController)))
}

/// The front 3D window of `viewer`, brought to the front and switched to `mode`, if it has one. Every
/// window the emulator opens has the standard style, which is what OsiriX looks for.
fn reuse(world: &mut World, viewer: u64, mode: RenderingMode) -> Option<u64> {
    let id = world.scene.vr_windows_of(viewer).into_iter().next()?;
    world.scene.vr_mut(id)?.mode = mode;
    world.scene.focus(Window::Vr(id));
    Some(id)
}

/// Why OsiriX would open no 3D window on `viewer`: data that is not volumic in every frame (its alert), or
/// no slice interval or pixel spacing (it asks for them in a dialog instead).
fn why_no_3d(world: &World, viewer: &Viewer) -> Option<&'static str> {
    if !(0..viewer.frame_count()).all(|f| is_volumic_frame(world, viewer, f)) {
        return Some("Volume Rendering requires volumic data.");
    }
    let first = viewer.frame(0);
    let geometry = |i: usize| {
        first
            .get(i)
            .and_then(|s| world.scene.pix(s.pix))
            .map(|p| p.geometry)
    };
    let (Some(a), Some(b)) = (geometry(0), geometry(1)) else {
        return Some("Volume Rendering requires volumic data.");
    };
    if a.spacing_x == 0.0 || a.spacing_y == 0.0 || interval(&a, &b) == 0.0 {
        return Some(
            "Volume Rendering needs a slice interval and a pixel spacing: OsiriX asks for them and \
             opens no window",
        );
    }
    None
}

/// A copy of the 3D window a handle names, with its id.
fn window(state: &State, handle: &VrHandle) -> Reply<(u64, VrWindow)> {
    state.world().vr(handle).map(|(id, w)| (id, w.clone()))
}

pub(super) fn viewer_2d(state: &State, vr: VrHandle) -> Reply<proto::VrControllerViewer2DResponse> {
    let mut world = state.world();
    let (_, window) = world.vr(&vr)?;
    let viewer = window.viewer;
    Ok(proto::VrControllerViewer2DResponse {
        status: success(),
        viewer_controller: Some(world.handle(ObjectRef::Viewer(viewer))),
    })
}

pub(super) fn blending_controller(
    state: &State,
    vr: VrHandle,
) -> Reply<proto::VrControllerBlendingControllerResponse> {
    let mut world = state.world();
    let (_, window) = world.vr(&vr)?;
    // A blending viewer closed since is no window a client could use: the field stays unset.
    let blending = window.blending.filter(|&b| world.scene.viewer(b).is_some());
    Ok(proto::VrControllerBlendingControllerResponse {
        status: success(),
        viewer_controller: blending.map(|b| world.handle(ObjectRef::Viewer(b))),
    })
}

pub(super) fn style(state: &State, vr: VrHandle) -> Reply<proto::VrControllerStyleResponse> {
    window(state, &vr)?;
    Ok(proto::VrControllerStyleResponse {
        status: success(),
        style: STANDARD_STYLE.to_owned(),
    })
}

pub(super) fn title(state: &State, vr: VrHandle) -> Reply<proto::VrControllerTitleResponse> {
    let (_, window) = window(state, &vr)?;
    Ok(proto::VrControllerTitleResponse {
        status: success(),
        title: window.title,
    })
}

pub(super) fn roi_volumes(
    state: &State,
    vr: VrHandle,
) -> Reply<proto::VrControllerRoiVolumesResponse> {
    let mut world = state.world();
    let (_, window) = world.vr(&vr)?;
    let volumes: Vec<ObjectRef> = window
        .current_volumes()
        .iter()
        .map(|&v| ObjectRef::RoiVolume(v))
        .collect();
    Ok(proto::VrControllerRoiVolumesResponse {
        status: success(),
        roi_volumes: world.handles(volumes),
    })
}

pub(super) fn rendering_mode(
    state: &State,
    vr: VrHandle,
) -> Reply<proto::VrControllerRenderingModeResponse> {
    let (_, window) = window(state, &vr)?;
    Ok(proto::VrControllerRenderingModeResponse {
        status: success(),
        rendering_mode: window.mode.as_str().to_owned(),
    })
}

pub(super) fn set_rendering_mode(
    state: &State,
    request: proto::VrControllerSetRenderingModeRequest,
) -> Reply<proto::Response> {
    let mut world = state.world();
    let (id, _) = world.vr(&handle(request.vr_controller))?;
    let mode = RenderingMode::parse(&request.rendering_mode)
        .ok_or_else(|| Failure::new("Invalid rendering mode"))?;
    if let Some(window) = world.scene.vr_mut(id) {
        window.mode = mode;
    }
    done()
}

pub(super) fn wlww(state: &State, vr: VrHandle) -> Reply<proto::VrControllerWlwwResponse> {
    let (_, window) = window(state, &vr)?;
    Ok(proto::VrControllerWlwwResponse {
        status: success(),
        wl: window.window.level,
        ww: window.window.width,
    })
}

pub(super) fn set_wlww(
    state: &State,
    request: proto::VrControllerSetWlwwRequest,
) -> Reply<proto::Response> {
    let mut world = state.world();
    let (id, _) = world.vr(&handle(request.vr_controller))?;
    if let Some(window) = world.scene.vr_mut(id) {
        window.window.level = request.wl;
        window.window.width = request.ww;
    }
    done()
}

/// Shows or hides an ROI volume. OsiriX checks the 3D window first and never whether the volume is one of
/// that window's.
fn set_visible(
    state: &State,
    vr: Option<VrHandle>,
    volume: Option<proto::RoiVolume>,
    visible: bool,
) -> Reply<proto::Response> {
    let mut world = state.world();
    world.vr(&handle(vr))?;
    let (id, _) = world.roi_volume(&volume.unwrap_or_default())?;
    if let Some(volume) = world.scene.roi_volume_mut(id) {
        volume.visible = visible;
    }
    done()
}

pub(super) fn display_roi_volume(
    state: &State,
    request: proto::VrControllerDisplayRoiVolumeRequest,
) -> Reply<proto::Response> {
    set_visible(state, request.vr_controller, request.roi_volume, true)
}

pub(super) fn hide_roi_volume(
    state: &State,
    request: proto::VrControllerHideRoiVolumeRequest,
) -> Reply<proto::Response> {
    set_visible(state, request.vr_controller, request.roi_volume, false)
}

pub(super) fn needs_display_update(state: &State, vr: VrHandle) -> Reply<proto::Response> {
    window(state, &vr)?;
    done()
}
