//! The 20 `DicomStudy*` RPCs. Every scalar getter reports "... not available" when its value is missing
//! or empty.

use chrono::Datelike;

use super::dates::{DateParts, DateReply};
use super::reply::{Failure, success};
use crate::proto;
use crate::registry::ObjectRef;

/// A text getter: the value, or `$missing` when it is missing or empty.
macro_rules! text_getter {
    ($name:ident -> $resp:ident { $field:ident }, $missing:literal, |$study:ident| $value:expr) => {
        database_rpc!($name: DicomStudy -> $resp, studies, |world, $study| {
            let value: Option<&String> = $value;
            let value = value.filter(|v| !v.is_empty()).ok_or_else(|| Failure::new($missing))?;
            Ok(proto::$resp { status: success(), $field: value.clone() })
        });
    };
}

database_rpc!(paths: DicomStudy -> DicomStudyPathsResponse, studies, |world, study| Ok(proto::DicomStudyPathsResponse {
    status: success(),
    paths: world.catalog.paths(&study.images),
}));

database_rpc!(images: DicomStudy -> DicomStudyImagesResponse, studies, |world, study| Ok(proto::DicomStudyImagesResponse {
    status: success(),
    images: world.handles(study.images.iter().map(|&i| ObjectRef::Image(i))),
}));

database_rpc!(series: DicomStudy -> DicomStudySeriesResponse, studies, |world, study| Ok(proto::DicomStudySeriesResponse {
    status: success(),
    series: world.handles(study.series.iter().map(|&i| ObjectRef::Series(i))),
}));

database_rpc!(no_files: DicomStudy -> DicomStudyNoFilesResponse, studies, |world, study| {
    Ok(proto::DicomStudyNoFilesResponse { status: success(), no_files: study.no_files })
});

database_rpc!(raw_no_files: DicomStudy -> DicomStudyRawNoFilesResponse, studies, |world, study| {
    Ok(proto::DicomStudyRawNoFilesResponse { status: success(), no_files: study.raw_no_files })
});

database_rpc!(number_of_images: DicomStudy -> DicomStudyNumberOfImagesResponse, studies, |world, study| {
    Ok(proto::DicomStudyNumberOfImagesResponse { status: success(), no_images: study.number_of_images })
});

database_rpc!(date: DicomStudy -> DicomStudyDateResponse, studies, |world, study| {
    let date = study.date.ok_or_else(|| Failure::new("Study date not available"))?;
    Ok(proto::DicomStudyDateResponse::date_reply(DateParts::from(Some(date))))
});

database_rpc!(date_added: DicomStudy -> DicomStudyDateAddedResponse, studies, |world, study| {
    Ok(proto::DicomStudyDateAddedResponse::date_reply(DateParts::from(Some(study.date_added))))
});

database_rpc!(date_of_birth: DicomStudy -> DicomStudyDateOfBirthResponse, studies, |world, study| {
    let d = study.date_of_birth.ok_or_else(|| Failure::new("Date of birth not available"))?;
    Ok(proto::DicomStudyDateOfBirthResponse { status: success(), year: d.year(), month: d.month() as i32, day: d.day() as i32 })
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
