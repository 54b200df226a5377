//! Clipping an integer polygon to the image before it is filled: Sutherland–Hodgman against the four
//! image borders, with OsiriX's float32 intersections.

use super::geom::{ImageSize, Vertex, truncate};

/// Whether any vertex lies outside the image, so that the polygon must be clipped.
pub(crate) fn needs_clip(vertices: &[Vertex], size: ImageSize) -> bool {
    vertices.iter().any(|v| !size.contains(v.x, v.y))
}

/// `vertices` (a closed polygon, last vertex back to first) clipped to the half-planes x ≥ 0, x ≤ w−1,
/// y ≥ 0 and y ≤ h−1, in that order.
///
/// For each directed edge A→B: both inside gives B; leaving gives the intersection; entering gives the
/// intersection and then B; both outside gives nothing. Intersections use a float32 slope m = Δy/Δx from
/// A and are truncated toward zero, so a vertex can repeat and an edge may leave the half-plane by a
/// rounding error; the fill takes both. A polygon wholly outside comes back empty.
pub(crate) fn clip(vertices: &[Vertex], size: ImageSize) -> Vec<Vertex> {
    let right = i64::from(size.columns) - 1;
    let bottom = i64::from(size.rows) - 1;
    let borders = [
        Border::Left(0),
        Border::Right(right),
        Border::Top(0),
        Border::Bottom(bottom),
    ];
    let mut polygon = vertices.to_vec();
    for border in borders {
        let Some(&last) = polygon.last() else {
            break;
        };
        let mut clipped = Vec::with_capacity(polygon.len() + 4);
        let mut a = last;
        for &b in &polygon {
            match (border.keeps(a), border.keeps(b)) {
                (true, true) => clipped.push(b),
                (true, false) => clipped.push(border.cross(a, b)),
                (false, true) => {
                    clipped.push(border.cross(a, b));
                    clipped.push(b);
                }
                (false, false) => {}
            }
            a = b;
        }
        polygon = clipped;
    }
    polygon
}

/// One image border and the half-plane it keeps.
#[derive(Debug, Clone, Copy)]
enum Border {
    /// x ≥ the value.
    Left(i64),
    /// x ≤ the value.
    Right(i64),
    /// y ≥ the value.
    Top(i64),
    /// y ≤ the value.
    Bottom(i64),
}

impl Border {
    fn keeps(self, v: Vertex) -> bool {
        match self {
            Border::Left(x) => v.x >= x,
            Border::Right(x) => v.x <= x,
            Border::Top(y) => v.y >= y,
            Border::Bottom(y) => v.y <= y,
        }
    }

    /// Where edge A→B crosses the border, in float32 from A: (X, trunc(A.y + m·(X − A.x))) on a vertical
    /// border, (trunc(A.x + (Y − A.y)/m), Y) on a horizontal one, or (A.x, Y) when the edge is vertical.
    fn cross(self, a: Vertex, b: Vertex) -> Vertex {
        let slope = (b.y - a.y) as f32 / (b.x - a.x) as f32;
        match self {
            Border::Left(x) | Border::Right(x) => {
                let y = a.y as f32 + slope * (x - a.x) as f32;
                Vertex::new(x, truncate(f64::from(y)))
            }
            Border::Top(y) | Border::Bottom(y) => {
                if b.x == a.x {
                    return Vertex::new(a.x, y);
                }
                let x = a.x as f32 + (y - a.y) as f32 / slope;
                Vertex::new(truncate(f64::from(x)), y)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(x: i64, y: i64) -> Vertex {
        Vertex::new(x, y)
    }

    #[test]
    fn a_polygon_inside_is_kept() {
        let size = ImageSize::new(320, 320);
        let triangle = [v(1, 1), v(7, 3), v(2, 6)];
        assert!(!needs_clip(&triangle, size));
        let clipped = clip(&triangle, size);
        assert_eq!(clipped.len(), 3);
        for vertex in triangle {
            assert!(clipped.contains(&vertex));
        }
    }

    #[test]
    fn the_measurement_line_becomes_a_degenerate_triangle() {
        let size = ImageSize::new(320, 320);
        let line = [v(71, -2), v(67, 11)];
        assert!(needs_clip(&line, size));
        assert_eq!(clip(&line, size), [v(70, 0), v(70, 0), v(67, 11)]);
    }

    #[test]
    fn intersections_are_float32_from_the_edge_start() {
        let size = ImageSize::new(320, 320);
        // Entering at x = 0: the exact crossing is y = 5, but 10 + float32(−10/78)·39 is 4.9999995, which
        // truncates to 4.
        assert_eq!(
            clip(&[v(-39, 10), v(39, 0), v(39, 10)], size),
            [v(0, 10), v(0, 4), v(39, 0), v(39, 10)]
        );
        // And the other way: float32(17/60)·60 rounds to exactly 17 in float32, where double gives
        // 16.99999988.
        assert_eq!(
            clip(&[v(-60, 0), v(0, 17), v(5, 0)], size),
            [v(0, 0), v(0, 17), v(0, 17), v(5, 0)]
        );
        // A crossing at y = 50.5 truncates to 50.
        assert_eq!(
            clip(&[v(-100, 0), v(100, 101), v(100, 0)], size),
            [v(0, 0), v(0, 50), v(100, 101), v(100, 0)]
        );
        // Horizontal borders: x = A.x + (Y − A.y)/m, or A.x for a vertical edge.
        assert_eq!(
            clip(&[v(5, -10), v(5, 10), v(25, 10)], size),
            [v(15, 0), v(5, 0), v(5, 10), v(25, 10)]
        );
    }

    #[test]
    fn a_rectangle_across_the_corner() {
        let size = ImageSize::new(320, 320);
        let corners = [v(-5, -5), v(-5, 4), v(4, 4), v(4, -5)];
        let clipped = clip(&corners, size);
        assert!(clipped.iter().all(|c| size.contains(c.x, c.y)));
        for corner in [v(0, 0), v(0, 4), v(4, 4), v(4, 0)] {
            assert!(clipped.contains(&corner), "{clipped:?}");
        }
    }

    #[test]
    fn a_polygon_outside_vanishes() {
        let size = ImageSize::new(10, 10);
        assert!(clip(&[v(20, 20), v(30, 20), v(25, 30)], size).is_empty());
        assert!(clip(&[v(1, 1), v(2, 2), v(1, 3)], ImageSize::new(0, 0)).is_empty());
        assert!(clip(&[], size).is_empty());
    }
}
