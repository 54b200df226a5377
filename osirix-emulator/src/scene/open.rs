//! What a viewer is built from: the DCMPix of each frame, read from the files' headers, in the order
//! OsiriX keeps them (see docs/osirix-behaviour.md, *Viewers*, frame reversal).

use std::path::PathBuf;

use crate::pixels::{FrameGeometry, PixSource, read_geometry};

/// One DCMPix to make: the database image, the frame of its file, its geometry and whether it is colour.
#[derive(Debug, Clone)]
pub(crate) struct PixSpec {
    /// The database image.
    pub(crate) image: usize,
    /// The frame of the file.
    pub(crate) source: PixSource,
    /// Its geometry.
    pub(crate) geometry: FrameGeometry,
    /// Whether it decodes to ARGB.
    pub(crate) colour: bool,
}

/// The DCMPix of one frame's images (database index and file path each), in the order given: one per
/// frame of each file.
///
/// # Errors
///
/// Why a file's geometry cannot be read, naming the file.
pub(crate) fn read_frame(images: &[(usize, PathBuf)]) -> Result<Vec<PixSpec>, String> {
    let mut specs = Vec::with_capacity(images.len());
    for (image, path) in images {
        let geometry = read_geometry(path)
            .map_err(|e| format!("Cannot open the image {}: {e}", path.display()))?;
        for frame in 0..geometry.number_of_frames() {
            let Some(frame_geometry) = geometry.frame(frame) else {
                continue;
            };
            specs.push(PixSpec {
                image: *image,
                source: PixSource {
                    path: path.clone(),
                    frame,
                },
                geometry: frame_geometry,
                colour: geometry.is_colour(),
            });
        }
    }
    Ok(specs)
}

/// The signed distance from slice `a` to slice `b` along the normal of `a`: measured on the axis that
/// dominates the normal, with the normal's sign; on the whole normal when no axis dominates.
pub(crate) fn interval(a: &FrameGeometry, b: &FrameGeometry) -> f64 {
    let n = a.normal;
    let step: [f64; 3] = std::array::from_fn(|i| b.origin[i] - a.origin[i]);
    let magnitude = n.map(f64::abs);
    match (0..3).find(|&i| (0..3).all(|j| j == i || magnitude[i] > magnitude[j])) {
        Some(axis) => step[axis] * n[axis].signum(),
        None => (0..3).map(|i| step[i] * n[i]).sum(),
    }
}

/// Whether OsiriX reverses a frame: its first two slices step backwards along the normal.
pub(crate) fn needs_reversal(frame: &[PixSpec]) -> bool {
    match frame {
        [first, second, ..] => interval(&first.geometry, &second.geometry) < 0.0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::Rescale;

    fn geometry(origin: [f64; 3], normal: [f64; 3]) -> FrameGeometry {
        FrameGeometry {
            rows: 4,
            columns: 4,
            spacing_x: 1.0,
            spacing_y: 1.0,
            origin,
            row_direction: [0.0, 1.0, 0.0],
            column_direction: [0.0, 0.0, -1.0],
            normal,
            slice_location: origin[0],
            window: None,
            rescale: Rescale::IDENTITY,
        }
    }

    fn spec(origin: [f64; 3], normal: [f64; 3]) -> PixSpec {
        PixSpec {
            image: 0,
            source: PixSource {
                path: PathBuf::new(),
                frame: 0,
            },
            geometry: geometry(origin, normal),
            colour: false,
        }
    }

    #[test]
    fn a_sagittal_series_in_rising_slice_location_is_reversed() {
        // The MR phantom: normal (−1, 0, 0), slice location = x, sorted by slice location ascending.
        let normal = [-1.0, 0.0, 0.0];
        let rising = [
            spec([-56.6, -106.2, 124.1], normal),
            spec([-53.3, -106.2, 124.1], normal),
        ];
        assert!(needs_reversal(&rising));
        let falling = [rising[1].clone(), rising[0].clone()];
        assert!(!needs_reversal(&falling));
    }

    #[test]
    fn an_axial_series_going_up_is_kept() {
        let normal = [0.0, 0.0, 1.0];
        assert!(!needs_reversal(&[
            spec([0.0, 0.0, -40.0], normal),
            spec([0.0, 0.0, -37.5], normal)
        ]));
        assert!(needs_reversal(&[
            spec([0.0, 0.0, -37.5], normal),
            spec([0.0, 0.0, -40.0], normal)
        ]));
        // One slice, or two at the same place, stay as they are.
        assert!(!needs_reversal(&[spec([0.0; 3], normal)]));
        assert!(!needs_reversal(&[
            spec([0.0; 3], normal),
            spec([0.0; 3], normal)
        ]));
    }

    #[test]
    fn an_oblique_normal_without_a_dominant_axis_uses_the_whole_normal() {
        let h = std::f64::consts::FRAC_1_SQRT_2;
        let normal = [h, h, 0.0];
        assert!(
            interval(
                &geometry([0.0; 3], normal),
                &geometry([1.0, 1.0, 0.0], normal)
            ) > 0.0
        );
        assert!(
            interval(
                &geometry([0.0; 3], normal),
                &geometry([-1.0, 0.0, 0.0], normal)
            ) < 0.0
        );
    }
}
