//! `ViewerController`: a 2D viewer window of OsiriX, its frames, slices and ROIs.
//!
//! A viewer holds `frame_count()` frames (time points; 1 for a 2D viewer), each a list of DCMPix in data order
//! with one ROI list per DCMPix. `idx` is a slice of that data order; `displayed_idx` the slice number the
//! user sees, which differs when the viewer shows its data flipped.

// `ViewerControllerNewROI` has twelve request fields besides the viewer, one argument each in the private
// accessor that `ViewerController::new_roi` calls.
#![allow(clippy::too_many_arguments)]

use crate::classes::roi_spec::{NewRoiWire, RoiSpec};
use crate::value::{FromWire, IntoWire, Malformed};
use crate::{Client, DcmPix, Error, Result, Roi, VrController};

crate::osirix_class! {
    /// A 2D viewer window (`ViewerController`); from [`BrowserController::open_viewer`](crate::BrowserController::open_viewer),
    /// [`Client::displayed_2d_viewers`](crate::Client::displayed_2d_viewers) or
    /// [`Client::frontmost_viewer`](crate::Client::frontmost_viewer).
    ///
    /// A viewer changes while it is open (its current slice and frame, its window, its ROIs), so only its frame
    /// count, which no RPC changes, is cached.
    pub class ViewerController {
        /// Closes the window. OsiriX then drops the viewer with every DCMPix and ROI of it: their handles go
        /// stale.
        #[rpc(ViewerControllerCloseViewer)]
        pub fn close();

        /// The DCMPix of frame `movie_idx`, in data order. OsiriX clamps `movie_idx` to the last frame.
        #[rpc(ViewerControllerPixList, idempotent, request = ViewerControllerPixListRequest { viewer_controller: self, movie_idx })]
        pub fn pix_list(movie_idx: u32) -> Vec<DcmPix> = pix;

        /// Redraws the viewer. No other call redraws: call this after changing pixels or ROIs to see them.
        #[rpc(ViewerControllerNeedsDisplayUpdate, idempotent)]
        pub fn needs_display_update();

        /// The ROIs of frame `movie_idx`: one list per DCMPix, in data order (empty lists included), each oldest
        /// first. OsiriX clamps `movie_idx` to the last frame.
        #[rpc(ViewerControllerROIList, idempotent, request = ViewerControllerROIListRequest { viewer_controller: self, movie_idx })]
        pub fn roi_list(movie_idx: u32) -> Vec<Vec<Roi>> = roi_slices;

        #[rpc(ViewerControllerNewROI, request = ViewerControllerNewROIRequest {
            viewer_controller: self, itype, name, idx, movie_idx, buffer_position_x, buffer_position_y, color,
            thickness, opacity, buffer, points, rectangle,
        })]
        fn new_roi_wire(
            itype: i32,
            name: String,
            idx: u32,
            movie_idx: u32,
            buffer_position_x: i32,
            buffer_position_y: i32,
            color: NewRoiWire<crate::proto::viewer_controller_new_roi_request::Color>,
            thickness: f32,
            opacity: f32,
            buffer: NewRoiWire<crate::proto::viewer_controller_new_roi_request::Buffer>,
            points: Vec<crate::proto::viewer_controller_new_roi_request::Point2D>,
            rectangle: NewRoiWire<crate::proto::viewer_controller_new_roi_request::Rect>,
        ) -> Roi = roi;

        /// The DCMPix shown now: the current slice of the current frame.
        #[rpc(ViewerControllerCurDCM)]
        pub fn cur_dcm() -> DcmPix = pix;

        #[rpc(ViewerControllerROIsWithName, idempotent, request = ViewerControllerROIsWithNameRequest { viewer_controller: self, name, movie_idx, in_4d })]
        fn rois_with_name_wire(name: String, movie_idx: u32, in_4d: bool) -> Vec<Roi> = rois;

        /// The selected ROIs of the current slice of the current frame (often none).
        #[rpc(ViewerControllerSelectedROIs)]
        pub fn selected_rois() -> Vec<Roi> = rois;

        /// OsiriX's volumic check: more than 4 slices of one matrix size and consistent geometry in the current
        /// frame, or with `in_4d` in every frame.
        #[rpc(ViewerControllerIsDataVolumic, idempotent, request = ViewerControllerIsDataVolumicRequest { viewer_controller: self, in_4d })]
        pub fn is_data_volumic(in_4d: bool) -> bool = is_volumic;

        /// Opens a copy of the viewer in a new window: new DCMPix with the same pixels, and no ROIs.
        #[rpc(ViewerControllerCopyViewerWindow)]
        pub fn copy_viewer_window() -> ViewerController = viewer_controller;

        /// Opens a new viewer holding this viewer's data resampled onto the geometry of `fixed`, and closes
        /// this one (its handles go stale). Both must be of the same study (OsiriX would otherwise stop at a
        /// modal alert).
        #[rpc(ViewerControllerResampleViewerController, request = ViewerControllerResampleViewerControllerRequest { viewer_controller: self, fixed_viewer_controller: fixed })]
        pub fn resample_viewer_controller(fixed: &ViewerController) -> ViewerController = resampled_viewer;

        /// The viewer fused onto this one ([`ViewerController::fuse_with_viewer`]).
        #[rpc(ViewerControllerBlendingController, absent = "No blending controller active")]
        pub fn blending_controller() -> Option<ViewerController> = blending_viewer;

        /// The 3D windows (VR and MIP) built on this viewer.
        #[rpc(ViewerControllerVRControllers)]
        pub fn vr_controllers() -> Vec<VrController> = vr_controllers;

        /// The window title, in OsiriX's format (it contains the series name; match on substrings).
        #[rpc(ViewerControllerTitle)]
        pub fn title() -> String = title;

        /// The modality of the current image's series, e.g. `"MR"`.
        #[rpc(ViewerControllerModality)]
        pub fn modality() -> String = modality;

        /// The current frame (0-based).
        #[rpc(ViewerControllerMovieIdx)]
        pub fn movie_idx() -> u32 = movie_idx;

        #[rpc(ViewerControllerSetMovieIdx, request = ViewerControllerSetMovieIdxRequest { viewer_controller: self, movie_idx })]
        fn set_movie_idx_wire(movie_idx: u32);

        /// The number of frames (OsiriX's `maxMovieIndex`, which despite its name is a count: 1 for a 2D
        /// viewer).
        #[rpc(ViewerControllerMaxMovieIdx, cache)]
        pub fn frame_count() -> u32 = max_movie_idx;

        /// The current slice, in data order.
        #[rpc(ViewerControllerIdx)]
        pub fn idx() -> u32 = idx;

        /// Shows slice `idx` (data order) of the current frame.
        ///
        /// [`Error::Osirix`] `"Index <n> is out of range"` when the frame has no slice `idx`.
        #[rpc(ViewerControllerSetIdx, request = ViewerControllerSetIdxRequest { viewer_controller: self, idx })]
        pub fn set_idx(idx: u32);

        /// The current slice as the user sees it: `N − 1 − idx` when the data is flipped, else `idx`.
        #[rpc(ViewerControllerDisplayedIdx)]
        pub fn displayed_idx() -> u32 = displayed_idx;

        /// Shows the slice the user sees as number `displayed_idx`.
        ///
        /// [`Error::Osirix`] `"Index <n> is out of range"` when the frame has no such slice.
        #[rpc(ViewerControllerSetDisplayedIdx, request = ViewerControllerSetDisplayedIdxRequest { viewer_controller: self, displayed_idx })]
        pub fn set_displayed_idx(displayed_idx: u32);

        /// Whether the viewer shows its data in reverse (OsiriX reverses a frame whose slices run against
        /// the normal, then flips the display back).
        #[rpc(ViewerControllerFlippedData)]
        pub fn flipped_data() -> bool = flipped_data;

        /// The window level and width, in pixel value units.
        #[rpc(ViewerControllerWLWW)]
        pub fn wlww() -> WindowLevel = (wl, ww);

        #[rpc(ViewerControllerSetWLWW, request = ViewerControllerSetWLWWRequest { viewer_controller: self, wl, ww })]
        fn set_wlww_wire(wl: f32, ww: f32);

        /// Opens a 3D window of the viewer's data in `mode`, with the ROI volumes of the ROIs drawn so far; a
        /// window the viewer already has is brought to the front and switched to `mode` instead.
        ///
        /// [`Error::Osirix`] `"Could not find opened VR window"` when OsiriX opened none (the data is not
        /// volumic, or has no slice interval or pixel spacing).
        #[rpc(ViewerControllerOpenVRViewerForMode, request = ViewerControllerOpenVRViewerForModeRequest { viewer_controller: self, mode })]
        pub fn open_vr_viewer_for_mode(mode: RenderingMode) -> VrController = vr_controller;

        /// Fuses `fusion` onto this viewer (drawn on top). Fusing with itself or its current partner does
        /// nothing; a new partner replaces the old one.
        #[rpc(ViewerControllerFuseWithViewer, request = ViewerControllerFuseWithViewerRequest { viewer_controller: self, fusion_viewer_controller: fusion })]
        pub fn fuse_with_viewer(fusion: &ViewerController);
    }
}

