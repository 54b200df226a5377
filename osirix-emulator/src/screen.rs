//! What a person does at OsiriX's screen, for tests: open a series in a viewer, open a 3D window on it,
//! bring a window to the front, select ROIs, move a 3D window's movie slider, close a window. These change
//! the scene as OsiriX's user interface would, without registering anything in the uid cache: an object
//! gets a uid when an RPC returns it, as in OsiriX.
//!
//! Objects are named by [`ObjectRef`]; [`RunningEmulator::lookup`] and [`RunningEmulator::uid_of`] convert
//! between them and uids.

use crate::registry::ObjectRef;
use crate::scene::{RenderingMode, Window};
use crate::service::NoVrWindow;
use crate::{Error, RunningEmulator, service};

impl RunningEmulator {
    /// Opens a series in a 2D viewer, as a double-click in the browser does: its images in the database's
    /// sorted order (instance number, then slice location), brought to the front. OsiriX may keep the
    /// slices in reverse (see docs/osirix-behaviour.md, *Viewers*).
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchObject`] when `series` is not a series of the database, [`Error::Refused`] when a
    /// file cannot be opened.
    pub async fn open_series(&self, series: ObjectRef) -> Result<ObjectRef, Error> {
        let ObjectRef::Series(index) = series else {
            return Err(Error::NoSuchObject(series));
        };
        let images = self
            .database()
            .series()
            .get(index)
            .ok_or(Error::NoSuchObject(series))?
            .sorted_images
            .clone();
        self.open_viewer(vec![images], false).await
    }

    /// Opens database images in viewers, as `BrowserControllerOpenViewerFromImages` does: `frames` lists
    /// the images of each frame (indices into [`crate::Catalog::images`]); with `movie` one 4D viewer of
    /// all frames, without one 2D viewer per frame. Returns the viewer OsiriX returns (the last opened),
    /// which is in front.
    ///
    /// # Errors
    ///
    /// [`Error::Refused`] with the emulator's message when OsiriX would open nothing (no frames, an empty
    /// frame, frames of different lengths in 4D, a file that cannot be read, an image index out of range).
    pub async fn open_viewer(
        &self,
        frames: Vec<Vec<usize>>,
        movie: bool,
    ) -> Result<ObjectRef, Error> {
        let state = std::sync::Arc::clone(self.state());
        let opened =
            tokio::task::spawn_blocking(move || service::open_viewer(&state, &frames, movie))
                .await
                .map_err(|e| Error::Refused(format!("the viewer could not be opened: {e}")))?
                .map_err(|failure| Error::Refused(failure.message().to_owned()))?;
        Ok(ObjectRef::Viewer(opened))
    }

    /// The 2D viewers on screen, front to back.
    pub fn viewers(&self) -> Vec<ObjectRef> {
        let world = self.state().world();
        world
            .scene
            .viewers_front_to_back()
            .into_iter()
            .map(ObjectRef::Viewer)
            .collect()
    }

    /// Opens a 3D window on a viewer, as OsiriX's "3D Volume Rendering" ([`RenderingMode::Vr`]) and
    /// "3D MIP" ([`RenderingMode::Mip`]) menu items do: the viewer's 3D window comes to the front in `mode`
    /// if it has one; otherwise a new one opens in front, with the viewer's window level and width and the
    /// ROI volumes of the ROIs drawn so far (see docs/osirix-behaviour.md, *VR windows and ROI volumes*).
    /// Returns the 3D window.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchObject`] when `viewer` is not an open viewer, [`Error::Refused`] with OsiriX's alert
    /// when it opens no 3D window (data that is not volumic in every frame, no slice interval or pixel
    /// spacing, or a first image that cannot be decoded).
    pub async fn open_vr_window(
        &self,
        viewer: ObjectRef,
        mode: RenderingMode,
    ) -> Result<ObjectRef, Error> {
        let ObjectRef::Viewer(id) = viewer else {
            return Err(Error::NoSuchObject(viewer));
        };
        let state = std::sync::Arc::clone(self.state());
        let opened = tokio::task::spawn_blocking(move || service::open_vr_window(&state, id, mode))
            .await
            .map_err(|e| Error::Refused(format!("the 3D window could not be opened: {e}")))?;
        match opened {
            Ok(vr) => Ok(ObjectRef::VrController(vr)),
            Err(NoVrWindow::Failure(_)) => Err(Error::NoSuchObject(viewer)),
            Err(NoVrWindow::Refused(reason)) => Err(Error::Refused(reason)),
        }
    }

    /// The 3D windows on screen, front to back.
    pub fn vr_windows(&self) -> Vec<ObjectRef> {
        let world = self.state().world();
        world
            .scene
            .vr_windows_front_to_back()
            .into_iter()
            .map(ObjectRef::VrController)
            .collect()
    }

    /// Moves a 3D window's movie slider to frame `frame` (0-based): `VRControllerROIVolumes` then lists
    /// that frame's ROI volumes.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchObject`] when `vr` is not an open 3D window, [`Error::Refused`] when it has no frame
    /// `frame`.
    pub fn set_vr_frame(&self, vr: ObjectRef, frame: usize) -> Result<(), Error> {
        let mut world = self.state().world();
        let ObjectRef::VrController(id) = vr else {
            return Err(Error::NoSuchObject(vr));
        };
        let window = world.scene.vr_mut(id).ok_or(Error::NoSuchObject(vr))?;
        if frame >= window.volumes.len() {
            return Err(Error::Refused(format!(
                "frame {frame} is out of range: the 3D window has {} frame(s)",
                window.volumes.len()
            )));
        }
        window.frame = frame;
        Ok(())
    }

    /// Brings a window (a viewer or a 3D window) in front of the others, as a click on it does. A viewer
    /// that comes to the front makes every other viewer with as many frames show its frame (see
    /// docs/osirix-behaviour.md, *Viewers*).
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchObject`] when `window` is not an open window.
    pub fn bring_to_front(&self, window: ObjectRef) -> Result<(), Error> {
        let mut world = self.state().world();
        let window = match window {
            ObjectRef::Viewer(id) if world.scene.viewer(id).is_some() => Window::Viewer(id),
            ObjectRef::VrController(id) if world.scene.vr(id).is_some() => Window::Vr(id),
            _ => return Err(Error::NoSuchObject(window)),
        };
        world.scene.focus(window);
        Ok(())
    }

    /// Closes a window, as its close button does. A viewer leaves the cache with every DCMPix and ROI of
    /// every frame, exactly as `ViewerControllerCloseViewer` makes it, and its 3D windows close with it. A
    /// 3D window's VRController leaves the cache; its ROI volumes are gone, their uids left in the cache
    /// until the next removal.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchObject`] when `window` is not an open window.
    pub fn close_window(&self, window: ObjectRef) -> Result<(), Error> {
        let mut world = self.state().world();
        match window {
            ObjectRef::Viewer(id) if world.scene.viewer(id).is_some() => {
                world.close_viewer(id);
                Ok(())
            }
            ObjectRef::VrController(id) if world.scene.vr(id).is_some() => {
                world.close_vr(id);
                Ok(())
            }
            _ => Err(Error::NoSuchObject(window)),
        }
    }

    /// Selects exactly `rois` in the viewers they are drawn in, as clicking them does: every other ROI of
    /// those viewers is deselected. `ViewerControllerSelectedROIs` lists the selected ROIs of the current
    /// slice.
    ///
    /// # Errors
    ///
    /// [`Error::NoSuchObject`] when one of `rois` is not a live ROI; nothing changes then.
    pub fn select_rois(&self, rois: &[ObjectRef]) -> Result<(), Error> {
        let mut world = self.state().world();
        let mut viewers = Vec::new();
        for &roi in rois {
            match roi {
                ObjectRef::Roi(id) => match world.scene.roi(id) {
                    Some(r) => viewers.push(r.viewer),
                    None => return Err(Error::NoSuchObject(roi)),
                },
                _ => return Err(Error::NoSuchObject(roi)),
            }
        }
        for viewer in viewers {
            let all: Vec<u64> = world
                .scene
                .viewer(viewer)
                .map(|v| v.rois().collect())
                .unwrap_or_default();
            for id in all {
                if let Some(r) = world.scene.roi_mut(id) {
                    r.selected = rois.contains(&ObjectRef::Roi(id));
                }
            }
        }
        Ok(())
    }

    /// Whether a DCMPix's pixels are decoded (or changed) now, or `None` when it is not a live DCMPix:
    /// opening a viewer decodes nothing, and unchanged pixels are dropped again past
    /// [`crate::EmulatorBuilder::pixel_memory`].
    pub fn pixels_loaded(&self, pix: ObjectRef) -> Option<bool> {
        let ObjectRef::Pix(id) = pix else {
            return None;
        };
        let cell = std::sync::Arc::clone(&self.state().world().scene.pix(id)?.cell);
        Some(cell.is_loaded())
    }

    /// The bytes of decoded, unchanged pixels held now (at most about
    /// [`crate::EmulatorBuilder::pixel_memory`]).
    pub fn pixel_memory_used(&self) -> usize {
        self.state().pixels.used()
    }
}
