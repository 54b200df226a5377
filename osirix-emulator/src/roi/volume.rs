//! The volume of an ROIVolume: the signed trapezoid sum over its ROIs' slices.

/// The volume in cm³ of ROIs of areas `A` (cm²) on slices at locations `z` (mm), given in the ROIVolume's
/// order (slice order): Σ (z_i − z_{i−1}) / 10 × (A_i + A_{i−1}) / 2 over consecutive pairs.
///
/// It is signed (negative when the slice location decreases along the list, as in the phantom's
/// reversed viewers), treats the slices as contiguous (gaps count as volume), and skips an interval
/// whose previous location is exactly 0.0, as OsiriX does. Which ROIs count is the caller's choice
/// ([`crate::roi::Kind::counts_in_volume`]).
pub(crate) fn volume_cm3(slices: &[(f32, f32)]) -> f32 {
    let volume: f64 = slices
        .windows(2)
        .filter(|pair| pair[0].0 != 0.0)
        .map(|pair| {
            let ((z0, a0), (z1, a1)) = (pair[0], pair[1]);
            let depth = (f64::from(z1) - f64::from(z0)) / 10.0;
            depth * (f64::from(a0) + f64::from(a1)) / 2.0
        })
        .sum();
    volume as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roi::geom::Spacing;
    use crate::roi::{Buffer, NewRoi, Rect, Shape};

    #[test]
    fn ten_masks_of_the_phantom_pin() {
        // Ten 40 × 40 masks on slices 0–9 of a viewer whose slice location falls 3.3 mm a slice.
        let bits = vec![true; 1600];
        let slices: Vec<(f32, f32)> = (0..10)
            .map(|i| {
                let shape = Shape::create(&NewRoi {
                    itype: 20,
                    name: "mask",
                    points: &[],
                    rectangle: Rect::default(),
                    buffer: Buffer {
                        bits: &bits,
                        rows: 40,
                        columns: 40,
                        position_x: 3 * i,
                        position_y: 5 * i,
                    },
                    spacing: Spacing::new(0.78125, 0.78125),
                })
                .expect("mask");
                let z = (72.098_182_678_223 - 3.3 * f64::from(i)) as f32;
                (z, shape.area_cm2())
            })
            .collect();
        let volume = volume_cm3(&slices);
        assert!((f64::from(volume) + 29.00390625).abs() < 1e-4, "{volume}");
    }

    #[test]
    fn simple_sums() {
        assert_eq!(volume_cm3(&[]), 0.0);
        assert_eq!(volume_cm3(&[(5.0, 3.0)]), 0.0);
        // 10 mm deep, 1 and 3 cm²: 1 × 2 = 2 cm³; reversed, −2.
        assert_eq!(volume_cm3(&[(0.5, 1.0), (10.5, 3.0)]), 2.0);
        assert_eq!(volume_cm3(&[(10.5, 3.0), (0.5, 1.0)]), -2.0);
        // A gap counts as volume.
        assert_eq!(volume_cm3(&[(1.0, 1.0), (11.0, 1.0), (31.0, 1.0)]), 3.0);
    }

    #[test]
    fn a_previous_location_of_zero_skips_its_interval() {
        assert_eq!(volume_cm3(&[(0.0, 1.0), (10.0, 1.0)]), 0.0);
        assert_eq!(volume_cm3(&[(-10.0, 1.0), (0.0, 1.0), (10.0, 1.0)]), 1.0);
        assert_eq!(volume_cm3(&[(-0.0, 1.0), (10.0, 1.0)]), 0.0);
    }
}