/// A window: the pixel value at the centre of the grey ramp, and the ramp's width.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WindowLevel {
    /// The window level (centre), in pixel value units (HU for CT).
    pub level: f32,
    /// The window width. OsiriX does not check it (a width ≤ 0 is passed on as it is).
    pub width: f32,
}

impl WindowLevel {
    /// The window of `level` and `width`.
    pub const fn new(level: f32, width: f32) -> Self {
        WindowLevel { level, width }
    }
}

impl FromWire<(f32, f32)> for WindowLevel {
    fn from_wire((level, width): (f32, f32), _: &Client) -> std::result::Result<Self, Malformed> {
        Ok(WindowLevel { level, width })
    }
}

/// How a 3D window renders: volume rendering or maximum intensity projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RenderingMode {
    /// Volume rendering (`"VR"`).
    Vr,
    /// Maximum intensity projection (`"MIP"`).
    Mip,
}

impl RenderingMode {
    /// OsiriX's name of the mode.
    pub fn as_str(self) -> &'static str {
        match self {
            RenderingMode::Vr => "VR",
            RenderingMode::Mip => "MIP",
        }
    }
}

impl IntoWire<String> for RenderingMode {
    fn into_wire(self, _: &Client) -> Result<String> {
        Ok(self.as_str().to_owned())
    }
}

