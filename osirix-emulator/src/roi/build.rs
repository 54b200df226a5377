//! Making a shape from a NewROI request, with OsiriX's validity rules.

use super::geom::{Point, Rect, Spacing};
use super::kind::{Group, Kind};
use super::mask::Mask;
use super::shape::{Geometry, SPLINE_BY_DEFAULT, Shape};
use super::text::text_box;

/// The smallest size OsiriX accepts for a rectangle, an oval's semi-axis or a text box, and the distance
/// within which a line's two first points count as the same point, in pixels.
pub(crate) const MIN_SIZE: f64 = 0.2;

/// The geometric parts of a `ViewerControllerNewROIRequest`, with proto3's defaults for unset fields
/// (an unset rectangle is all zeros, an unset buffer is empty).
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewRoi<'a> {
    /// The `itype` code.
    pub(crate) itype: i32,
    /// The name, which sizes a tText's box.
    pub(crate) name: &'a str,
    /// `points`, in order.
    pub(crate) points: &'a [Point],
    /// `rectangle`.
    pub(crate) rectangle: Rect,
    /// `buffer` with its position.
    pub(crate) buffer: Buffer<'a>,
    /// The pixel spacing of the viewer's current DCMPix.
    pub(crate) spacing: Spacing,
}

/// A NewROI mask buffer: `bits` row-major, `rows` × `columns`, with its top-left pixel at image column
/// `position_x` and row `position_y`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Buffer<'a> {
    /// `buffer.buffer`.
    pub(crate) bits: &'a [bool],
    /// `buffer.rows`.
    pub(crate) rows: i32,
    /// `buffer.columns`.
    pub(crate) columns: i32,
    /// `buffer_position_x`.
    pub(crate) position_x: i32,
    /// `buffer_position_y`.
    pub(crate) position_y: i32,
}

impl Shape {
    /// The shape NewROI builds, or `None` when OsiriX builds none or judges it invalid (the handler then
    /// answers "Could not create ROI"):
    ///
    /// - an `itype` that is not a creatable kind;
    /// - tMesure, tArrow: fewer than 2 points, or the first two within 0.2 px of each other in both x
    ///   and y;
    /// - tOPolygon, tCPolygon, tPencil, tAngle: fewer than 3 points; tAxis, tDynAngle: fewer than 4;
    ///   tTAGT: fewer than 6 (its points are kept as sent: OsiriX's rewrite of two of them is not known);
    ///   tLayerROI: any points;
    /// - tROI: a negative size is folded into the origin, then width and height must be ≥ 0.2;
    /// - tOval: the semi-axes are made non-negative and must be ≥ 0.2; tOvalAngle likewise, with no minimum;
    /// - t2DPoint: always valid, negative sizes folded into the origin;
    /// - tText: the box is resized from the name (see [`text_box`]) and must be ≥ 0.2 each way, so the
    ///   name must not be empty;
    /// - tPlain: `rows` × `columns` must equal the buffer's length and at least one pixel must be set;
    ///   the mask is shrunk to its set pixels.
    ///
    /// The shape gets [`SPLINE_BY_DEFAULT`] and the given spacing.
    pub(crate) fn create(request: &NewRoi<'_>) -> Option<Shape> {
        let kind = Kind::from_code(request.itype)?;
        let geometry = match kind.group() {
            Group::Points => points_geometry(kind, request.points)?,
            Group::Rectangle => rectangle_geometry(kind, request.rectangle, request.name)?,
            Group::Buffer => {
                let buffer = request.buffer;
                Geometry::Mask(Mask::from_buffer(
                    buffer.bits,
                    buffer.rows,
                    buffer.columns,
                    buffer.position_x,
                    buffer.position_y,
                )?)
            }
        };
        Some(Shape {
            kind,
            geometry,
            spline: SPLINE_BY_DEFAULT,
            spacing: request.spacing,
        })
    }
}

