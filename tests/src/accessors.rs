//! Every typed accessor of the SDK's database classes as a table of `(RPC, call)`, for the tests where the same
//! assertion holds for every RPC of a class (every accessor of a stale handle is a stale-handle error naming its
//! RPC, and so on). A call renders its value with `Debug`, so that one table holds every return type.

use futures_util::future::BoxFuture;
use osirix_sdk::{BrowserController, DicomImage, DicomSeries, DicomStudy, Result};

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
