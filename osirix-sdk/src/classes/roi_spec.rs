//! What a new ROI is ([`RoiSpec`], for [`ViewerController::new_roi`](crate::ViewerController::new_roi)): one
//! constructor per geometry OsiriX builds, each checking OsiriX's validity rules on the client, so that an
//! invalid ROI is refused with the reason instead of OsiriX's bare `"Could not create ROI"`.

use crate::Client;
use crate::classes::geometry::{Point, finite};
use crate::classes::pixels::Mask;
use crate::classes::roi::{RoiColor, RoiKind};
use crate::proto::viewer_controller_new_roi_request as wire;
use crate::value::IntoWire;
use crate::{Error, Result};

/// OsiriX's smallest accepted side or distance, in pixels: smaller rectangles, ovals and lines are invalid.
const MIN_SIZE: f32 = 0.2;

/// How OsiriX builds the ROI: from a mask, from points, or from a rectangle.
#[derive(Debug, Clone, PartialEq)]
enum Geometry {
    Mask {
        mask: Mask,
        column: i32,
        row: i32,
    },
    Points(Vec<Point>),
    Rectangle {
        origin: Point,
        width: f32,
        height: f32,
    },
}

/// A new ROI: its kind and geometry (from one of the constructors), then its name, colour, opacity and
/// thickness.
///
/// Defaults (set by every constructor): an empty name (a text ROI's name is its text), colour
/// [`RoiSpec::DEFAULT_COLOR`], opacity [`RoiSpec::DEFAULT_OPACITY`] and thickness
/// [`RoiSpec::DEFAULT_THICKNESS`]. OsiriX itself would make an ROI whose opacity is not sent invisible and
/// black.
#[derive(Debug, Clone, PartialEq)]
pub struct RoiSpec {
    kind: RoiKind,
    geometry: Geometry,
    name: String,
    color: RoiColor,
    opacity: f32,
    thickness: f32,
}

/// The request fields of `ViewerControllerNewROI` for one spec (the viewer, `idx` and `movie_idx` aside).
pub(crate) struct NewRoiFields {
    pub itype: i32,
    pub name: String,
    pub buffer_position_x: i32,
    pub buffer_position_y: i32,
    pub color: NewRoiWire<wire::Color>,
    pub thickness: f32,
    pub opacity: f32,
    pub buffer: NewRoiWire<wire::Buffer>,
    pub points: Vec<wire::Point2D>,
    pub rectangle: NewRoiWire<wire::Rect>,
}

/// A nested message of the `ViewerControllerNewROI` request, set or not.
pub(crate) struct NewRoiWire<T>(Option<T>);

impl<T> IntoWire<Option<T>> for NewRoiWire<T> {
    fn into_wire(self, _: &Client) -> Result<Option<T>> {
        Ok(self.0)
    }
}

impl IntoWire<Vec<wire::Point2D>> for Vec<wire::Point2D> {
    fn into_wire(self, _: &Client) -> Result<Vec<wire::Point2D>> {
        Ok(self)
    }
}

fn at_least(points: &[Point], count: usize, what: &str) -> Result<()> {
    if points.len() < count {
        return Err(Error::invalid(format!(
            "{what} needs at least {count} points, not {}",
            points.len()
        )));
    }
    points.iter().try_for_each(|p| finite(*p).map(drop))
}

/// OsiriX refuses a line whose two ends are within 0.2 pixels of each other both ways.
fn distinct_ends(start: Point, end: Point, what: &str) -> Result<()> {
    finite(start)?;
    finite(end)?;
    if (start.column - end.column).abs() < MIN_SIZE && (start.row - end.row).abs() < MIN_SIZE {
        return Err(Error::invalid(format!(
            "{what}: the ends {start:?} and {end:?} are less than {MIN_SIZE} pixels apart"
        )));
    }
    Ok(())
}

/// OsiriX flips a negative size, then needs each side to be at least 0.2 pixels.
fn sized(width: f32, height: f32, what: &str) -> Result<()> {
    if !(width.is_finite() && height.is_finite())
        || width.abs() < MIN_SIZE
        || height.abs() < MIN_SIZE
    {
        return Err(Error::invalid(format!(
            "{what}: {width} × {height} is smaller than {MIN_SIZE} pixels a side"
        )));
    }
    Ok(())
}

impl RoiSpec {
    /// The colour of a new ROI unless [`RoiSpec::color`] sets one: red.
    pub const DEFAULT_COLOR: RoiColor = RoiColor::new(255, 0, 0);
    /// The opacity of a new ROI unless [`RoiSpec::opacity`] sets one: opaque.
    pub const DEFAULT_OPACITY: f32 = 1.0;
    /// The line thickness of a new ROI unless [`RoiSpec::thickness`] sets one, in screen points.
    pub const DEFAULT_THICKNESS: f32 = 1.0;

