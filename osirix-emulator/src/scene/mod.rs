//! The scene: what OsiriX has on screen. Windows in one front-to-back order; each 2D viewer holds frames
//! of slices, each slice a DCMPix and the ROIs drawn on it; each 3D window is built on a 2D viewer and
//! holds the ROI volumes of each of its frames.
//!
//! Objects live here under ids that are never reused; the uid table only refers to them. Every change that
//! removes objects returns them in the order OsiriX's removal events evict them from the cache (see
//! docs/osirix-behaviour.md, *Identity*), and the caller evicts them under the same lock.

mod open;
mod pix;
mod roi;
mod viewer;
mod vr;
mod windows;

use std::collections::HashMap;
use std::sync::Arc;

pub(crate) use open::{PixSpec, interval, needs_reversal, read_frame};
pub(crate) use pix::Pix;
pub(crate) use roi::Roi;
pub(crate) use viewer::{Slice, Viewer};
pub use vr::RenderingMode;
pub(crate) use vr::{RoiVolume, STANDARD_STYLE, VrWindow, WINDOW_FACTOR};
pub(crate) use windows::{Window, Windows};

use crate::pixels::{self, PixCell, PixelCache};
use crate::registry::ObjectRef;
use crate::roi::volume_cm3;

/// The windows and what they show.
#[derive(Debug, Default)]
pub(crate) struct Scene {
    next_id: u64,
    viewers: HashMap<u64, Viewer>,
    pixes: HashMap<u64, Pix>,
    rois: HashMap<u64, Roi>,
    vr_windows: HashMap<u64, VrWindow>,
    roi_volumes: HashMap<u64, RoiVolume>,
    /// The window order.
    pub(crate) windows: Windows,
}

impl Scene {
    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Whether a scene object is live.
    pub(crate) fn contains(&self, object: ObjectRef) -> bool {
        match object {
            ObjectRef::Viewer(id) => self.viewers.contains_key(&id),
            ObjectRef::Pix(id) => self.pixes.contains_key(&id),
            ObjectRef::Roi(id) => self.rois.contains_key(&id),
            ObjectRef::VrController(id) => self.vr_windows.contains_key(&id),
            ObjectRef::RoiVolume(id) => self.roi_volumes.contains_key(&id),
            _ => false,
        }
    }

    /// A viewer.
    pub(crate) fn viewer(&self, id: u64) -> Option<&Viewer> {
        self.viewers.get(&id)
    }

    /// A viewer, to change.
    pub(crate) fn viewer_mut(&mut self, id: u64) -> Option<&mut Viewer> {
        self.viewers.get_mut(&id)
    }

    /// A DCMPix.
    pub(crate) fn pix(&self, id: u64) -> Option<&Pix> {
        self.pixes.get(&id)
    }

    /// An ROI.
    pub(crate) fn roi(&self, id: u64) -> Option<&Roi> {
        self.rois.get(&id)
    }

    /// An ROI, to change.
    pub(crate) fn roi_mut(&mut self, id: u64) -> Option<&mut Roi> {
        self.rois.get_mut(&id)
    }

    /// A 3D window.
    pub(crate) fn vr(&self, id: u64) -> Option<&VrWindow> {
        self.vr_windows.get(&id)
    }

    /// A 3D window, to change.
    pub(crate) fn vr_mut(&mut self, id: u64) -> Option<&mut VrWindow> {
        self.vr_windows.get_mut(&id)
    }

    /// An ROI volume.
    pub(crate) fn roi_volume(&self, id: u64) -> Option<&RoiVolume> {
        self.roi_volumes.get(&id)
    }

    /// An ROI volume, to change.
    pub(crate) fn roi_volume_mut(&mut self, id: u64) -> Option<&mut RoiVolume> {
        self.roi_volumes.get_mut(&id)
    }

    /// The 2D viewers, front to back.
    pub(crate) fn viewers_front_to_back(&self) -> Vec<u64> {
        self.windows.viewers().collect()
    }

    /// The 3D windows, front to back.
    pub(crate) fn vr_windows_front_to_back(&self) -> Vec<u64> {
        self.windows.vr_windows().collect()
    }

    /// The 3D windows built on viewer `viewer`, front to back.
    pub(crate) fn vr_windows_of(&self, viewer: u64) -> Vec<u64> {
        self.windows
            .vr_windows()
            .filter(|id| self.vr_windows.get(id).is_some_and(|w| w.viewer == viewer))
            .collect()
    }

    /// Brings a window to the front, as a click on it does. A 2D viewer that becomes the key window
    /// propagates its frame: every other viewer with as many frames shows the same one (OsiriX keeps the
    /// time points of such 4D viewers in step).
    pub(crate) fn focus(&mut self, window: Window) {
        self.windows.bring_to_front(window);
        if let Window::Viewer(id) = window {
            self.propagate_frame(id);
        }
    }

