//! OsiriX's ROI kinds (its `ToolMode` codes, the `itype` of the wire) and what each kind's code implies.

/// An ROI kind, one per OsiriX `ToolMode` code that NewROI can create.
///
/// The other codes of the enum (tools, and tBall, which cannot be created) have no variant:
/// [`Kind::from_code`] refuses them, and NewROI then answers "Could not create ROI".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// tMesure (5): a measured line of two points.
    Measure,
    /// tROI (6): a rectangle, origin at its top-left corner.
    Rectangle,
    /// tOval (9): an ellipse, origin at its centre and size its semi-axes.
    Oval,
    /// tOPolygon (10): an open polygon.
    OpenPolygon,
    /// tCPolygon (11): a closed polygon.
    ClosedPolygon,
    /// tAngle (12): three points, the vertex second.
    Angle,
    /// tText (13): a text label whose box follows its name.
    Text,
    /// tArrow (14): two points, head first.
    Arrow,
    /// tPencil (15): a closed freehand outline.
    Pencil,
    /// t2DPoint (19): one point.
    Point,
    /// tPlain (20): a brush mask held as a texture.
    Plain,
    /// tLayerROI (24): a layer, accepted with any points.
    Layer,
    /// tAxis (26): four points.
    Axis,
    /// tDynAngle (27): four points.
    DynamicAngle,
    /// tTAGT (29): six points.
    Tagt,
    /// tOvalAngle (31): an ellipse with an angle, given like a tOval.
    OvalAngle,
}

/// How NewROI reads a kind's geometry from the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Group {
    /// From `points`, in order.
    Points,
    /// From `rectangle`.
    Rectangle,
    /// From `buffer` and the buffer position.
    Buffer,
}

impl Kind {
    /// Every kind, in code order.
    pub(crate) const ALL: [Kind; 16] = [
        Kind::Measure,
        Kind::Rectangle,
        Kind::Oval,
        Kind::OpenPolygon,
        Kind::ClosedPolygon,
        Kind::Angle,
        Kind::Text,
        Kind::Arrow,
        Kind::Pencil,
        Kind::Point,
        Kind::Plain,
        Kind::Layer,
        Kind::Axis,
        Kind::DynamicAngle,
        Kind::Tagt,
        Kind::OvalAngle,
    ];

    /// The kind of an `itype` code, or `None` for a code that is not a creatable ROI kind.
    pub(crate) fn from_code(code: i32) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// OsiriX's `ToolMode` code, as `ROIIType` reports it.
    pub(crate) fn code(self) -> i32 {
        match self {
            Kind::Measure => 5,
            Kind::Rectangle => 6,
            Kind::Oval => 9,
            Kind::OpenPolygon => 10,
            Kind::ClosedPolygon => 11,
            Kind::Angle => 12,
            Kind::Text => 13,
            Kind::Arrow => 14,
            Kind::Pencil => 15,
            Kind::Point => 19,
            Kind::Plain => 20,
            Kind::Layer => 24,
            Kind::Axis => 26,
            Kind::DynamicAngle => 27,
            Kind::Tagt => 29,
            Kind::OvalAngle => 31,
        }
    }

    /// Which request fields NewROI builds this kind from.
    pub(crate) fn group(self) -> Group {
        match self {
            Kind::Rectangle | Kind::Oval | Kind::Text | Kind::Point | Kind::OvalAngle => {
                Group::Rectangle
            }
            Kind::Plain => Group::Buffer,
            Kind::Measure
            | Kind::OpenPolygon
            | Kind::ClosedPolygon
            | Kind::Angle
            | Kind::Arrow
            | Kind::Pencil
            | Kind::Layer
            | Kind::Axis
            | Kind::DynamicAngle
            | Kind::Tagt => Group::Points,
        }
    }

    /// Whether OsiriX smooths this kind's outline with its spline (when the ROI's spline flag is on).
    pub(crate) fn takes_spline(self) -> bool {
        matches!(self, Kind::OpenPolygon | Kind::ClosedPolygon | Kind::Pencil)
    }

    /// Whether the spline closes the outline back to the first vertex (everything splined but tOPolygon).
    pub(crate) fn is_closed(self) -> bool {
        matches!(self, Kind::ClosedPolygon | Kind::Pencil)
    }

    /// Whether GetMapFromROI can make a mask of this kind (otherwise it answers "Invalid ROI").
    pub(crate) fn has_map(self) -> bool {
        matches!(
            self,
            Kind::Plain | Kind::OpenPolygon | Kind::ClosedPolygon | Kind::Pencil
        )
    }

    /// Whether an ROI of this kind counts in an ROI volume (tOPolygon and the rest are left out).
    pub(crate) fn counts_in_volume(self) -> bool {
        matches!(self, Kind::Pencil | Kind::ClosedPolygon | Kind::Plain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_code(kind.code()), Some(kind));
        }
    }

    #[test]
    fn codes_that_are_not_rois_are_refused() {
        let refused = [
            -1, 0, 1, 2, 3, 4, 7, 8, 16, 17, 18, 21, 22, 23, 25, 28, 30, 32, 33, 34, 35,
        ];
        for code in refused {
            assert_eq!(Kind::from_code(code), None, "code {code}");
        }
        assert_eq!(Kind::from_code(i32::MIN), None);
        assert_eq!(Kind::from_code(i32::MAX), None);
    }

    #[test]
    fn groups_follow_the_request_fields() {
        let rect: Vec<i32> = Kind::ALL
            .into_iter()
            .filter(|k| k.group() == Group::Rectangle)
            .map(Kind::code)
            .collect();
        assert_eq!(rect, [6, 9, 13, 19, 31]);
        let buffer: Vec<i32> = Kind::ALL
            .into_iter()
            .filter(|k| k.group() == Group::Buffer)
            .map(Kind::code)
            .collect();
        assert_eq!(buffer, [20]);
        let points: Vec<i32> = Kind::ALL
            .into_iter()
            .filter(|k| k.group() == Group::Points)
            .map(Kind::code)
            .collect();
        assert_eq!(points, [5, 10, 11, 12, 14, 15, 24, 26, 27, 29]);
    }

    #[test]
    fn kind_sets() {
        let codes = |f: fn(Kind) -> bool| -> Vec<i32> {
            Kind::ALL
                .into_iter()
                .filter(|&k| f(k))
                .map(Kind::code)
                .collect()
        };
        assert_eq!(codes(Kind::takes_spline), [10, 11, 15]);
        assert_eq!(codes(Kind::is_closed), [11, 15]);
        assert_eq!(codes(Kind::has_map), [10, 11, 15, 20]);
        assert_eq!(codes(Kind::counts_in_volume), [11, 15, 20]);
    }
}
