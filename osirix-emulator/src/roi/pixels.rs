//! Which pixels of an image an ROI covers, as DCMPixROIValues and DCMPixComputeROI collect them.

use super::clip::{clip, needs_clip};
use super::fill::{Window, fill};
use super::geom::{ImageSize, Pixel, Vertex};
use super::shape::{Geometry, Shape};

impl Shape {
    /// The pixels whose values DCMPixROIValues reports for this ROI on an image of `size`, in order, with
    /// duplicates (they count in ComputeROI's N, total, mean and deviation).
    ///
    /// - tPlain: the set mask pixels row by row (y outer, x inner), skipping those outside the image.
    /// - Every other kind: [`Shape::outline`] truncated toward zero to integer vertices. None gives nothing.
    ///   One vertex gives that pixel even when it lies outside the image (its value is then 0, see
    ///   [`sample`]). Otherwise the polygon is clipped to the image if any vertex lies outside, and filled
    ///   (see the fill's rule) if at least 3 vertices remain: a 2-point line inside the image covers
    ///   nothing, but one crossing the border becomes a degenerate triangle that covers one pixel per row.
    ///   Pixels come in scan order: rows top to bottom, runs left to right, and a pixel where two runs meet
    ///   comes twice.
    pub(crate) fn pixels(&self, size: ImageSize) -> Vec<Pixel> {
        if let Geometry::Mask(mask) = &self.geometry {
            return mask
                .set_pixels()
                .filter(|&(x, y)| size.contains(x, y))
                .map(|(x, y)| Pixel::at(Vertex::new(x, y)))
                .collect();
        }
        let vertices: Vec<Vertex> = self.outline().into_iter().map(Vertex::truncate).collect();
        if let [single] = vertices[..] {
            return vec![Pixel::at(single)];
        }
        let vertices = if needs_clip(&vertices, size) {
            clip(&vertices, size)
        } else {
            vertices
        };
        if vertices.len() < 3 {
            return Vec::new();
        }
        // After clipping the runs lie in the image; cutting them to it only guards against the float32
        // rounding of an intersection.
        let window = Window {
            left: 0,
            right: i64::from(size.columns) - 1,
            top: 0,
            bottom: i64::from(size.rows) - 1,
        };
        let mut pixels = Vec::new();
        fill(&vertices, window, |y, x0, x1| {
            pixels.extend((x0..=x1).map(|x| Pixel::at(Vertex::new(x, y))));
        });
        pixels
    }
}

