//! The `OsiriXService` implementation: OsiriX's answers computed from the database and the scene.
//!
//! Every served RPC answers gRPC OK with an in-band `Status` (see docs/osirix-behaviour.md, *Wire*). Each
//! class lives in its own module as plain synchronous functions from the state and a request to a
//! response or a [`Failure`]; the table at the end of this module wires them into the generated trait, and
//! turns a failure into the response with status 0, its message and proto3 defaults. Every one of the 141
//! RPCs is in the table.

/// A handler of a database object's RPC: resolves `handle` (else `"No <Class> cached"`), then evaluates
/// `$body` to the reply with `$world` (the locked world) and `$record` (the record in the current
/// snapshot, from the catalogue's `$records` list).
macro_rules! database_rpc {
    ($name:ident: $handle:ident -> $resp:ident, $records:ident, |$world:ident, $record:ident| $body:expr) => {
        pub(super) fn $name(
            state: &crate::state::State,
            handle: crate::proto::$handle,
        ) -> super::reply::Reply<crate::proto::$resp> {
            #[allow(unused_mut)]
            let mut $world = state.world();
            let index = $world.resolve_index(&handle)?;
            let catalog = std::sync::Arc::clone(&$world.catalog);
            let $record = catalog.$records().get(index).ok_or_else(|| {
                super::reply::Failure::not_cached(<crate::proto::$handle as super::Handle>::CLASS)
            })?;
            $body
        }
    };
}

mod browser;
mod dates;
mod dcm_pix;
mod dicom_image;
mod dicom_series;
mod dicom_study;
mod handle;
mod osirix;
mod reply;
mod roi;
mod roi_volume;
mod viewer_controller;
mod viewer_frames;
mod vr_controller;

use std::sync::Arc;

use tonic::{Request, Response, Status};

use crate::proto;
use crate::proto::osiri_x_service_server::OsiriXService;
use crate::state::State;
use reply::Failure;

pub(crate) use browser::open_viewer;
pub(crate) use handle::Handle;
pub(crate) use vr_controller::{NoVrWindow, open_vr_window};

/// The gRPC service: a cheap handle on the shared [`State`].
#[derive(Debug, Clone)]
pub(crate) struct OsirixService {
    pub(crate) state: Arc<State>,
}

/// Runs a handler and turns its failure into the response with status 0 and proto3 defaults.
macro_rules! answer {
    ($handler:path, $state:expr, $request:expr, $resp:ident) => {
        $handler($state, $request).unwrap_or_else(|failure: Failure| {
            #[allow(
                clippy::needless_update,
                reason = "responses with payload fields need it, the bare Response does not"
            )]
            let reply = proto::$resp {
                status: failure.status(),
                ..Default::default()
            };
            reply
        })
    };
}

/// Implements the generated trait, one line per served RPC: `rpc(Request) -> Response => handler;`, or
/// `=> [blocking] handler;` for a handler that reads files or works on pixels, which then runs on tokio's
/// blocking pool instead of holding up a runtime thread.
macro_rules! serve {
    ($($rpc:ident($req:ident) -> $resp:ident => $([$blocking:ident])? $handler:path;)*) => {
        #[tonic::async_trait]
        impl OsiriXService for OsirixService {
            $(
                async fn $rpc(&self, request: Request<proto::$req>) -> Result<Response<proto::$resp>, Status> {
                    serve!(@call self, request, $resp, $handler, $($blocking)?)
                }
            )*
        }
    };
    (@call $self:ident, $request:ident, $resp:ident, $handler:path,) => {
        Ok(Response::new(answer!($handler, &$self.state, $request.into_inner(), $resp)))
    };
    (@call $self:ident, $request:ident, $resp:ident, $handler:path, blocking) => {{
        let state = Arc::clone(&$self.state);
        let request = $request.into_inner();
        tokio::task::spawn_blocking(move || answer!($handler, &state, request, $resp))
            .await
            .map(Response::new)
            .map_err(|e| Status::internal(format!("the handler failed: {e}")))
    }};
}

