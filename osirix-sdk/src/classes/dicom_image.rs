//! `DicomImage`: one image (file) of the OsiriX database.

use chrono::NaiveDateTime;

use crate::DicomSeries;

crate::osirix_class! {
    /// An image of the OsiriX database (`DicomImage`), bound to the client it came from.
    ///
    /// OsiriX sends 0 for a missing width, height, frame count, instance number or slice location (see
    /// docs/osirix-behaviour.md, *Numbers, strings and absences*); those zeros are passed on as they are.
    pub class DicomImage {
        /// The number of columns.
        #[rpc(DicomImageWidth, cache)]
        pub fn width() -> u32 = width;

        /// The number of rows.
        #[rpc(DicomImageHeight, cache)]
        pub fn height() -> u32 = height;

        /// The SOP instance UID.
        #[rpc(DicomImageSOPInstanceUID, cache)]
        pub fn sop_instance_uid() -> String = sop_instance_uid;

        /// The absolute path of the file in the OsiriX database.
        #[rpc(DicomImageCompletePath, cache)]
        pub fn complete_path() -> String = complete_path;

        /// The image date and time (the acquisition time), local to the OsiriX machine.
        #[rpc(DicomImageDate, cache)]
        pub fn date() -> NaiveDateTime;

        /// The number of frames (1 for single-frame images, even without the DICOM tag).
        #[rpc(DicomImageNumberOfFrames, cache)]
        pub fn number_of_frames() -> u32 = number_of_frames;

        /// The modality, e.g. `"MR"`.
        #[rpc(DicomImageModality, cache)]
        pub fn modality() -> String = modality;

        /// The series the image belongs to.
        #[rpc(DicomImageSeries, cache)]
        pub fn series() -> DicomSeries = series;

        /// The slice location, as the 32-bit float OsiriX sends (DICOM precision is lost on the server).
        #[rpc(DicomImageSliceLocation, cache)]
        pub fn slice_location() -> f32 = slice_location;

        /// The instance number.
        #[rpc(DicomImageInstanceNumber, cache)]
        pub fn instance_number() -> u32 = instance_number;
    }
}
