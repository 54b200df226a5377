//! OsiriX's spline: the smoothed outline that area and pixel collection use for tOPolygon, tCPolygon and
//! tPencil.
//!
//! A natural cubic spline, in double, through the vertices padded with one phantom knot at each end,
//! parameterised by chord length × 5 and sampled at every whole unit of that parameter. The result depends
//! on which vertex is first (the phantoms and the end conditions are tied to it), so callers must keep the
//! ROI's point order.

use super::geom::Point;

/// The parameter scale of area and pixel computations: one sample per 0.2 px of chord.
const SCALE: f64 = 5.0;

/// The most samples the emulator computes for one outline, 2^20 (16 MiB of points).
///
/// OsiriX's spline fails, and the raw points are used, when it cannot allocate its samples. Vertices from
/// the wire can be arbitrarily far apart (a chord of 10^30 px asks for 5·10^30 samples), so the emulator
/// treats a count above this bound, or one that is not finite, the same way. An outline spanning a
/// 4096 × 4096 image needs under 10^5.
pub(crate) const MAX_SAMPLES: usize = 1 << 20;

/// The spline samples of `vertices`, or `None` when OsiriX would not smooth them and keeps the raw points:
/// fewer than 3 vertices, two consecutive padded knots exactly equal, or too many samples
/// ([`MAX_SAMPLES`]).
///
/// `closed` repeats the first vertex at the end (tCPolygon, tPencil). Each segment between two real knots
/// gives its start knot and then the curve at τ = 1, 2, …, ⌊h⌋, where h is 5 × the chord; nothing is
/// emitted after the last segment, and samples are not de-duplicated.
pub(crate) fn spline(vertices: &[Point], closed: bool) -> Option<Vec<Point>> {
    let knots = padded_knots(vertices, closed)?;
    if knots.windows(2).any(|pair| pair[0] == pair[1]) {
        return None;
    }
    let steps: Vec<f64> = knots
        .windows(2)
        .map(|pair| SCALE * chord(pair[0], pair[1]))
        .collect();
    let segments = 1..knots.len() - 2;
    let count: f64 = steps[segments.clone()]
        .iter()
        .map(|h| 1.0 + h.floor())
        .sum();
    if count.is_nan() || count > MAX_SAMPLES as f64 {
        return None;
    }
    let ux = second_derivatives(&knots, &steps, |p| p.x);
    let uy = second_derivatives(&knots, &steps, |p| p.y);

    let mut samples = Vec::with_capacity(count as usize);
    for k in segments {
        let (start, end, h) = (knots[k], knots[k + 1], steps[k]);
        let x = Cubic::new(start.x, end.x, h, ux[k], ux[k + 1]);
        let y = Cubic::new(start.y, end.y, h, uy[k], uy[k + 1]);
        samples.push(start);
        // h is below MAX_SAMPLES here (`count` bounds it), so the cast is exact.
        for step in 1..=h.floor() as u64 {
            let tau = step as f64;
            samples.push(Point::new(x.at(tau), y.at(tau)));
        }
    }
    Some(samples)
}

/// The knot list: the vertices (plus the first again when closed), with phantom knots `Q[m−2]` before
/// and `Q[1]` after. For an open outline these phantoms are not its geometric neighbours; that is
/// OsiriX's rule.
fn padded_knots(vertices: &[Point], closed: bool) -> Option<Vec<Point>> {
    if vertices.len() < 3 {
        return None;
    }
    let mut knots = Vec::with_capacity(vertices.len() + 3);
    let mut real: Vec<Point> = vertices.to_vec();
    if closed {
        real.push(vertices[0]);
    }
    let m = real.len();
    knots.push(real[m - 2]);
    knots.extend_from_slice(&real);
    knots.push(real[1]);
    Some(knots)
}

/// The Euclidean distance between two points, written as C's `sqrt(dx*dx + dy*dy)`.
fn chord(a: Point, b: Point) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    (dx * dx + dy * dy).sqrt()
}

/// u\[k\] = ½ × the second derivative of one coordinate at each knot, zero at both phantoms (the natural end
/// conditions), from the tridiagonal system
/// `a·u[k−1] + 4·u[k] + c·u[k+1] = 6·(δ[k] − δ[k−1]) / (h[k−1] + h[k])`, solved by Thomas elimination.
fn second_derivatives(knots: &[Point], steps: &[f64], coordinate: fn(&Point) -> f64) -> Vec<f64> {
    let n = knots.len();
    let slope = |k: usize| (coordinate(&knots[k + 1]) - coordinate(&knots[k])) / steps[k];
    // Forward sweep over the unknowns k = 1..=n−2, keeping the eliminated super-diagonal and right side.
    let mut upper = vec![0.0; n];
    let mut right = vec![0.0; n];
    for k in 1..n - 1 {
        let span = steps[k - 1] + steps[k];
        let below = if k == 1 {
            0.0
        } else {
            2.0 * steps[k - 1] / span
        };
        let above = if k == n - 2 {
            0.0
        } else {
            2.0 * steps[k] / span
        };
        let rhs = 6.0 * (slope(k) - slope(k - 1)) / span;
        let pivot = 4.0 - below * upper[k - 1];
        upper[k] = above / pivot;
        right[k] = (rhs - below * right[k - 1]) / pivot;
    }
    let mut u = vec![0.0; n];
    for k in (1..n - 1).rev() {
        u[k] = right[k] - upper[k] * u[k + 1];
    }
    u
}