/// The values of `pixels` in `image` (row-major, `size`): the pixel's value, or 0 for a pixel outside the
/// image (a t2DPoint off the image) or past the end of a short buffer.
pub(crate) fn sample(image: &[f32], size: ImageSize, pixels: &[Pixel]) -> Vec<f32> {
    pixels
        .iter()
        .map(|pixel| {
            size.index(i64::from(pixel.x), i64::from(pixel.y))
                .and_then(|index| image.get(index).copied())
                .unwrap_or(0.0)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roi::kind::Kind;
    use crate::roi::mask::Mask;
    use crate::roi::shape::fixtures::*;
    use std::collections::BTreeSet;

    const IMAGE: ImageSize = ImageSize::new(320, 320);

    fn extents(pixels: &[Pixel]) -> ((i32, i32), (i32, i32)) {
        let xs = pixels.iter().map(|p| p.x);
        let ys = pixels.iter().map(|p| p.y);
        (
            (xs.clone().min().unwrap_or(0), xs.max().unwrap_or(0)),
            (ys.clone().min().unwrap_or(0), ys.max().unwrap_or(0)),
        )
    }

    fn without_spline(mut shape: Shape) -> Shape {
        shape.set_spline(false);
        shape
    }

    #[test]
    fn the_computed_examples() {
        let r = rect(Kind::Rectangle, 10.5, 10.5, 40.0, 40.0).pixels(IMAGE);
        assert_eq!(r.len(), 1681);
        assert_eq!(extents(&r), ((10, 50), (10, 50)));

        let off = without_spline(square(Kind::ClosedPolygon)).pixels(IMAGE);
        assert_eq!(off, r);

        let on = square(Kind::ClosedPolygon).pixels(IMAGE);
        assert_eq!(on.len(), 2484);
        assert_eq!(extents(&on), ((3, 58), (3, 58)));

        assert_eq!(
            rect(Kind::Rectangle, 66.0, 42.0, 20.0, 10.0)
                .pixels(IMAGE)
                .len(),
            231
        );

        let corner = rect(Kind::Rectangle, -5.5, -5.5, 10.0, 10.0).pixels(IMAGE);
        assert_eq!(corner.len(), 25);
        assert_eq!(extents(&corner), ((0, 4), (0, 4)));

        let angle = polygon(Kind::Angle, &[(71.0, -2.0), (67.0, 11.0), (90.0, 9.0)]);
        assert_eq!(angle.pixels(IMAGE).len(), 155);

        let arrow = polygon(Kind::Arrow, &[(66.0, 42.0), (99.0, 24.0)]);
        assert!(arrow.pixels(IMAGE).is_empty());

        let triangle = polygon(Kind::Angle, &[(-0.9, -0.9), (3.5, -0.9), (3.5, 2.2)]);
        assert_eq!(triangle.pixels(IMAGE).len(), 7);
    }

    #[test]
    fn the_clipped_measurement_line() {
        let line = polygon(Kind::Measure, &[(71.0, -2.0), (67.0, 11.0)]);
        let expected: Vec<Pixel> = [
            (70, 0),
            (70, 1),
            (69, 2),
            (69, 3),
            (69, 4),
            (69, 5),
            (68, 6),
            (68, 7),
            (68, 8),
            (68, 9),
            (67, 10),
            (67, 11),
        ]
        .into_iter()
        .map(|(x, y)| Pixel::new(x, y))
        .collect();
        assert_eq!(line.pixels(IMAGE), expected);
        // A horizontal line across the border gives nothing.
        let flat = polygon(Kind::Measure, &[(-5.0, 7.0), (20.0, 7.0)]);
        assert!(flat.pixels(IMAGE).is_empty());
    }

    #[test]
    fn the_test_oval() {
        let oval = rect(Kind::Oval, 66.0, 42.0, 20.0, 10.0).pixels(IMAGE);
        assert_eq!(oval.len(), 660);
        assert_eq!(extents(&oval), ((46, 85), (32, 51)));
        let distinct: BTreeSet<_> = oval.iter().collect();
        assert_eq!(distinct.len(), oval.len());
    }

    #[test]
    fn a_thin_rectangle_is_a_column_or_nothing() {
        let column = rect(Kind::Rectangle, 5.2, 5.0, 0.5, 3.0).pixels(IMAGE);
        assert_eq!(
            column,
            [(5, 5), (5, 6), (5, 7), (5, 8)].map(|(x, y)| Pixel::new(x, y))
        );
        assert!(
            rect(Kind::Rectangle, 5.0, 5.2, 3.0, 0.5)
                .pixels(IMAGE)
                .is_empty()
        );
    }

    #[test]
    fn a_point_is_one_pixel_even_outside() {
        assert_eq!(
            rect(Kind::Point, 66.7, 42.2, 0.0, 0.0).pixels(IMAGE),
            [Pixel::new(66, 42)]
        );
        assert_eq!(
            rect(Kind::Point, -3.5, 400.0, 0.0, 0.0).pixels(IMAGE),
            [Pixel::new(-3, 400)]
        );
    }

    #[test]
    fn masks_walk_their_texture_inside_the_image() {
        let mask = Mask::from_buffer(&[true; 9], 3, 3, -1, 318).expect("mask");
        let pixels = shape(Kind::Plain, Geometry::Mask(mask)).pixels(IMAGE);
        assert_eq!(
            pixels,
            [(0, 318), (1, 318), (0, 319), (1, 319)].map(|(x, y)| Pixel::new(x, y))
        );
    }

    #[test]
    fn text_has_no_pixels() {
        let text = shape(
            Kind::Text,
            Geometry::Text {
                rect: crate::roi::geom::Rect::new(1.0, 1.0, 8.0, 16.0),
                points: Vec::new(),
            },
        );
        assert!(text.pixels(IMAGE).is_empty());
    }

    #[test]
    fn sampling_reads_row_major_and_zero_outside() {
        let size = ImageSize::new(3, 2);
        let image = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
        let pixels = [
            Pixel::new(2, 1),
            Pixel::new(0, 1),
            Pixel::new(-1, 0),
            Pixel::new(3, 0),
        ];
        assert_eq!(sample(&image, size, &pixels), [5.0, 3.0, 0.0, 0.0]);
        assert_eq!(sample(&image[..2], size, &pixels[..1]), [0.0]);
    }
}
