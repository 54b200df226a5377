//! The 10 `DicomImage*` RPCs. The only failure is "No DicomImage cached"; missing values are sent as 0 or
//! "" (see docs/osirix-behaviour.md, *Numbers, strings and absences*).

use super::dates::{DateParts, DateReply};
use super::reply::success;
use crate::proto;
use crate::registry::ObjectRef;

database_rpc!(width: DicomImage -> DicomImageWidthResponse, images, |world, image| Ok(proto::DicomImageWidthResponse {
    status: success(),
    width: image.width,
}));

database_rpc!(height: DicomImage -> DicomImageHeightResponse, images, |world, image| Ok(proto::DicomImageHeightResponse {
    status: success(),
    height: image.height,
}));

database_rpc!(sop_instance_uid: DicomImage -> DicomImageSopInstanceUidResponse, images, |world, image| {
    Ok(proto::DicomImageSopInstanceUidResponse { status: success(), sop_instance_uid: image.sop_instance_uid.clone() })
});

database_rpc!(complete_path: DicomImage -> DicomImageCompletePathResponse, images, |world, image| {
    Ok(proto::DicomImageCompletePathResponse { status: success(), complete_path: image.path.clone() })
});

database_rpc!(date: DicomImage -> DicomImageDateResponse, images, |world, image| {
    Ok(proto::DicomImageDateResponse::date_reply(DateParts::from(image.date)))
});

database_rpc!(number_of_frames: DicomImage -> DicomImageNumberOfFramesResponse, images, |world, image| {
    Ok(proto::DicomImageNumberOfFramesResponse { status: success(), number_of_frames: image.number_of_frames })
});

database_rpc!(modality: DicomImage -> DicomImageModalityResponse, images, |world, image| {
    Ok(proto::DicomImageModalityResponse { status: success(), modality: image.modality.clone() })
});

database_rpc!(series: DicomImage -> DicomImageSeriesResponse, images, |world, image| Ok(proto::DicomImageSeriesResponse {
    status: success(),
    series: Some(world.handle(ObjectRef::Series(image.series))),
}));

database_rpc!(slice_location: DicomImage -> DicomImageSliceLocationResponse, images, |world, image| {
    Ok(proto::DicomImageSliceLocationResponse { status: success(), slice_location: image.slice_location })
});

database_rpc!(instance_number: DicomImage -> DicomImageInstanceNumberResponse, images, |world, image| {
    Ok(proto::DicomImageInstanceNumberResponse { status: success(), instance_number: image.instance_number })
});
