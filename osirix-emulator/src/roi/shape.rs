//! An ROI's shape: its kind, its geometry, its spline flag and its own pixel spacing.
//!
//! Everything else an ROI has (name, colour, opacity, thickness, the DCMPix it belongs to) is the object
//! model's; the geometry functions need only this. Shapes are made by [`Shape::create`] (the NewROI rules)
//! and changed by the ROI RPCs' operations.

use super::geom::{Point, Rect, Spacing};
use super::kind::Kind;
use super::mask::Mask;
use super::outline::{oval_outline, rectangle_corners};
use super::spline::spline;
use super::text::text_box;

/// Whether a new ROI's outline is smoothed by the spline: OsiriX's "splineForROI" preference, which was on
/// in the tested OsiriX (the pinned areas are spline areas).
pub(crate) const SPLINE_BY_DEFAULT: bool = true;

/// What an ROI's geometry is held as, which follows from its kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Geometry {
    /// The points-group kinds, and a tROI or tOval turned into a tCPolygon: the vertices in order.
    Points(Vec<Point>),
    /// tROI, tOval, t2DPoint and tOvalAngle: a rectangle (see [`Rect`] for what its origin means).
    Rect(Rect),
    /// tText: its box, and its own point list, which is empty unless ROISetPoints fills it.
    Text {
        /// The label's box, anchored at its origin.
        rect: Rect,
        /// The points ROIPoints returns and pixel collection uses.
        points: Vec<Point>,
    },
    /// tPlain: the brush texture.
    Mask(Mask),
}

/// The geometric state of one ROI.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shape {
    pub(super) kind: Kind,
    pub(super) geometry: Geometry,
    pub(super) spline: bool,
    pub(super) spacing: Spacing,
}

impl Shape {
    /// The ROI's kind; it changes when a flip or rotation turns a tROI or tOval into a tCPolygon.
    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    /// The ROI's geometry.
    pub(crate) fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    /// Whether the spline smooths this ROI's outline (only tOPolygon, tCPolygon and tPencil are ever
    /// smoothed). [`SPLINE_BY_DEFAULT`] at creation.
    pub(crate) fn spline(&self) -> bool {
        self.spline
    }

    /// Sets the ROI's own spline flag, which overrides the preference.
    pub(crate) fn set_spline(&mut self, on: bool) {
        self.spline = on;
    }

    /// The ROI's own pixel spacing, copied from the viewer's current DCMPix when the ROI was made.
    pub(crate) fn spacing(&self) -> Spacing {
        self.spacing
    }

    /// The points ROIPoints returns (x = column, y = row): the raw vertices, never the spline.
    ///
    /// - tROI: its 4 corners, (minX,minY), (minX,maxY), (maxX,maxY), (maxX,minY);
    /// - tOval (and tOvalAngle, which the emulator draws as its oval): 200 outline points;
    /// - t2DPoint: its point, the rectangle origin;
    /// - tText: its own point list, normally empty;
    /// - tPlain: the traced outline of its mask ([`Mask::contour`]);
    /// - every other kind: its vertices in order.
    pub(crate) fn points(&self) -> Vec<Point> {
        match &self.geometry {
            Geometry::Points(points) | Geometry::Text { points, .. } => points.clone(),
            Geometry::Rect(rect) => match self.kind {
                Kind::Rectangle => rectangle_corners(*rect),
                Kind::Point => vec![Point::new(rect.x, rect.y)],
                _ => oval_outline(*rect),
            },
            Geometry::Mask(mask) => mask.contour(),
        }
    }

    /// ROISetPoints: replaces the point list, in order.
    ///
    /// OsiriX ignores it for the kinds held as a rectangle other than tText (tROI, tOval, t2DPoint, and
    /// tOvalAngle with them) and for tPlain, whose mask it does not touch; the RPC still succeeds.
    pub(crate) fn set_points(&mut self, new: Vec<Point>) {
        match &mut self.geometry {
            Geometry::Points(points) | Geometry::Text { points, .. } => *points = new,
            Geometry::Rect(_) | Geometry::Mask(_) => {}
        }
    }

    /// ROISetName's geometric side: a tText's box is resized to its new text ([`text_box`]), keeping its
    /// anchor. Other kinds do not change.
    pub(crate) fn rename(&mut self, name: &str) {
        if let Geometry::Text { rect, .. } = &mut self.geometry {
            *rect = text_box(rect.x, rect.y, name);
        }
    }

