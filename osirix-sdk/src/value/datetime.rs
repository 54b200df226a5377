//! OsiriX dates: local wall-clock components with no time zone, and a `millisecond` field that is really
//! `1000 × nanoseconds` wrapped to 32 bits (see docs/osirix-behaviour.md, *Dates*).
//!
//! Dates decode to [`chrono::NaiveDateTime`]: the server's local time, exactly as OsiriX displays it. The
//! sub-second part is recovered from the wrapped `millisecond` only when exactly one nanosecond value below one
//! second could have produced it, and is then rounded to the millisecond; otherwise the date carries whole
//! seconds. A date of all zeros (what OsiriX sends for a missing date) or an impossible component is a
//! malformed response.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};

use super::{FromWire, Malformed};
use crate::Client;
use crate::cache::Kept;

/// The seven components of a date-time response.
pub trait DateTimeParts {
    /// `(year, month, day, hour, minute, second, millisecond)` as sent.
    fn parts(&self) -> [i32; 7];
}

/// The three components of a date response.
pub trait DateParts {
    /// `(year, month, day)` as sent.
    fn parts(&self) -> [i32; 3];
}

macro_rules! date_time_responses {
    ($($ty:ident),*) => {$(
        impl DateTimeParts for crate::proto::$ty {
            fn parts(&self) -> [i32; 7] {
                [self.year, self.month, self.day, self.hour, self.minute, self.second, self.millisecond]
            }
        }
    )*};
}
date_time_responses!(
    DicomSeriesDateResponse,
    DicomStudyDateResponse,
    DicomStudyDateAddedResponse,
    DicomImageDateResponse
);

impl DateParts for crate::proto::DicomStudyDateOfBirthResponse {
    fn parts(&self) -> [i32; 3] {
        [self.year, self.month, self.day]
    }
}

impl<R: DateTimeParts> FromWire<R> for NaiveDateTime {
    fn from_wire(wire: R, _: &Client) -> Result<Self, Malformed> {
        date_time_from_parts(wire.parts())
    }

    const __KEEPS_VALUE: bool = true;

    fn __keep(&self) -> Kept {
        Kept::any(*self)
    }

    fn __restore(kept: &Kept, _: &Client) -> Option<Self> {
        kept.downcast::<NaiveDateTime>().copied()
    }
}

impl<R: DateParts> FromWire<R> for NaiveDate {
    fn from_wire(wire: R, _: &Client) -> Result<Self, Malformed> {
        let [y, m, d] = wire.parts();
        date_from_parts(y, m, d)
    }

    const __KEEPS_VALUE: bool = true;

    fn __keep(&self) -> Kept {
        Kept::Word(u64::from(self.num_days_from_ce() as u32))
    }

    fn __restore(kept: &Kept, _: &Client) -> Option<Self> {
        match kept {
            Kept::Word(days) => {
                NaiveDate::from_num_days_from_ce_opt(u32::try_from(*days).ok()? as i32)
            }
            _ => None,
        }
    }
}

fn date_from_parts(year: i32, month: i32, day: i32) -> Result<NaiveDate, Malformed> {
    if year == 0 && month == 0 && day == 0 {
        return Err(Malformed::new(
            "the date is all zeros (OsiriX sends that for a missing date)",
        ));
    }
    let month_u = u32::try_from(month).ok();
    let day_u = u32::try_from(day).ok();
    month_u
        .zip(day_u)
        .and_then(|(m, d)| NaiveDate::from_ymd_opt(year, m, d))
        .ok_or_else(|| Malformed::new(format!("impossible date {year:04}-{month:02}-{day:02}")))
}

/// Builds the date-time from the seven wire components.
pub(crate) fn date_time_from_parts(
    [y, mo, d, h, mi, s, ms]: [i32; 7],
) -> Result<NaiveDateTime, Malformed> {
    let date = date_from_parts(y, mo, d)?;
    let (h_u, mi_u, s_u) = (
        u32::try_from(h).ok(),
        u32::try_from(mi).ok(),
        u32::try_from(s).ok(),
    );
    let time = match (h_u, mi_u, s_u) {
        (Some(h), Some(mi), Some(s)) if s < 60 => NaiveTime::from_hms_opt(h, mi, s),
        _ => None,
    }
    .ok_or_else(|| Malformed::new(format!("impossible time {h:02}:{mi:02}:{s:02}")))?;
    let millis = decode_millisecond(ms).unwrap_or(0);
    Ok(NaiveDateTime::new(date, time) + chrono::Duration::milliseconds(i64::from(millis)))
}

