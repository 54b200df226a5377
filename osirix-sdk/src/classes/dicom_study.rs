//! `DicomStudy`: one study of the OsiriX database.

use chrono::{NaiveDate, NaiveDateTime};

use crate::{DicomImage, DicomSeries};

crate::osirix_class! {
    /// A study of the OsiriX database (`DicomStudy`), bound to the client it came from.
    ///
    /// OsiriX reports a missing attribute of a study as an in-band "... not available" failure; those become
    /// `None`.
    pub class DicomStudy {
        /// The file paths of the study, in unspecified order.
        #[rpc(DicomStudyPaths, cache(growable))]
        pub fn paths() -> Vec<String> = paths;

        /// Every image of the study, in unspecified order.
        #[rpc(DicomStudyImages, cache(growable))]
        pub fn images() -> Vec<DicomImage> = images;

        /// OsiriX's list of modalities, backslash-separated (e.g. `PT\CT`).
        #[rpc(DicomStudyModalities, cache(growable), absent = "Modalities not available")]
        pub fn modalities() -> Option<String> = modalities;

        /// The number of files.
        #[rpc(DicomStudyNoFiles, cache(growable), absent = "Number of files not available")]
        pub fn number_of_files() -> Option<u32> = no_files;

        /// The raw number of files (including OsiriX's own ROI and report files).
        #[rpc(DicomStudyRawNoFiles, cache(growable), absent = "Raw number of files not available")]
        pub fn raw_number_of_files() -> Option<u32> = no_files;

        /// The number of images.
        #[rpc(DicomStudyNumberOfImages, cache(growable), absent = "Number of images not available")]
        pub fn number_of_images() -> Option<u32> = no_images;

        /// Every series of the study, in unspecified order, including the SR series OsiriX makes for ROIs and
        /// reports.
        #[rpc(DicomStudySeries, cache(growable))]
        pub fn series() -> Vec<DicomSeries> = series;

        /// The patient name (OsiriX calls this RPC `DicomStudyName`).
        #[rpc(DicomStudyName, cache, absent = "Study name not available")]
        pub fn patient_name() -> Option<String> = name;

        /// The study date and time, local to the OsiriX machine.
        #[rpc(DicomStudyDate, cache, absent = "Study date not available")]
        pub fn date() -> Option<NaiveDateTime>;

        /// When the study was added to the database, local to the OsiriX machine.
        #[rpc(DicomStudyDateAdded, cache, absent = "Date added not available")]
        pub fn date_added() -> Option<NaiveDateTime>;

        /// The patient's date of birth.
        #[rpc(DicomStudyDateOfBirth, cache, absent = "Date of birth not available")]
        pub fn date_of_birth() -> Option<NaiveDate>;

        /// The institution name.
        #[rpc(DicomStudyInstitutionName, cache, absent = "Institution name not available")]
        pub fn institution_name() -> Option<String> = institution_name;

        /// The study modality.
        #[rpc(DicomStudyModality, cache, absent = "Modality not available")]
        pub fn modality() -> Option<String> = modality;

        /// The patient ID.
        #[rpc(DicomStudyPatientID, cache, absent = "Patient ID not available")]
        pub fn patient_id() -> Option<String> = patient_id;

        /// OsiriX's composite patient key (NAME-ID-DOB, upper case).
        #[rpc(DicomStudyPatientUID, cache, absent = "Patient UID not available")]
        pub fn patient_uid() -> Option<String> = patient_uid;

        /// The patient sex.
        #[rpc(DicomStudyPatientSex, cache, absent = "Patient sex not available")]
        pub fn patient_sex() -> Option<String> = patient_sex;

        /// The performing physician.
        #[rpc(DicomStudyPerformingPhysician, cache, absent = "Performing physician not available")]
        pub fn performing_physician() -> Option<String> = performing_physician;

        /// The referring physician.
        #[rpc(DicomStudyReferringPhysician, cache, absent = "Referring physician not available")]
        pub fn referring_physician() -> Option<String> = referring_physician;

        /// The study instance UID.
        #[rpc(DicomStudyStudyInstanceUID, cache, absent = "Study instance UID not available")]
        pub fn study_instance_uid() -> Option<String> = study_instance_uid;

        /// The study name (the description, as OsiriX stores it).
        #[rpc(DicomStudyStudyName, cache, absent = "Study name not available")]
        pub fn study_name() -> Option<String> = study_name;
    }
}
