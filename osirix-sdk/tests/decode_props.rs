//! Property tests of every conversion from a server's answer to a Rust value, through the public surface:
//! [`osirix_sdk::decode_millisecond`] and [`osirix_sdk::FromWire`], the trait the generated accessors call.
//! Whatever the server sends, a conversion returns a value or a `Malformed` reason; it never panics, wraps a
//! number, or hands out a handle without a valid uid.

use std::collections::HashSet;
use std::sync::OnceLock;

use osirix_sdk::chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use osirix_sdk::{
    BrowserController, Client, DicomImage, DicomSeries, DicomStudy, FromWire, MAX_UID_LEN,
    Malformed, Selection, Version, proto,
};
use proptest::prelude::*;

/// A client for handles to bind to. It never connects (nothing is sent), but building one needs a runtime.
fn client() -> &'static Client {
    static CLIENT: OnceLock<(tokio::runtime::Runtime, Client)> = OnceLock::new();
    &CLIENT
        .get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime");
            let client = {
                let _guard = runtime.enter();
                Client::builder("http://127.0.0.1:1")
                    .connect_lazy()
                    .expect("lazy client")
            };
            (runtime, client)
        })
        .1
}

// ---- The wrapped `millisecond` (see docs/osirix-behaviour.md, *Dates*) ----

/// The inverse of 125 modulo 2^29, by the extended Euclidean algorithm (independent of the SDK's Newton
/// iteration).
fn inverse_of_125() -> i128 {
    let (mut r0, mut r1) = (1i128 << 29, 125i128);
    let (mut t0, mut t1) = (0i128, 1i128);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 - q * t1);
    }
    t0.rem_euclid(1 << 29)
}

/// Every `ns` below one second with `(1000 × ns) as i32 == wire`.
fn preimages(wire: i32) -> Vec<u64> {
    let value = u64::from(wire as u32);
    if value % 8 != 0 {
        return Vec::new();
    }
    let base = (i128::from(value / 8) * inverse_of_125()).rem_euclid(1 << 29) as u64;
    (0..8u64)
        .map(|k| base + (k << 29))
        .filter(|ns| *ns < 1_000_000_000)
        .collect()
}

fn rounded_ms(ns: u64) -> u32 {
    (((ns + 500_000) / 1_000_000).min(999)) as u32
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn decode_millisecond_never_panics_and_stays_below_a_second(wire in any::<i32>()) {
        if let Some(ms) = osirix_sdk::decode_millisecond(wire) {
            prop_assert!(ms < 1000);
        }
    }

    #[test]
    fn decode_millisecond_decodes_exactly_the_unambiguous_values(wire in prop_oneof![any::<i32>(), any::<i32>().prop_map(|w| w & !7)]) {
        let candidates = preimages(wire);
        let expected = match candidates.as_slice() {
            [ns] => Some(rounded_ms(*ns)),
            _ => None,
        };
        prop_assert_eq!(osirix_sdk::decode_millisecond(wire), expected, "candidates {:?}", candidates);
    }

    #[test]
    fn decode_millisecond_round_trips(ns in 0u64..1_000_000_000) {
        let wire = (1000 * ns) as i32;
        match osirix_sdk::decode_millisecond(wire) {
            None => prop_assert!(preimages(wire).len() > 1, "ns {} has a single preimage but was not decoded", ns),
            Some(ms) => prop_assert_eq!(ms, rounded_ms(ns)),
        }
    }
}

#[test]
fn decode_millisecond_pinned_values() {
    // Whole seconds: 0 is ambiguous (0 or 536 870 912 ns), so it is not decoded and the date keeps whole
    // seconds. Then the phantom's two values (docs/osirix-behaviour.md, *Dates*), and the edges.
    assert_eq!(osirix_sdk::decode_millisecond(0), None);
    assert_eq!(osirix_sdk::decode_millisecond(1_718_993_592), Some(530));
    assert_eq!(osirix_sdk::decode_millisecond(1_020_924_832), None);
    // Only 463 129 088 ..= 536 870 911 ns have a single preimage below one second (2^29 ns apart).
    let wrap = |ns: u64| (1000 * ns) as i32;
    assert_eq!(osirix_sdk::decode_millisecond(wrap(463_129_087)), None);
    assert_eq!(osirix_sdk::decode_millisecond(wrap(463_129_088)), Some(463));
    assert_eq!(osirix_sdk::decode_millisecond(wrap(500_000_000)), Some(500));
    assert_eq!(osirix_sdk::decode_millisecond(wrap(536_870_911)), Some(537));
    assert_eq!(osirix_sdk::decode_millisecond(wrap(536_870_912)), None);
    assert_eq!(osirix_sdk::decode_millisecond(wrap(999_999_999)), None);
    for wire in [i32::MIN, i32::MAX, -1, 1, -8, 8] {
        assert!(osirix_sdk::decode_millisecond(wire).is_none_or(|ms| ms < 1000));
    }
}

