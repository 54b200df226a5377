//! The 10 `DicomImage*` RPCs (spec §2.5). The only failure is "No DicomImage cached".

use super::{DateParts, DateReply, State, not_cached, success};
use crate::proto;
use crate::uid::{Class, ObjectRef};

/// A handler that fails with "No DicomImage cached" or runs `$body` on the resolved image.
macro_rules! with_image {
    ($name:ident -> $resp:ident, |$state:ident, $image:ident| $body:expr) => {
        pub(super) fn $name($state: &State, handle: proto::DicomImage) -> proto::$resp {
            match $state.image(&handle) {
                Some($image) => $body,
                None => proto::$resp {
                    status: not_cached(Class::DicomImage),
                    ..Default::default()
                },
            }
        }
    };
}

with_image!(width -> DicomImageWidthResponse, |state, image| proto::DicomImageWidthResponse {
    status: success(),
    width: image.width,
});

with_image!(height -> DicomImageHeightResponse, |state, image| proto::DicomImageHeightResponse {
    status: success(),
    height: image.height,
});

with_image!(sop_instance_uid -> DicomImageSopInstanceUidResponse, |state, image| proto::DicomImageSopInstanceUidResponse {
    status: success(),
    sop_instance_uid: image.sop_instance_uid.clone(),
});

with_image!(complete_path -> DicomImageCompletePathResponse, |state, image| proto::DicomImageCompletePathResponse {
    status: success(),
    complete_path: image.path.clone(),
});

with_image!(date -> DicomImageDateResponse, |state, image| {
    proto::DicomImageDateResponse::date_reply(success(), DateParts::from(image.date))
});

with_image!(number_of_frames -> DicomImageNumberOfFramesResponse, |state, image| proto::DicomImageNumberOfFramesResponse {
    status: success(),
    number_of_frames: image.number_of_frames,
});

with_image!(modality -> DicomImageModalityResponse, |state, image| proto::DicomImageModalityResponse {
    status: success(),
    modality: image.modality.clone(),
});

with_image!(series -> DicomImageSeriesResponse, |state, image| proto::DicomImageSeriesResponse {
    status: success(),
    series: Some(proto::DicomSeries { osirixrpc_uid: state.registry.hand_out(ObjectRef::Series(image.series)) }),
});

with_image!(slice_location -> DicomImageSliceLocationResponse, |state, image| proto::DicomImageSliceLocationResponse {
    status: success(),
    slice_location: image.slice_location,
});

with_image!(instance_number -> DicomImageInstanceNumberResponse, |state, image| proto::DicomImageInstanceNumberResponse {
    status: success(),
    instance_number: image.instance_number,
});
