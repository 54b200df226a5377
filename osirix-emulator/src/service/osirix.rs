//! The top-level `Osirix*` RPCs: the browser, the windows on screen, the version and the cache.

use super::reply::{Failure, Reply, success};
use crate::proto;
use crate::registry::ObjectRef;
use crate::state::State;

pub(super) fn current_browser(
    state: &State,
    _: proto::Empty,
) -> Reply<proto::OsirixCurrentBrowserResponse> {
    Ok(proto::OsirixCurrentBrowserResponse {
        status: success(),
        browser_controller: Some(state.world().handle(ObjectRef::Browser)),
    })
}

pub(super) fn frontmost_viewer(
    state: &State,
    _: proto::Empty,
) -> Reply<proto::OsirixFrontmostViewerResponse> {
    let mut world = state.world();
    let front = world
        .scene
        .viewers_front_to_back()
        .first()
        .copied()
        .ok_or_else(|| Failure::new("No ViewerController active"))?;
    Ok(proto::OsirixFrontmostViewerResponse {
        status: success(),
        viewer_controller: Some(world.handle(ObjectRef::Viewer(front))),
    })
}

pub(super) fn displayed_2d_viewers(
    state: &State,
    _: proto::Empty,
) -> Reply<proto::OsirixDisplayed2DViewersResponse> {
    let mut world = state.world();
    let viewers = world.scene.viewers_front_to_back();
    Ok(proto::OsirixDisplayed2DViewersResponse {
        status: success(),
        viewer_controllers: world.handles(viewers.into_iter().map(ObjectRef::Viewer)),
    })
}

/// The front 3D window (VR or MIP). Every emulated window is visible, so none is skipped.
pub(super) fn frontmost_vr_controller(
    state: &State,
    _: proto::Empty,
) -> Reply<proto::OsirixFrontmostVrControllerResponse> {
    let mut world = state.world();
    let front = world
        .scene
        .vr_windows_front_to_back()
        .first()
        .copied()
        .ok_or_else(|| Failure::new("No VRController active"))?;
    Ok(proto::OsirixFrontmostVrControllerResponse {
        status: success(),
        vr_controller: Some(world.handle(ObjectRef::VrController(front))),
    })
}

pub(super) fn displayed_vr_controllers(
    state: &State,
    _: proto::Empty,
) -> Reply<proto::OsirixDisplayedVrControllersResponse> {
    let mut world = state.world();
    let windows = world.scene.vr_windows_front_to_back();
    Ok(proto::OsirixDisplayedVrControllersResponse {
        status: success(),
        vr_controllers: world.handles(windows.into_iter().map(ObjectRef::VrController)),
    })
}

pub(super) fn version(state: &State, _: proto::Empty) -> Reply<proto::OsirixVersionResponse> {
    Ok(proto::OsirixVersionResponse {
        status: success(),
        version: state.version.clone(),
        bundle_name: state.bundle_name.clone(),
    })
}

pub(super) fn cache_uids(state: &State, _: proto::Empty) -> Reply<proto::OsirixCacheUidsResponse> {
    Ok(proto::OsirixCacheUidsResponse {
        status: success(),
        uids: state.world().registry.uids(),
    })
}

pub(super) fn cache_object_for_uid(
    state: &State,
    request: proto::OsirixCacheObjectForUidRequest,
) -> Reply<proto::OsirixCacheObjectForUidResponse> {
    // A dead key (an object gone without an eviction) holds no object.
    let world = state.world();
    let object_type = world
        .registry
        .lookup(&request.uid)
        .filter(|&object| world.is_live(object))
        .map_or("no object", |object| object.class().name());
    Ok(proto::OsirixCacheObjectForUidResponse {
        status: success(),
        object_type: object_type.to_owned(),
    })
}
