//! `DicomSeries`: one series of the OsiriX database.

use chrono::NaiveDateTime;
use futures_util::future::try_join_all;

use crate::{DicomImage, DicomStudy, Result};

crate::osirix_class! {
    /// A series of the OsiriX database (`DicomSeries`), bound to the client it came from.
    ///
    /// Obtain one from [`DicomStudy::series`], [`DicomImage::series`], the browser's selection, or
    /// [`DicomSeries::from_uid`].
    pub class DicomSeries {
        /// The file paths of the series, in OsiriX's collection order (not sorted by slice).
        #[rpc(DicomSeriesPaths, cache(growable))]
        pub fn paths() -> Vec<String> = paths;

        /// The previous series of the study in OsiriX's order.
        #[rpc(DicomSeriesPreviousSeries, cache(growable), absent = "No previous series")]
        pub fn previous_series() -> Option<DicomSeries> = previous_series;

        /// The next series of the study in OsiriX's order.
        #[rpc(DicomSeriesNextSeries, cache(growable), absent = "No next series")]
        pub fn next_series() -> Option<DicomSeries> = next_series;

        /// The images sorted by OsiriX's sorting preference.
        #[rpc(DicomSeriesSortedImages, cache(growable))]
        pub fn sorted_images() -> Vec<DicomImage> = sorted_images;

        /// The study the series belongs to.
        #[rpc(DicomSeriesStudy, cache)]
        pub fn study() -> DicomStudy = study;

        /// The images, in unspecified order; see [`DicomSeries::images_by_instance_number`].
        #[rpc(DicomSeriesImages, cache(growable))]
        pub fn images() -> Vec<DicomImage> = images;

        /// OsiriX's series instance UID: the DICOM value, plus a suffix such as `" TE-98"` where OsiriX split
        /// the series.
        #[rpc(DicomSeriesSeriesInstanceUID, cache)]
        pub fn series_instance_uid() -> String = series_instance_uid;

        /// The SOP class UID of the series.
        #[rpc(DicomSeriesSeriesSOPClassUID, cache)]
        pub fn series_sop_class_uid() -> String = series_sop_class_uid;

        /// The series description.
        #[rpc(DicomSeriesSeriesDescription, cache, absent = "No series description available")]
        pub fn series_description() -> Option<String> = series_description;

        /// The modality, e.g. `"MR"`.
        #[rpc(DicomSeriesModality, cache)]
        pub fn modality() -> String = modality;

        /// The series name (not the patient name, which pyosirix returns under this RPC's name).
        #[rpc(DicomSeriesName, cache)]
        pub fn name() -> String = name;

        /// The series date and time, local to the OsiriX machine (see [`crate::decode_millisecond`] for the
        /// sub-second part).
        #[rpc(DicomSeriesDate, cache)]
        pub fn date() -> NaiveDateTime;

        /// The number of images.
        #[rpc(DicomSeriesNumberOfImages, cache(growable))]
        pub fn number_of_images() -> u32 = number_of_images;
    }
}

/// Every scalar attribute of a series, fetched concurrently by [`DicomSeries::summary`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SeriesSummary {
    /// [`DicomSeries::series_instance_uid`].
    pub series_instance_uid: String,
    /// [`DicomSeries::series_sop_class_uid`].
    pub series_sop_class_uid: String,
    /// [`DicomSeries::series_description`].
    pub series_description: Option<String>,
    /// [`DicomSeries::modality`].
    pub modality: String,
    /// [`DicomSeries::name`].
    pub name: String,
    /// [`DicomSeries::date`].
    pub date: NaiveDateTime,
    /// [`DicomSeries::number_of_images`].
    pub number_of_images: u32,
    /// [`DicomSeries::study`].
    pub study: DicomStudy,
}

impl DicomSeries {
    /// Every scalar attribute at once: the eight RPCs go out concurrently (and come from the cache when they
    /// can), so the summary costs one round trip instead of eight.
    ///
    /// # Errors
    /// The first error of any of the eight calls.
    ///
    /// ```no_run
    /// # async fn demo(series: osirix_sdk::DicomSeries) -> osirix_sdk::Result<()> {
    /// let summary = series.summary().await?;
    /// println!("{} {} images", summary.modality, summary.number_of_images);
    /// # Ok(()) }
    /// ```
    pub async fn summary(&self) -> Result<SeriesSummary> {
        let (
            series_instance_uid,
            series_sop_class_uid,
            series_description,
            modality,
            name,
            date,
            number_of_images,
            study,
        ) = tokio::try_join!(
            self.series_instance_uid(),
            self.series_sop_class_uid(),
            self.series_description(),
            self.modality(),
            self.name(),
            self.date(),
            self.number_of_images(),
            self.study(),
        )?;
        Ok(SeriesSummary {
            series_instance_uid,
            series_sop_class_uid,
            series_description,
            modality,
            name,
            date,
            number_of_images,
            study,
        })
    }

    /// The images ordered by instance number, then slice location (the server's [`DicomSeries::images`] order is
    /// unspecified). The per-image reads go out concurrently and are cached.
    ///
    /// # Errors
    /// The first error of the listing or of any per-image read.
    pub async fn images_by_instance_number(&self) -> Result<Vec<DicomImage>> {
        let images = self.images().await?;
        let keys = try_join_all(images.iter().map(|image| async move {
            let (number, location) =
                tokio::try_join!(image.instance_number(), image.slice_location())?;
            Ok::<_, crate::Error>((number, location))
        }))
        .await?;
        let mut keyed: Vec<_> = keys.into_iter().zip(images).collect();
        keyed.sort_by(|((n1, l1), _), ((n2, l2), _)| n1.cmp(n2).then(l1.total_cmp(l2)));
        Ok(keyed.into_iter().map(|(_, image)| image).collect())
    }
}
