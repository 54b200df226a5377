//! The 20 `DicomStudy*` RPCs (spec §2.3). Every scalar getter reports "... not available" when its value
//! is missing or empty.

use chrono::Datelike;

use super::{DateParts, DateReply, State, failure, not_cached, success};
use crate::proto;
use crate::uid::Class;

/// A handler that fails with "No DicomStudy cached" or runs `$body` on the resolved study.
macro_rules! with_study {
    ($name:ident -> $resp:ident, |$state:ident, $study:ident| $body:expr) => {
        pub(super) fn $name($state: &State, handle: proto::DicomStudy) -> proto::$resp {
            match $state.study(&handle) {
                Some($study) => {
                    #[allow(clippy::redundant_closure_call)]
                    let response: proto::$resp = $body;
                    response
                }
                None => proto::$resp {
                    status: not_cached(Class::DicomStudy),
                    ..Default::default()
                },
            }
        }
    };
}

/// A text getter: the value, or `$missing` when it is missing or empty.
macro_rules! text_getter {
    ($name:ident -> $resp:ident { $field:ident }, $missing:literal, |$study:ident| $value:expr) => {
        with_study!($name -> $resp, |state, $study| {
            let value: Option<&String> = $value;
            match value.filter(|v| !v.is_empty()) {
                Some(v) => proto::$resp { status: success(), $field: v.clone() },
                None => proto::$resp { status: failure($missing), ..Default::default() },
            }
        });
    };
}

with_study!(paths -> DicomStudyPathsResponse, |state, study| proto::DicomStudyPathsResponse {
    status: success(),
    paths: state.paths(&study.images),
});

with_study!(images -> DicomStudyImagesResponse, |state, study| proto::DicomStudyImagesResponse {
    status: success(),
    images: state.image_handles(&study.images),
});

with_study!(series -> DicomStudySeriesResponse, |state, study| proto::DicomStudySeriesResponse {
    status: success(),
    series: state.series_handles(&study.series),
});

with_study!(no_files -> DicomStudyNoFilesResponse, |state, study| proto::DicomStudyNoFilesResponse {
    status: success(),
    no_files: study.no_files,
});

with_study!(raw_no_files -> DicomStudyRawNoFilesResponse, |state, study| proto::DicomStudyRawNoFilesResponse {
    status: success(),
    no_files: study.raw_no_files,
});

with_study!(number_of_images -> DicomStudyNumberOfImagesResponse, |state, study| proto::DicomStudyNumberOfImagesResponse {
    status: success(),
    no_images: study.number_of_images,
});

with_study!(date -> DicomStudyDateResponse, |state, study| match study.date {
    Some(d) => proto::DicomStudyDateResponse::date_reply(success(), DateParts::from(Some(d))),
    None => proto::DicomStudyDateResponse { status: failure("Study date not available"), ..Default::default() },
});

with_study!(date_added -> DicomStudyDateAddedResponse, |state, study| {
    proto::DicomStudyDateAddedResponse::date_reply(success(), DateParts::from(Some(study.date_added)))
});

with_study!(date_of_birth -> DicomStudyDateOfBirthResponse, |state, study| match study.date_of_birth {
    Some(d) => proto::DicomStudyDateOfBirthResponse {
        status: success(),
        year: d.year(),
        month: d.month() as i32,
        day: d.day() as i32,
    },
    None => proto::DicomStudyDateOfBirthResponse { status: failure("Date of birth not available"), ..Default::default() },
});

text_getter!(modalities -> DicomStudyModalitiesResponse { modalities }, "Modalities not available", |study| study.modalities.as_ref());
text_getter!(name -> DicomStudyNameResponse { name }, "Study name not available", |study| study.patient_name.as_ref());
text_getter!(institution_name -> DicomStudyInstitutionNameResponse { institution_name }, "Institution name not available", |study| study.institution_name.as_ref());
text_getter!(modality -> DicomStudyModalityResponse { modality }, "Modality not available", |study| study.modality.as_ref());
text_getter!(patient_id -> DicomStudyPatientIdResponse { patient_id }, "Patient ID not available", |study| study.patient_id.as_ref());
text_getter!(patient_uid -> DicomStudyPatientUidResponse { patient_uid }, "Patient UID not available", |study| study.patient_uid.as_ref());
text_getter!(patient_sex -> DicomStudyPatientSexResponse { patient_sex }, "Patient sex not available", |study| study.patient_sex.as_ref());
text_getter!(performing_physician -> DicomStudyPerformingPhysicianResponse { performing_physician }, "Performing physician not available", |study| study.performing_physician.as_ref());
text_getter!(referring_physician -> DicomStudyReferringPhysicianResponse { referring_physician }, "Referring physician not available", |study| study.referring_physician.as_ref());
text_getter!(study_instance_uid -> DicomStudyStudyInstanceUidResponse { study_instance_uid }, "Study instance UID not available", |study| Some(&study.study_instance_uid));
text_getter!(study_name -> DicomStudyStudyNameResponse { study_name }, "Study name not available", |study| study.study_name.as_ref());
