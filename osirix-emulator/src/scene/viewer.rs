//! A 2D viewer: frames of slices, each slice a DCMPix and its ROIs, and the viewer's indices (see
//! docs/osirix-behaviour.md, *Viewers*).

use crate::pixels::Window;

/// One slice of a frame: its DCMPix and its ROIs, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slice {
    /// The DCMPix.
    pub(crate) pix: u64,
    /// The ROIs drawn on it, in creation order.
    pub(crate) rois: Vec<u64>,
}

/// An index the viewer refused. `Display` is OsiriX's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum IndexError {
    /// SetIdx or SetDisplayedIdx outside `0..N`.
    #[error("Index {0} is out of range")]
    Slice(i32),
    /// SetMovieIdx outside `0..=F`.
    #[error("Invalid movie index")]
    Movie,
}

/// One 2D viewer window.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    /// `frames[movie_idx][idx]`: F frames of N slices each, in data order.
    pub(crate) frames: Vec<Vec<Slice>>,
    /// The current frame.
    pub(crate) movie_idx: usize,
    /// The current slice, in data order.
    pub(crate) idx: usize,
    /// Whether the data order is the reverse of the order the viewer was asked to show.
    pub(crate) flipped: bool,
    /// The window level and width, once read or set; until then it follows from `window_pix`.
    pub(crate) window: Option<Window>,
    /// The DCMPix the viewer opened on, whose window (from its file, else its pixel range) it starts with.
    pub(crate) window_pix: u64,
    /// The viewer fused onto this one (`FuseWithViewer`), if any.
    pub(crate) fusion: Option<u64>,
    /// The window title.
    pub(crate) title: String,
}

impl Viewer {
    /// A viewer on `frames` (at least one, none empty), showing the first slice of the order it was asked
    /// for: data slice 0, or the last one when the data are flipped.
    pub(crate) fn new(frames: Vec<Vec<Slice>>, flipped: bool, title: String) -> Viewer {
        let n = frames.first().map_or(0, Vec::len);
        let idx = if flipped { n.saturating_sub(1) } else { 0 };
        let window_pix = frames.first().and_then(|f| f.get(idx)).map_or(0, |s| s.pix);
        Viewer {
            frames,
            movie_idx: 0,
            idx,
            flipped,
            window: None,
            window_pix,
            fusion: None,
            title,
        }
    }

    /// F, the number of frames (`MaxMovieIdx`).
    pub(crate) fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// N, the number of slices of the current frame.
    pub(crate) fn slice_count(&self) -> usize {
        self.frames.get(self.movie_idx).map_or(0, Vec::len)
    }

    /// A movie index clamped into `0..F`, as PixList, ROIList and NewROI read it.
    pub(crate) fn clamp_frame(&self, movie_idx: i32) -> usize {
        let last = self.frame_count().saturating_sub(1);
        usize::try_from(movie_idx).map_or(0, |m| m.min(last))
    }

    /// The slices of frame `frame`.
    pub(crate) fn frame(&self, frame: usize) -> &[Slice] {
        self.frames.get(frame).map_or(&[], Vec::as_slice)
    }

    /// The slice at the current frame and index (`CurDCM`).
    pub(crate) fn current(&self) -> Option<&Slice> {
        self.frames.get(self.movie_idx)?.get(self.idx)
    }

    /// The index the user sees: `N − 1 − idx` when the data are flipped.
    pub(crate) fn displayed_idx(&self) -> usize {
        if self.flipped {
            self.slice_count()
                .saturating_sub(1)
                .saturating_sub(self.idx)
        } else {
            self.idx
        }
    }

    /// `SetIdx`: `0 ≤ idx < N`.
    pub(crate) fn set_idx(&mut self, idx: i32) -> Result<(), IndexError> {
        self.idx = self.check_slice(idx)?;
        Ok(())
    }

    /// `SetDisplayedIdx`: the same range check, then mapped through the flip.
    pub(crate) fn set_displayed_idx(&mut self, displayed: i32) -> Result<(), IndexError> {
        let displayed = self.check_slice(displayed)?;
        self.idx = if self.flipped {
            self.slice_count() - 1 - displayed
        } else {
            displayed
        };
        Ok(())
    }

    fn check_slice(&self, value: i32) -> Result<usize, IndexError> {
        usize::try_from(value)
            .ok()
            .filter(|&v| v < self.slice_count())
            .ok_or(IndexError::Slice(value))
    }

    /// `SetMovieIdx`: refuses `movie_idx < 0` and `> F`, and wraps `F` itself to frame 0 (OsiriX's bound
    /// is off by one). The slice stays.
    pub(crate) fn set_movie_idx(&mut self, movie_idx: i32) -> Result<(), IndexError> {
        let movie = usize::try_from(movie_idx)
            .ok()
            .filter(|&m| m <= self.frame_count())
            .ok_or(IndexError::Movie)?;
        self.movie_idx = if movie == self.frame_count() {
            0
        } else {
            movie
        };
        self.idx = self.idx.min(self.slice_count().saturating_sub(1));
        Ok(())
    }