// ---- Counts and unsigned values ----

proptest! {
    #[test]
    fn counts_are_never_wrapped(wire in any::<i32>()) {
        let decoded = <u32 as FromWire<i32>>::from_wire(wire, client());
        if wire >= 0 {
            prop_assert_eq!(decoded, Ok(wire as u32));
        } else {
            prop_assert!(decoded.unwrap_err().0.contains("negative"));
        }
        // The optional counts of `DicomStudy` go the same way.
        let optional = <Option<u32> as FromWire<i32>>::from_wire(wire, client());
        prop_assert_eq!(optional.is_ok(), wire >= 0);
    }

    #[test]
    fn uint32_values_above_i32_max_are_malformed(wire in prop_oneof![any::<u32>(), 0u32..=i32::MAX as u32, i32::MAX as u32..=u32::MAX]) {
        let decoded = <u32 as FromWire<u32>>::from_wire(wire, client());
        if wire <= i32::MAX as u32 {
            prop_assert_eq!(decoded, Ok(wire));
        } else {
            prop_assert!(decoded.is_err());
        }
    }

    #[test]
    fn scalars_pass_through(i in any::<i32>(), f in any::<f32>(), b in any::<bool>(), s in any::<String>(), v in proptest::collection::vec(any::<String>(), 0..8)) {
        prop_assert_eq!(<i32 as FromWire<i32>>::from_wire(i, client()), Ok(i));
        prop_assert_eq!(<f32 as FromWire<f32>>::from_wire(f, client()).map(f32::to_bits), Ok(f.to_bits()));
        prop_assert_eq!(<bool as FromWire<bool>>::from_wire(b, client()), Ok(b));
        prop_assert_eq!(<String as FromWire<String>>::from_wire(s.clone(), client()), Ok(s));
        prop_assert_eq!(<Vec<String> as FromWire<Vec<String>>>::from_wire(v.clone(), client()), Ok(v));
        let version = proto::OsirixVersionResponse { status: None, version: "1".into(), bundle_name: "B".into() };
        let decoded = <Version as FromWire<proto::OsirixVersionResponse>>::from_wire(version, client()).expect("version");
        prop_assert_eq!((decoded.version.as_str(), decoded.bundle_name.as_str()), ("1", "B"));
    }
}

// ---- Dates ----

/// A component: mostly near its valid range (so that valid dates come up), sometimes any `i32`.
fn component(lo: i32, hi: i32) -> impl Strategy<Value = i32> {
    prop_oneof![4 => lo..=hi, 1 => any::<i32>(), 1 => Just(0)]
}

fn year() -> impl Strategy<Value = i32> {
    prop_oneof![4 => -2..=3000i32, 1 => any::<i32>(), 1 => Just(0), 1 => -262_145..=-262_140i32, 1 => 262_140..=262_145i32]
}

fn date_parts() -> impl Strategy<Value = [i32; 7]> {
    (
        year(),
        component(-1, 13),
        component(-1, 32),
        component(-1, 25),
        component(-1, 61),
        component(-1, 61),
        any::<i32>(),
    )
        .prop_map(|(y, mo, d, h, mi, s, ms)| [y, mo, d, h, mi, s, ms])
}

/// The date the parts stand for, by the rules of the SDK's documentation: none for an all-zero date or an
/// impossible component; milliseconds only when the wrapped value is unambiguous.
fn expected_date(y: i32, mo: i32, d: i32) -> Option<NaiveDate> {
    if (y, mo, d) == (0, 0, 0) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, u32::try_from(mo).ok()?, u32::try_from(d).ok()?)
}

