//! `ROI`: a region of interest drawn on one DCMPix of a viewer.

use crate::classes::geometry::{Point, finite};
use crate::value::{FromWire, Malformed};
use crate::{Client, DcmPix, Mask, Result, RoiStats, RoiValue};

crate::osirix_class! {
    /// A region of interest (`ROI`); from [`ViewerController::new_roi`](crate::ViewerController::new_roi),
    /// [`ViewerController::roi_list`](crate::ViewerController::roi_list) and the other ROI lists of a viewer.
    ///
    /// Every attribute of an ROI changes while it lives (flips and rotations even change its kind), so nothing
    /// of it is cached. Coordinates are in pixels of its image (see [`Point`]). OsiriX answers every setter
    /// with success, also when it ignores the change (points of a rectangle, oval or point; a locked ROI).
    #[osirix(wire = "ROI")]
    pub class Roi {
        /// Deletes the ROI: its handle then goes stale.
        #[rpc(ROIDelete)]
        pub fn delete();

        /// Mirrors the points about the centroid's column. A rectangle or oval becomes a closed polygon.
        #[rpc(ROIFlipHorizontally)]
        pub fn flip_horizontally();

        /// Mirrors the points about the centroid's row. A rectangle or oval becomes a closed polygon.
        #[rpc(ROIFlipVertically)]
        pub fn flip_vertically();

        /// The area in cm², from the pixel spacing the ROI was created with. Polygons and pencils are measured
        /// along OsiriX's spline through their points, always closed; lines, points and text have area 0.
        #[rpc(ROIArea)]
        pub fn area() -> f32 = area;

        /// OsiriX's centroid: the mean of the points (not an area centroid), except for a rectangle (its
        /// top-left corner) and an oval (its centre).
        #[rpc(ROICentroid)]
        pub fn centroid() -> Point = (x, y);

        #[rpc(ROIRotate, request = ROIRotateRequest { roi: self, degrees, x, y })]
        fn rotate_wire(degrees: f32, x: f32, y: f32);

        #[rpc(ROIMove, request = ROIMoveRequest { roi: self, columns, rows })]
        fn move_wire(columns: f32, rows: f32);

        /// The DCMPix the ROI is drawn on.
        #[rpc(ROIPix)]
        pub fn pix() -> DcmPix = pix;

        /// The name (for a text ROI, its text).
        #[rpc(ROIName)]
        pub fn name() -> String = name;

        /// The kind of ROI (OsiriX's tool code, `ROIIType`).
        #[rpc(ROIIType)]
        pub fn kind() -> RoiKind = itype;

        /// Renames the ROI. OsiriX truncates names over 256 characters, except a text ROI's, whose box it
        /// resizes.
        #[rpc(ROISetName, request = ROISetNameRequest { roi: self, name })]
        pub fn set_name(name: &str);

        /// The colour.
        #[rpc(ROIColor)]
        pub fn color() -> RoiColor = (r, g, b);

        #[rpc(ROISetColor, request = ROISetColorRequest { roi: self, r, g, b })]
        fn set_color_wire(r: i32, g: i32, b: i32);

        /// The opacity, 0 (invisible) to 1.
        #[rpc(ROIOpacity)]
        pub fn opacity() -> f32 = opacity;

        #[rpc(ROISetOpacity, request = ROISetOpacityRequest { roi: self, opacity })]
        fn set_opacity_wire(opacity: f32);

        /// The line thickness, in screen points.
        #[rpc(ROIThickness)]
        pub fn thickness() -> f32 = thickness;

        #[rpc(ROISetThickness, request = ROISetThicknessRequest { roi: self, thickness })]
        fn set_thickness_wire(thickness: f32);

        /// The points as stored (not the spline): a rectangle's four corners, an oval's outline, a point's one
        /// point, a mask's traced contour, a text's none.
        #[rpc(ROIPoints)]
        pub fn points() -> Vec<Point> = points;

        /// Replaces the points, in order. OsiriX ignores this for rectangles, ovals and points.
        #[rpc(ROISetPoints, request = ROISetPointsRequest { roi: self, points })]
        pub fn set_points(points: &[Point]);
    }
}

impl Roi {
    /// OsiriX's statistics of the ROI on its own DCMPix ([`DcmPix::compute_roi`] of [`Roi::pix`]).
    ///
    /// # Errors
    /// Those of [`Roi::pix`] and [`DcmPix::compute_roi`].
    pub async fn stats(&self) -> Result<RoiStats> {
        self.pix().await?.compute_roi(self).await
    }

    /// The ROI's pixel values on its own DCMPix ([`DcmPix::roi_values`] of [`Roi::pix`]).
    ///
    /// # Errors
    /// Those of [`Roi::pix`] and [`DcmPix::roi_values`].
    pub async fn values(&self) -> Result<Vec<RoiValue>> {
        self.pix().await?.roi_values(self).await
    }

    /// The ROI's mask on its own DCMPix ([`DcmPix::map_from_roi`] of [`Roi::pix`]).
    ///
    /// # Errors
    /// Those of [`Roi::pix`] and [`DcmPix::map_from_roi`].
    pub async fn mask(&self) -> Result<Mask> {
        self.pix().await?.map_from_roi(self).await
    }

    /// Rotates the points by `degrees` about `centre` (clockwise on screen for a positive angle, since rows
    /// grow downwards). A rectangle or oval becomes a closed polygon.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a value that is not finite;
    /// [`Error::StaleHandle`](crate::Error::StaleHandle) when the ROI was deleted; the errors of every call.
    pub async fn rotate(&self, degrees: f32, centre: Point) -> Result<()> {
        let centre = finite(centre)?;
        if !degrees.is_finite() {
            return Err(crate::Error::invalid(format!(
                "the angle {degrees} is not finite"
            )));
        }
        self.rotate_wire(degrees, centre.column, centre.row).await
    }