/// Recovers the milliseconds from OsiriX's wrapped `millisecond` field, when that is unambiguous.
///
/// OsiriX sends `(1000 × ns) mod 2³²` as a signed 32-bit number. Modulo 2³², `1000 × ns` has eight preimages
/// `ns` spaced 2²⁹ apart (when the value is a multiple of 8; none otherwise); one or two of them lie below one
/// second. Only a single candidate is decoded; the result is rounded to the millisecond, at most 999.
pub fn decode_millisecond(wire: i32) -> Option<u32> {
    let value = wire as u32;
    if !value.is_multiple_of(8) {
        return None;
    }
    // 1000 = 8 × 125: solve 125 × ns ≡ value / 8 (mod 2²⁹).
    const MOD: u64 = 1 << 29;
    const INV_125: u64 = inverse_mod_2_29(125);
    let base = (u64::from(value / 8) * INV_125) % MOD;
    let mut candidates = (0..8u64)
        .map(|k| base + k * MOD)
        .filter(|ns| *ns < 1_000_000_000);
    let ns = candidates.next()?;
    if candidates.next().is_some() {
        return None;
    }
    Some(((ns + 500_000) / 1_000_000).min(999) as u32)
}

/// The inverse of an odd number modulo 2²⁹, by Newton's iteration.
const fn inverse_mod_2_29(a: u64) -> u64 {
    let mut x = a; // correct to 3 bits for odd a
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x & ((1 << 29) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap(ns: i64) -> i32 {
        (1000 * ns) as i32
    }

    #[test]
    fn pinned_values_from_the_upstream_tests() {
        // 1718993592 decodes only to 529 999 971 ns; 1020924832 to 250 129 028 or 786 999 940 ns (the MR
        // phantom's values, see docs/osirix-behaviour.md, *Dates*).
        assert_eq!(decode_millisecond(1_718_993_592), Some(530));
        assert_eq!(decode_millisecond(1_020_924_832), None);
        assert_eq!(wrap(529_999_971), 1_718_993_592);
    }

    #[test]
    fn inverse_is_an_inverse() {
        assert_eq!((125 * inverse_mod_2_29(125)) % (1 << 29), 1);
    }

    #[test]
    fn unambiguous_values_round_trip() {
        let mut decoded = 0;
        for ns in (0..1_000_000_000i64).step_by(1_234_567) {
            if let Some(ms) = decode_millisecond(wrap(ns)) {
                decoded += 1;
                assert_eq!(
                    i64::from(ms),
                    ((ns + 500_000) / 1_000_000).min(999),
                    "ns {ns}"
                );
            }
        }
        assert!(decoded > 30, "{decoded}");
    }

    #[test]
    fn values_that_are_not_multiples_of_eight_are_ignored() {
        assert_eq!(decode_millisecond(7), None);
        assert_eq!(decode_millisecond(-1), None);
    }

    #[test]
    fn impossible_components_are_malformed() {
        assert!(date_time_from_parts([0; 7]).is_err());
        assert!(date_time_from_parts([2022, 13, 1, 0, 0, 0, 0]).is_err());
        assert!(date_time_from_parts([2022, 8, 3, 25, 0, 0, 0]).is_err());
        assert!(date_time_from_parts([2022, 8, 3, 10, 0, 60, 0]).is_err());
        assert!(date_time_from_parts([2022, -1, 3, 10, 0, 0, 0]).is_err());
        let ok = date_time_from_parts([2022, 8, 3, 19, 1, 19, 1_718_993_592]).unwrap();
        assert_eq!(ok.to_string(), "2022-08-03 19:01:19.530");
    }
}