    /// After a window closed: the window now in front becomes key, and if it is a 2D viewer it propagates
    /// its frame.
    fn refocus(&mut self) {
        if let Some(Window::Viewer(id)) = self.windows.front() {
            self.propagate_frame(id);
        }
    }

    fn propagate_frame(&mut self, from: u64) {
        let Some(source) = self.viewers.get(&from) else {
            return;
        };
        let (frame, count) = (source.movie_idx, source.frame_count());
        for (&id, other) in &mut self.viewers {
            if id != from && other.frame_count() == count && other.movie_idx != frame {
                other.show_frame(frame);
            }
        }
    }

    /// Opens a viewer on `frames` (each a list of DCMPix to make, in data order) and brings it to the
    /// front. Every frame must hold at least one DCMPix.
    pub(crate) fn open_viewer(
        &mut self,
        frames: Vec<Vec<PixSpec>>,
        flipped: bool,
        title: String,
        cache: &Arc<PixelCache>,
    ) -> u64 {
        let viewer = self.next_id();
        let frames = frames
            .into_iter()
            .map(|frame| {
                frame
                    .into_iter()
                    .map(|spec| {
                        let cell = PixCell::new(spec.source, spec.colour, cache);
                        self.add_pix(spec.image, spec.geometry, cell)
                    })
                    .collect()
            })
            .collect();
        self.viewers
            .insert(viewer, Viewer::new(frames, flipped, title));
        self.focus(Window::Viewer(viewer));
        viewer
    }

    fn add_pix(
        &mut self,
        image: usize,
        geometry: crate::pixels::FrameGeometry,
        cell: Arc<PixCell>,
    ) -> Slice {
        let pix = self.next_id();
        self.pixes.insert(
            pix,
            Pix {
                image,
                geometry,
                cell,
            },
        );
        Slice {
            pix,
            rois: Vec::new(),
        }
    }

    /// `CopyViewerWindow`: a new viewer, in front, with a copy of every frame's pixels in new DCMPix (their
    /// changes included) and no ROIs; its slice, window and title are the original's, and it shows frame 0
    /// (OsiriX builds it frame by frame, starting with the first), which it then propagates.
    pub(crate) fn copy_viewer(&mut self, id: u64) -> Option<u64> {
        let original = self.viewers.get(&id)?.clone();
        let copy = self.next_id();
        let frames = original
            .frames
            .iter()
            .map(|frame| {
                frame
                    .iter()
                    .filter_map(|slice| {
                        let pix = self.pixes.get(&slice.pix)?.clone();
                        Some(self.add_pix(pix.image, pix.geometry, pix.cell.duplicate()))
                    })
                    .collect()
            })
            .collect();
        let window_pix = self
            .viewer_slice_position(&original, original.window_pix)
            .and_then(|(f, s)| {
                let frames: &Vec<Vec<Slice>> = &frames;
                frames.get(f)?.get(s).map(|slice| slice.pix)
            })
            .unwrap_or(0);
        let viewer = Viewer {
            frames,
            movie_idx: 0,
            fusion: None,
            window_pix,
            ..original
        };
        self.viewers.insert(copy, viewer);
        self.focus(Window::Viewer(copy));
        Some(copy)
    }

    /// Where a DCMPix sits in a viewer: (frame, slice).
    fn viewer_slice_position(&self, viewer: &Viewer, pix: u64) -> Option<(usize, usize)> {
        viewer.frames.iter().enumerate().find_map(|(f, frame)| {
            frame
                .iter()
                .position(|slice| slice.pix == pix)
                .map(|s| (f, s))
        })
    }

    /// Closes a viewer and returns what leaves the cache, in OsiriX's order: for each frame its DCMPix and
    /// its ROIs, then the viewer, then each of its 3D windows, which close with it (front to back). Viewers
    /// fused with it lose their fusion.
    pub(crate) fn close_viewer(&mut self, id: u64) -> Vec<ObjectRef> {
        let Some(viewer) = self.viewers.remove(&id) else {
            return Vec::new();
        };
        self.windows.remove(Window::Viewer(id));
        let mut gone = Vec::new();
        for frame in &viewer.frames {
            for slice in frame {
                self.pixes.remove(&slice.pix);
                gone.push(ObjectRef::Pix(slice.pix));
            }
            for roi in frame.iter().flat_map(|s| &s.rois) {
                self.rois.remove(roi);
                gone.push(ObjectRef::Roi(*roi));
            }
        }
        gone.push(ObjectRef::Viewer(id));
        for other in self.viewers.values_mut() {
            if other.fusion == Some(id) {
                other.fusion = None;
            }
        }
        for vr in self.vr_windows_of(id) {
            gone.extend(self.remove_vr(vr));
        }
        self.refocus();
        gone
    }

