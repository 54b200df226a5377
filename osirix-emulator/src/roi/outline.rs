//! The point lists of the kinds OsiriX holds as a rectangle: a tROI's corners and a tOval's ellipse.

use super::geom::{Point, Rect};

/// How many points a tOval's outline has.
pub(crate) const OVAL_POINTS: usize = 200;

/// A tROI's four corners: (minX, minY), (minX, maxY), (maxX, maxY), (maxX, minY) for a non-negative size,
/// so down, right, then up on screen.
pub(crate) fn rectangle_corners(rect: Rect) -> Vec<Point> {
    let (left, top) = (rect.x, rect.y);
    let (right, bottom) = (rect.x + rect.width, rect.y + rect.height);
    vec![
        Point::new(left, top),
        Point::new(left, bottom),
        Point::new(right, bottom),
        Point::new(right, top),
    ]
}

/// A tOval's 200 outline points around centre (`rect.x`, `rect.y`) with semi-axes (`rect.width`,
/// `rect.height`): point i is (cx + a·cos θᵢ, cy + b·sin θᵢ) with θᵢ = 2π·i/200 rounded to float32.
///
/// Point 0 is the rightmost and the points go down first (clockwise on screen); the last one does not
/// repeat the first. The float32 angle is OsiriX's and it shows: θ₅₀ is π/2 + 4.4·10⁻⁸, so point 50 lies a
/// hair left of and above (cx, cy + b), which changes how it truncates to a pixel.
pub(crate) fn oval_outline(rect: Rect) -> Vec<Point> {
    (0..OVAL_POINTS)
        .map(|i| {
            let angle =
                f64::from((i as f64 * 2.0 * std::f64::consts::PI / OVAL_POINTS as f64) as f32);
            Point::new(
                rect.x + rect.width * angle.cos(),
                rect.y + rect.height * angle.sin(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rectangle_corners_run_down_right_up() {
        let corners = rectangle_corners(Rect::new(10.5, 10.5, 40.0, 40.0));
        assert_eq!(
            corners,
            [
                Point::new(10.5, 10.5),
                Point::new(10.5, 50.5),
                Point::new(50.5, 50.5),
                Point::new(50.5, 10.5),
            ]
        );
    }

    #[test]
    fn oval_outline_starts_right_and_goes_down() {
        let outline = oval_outline(Rect::new(66.0, 42.0, 20.0, 10.0));
        assert_eq!(outline.len(), 200);
        assert_eq!(outline[0], Point::new(86.0, 42.0));
        assert!(outline[1].y > 42.0);
        // The float32 angle: point 50 truncates to (65, 51), not (66, 52).
        assert!(outline[50].x < 66.0 && outline[50].x > 65.999_99);
        assert!((outline[50].y - 51.999_999_999_999_99).abs() < 1e-14);
        assert_eq!((outline[50].x as i64, outline[50].y as i64), (65, 51));
        assert!(outline[199] != outline[0]);
    }
}