serve! {
    osirix_current_browser(Empty) -> OsirixCurrentBrowserResponse => osirix::current_browser;
    osirix_frontmost_viewer(Empty) -> OsirixFrontmostViewerResponse => osirix::frontmost_viewer;
    osirix_displayed2_d_viewers(Empty) -> OsirixDisplayed2DViewersResponse => osirix::displayed_2d_viewers;
    osirix_frontmost_vr_controller(Empty) -> OsirixFrontmostVrControllerResponse => osirix::frontmost_vr_controller;
    osirix_displayed_vr_controllers(Empty) -> OsirixDisplayedVrControllersResponse => osirix::displayed_vr_controllers;
    osirix_version(Empty) -> OsirixVersionResponse => osirix::version;
    osirix_cache_uids(Empty) -> OsirixCacheUidsResponse => osirix::cache_uids;
    osirix_cache_object_for_uid(OsirixCacheObjectForUidRequest) -> OsirixCacheObjectForUidResponse => osirix::cache_object_for_uid;

    browser_controller_database_selection(BrowserController) -> BrowserControllerDatabaseSelectionResponse => browser::database_selection;
    browser_controller_database_studies(BrowserController) -> BrowserControllerDatabaseStudiesResponse => browser::database_studies;
    browser_controller_copy_files_if_needed(BrowserControllerCopyFilesIfNeededRequest) -> Response => browser::copy_files_if_needed;
    browser_controller_open_viewer_from_images(BrowserControllerOpenViewerFromImagesRequest) -> BrowserControllerOpenViewerFromImagesResponse => [blocking] browser::open_viewer_from_images;

    viewer_controller_close_viewer(ViewerController) -> Response => viewer_controller::close_viewer;
    viewer_controller_pix_list(ViewerControllerPixListRequest) -> ViewerControllerPixListResponse => viewer_controller::pix_list;
    viewer_controller_needs_display_update(ViewerController) -> Response => viewer_controller::needs_display_update;
    viewer_controller_roi_list(ViewerControllerRoiListRequest) -> ViewerControllerRoiListResponse => viewer_controller::roi_list;
    viewer_controller_new_roi(ViewerControllerNewRoiRequest) -> ViewerControllerNewRoiResponse => viewer_controller::new_roi;
    viewer_controller_cur_dcm(ViewerController) -> ViewerControllerCurDcmResponse => viewer_controller::cur_dcm;
    viewer_controller_ro_is_with_name(ViewerControllerRoIsWithNameRequest) -> ViewerControllerRoIsWithNameResponse => viewer_controller::rois_with_name;
    viewer_controller_selected_ro_is(ViewerController) -> ViewerControllerSelectedRoIsResponse => viewer_controller::selected_rois;
    viewer_controller_is_data_volumic(ViewerControllerIsDataVolumicRequest) -> ViewerControllerIsDataVolumicResponse => viewer_controller::is_data_volumic;
    viewer_controller_copy_viewer_window(ViewerController) -> ViewerControllerCopyViewerWindowResponse => viewer_controller::copy_viewer_window;
    viewer_controller_resample_viewer_controller(ViewerControllerResampleViewerControllerRequest) -> ViewerControllerResampleViewerControllerResponse => viewer_controller::resample_viewer_controller;
    viewer_controller_blending_controller(ViewerController) -> ViewerControllerBlendingControllerResponse => viewer_controller::blending_controller;
    viewer_controller_vr_controllers(ViewerController) -> ViewerControllerVrControllersResponse => viewer_controller::vr_controllers;
    viewer_controller_title(ViewerController) -> ViewerControllerTitleResponse => viewer_controller::title;
    viewer_controller_modality(ViewerController) -> ViewerControllerModalityResponse => viewer_controller::modality;
    viewer_controller_movie_idx(ViewerController) -> ViewerControllerMovieIdxResponse => viewer_controller::movie_idx;
    viewer_controller_set_movie_idx(ViewerControllerSetMovieIdxRequest) -> Response => viewer_controller::set_movie_idx;
    viewer_controller_max_movie_idx(ViewerController) -> ViewerControllerMaxMovieIdxResponse => viewer_controller::max_movie_idx;
    viewer_controller_idx(ViewerController) -> ViewerControllerIdxResponse => viewer_controller::idx;
    viewer_controller_set_idx(ViewerControllerSetIdxRequest) -> Response => viewer_controller::set_idx;
    viewer_controller_displayed_idx(ViewerController) -> ViewerControllerDisplayedIdxResponse => viewer_controller::displayed_idx;
    viewer_controller_set_displayed_idx(ViewerControllerSetDisplayedIdxRequest) -> Response => viewer_controller::set_displayed_idx;
    viewer_controller_flipped_data(ViewerController) -> ViewerControllerFlippedDataResponse => viewer_controller::flipped_data;
    viewer_controller_wlww(ViewerController) -> ViewerControllerWlwwResponse => [blocking] viewer_controller::wlww;
    viewer_controller_set_wlww(ViewerControllerSetWlwwRequest) -> Response => viewer_controller::set_wlww;
    viewer_controller_open_vr_viewer_for_mode(ViewerControllerOpenVrViewerForModeRequest) -> ViewerControllerOpenVrViewerForModeResponse => [blocking] viewer_controller::open_vr_viewer_for_mode;
    viewer_controller_fuse_with_viewer(ViewerControllerFuseWithViewerRequest) -> Response => viewer_controller::fuse_with_viewer;

    dcm_pix_convert_to_rgb(DcmPixConvertToRgbRequest) -> Response => [blocking] dcm_pix::convert_to_rgb;
    dcm_pix_convert_to_bw(DcmPixConvertToBwRequest) -> Response => [blocking] dcm_pix::convert_to_bw;
    dcm_pix_is_rgb(DcmPix) -> DcmPixIsRgbResponse => dcm_pix::is_rgb;
    dcm_pix_compute_roi(DcmPixComputeRoiRequest) -> DcmPixComputeRoiResponse => [blocking] dcm_pix::compute_roi;
    dcm_pix_roi_values(DcmPixRoiValuesRequest) -> DcmPixRoiValuesResponse => [blocking] dcm_pix::roi_values;
    dcm_pix_get_map_from_roi(DcmPixGetMapFromRoiRequest) -> DcmPixGetMapFromRoiResponse => [blocking] dcm_pix::get_map_from_roi;
    dcm_pix_shape(DcmPix) -> DcmPixShapeResponse => dcm_pix::shape;
    dcm_pix_spacing(DcmPix) -> DcmPixSpacingResponse => dcm_pix::spacing;
    dcm_pix_origin(DcmPix) -> DcmPixOriginResponse => dcm_pix::origin;
    dcm_pix_orientation(DcmPix) -> DcmPixOrientationResponse => dcm_pix::orientation;
    dcm_pix_slice_location(DcmPix) -> DcmPixSliceLocationResponse => dcm_pix::slice_location;
    dcm_pix_source_file(DcmPix) -> DcmPixSourceFileResponse => dcm_pix::source_file;
    dcm_pix_image(DcmPix) -> DcmPixImageResponse => [blocking] dcm_pix::image;
    dcm_pix_set_image(DcmPixSetImageRequest) -> Response => [blocking] dcm_pix::set_image;
    dcm_pix_dicom_image(DcmPix) -> DcmPixDicomImageResponse => dcm_pix::dicom_image;
    dcm_pix_dicom_series(DcmPix) -> DcmPixDicomSeriesResponse => dcm_pix::dicom_series;
    dcm_pix_dicom_study(DcmPix) -> DcmPixDicomStudyResponse => dcm_pix::dicom_study;

    roi_delete(Roi) -> Response => roi::delete;
    roi_flip_horizontally(Roi) -> Response => roi::flip_horizontally;
    roi_flip_vertically(Roi) -> Response => roi::flip_vertically;
    roi_area(Roi) -> RoiAreaResponse => roi::area;
    roi_centroid(Roi) -> RoiCentroidResponse => roi::centroid;
    roi_rotate(RoiRotateRequest) -> Response => roi::rotate;
    roi_move(RoiMoveRequest) -> Response => roi::move_by;
    roi_pix(Roi) -> RoiPixResponse => roi::pix;
    roi_name(Roi) -> RoiNameResponse => roi::name;
    roii_type(Roi) -> RoiiTypeResponse => roi::itype;
    roi_set_name(RoiSetNameRequest) -> Response => roi::set_name;
    roi_color(Roi) -> RoiColorResponse => roi::color;
    roi_set_color(RoiSetColorRequest) -> Response => roi::set_color;
    roi_opacity(Roi) -> RoiOpacityResponse => roi::opacity;
    roi_set_opacity(RoiSetOpacityRequest) -> Response => roi::set_opacity;
    roi_thickness(Roi) -> RoiThicknessResponse => roi::thickness;
    roi_set_thickness(RoiSetThicknessRequest) -> Response => roi::set_thickness;
    roi_points(Roi) -> RoiPointsResponse => roi::points;
    roi_set_points(RoiSetPointsRequest) -> Response => roi::set_points;

    vr_controller_viewer2_d(VrController) -> VrControllerViewer2DResponse => vr_controller::viewer_2d;
    vr_controller_blending_controller(VrController) -> VrControllerBlendingControllerResponse => vr_controller::blending_controller;
    vr_controller_style(VrController) -> VrControllerStyleResponse => vr_controller::style;
    vr_controller_title(VrController) -> VrControllerTitleResponse => vr_controller::title;
    vr_controller_roi_volumes(VrController) -> VrControllerRoiVolumesResponse => vr_controller::roi_volumes;
    vr_controller_rendering_mode(VrController) -> VrControllerRenderingModeResponse => vr_controller::rendering_mode;
    vr_controller_set_rendering_mode(VrControllerSetRenderingModeRequest) -> Response => vr_controller::set_rendering_mode;
    vr_controller_wlww(VrController) -> VrControllerWlwwResponse => vr_controller::wlww;
    vr_controller_set_wlww(VrControllerSetWlwwRequest) -> Response => vr_controller::set_wlww;
    vr_controller_hide_roi_volume(VrControllerHideRoiVolumeRequest) -> Response => vr_controller::hide_roi_volume;
    vr_controller_display_roi_volume(VrControllerDisplayRoiVolumeRequest) -> Response => vr_controller::display_roi_volume;
    vr_controller_needs_display_update(VrController) -> Response => vr_controller::needs_display_update;

    roi_volume_texture(RoiVolume) -> RoiVolumeTextureResponse => roi_volume::texture;
    roi_volume_set_texture(RoiVolumeSetTextureRequest) -> Response => roi_volume::set_texture;
    roi_volume_volume(RoiVolume) -> RoiVolumeVolumeResponse => roi_volume::volume_cm3;
    roi_volume_color(RoiVolume) -> RoiVolumeColorResponse => roi_volume::color;
    roi_volume_set_color(RoiVolumeSetColorRequest) -> Response => roi_volume::set_color;
    roi_volume_opacity(RoiVolume) -> RoiVolumeOpacityResponse => roi_volume::opacity;
    roi_volume_set_opacity(RoiVolumeSetOpacityRequest) -> Response => roi_volume::set_opacity;
    roi_volume_factor(RoiVolume) -> RoiVolumeFactorResponse => roi_volume::factor;
    roi_volume_set_factor(RoiVolumeSetFactorRequest) -> Response => roi_volume::set_factor;
    roi_volume_name(RoiVolume) -> RoiVolumeNameResponse => roi_volume::name;
    roi_volume_visible(RoiVolume) -> RoiVolumeVisibleResponse => roi_volume::visible;

    dicom_study_paths(DicomStudy) -> DicomStudyPathsResponse => dicom_study::paths;
    dicom_study_images(DicomStudy) -> DicomStudyImagesResponse => dicom_study::images;
    dicom_study_modalities(DicomStudy) -> DicomStudyModalitiesResponse => dicom_study::modalities;
    dicom_study_no_files(DicomStudy) -> DicomStudyNoFilesResponse => dicom_study::no_files;
    dicom_study_raw_no_files(DicomStudy) -> DicomStudyRawNoFilesResponse => dicom_study::raw_no_files;
    dicom_study_number_of_images(DicomStudy) -> DicomStudyNumberOfImagesResponse => dicom_study::number_of_images;
    dicom_study_series(DicomStudy) -> DicomStudySeriesResponse => dicom_study::series;
    dicom_study_name(DicomStudy) -> DicomStudyNameResponse => dicom_study::name;
    dicom_study_date(DicomStudy) -> DicomStudyDateResponse => dicom_study::date;
    dicom_study_date_added(DicomStudy) -> DicomStudyDateAddedResponse => dicom_study::date_added;
    dicom_study_date_of_birth(DicomStudy) -> DicomStudyDateOfBirthResponse => dicom_study::date_of_birth;
    dicom_study_institution_name(DicomStudy) -> DicomStudyInstitutionNameResponse => dicom_study::institution_name;
    dicom_study_modality(DicomStudy) -> DicomStudyModalityResponse => dicom_study::modality;
    dicom_study_patient_id(DicomStudy) -> DicomStudyPatientIdResponse => dicom_study::patient_id;
    dicom_study_patient_uid(DicomStudy) -> DicomStudyPatientUidResponse => dicom_study::patient_uid;
    dicom_study_patient_sex(DicomStudy) -> DicomStudyPatientSexResponse => dicom_study::patient_sex;
    dicom_study_performing_physician(DicomStudy) -> DicomStudyPerformingPhysicianResponse => dicom_study::performing_physician;
    dicom_study_referring_physician(DicomStudy) -> DicomStudyReferringPhysicianResponse => dicom_study::referring_physician;
    dicom_study_study_instance_uid(DicomStudy) -> DicomStudyStudyInstanceUidResponse => dicom_study::study_instance_uid;
    dicom_study_study_name(DicomStudy) -> DicomStudyStudyNameResponse => dicom_study::study_name;

    dicom_series_paths(DicomSeries) -> DicomSeriesPathsResponse => dicom_series::paths;
    dicom_series_previous_series(DicomSeries) -> DicomSeriesPreviousSeriesResponse => dicom_series::previous_series;
    dicom_series_next_series(DicomSeries) -> DicomSeriesNextSeriesResponse => dicom_series::next_series;
    dicom_series_sorted_images(DicomSeries) -> DicomSeriesSortedImagesResponse => dicom_series::sorted_images;
    dicom_series_study(DicomSeries) -> DicomSeriesStudyResponse => dicom_series::study;
    dicom_series_images(DicomSeries) -> DicomSeriesImagesResponse => dicom_series::images;
    dicom_series_series_instance_uid(DicomSeries) -> DicomSeriesSeriesInstanceUidResponse => dicom_series::series_instance_uid;
    dicom_series_series_sop_class_uid(DicomSeries) -> DicomSeriesSeriesSopClassUidResponse => dicom_series::sop_class_uid;
    dicom_series_series_description(DicomSeries) -> DicomSeriesSeriesDescriptionResponse => dicom_series::description;
    dicom_series_modality(DicomSeries) -> DicomSeriesModalityResponse => dicom_series::modality;
    dicom_series_name(DicomSeries) -> DicomSeriesNameResponse => dicom_series::name;
    dicom_series_date(DicomSeries) -> DicomSeriesDateResponse => dicom_series::date;
    dicom_series_number_of_images(DicomSeries) -> DicomSeriesNumberOfImagesResponse => dicom_series::number_of_images;

    dicom_image_width(DicomImage) -> DicomImageWidthResponse => dicom_image::width;
    dicom_image_height(DicomImage) -> DicomImageHeightResponse => dicom_image::height;
    dicom_image_sop_instance_uid(DicomImage) -> DicomImageSopInstanceUidResponse => dicom_image::sop_instance_uid;
    dicom_image_complete_path(DicomImage) -> DicomImageCompletePathResponse => dicom_image::complete_path;
    dicom_image_date(DicomImage) -> DicomImageDateResponse => dicom_image::date;
    dicom_image_number_of_frames(DicomImage) -> DicomImageNumberOfFramesResponse => dicom_image::number_of_frames;
    dicom_image_modality(DicomImage) -> DicomImageModalityResponse => dicom_image::modality;
    dicom_image_series(DicomImage) -> DicomImageSeriesResponse => dicom_image::series;
    dicom_image_slice_location(DicomImage) -> DicomImageSliceLocationResponse => dicom_image::slice_location;
    dicom_image_instance_number(DicomImage) -> DicomImageInstanceNumberResponse => dicom_image::instance_number;
}