impl ViewerController {
    /// Switches to frame `movie_idx`, keeping the slice.
    ///
    /// OsiriX accepts `movie_idx == frame_count()` and wraps it to frame 0; the SDK refuses it, so that a
    /// frame index means one frame.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the viewer has no frame `movie_idx` (nothing is set);
    /// [`Error::StaleHandle`] when the viewer is closed; the errors of every call.
    pub async fn set_movie_idx(&self, movie_idx: u32) -> Result<()> {
        self.check_frame(movie_idx).await?;
        self.set_movie_idx_wire(movie_idx).await
    }

    /// Sets the window level and width. OsiriX does not check them.
    ///
    /// # Errors
    /// [`Error::StaleHandle`] when the viewer is closed; the errors of every call.
    pub async fn set_wlww(&self, window: WindowLevel) -> Result<()> {
        self.set_wlww_wire(window.level, window.width).await
    }

    /// The ROIs named exactly `name` (case-sensitive) in frame `movie_idx`, slice by slice, oldest first.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the viewer has no frame `movie_idx` (OsiriX does not check it);
    /// [`Error::StaleHandle`] when the viewer is closed; the errors of every call.
    pub async fn rois_with_name(&self, name: &str, movie_idx: u32) -> Result<Vec<Roi>> {
        self.check_frame(movie_idx).await?;
        self.rois_with_name_wire(name.to_owned(), movie_idx, false)
            .await
    }

    /// The ROIs named exactly `name` (case-sensitive) in every frame, frame by frame, then slice by slice.
    ///
    /// # Errors
    /// [`Error::StaleHandle`] when the viewer is closed; the errors of every call.
    pub async fn rois_with_name_in_4d(&self, name: &str) -> Result<Vec<Roi>> {
        self.rois_with_name_wire(name.to_owned(), 0, true).await
    }

    /// Draws a new ROI on slice `idx` (data order) of frame `movie_idx` and returns it. The ROI takes the
    /// pixel spacing of the slice on screen; nothing is redrawn
    /// ([`ViewerController::needs_display_update`]).
    ///
    /// OsiriX checks neither index: the SDK first lists the frame's DCMPix to refuse a slice that does not
    /// exist.
    ///
    /// ```no_run
    /// # async fn demo(viewer: osirix_sdk::ViewerController) -> osirix_sdk::Result<()> {
    /// use osirix_sdk::{Point, RoiColor, RoiSpec};
    /// let spec = RoiSpec::rectangle(Point::new(10.0, 20.0), 30.0, 15.0)?
    ///     .name("tumour")
    ///     .color(RoiColor::new(255, 0, 0));
    /// let roi = viewer.new_roi(&spec, 0, 0).await?;
    /// println!("{} cm²", roi.area().await?);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the viewer has no frame `movie_idx` or that frame no slice `idx`;
    /// [`Error::Osirix`] `"Could not create ROI"` when OsiriX judges the ROI invalid all the same;
    /// [`Error::StaleHandle`] when the viewer is closed; the errors of every call.
    pub async fn new_roi(&self, spec: &RoiSpec, idx: u32, movie_idx: u32) -> Result<Roi> {
        self.check_frame(movie_idx).await?;
        let slices = self.pix_list(movie_idx).await?.len();
        if idx as usize >= slices {
            return Err(Error::invalid(format!(
                "slice {idx} is outside frame {movie_idx}, which has {slices} slices"
            )));
        }
        let w = spec.wire();
        self.new_roi_wire(
            w.itype,
            w.name,
            idx,
            movie_idx,
            w.buffer_position_x,
            w.buffer_position_y,
            w.color,
            w.thickness,
            w.opacity,
            w.buffer,
            w.points,
            w.rectangle,
        )
        .await
    }

    /// Refuses a frame index the viewer does not have.
    async fn check_frame(&self, movie_idx: u32) -> Result<()> {
        let frames = self.frame_count().await?;
        if movie_idx >= frames {
            return Err(Error::invalid(format!(
                "frame {movie_idx} is outside the viewer, which has {frames} frame(s)"
            )));
        }
        Ok(())
    }
}
