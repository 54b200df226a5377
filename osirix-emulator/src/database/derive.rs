//! The values OsiriX derives from a file's header on import.

use super::record::Image;
use super::scan::Header;
use crate::registry::{Class, derive_uid};
use crate::wire_date::{self, WireDate};

/// The name OsiriX gives a series without a SeriesDescription.
pub(super) const UNNAMED_SERIES: &str = "unnamed";

/// Identity of the one browser (hashed into its uid).
pub(crate) const BROWSER_IDENTITY: &str = "browser";

/// The DICOM identity of a series (OsiriX's series UID within its study), hashed into its uid.
pub(super) fn series_identity(study_instance_uid: &str, series_instance_uid: &str) -> String {
    format!("{study_instance_uid}\n{series_instance_uid}")
}

/// OsiriX's series UID: MR series are split by echo time and get `" TE-<EchoTime>"`.
pub(super) fn osirix_series_uid(h: &Header) -> String {
    match (&h.modality, &h.echo_time) {
        (Some(m), Some(te)) if m == "MR" => {
            let te = te.split('\\').next().unwrap_or_default().trim();
            let te = te
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map_or_else(|| te.to_owned(), |v| v.to_string());
            format!("{} TE-{te}", h.series_instance_uid)
        }
        _ => h.series_instance_uid.clone(),
    }
}

/// `NSString.capitalizedString`: the first letter of each space-separated word upper case, the rest lower.
pub(crate) fn title_case(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c.is_whitespace();
    }
    out
}

/// The image date: acquisition, else series, else study date and time.
fn image_date(h: &Header) -> Option<WireDate> {
    let day = |d: &Option<String>| d.as_deref().and_then(wire_date::parse_da);
    let acquisition = match (day(&h.acquisition_date), h.acquisition_time.as_deref()) {
        (Some(date), time) => Some((date, time)),
        // A time without its own date takes the series or study day.
        (None, Some(time)) => day(&h.series_date)
            .or_else(|| day(&h.study_date))
            .map(|d| (d, Some(time))),
        (None, None) => None,
    };
    let (date, time) = acquisition
        .or_else(|| day(&h.series_date).map(|d| (d, h.series_time.as_deref())))
        .or_else(|| day(&h.study_date).map(|d| (d, h.study_time.as_deref())))?;
    wire_date::join(date, time).map(WireDate::new)
}

/// One image record from its header (its series and study indices are set when it is placed).
pub(super) fn image(h: &Header) -> Image {
    Image {
        uid: derive_uid(Class::DicomImage, &h.sop_instance_uid, 0),
        series: 0,
        study: 0,
        path: h.path.clone(),
        sop_instance_uid: h.sop_instance_uid.clone(),
        // OsiriX's `intValue` into uint32: negative values wrap, as on the wire.
        width: h.columns.unwrap_or(0) as u32,
        height: h.rows.unwrap_or(0) as u32,
        number_of_frames: h.frames.unwrap_or(1) as u32,
        modality: h.modality.clone().unwrap_or_default(),
        instance_number: h.instance_number.unwrap_or(0) as u32,
        slice_location: h.slice_location.unwrap_or(0.0) as f32,
        date: image_date(h),
    }
}

/// OsiriX's patient key NAME-ID-DOB (DOB as `YYYYMMDD`), upper case; `None` when all three are missing.
pub(super) fn patient_uid(
    name: Option<&str>,
    id: Option<&str>,
    birth: Option<chrono::NaiveDate>,
) -> Option<String> {
    if name.is_none() && id.is_none() && birth.is_none() {
        return None;
    }
    let dob = birth
        .map(|d| d.format("%Y%m%d").to_string())
        .unwrap_or_default();
    let name = name.unwrap_or_default();
    let id = id.unwrap_or_default();
    Some(format!("{name}-{id}-{dob}").to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_is_word_by_word() {
        assert_eq!(title_case("osirixgrpc test study"), "Osirixgrpc Test Study");
        assert_eq!(title_case("MR  BRAIN w/o"), "Mr  Brain W/o");
        assert_eq!(title_case(""), "");
    }

    #[test]
    fn echo_time_suffix_only_for_mr() {
        let mut h = Header {
            series_instance_uid: "1.2".into(),
            modality: Some("MR".into()),
            echo_time: Some("98".into()),
            ..Header::default()
        };
        assert_eq!(osirix_series_uid(&h), "1.2 TE-98");
        h.echo_time = Some("98.50".into());
        assert_eq!(osirix_series_uid(&h), "1.2 TE-98.5");
        h.modality = Some("CT".into());
        assert_eq!(osirix_series_uid(&h), "1.2");
    }
}
