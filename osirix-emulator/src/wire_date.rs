//! Dates as OsiriX holds and sends them, including the wrapped `millisecond` (see docs/osirix-behaviour.md,
//! *Dates*).
//!
//! OsiriX stores a date as an `NSDate`: an `f64` count of seconds since 2001-01-01T00:00:00Z. Its DICOM
//! parser keeps the time of day to the whole millisecond (the phantom's `19:01:23.7875` becomes `.787`).
//! The date RPCs take the calendar's nanosecond component of that double (truncated) and send
//! `1000 * ns` computed in wrapping 32-bit arithmetic. The emulator treats the DICOM wall-clock time as
//! UTC when it builds the double, so its components are the DICOM ones.

use chrono::{NaiveDate, NaiveDateTime, Timelike};

/// A date-time as an OsiriX date RPC reports it: calendar components plus the raw wire `millisecond`.
///
/// Ordered by `datetime`, so "earliest" and "latest" compare wall-clock values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WireDate {
    /// The wall-clock value, truncated to the millisecond as OsiriX keeps it.
    pub datetime: NaiveDateTime,
    /// The value OsiriX puts in the response's `millisecond` field (Q2: `1000 * ns`, wrapped to i32).
    pub millisecond: i32,
}

impl WireDate {
    /// Builds the wire form of a wall-clock date-time, truncating it to whole milliseconds first.
    pub fn new(datetime: NaiveDateTime) -> Self {
        let millis = datetime.nanosecond() / 1_000_000;
        let datetime = datetime
            .with_nanosecond(millis * 1_000_000)
            .unwrap_or(datetime);
        Self {
            datetime,
            millisecond: wire_millisecond(datetime),
        }
    }
}

/// The `millisecond` OsiriX sends for `datetime`: the truncated nanosecond component of its `NSDate`
/// double, times 1000 in wrapping i32 arithmetic.
///
/// The double is built as whole seconds since 2001-01-01 plus the whole milliseconds divided by 1000,
/// which reproduces the values pinned by the upstream tests (1718993592 for `.530`, 1020924832 for `.787`).
pub fn wire_millisecond(datetime: NaiveDateTime) -> i32 {
    let reference = NaiveDate::from_ymd_opt(2001, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0));
    let Some(reference) = reference else { return 0 };
    let whole = datetime.and_utc().timestamp() - reference.and_utc().timestamp();
    let millis = datetime.nanosecond() / 1_000_000;
    let interval = whole as f64 + f64::from(millis) / 1000.0;
    let fraction = interval - interval.floor();
    // Truncation is the point: it is what the Objective-C cast does.
    let ns = (fraction * 1e9) as i64;
    1000i32.wrapping_mul(ns as i32)
}

/// Parses a DICOM DA value (`YYYYMMDD`, also the old `YYYY.MM.DD`).
pub(crate) fn parse_da(text: &str) -> Option<NaiveDate> {
    let digits: String = text.trim().chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 8 {
        return None;
    }
    let year = digits.get(0..4)?.parse().ok()?;
    let month = digits.get(4..6)?.parse().ok()?;
    let day = digits.get(6..8)?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Parses a DICOM TM value (`HH`, `HHMM`, `HHMMSS`, `HHMMSS.F…`, also the old `HH:MM:SS`) into
/// (hour, minute, second, nanosecond).
pub(crate) fn parse_tm(text: &str) -> Option<(u32, u32, u32, u32)> {
    let text = text.trim();
    let (main, fraction) = match text.split_once('.') {
        Some((main, fraction)) => (main, Some(fraction)),
        None => (text, None),
    };
    let main: String = main.chars().filter(|c| *c != ':').collect();
    if main.is_empty()
        || !main.len().is_multiple_of(2)
        || main.len() > 6
        || !main.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let part = |i: usize| {
        main.get(i..i + 2)
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let (hour, minute, second) = (part(0), part(2), part(4));
    let nanos = match fraction {
        Some(f) if !f.is_empty() => {
            if !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let mut padded: String = f.chars().take(9).collect();
            while padded.len() < 9 {
                padded.push('0');
            }
            padded.parse().ok()?
        }
        _ => 0,
    };
    (hour < 24 && minute < 60 && second < 61).then_some((hour, minute, second.min(59), nanos))
}

/// Joins a DA and an optional TM value into a date-time (midnight when the time is missing or bad).
pub(crate) fn join(date: NaiveDate, time: Option<&str>) -> Option<NaiveDateTime> {
    let (h, m, s, ns) = time.and_then(parse_tm).unwrap_or((0, 0, 0, 0));
    date.and_hms_nano_opt(h, m, s, ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text_time: &str) -> NaiveDateTime {
        let date = parse_da("20220803").expect("date");
        join(date, Some(text_time)).expect("time")
    }

    #[test]
    fn phantom_milliseconds_match_osirix() {
        // Study date: earliest acquisition 19:01:19.53; test image IM-0001-0001: 19:03:11.53.
        assert_eq!(WireDate::new(at("190119.53")).millisecond, 1_718_993_592);
        assert_eq!(WireDate::new(at("190311.53")).millisecond, 1_718_993_592);
        // Series date: IM-0001-0040 at 19:01:23.7875.
        assert_eq!(WireDate::new(at("190123.7875")).millisecond, 1_020_924_832);
    }

    #[test]
    fn truncates_to_milliseconds() {
        let d = WireDate::new(at("190123.7875"));
        assert_eq!(d.datetime.nanosecond(), 787_000_000);
        assert_eq!(d.datetime.second(), 23);
    }

    #[test]
    fn whole_seconds_send_zero() {
        assert_eq!(WireDate::new(at("101010")).millisecond, 0);
    }

    #[test]
    fn parses_dicom_forms() {
        assert_eq!(parse_tm("19"), Some((19, 0, 0, 0)));
        assert_eq!(parse_tm("1901"), Some((19, 1, 0, 0)));
        assert_eq!(parse_tm("19:01:23.5"), Some((19, 1, 23, 500_000_000)));
        assert_eq!(
            parse_tm("190123.123456789123"),
            Some((19, 1, 23, 123_456_789))
        );
        assert_eq!(parse_tm("25"), None);
        assert_eq!(parse_tm("ab"), None);
        assert_eq!(parse_tm(""), None);
        assert_eq!(parse_da("1900.01.01"), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(parse_da("2022083"), None);
        assert_eq!(parse_da("20221399"), None);
    }

    #[test]
    fn dates_before_the_reference_do_not_panic() {
        let d = NaiveDate::from_ymd_opt(1900, 1, 1).and_then(|d| d.and_hms_milli_opt(0, 0, 0, 250));
        let d = d.expect("valid");
        let _ = WireDate::new(d);
    }
}
