//! The scene: what OsiriX has on screen. Windows in one front-to-back order; each 2D viewer holds frames
//! of slices, each slice a DCMPix and the ROIs drawn on it.
//!
//! Objects live here under ids that are never reused; the uid table only refers to them. Every change that
//! removes objects returns them in the order OsiriX's removal events evict them from the cache (see
//! docs/osirix-behaviour.md, *Identity*), and the caller evicts them under the same lock.

mod open;
mod pix;
mod roi;
mod viewer;
mod windows;

use std::collections::HashMap;
use std::sync::Arc;

pub(crate) use open::{PixSpec, needs_reversal, read_frame};
pub(crate) use pix::Pix;
pub(crate) use roi::Roi;
pub(crate) use viewer::{Slice, Viewer};
pub(crate) use windows::{Window, Windows};

use crate::pixels::{PixCell, PixelCache};
use crate::registry::ObjectRef;

/// The windows and what they show.
#[derive(Debug, Default)]
pub(crate) struct Scene {
    next_id: u64,
    viewers: HashMap<u64, Viewer>,
    pixes: HashMap<u64, Pix>,
    rois: HashMap<u64, Roi>,
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

    /// The 2D viewers, front to back.
    pub(crate) fn viewers_front_to_back(&self) -> Vec<u64> {
        self.windows.viewers().collect()
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
        self.windows.bring_to_front(Window::Viewer(viewer));
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
    /// changes included) and no ROIs; its indices, window and title are the original's.
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
            fusion: None,
            window_pix,
            ..original
        };
        self.viewers.insert(copy, viewer);
        self.windows.bring_to_front(Window::Viewer(copy));
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
    /// its ROIs, then the viewer. Viewers fused with it lose their fusion.
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
        gone
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
