//! The calls a load run makes, as one table: each entry is an RPC and the call that checks its answer against
//! the catalogue. The RPC names what the call's errors must name.

use std::fmt;

use futures_util::future::BoxFuture;
use osirix_emulator::{Catalog, Image, Series, Study, WireDate};
use osirix_sdk::chrono::{NaiveDateTime, Timelike};
use osirix_sdk::{BrowserController, Client, DicomImage, DicomSeries, DicomStudy, Error};

/// The value the SDK should make of a wire date: the wall-clock time, with the milliseconds when OsiriX's
/// wrapped `millisecond` can be decoded and whole seconds otherwise.
pub fn expected_datetime(date: &WireDate) -> NaiveDateTime {
    match osirix_sdk::decode_millisecond(date.millisecond) {
        Some(_) => date.datetime,
        None => date.datetime.with_nanosecond(0).unwrap_or(date.datetime),
    }
}

/// What a check found.
pub(super) enum Check {
    Right,
    /// The answer and what the catalogue says, as text.
    Wrong(String, String),
    Failed(Error),
}

/// One call of the table: its RPC and how to make and check it.
pub(super) struct Op {
    pub(super) rpc: &'static str,
    pub(super) check: for<'a> fn(&'a Records<'a>) -> BoxFuture<'a, Check>,
}

/// What one call is about: the client, and the records of the study, series and image it picks.
pub(super) struct Records<'a> {
    pub(super) client: &'a Client,
    pub(super) catalog: &'a Catalog,
    pub(super) study: &'a Study,
    pub(super) series: &'a Series,
    pub(super) image: &'a Image,
}

impl Records<'_> {
    fn series(&self) -> osirix_sdk::Result<DicomSeries> {
        DicomSeries::from_uid(self.client, &self.series.uid)
    }

    fn study(&self) -> osirix_sdk::Result<DicomStudy> {
        DicomStudy::from_uid(self.client, &self.study.uid)
    }

    fn image(&self) -> osirix_sdk::Result<DicomImage> {
        DicomImage::from_uid(self.client, &self.image.uid)
    }

    fn series_uids(&self, indexes: &[usize]) -> Vec<String> {
        indexes
            .iter()
            .map(|&i| self.catalog.series()[i].uid.clone())
            .collect()
    }

    fn image_uids(&self, indexes: &[usize]) -> Vec<String> {
        indexes
            .iter()
            .map(|&i| self.catalog.images()[i].uid.clone())
            .collect()
    }
}

fn compare<T: PartialEq + fmt::Debug>(got: T, expected: T) -> Check {
    if got == expected {
        Check::Right
    } else {
        Check::Wrong(format!("{got:?}"), format!("{expected:?}"))
    }
}

/// A date the catalogue may lack: the emulator sends zeros for a missing date, which the SDK must reject.
fn compare_date(got: osirix_sdk::Result<NaiveDateTime>, expected: Option<&WireDate>) -> Check {
    match (got, expected) {
        (Ok(got), Some(expected)) => compare(got, expected_datetime(expected)),
        (Err(err), None) if err.is_malformed() => Check::Right,
        (Ok(got), None) => Check::Wrong(format!("{got:?}"), "a malformed missing date".into()),
        (Err(err), _) => Check::Failed(err),
    }
}

fn sorted(mut uids: Vec<String>) -> Vec<String> {
    uids.sort();
    uids
}

fn uids<'a>(uids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    uids.into_iter().map(str::to_owned).collect()
}

fn non_empty(value: &Option<String>) -> Option<String> {
    value.clone().filter(|s| !s.is_empty())
}

/// The value of a call, or the check that failed.
macro_rules! attempt {
    ($e:expr) => {
        match $e {
            Ok(value) => value,
            Err(err) => return Check::Failed(err),
        }
    };
}

macro_rules! op {
    ($rpc:literal, |$r:ident| $body:expr) => {
        Op {
            rpc: $rpc,
            check: |$r| Box::pin(async move { $body }),
        }
    };
}

