//! The naming rules of the protocol and of the generated code, in one place:
//! - RPCs are named `<Class><Method>`, the top-level ones `Osirix<Method>` (see docs/osirix-behaviour.md,
//!   *Wire*); the SDK names each RPC's response after the RPC (`__private::responses`);
//! - an OsiriX class name is a Rust type name (the handle message of the class);
//! - prost turns OsiriX's message names (`DicomSeriesSeriesSOPClassUIDResponse`) into upper camel case words
//!   (`DicomSeriesSeriesSopClassUidResponse`), split the way the `heck` crate splits them;
//! - the path, stale-handle message and docs of an accessor follow from its RPC and class.

/// The prefix of every top-level RPC (`impl Client`).
pub(crate) const CLIENT_PREFIX: &str = "Osirix";

/// The OsiriX class a block's RPCs belong to: `wire = "..."`, else the Rust name of the class.
pub(crate) fn class_name(rust_name: &syn::Ident, wire: Option<&syn::LitStr>) -> String {
    wire.map_or_else(|| rust_name.to_string(), syn::LitStr::value)
}

/// An OsiriX class name: ASCII letters and digits, starting with a letter (it names a Rust type).
pub(crate) fn is_class_name(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The `<Method>` of `rpc` in `class`, when `rpc` is `<class><Method>` with a method.
pub(crate) fn method_of<'a>(rpc: &'a str, class: &str) -> Option<&'a str> {
    rpc.strip_prefix(class).filter(|method| !method.is_empty())
}

/// The HTTP/2 path of `rpc`.
pub(crate) fn rpc_path(rpc: &str) -> String {
    format!("/osirixgrpc.OsiriXService/{rpc}")
}

/// The in-band message of an unknown handle of `class`.
pub(crate) fn stale_message(class: &str) -> String {
    format!("No {class} cached")
}

/// Converts an OsiriX message name to the Rust type name prost generates for it.
pub(crate) fn prost_type_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in words(name) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.extend(chars.flat_map(char::to_lowercase));
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Boundary,
    Lower,
    Upper,
}

/// Splits at lower→upper transitions and before the last capital of an acronym followed by a lowercase letter.
fn words(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in name.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<(usize, char)> = part.char_indices().collect();
        let mut start = 0;
        let mut mode = Mode::Boundary;
        for (n, &(i, c)) in chars.iter().enumerate() {
            let Some(&(next_i, next)) = chars.get(n + 1) else {
                break;
            };
            let next_mode = if c.is_lowercase() {
                Mode::Lower
            } else if c.is_uppercase() {
                Mode::Upper
            } else {
                mode
            };
            if next_mode == Mode::Lower && next.is_uppercase() {
                out.push(&part[start..next_i]);
                start = next_i;
                mode = Mode::Boundary;
            } else if mode == Mode::Upper && c.is_uppercase() && next.is_lowercase() {
                if start != i {
                    out.push(&part[start..i]);
                }
                start = i;
                mode = Mode::Boundary;
            } else {
                mode = next_mode;
            }
        }
        if start < part.len() {
            out.push(&part[start..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::prost_type_name as n;
    use super::*;

    #[test]
    fn an_rpc_belongs_to_the_class_it_starts_with() {
        assert_eq!(method_of("DicomSeriesPaths", "DicomSeries"), Some("Paths"));
        assert_eq!(method_of("DicomStudyPaths", "DicomSeries"), None);
        assert_eq!(method_of("ROI", "ROI"), None, "the class alone is no RPC");
        assert_eq!(method_of("OsirixVersion", CLIENT_PREFIX), Some("Version"));
        assert_eq!(
            rpc_path("OsirixVersion"),
            "/osirixgrpc.OsiriXService/OsirixVersion"
        );
        assert_eq!(stale_message("ROI"), "No ROI cached");
        assert!(is_class_name("VRController") && is_class_name("DCMPix"));
        assert!(!is_class_name("") && !is_class_name("2DViewer") && !is_class_name("Dicom Series"));
    }

    #[test]
    fn matches_prost_for_the_odd_names_of_the_protocol() {
        assert_eq!(
            n("DicomSeriesSeriesSOPClassUIDResponse"),
            "DicomSeriesSeriesSopClassUidResponse"
        );
        assert_eq!(
            n("DicomImageSOPInstanceUIDResponse"),
            "DicomImageSopInstanceUidResponse"
        );
        assert_eq!(n("ROIITypeResponse"), "RoiiTypeResponse");
        assert_eq!(
            n("ViewerControllerROIsWithNameRequest"),
            "ViewerControllerRoIsWithNameRequest"
        );
        assert_eq!(
            n("VRControllerViewer2DResponse"),
            "VrControllerViewer2DResponse"
        );
        assert_eq!(
            n("OsirixDisplayed2DViewersResponse"),
            "OsirixDisplayed2DViewersResponse"
        );
        assert_eq!(n("DCMPixIsRGBResponse"), "DcmPixIsRgbResponse");
        assert_eq!(n("VRControllerWLWWResponse"), "VrControllerWlwwResponse");
        assert_eq!(n("DicomSeries"), "DicomSeries");
        assert_eq!(n("ROI"), "Roi");
        assert_eq!(
            n("DicomStudyPatientIDResponse"),
            "DicomStudyPatientIdResponse"
        );
        assert_eq!(n("DicomStudyNoFilesResponse"), "DicomStudyNoFilesResponse");
        assert_eq!(n("Response"), "Response");
    }
}
