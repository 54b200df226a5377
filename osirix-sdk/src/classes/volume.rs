//! A viewer frame's pixels as one volume: every slice fetched concurrently into one buffer, with the slices
//! copied so far reported to a callback.

use futures_util::stream::{self, StreamExt, TryStreamExt};

use crate::classes::geometry::{Orientation, Shape, Spacing, Vector3};
use crate::classes::pixels::PixelImage;
use crate::{DcmPix, Error, Progress, Result, ViewerController};

/// The greyscale pixels of every slice of a viewer frame, in the frame's data order, with its geometry
/// (from [`ViewerController::volume`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Volume {
    /// The number of slices.
    pub slices: usize,
    /// The shape of every slice.
    pub shape: Shape,
    /// Every value, slice after slice, each slice row-major: element
    /// `(slice * rows + row) * columns + column`.
    pub data: Vec<f32>,
    /// The pixel spacing of the first slice, in mm.
    pub spacing: Spacing,
    /// The position of the first pixel of the first slice, in mm.
    pub origin: Vector3,
    /// The orientation of the first slice.
    pub orientation: Orientation,
    /// Each slice's OsiriX slice location, in mm, in slice order.
    pub slice_locations: Vec<f32>,
}

impl Volume {
    /// The value at `slice`, `row`, `column`, or `None` outside the volume.
    pub fn get(&self, slice: usize, row: usize, column: usize) -> Option<f32> {
        let (rows, columns) = (self.shape.rows as usize, self.shape.columns as usize);
        (slice < self.slices && row < rows && column < columns)
            .then(|| self.data[(slice * rows + row) * columns + column])
    }

    /// The values of one slice, row-major, or `None` past the last slice.
    pub fn slice(&self, slice: usize) -> Option<&[f32]> {
        let len = self.shape.len();
        (slice < self.slices).then(|| &self.data[slice * len..(slice + 1) * len])
    }
}

impl ViewerController {
    /// How many slices [`ViewerController::volume`] fetches at once: enough to overlap round trips, few
    /// enough to leave the client's other calls room.
    pub const VOLUME_CONCURRENCY: usize = 8;

    /// Every slice of frame `movie_idx` as one [`Volume`], in data order. The slices are fetched
    /// concurrently, at most [`ViewerController::VOLUME_CONCURRENCY`] at a time, and copied into one buffer
    /// as they arrive. [`ViewerController::volume_with_progress`] does the same and reports each slice.
    ///
    /// ```no_run
    /// # async fn demo(viewer: osirix_sdk::ViewerController) -> osirix_sdk::Result<()> {
    /// let volume = viewer.volume(0).await?;
    /// println!("{} × {:?}, {:?} mm", volume.slices, volume.shape, volume.spacing);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the viewer has no frame `movie_idx`, or when the frame is not a
    /// greyscale volume (no slice, a colour slice, or slices of different shapes); the first error of any
    /// call.
    pub async fn volume(&self, movie_idx: u32) -> Result<Volume> {
        self.volume_with_progress(movie_idx, |_| {}).await
    }

    /// [`ViewerController::volume`], calling `progress` with the slices copied of the frame's slices: once
    /// with `done` 0 when the slice count is known, then after each slice, in slice order, so that the last
    /// call of a volume read in full has `done == total`. Nothing is reported when the frame is refused
    /// before its slices are listed.
    ///
    /// `progress` runs on the caller's task, between the slices' calls: it should return quickly (draw a
    /// bar, send on a channel), since the next slice is copied only after it returns.
    ///
    /// ```no_run
    /// # async fn demo(viewer: osirix_sdk::ViewerController) -> osirix_sdk::Result<()> {
    /// let volume = viewer
    ///     .volume_with_progress(0, |p| eprint!("\rslice {}/{}", p.done, p.total))
    ///     .await?;
    /// eprintln!();
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Those of [`ViewerController::volume`].
    pub async fn volume_with_progress(
        &self,
        movie_idx: u32,
        mut progress: impl FnMut(Progress),
    ) -> Result<Volume> {
        let frames = self.frame_count().await?;
        if movie_idx >= frames {
            return Err(Error::invalid(format!(
                "frame {movie_idx} is outside the viewer, which has {frames} frame(s)"
            )));
        }
        let pix = self.pix_list(movie_idx).await?;
        let Some(first) = pix.first() else {
            return Err(Error::invalid("the frame has no slice"));
        };
        let slices = pix.len();
        progress(Progress::new(0, slices));
        let (spacing, origin, orientation) =
            tokio::try_join!(first.spacing(), first.origin(), first.orientation())?;
        let mut slices_in =
            stream::iter(pix.iter().map(slice_of)).buffered(Self::VOLUME_CONCURRENCY);
        let mut volume = Volume {
            slices,
            shape: Shape::default(),
            data: Vec::new(),
            spacing,
            origin,
            orientation,
            slice_locations: Vec::with_capacity(slices),
        };
        let mut index = 0;
        while let Some((image, location)) = slices_in.try_next().await? {
            let PixelImage::Grey(plane) = image else {
                return Err(Error::invalid(format!(
                    "slice {index} is colour: a volume is greyscale"
                )));
            };
            if index == 0 {
                volume.shape = plane.shape();
                volume.data.reserve_exact(plane.shape().len() * slices);
            } else if plane.shape() != volume.shape {
                return Err(Error::invalid(format!(
                    "slice {index} is {} × {}, slice 0 {} × {}: not a volume",
                    plane.shape().rows,
                    plane.shape().columns,
                    volume.shape.rows,
                    volume.shape.columns
                )));
            }
            volume.data.extend_from_slice(plane.as_slice());
            volume.slice_locations.push(location);
            index += 1;
            progress(Progress::new(index, slices));
        }
        Ok(volume)
    }
}

/// One slice's pixels and location.
async fn slice_of(pix: &DcmPix) -> Result<(PixelImage, f32)> {
    tokio::try_join!(pix.image(), pix.slice_location())
}