fn expected_date_time([y, mo, d, h, mi, s, ms]: [i32; 7]) -> Option<NaiveDateTime> {
    let date = expected_date(y, mo, d)?;
    let (h, mi, s) = (
        u32::try_from(h).ok()?,
        u32::try_from(mi).ok()?,
        u32::try_from(s).ok()?,
    );
    if s >= 60 {
        return None;
    }
    let time = NaiveTime::from_hms_opt(h, mi, s)?;
    let millis = osirix_sdk::decode_millisecond(ms).unwrap_or(0);
    Some(date.and_time(time) + Duration::milliseconds(i64::from(millis)))
}

fn check_date_time<R>(parts: [i32; 7], response: R) -> Result<(), TestCaseError>
where
    NaiveDateTime: FromWire<R>,
{
    let decoded = <NaiveDateTime as FromWire<R>>::from_wire(response, client());
    match (expected_date_time(parts), decoded) {
        (Some(expected), Ok(got)) => {
            prop_assert_eq!(got, expected);
            prop_assert!(got.nanosecond() < 1_000_000_000 && got.nanosecond() % 1_000_000 == 0);
        }
        (None, Err(why)) => prop_assert!(!why.0.is_empty()),
        (expected, got) => prop_assert!(
            false,
            "{:?}: expected {:?}, decoded {:?}",
            parts,
            expected,
            got
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn date_times_are_ok_only_when_valid(parts in date_parts()) {
        let [year, month, day, hour, minute, second, millisecond] = parts;
        check_date_time(parts, proto::DicomSeriesDateResponse { status: None, year, month, day, hour, minute, second, millisecond })?;
        check_date_time(parts, proto::DicomStudyDateResponse { status: None, year, month, day, hour, minute, second, millisecond })?;
        check_date_time(parts, proto::DicomStudyDateAddedResponse { status: None, year, month, day, hour, minute, second, millisecond })?;
        check_date_time(parts, proto::DicomImageDateResponse { status: None, year, month, day, hour, minute, second, millisecond })?;
    }

    #[test]
    fn any_seven_i32_never_panic(parts in proptest::array::uniform7(any::<i32>())) {
        let [year, month, day, hour, minute, second, millisecond] = parts;
        check_date_time(parts, proto::DicomSeriesDateResponse { status: None, year, month, day, hour, minute, second, millisecond })?;
    }

    #[test]
    fn an_all_zero_date_is_malformed_whatever_the_time(h in any::<i32>(), mi in any::<i32>(), s in any::<i32>(), ms in any::<i32>()) {
        let response = proto::DicomImageDateResponse { status: None, year: 0, month: 0, day: 0, hour: h, minute: mi, second: s, millisecond: ms };
        prop_assert!(<NaiveDateTime as FromWire<_>>::from_wire(response, client()).is_err());
    }

    #[test]
    fn dates_of_birth_are_ok_only_when_valid(year in year(), month in component(-1, 13), day in component(-1, 32)) {
        let response = proto::DicomStudyDateOfBirthResponse { status: None, year, month, day };
        let decoded = <NaiveDate as FromWire<_>>::from_wire(response, client());
        match expected_date(year, month, day) {
            Some(expected) => prop_assert_eq!(decoded, Ok(expected)),
            None => prop_assert!(decoded.is_err()),
        }
    }
}

// ---- Handles ----

/// Whether the SDK must accept `uid` as a handle: non-empty, at most 256 bytes, no control character.
fn valid_uid(uid: &str) -> bool {
    !uid.is_empty() && uid.len() <= MAX_UID_LEN && !uid.chars().any(char::is_control)
}

/// A uid as a server might send it: a real-looking one, one of a small pool (to get repeats), empty, too long,
/// with control characters, or any string at all.
fn uid() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}",
        2 => prop::sample::select(vec!["A", "B", "C", "DUP-UID"]).prop_map(str::to_owned),
        1 => Just(String::new()),
        1 => (250usize..=260).prop_map(|n| "U".repeat(n)),
        1 => "[A-Z]{0,4}[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}][A-Z]{0,4}",
        2 => any::<String>(),
    ]
}

