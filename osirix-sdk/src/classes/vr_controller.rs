//! `VRController`: a 3D window (volume rendering or MIP) built on a 2D viewer, and the ROI volumes it shows.
//!
//! A 3D window is opened with [`ViewerController::open_vr_viewer_for_mode`], which reuses the viewer's window
//! if it has one. It closes with its 2D viewer, and its handle (and its volumes') then go stale.

use crate::value::{FromWire, Malformed, handles};
use crate::{Client, Error, RenderingMode, Result, RoiVolume, ViewerController, WindowLevel};

crate::osirix_class! {
    /// A 3D window (`VRController`); from [`ViewerController::open_vr_viewer_for_mode`],
    /// [`ViewerController::vr_controllers`], [`Client::frontmost_vr_controller`](crate::Client::frontmost_vr_controller)
    /// or [`Client::displayed_vr_controllers`](crate::Client::displayed_vr_controllers).
    ///
    /// Nothing of it is cached: its mode and window change through its setters, and its blending viewer
    /// goes when that viewer closes.
    #[osirix(wire = "VRController")]
    pub class VrController {
        /// The 2D viewer the window was built from.
        #[rpc(VRControllerViewer2D)]
        pub fn viewer_2d() -> ViewerController = viewer_controller;

        #[rpc(VRControllerBlendingController)]
        fn blending_controller_wire() -> Blending = viewer_controller;

        /// The window style: `"standard"` for a window of its own, `"panel"` for one embedded in another.
        #[rpc(VRControllerStyle)]
        pub fn style() -> String = style;

        /// The window title, in OsiriX's format: it contains `"3D Reconstruction:"` and the series name (and
        /// `"4D"` for a viewer of several frames); match on substrings.
        #[rpc(VRControllerTitle)]
        pub fn title() -> String = title;

        /// The ROI volumes of the window's current frame: one per ROI name of the 2D viewer when the window
        /// opened, made of that name's masks, closed polygons and pencils (possibly none). ROIs drawn after
        /// the window opened are not in them.
        #[rpc(VRControllerROIVolumes)]
        pub fn roi_volumes() -> Vec<RoiVolume> = roi_volumes;

        /// How the window renders now.
        #[rpc(VRControllerRenderingMode)]
        pub fn rendering_mode() -> RenderingMode = rendering_mode;

        /// Switches how the window renders (nothing is redrawn until
        /// [`VrController::needs_display_update`]).
        #[rpc(VRControllerSetRenderingMode, request = VRControllerSetRenderingModeRequest { vr_controller: self, rendering_mode: mode })]
        pub fn set_rendering_mode(mode: RenderingMode);

        /// The window level and width of the 3D view, in pixel value units (its own, apart from the 2D
        /// viewer's).
        #[rpc(VRControllerWLWW)]
        pub fn wlww() -> WindowLevel = (wl, ww);

        #[rpc(VRControllerSetWLWW, request = VRControllerSetWLWWRequest { vr_controller: self, wl, ww })]
        fn set_wlww_wire(wl: f32, ww: f32);

        #[rpc(VRControllerHideROIVolume, request = VRControllerHideROIVolumeRequest { vr_controller: self, roi_volume: volume })]
        fn hide_roi_volume_wire(volume: &RoiVolume);

        #[rpc(VRControllerDisplayROIVolume, request = VRControllerDisplayROIVolumeRequest { vr_controller: self, roi_volume: volume })]
        fn display_roi_volume_wire(volume: &RoiVolume);

        /// Redraws the 3D view. No other call redraws: call this after changing the mode, the window or the
        /// volumes.
        #[rpc(VRControllerNeedsDisplayUpdate, idempotent)]
        pub fn needs_display_update();
    }
}

impl VrController {
    /// The viewer fused onto the 2D viewer when the window opened
    /// ([`ViewerController::fuse_with_viewer`]), or `None` when there was none or it has closed since.
    /// OsiriX answers that absence with success and no viewer.
    ///
    /// # Errors
    /// [`Error::StaleHandle`] when the window is closed; the errors of every call.
    pub async fn blending_controller(&self) -> Result<Option<ViewerController>> {
        Ok(self.blending_controller_wire().await?.0)
    }

    /// Sets the window level and width of the 3D view. OsiriX does not check them.
    ///
    /// # Errors
    /// [`Error::StaleHandle`] when the window is closed; the errors of every call.
    pub async fn set_wlww(&self, window: WindowLevel) -> Result<()> {
        self.set_wlww_wire(window.level, window.width).await
    }

    /// Shows `volume`'s surface in the window (OsiriX builds it on first use) and marks it visible.
    /// OsiriX does not check that the volume is one of this window's.
    ///
    /// # Errors
    /// [`Error::StaleHandle`] of class `VRController` when the window is closed, of class `ROIVolume` (with
    /// the volume's uid) when the volume is gone; the errors of every call.
    pub async fn display_roi_volume(&self, volume: &RoiVolume) -> Result<()> {
        volume_stale(self.display_roi_volume_wire(volume).await, volume).await
    }

    /// Removes `volume`'s surface from the window and marks it hidden.
    ///
    /// # Errors
    /// As [`VrController::display_roi_volume`].
    pub async fn hide_roi_volume(&self, volume: &RoiVolume) -> Result<()> {
        volume_stale(self.hide_roi_volume_wire(volume).await, volume).await
    }
}

/// OsiriX's answer for a volume argument it no longer holds, as a stale handle of that volume (whose cached
/// answers are dropped, as for a stale handle of the call's own class).
async fn volume_stale<T>(result: Result<T>, volume: &RoiVolume) -> Result<T> {
    match result {
        Err(Error::Osirix { rpc, message }) if message == "No ROIVolume cached" => {
            // The volume is of this client: the call above refused any other.
            let _ = volume.client().invalidate(volume).await;
            Err(Error::StaleHandle {
                rpc,
                class: "ROIVolume",
                uid: volume.uid().into(),
            })
        }
        other => other,
    }
}

/// The payload of `VRControllerBlendingController`: OsiriX leaves the field unset when there is no blending
/// viewer.
struct Blending(Option<ViewerController>);

impl FromWire<Option<crate::proto::ViewerController>> for Blending {
    fn from_wire(
        wire: Option<crate::proto::ViewerController>,
        client: &Client,
    ) -> std::result::Result<Self, Malformed> {
        wire.map(|viewer| handles::from_wire(viewer, client))
            .transpose()
            .map(Blending)
    }

    const HOLDS_HANDLES: bool = true;
}

/// `VRControllerRenderingMode`'s name: exactly `"VR"` or `"MIP"`.
impl FromWire<String> for RenderingMode {
    fn from_wire(wire: String, _: &Client) -> std::result::Result<Self, Malformed> {
        match wire.as_str() {
            "VR" => Ok(RenderingMode::Vr),
            "MIP" => Ok(RenderingMode::Mip),
            other => Err(Malformed::new(format!(
                "unknown rendering mode {other:?} (OsiriX has \"VR\" and \"MIP\")"
            ))),
        }
    }
}
