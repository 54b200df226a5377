//! `BrowserController`: OsiriX's database browser window.

use crate::value::{FromWire, Malformed};
use crate::{Client, DicomSeries, DicomStudy};

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

        /// Starts copying `paths` into the OsiriX database. OsiriX answers before the import ends: poll
        /// [`BrowserController::database_studies`] for the result.
        #[rpc(BrowserControllerCopyFilesIfNeeded, request = BrowserControllerCopyFilesIfNeededRequest { browser: self, paths })]
        pub fn copy_files_if_needed(paths: Vec<String>);
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
