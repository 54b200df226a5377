//! ROI areas: the shoelace of an outline, `areaPix` by kind, and ROIArea's cm².

use super::geom::Point;
use super::kind::Kind;
use super::shape::{Geometry, Shape};

/// The shoelace area of `points`, always closed from the last point back to the first (so an open
/// polygon is measured as if closed), made positive whatever the orientation. In double: the pinned
/// areas need it, a float32 computation misses one of them.
pub(crate) fn shoelace(points: &[Point]) -> f64 {
    let Some(&last) = points.last() else {
        return 0.0;
    };
    let mut previous = last;
    let mut twice = 0.0;
    for &point in points {
        twice += previous.x * point.y - previous.y * point.x;
        previous = point;
    }
    (twice / 2.0).abs()
}

impl Shape {
    /// OsiriX's `areaPix`, in px²:
    ///
    /// - tOPolygon, tCPolygon, tPencil: the shoelace of [`Shape::outline`] (the spline samples when the
    ///   spline applies);
    /// - tAxis, tDynAngle: the shoelace of the raw points (never splined);
    /// - tROI: width × height;
    /// - tOval, and tOvalAngle drawn as its oval: π·|a·b| with a, b the semi-axes;
    /// - tPlain: the number of set mask pixels;
    /// - every other kind: 0.
    pub(crate) fn area_pix(&self) -> f64 {
        match (self.kind, &self.geometry) {
            (Kind::OpenPolygon | Kind::ClosedPolygon | Kind::Pencil, _) => {
                shoelace(&self.outline())
            }
            (Kind::Axis | Kind::DynamicAngle, Geometry::Points(points)) => shoelace(points),
            (Kind::Rectangle, Geometry::Rect(rect)) => rect.width * rect.height,
            (Kind::Oval | Kind::OvalAngle, Geometry::Rect(rect)) => {
                std::f64::consts::PI * (rect.width * rect.height).abs()
            }
            (Kind::Plain, Geometry::Mask(mask)) => mask.set_count() as f64,
            _ => 0.0,
        }
    }

    /// ROIArea, in cm²: `areaPix` × spacingX × spacingY / 100 with the ROI's own spacing, sent as float32.
    /// 0 when both spacings are 0.
    pub(crate) fn area_cm2(&self) -> f32 {
        let spacing = self.spacing;
        if spacing.x == 0.0 && spacing.y == 0.0 {
            return 0.0;
        }
        (self.area_pix() * f64::from(spacing.x) * f64::from(spacing.y) / 100.0) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roi::geom::Spacing;
    use crate::roi::mask::Mask;
    use crate::roi::shape::fixtures::*;

    #[test]
    fn shoelace_of_simple_outlines() {
        let unit = [
            Point::new(0.0, 0.0),
            Point::new(1.0, 0.0),
            Point::new(1.0, 1.0),
            Point::new(0.0, 1.0),
        ];
        assert_eq!(shoelace(&unit), 1.0);
        let mut reversed = unit;
        reversed.reverse();
        assert_eq!(shoelace(&reversed), 1.0);
        assert_eq!(shoelace(&[]), 0.0);
        assert_eq!(shoelace(&unit[..2]), 0.0);
        // Repeated points add nothing.
        let repeated = [unit[0], unit[1], unit[1], unit[2], unit[3], unit[3]];
        assert_eq!(shoelace(&repeated), 1.0);
    }

    #[test]
    fn square_area_in_cm2_is_its_area_pix_times_the_spacing() {
        // The exact float32 values OsiriX reports for this square are checked end to end, over gRPC, in
        // tests/phantom_scene.rs; here the rule that produces them.
        for kind in [Kind::Pencil, Kind::ClosedPolygon] {
            let square = square(kind);
            assert!((square.area_pix() - 2415.975333).abs() < 1e-6);
            let (x, y) = (f64::from(square.spacing.x), f64::from(square.spacing.y));
            let expected = (square.area_pix() * x * y / 100.0) as f32;
            assert_eq!(square.area_cm2(), expected);
        }
    }

    #[test]
    fn without_the_spline_the_square_is_its_polygon() {
        let mut square = square(Kind::ClosedPolygon);
        square.set_spline(false);
        assert_eq!(square.area_pix(), 1600.0);
        assert_eq!(square.area_cm2(), 9.765625);
    }

    #[test]
    fn open_polygon_and_pencil_areas() {
        assert!((square(Kind::OpenPolygon).area_pix() - 2174.6376).abs() < 1e-4);
        let pencil = polygon(
            Kind::Pencil,
            &[
                (50.205, 32.322),
                (53.274, 38.773),
                (64.687, 25.433),
                (69.719, 36.012),
                (41.897, 36.274),
                (68.917, 23.421),
            ]
            .map(|(x, y): (f32, f32)| (f64::from(x), f64::from(y))),
        );
        assert!((pencil.area_pix() - 231.3904).abs() < 1e-4);
    }

    #[test]
    fn areas_by_kind() {
        assert_eq!(
            rect(Kind::Rectangle, 66.0, 42.0, 20.0, 10.0).area_pix(),
            200.0
        );
        let oval = rect(Kind::Oval, 66.0, 42.0, 20.0, 10.0).area_pix();
        assert!((oval - 628.3185).abs() < 1e-4);
        assert_eq!(rect(Kind::Point, 66.0, 42.0, 20.0, 10.0).area_pix(), 0.0);
        // Axis and dynamic angle use their raw points, not the spline.
        assert_eq!(square(Kind::Axis).area_pix(), 1600.0);
        assert_eq!(square(Kind::DynamicAngle).area_pix(), 1600.0);
        for kind in [
            Kind::Measure,
            Kind::Angle,
            Kind::Arrow,
            Kind::Layer,
            Kind::Tagt,
        ] {
            assert_eq!(square(kind).area_pix(), 0.0, "{kind:?}");
        }
        let mask = Mask::from_buffer(&[true, false, true, true], 2, 2, 0, 0).expect("mask");
        assert_eq!(shape(Kind::Plain, Geometry::Mask(mask)).area_pix(), 3.0);
    }

    #[test]
    fn a_forty_pixel_mask_is_9_765625_cm2() {
        let mask = Mask::from_buffer(&[true; 1600], 40, 40, 0, 0).expect("mask");
        assert_eq!(
            shape(Kind::Plain, Geometry::Mask(mask)).area_cm2(),
            9.765625
        );
    }

    #[test]
    fn spacing_scales_the_area() {
        let mut r = rect(Kind::Rectangle, 0.0, 0.0, 10.0, 10.0);
        r.spacing = Spacing::new(0.5, 2.0);
        assert_eq!(r.area_cm2(), 1.0);
        r.spacing = Spacing::new(0.0, 0.0);
        assert_eq!(r.area_cm2(), 0.0);
        r.spacing = Spacing::new(0.0, 3.0);
        assert_eq!(r.area_cm2(), 0.0);
    }
}
