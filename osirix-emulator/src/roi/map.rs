//! The mask DCMPixGetMapFromROI returns: one bool per pixel of the requested image.
//!
//! For polygons OsiriX fills the **raw** vertices (never the spline) into a box one pixel wider and taller
//! than their extent, then clears the box's outer frame. So the map loses the polygon's top row and left
//! column, and differs from the ROIValues pixel set in size and position.

use super::fill::{Window, fill};
use super::geom::{ImageSize, Vertex};
use super::kind::Kind;
use super::shape::{Geometry, Shape};

impl Shape {
    /// GetMapFromROI's mask for an image of `size`: `size.len()` entries, row-major, true where the ROI
    /// covers the pixel. `None` for a kind other than tPlain, tOPolygon, tCPolygon and tPencil (the RPC
    /// answers "Invalid ROI").
    ///
    /// - tPlain: the set texture pixels, as placed at its corner.
    /// - The polygons: their raw points truncated toward zero, filled when there are at least 2, less the
    ///   frame of their [`PolygonBox`]; pixels of the box outside the image are dropped.
    pub(crate) fn map(&self, size: ImageSize) -> Option<Vec<bool>> {
        if !self.kind.has_map() {
            return None;
        }
        let mut map = vec![false; size.len()];
        let mut set = |x: i64, y: i64| {
            if let Some(entry) = size.index(x, y).and_then(|i| map.get_mut(i)) {
                *entry = true;
            }
        };
        match &self.geometry {
            Geometry::Mask(mask) => mask.set_pixels().for_each(|(x, y)| set(x, y)),
            _ => {
                let vertices: Vec<Vertex> =
                    self.points().into_iter().map(Vertex::truncate).collect();
                if let Some(area) = PolygonBox::of(&vertices)
                    && vertices.len() >= 2
                {
                    fill(&vertices, area.inside(size), |y, x0, x1| {
                        (x0..=x1).for_each(|x| set(x, y));
                    });
                }
            }
        }
        Some(map)
    }
}

/// The box OsiriX's polygon-map helper fills into: origin (minX, minY) of the integer vertices and size
/// (maxX − minX + 2) × (maxY − minY + 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PolygonBox {
    /// Image column of the box's left column.
    pub(crate) x: i64,
    /// Image row of the box's top row.
    pub(crate) y: i64,
    /// Columns in the box.
    pub(crate) width: i64,
    /// Rows in the box.
    pub(crate) height: i64,
}

impl PolygonBox {
    /// The box of `vertices`, or `None` for no vertices.
    pub(crate) fn of(vertices: &[Vertex]) -> Option<PolygonBox> {
        let min_x = vertices.iter().map(|v| v.x).min()?;
        let max_x = vertices.iter().map(|v| v.x).max()?;
        let min_y = vertices.iter().map(|v| v.y).min()?;
        let max_y = vertices.iter().map(|v| v.y).max()?;
        Some(PolygonBox {
            x: min_x,
            y: min_y,
            width: max_x - min_x + 2,
            height: max_y - min_y + 2,
        })
    }

    /// The pixels that can stay set: the box less its outer one-pixel frame, within the image.
    fn inside(self, size: ImageSize) -> Window {
        Window {
            left: (self.x + 1).max(0),
            right: (self.x + self.width - 2).min(i64::from(size.columns) - 1),
            top: (self.y + 1).max(0),
            bottom: (self.y + self.height - 2).min(i64::from(size.rows) - 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roi::mask::Mask;
    use crate::roi::shape::fixtures::*;

    const IMAGE: ImageSize = ImageSize::new(320, 320);

    fn set_pixels(map: &[bool], size: ImageSize) -> Vec<(usize, usize)> {
        let columns = usize::from(size.columns);
        map.iter()
            .enumerate()
            .filter(|&(_, &on)| on)
            .map(|(i, _)| (i % columns, i / columns))
            .collect()
    }

    #[test]
    fn the_square_loses_its_top_row_and_left_column() {
        let vertices: Vec<Vertex> = square(Kind::Pencil)
            .points()
            .into_iter()
            .map(Vertex::truncate)
            .collect();
        assert_eq!(
            PolygonBox::of(&vertices),
            Some(PolygonBox {
                x: 10,
                y: 10,
                width: 42,
                height: 42
            })
        );
        for kind in [Kind::Pencil, Kind::ClosedPolygon, Kind::OpenPolygon] {
            let map = square(kind).map(IMAGE).expect("map");
            assert_eq!(map.len(), 320 * 320);
            let on = set_pixels(&map, IMAGE);
            assert_eq!(on.len(), 1600);
            assert!(
                on.iter()
                    .all(|&(x, y)| (11..=50).contains(&x) && (11..=50).contains(&y))
            );
        }
    }

    #[test]
    fn masks_map_their_texture() {
        let mask = Mask::from_buffer(&[true; 1600], 40, 40, 0, 0).expect("mask");
        let map = shape(Kind::Plain, Geometry::Mask(mask))
            .map(IMAGE)
            .expect("map");
        let on = set_pixels(&map, IMAGE);
        assert_eq!(on.len(), 1600);
        assert_eq!(on.first(), Some(&(0, 0)));
        assert_eq!(on.last(), Some(&(39, 39)));

        let mask = Mask::from_buffer(&[true; 9], 3, 3, 318, -1).expect("mask");
        let map = shape(Kind::Plain, Geometry::Mask(mask))
            .map(IMAGE)
            .expect("map");
        assert_eq!(
            set_pixels(&map, IMAGE),
            [(318, 0), (319, 0), (318, 1), (319, 1)]
        );
    }

    #[test]
    fn other_kinds_have_no_map() {
        assert!(
            rect(Kind::Rectangle, 1.0, 1.0, 5.0, 5.0)
                .map(IMAGE)
                .is_none()
        );
        assert!(rect(Kind::Oval, 10.0, 10.0, 5.0, 5.0).map(IMAGE).is_none());
        for kind in [Kind::Measure, Kind::Angle, Kind::Axis, Kind::Tagt] {
            assert!(square(kind).map(IMAGE).is_none(), "{kind:?}");
        }
    }

    #[test]
    fn polygons_off_the_image_are_cut() {
        let big = polygon(
            Kind::ClosedPolygon,
            &[(-1e12, -1e12), (1e12, -1e12), (1e12, 1e12), (-1e12, 1e12)],
        );
        let map = big.map(ImageSize::new(8, 4)).expect("map");
        assert!(map.iter().all(|&on| on));
        let away = polygon(
            Kind::Pencil,
            &[(500.0, 500.0), (600.0, 500.0), (550.0, 600.0)],
        );
        assert!(away.map(IMAGE).expect("map").iter().all(|&on| !on));
    }

    #[test]
    fn short_polygons_map_little() {
        let empty = polygon(Kind::Pencil, &[]).map(IMAGE).expect("map");
        assert!(empty.iter().all(|&on| !on));
        let one = polygon(Kind::Pencil, &[(5.0, 5.0)])
            .map(IMAGE)
            .expect("map");
        assert!(one.iter().all(|&on| !on));
        // A segment from (2, 2) to (6, 6) keeps (3, 3) to (6, 6): its first pixel is on the frame.
        let two = polygon(Kind::OpenPolygon, &[(2.0, 2.0), (6.0, 6.0)])
            .map(IMAGE)
            .expect("map");
        assert_eq!(set_pixels(&two, IMAGE), [(3, 3), (4, 4), (5, 5), (6, 6)]);
    }
}
