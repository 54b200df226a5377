//! The top-level `Osirix*` RPCs (spec §2.1). The emulator has a browser but no viewers.

use super::{State, failure, success};
use crate::proto;
use crate::uid::ObjectRef;

pub(super) fn current_browser(
    state: &State,
    _: proto::Empty,
) -> proto::OsirixCurrentBrowserResponse {
    let osirixrpc_uid = state.registry.hand_out(ObjectRef::Browser);
    proto::OsirixCurrentBrowserResponse {
        status: success(),
        browser_controller: Some(proto::BrowserController { osirixrpc_uid }),
    }
}

pub(super) fn frontmost_viewer(_: &State, _: proto::Empty) -> proto::OsirixFrontmostViewerResponse {
    proto::OsirixFrontmostViewerResponse {
        status: failure("No ViewerController active"),
        viewer_controller: None,
    }
}

pub(super) fn displayed_2d_viewers(
    _: &State,
    _: proto::Empty,
) -> proto::OsirixDisplayed2DViewersResponse {
    proto::OsirixDisplayed2DViewersResponse {
        status: success(),
        viewer_controllers: Vec::new(),
    }
}

pub(super) fn frontmost_vr_controller(
    _: &State,
    _: proto::Empty,
) -> proto::OsirixFrontmostVrControllerResponse {
    proto::OsirixFrontmostVrControllerResponse {
        status: failure("No VRController active"),
        vr_controller: None,
    }
}

pub(super) fn displayed_vr_controllers(
    _: &State,
    _: proto::Empty,
) -> proto::OsirixDisplayedVrControllersResponse {
    proto::OsirixDisplayedVrControllersResponse {
        status: success(),
        vr_controllers: Vec::new(),
    }
}

pub(super) fn version(state: &State, _: proto::Empty) -> proto::OsirixVersionResponse {
    proto::OsirixVersionResponse {
        status: success(),
        version: state.version.clone(),
        bundle_name: state.bundle_name.clone(),
    }
}

pub(super) fn cache_uids(state: &State, _: proto::Empty) -> proto::OsirixCacheUidsResponse {
    proto::OsirixCacheUidsResponse {
        status: success(),
        uids: state.registry.all(),
    }
}

pub(super) fn cache_object_for_uid(
    state: &State,
    request: proto::OsirixCacheObjectForUidRequest,
) -> proto::OsirixCacheObjectForUidResponse {
    let object_type = state
        .registry
        .lookup(&request.uid)
        .map_or("no object", |obj| obj.class().name());
    proto::OsirixCacheObjectForUidResponse {
        status: success(),
        object_type: object_type.to_owned(),
    }
}