    /// Moves the ROI by `columns` and `rows` (fractions allowed). OsiriX's RPC is `ROIMove`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for an offset that is not finite;
    /// [`Error::StaleHandle`](crate::Error::StaleHandle) when the ROI was deleted; the errors of every call.
    pub async fn move_by(&self, columns: f32, rows: f32) -> Result<()> {
        finite(Point::new(columns, rows))?;
        self.move_wire(columns, rows).await
    }

    /// Sets the colour.
    ///
    /// # Errors
    /// [`Error::StaleHandle`](crate::Error::StaleHandle) when the ROI was deleted; the errors of every call.
    pub async fn set_color(&self, color: RoiColor) -> Result<()> {
        self.set_color_wire(i32::from(color.r), i32::from(color.g), i32::from(color.b))
            .await
    }

    /// Sets the opacity; OsiriX clamps it to 0–1.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for NaN;
    /// [`Error::StaleHandle`](crate::Error::StaleHandle) when the ROI was deleted; the errors of every call.
    pub async fn set_opacity(&self, opacity: f32) -> Result<()> {
        if opacity.is_nan() {
            return Err(crate::Error::invalid("the opacity is NaN"));
        }
        self.set_opacity_wire(opacity).await
    }

    /// Sets the line thickness in screen points. OsiriX stores any value; the SDK refuses negative ones.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a negative or non-finite thickness;
    /// [`Error::StaleHandle`](crate::Error::StaleHandle) when the ROI was deleted; the errors of every call.
    pub async fn set_thickness(&self, thickness: f32) -> Result<()> {
        if !(thickness.is_finite() && thickness >= 0.0) {
            return Err(crate::Error::invalid(format!(
                "the thickness {thickness} is not a finite value ≥ 0"
            )));
        }
        self.set_thickness_wire(thickness).await
    }
}

/// The colour of an ROI, 0–255 a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RoiColor {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl RoiColor {
    /// The colour of `r`, `g`, `b`.
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        RoiColor { r, g, b }
    }
}

/// `ROIColor`'s `(r, g, b)`, each 0–255.
impl FromWire<(i32, i32, i32)> for RoiColor {
    fn from_wire((r, g, b): (i32, i32, i32), _: &Client) -> std::result::Result<Self, Malformed> {
        let channel = |value: i32| {
            u8::try_from(value)
                .map_err(|_| Malformed::new(format!("colour channel {value} is outside 0–255")))
        };
        Ok(RoiColor::new(channel(r)?, channel(g)?, channel(b)?))
    }
}

/// The kind of an ROI: OsiriX's tool code (`itype`), named as OsiriX does in brackets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RoiKind {
    /// A measured line (`tMesure`, 5).
    Line,
    /// A rectangle (`tROI`, 6).
    Rectangle,
    /// An ellipse (`tOval`, 9).
    Oval,
    /// An open polygon (`tOPolygon`, 10).
    OpenPolygon,
    /// A closed polygon (`tCPolygon`, 11).
    ClosedPolygon,
    /// An angle of three points, the vertex second (`tAngle`, 12).
    Angle,
    /// A text label (`tText`, 13).
    Text,
    /// An arrow (`tArrow`, 14).
    Arrow,
    /// A closed freehand outline (`tPencil`, 15).
    Pencil,
    /// One point (`t2DPoint`, 19).
    Point,
    /// A brush mask (`tPlain`, 20).
    Plain,
    /// A layer (`tLayerROI`, 24).
    Layer,
    /// An axis of four points (`tAxis`, 26).
    Axis,
    /// The angle between two lines (`tDynAngle`, 27).
    DynamicAngle,
    /// A TT-TG distance of six points (`tTAGT`, 29).
    Tagt,
    /// A ball (`tBall`, 30); cannot be created through OsiriXgrpc.
    Ball,
    /// An ellipse with an angle (`tOvalAngle`, 31).
    OvalAngle,
    /// A code the SDK does not know.
    Other(i32),
}

impl RoiKind {
    const CODES: [(RoiKind, i32); 17] = [
        (RoiKind::Line, 5),
        (RoiKind::Rectangle, 6),
        (RoiKind::Oval, 9),
        (RoiKind::OpenPolygon, 10),
        (RoiKind::ClosedPolygon, 11),
        (RoiKind::Angle, 12),
        (RoiKind::Text, 13),
        (RoiKind::Arrow, 14),
        (RoiKind::Pencil, 15),
        (RoiKind::Point, 19),
        (RoiKind::Plain, 20),
        (RoiKind::Layer, 24),
        (RoiKind::Axis, 26),
        (RoiKind::DynamicAngle, 27),
        (RoiKind::Tagt, 29),
        (RoiKind::Ball, 30),
        (RoiKind::OvalAngle, 31),
    ];

    /// OsiriX's code of the kind.
    pub fn code(self) -> i32 {
        match self {
            RoiKind::Other(code) => code,
            known => Self::CODES
                .iter()
                .find(|(kind, _)| *kind == known)
                .map_or(-1, |(_, code)| *code),
        }
    }

    /// The kind of OsiriX's `code` ([`RoiKind::Other`] for a code the SDK does not know).
    pub fn from_code(code: i32) -> Self {
        Self::CODES
            .iter()
            .find(|(_, c)| *c == code)
            .map_or(RoiKind::Other(code), |(kind, _)| *kind)
    }
}

impl FromWire<i32> for RoiKind {
    fn from_wire(wire: i32, _: &Client) -> std::result::Result<Self, Malformed> {
        Ok(RoiKind::from_code(wire))
    }
}
