//! The top-level `Osirix*` calls, on [`Client`].

use crate::value::{FromWire, Malformed};
use crate::{BrowserController, Client, ViewerController, VrController};

crate::osirix_class! {
    impl Client {
        /// OsiriX's current database browser.
        #[rpc(OsirixCurrentBrowser)]
        pub fn current_browser() -> BrowserController = browser_controller;

        /// OsiriX's version and bundle name. A cheap call to check the server answers (there is no need to
        /// call it before other calls, as pyosirix does).
        #[rpc(OsirixVersion)]
        pub fn version() -> Version;

        /// The front-most 2D viewer.
        #[rpc(OsirixFrontmostViewer, absent = "No ViewerController active")]
        pub fn frontmost_viewer() -> Option<ViewerController> = viewer_controller;

        /// Every displayed 2D viewer.
        #[rpc(OsirixDisplayed2DViewers)]
        pub fn displayed_2d_viewers() -> Vec<ViewerController> = viewer_controllers;

        /// The front-most 3D viewer.
        #[rpc(OsirixFrontmostVRController, absent = "No VRController active")]
        pub fn frontmost_vr_controller() -> Option<VrController> = vr_controller;

        /// Every displayed 3D viewer.
        #[rpc(OsirixDisplayedVRControllers)]
        pub fn displayed_vr_controllers() -> Vec<VrController> = vr_controllers;

        /// Every uid in the server's object cache (a debugging aid; it may list dead objects).
        #[rpc(OsirixCacheUids)]
        pub fn server_cache_uids() -> Vec<String> = uids;

        /// The class of the object the server caches under `uid`, or `"no object"`.
        #[rpc(OsirixCacheObjectForUid, idempotent, request = OsirixCacheObjectForUidRequest { uid })]
        pub fn server_cache_object_type(uid: String) -> String = object_type;
    }
}

/// OsiriX's version, from [`Client::version`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Version {
    /// The short version string, e.g. `"14.0.1"`.
    pub version: String,
    /// The application's name, e.g. `"OsiriX MD"`.
    pub bundle_name: String,
}

impl FromWire<crate::proto::OsirixVersionResponse> for Version {
    fn from_wire(wire: crate::proto::OsirixVersionResponse, _: &Client) -> Result<Self, Malformed> {
        Ok(Version {
            version: wire.version,
            bundle_name: wire.bundle_name,
        })
    }
}