    /// The outline OsiriX measures and fills: for tOPolygon, tCPolygon and tPencil with the spline on, the
    /// spline samples of their vertices; otherwise (fewer than 3 vertices, a degenerate spline, any other
    /// kind) [`Shape::points`].
    pub(crate) fn outline(&self) -> Vec<Point> {
        let points = self.points();
        if self.spline
            && self.kind.takes_spline()
            && let Some(samples) = spline(&points, self.kind.is_closed())
        {
            return samples;
        }
        points
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Shapes the tests of several modules share.

    use super::*;

    /// A shape from its parts, with no NewROI checks.
    pub(crate) fn shape(kind: Kind, geometry: Geometry) -> Shape {
        Shape {
            kind,
            geometry,
            spline: SPLINE_BY_DEFAULT,
            spacing: Spacing::new(0.78125, 0.78125),
        }
    }

    /// A points-group shape.
    pub(crate) fn polygon(kind: Kind, points: &[(f64, f64)]) -> Shape {
        let points = points.iter().map(|&(x, y)| Point::new(x, y)).collect();
        shape(kind, Geometry::Points(points))
    }

    /// A rectangle-group shape.
    pub(crate) fn rect(kind: Kind, x: f64, y: f64, width: f64, height: f64) -> Shape {
        shape(kind, Geometry::Rect(Rect::new(x, y, width, height)))
    }

    /// The 40 × 40 px square of the ROI tests, as `kind`.
    pub(crate) fn square(kind: Kind) -> Shape {
        polygon(
            kind,
            &[(10.5, 10.5), (50.5, 10.5), (50.5, 50.5), (10.5, 50.5)],
        )
    }

    /// The points of a shape as (x, y) pairs.
    pub(crate) fn pairs(shape: &Shape) -> Vec<(f64, f64)> {
        shape.points().iter().map(|p| (p.x, p.y)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    #[test]
    fn points_per_kind() {
        assert_eq!(
            pairs(&rect(Kind::Rectangle, 66.0, 42.0, 20.0, 10.0)),
            [(66.0, 42.0), (66.0, 52.0), (86.0, 52.0), (86.0, 42.0)]
        );
        assert_eq!(rect(Kind::Oval, 66.0, 42.0, 20.0, 10.0).points().len(), 200);
        assert_eq!(
            rect(Kind::OvalAngle, 66.0, 42.0, 20.0, 10.0).points().len(),
            200
        );
        assert_eq!(
            pairs(&rect(Kind::Point, 66.0, 42.0, 20.0, 10.0)),
            [(66.0, 42.0)]
        );
        let text = shape(
            Kind::Text,
            Geometry::Text {
                rect: Rect::new(66.0, 42.0, 32.0, 16.0),
                points: Vec::new(),
            },
        );
        assert!(text.points().is_empty());
        let mask = Mask::from_buffer(&[true; 4], 2, 2, 7, 8).expect("mask");
        assert_eq!(
            pairs(&shape(Kind::Plain, Geometry::Mask(mask))),
            [(7.0, 8.0), (9.0, 8.0), (9.0, 10.0), (7.0, 10.0)]
        );
        assert_eq!(
            pairs(&polygon(Kind::Arrow, &[(66.0, 42.0), (99.0, 24.0)])),
            [(66.0, 42.0), (99.0, 24.0)]
        );
    }

    #[test]
    fn set_points_is_ignored_by_rectangles_points_and_masks() {
        let new = vec![
            Point::new(1.0, 2.0),
            Point::new(3.0, 4.0),
            Point::new(5.0, 1.0),
        ];
        for kind in [Kind::Rectangle, Kind::Oval, Kind::Point, Kind::OvalAngle] {
            let mut shape = rect(kind, 66.0, 42.0, 20.0, 10.0);
            let before = shape.clone();
            shape.set_points(new.clone());
            assert_eq!(shape, before, "{kind:?}");
        }
        let mask = Mask::from_buffer(&[true; 4], 2, 2, 0, 0).expect("mask");
        let mut plain = shape(Kind::Plain, Geometry::Mask(mask));
        let before = plain.clone();
        plain.set_points(new.clone());
        assert_eq!(plain, before);

        let mut pencil = square(Kind::Pencil);
        pencil.set_points(new.clone());
        assert_eq!(pencil.points(), new);
        let mut text = shape(
            Kind::Text,
            Geometry::Text {
                rect: Rect::new(0.0, 0.0, 8.0, 16.0),
                points: Vec::new(),
            },
        );
        text.set_points(new.clone());
        assert_eq!(text.points(), new);
    }

    #[test]
    fn renaming_resizes_only_text() {
        let mut text = shape(
            Kind::Text,
            Geometry::Text {
                rect: Rect::new(66.0, 42.0, 32.0, 16.0),
                points: Vec::new(),
            },
        );
        text.rename("a longer text");
        assert_eq!(
            text.geometry(),
            &Geometry::Text {
                rect: Rect::new(66.0, 42.0, 104.0, 16.0),
                points: Vec::new()
            }
        );
        let mut pencil = square(Kind::Pencil);
        pencil.rename("my pencil");
        assert_eq!(pencil, square(Kind::Pencil));
    }

    #[test]
    fn the_outline_is_the_spline_only_where_it_applies() {
        assert_eq!(square(Kind::Pencil).outline().len(), 804);
        assert_eq!(square(Kind::ClosedPolygon).outline().len(), 804);
        assert_eq!(square(Kind::OpenPolygon).outline().len(), 603);
        assert_eq!(square(Kind::Axis).outline().len(), 4);
        assert_eq!(square(Kind::DynamicAngle).outline().len(), 4);
        let mut off = square(Kind::Pencil);
        off.set_spline(false);
        assert_eq!(off.outline().len(), 4);
        assert_eq!(
            rect(Kind::Oval, 66.0, 42.0, 20.0, 10.0).outline().len(),
            200
        );
    }
}
