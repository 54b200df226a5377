//! What the 2D viewer RPCs and the 3D windows built on a viewer both need to know about its frames: whether
//! they are volumic, and the viewer's window level and width.

use std::sync::Arc;

use super::reply::{Failure, Reply};
use crate::pixels::{Window, initial_window};
use crate::registry::Class;
use crate::scene::Viewer;
use crate::state::{State, World};

/// OsiriX's volumic check: more than four slices, all of one matrix size.
pub(super) fn is_volumic_frame(world: &World, viewer: &Viewer, frame: usize) -> bool {
    let sizes: Vec<_> = viewer
        .frame(frame)
        .iter()
        .filter_map(|s| world.scene.pix(s.pix))
        .map(|p| p.size())
        .collect();
    sizes.len() > 4 && sizes.windows(2).all(|pair| pair[0] == pair[1])
}

/// A viewer's window level and width. A viewer starts with the window of the DCMPix it opened on: its
/// file's window, else its pixel range, for which that DCMPix is decoded (outside the world lock).
///
/// # Errors
///
/// `"No ViewerController cached"` when the viewer is gone, `"Could not create image"` when that DCMPix
/// cannot be decoded.
pub(super) fn viewer_window(state: &State, id: u64) -> Reply<Window> {
    let (geometry, cell) = {
        let world = state.world();
        let viewer = world
            .scene
            .viewer(id)
            .ok_or_else(|| Failure::not_cached(Class::ViewerController))?;
        if let Some(window) = viewer.window {
            return Ok(window);
        }
        let pix = world
            .scene
            .pix(viewer.window_pix)
            .ok_or_else(|| Failure::new("The viewer shows no image"))?;
        if let Some(window) = pix.geometry.window.filter(|_| !pix.cell.is_rgb()) {
            return Ok(window);
        }
        (pix.geometry, Arc::clone(&pix.cell))
    };
    let pixels = cell.read().map_err(|e| {
        tracing::warn!(error = %e, "cannot decode a viewer's first image for its window");
        Failure::new("Could not create image")
    })?;
    let window = initial_window(&geometry, &pixels);
    let mut world = state.world();
    let viewer = world
        .scene
        .viewer_mut(id)
        .ok_or_else(|| Failure::not_cached(Class::ViewerController))?;
    // A window set meanwhile wins.
    Ok(*viewer.window.get_or_insert(window))
}