fn check_list<H>(uids: &[String], decoded: Result<Vec<H>, Malformed>) -> Result<(), TestCaseError>
where
    H: osirix_sdk::Handle,
{
    let all_valid = uids.iter().all(|u| valid_uid(u));
    let distinct = uids.iter().collect::<HashSet<_>>().len() == uids.len();
    match decoded {
        Ok(handles) => {
            prop_assert!(all_valid && distinct, "accepted {:?}", uids);
            let got: Vec<&str> = handles.iter().map(|h| h.uid()).collect();
            prop_assert_eq!(got, uids.iter().map(String::as_str).collect::<Vec<_>>());
            prop_assert!(handles.iter().all(|h| h.client().same_as(client())));
        }
        Err(why) => {
            prop_assert!(!(all_valid && distinct), "rejected {:?}: {}", uids, why.0);
            // The reason names no uid.
            for uid in uids.iter().filter(|u| u.len() > 3) {
                prop_assert!(!why.0.contains(uid.as_str()), "{} shows {:?}", why.0, uid);
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn handle_lists_accept_only_distinct_valid_uids(uids in proptest::collection::vec(uid(), 0..12)) {
        let wire = |f: fn(String) -> _| uids.iter().cloned().map(f).collect::<Vec<_>>();
        check_list::<DicomImage>(&uids, FromWire::from_wire(wire(|osirixrpc_uid| proto::DicomImage { osirixrpc_uid }), client()))?;
        let series: Vec<proto::DicomSeries> = uids.iter().cloned().map(|osirixrpc_uid| proto::DicomSeries { osirixrpc_uid }).collect();
        check_list::<DicomSeries>(&uids, FromWire::from_wire(series, client()))?;
        let studies: Vec<proto::DicomStudy> = uids.iter().cloned().map(|osirixrpc_uid| proto::DicomStudy { osirixrpc_uid }).collect();
        check_list::<DicomStudy>(&uids, FromWire::from_wire(studies, client()))?;
    }

    #[test]
    fn single_handles_need_a_valid_uid(uid in proptest::option::of(uid())) {
        let study = <DicomStudy as FromWire<_>>::from_wire(uid.clone().map(|osirixrpc_uid| proto::DicomStudy { osirixrpc_uid }), client());
        let browser = <BrowserController as FromWire<_>>::from_wire(
            uid.clone().map(|osirixrpc_uid| proto::BrowserController { osirixrpc_uid }),
            client(),
        );
        // `Option<DicomSeries>` (next/previous series): a missing handle is still malformed, since "no next
        // series" comes as an in-band failure, not as an empty payload.
        let next = <Option<DicomSeries> as FromWire<_>>::from_wire(uid.clone().map(|osirixrpc_uid| proto::DicomSeries { osirixrpc_uid }), client());
        let ok = uid.as_deref().is_some_and(valid_uid);
        prop_assert_eq!(study.is_ok(), ok);
        prop_assert_eq!(browser.is_ok(), ok);
        prop_assert_eq!(next.is_ok(), ok);
        if let (Ok(study), Some(uid)) = (study, uid) {
            prop_assert_eq!(study.uid(), uid.as_str());
        }
    }

    #[test]
    fn selections_check_both_lists(series in proptest::collection::vec(uid(), 0..6), studies in proptest::collection::vec(uid(), 0..6)) {
        let response = proto::BrowserControllerDatabaseSelectionResponse {
            status: None,
            series: series.iter().cloned().map(|osirixrpc_uid| proto::DicomSeries { osirixrpc_uid }).collect(),
            studies: studies.iter().cloned().map(|osirixrpc_uid| proto::DicomStudy { osirixrpc_uid }).collect(),
        };
        let fine = |uids: &[String]| uids.iter().all(|u| valid_uid(u)) && uids.iter().collect::<HashSet<_>>().len() == uids.len();
        let decoded = <Selection as FromWire<_>>::from_wire(response, client());
        prop_assert_eq!(decoded.is_ok(), fine(&series) && fine(&studies));
        if let Ok(selection) = decoded {
            prop_assert_eq!(selection.series.len(), series.len());
            prop_assert_eq!(selection.studies.len(), studies.len());
        }
    }
}

#[test]
fn a_hundred_thousand_copies_of_one_handle_are_malformed() {
    let wire = vec![
        proto::DicomImage {
            osirixrpc_uid: "E621E1F8-C36C-495A-93FC-0C247A3E6E5F".into()
        };
        100_000
    ];
    let decoded = <Vec<DicomImage> as FromWire<_>>::from_wire(wire, client());
    assert!(decoded.unwrap_err().0.contains("repeats"));
    let distinct: Vec<_> = (0..100_000)
        .map(|i| proto::DicomImage {
            osirixrpc_uid: format!("UID-{i}"),
        })
        .collect();
    assert_eq!(
        <Vec<DicomImage> as FromWire<_>>::from_wire(distinct, client())
            .expect("distinct")
            .len(),
        100_000
    );
}

// ---- What the viewer, pixel and ROI classes need: numeric lists, tuples, nested messages ----

osirix_sdk::osirix_class! {
    /// An ROI handle, declared here as a user would.
    #[osirix(wire = "ROI")]
    pub class Roi {}
}

proptest! {
    #[test]
    fn numeric_lists_pass_through(floats in proptest::collection::vec(any::<f32>(), 0..64), ints in proptest::collection::vec(any::<i32>(), 0..64), flags in proptest::collection::vec(any::<bool>(), 0..64)) {
        let decoded = <Vec<f32> as FromWire<Vec<f32>>>::from_wire(floats.clone(), client()).expect("floats");
        prop_assert_eq!(decoded.iter().map(|f| f.to_bits()).collect::<Vec<_>>(), floats.iter().map(|f| f.to_bits()).collect::<Vec<_>>());
        prop_assert_eq!(<Vec<i32> as FromWire<Vec<i32>>>::from_wire(ints.clone(), client()), Ok(ints.clone()));
        prop_assert_eq!(<Vec<bool> as FromWire<Vec<bool>>>::from_wire(flags.clone(), client()), Ok(flags));
        // A list of counts fails as a whole when one of them is negative.
        let counts = <Vec<u32> as FromWire<Vec<i32>>>::from_wire(ints.clone(), client());
        prop_assert_eq!(counts.is_ok(), ints.iter().all(|i| *i >= 0));
    }

    #[test]
    fn tuples_take_each_field_its_own_way(wl in any::<f32>(), count in any::<i32>(), name in any::<String>()) {
        let decoded = <(f32, u32, String) as FromWire<(f32, i32, String)>>::from_wire((wl, count, name.clone()), client());
        match decoded {
            Ok((got_wl, got_count, got_name)) => {
                prop_assert!(count >= 0);
                prop_assert_eq!((got_wl.to_bits(), got_count, got_name), (wl.to_bits(), count as u32, name));
            }
            Err(why) => prop_assert!(count < 0 && why.0.contains("negative")),
        }
    }

    #[test]
    fn points_and_roi_slices_decode_without_user_code(points in proptest::collection::vec((any::<f32>(), any::<f32>()), 0..16), slices in proptest::collection::vec(proptest::collection::vec(uid(), 0..4), 0..4)) {
        let wire: Vec<_> = points.iter().map(|&(x, y)| proto::roi_points_response::Point2D { x, y }).collect();
        let decoded = <Vec<(f32, f32)> as FromWire<_>>::from_wire(wire, client()).expect("points");
        prop_assert_eq!(decoded.len(), points.len());
        prop_assert!(decoded.iter().zip(&points).all(|(a, b)| a.0.to_bits() == b.0.to_bits() && a.1.to_bits() == b.1.to_bits()));
        let wire: Vec<_> = slices
            .iter()
            .map(|uids| proto::viewer_controller_roi_list_response::RoiSlice {
                rois: uids.iter().cloned().map(|osirixrpc_uid| proto::Roi { osirixrpc_uid }).collect(),
            })
            .collect();
        let decoded = <Vec<Vec<Roi>> as FromWire<_>>::from_wire(wire, client());
        let fine = slices.iter().all(|uids| uids.iter().all(|u| valid_uid(u)) && uids.iter().collect::<HashSet<_>>().len() == uids.len());
        prop_assert_eq!(decoded.is_ok(), fine);
        if let Ok(decoded) = decoded {
            let got: Vec<Vec<&str>> = decoded.iter().map(|slice| slice.iter().map(Roi::uid).collect()).collect();
            let expected: Vec<Vec<&str>> = slices.iter().map(|uids| uids.iter().map(String::as_str).collect()).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
