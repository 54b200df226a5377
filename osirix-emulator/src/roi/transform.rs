//! The ROI RPCs that move a shape: centroid, flips, move and rotation.
//!
//! All of them work in pixel coordinates and ignore the spacing, except rotation, which takes the DCMPix's
//! pixel ratio so that a turn is a true rotation on anisotropic pixels.

use super::geom::Point;
use super::kind::Kind;
use super::shape::{Geometry, Shape};

/// The axis ROIFlipHorizontally and ROIFlipVertically mirror across.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flip {
    /// Mirror in x about the centroid (ROIFlipHorizontally).
    Horizontal,
    /// Mirror in y about the centroid (ROIFlipVertically).
    Vertical,
}

impl Shape {
    /// ROICentroid, in pixels: the rectangle origin for the kinds held as a rectangle (the top-left corner
    /// of a tROI, the centre of a tOval or tOvalAngle, the point of a t2DPoint, the anchor of a tText), and
    /// the mean of [`Shape::points`] for every other kind (a vertex average, not an area centroid). An
    /// empty point list gives (0, 0).
    pub(crate) fn centroid(&self) -> Point {
        match &self.geometry {
            Geometry::Rect(rect) | Geometry::Text { rect, .. } => Point::new(rect.x, rect.y),
            Geometry::Points(_) | Geometry::Mask(_) => mean(&self.points()),
        }
    }

    /// ROIFlipHorizontally / ROIFlipVertically: each point mirrored about the centroid of the points
    /// (x' = 2·cx − x, or y' = 2·cy − y).
    ///
    /// A tROI or tOval becomes a tCPolygon first (permanently), a tROI also losing its spline so that it
    /// keeps its exact area. tPlain, t2DPoint and tOvalAngle do not change; a tText mirrors its (normally
    /// empty) point list.
    pub(crate) fn flip(&mut self, axis: Flip) {
        self.make_polygon();
        let Some(points) = self.point_list() else {
            return;
        };
        let centre = mean(points);
        for point in points {
            match axis {
                Flip::Horizontal => point.x = 2.0 * centre.x - point.x,
                Flip::Vertical => point.y = 2.0 * centre.y - point.y,
            }
        }
    }

    /// ROIMove: adds (`columns`, `rows`) to the geometry. Points and rectangle origins move by the exact
    /// offsets; a tPlain mask by whole pixels (each offset truncated toward zero). A tText moves its box.
    pub(crate) fn translate(&mut self, columns: f64, rows: f64) {
        match &mut self.geometry {
            Geometry::Points(points) => {
                for point in points {
                    point.x += columns;
                    point.y += rows;
                }
            }
            Geometry::Rect(rect) | Geometry::Text { rect, .. } => {
                rect.x += columns;
                rect.y += rows;
            }
            Geometry::Mask(mask) => mask.translate(columns, rows),
        }
    }

    /// ROIRotate: turns each point by `degrees` about `centre` (a positive angle turns clockwise on screen,
    /// y pointing down), with r = `pixel_ratio` (the DCMPix's spacingY / spacingX; 0 is taken as 1):
    /// x' = cx + cosθ·(px − cx) − sinθ·(py − cy)·r, y' = cy + (sinθ·(px − cx) + cosθ·(py − cy)·r) / r.
    ///
    /// The kinds change as for [`Shape::flip`].
    pub(crate) fn rotate(&mut self, degrees: f64, centre: Point, pixel_ratio: f64) {
        self.make_polygon();
        let Some(points) = self.point_list() else {
            return;
        };
        let ratio = if pixel_ratio == 0.0 { 1.0 } else { pixel_ratio };
        let (sin, cos) = degrees.to_radians().sin_cos();
        for point in points {
            let dx = point.x - centre.x;
            let dy = (point.y - centre.y) * ratio;
            *point = Point::new(
                centre.x + cos * dx - sin * dy,
                centre.y + (sin * dx + cos * dy) / ratio,
            );
        }
    }

