//! How far long work has got, for the callbacks of [`ViewerController::volume_with_progress`] and
//! [`Import::wait_with_progress`].
//!
//! [`ViewerController::volume_with_progress`]: crate::ViewerController::volume_with_progress
//! [`Import::wait_with_progress`]: crate::Import::wait_with_progress

/// How much of a known amount of work is done: `done` of `total` units (slices read, files seen).
///
/// A callback receives `done == 0` first, then values that never go down and never pass `total`, and
/// `done == total` last when the work succeeds. `total` stays the same throughout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Progress {
    /// The units done so far.
    pub done: usize,
    /// The units the work has in all.
    pub total: usize,
}

impl Progress {
    /// `done` of `total` units.
    pub fn new(done: usize, total: usize) -> Self {
        Progress { done, total }
    }
}
