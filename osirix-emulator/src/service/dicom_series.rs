//! The 13 `DicomSeries*` RPCs (spec §2.4). Only the description and next/previous series report a
//! failure besides "No DicomSeries cached"; the other getters send what they have (Q4).

use super::{DateParts, DateReply, State, failure, not_cached, success};
use crate::proto;
use crate::uid::{Class, ObjectRef};

/// A handler that fails with "No DicomSeries cached" or runs `$body` on the resolved series.
macro_rules! with_series {
    ($name:ident -> $resp:ident, |$state:ident, $series:ident| $body:expr) => {
        pub(super) fn $name($state: &State, handle: proto::DicomSeries) -> proto::$resp {
            match $state.series(&handle) {
                Some($series) => $body,
                None => proto::$resp {
                    status: not_cached(Class::DicomSeries),
                    ..Default::default()
                },
            }
        }
    };
}

with_series!(paths -> DicomSeriesPathsResponse, |state, series| proto::DicomSeriesPathsResponse {
    status: success(),
    paths: state.paths(&series.images),
});

with_series!(previous_series -> DicomSeriesPreviousSeriesResponse, |state, series| match series.previous {
    Some(i) => proto::DicomSeriesPreviousSeriesResponse {
        status: success(),
        previous_series: Some(proto::DicomSeries { osirixrpc_uid: state.registry.hand_out(ObjectRef::Series(i)) }),
    },
    None => proto::DicomSeriesPreviousSeriesResponse { status: failure("No previous series"), previous_series: None },
});

with_series!(next_series -> DicomSeriesNextSeriesResponse, |state, series| match series.next {
    Some(i) => proto::DicomSeriesNextSeriesResponse {
        status: success(),
        next_series: Some(proto::DicomSeries { osirixrpc_uid: state.registry.hand_out(ObjectRef::Series(i)) }),
    },
    None => proto::DicomSeriesNextSeriesResponse { status: failure("No next series"), next_series: None },
});

with_series!(sorted_images -> DicomSeriesSortedImagesResponse, |state, series| proto::DicomSeriesSortedImagesResponse {
    status: success(),
    sorted_images: state.image_handles(&series.sorted_images),
});

with_series!(study -> DicomSeriesStudyResponse, |state, series| proto::DicomSeriesStudyResponse {
    status: success(),
    study: Some(proto::DicomStudy { osirixrpc_uid: state.registry.hand_out(ObjectRef::Study(series.study)) }),
});

with_series!(images -> DicomSeriesImagesResponse, |state, series| proto::DicomSeriesImagesResponse {
    status: success(),
    images: state.image_handles(&series.images),
});

with_series!(series_instance_uid -> DicomSeriesSeriesInstanceUidResponse, |state, series| {
    proto::DicomSeriesSeriesInstanceUidResponse { status: success(), series_instance_uid: series.series_instance_uid.clone() }
});

with_series!(sop_class_uid -> DicomSeriesSeriesSopClassUidResponse, |state, series| {
    proto::DicomSeriesSeriesSopClassUidResponse { status: success(), series_sop_class_uid: series.sop_class_uid.clone() }
});

with_series!(description -> DicomSeriesSeriesDescriptionResponse, |state, series| {
    match series.description.as_ref().filter(|d| !d.is_empty()) {
        Some(d) => proto::DicomSeriesSeriesDescriptionResponse { status: success(), series_description: d.clone() },
        None => proto::DicomSeriesSeriesDescriptionResponse {
            status: failure("No series description available"),
            series_description: String::new(),
        },
    }
});

with_series!(modality -> DicomSeriesModalityResponse, |state, series| proto::DicomSeriesModalityResponse {
    status: success(),
    modality: series.modality.clone(),
});

with_series!(name -> DicomSeriesNameResponse, |state, series| proto::DicomSeriesNameResponse {
    status: success(),
    name: series.name.clone(),
});

with_series!(date -> DicomSeriesDateResponse, |state, series| {
    proto::DicomSeriesDateResponse::date_reply(success(), DateParts::from(series.date))
});

with_series!(number_of_images -> DicomSeriesNumberOfImagesResponse, |state, series| {
    proto::DicomSeriesNumberOfImagesResponse { status: success(), number_of_images: series.number_of_images }
});
