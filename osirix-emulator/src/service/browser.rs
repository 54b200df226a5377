//! The served `BrowserController*` RPCs (spec §2.2). CopyFilesIfNeeded and OpenViewerFromImages stay
//! UNIMPLEMENTED: the emulator's database is read-only and it has no viewers.

use super::{State, not_cached, success};
use crate::proto;
use crate::uid::Class;

pub(super) fn database_selection(
    state: &State,
    browser: proto::BrowserController,
) -> proto::BrowserControllerDatabaseSelectionResponse {
    if !state.is_browser(&browser) {
        return proto::BrowserControllerDatabaseSelectionResponse {
            status: not_cached(Class::BrowserController),
            ..Default::default()
        };
    }
    let selection = state.selection();
    proto::BrowserControllerDatabaseSelectionResponse {
        status: success(),
        series: state.series_handles(&selection.series),
        studies: state.study_handles(&selection.studies),
    }
}

pub(super) fn database_studies(
    state: &State,
    browser: proto::BrowserController,
) -> proto::BrowserControllerDatabaseStudiesResponse {
    if !state.is_browser(&browser) {
        return proto::BrowserControllerDatabaseStudiesResponse {
            status: not_cached(Class::BrowserController),
            studies: Vec::new(),
        };
    }
    // The catalogue's study order is the browser's display order.
    let all: Vec<usize> = (0..state.catalog.studies().len()).collect();
    proto::BrowserControllerDatabaseStudiesResponse {
        status: success(),
        studies: state.study_handles(&all),
    }
}