    /// Opens a 3D window on viewer `viewer` in `mode`, with the level and width `window`, and brings it to
    /// the front; `None` when there is no such viewer.
    ///
    /// It builds the ROI volumes of every frame: for each distinct ROI name of the viewer's current
    /// frame, the masks, closed polygons and pencils of that name in the frame, in slice order, if there
    /// are any. ROIs drawn later are not included.
    pub(crate) fn open_vr(
        &mut self,
        viewer: u64,
        mode: RenderingMode,
        window: pixels::Window,
    ) -> Option<u64> {
        let source = self.viewers.get(&viewer)?;
        let names: Vec<String> = source
            .roi_names(source.movie_idx, |r| self.rois.get(&r).map(Roi::name))
            .into_iter()
            .map(str::to_owned)
            .collect();
        let built: Vec<Vec<RoiVolume>> = (0..source.frame_count())
            .map(|frame| {
                names
                    .iter()
                    .filter_map(|name| self.build_volume(source, frame, name))
                    .collect()
            })
            .collect();
        let blending = source.fusion.filter(|f| self.viewers.contains_key(f));
        let title = vr::vr_title(&source.title, source.frame_count());
        let id = self.next_id();
        let volumes = built
            .into_iter()
            .map(|frame| {
                frame
                    .into_iter()
                    .map(|volume| {
                        let volume_id = self.next_id();
                        self.roi_volumes.insert(volume_id, volume);
                        volume_id
                    })
                    .collect()
            })
            .collect();
        self.vr_windows.insert(
            id,
            VrWindow {
                viewer,
                blending,
                mode,
                window,
                title,
                frame: 0,
                volumes,
            },
        );
        self.focus(Window::Vr(id));
        Some(id)
    }

    /// The ROI volume of the ROIs named `name` in frame `frame` of `viewer`, from the kinds that count
    /// (masks, closed polygons, pencils) in slice order; `None` when no ROI of the name counts.
    fn build_volume(&self, viewer: &Viewer, frame: usize, name: &str) -> Option<RoiVolume> {
        let kept: Vec<&Roi> = viewer
            .frame(frame)
            .iter()
            .flat_map(|s| &s.rois)
            .filter_map(|r| self.rois.get(r))
            .filter(|r| r.name() == name && r.shape.kind().counts_in_volume())
            .collect();
        let first = kept.first()?;
        let slices: Vec<(f32, f32)> = kept
            .iter()
            .map(|r| {
                let location = self
                    .pixes
                    .get(&r.pix)
                    .map_or(0.0, |p| p.geometry.slice_location);
                (location as f32, r.shape.area_cm2())
            })
            .collect();
        Some(RoiVolume::new(
            first.name().to_owned(),
            volume_cm3(&slices),
            WINDOW_FACTOR,
        ))
    }

    /// Closes a 3D window and returns what leaves the cache: its VRController. Its ROI volumes are gone
    /// too, but OsiriX evicts none of them: their uids stay in the cache, answering `"No ROIVolume
    /// cached"`, until the next purge.
    pub(crate) fn close_vr(&mut self, id: u64) -> Vec<ObjectRef> {
        let gone = self.remove_vr(id);
        self.refocus();
        gone
    }

    fn remove_vr(&mut self, id: u64) -> Vec<ObjectRef> {
        let Some(window) = self.vr_windows.remove(&id) else {
            return Vec::new();
        };
        self.windows.remove(Window::Vr(id));
        for volume in window.volumes.iter().flatten() {
            self.roi_volumes.remove(volume);
        }
        vec![ObjectRef::VrController(id)]
    }

    /// Adds an ROI to slice `slice` of frame `frame` of a viewer, attached to that slice's DCMPix;
    /// `None` when there is no such slice.
    pub(crate) fn add_roi(
        &mut self,
        viewer: u64,
        frame: usize,
        slice: usize,
        make: impl FnOnce(u64) -> Roi,
    ) -> Option<u64> {
        let pix = self.viewers.get(&viewer)?.frame(frame).get(slice)?.pix;
        let id = self.next_id();
        let roi = make(pix);
        self.viewers
            .get_mut(&viewer)?
            .frames
            .get_mut(frame)?
            .get_mut(slice)?
            .rois
            .push(id);
        self.rois.insert(id, roi);
        Some(id)
    }

    /// Deletes an ROI from its slice; `true` if it was there.
    pub(crate) fn delete_roi(&mut self, id: u64) -> bool {
        let Some(roi) = self.rois.remove(&id) else {
            return false;
        };
        if let Some(slice) = self
            .viewers
            .get_mut(&roi.viewer)
            .and_then(|v| v.frames.get_mut(roi.frame))
            .and_then(|f| f.get_mut(roi.slice))
        {
            slice.rois.retain(|&r| r != id);
        }
        true
    }
}
