//! Every typed accessor of the SDK's classes as a table of `(RPC, call)`, for the tests where the same
//! assertion holds for every RPC of a class (every accessor of a stale handle is a stale-handle error naming its
//! RPC, and so on). A call renders its value with `Debug`, so that one table holds every return type.

use futures_util::future::BoxFuture;
use osirix_sdk::{
    BrowserController, DcmPix, DicomImage, DicomSeries, DicomStudy, GreySource, Mask, PixelImage,
    Plane, Point, RenderingMode, Result, RgbChannel, Roi, RoiColor, RoiSpec, RoiVolume,
    RoiVolumeColor, Shape, ViewerController, VrController, WindowLevel,
};

/// One accessor of a handle of type `H`.
pub struct Accessor<H: 'static> {
    /// The RPC the accessor calls, as errors name it.
    pub rpc: &'static str,
    /// Calls the accessor on a handle.
    pub call: for<'a> fn(&'a H) -> BoxFuture<'a, Result<String>>,
}

impl<H> std::fmt::Debug for Accessor<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Accessor").field("rpc", &self.rpc).finish()
    }
}

macro_rules! table {
    ($handle:ty: $($rpc:literal => $method:ident,)*) => {
        &[$(Accessor {
            rpc: $rpc,
            call: |handle: &$handle| {
                Box::pin(async move { handle.$method().await.map(|value| format!("{value:?}")) })
            },
        }),*]
    };
}

/// A table of accessors that take arguments: `"RPC" => |handle| { body that awaits the call }`. The RPC is the
/// one a stale handle fails in when the client has cached nothing about it (a convenience that checks its
/// arguments against the server first names that check's RPC).
macro_rules! calls {
    ($handle:ty: $($rpc:literal => |$h:ident| $body:block,)*) => {
        &[$(Accessor {
            rpc: $rpc,
            call: |$h: &$handle| {
                Box::pin(async move {
                    let value = $body;
                    value.map(|value| format!("{value:?}"))
                })
            },
        }),*]
    };
}

/// An ROI handle of `client` under `uid` (for the ROI argument of DCMPix calls).
fn roi_of(handle: &DcmPix) -> Roi {
    Roi::from_uid(handle.client(), handle.uid()).expect("a valid uid")
}

/// A viewer handle under the uid of `handle` (for the viewer arguments of viewer calls).
fn viewer_of(handle: &ViewerController) -> ViewerController {
    ViewerController::from_uid(handle.client(), handle.uid()).expect("a valid uid")
}

/// Every public accessor of [`ViewerController`] (its 27 RPCs, `ROIsWithName` twice).
pub const VIEWER: &[Accessor<ViewerController>] = calls! { ViewerController:
    "ViewerControllerPixList" => |v| { v.pix_list(0).await },
    "ViewerControllerNeedsDisplayUpdate" => |v| { v.needs_display_update().await },
    "ViewerControllerROIList" => |v| { v.roi_list(0).await },
    "ViewerControllerMaxMovieIdx" => |v| {
        let spec = RoiSpec::point(Point::new(1.0, 1.0)).expect("a valid point");
        v.new_roi(&spec, 0, 0).await
    },
    "ViewerControllerCurDCM" => |v| { v.cur_dcm().await },
    "ViewerControllerMaxMovieIdx" => |v| { v.rois_with_name("mask", 0).await },
    "ViewerControllerROIsWithName" => |v| { v.rois_with_name_in_4d("mask").await },
    "ViewerControllerSelectedROIs" => |v| { v.selected_rois().await },
    "ViewerControllerIsDataVolumic" => |v| { v.is_data_volumic(false).await },
    "ViewerControllerCopyViewerWindow" => |v| { v.copy_viewer_window().await },
    "ViewerControllerResampleViewerController" => |v| {
        v.resample_viewer_controller(&viewer_of(v)).await
    },
    "ViewerControllerBlendingController" => |v| { v.blending_controller().await },
    "ViewerControllerVRControllers" => |v| { v.vr_controllers().await },
    "ViewerControllerTitle" => |v| { v.title().await },
    "ViewerControllerModality" => |v| { v.modality().await },
    "ViewerControllerMovieIdx" => |v| { v.movie_idx().await },
    "ViewerControllerMaxMovieIdx" => |v| { v.set_movie_idx(0).await },
    "ViewerControllerMaxMovieIdx" => |v| { v.frame_count().await },
    "ViewerControllerIdx" => |v| { v.idx().await },
    "ViewerControllerSetIdx" => |v| { v.set_idx(0).await },
    "ViewerControllerDisplayedIdx" => |v| { v.displayed_idx().await },
    "ViewerControllerSetDisplayedIdx" => |v| { v.set_displayed_idx(0).await },
    "ViewerControllerFlippedData" => |v| { v.flipped_data().await },
    "ViewerControllerWLWW" => |v| { v.wlww().await },
    "ViewerControllerSetWLWW" => |v| { v.set_wlww(WindowLevel::new(100.0, 50.0)).await },
    "ViewerControllerOpenVRViewerForMode" => |v| { v.open_vr_viewer_for_mode(RenderingMode::Vr).await },
    "ViewerControllerFuseWithViewer" => |v| { v.fuse_with_viewer(&viewer_of(v)).await },
    "ViewerControllerCloseViewer" => |v| { v.close().await },
};

