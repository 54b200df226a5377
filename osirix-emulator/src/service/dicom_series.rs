//! The 13 `DicomSeries*` RPCs. Only the description and next/previous series report a failure besides
//! "No DicomSeries cached"; the other getters send what they have (see docs/osirix-behaviour.md, *Numbers,
//! strings and absences*).

use super::dates::{DateParts, DateReply};
use super::reply::{Failure, success};
use crate::proto;
use crate::registry::ObjectRef;

database_rpc!(paths: DicomSeries -> DicomSeriesPathsResponse, series, |world, series| Ok(proto::DicomSeriesPathsResponse {
    status: success(),
    paths: world.catalog.paths(&series.images),
}));

database_rpc!(previous_series: DicomSeries -> DicomSeriesPreviousSeriesResponse, series, |world, series| {
    let previous = series.previous.ok_or_else(|| Failure::new("No previous series"))?;
    Ok(proto::DicomSeriesPreviousSeriesResponse { status: success(), previous_series: Some(world.handle(ObjectRef::Series(previous))) })
});

database_rpc!(next_series: DicomSeries -> DicomSeriesNextSeriesResponse, series, |world, series| {
    let next = series.next.ok_or_else(|| Failure::new("No next series"))?;
    Ok(proto::DicomSeriesNextSeriesResponse { status: success(), next_series: Some(world.handle(ObjectRef::Series(next))) })
});

database_rpc!(sorted_images: DicomSeries -> DicomSeriesSortedImagesResponse, series, |world, series| {
    Ok(proto::DicomSeriesSortedImagesResponse {
        status: success(),
        sorted_images: world.handles(series.sorted_images.iter().map(|&i| ObjectRef::Image(i))),
    })
});

database_rpc!(study: DicomSeries -> DicomSeriesStudyResponse, series, |world, series| Ok(proto::DicomSeriesStudyResponse {
    status: success(),
    study: Some(world.handle(ObjectRef::Study(series.study))),
}));

database_rpc!(images: DicomSeries -> DicomSeriesImagesResponse, series, |world, series| Ok(proto::DicomSeriesImagesResponse {
    status: success(),
    images: world.handles(series.images.iter().map(|&i| ObjectRef::Image(i))),
}));

database_rpc!(series_instance_uid: DicomSeries -> DicomSeriesSeriesInstanceUidResponse, series, |world, series| {
    Ok(proto::DicomSeriesSeriesInstanceUidResponse { status: success(), series_instance_uid: series.series_instance_uid.clone() })
});

database_rpc!(sop_class_uid: DicomSeries -> DicomSeriesSeriesSopClassUidResponse, series, |world, series| {
    Ok(proto::DicomSeriesSeriesSopClassUidResponse { status: success(), series_sop_class_uid: series.sop_class_uid.clone() })
});

database_rpc!(description: DicomSeries -> DicomSeriesSeriesDescriptionResponse, series, |world, series| {
    let description = series
        .description
        .clone()
        .filter(|d| !d.is_empty())
        .ok_or_else(|| Failure::new("No series description available"))?;
    Ok(proto::DicomSeriesSeriesDescriptionResponse { status: success(), series_description: description })
});

database_rpc!(modality: DicomSeries -> DicomSeriesModalityResponse, series, |world, series| {
    Ok(proto::DicomSeriesModalityResponse { status: success(), modality: series.modality.clone() })
});

database_rpc!(name: DicomSeries -> DicomSeriesNameResponse, series, |world, series| {
    Ok(proto::DicomSeriesNameResponse { status: success(), name: series.name.clone() })
});

database_rpc!(date: DicomSeries -> DicomSeriesDateResponse, series, |world, series| {
    Ok(proto::DicomSeriesDateResponse::date_reply(DateParts::from(series.date)))
});

database_rpc!(number_of_images: DicomSeries -> DicomSeriesNumberOfImagesResponse, series, |world, series| {
    Ok(proto::DicomSeriesNumberOfImagesResponse { status: success(), number_of_images: series.number_of_images })
});
