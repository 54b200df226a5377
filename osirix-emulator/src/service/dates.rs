//! The date responses: a date as the seven int32 fields they share.

use super::reply::success;
use crate::proto;
use crate::wire_date::WireDate;

/// A date as the seven int32 fields of the date responses; all zeros for a missing date, as OsiriX
/// sends for a nil date in the RPCs that do not check for it (see docs/osirix-behaviour.md, *Dates*).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct DateParts {
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
pub(super) trait DateReply {
    /// The successful response with the date `p`.
    fn date_reply(p: DateParts) -> Self;
}

macro_rules! impl_date_from {
    ($($ty:ident),*) => {$(
        impl DateReply for proto::$ty {
            fn date_reply(p: DateParts) -> Self {
                Self {
                    status: success(),
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