    /// Turns a tROI or tOval into the tCPolygon of its points; a tROI's spline goes off, a tOval keeps its
    /// flag.
    fn make_polygon(&mut self) {
        if !matches!(self.kind, Kind::Rectangle | Kind::Oval) {
            return;
        }
        if self.kind == Kind::Rectangle {
            self.spline = false;
        }
        self.geometry = Geometry::Points(self.points());
        self.kind = Kind::ClosedPolygon;
    }

    /// The point list that flips and rotations change, if the geometry is one.
    fn point_list(&mut self) -> Option<&mut Vec<Point>> {
        match &mut self.geometry {
            Geometry::Points(points) | Geometry::Text { points, .. } => Some(points),
            Geometry::Rect(_) | Geometry::Mask(_) => None,
        }
    }
}

/// The arithmetic mean of `points`; (0, 0) for none.
fn mean(points: &[Point]) -> Point {
    if points.is_empty() {
        return Point::default();
    }
    let n = points.len() as f64;
    let (x, y) = points
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p.x, y + p.y));
    Point::new(x / n, y / n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roi::geom::Rect;
    use crate::roi::mask::Mask;
    use crate::roi::shape::fixtures::*;

    fn assert_points(shape: &Shape, expected: &[(f64, f64)]) {
        let actual = pairs(shape);
        assert_eq!(actual.len(), expected.len(), "{actual:?}");
        for (a, e) in actual.iter().zip(expected) {
            assert!(
                (a.0 - e.0).abs() < 1e-9 && (a.1 - e.1).abs() < 1e-9,
                "{actual:?} vs {expected:?}"
            );
        }
    }

    const SQUARE: [(f64, f64); 4] = [(10.5, 10.5), (50.5, 10.5), (50.5, 50.5), (10.5, 50.5)];

    #[test]
    fn the_pinned_square_operations() {
        let mut shape = square(Kind::Pencil);
        let centroid = shape.centroid();
        assert_eq!(centroid, Point::new(30.5, 30.5));

        shape.flip(Flip::Horizontal);
        assert_points(
            &shape,
            &[(50.5, 10.5), (10.5, 10.5), (10.5, 50.5), (50.5, 50.5)],
        );
        shape.flip(Flip::Horizontal);
        assert_points(&shape, &SQUARE);

        shape.flip(Flip::Vertical);
        assert_points(
            &shape,
            &[(10.5, 50.5), (50.5, 50.5), (50.5, 10.5), (10.5, 10.5)],
        );
        shape.flip(Flip::Vertical);
        assert_points(&shape, &SQUARE);

        shape.translate(10.5, 5.5);
        assert_points(
            &shape,
            &[(21.0, 16.0), (61.0, 16.0), (61.0, 56.0), (21.0, 56.0)],
        );
        shape.translate(-10.5, -5.5);
        assert_points(&shape, &SQUARE);

        shape.rotate(90.0, centroid, 1.0);
        assert_points(
            &shape,
            &[(50.5, 10.5), (50.5, 50.5), (10.5, 50.5), (10.5, 10.5)],
        );
        shape.rotate(-90.0, centroid, 1.0);
        assert_points(&shape, &SQUARE);
        assert_eq!(shape.kind(), Kind::Pencil);
        assert!(shape.spline());
    }

    #[test]
    fn centroids_by_kind() {
        assert_eq!(
            rect(Kind::Rectangle, 10.0, 20.0, 4.0, 6.0).centroid(),
            Point::new(10.0, 20.0)
        );
        assert_eq!(
            rect(Kind::Oval, 66.0, 42.0, 20.0, 10.0).centroid(),
            Point::new(66.0, 42.0)
        );
        assert_eq!(
            polygon(Kind::Angle, &[(0.0, 0.0), (3.0, 0.0), (0.0, 6.0)]).centroid(),
            Point::new(1.0, 2.0)
        );
        assert_eq!(polygon(Kind::Layer, &[]).centroid(), Point::new(0.0, 0.0));
        let mask = Mask::from_buffer(&[true; 4], 2, 2, 4, 6).expect("mask");
        assert_eq!(
            shape(Kind::Plain, Geometry::Mask(mask)).centroid(),
            Point::new(5.0, 7.0)
        );
    }

    #[test]
    fn flipping_a_rectangle_makes_a_polygon_without_spline() {
        let mut shape = rect(Kind::Rectangle, 10.5, 10.5, 40.0, 40.0);
        shape.flip(Flip::Horizontal);
        assert_eq!(shape.kind(), Kind::ClosedPolygon);
        assert!(!shape.spline());
        assert_points(
            &shape,
            &[(50.5, 10.5), (50.5, 50.5), (10.5, 50.5), (10.5, 10.5)],
        );
        assert_eq!(shape.area_pix(), 1600.0);
    }

    #[test]
    fn flipping_an_oval_keeps_its_spline() {
        let mut shape = rect(Kind::Oval, 66.0, 42.0, 20.0, 10.0);
        shape.flip(Flip::Vertical);
        assert_eq!(shape.kind(), Kind::ClosedPolygon);
        assert!(shape.spline());
        assert_eq!(shape.points().len(), 200);
        // The spline area of the 200 points, slightly under π·a·b = 628.319.
        assert!(
            (shape.area_pix() - 628.300).abs() < 1e-3,
            "{}",
            shape.area_pix()
        );
    }

    #[test]
    fn rotating_a_rectangle_or_oval_converts_it() {
        let mut shape = rect(Kind::Rectangle, 0.0, 0.0, 2.0, 2.0);
        shape.rotate(90.0, Point::new(1.0, 1.0), 1.0);
        assert_eq!(shape.kind(), Kind::ClosedPolygon);
        assert!(!shape.spline());
        assert_points(&shape, &[(2.0, 0.0), (0.0, 0.0), (0.0, 2.0), (2.0, 2.0)]);
        let mut oval = rect(Kind::Oval, 0.0, 0.0, 2.0, 1.0);
        oval.rotate(30.0, Point::new(0.0, 0.0), 1.0);
        assert_eq!(oval.kind(), Kind::ClosedPolygon);
        assert!(oval.spline());
    }

    #[test]
    fn masks_points_and_oval_angles_do_not_flip_or_rotate() {
        let mask = Mask::from_buffer(&[true, false, true, true], 2, 2, 4, 6).expect("mask");
        let rectangles = [
            rect(Kind::Point, 3.0, 4.0, 0.0, 0.0),
            rect(Kind::OvalAngle, 3.0, 4.0, 5.0, 6.0),
            shape(Kind::Plain, Geometry::Mask(mask)),
        ];
        for original in rectangles {
            let mut shape = original.clone();
            shape.flip(Flip::Horizontal);
            shape.flip(Flip::Vertical);
            shape.rotate(33.0, Point::new(-7.0, 2.0), 1.5);
            assert_eq!(shape, original);
        }
    }

    #[test]
    fn rectangles_and_text_move_their_origin() {
        let mut shape = rect(Kind::Oval, 66.0, 42.0, 20.0, 10.0);
        shape.translate(1.5, -2.0);
        assert_eq!(
            shape.geometry(),
            &Geometry::Rect(Rect::new(67.5, 40.0, 20.0, 10.0))
        );
        let mut text = shape_text();
        text.translate(4.0, 5.0);
        assert_eq!(text.centroid(), Point::new(104.0, 260.5));
    }

    fn shape_text() -> Shape {
        shape(
            Kind::Text,
            Geometry::Text {
                rect: Rect::new(100.0, 255.5, 8.0, 16.0),
                points: Vec::new(),
            },
        )
    }

    #[test]
    fn rotation_uses_the_pixel_ratio() {
        // With pixels twice as tall as wide, a quarter turn of (2, 0) about the origin lands at (0, 1):
        // 2 px across is 2 mm, and 1 px down is 2 mm too.
        let mut shape = polygon(Kind::Measure, &[(2.0, 0.0), (0.0, 0.0)]);
        shape.rotate(90.0, Point::new(0.0, 0.0), 2.0);
        assert_points(&shape, &[(0.0, 1.0), (0.0, 0.0)]);
        // A ratio of 0 is taken as 1.
        let mut square_shape = square(Kind::ClosedPolygon);
        square_shape.rotate(90.0, Point::new(30.5, 30.5), 0.0);
        assert_points(
            &square_shape,
            &[(50.5, 10.5), (50.5, 50.5), (10.5, 50.5), (10.5, 10.5)],
        );
    }
}