fn points_geometry(kind: Kind, points: &[Point]) -> Option<Geometry> {
    let valid = match kind {
        Kind::Measure | Kind::Arrow => match points {
            [first, second, ..] => {
                !((first.x - second.x).abs() < MIN_SIZE && (first.y - second.y).abs() < MIN_SIZE)
            }
            _ => false,
        },
        Kind::OpenPolygon | Kind::ClosedPolygon | Kind::Pencil | Kind::Angle => points.len() >= 3,
        Kind::Axis | Kind::DynamicAngle => points.len() >= 4,
        Kind::Tagt => points.len() >= 6,
        _ => true,
    };
    valid.then(|| Geometry::Points(points.to_vec()))
}

fn rectangle_geometry(kind: Kind, rect: Rect, name: &str) -> Option<Geometry> {
    let at_least_min = |rect: Rect| rect.width >= MIN_SIZE && rect.height >= MIN_SIZE;
    let semi_axes = Rect::new(rect.x, rect.y, rect.width.abs(), rect.height.abs());
    match kind {
        Kind::Rectangle => Some(rect.folded())
            .filter(|&r| at_least_min(r))
            .map(Geometry::Rect),
        Kind::Oval => Some(semi_axes)
            .filter(|&r| at_least_min(r))
            .map(Geometry::Rect),
        Kind::OvalAngle => Some(Geometry::Rect(semi_axes)),
        Kind::Point => Some(Geometry::Rect(rect.folded())),
        Kind::Text => {
            let rect = text_box(rect.x, rect.y, name);
            at_least_min(rect).then(|| Geometry::Text {
                rect,
                points: Vec::new(),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPACING: Spacing = Spacing::new(0.78125, 0.78125);

    fn with_points(itype: i32, points: &[(f32, f32)]) -> Option<Shape> {
        let points: Vec<Point> = points.iter().map(|&(x, y)| Point::from_f32(x, y)).collect();
        Shape::create(&NewRoi {
            itype,
            name: "roi",
            points: &points,
            rectangle: Rect::default(),
            buffer: Buffer::default(),
            spacing: SPACING,
        })
    }

    fn with_rect(itype: i32, name: &str, rect: (f64, f64, f64, f64)) -> Option<Shape> {
        Shape::create(&NewRoi {
            itype,
            name,
            points: &[],
            rectangle: Rect::new(rect.0, rect.1, rect.2, rect.3),
            buffer: Buffer::default(),
            spacing: SPACING,
        })
    }

    fn with_buffer(bits: &[bool], rows: i32, columns: i32, x: i32, y: i32) -> Option<Shape> {
        Shape::create(&NewRoi {
            itype: 20,
            name: "mask",
            points: &[],
            rectangle: Rect::default(),
            buffer: Buffer {
                bits,
                rows,
                columns,
                position_x: x,
                position_y: y,
            },
            spacing: SPACING,
        })
    }

    #[test]
    fn unknown_codes_build_nothing() {
        for itype in [0, 1, 7, 8, 16, 30, 32, 34, -1, 1000] {
            let square = [(10.5, 10.5), (50.5, 10.5), (50.5, 50.5), (10.5, 50.5)];
            assert!(with_points(itype, &square).is_none(), "itype {itype}");
            assert!(with_rect(itype, "x", (1.0, 1.0, 5.0, 5.0)).is_none());
        }
    }

    #[test]
    fn point_counts() {
        let six = [
            (50.205, 32.322),
            (53.274, 38.773),
            (64.687, 25.433),
            (69.719, 36.012),
            (41.897, 36.274),
            (68.917, 23.421),
        ];
        for (itype, minimum) in [
            (10, 3),
            (11, 3),
            (12, 3),
            (15, 3),
            (26, 4),
            (27, 4),
            (29, 6),
        ] {
            assert!(
                with_points(itype, &six[..minimum - 1]).is_none(),
                "itype {itype}"
            );
            let shape = with_points(itype, &six[..minimum]).expect("valid");
            assert_eq!(shape.kind().code(), itype);
            assert_eq!(shape.points().len(), minimum);
        }
        assert!(with_points(24, &[]).is_some());
        let tagt = with_points(29, &six).expect("tTAGT");
        let sent: Vec<Point> = six.iter().map(|&(x, y)| Point::from_f32(x, y)).collect();
        assert_eq!(tagt.points(), sent);
    }

    #[test]
    fn lines_need_two_distinct_points() {
        for itype in [5, 14] {
            assert!(with_points(itype, &[(66.0, 42.0)]).is_none());
            assert!(with_points(itype, &[(66.0, 42.0), (66.1, 42.1)]).is_none());
            assert!(with_points(itype, &[(66.0, 42.0), (66.0, 42.2)]).is_some());
            assert!(with_points(itype, &[(66.0, 42.0), (66.3, 42.0)]).is_some());
            assert!(with_points(itype, &[(71.0, -2.0), (67.0, 11.0)]).is_some());
        }
    }

    #[test]
    fn rectangles_fold_and_need_a_size() {
        let shape = with_rect(6, "r", (66.0, 42.0, -20.0, -10.0)).expect("tROI");
        assert_eq!(
            shape.geometry(),
            &Geometry::Rect(Rect::new(46.0, 32.0, 20.0, 10.0))
        );
        assert!(with_rect(6, "r", (66.0, 42.0, 0.1, 10.0)).is_none());
        assert!(with_rect(6, "r", (66.0, 42.0, 20.0, -0.1)).is_none());
        assert!(with_rect(6, "r", (66.0, 42.0, f64::NAN, 10.0)).is_none());
        assert!(with_rect(6, "r", (66.0, 42.0, 0.2, 0.2)).is_some());
    }

    #[test]
    fn ovals_take_absolute_semi_axes() {
        let shape = with_rect(9, "o", (66.0, 42.0, -20.0, 10.0)).expect("tOval");
        assert_eq!(
            shape.geometry(),
            &Geometry::Rect(Rect::new(66.0, 42.0, 20.0, 10.0))
        );
        assert!(with_rect(9, "o", (66.0, 42.0, 20.0, 0.0)).is_none());
        let any = with_rect(31, "oa", (66.0, 42.0, 0.0, -3.0)).expect("tOvalAngle");
        assert_eq!(
            any.geometry(),
            &Geometry::Rect(Rect::new(66.0, 42.0, 0.0, 3.0))
        );
    }

    #[test]
    fn points_are_always_valid() {
        let shape = with_rect(19, "p", (66.0, 42.0, -20.0, -10.0)).expect("t2DPoint");
        assert_eq!(shape.points(), [Point::new(46.0, 32.0)]);
        let pyosirix = with_rect(19, "p", (200.0, 255.5, 0.0, 0.0)).expect("t2DPoint");
        assert_eq!(pyosirix.points(), [Point::new(200.0, 255.5)]);
    }

    #[test]
    fn text_boxes_follow_the_name() {
        let shape = with_rect(13, "text", (66.0, 42.0, 20.0, 10.0)).expect("tText");
        assert_eq!(
            shape.geometry(),
            &Geometry::Text {
                rect: Rect::new(66.0, 42.0, 32.0, 16.0),
                points: Vec::new()
            }
        );
        assert!(shape.points().is_empty());
        assert!(with_rect(13, "", (66.0, 42.0, 20.0, 10.0)).is_none());
        assert!(with_rect(13, "t", (100.0, 255.5, 0.0, 0.0)).is_some());
    }

    #[test]
    fn masks_need_a_matching_size_and_a_set_pixel() {
        let shape = with_buffer(&[true; 1600], 40, 40, 27, 45).expect("tPlain");
        let Geometry::Mask(mask) = shape.geometry() else {
            panic!("not a mask");
        };
        assert_eq!(mask.corner(), (27, 45));
        assert_eq!(mask.size(), (40, 40));
        assert!(with_buffer(&[true; 1600], 40, 41, 0, 0).is_none());
        assert!(with_buffer(&[false; 1600], 40, 40, 0, 0).is_none());
        assert!(with_buffer(&[], 0, 0, 0, 0).is_none());
        assert!(with_buffer(&[true; 4], -2, -2, 0, 0).is_none());
    }

    #[test]
    fn new_shapes_take_the_spline_default_and_the_spacing() {
        let shape = with_points(15, &[(1.0, 1.0), (5.0, 1.0), (3.0, 4.0)]).expect("pencil");
        assert!(shape.spline());
        assert_eq!(shape.spacing(), SPACING);
    }
}
