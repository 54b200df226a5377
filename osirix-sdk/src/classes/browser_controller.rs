//! `BrowserController`: OsiriX's database browser window.

use futures_util::future::try_join_all;

use crate::proto::browser_controller_open_viewer_from_images_request::FrameImages;
use crate::value::{FromWire, IntoWire, Malformed};
use crate::{Client, DicomImage, DicomSeries, DicomStudy, Error, Result, ViewerController};

crate::osirix_class! {
    /// OsiriX's database browser (`BrowserController`); from [`Client::current_browser`].
    ///
    /// Its answers follow what the browser shows (albums, filters, the user's selection), so nothing of it is
    /// cached.
    pub class BrowserController {
        /// The studies listed in the browser, in display order.
        #[rpc(BrowserControllerDatabaseStudies)]
        pub fn database_studies() -> Vec<DicomStudy> = studies;

        /// The user's current selection, split into series and studies, each in selection order.
        #[rpc(BrowserControllerDatabaseSelection)]
        pub fn database_selection() -> Selection;

        /// Only sends `paths` to OsiriX to be copied into its database: OsiriX answers before the import
        /// ends, and says nothing of files it skips. [`BrowserController::copy_files_if_needed`] does the same
        /// and returns an [`Import`](crate::Import) that can wait for the files.
        #[rpc(BrowserControllerCopyFilesIfNeeded, request = BrowserControllerCopyFilesIfNeededRequest { browser: self, paths })]
        pub fn start_copy_files(paths: Vec<String>);

        #[rpc(BrowserControllerOpenViewerFromImages, request = BrowserControllerOpenViewerFromImagesRequest { browser: self, frames, movie })]
        fn open_viewer_from_images(frames: &[Vec<DicomImage>], movie: bool) -> ViewerController = viewer;
    }
}

/// The browser's selection, from [`BrowserController::database_selection`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Selection {
    /// The selected series.
    pub series: Vec<DicomSeries>,
    /// The selected studies.
    pub studies: Vec<DicomStudy>,
}

impl FromWire<crate::proto::BrowserControllerDatabaseSelectionResponse> for Selection {
    fn from_wire(
        wire: crate::proto::BrowserControllerDatabaseSelectionResponse,
        client: &Client,
    ) -> Result<Self, Malformed> {
        Ok(Selection {
            series: FromWire::from_wire(wire.series, client)?,
            studies: FromWire::from_wire(wire.studies, client)?,
        })
    }
}

impl IntoWire<Vec<FrameImages>> for &[Vec<DicomImage>] {
    fn into_wire(self, client: &Client) -> Result<Vec<FrameImages>> {
        self.iter()
            .map(|images| {
                Ok(FrameImages {
                    images: images.as_slice().into_wire(client)?,
                })
            })
            .collect()
    }
}

impl BrowserController {
    /// Opens `images` in a new 2D viewer, in this order as the user sees it (OsiriX may store the slices
    /// reversed and show them flipped: see [`ViewerController::flipped_data`]), and brings it to the front.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for no images (refused before anything is sent); [`Error::Osirix`] with
    /// OsiriX's message when it opened nothing; the errors of every call.
    pub async fn open_viewer_2d(&self, images: &[DicomImage]) -> Result<ViewerController> {
        if images.is_empty() {
            return Err(Error::invalid("a viewer needs at least one image"));
        }
        self.open_viewer_from_images(&[images.to_vec()], false)
            .await
    }

    /// Opens one 4D viewer whose frame `t` holds `frames[t]`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for fewer than two frames (use [`BrowserController::open_viewer_2d`]), an
    /// empty frame, or frames of different lengths (all refused before anything is sent); [`Error::Osirix`]
    /// with OsiriX's message when it opened nothing; the errors of every call.
    pub async fn open_viewer_4d(&self, frames: &[Vec<DicomImage>]) -> Result<ViewerController> {
        if frames.len() < 2 {
            return Err(Error::invalid(format!(
                "a 4D viewer needs at least two frames, not {}",
                frames.len()
            )));
        }
        let slices = frames[0].len();
        if slices == 0 || frames.iter().any(|frame| frame.len() != slices) {
            return Err(Error::invalid(format!(
                "every frame of a 4D viewer needs the same number of images, at least one: {:?}",
                frames.iter().map(Vec::len).collect::<Vec<_>>()
            )));
        }
        self.open_viewer_from_images(frames, true).await
    }

    /// Opens `series` in a 2D viewer as a double-click in the browser does: its images in OsiriX's sorted
    /// order ([`DicomSeries::sorted_images`]).
    ///
    /// ```no_run
    /// # async fn demo(browser: osirix_sdk::BrowserController, series: osirix_sdk::DicomSeries) -> osirix_sdk::Result<()> {
    /// let viewer = browser.open_viewer(&series).await?;
    /// let pixels = viewer.cur_dcm().await?.image().await?;
    /// println!("{:?}", pixels.shape());
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`BrowserController::open_viewer_2d`], and those of listing the images.
    pub async fn open_viewer(&self, series: &DicomSeries) -> Result<ViewerController> {
        self.open_viewer_2d(&series.sorted_images().await?).await
    }

    /// Opens one 4D viewer whose frame `t` is `series[t]`, each in OsiriX's sorted order (a time series split
    /// into one series per time point).
    ///
    /// # Errors
    /// As [`BrowserController::open_viewer_4d`], and those of listing the images.
    pub async fn open_viewer_4d_from_series(
        &self,
        series: &[DicomSeries],
    ) -> Result<ViewerController> {
        let frames = try_join_all(series.iter().map(DicomSeries::sorted_images)).await?;
        self.open_viewer_4d(&frames).await
    }
}