    fn of(kind: RoiKind, geometry: Geometry) -> Self {
        RoiSpec {
            kind,
            geometry,
            name: String::new(),
            color: Self::DEFAULT_COLOR,
            opacity: Self::DEFAULT_OPACITY,
            thickness: Self::DEFAULT_THICKNESS,
        }
    }

    fn points(kind: RoiKind, points: Vec<Point>) -> Self {
        Self::of(kind, Geometry::Points(points))
    }

    fn rect(kind: RoiKind, origin: Point, width: f32, height: f32) -> Self {
        Self::of(
            kind,
            Geometry::Rectangle {
                origin,
                width,
                height,
            },
        )
    }

    /// A brush mask ([`RoiKind::Plain`]): the `true` pixels of `mask`, its top-left pixel at `column`, `row`
    /// of the image (either may be negative, and the mask may run past the image). OsiriX shrinks it to the
    /// box of its set pixels.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when no pixel of `mask` is set, or a side exceeds `i32::MAX`.
    pub fn mask(mask: Mask, column: i32, row: i32) -> Result<Self> {
        let shape = mask.shape();
        if i32::try_from(shape.rows).is_err() || i32::try_from(shape.columns).is_err() {
            return Err(Error::invalid(
                "a mask ROI's sides must fit OsiriX's 32-bit sizes",
            ));
        }
        if !mask.iter().any(|&set| set) {
            return Err(Error::invalid("a mask ROI needs at least one set pixel"));
        }
        Ok(Self::of(
            RoiKind::Plain,
            Geometry::Mask { mask, column, row },
        ))
    }

    /// A polygon through `points`, closed ([`RoiKind::ClosedPolygon`]) or open ([`RoiKind::OpenPolygon`]).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for fewer than 3 points or a coordinate that is not finite.
    pub fn polygon(points: Vec<Point>, closed: bool) -> Result<Self> {
        at_least(&points, 3, "a polygon")?;
        let kind = if closed {
            RoiKind::ClosedPolygon
        } else {
            RoiKind::OpenPolygon
        };
        Ok(Self::points(kind, points))
    }

    /// A closed freehand outline ([`RoiKind::Pencil`]) through `points`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for fewer than 3 points or a coordinate that is not finite.
    pub fn pencil(points: Vec<Point>) -> Result<Self> {
        at_least(&points, 3, "a pencil ROI")?;
        Ok(Self::points(RoiKind::Pencil, points))
    }

    /// A rectangle ([`RoiKind::Rectangle`]) with its top-left corner at `corner`, `width` columns wide and
    /// `height` rows high (a negative size extends the other way).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a side is under 0.2 pixels or a value is not finite.
    pub fn rectangle(corner: Point, width: f32, height: f32) -> Result<Self> {
        finite(corner)?;
        sized(width, height, "a rectangle")?;
        Ok(Self::rect(RoiKind::Rectangle, corner, width, height))
    }

    /// An ellipse ([`RoiKind::Oval`]) centred on `centre`, with semi-axes of `half_width` columns and
    /// `half_height` rows.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a semi-axis is under 0.2 pixels or a value is not finite.
    pub fn oval(centre: Point, half_width: f32, half_height: f32) -> Result<Self> {
        finite(centre)?;
        sized(half_width, half_height, "an oval")?;
        Ok(Self::rect(RoiKind::Oval, centre, half_width, half_height))
    }

    /// An ellipse with an angle ([`RoiKind::OvalAngle`]), as [`RoiSpec::oval`]; OsiriX chooses the angle.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a semi-axis is under 0.2 pixels or a value is not finite.
    pub fn oval_angle(centre: Point, half_width: f32, half_height: f32) -> Result<Self> {
        finite(centre)?;
        sized(half_width, half_height, "an oval angle")?;
        Ok(Self::rect(
            RoiKind::OvalAngle,
            centre,
            half_width,
            half_height,
        ))
    }

    /// One point ([`RoiKind::Point`]).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a coordinate is not finite.
    pub fn point(at: Point) -> Result<Self> {
        finite(at)?;
        Ok(Self::rect(RoiKind::Point, at, 0.0, 0.0))
    }

    /// A text label ([`RoiKind::Text`]) anchored at `anchor`; OsiriX sizes its box to the text, which is the
    /// ROI's name.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an empty text (OsiriX would make an empty box and refuse it) or a
    /// coordinate that is not finite.
    pub fn text(anchor: Point, text: &str) -> Result<Self> {
        finite(anchor)?;
        if text.is_empty() {
            return Err(Error::invalid("a text ROI needs a text"));
        }
        Ok(Self::rect(RoiKind::Text, anchor, 0.0, 0.0).name(text))
    }