    /// Shows frame `frame` (clamped into `0..F`), keeping the slice, as OsiriX does when another viewer's
    /// frame is propagated to this one.
    pub(crate) fn show_frame(&mut self, frame: usize) {
        self.movie_idx = frame.min(self.frame_count().saturating_sub(1));
        self.idx = self.idx.min(self.slice_count().saturating_sub(1));
    }

    /// The distinct ROI names of frame `frame`, in the order they first appear slice by slice.
    pub(crate) fn roi_names<'a>(
        &self,
        frame: usize,
        name_of: impl Fn(u64) -> Option<&'a str>,
    ) -> Vec<&'a str> {
        let mut names: Vec<&str> = Vec::new();
        for roi in self.frame(frame).iter().flat_map(|s| &s.rois) {
            if let Some(name) = name_of(*roi)
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
        names
    }

    /// Every ROI, frame by frame, slice by slice, oldest first.
    pub(crate) fn rois(&self) -> impl Iterator<Item = u64> + '_ {
        self.frames
            .iter()
            .flatten()
            .flat_map(|s| s.rois.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(frames: usize, slices: usize, flipped: bool) -> Viewer {
        let mut next = 0;
        let frames = (0..frames)
            .map(|_| {
                (0..slices)
                    .map(|_| {
                        next += 1;
                        Slice {
                            pix: next,
                            rois: Vec::new(),
                        }
                    })
                    .collect()
            })
            .collect();
        Viewer::new(frames, flipped, String::new())
    }

    #[test]
    fn a_viewer_opens_on_the_first_slice_it_was_asked_for() {
        let plain = viewer(1, 40, false);
        assert_eq!((plain.idx, plain.displayed_idx()), (0, 0));
        let flipped = viewer(1, 40, true);
        assert_eq!((flipped.idx, flipped.displayed_idx()), (39, 0));
        assert_eq!(flipped.window_pix, 40);
    }

    #[test]
    fn slice_indices_need_to_be_in_range() {
        let mut v = viewer(2, 40, true);
        assert_eq!(v.set_idx(10), Ok(()));
        assert_eq!((v.idx, v.displayed_idx()), (10, 29));
        assert_eq!(v.set_idx(40), Err(IndexError::Slice(40)));
        assert_eq!(v.set_idx(-1), Err(IndexError::Slice(-1)));
        assert_eq!(
            IndexError::Slice(-1).to_string(),
            "Index -1 is out of range"
        );
        assert_eq!(v.set_displayed_idx(0), Ok(()));
        assert_eq!(v.idx, 39);
        assert_eq!(v.set_displayed_idx(40), Err(IndexError::Slice(40)));
        assert_eq!(v.idx, 39);
    }

    #[test]
    fn the_movie_index_accepts_its_count_and_wraps_it() {
        let mut v = viewer(2, 40, false);
        v.set_idx(7).expect("in range");
        assert_eq!(v.set_movie_idx(1), Ok(()));
        assert_eq!((v.movie_idx, v.idx), (1, 7));
        assert_eq!(v.set_movie_idx(2), Ok(()));
        assert_eq!(v.movie_idx, 0);
        assert_eq!(v.set_movie_idx(3), Err(IndexError::Movie));
        assert_eq!(v.set_movie_idx(-1), Err(IndexError::Movie));
        assert_eq!(IndexError::Movie.to_string(), "Invalid movie index");
    }

    #[test]
    fn a_propagated_frame_keeps_the_slice() {
        let mut v = viewer(3, 5, false);
        v.set_idx(4).expect("in range");
        v.show_frame(2);
        assert_eq!((v.movie_idx, v.idx), (2, 4));
        v.show_frame(9);
        assert_eq!(v.movie_idx, 2);
        v.show_frame(0);
        assert_eq!((v.movie_idx, v.idx), (0, 4));
    }

    #[test]
    fn roi_names_come_once_in_slice_order() {
        let mut v = viewer(2, 3, false);
        v.frames[0][0].rois = vec![10, 11];
        v.frames[0][2].rois = vec![12, 13];
        v.frames[1][0].rois = vec![14];
        let name = |roi: u64| match roi {
            10 | 13 => Some("b"),
            11 | 12 => Some("a"),
            14 => Some("c"),
            _ => None,
        };
        assert_eq!(v.roi_names(0, name), ["b", "a"]);
        assert_eq!(v.roi_names(1, name), ["c"]);
        assert!(v.roi_names(5, name).is_empty());
    }

    #[test]
    fn frames_are_clamped_for_lists() {
        let v = viewer(2, 3, false);
        assert_eq!(v.clamp_frame(-5), 0);
        assert_eq!(v.clamp_frame(1), 1);
        assert_eq!(v.clamp_frame(9), 1);
        assert_eq!(v.frames.iter().flatten().count(), 6);
    }
}
