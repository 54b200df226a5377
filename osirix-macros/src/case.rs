//! prost's naming of generated types: OsiriX's message names (`DicomSeriesSeriesSOPClassUIDResponse`) become
//! upper camel case words (`DicomSeriesSeriesSopClassUidResponse`), split the way the `heck` crate splits them.

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