/// Every public accessor of [`DcmPix`] (its 17 RPCs).
pub const PIX: &[Accessor<DcmPix>] = calls! { DcmPix:
    "DCMPixConvertToRGB" => |p| { p.convert_to_rgb(RgbChannel::Red).await },
    "DCMPixConvertToBW" => |p| { p.convert_to_bw(GreySource::Red).await },
    "DCMPixIsRGB" => |p| { p.is_rgb().await },
    "DCMPixComputeROI" => |p| { p.compute_roi(&roi_of(p)).await },
    "DCMPixROIValues" => |p| { p.roi_values(&roi_of(p)).await },
    "DCMPixShape" => |p| { p.shape().await },
    "DCMPixSpacing" => |p| { p.spacing().await },
    "DCMPixOrigin" => |p| { p.origin().await },
    "DCMPixOrientation" => |p| { p.orientation().await },
    "DCMPixSliceLocation" => |p| { p.slice_location().await },
    "DCMPixSourceFile" => |p| { p.source_file().await },
    "DCMPixImage" => |p| { p.image().await },
    "DCMPixShape" => |p| {
        let shape = Shape { rows: 1, columns: 1 };
        let image = PixelImage::Grey(Plane::new(shape, vec![0.0]).expect("one value"));
        p.set_image(&image).await
    },
    "DCMPixGetMapFromROI" => |p| { p.map_from_roi(&roi_of(p)).await },
    "DCMPixDicomImage" => |p| { p.dicom_image().await },
    "DCMPixDicomSeries" => |p| { p.dicom_series().await },
    "DCMPixDicomStudy" => |p| { p.dicom_study().await },
};

/// Every public accessor of [`Roi`] (its 19 RPCs), deletion last.
pub const ROI: &[Accessor<Roi>] = calls! { Roi:
    "ROIFlipHorizontally" => |r| { r.flip_horizontally().await },
    "ROIFlipVertically" => |r| { r.flip_vertically().await },
    "ROIArea" => |r| { r.area().await },
    "ROICentroid" => |r| { r.centroid().await },
    "ROIRotate" => |r| { r.rotate(90.0, Point::new(1.0, 1.0)).await },
    "ROIMove" => |r| { r.move_by(1.0, 1.0).await },
    "ROIPix" => |r| { r.pix().await },
    "ROIName" => |r| { r.name().await },
    "ROIIType" => |r| { r.kind().await },
    "ROISetName" => |r| { r.set_name("renamed").await },
    "ROIColor" => |r| { r.color().await },
    "ROISetColor" => |r| { r.set_color(RoiColor::new(1, 2, 3)).await },
    "ROIOpacity" => |r| { r.opacity().await },
    "ROISetOpacity" => |r| { r.set_opacity(0.5).await },
    "ROIThickness" => |r| { r.thickness().await },
    "ROISetThickness" => |r| { r.set_thickness(2.0).await },
    "ROIPoints" => |r| { r.points().await },
    "ROISetPoints" => |r| { r.set_points(&[Point::new(1.0, 1.0)]).await },
    "ROIDelete" => |r| { r.delete().await },
};

/// An ROI volume handle under the uid of `handle` (for the volume arguments of 3D window calls).
fn volume_of(handle: &VrController) -> RoiVolume {
    RoiVolume::from_uid(handle.client(), handle.uid()).expect("a valid uid")
}

/// Every public accessor of [`VrController`] (its 12 RPCs).
pub const VR: &[Accessor<VrController>] = calls! { VrController:
    "VRControllerViewer2D" => |v| { v.viewer_2d().await },
    "VRControllerBlendingController" => |v| { v.blending_controller().await },
    "VRControllerStyle" => |v| { v.style().await },
    "VRControllerTitle" => |v| { v.title().await },
    "VRControllerROIVolumes" => |v| { v.roi_volumes().await },
    "VRControllerRenderingMode" => |v| { v.rendering_mode().await },
    "VRControllerSetRenderingMode" => |v| { v.set_rendering_mode(RenderingMode::Mip).await },
    "VRControllerWLWW" => |v| { v.wlww().await },
    "VRControllerSetWLWW" => |v| { v.set_wlww(WindowLevel::new(200.0, 400.0)).await },
    "VRControllerHideROIVolume" => |v| { v.hide_roi_volume(&volume_of(v)).await },
    "VRControllerDisplayROIVolume" => |v| { v.display_roi_volume(&volume_of(v)).await },
    "VRControllerNeedsDisplayUpdate" => |v| { v.needs_display_update().await },
};