/// Every call a load run makes.
pub(super) const OPS: &[Op] = &[
    op!("DicomSeriesNumberOfImages", |r| compare(
        attempt!(attempt!(r.series()).number_of_images().await),
        r.series.number_of_images as u32
    )),
    op!("DicomSeriesModality", |r| compare(
        attempt!(attempt!(r.series()).modality().await),
        r.series.modality.clone()
    )),
    op!("DicomSeriesSeriesInstanceUID", |r| compare(
        attempt!(attempt!(r.series()).series_instance_uid().await),
        r.series.series_instance_uid.clone()
    )),
    op!("DicomSeriesSeriesDescription", |r| compare(
        attempt!(attempt!(r.series()).series_description().await),
        non_empty(&r.series.description)
    )),
    op!("DicomSeriesName", |r| compare(
        attempt!(attempt!(r.series()).name().await),
        r.series.name.clone()
    )),
    op!("DicomSeriesDate", |r| compare_date(
        attempt!(r.series()).date().await,
        r.series.date.as_ref()
    )),
    op!("DicomSeriesStudy", |r| compare(
        attempt!(attempt!(r.series()).study().await)
            .uid()
            .to_owned(),
        r.catalog.studies()[r.series.study].uid.clone()
    )),
    op!("DicomSeriesImages", |r| compare(
        sorted(uids(
            attempt!(attempt!(r.series()).images().await)
                .iter()
                .map(DicomImage::uid)
        )),
        sorted(r.image_uids(&r.series.images))
    )),
    op!("DicomSeriesSortedImages", |r| compare(
        uids(
            attempt!(attempt!(r.series()).sorted_images().await)
                .iter()
                .map(DicomImage::uid)
        ),
        r.image_uids(&r.series.sorted_images)
    )),
    op!("DicomSeriesNextSeries", |r| compare(
        attempt!(attempt!(r.series()).next_series().await).map(|s| s.uid().to_owned()),
        r.series.next.map(|i| r.catalog.series()[i].uid.clone())
    )),
    op!("DicomStudyNumberOfImages", |r| compare(
        attempt!(attempt!(r.study()).number_of_images().await),
        Some(r.study.number_of_images as u32)
    )),
    op!("DicomStudyPatientID", |r| compare(
        attempt!(attempt!(r.study()).patient_id().await),
        non_empty(&r.study.patient_id)
    )),
    op!("DicomStudyName", |r| compare(
        attempt!(attempt!(r.study()).patient_name().await),
        non_empty(&r.study.patient_name)
    )),
    op!("DicomStudyDate", |r| compare(
        attempt!(attempt!(r.study()).date().await),
        r.study.date.as_ref().map(expected_datetime)
    )),
    op!("DicomStudySeries", |r| compare(
        sorted(uids(
            attempt!(attempt!(r.study()).series().await)
                .iter()
                .map(DicomSeries::uid)
        )),
        sorted(r.series_uids(&r.study.series))
    )),
    op!("DicomStudyNoFiles", |r| compare(
        attempt!(attempt!(r.study()).number_of_files().await),
        Some(r.study.no_files as u32)
    )),
    op!("DicomImageWidth", |r| compare(
        attempt!(attempt!(r.image()).width().await),
        r.image.width
    )),
    op!("DicomImageSOPInstanceUID", |r| compare(
        attempt!(attempt!(r.image()).sop_instance_uid().await),
        r.image.sop_instance_uid.clone()
    )),
    op!("DicomImageCompletePath", |r| compare(
        attempt!(attempt!(r.image()).complete_path().await),
        r.image.path.clone()
    )),
    op!("DicomImageInstanceNumber", |r| compare(
        attempt!(attempt!(r.image()).instance_number().await),
        r.image.instance_number
    )),
    op!("DicomImageDate", |r| compare_date(
        attempt!(r.image()).date().await,
        r.image.date.as_ref()
    )),
    op!("DicomImageSeries", |r| compare(
        attempt!(attempt!(r.image()).series().await)
            .uid()
            .to_owned(),
        r.catalog.series()[r.image.series].uid.clone()
    )),
    op!("OsirixCurrentBrowser", |r| compare(
        attempt!(r.client.current_browser().await).uid().to_owned(),
        r.catalog.browser_uid().to_owned()
    )),
    op!("OsirixVersion", |r| compare(
        attempt!(r.client.version().await).version,
        osirix_emulator::DEFAULT_VERSION.to_owned()
    )),
    op!("BrowserControllerDatabaseStudies", |r| {
        let browser = attempt!(BrowserController::from_uid(
            r.client,
            r.catalog.browser_uid()
        ));
        compare(
            sorted(uids(
                attempt!(browser.database_studies().await)
                    .iter()
                    .map(DicomStudy::uid),
            )),
            sorted(r.catalog.studies().iter().map(|s| s.uid.clone()).collect()),
        )
    }),
];
