//! Caching and declared absences on a user class: `cache`, `cache(growable)`, `absent` (repeated), a cached
//! whole-response decode into a user type (which implements one trait, `FromWire`, and nothing else), cached
//! handles of the SDK's own classes, `idempotent`, and `response = path`.

use osirix_sdk::proto::DicomStudyDateResponse;
use osirix_sdk::{DicomSeries, FromWire, Handle, Malformed};

osirix_sdk::osirix_class! {
    /// A second view of OsiriX's `DicomStudy`, declared by the user.
    #[osirix(wire = "DicomStudy")]
    pub class Study {
        /// Cached until evicted.
        #[rpc(DicomStudyPatientID, cache, absent = "Patient ID not available", absent = "No patient ID")]
        pub fn patient_id() -> Option<String> = patient_id;

        /// Cached for the growable time-to-live.
        #[rpc(DicomStudyPaths, cache(growable))]
        pub fn paths() -> Vec<String> = paths;

        /// A growable count that can be absent.
        #[rpc(DicomStudyNoFiles, cache(growable), absent = "Number of files not available")]
        pub fn number_of_files() -> Option<u32> = no_files;

        /// Handles of an SDK class, cached.
        #[rpc(DicomStudySeries, cache(growable))]
        pub fn series() -> Vec<DicomSeries> = series;

        /// A whole response decoded into a user type and cached.
        #[rpc(DicomStudyDate, cache, absent = "Study date not available")]
        pub fn year() -> Option<Year>;

        /// Not cached, explicitly retried, response named by a full path.
        #[rpc(DicomStudyModality, idempotent, response = osirix_sdk::proto::DicomStudyModalityResponse)]
        pub fn modality() -> String = modality;
    }
}

/// A user type decoded from a whole response and kept in the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Year(pub i32);

impl FromWire<DicomStudyDateResponse> for Year {
    fn from_wire(wire: DicomStudyDateResponse, _: &osirix_sdk::Client) -> Result<Self, Malformed> {
        Ok(Year(wire.year))
    }
}

async fn use_it(s: &Study) -> osirix_sdk::Result<()> {
    let _id: Option<String> = s.patient_id().await?;
    let _paths: Vec<String> = s.paths().await?;
    let _n: Option<u32> = s.number_of_files().await?;
    let series: Vec<DicomSeries> = s.series().await?;
    for one in &series {
        let _modality: String = one.modality().await?;
    }
    let _year: Option<Year> = s.year().await?;
    let _modality: String = s.modality().await?;
    Ok(())
}

fn assert_send<T: Send>(_: T) {}

#[allow(dead_code)]
fn check_send(s: &Study) {
    assert_send(use_it(s));
}

fn main() {
    assert_eq!(Study::CLASS, "DicomStudy");
    // The user type holds no handle and keeps its default weight.
    assert!(!<Year as FromWire<DicomStudyDateResponse>>::HOLDS_HANDLES);
    assert!(<Study as FromWire<Option<osirix_sdk::proto::DicomStudy>>>::HOLDS_HANDLES);
}
