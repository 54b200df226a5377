//! A DCMPix of the scene: one frame of one file, shown at one slice of one viewer.

use std::sync::Arc;

use crate::pixels::{FrameGeometry, PixCell};
use crate::roi::{ImageSize, Spacing};

/// One DCMPix.
#[derive(Debug, Clone)]
pub(crate) struct Pix {
    /// The database image (file) it was read from.
    pub(crate) image: usize,
    /// Its geometry, read from the file's header when the viewer opened.
    pub(crate) geometry: FrameGeometry,
    /// Its pixels.
    pub(crate) cell: Arc<PixCell>,
}

impl Pix {
    /// The matrix size, as the ROI geometry takes it (DICOM sizes fit 16 bits).
    pub(crate) fn size(&self) -> ImageSize {
        let clamp = |v: u32| u16::try_from(v).unwrap_or(u16::MAX);
        ImageSize::new(clamp(self.geometry.columns), clamp(self.geometry.rows))
    }

    /// The pixel spacing, as a new ROI takes it (float32, as OsiriX's ROI creation does).
    pub(crate) fn spacing(&self) -> Spacing {
        Spacing::new(
            self.geometry.spacing_x as f32,
            self.geometry.spacing_y as f32,
        )
    }

    /// spacingY / spacingX, which ROIRotate uses to turn true angles on anisotropic pixels.
    pub(crate) fn pixel_ratio(&self) -> f64 {
        if self.geometry.spacing_x == 0.0 {
            1.0
        } else {
            self.geometry.spacing_y / self.geometry.spacing_x
        }
    }
}
