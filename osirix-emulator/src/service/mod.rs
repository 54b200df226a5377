//! The `OsiriXService` implementation: OsiriX's answers (spec §2) computed from the catalogue.
//!
//! Every served RPC answers gRPC OK with an in-band `Status` (Q1). Each class lives in its own module as
//! plain functions from request message to response message; this module only wires them into the
//! generated trait. RPCs not listed here keep the generated default: gRPC UNIMPLEMENTED.

mod browser;
mod dicom_image;
mod dicom_series;
mod dicom_study;
mod osirix;

use std::sync::{Arc, PoisonError, RwLock};

use tonic::{Request, Response, Status};

use crate::catalog::{Catalog, Image, Series, Study};
use crate::proto;
use crate::proto::osiri_x_service_server::OsiriXService;
use crate::uid::{Class, ObjectRef, Registry};
use crate::wire_date::WireDate;

/// The browser's selection, as set through the control API.
#[derive(Debug, Default, Clone)]
pub(crate) struct Selection {
    pub(crate) series: Vec<usize>,
    pub(crate) studies: Vec<usize>,
}

/// Everything the handlers read: the catalogue, the uid cache, the selection and the version strings.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) registry: Registry,
    pub(crate) selection: RwLock<Selection>,
    pub(crate) version: String,
    pub(crate) bundle_name: String,
}

impl State {
    /// A fresh state: every object cached under its first uid, nothing selected.
    pub(crate) fn new(catalog: Arc<Catalog>, version: String, bundle_name: String) -> Self {
        let (identities, uids) = catalog.registry_seed();
        let registry = Registry::new(
            identities,
            uids,
            catalog.studies().len(),
            catalog.series().len(),
        );
        Self {
            catalog,
            registry,
            selection: RwLock::new(Selection::default()),
            version,
            bundle_name,
        }
    }

    pub(crate) fn selection(&self) -> Selection {
        self.selection
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set_selection(&self, selection: Selection) {
        *self
            .selection
            .write()
            .unwrap_or_else(PoisonError::into_inner) = selection;
    }

    fn study(&self, handle: &proto::DicomStudy) -> Option<&Study> {
        match self
            .registry
            .resolve(&handle.osirixrpc_uid, Class::DicomStudy)?
        {
            ObjectRef::Study(i) => self.catalog.studies().get(i),
            _ => None,
        }
    }

    fn series(&self, handle: &proto::DicomSeries) -> Option<&Series> {
        match self
            .registry
            .resolve(&handle.osirixrpc_uid, Class::DicomSeries)?
        {
            ObjectRef::Series(i) => self.catalog.series().get(i),
            _ => None,
        }
    }

    fn image(&self, handle: &proto::DicomImage) -> Option<&Image> {
        match self
            .registry
            .resolve(&handle.osirixrpc_uid, Class::DicomImage)?
        {
            ObjectRef::Image(i) => self.catalog.images().get(i),
            _ => None,
        }
    }

    fn is_browser(&self, handle: &proto::BrowserController) -> bool {
        self.registry
            .resolve(&handle.osirixrpc_uid, Class::BrowserController)
            .is_some()
    }

    fn study_handles(&self, indices: &[usize]) -> Vec<proto::DicomStudy> {
        let uids = self
            .registry
            .hand_out_all(indices.iter().map(|&i| ObjectRef::Study(i)));
        uids.into_iter()
            .map(|osirixrpc_uid| proto::DicomStudy { osirixrpc_uid })
            .collect()
    }

    fn series_handles(&self, indices: &[usize]) -> Vec<proto::DicomSeries> {
        let uids = self
            .registry
            .hand_out_all(indices.iter().map(|&i| ObjectRef::Series(i)));
        uids.into_iter()
            .map(|osirixrpc_uid| proto::DicomSeries { osirixrpc_uid })
            .collect()
    }

    fn image_handles(&self, indices: &[usize]) -> Vec<proto::DicomImage> {
        let uids = self
            .registry
            .hand_out_all(indices.iter().map(|&i| ObjectRef::Image(i)));
        uids.into_iter()
            .map(|osirixrpc_uid| proto::DicomImage { osirixrpc_uid })
            .collect()
    }

    fn paths(&self, images: &[usize]) -> Vec<String> {
        images
            .iter()
            .filter_map(|&i| self.catalog.images().get(i))
            .map(|i| i.path.clone())
            .collect()
    }
}

/// The in-band status of a successful call: status 1, no message.
fn success() -> Option<proto::Status> {
    Some(proto::Status {
        status: 1,
        message: String::new(),
    })
}

/// The in-band status of a failed call: status 0 and OsiriX's message.
fn failure(message: &str) -> Option<proto::Status> {
    Some(proto::Status {
        status: 0,
        message: message.to_owned(),
    })
}

/// The `"No <Class> cached"` failure.
fn not_cached(class: Class) -> Option<proto::Status> {
    failure(&format!("No {} cached", class.name()))
}

/// A date as the seven int32 fields of the date responses; all zeros for a missing date, as OsiriX
/// sends for a nil date in the RPCs that do not check for it (Q3, Q4).
#[derive(Debug, Default, Clone, Copy)]
struct DateParts {
    year: i32,
    month: i32,
    day: i32,
    hour: i32,
    minute: i32,
    second: i32,
    millisecond: i32,
}

impl From<Option<WireDate>> for DateParts {
    fn from(date: Option<WireDate>) -> Self {
        use chrono::{Datelike, Timelike};
        let Some(date) = date else {
            return Self::default();
        };
        let dt = date.datetime;
        Self {
            year: dt.year(),
            month: dt.month() as i32,
            day: dt.day() as i32,
            hour: dt.hour() as i32,
            minute: dt.minute() as i32,
            second: dt.second() as i32,
            millisecond: date.millisecond,
        }
    }
}

/// The four date responses, which share one layout.
trait DateReply {
    /// The response with `status` and the date `p`.
    fn date_reply(status: Option<proto::Status>, p: DateParts) -> Self;
}

macro_rules! impl_date_from {
    ($($ty:ident),*) => {$(
        impl DateReply for proto::$ty {
            fn date_reply(status: Option<proto::Status>, p: DateParts) -> Self {
                Self {
                    status,
                    year: p.year,
                    month: p.month,
                    day: p.day,
                    hour: p.hour,
                    minute: p.minute,
                    second: p.second,
                    millisecond: p.millisecond,
                }
            }
        }
    )*};
}
impl_date_from!(
    DicomStudyDateResponse,
    DicomStudyDateAddedResponse,
    DicomSeriesDateResponse,
    DicomImageDateResponse
);

/// The gRPC service: a cheap handle on the shared [`State`].
#[derive(Debug, Clone)]
pub(crate) struct OsirixService {
    pub(crate) state: Arc<State>,
}

/// Implements the generated trait, one line per served RPC: `rpc(Request) -> Response => handler;`.
macro_rules! serve {
    ($($rpc:ident($req:ident) -> $resp:ident => $handler:path;)*) => {
        #[tonic::async_trait]
        impl OsiriXService for OsirixService {
            $(
                async fn $rpc(&self, request: Request<proto::$req>) -> Result<Response<proto::$resp>, Status> {
                    Ok(Response::new($handler(&self.state, request.into_inner())))
                }
            )*
        }
    };
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
