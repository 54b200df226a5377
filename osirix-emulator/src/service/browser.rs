//! The `BrowserController*` RPCs: the database's studies and selection, imports, and opening viewers.

use std::path::PathBuf;
use std::sync::Arc;

use super::reply::{Failure, Reply, done, success};
use crate::database::Catalog;
use crate::proto;
use crate::registry::ObjectRef;
use crate::scene::{needs_reversal, read_frame};
use crate::state::State;

/// The answer to an import into a database without a folder of its own (the emulator's choice: OsiriX
/// always has one).
pub(crate) const READ_ONLY: &str = "The emulator's database is read-only: start it on a database folder (--database DIR) to import files";

pub(super) fn database_selection(
    state: &State,
    browser: proto::BrowserController,
) -> Reply<proto::BrowserControllerDatabaseSelectionResponse> {
    let mut world = state.world();
    world.resolve(&browser)?;
    let selection = world.selection.clone();
    Ok(proto::BrowserControllerDatabaseSelectionResponse {
        status: success(),
        series: world.handles(selection.series.iter().map(|&i| ObjectRef::Series(i))),
        studies: world.handles(selection.studies.iter().map(|&i| ObjectRef::Study(i))),
    })
}

pub(super) fn database_studies(
    state: &State,
    browser: proto::BrowserController,
) -> Reply<proto::BrowserControllerDatabaseStudiesResponse> {
    let mut world = state.world();
    world.resolve(&browser)?;
    let catalog = Arc::clone(&world.catalog);
    Ok(proto::BrowserControllerDatabaseStudiesResponse {
        status: success(),
        studies: world.handles(catalog.browser_order().iter().map(|&i| ObjectRef::Study(i))),
    })
}

/// Starts a background import and answers at once (see [`crate::import`]).
pub(super) fn copy_files_if_needed(
    state: &Arc<State>,
    request: proto::BrowserControllerCopyFilesIfNeededRequest,
) -> Reply<proto::Response> {
    state
        .world()
        .resolve(&request.browser.unwrap_or_default())?;
    let paths = request.paths.into_iter().map(PathBuf::from).collect();
    crate::import::start(state, paths).ok_or_else(|| Failure::new(READ_ONLY))?;
    done()
}

/// The reason text of the exception OsiriX raises when a frame names an image that is not cached.
pub(crate) const NIL_IMAGE: &str = "*** -[__NSArrayM insertObject:atIndex:]: object cannot be nil";

/// `BrowserControllerOpenViewerFromImages`: resolves the images, then opens the viewer.
pub(super) fn open_viewer_from_images(
    state: &Arc<State>,
    request: proto::BrowserControllerOpenViewerFromImagesRequest,
) -> Reply<proto::BrowserControllerOpenViewerFromImagesResponse> {
    let frames = {
        let world = state.world();
        world.resolve(&request.browser.unwrap_or_default())?;
        request
            .frames
            .iter()
            .map(|frame| {
                frame
                    .images
                    .iter()
                    .map(|image| {
                        world
                            .resolve_index(image)
                            .map_err(|_| Failure::new(NIL_IMAGE))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let opened = open_viewer(state, &frames, request.movie)?;
    Ok(proto::BrowserControllerOpenViewerFromImagesResponse {
        status: success(),
        viewer: Some(state.world().handle(ObjectRef::Viewer(opened))),
    })
}

/// Opens a viewer on database images (a 2D viewer per frame, or one 4D viewer with `movie`) and returns
/// the one OsiriX returns (the last opened), reading the headers outside the world lock (see
/// docs/osirix-behaviour.md, *Viewers*).
pub(crate) fn open_viewer(state: &Arc<State>, frames: &[Vec<usize>], movie: bool) -> Reply<u64> {
    // OsiriX opens no viewer here and caches nil (undefined); the emulator says why.
    if frames.is_empty() || frames.iter().any(Vec::is_empty) {
        return Err(Failure::new(
            "Cannot open a viewer: every frame needs at least one image",
        ));
    }
    let catalog = state.catalog();
    let paths = frames
        .iter()
        .map(|frame| {
            frame
                .iter()
                .map(|&i| {
                    let path = catalog.images().get(i).map(|r| PathBuf::from(&r.path));
                    path.map(|p| (i, p)).ok_or_else(|| Failure::new(NIL_IMAGE))
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut specs = paths
        .iter()
        .map(|frame| read_frame(frame))
        .collect::<Result<Vec<_>, _>>()
        .map_err(Failure::new)?;
    if movie && specs.windows(2).any(|pair| pair[0].len() != pair[1].len()) {
        return Err(Failure::new(
            "Cannot open a 4D viewer: every frame needs the same number of images",
        ));
    }
    let flipped: Vec<bool> = specs
        .iter_mut()
        .map(|frame| {
            let reverse = needs_reversal(frame);
            if reverse {
                frame.reverse();
            }
            reverse
        })
        .collect();
    let title = viewer_title(&catalog, frames[0][0]);
    let mut world = state.world();
    if movie {
        return Ok(world
            .scene
            .open_viewer(specs, flipped[0], title, &state.pixels));
    }
    let mut last = 0;
    for (frame, flipped) in specs.into_iter().zip(flipped) {
        last = world
            .scene
            .open_viewer(vec![frame], flipped, title.clone(), &state.pixels);
    }
    Ok(last)
}

/// A viewer's title: `"<patient name> - <series name> (<series number>)"`, leaving out what the files do
/// not have. OsiriX's exact format is its own; clients match substrings (the series name).
fn viewer_title(catalog: &Catalog, image: usize) -> String {
    let Some(series) = catalog
        .images()
        .get(image)
        .and_then(|i| catalog.series().get(i.series))
    else {
        return String::new();
    };
    let mut title = series.name.clone();
    if let Some(number) = series.series_number {
        title.push_str(&format!(" ({number})"));
    }
    match catalog
        .studies()
        .get(series.study)
        .and_then(|s| s.patient_name.as_deref())
    {
        Some(patient) => format!("{patient} - {title}"),
        None => title,
    }
}