/// Every public accessor of [`RoiVolume`] (its 11 RPCs).
pub const VOLUME: &[Accessor<RoiVolume>] = calls! { RoiVolume:
    "ROIVolumeTexture" => |r| { r.texture().await },
    "ROIVolumeSetTexture" => |r| { r.set_texture(false).await },
    "ROIVolumeVolume" => |r| { r.volume().await },
    "ROIVolumeColor" => |r| { r.color().await },
    "ROIVolumeSetColor" => |r| { r.set_color(RoiVolumeColor::new(1.0, 1.0, 0.0)).await },
    "ROIVolumeOpacity" => |r| { r.opacity().await },
    "ROIVolumeSetOpacity" => |r| { r.set_opacity(0.5).await },
    "ROIVolumeFactor" => |r| { r.factor().await },
    "ROIVolumeSetFactor" => |r| { r.set_factor(1.0).await },
    "ROIVolumeName" => |r| { r.name().await },
    "ROIVolumeVisible" => |r| { r.visible().await },
};

/// A mask of `shape` with the pixels `set` (row, column) set.
pub fn mask(shape: Shape, set: &[(usize, usize)]) -> Mask {
    let mut mask = Mask::filled(shape, false);
    for &(row, column) in set {
        mask[(row, column)] = true;
    }
    mask
}

/// The 13 accessors of [`DicomSeries`].
pub const SERIES: &[Accessor<DicomSeries>] = table! { DicomSeries:
    "DicomSeriesPaths" => paths,
    "DicomSeriesPreviousSeries" => previous_series,
    "DicomSeriesNextSeries" => next_series,
    "DicomSeriesSortedImages" => sorted_images,
    "DicomSeriesStudy" => study,
    "DicomSeriesImages" => images,
    "DicomSeriesSeriesInstanceUID" => series_instance_uid,
    "DicomSeriesSeriesSOPClassUID" => series_sop_class_uid,
    "DicomSeriesSeriesDescription" => series_description,
    "DicomSeriesModality" => modality,
    "DicomSeriesName" => name,
    "DicomSeriesDate" => date,
    "DicomSeriesNumberOfImages" => number_of_images,
};

/// The 20 accessors of [`DicomStudy`].
pub const STUDY: &[Accessor<DicomStudy>] = table! { DicomStudy:
    "DicomStudyPaths" => paths,
    "DicomStudyImages" => images,
    "DicomStudyModalities" => modalities,
    "DicomStudyNoFiles" => number_of_files,
    "DicomStudyRawNoFiles" => raw_number_of_files,
    "DicomStudyNumberOfImages" => number_of_images,
    "DicomStudySeries" => series,
    "DicomStudyName" => patient_name,
    "DicomStudyDate" => date,
    "DicomStudyDateAdded" => date_added,
    "DicomStudyDateOfBirth" => date_of_birth,
    "DicomStudyInstitutionName" => institution_name,
    "DicomStudyModality" => modality,
    "DicomStudyPatientID" => patient_id,
    "DicomStudyPatientUID" => patient_uid,
    "DicomStudyPatientSex" => patient_sex,
    "DicomStudyPerformingPhysician" => performing_physician,
    "DicomStudyReferringPhysician" => referring_physician,
    "DicomStudyStudyInstanceUID" => study_instance_uid,
    "DicomStudyStudyName" => study_name,
};

/// The 10 accessors of [`DicomImage`].
pub const IMAGE: &[Accessor<DicomImage>] = table! { DicomImage:
    "DicomImageWidth" => width,
    "DicomImageHeight" => height,
    "DicomImageSOPInstanceUID" => sop_instance_uid,
    "DicomImageCompletePath" => complete_path,
    "DicomImageDate" => date,
    "DicomImageNumberOfFrames" => number_of_frames,
    "DicomImageModality" => modality,
    "DicomImageSeries" => series,
    "DicomImageSliceLocation" => slice_location,
    "DicomImageInstanceNumber" => instance_number,
};

/// The accessors of [`BrowserController`] that take no arguments.
pub const BROWSER: &[Accessor<BrowserController>] = table! { BrowserController:
    "BrowserControllerDatabaseStudies" => database_studies,
    "BrowserControllerDatabaseSelection" => database_selection,
};