/// One coordinate of one segment: c(τ) = c0 + b·τ + u0·τ² + d·τ³ for τ in [0, h].
#[derive(Debug, Clone, Copy)]
struct Cubic {
    c0: f64,
    b: f64,
    u0: f64,
    d: f64,
}

impl Cubic {
    fn new(c0: f64, c1: f64, h: f64, u0: f64, u1: f64) -> Self {
        Self {
            c0,
            b: (c1 - c0) / h - (h / 3.0) * (u1 + 2.0 * u0),
            u0,
            d: (u1 - u0) / (3.0 * h),
        }
    }

    fn at(self, tau: f64) -> f64 {
        self.c0 + self.b * tau + self.u0 * tau * tau + self.d * tau * tau * tau
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roi::area::shoelace;

    fn square() -> Vec<Point> {
        vec![
            Point::new(10.5, 10.5),
            Point::new(50.5, 10.5),
            Point::new(50.5, 50.5),
            Point::new(10.5, 50.5),
        ]
    }

    #[test]
    fn closed_square_gives_804_points_and_the_pinned_area() {
        let samples = spline(&square(), true).expect("spline");
        assert_eq!(samples.len(), 804);
        assert!((shoelace(&samples) - 2415.975333).abs() < 1e-6);
        // Each segment starts at its knot, and the integer step lands on the next one.
        assert_eq!(samples[0], Point::new(10.5, 10.5));
        assert_eq!(samples[201], Point::new(50.5, 10.5));
        assert!((samples[200].x - 50.5).abs() < 1e-9 && (samples[200].y - 10.5).abs() < 1e-9);
    }

    #[test]
    fn open_square_gives_603_points() {
        let samples = spline(&square(), false).expect("spline");
        assert_eq!(samples.len(), 603);
        assert!((shoelace(&samples) - 2174.6376).abs() < 1e-4);
    }

    #[test]
    fn the_six_point_pencil() {
        let pencil: Vec<Point> = [
            (50.205, 32.322),
            (53.274, 38.773),
            (64.687, 25.433),
            (69.719, 36.012),
            (41.897, 36.274),
            (68.917, 23.421),
        ]
        .into_iter()
        .map(|(x, y)| Point::from_f32(x, y))
        .collect();
        let samples = spline(&pencil, true).expect("spline");
        assert_eq!(samples.len(), 577);
        assert!((shoelace(&samples) - 231.3904).abs() < 1e-4);
    }

    #[test]
    fn the_first_vertex_matters() {
        let pencil = [
            Point::new(50.0, 32.0),
            Point::new(53.0, 38.0),
            Point::new(64.0, 25.0),
            Point::new(69.0, 36.0),
            Point::new(41.0, 36.0),
        ];
        let mut turned = pencil;
        turned.rotate_left(2);
        let a = shoelace(&spline(&pencil, true).expect("spline"));
        let b = shoelace(&spline(&turned, true).expect("spline"));
        assert!((a - b).abs() > 1.0, "{a} vs {b}");
    }

    #[test]
    fn degenerate_and_short_outlines_keep_their_points() {
        assert_eq!(spline(&square()[..2], true), None);
        assert_eq!(spline(&[], false), None);
        // A closed outline that repeats its first vertex has two equal consecutive knots.
        let mut repeated = square();
        repeated.push(repeated[0]);
        assert_eq!(spline(&repeated, true), None);
        // Equal neighbours anywhere.
        let mut doubled = square();
        doubled.insert(1, doubled[1]);
        assert_eq!(spline(&doubled, false), None);
    }

    #[test]
    fn a_short_segment_gives_only_its_knot() {
        // A chord of 0.1 px (h = 0.5) contributes its start knot alone.
        let outline = [
            Point::new(0.0, 0.0),
            Point::new(0.1, 0.0),
            Point::new(0.1, 10.0),
        ];
        let samples = spline(&outline, false).expect("spline");
        let h2 = 5.0 * 10.0_f64;
        assert_eq!(samples.len(), 1 + (1 + h2 as usize));
        assert_eq!(samples[1], outline[1]);
    }

    #[test]
    fn the_sample_limit() {
        // A closed square of side s has 4 × (1 + 5s) samples: 1 048 564 for s = 52 428 (under 2^20),
        // 1 048 584 for s = 52 429 (over).
        let square_of = |side: f64| {
            [
                Point::new(0.0, 0.0),
                Point::new(side, 0.0),
                Point::new(side, side),
                Point::new(0.0, side),
            ]
        };
        let under = spline(&square_of(52_428.0), true).expect("under the limit");
        assert_eq!(under.len(), 1_048_564);
        assert!(under.len() <= MAX_SAMPLES);
        assert_eq!(spline(&square_of(52_429.0), true), None);
    }

    #[test]
    fn far_apart_or_non_finite_vertices_keep_their_points() {
        let far = [
            Point::new(0.0, 0.0),
            Point::new(1e30, 0.0),
            Point::new(0.0, 1e30),
        ];
        assert_eq!(spline(&far, true), None);
        let nan = [
            Point::new(0.0, 0.0),
            Point::new(f64::NAN, 0.0),
            Point::new(0.0, 5.0),
        ];
        assert_eq!(spline(&nan, true), None);
        let inf = [
            Point::new(0.0, 0.0),
            Point::new(f64::INFINITY, 0.0),
            Point::new(0.0, 5.0),
        ];
        assert_eq!(spline(&inf, true), None);
    }
}