    /// A measured line ([`RoiKind::Line`]) from `start` to `end`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the ends are less than 0.2 pixels apart both ways, or a coordinate is
    /// not finite.
    pub fn line(start: Point, end: Point) -> Result<Self> {
        distinct_ends(start, end, "a line")?;
        Ok(Self::points(RoiKind::Line, vec![start, end]))
    }

    /// An arrow ([`RoiKind::Arrow`]) from `tail` to `head` (OsiriX takes the head first).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the ends are less than 0.2 pixels apart both ways, or a coordinate is
    /// not finite.
    pub fn arrow(tail: Point, head: Point) -> Result<Self> {
        distinct_ends(tail, head, "an arrow")?;
        Ok(Self::points(RoiKind::Arrow, vec![head, tail]))
    }

    /// An angle ([`RoiKind::Angle`]) at `vertex` between the arms to `start` and `end`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a coordinate is not finite.
    pub fn angle(start: Point, vertex: Point, end: Point) -> Result<Self> {
        let points = vec![start, vertex, end];
        at_least(&points, 3, "an angle")?;
        Ok(Self::points(RoiKind::Angle, points))
    }

    /// A dynamic angle ([`RoiKind::DynamicAngle`]): the angle between the lines `points[0]`–`points[1]` and
    /// `points[2]`–`points[3]`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a coordinate is not finite.
    pub fn dynamic_angle(points: [Point; 4]) -> Result<Self> {
        at_least(&points, 4, "a dynamic angle")?;
        Ok(Self::points(RoiKind::DynamicAngle, points.to_vec()))
    }

    /// An axis ([`RoiKind::Axis`]) of four points.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a coordinate is not finite.
    pub fn axis(points: [Point; 4]) -> Result<Self> {
        at_least(&points, 4, "an axis")?;
        Ok(Self::points(RoiKind::Axis, points.to_vec()))
    }

    /// Names the ROI (for a text ROI, replaces the text).
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_owned();
        self
    }

    /// Colours the ROI.
    pub fn color(mut self, color: RoiColor) -> Self {
        self.color = color;
        self
    }

    /// Sets the opacity, 0 (invisible) to 1 (opaque); values outside are clamped to that range (OsiriX stores
    /// what it is sent at creation).
    pub fn opacity(mut self, opacity: f32) -> Self {
        self.opacity = if opacity.is_nan() {
            Self::DEFAULT_OPACITY
        } else {
            opacity.clamp(0.0, 1.0)
        };
        self
    }

    /// Sets the line thickness in screen points; negative or NaN values become 0.
    pub fn thickness(mut self, thickness: f32) -> Self {
        self.thickness = if thickness.is_nan() {
            0.0
        } else {
            thickness.max(0.0)
        };
        self
    }

    /// The kind of ROI this makes.
    pub fn kind(&self) -> RoiKind {
        self.kind
    }

    /// The ROI's name.
    pub fn roi_name(&self) -> &str {
        &self.name
    }

    /// The request fields.
    pub(crate) fn wire(&self) -> NewRoiFields {
        let mut fields = NewRoiFields {
            itype: self.kind.code(),
            name: self.name.clone(),
            buffer_position_x: 0,
            buffer_position_y: 0,
            color: NewRoiWire(Some(wire::Color {
                r: i32::from(self.color.r),
                g: i32::from(self.color.g),
                b: i32::from(self.color.b),
            })),
            thickness: self.thickness,
            opacity: self.opacity,
            buffer: NewRoiWire(None),
            points: Vec::new(),
            rectangle: NewRoiWire(None),
        };
        match &self.geometry {
            Geometry::Mask { mask, column, row } => {
                fields.buffer_position_x = *column;
                fields.buffer_position_y = *row;
                fields.buffer = NewRoiWire(Some(wire::Buffer {
                    buffer: mask.as_slice().to_vec(),
                    // `mask` checked that both fit.
                    rows: i32::try_from(mask.shape().rows).unwrap_or(i32::MAX),
                    columns: i32::try_from(mask.shape().columns).unwrap_or(i32::MAX),
                }));
            }
            Geometry::Points(points) => {
                fields.points = points
                    .iter()
                    .map(|p| wire::Point2D {
                        x: p.column,
                        y: p.row,
                    })
                    .collect();
            }
            Geometry::Rectangle {
                origin,
                width,
                height,
            } => {
                fields.rectangle = NewRoiWire(Some(wire::Rect {
                    origin_x: origin.column,
                    origin_y: origin.row,
                    width: *width,
                    height: *height,
                }));
            }
        }
        fields
    }
}
