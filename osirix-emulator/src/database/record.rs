//! The records of a catalogue: what the server reports for each study, series and image.
//!
//! Fields hold the values as OsiriX would report them, after its import-time changes (see
//! docs/osirix-behaviour.md, *The database*). `Option` marks values the server reports as "... not
//! available"; values OsiriX reports as 0 or "" when missing are stored as that 0 or "". Indices point into
//! the catalogue's slices.

use chrono::NaiveDate;

use crate::wire_date::WireDate;

/// A study, as the `DicomStudy*` RPCs report it.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// The uid the emulator first hands out for this study (stable for a given catalogue).
    pub uid: String,
    /// DICOM StudyInstanceUID (`DicomStudyStudyInstanceUID`).
    pub study_instance_uid: String,
    /// StudyDescription, title-cased word by word as OsiriX stores it (`DicomStudyStudyName`).
    pub study_name: Option<String>,
    /// PatientName (`DicomStudyName`).
    pub patient_name: Option<String>,
    /// PatientID (`DicomStudyPatientID`).
    pub patient_id: Option<String>,
    /// OsiriX's patient key NAME-ID-DOB (DOB as `YYYYMMDD`), upper case (`DicomStudyPatientUID`).
    pub patient_uid: Option<String>,
    /// PatientSex (`DicomStudyPatientSex`).
    pub patient_sex: Option<String>,
    /// PatientBirthDate (`DicomStudyDateOfBirth`).
    pub date_of_birth: Option<NaiveDate>,
    /// InstitutionName (`DicomStudyInstitutionName`).
    pub institution_name: Option<String>,
    /// ReferringPhysicianName (`DicomStudyReferringPhysician`).
    pub referring_physician: Option<String>,
    /// PerformingPhysicianName (`DicomStudyPerformingPhysician`).
    pub performing_physician: Option<String>,
    /// The modality of the study's first series in series-number order (`DicomStudyModality`).
    pub modality: Option<String>,
    /// The distinct series modalities in series-number order, joined with `\` (`DicomStudyModalities`).
    pub modalities: Option<String>,
    /// The earliest image date of the study (`DicomStudyDate`).
    pub date: Option<WireDate>,
    /// When the study entered the database: when the folder was read, or the import that added it
    /// (`DicomStudyDateAdded`).
    pub date_added: WireDate,
    /// Number of files (`DicomStudyNoFiles`).
    pub no_files: i32,
    /// Number of files including OsiriX's own SR files, of which the emulator has none (`DicomStudyRawNoFiles`).
    pub raw_no_files: i32,
    /// Number of images (`DicomStudyNumberOfImages`).
    pub number_of_images: i32,
    /// The study's series, in the emulator's deterministic "unordered" order (`DicomStudySeries`).
    pub series: Vec<usize>,
    /// The study's images, in the "unordered" order (`DicomStudyImages`, `DicomStudyPaths`).
    pub images: Vec<usize>,
}

/// A series, as the `DicomSeries*` RPCs report it.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// The uid the emulator first hands out for this series.
    pub uid: String,
    /// Index of the parent study (`DicomSeriesStudy`).
    pub study: usize,
    /// OsiriX's series UID: the DICOM one plus `" TE-<EchoTime>"` for MR with an EchoTime
    /// (`DicomSeriesSeriesInstanceUID`).
    pub series_instance_uid: String,
    /// The SeriesInstanceUID as written in the files.
    pub dicom_series_instance_uid: String,
    /// SOPClassUID of the series' images, "" when missing (`DicomSeriesSeriesSOPClassUID`).
    pub sop_class_uid: String,
    /// SeriesDescription (`DicomSeriesSeriesDescription`).
    pub description: Option<String>,
    /// The series name: the description, or `"unnamed"` as OsiriX names series without one (`DicomSeriesName`).
    pub name: String,
    /// Modality, "" when missing (`DicomSeriesModality`).
    pub modality: String,
    /// SeriesNumber, which orders next/previous series within the study.
    pub series_number: Option<i32>,
    /// The date of the image with the highest instance number (`DicomSeriesDate`; zeros when `None`).
    pub date: Option<WireDate>,
    /// Number of images (`DicomSeriesNumberOfImages`).
    pub number_of_images: i32,
    /// The images, in the "unordered" order (`DicomSeriesImages`, `DicomSeriesPaths`).
    pub images: Vec<usize>,
    /// The images by instance number, then slice location (`DicomSeriesSortedImages`).
    pub sorted_images: Vec<usize>,
    /// The previous series of the study in series-number order (`DicomSeriesPreviousSeries`).
    pub previous: Option<usize>,
    /// The next series of the study in series-number order (`DicomSeriesNextSeries`).
    pub next: Option<usize>,
}

/// An image (one file), as the `DicomImage*` RPCs report it.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// The uid the emulator first hands out for this image.
    pub uid: String,
    /// Index of the parent series (`DicomImageSeries`).
    pub series: usize,
    /// Index of the study.
    pub study: usize,
    /// Absolute path of the file (`DicomImageCompletePath`).
    pub path: String,
    /// SOPInstanceUID (`DicomImageSOPInstanceUID`).
    pub sop_instance_uid: String,
    /// Columns as OsiriX sends it: a signed 32-bit value in a uint32, 0 when missing (`DicomImageWidth`).
    pub width: u32,
    /// Rows, converted like `width` (`DicomImageHeight`).
    pub height: u32,
    /// NumberOfFrames, 1 when the tag is missing (`DicomImageNumberOfFrames`).
    pub number_of_frames: u32,
    /// Modality, "" when missing (`DicomImageModality`).
    pub modality: String,
    /// InstanceNumber, converted like `width`, 0 when missing (`DicomImageInstanceNumber`).
    pub instance_number: u32,
    /// SliceLocation as a 32-bit float, 0.0 when missing (`DicomImageSliceLocation`).
    pub slice_location: f32,
    /// AcquisitionDate/Time, else SeriesDate/Time, else StudyDate/Time (`DicomImageDate`; zeros when `None`).
    pub date: Option<WireDate>,
}
