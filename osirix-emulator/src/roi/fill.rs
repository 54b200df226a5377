//! OsiriX's scan-line fill of an integer polygon: which pixels of each row it covers, in scan order.
//!
//! The rule, per row y: every non-horizontal edge whose rows include y crosses it at
//! x(y) = T.x + s·⌊(⌊dy/2⌋ + (y − T.y)·|Δx|) / dy⌋ (T the upper endpoint, s the sign of Δx: the exact
//! crossing rounded to the nearest integer, halves away from T). The crossings are sorted, an odd last one
//! is repeated, and each pair (x₀, x₁) covers x₀ ≤ x ≤ x₁, both ends included. An edge's rows are T.y..B.y,
//! except that the row of its end vertex is dropped when the outline goes on past it in the same vertical
//! direction, so a vertex the outline passes straight through counts once and a local top or bottom twice.
//! It is not a pixel-centre rule: both boundaries are in. Rows stop at the first one with no edge.

use super::geom::Vertex;

/// The part of the plane a fill reports, inclusive on every side; runs are cut to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    /// First column.
    pub(crate) left: i64,
    /// Last column.
    pub(crate) right: i64,
    /// First row.
    pub(crate) top: i64,
    /// Last row.
    pub(crate) bottom: i64,
}

/// Fills the closed polygon `vertices` and calls `run(y, x0, x1)` for each run, in scan order: rows top to
/// bottom, runs left to right. A pixel where two runs meet is reported by both. Only the rows and columns
/// of `window` are visited, so a polygon far larger than the image costs no more than the image.
pub(crate) fn fill(vertices: &[Vertex], window: Window, mut run: impl FnMut(i64, i64, i64)) {
    let mut edges = edges(vertices);
    if edges.is_empty() {
        return;
    }
    edges.sort_by_key(|edge| edge.first);
    let first_row = edges[0].first.max(window.top);
    let last_row = edges
        .iter()
        .map(|edge| edge.last)
        .max()
        .unwrap_or(i64::MIN)
        .min(window.bottom);

    let mut waiting = edges.iter().peekable();
    let mut active: Vec<&Edge> = Vec::new();
    let mut crossings: Vec<i64> = Vec::new();
    let mut y = first_row;
    while y <= last_row {
        while let Some(edge) = waiting.next_if(|edge| edge.first <= y) {
            active.push(edge);
        }
        active.retain(|edge| edge.last >= y);
        if active.is_empty() {
            break;
        }
        crossings.clear();
        crossings.extend(active.iter().map(|edge| edge.x_at(y)));
        crossings.sort_unstable();
        if crossings.len() % 2 == 1 {
            crossings.extend(crossings.last().copied());
        }
        for pair in crossings.chunks_exact(2) {
            let (x0, x1) = (pair[0].max(window.left), pair[1].min(window.right));
            if x0 <= x1 {
                run(y, x0, x1);
            }
        }
        y += 1;
    }
}

/// A non-horizontal edge, from its upper endpoint T down to its lower one B.
#[derive(Debug, Clone, Copy)]
struct Edge {
    /// The first and last rows the edge crosses.
    first: i64,
    last: i64,
    top: Vertex,
    dy: i64,
    adx: i64,
    sign: i64,
}

impl Edge {
    fn x_at(&self, y: i64) -> i64 {
        // Coordinates are at most 2^52, so the product fits i128 and the quotient fits i64.
        let advance = (i128::from(self.dy / 2) + i128::from(y - self.top.y) * i128::from(self.adx))
            / i128::from(self.dy);
        self.top.x + self.sign * i64::try_from(advance).unwrap_or(0)
    }
}

/// The polygon's non-horizontal edges with their rows.
fn edges(vertices: &[Vertex]) -> Vec<Edge> {
    let n = vertices.len();
    let mut edges = Vec::with_capacity(n);
    for i in 0..n {
        let (p1, p2) = (vertices[i], vertices[(i + 1) % n]);
        if p1.y == p2.y {
            continue;
        }
        // The first vertex after p2 off p2's row, skipping a horizontal run; p1 itself at the latest.
        let p3_y = (2..=n)
            .map(|k| vertices[(i + k) % n].y)
            .find(|&y| y != p2.y)
            .unwrap_or(p1.y);
        let going_down = p2.y > p1.y;
        let (top, bottom) = if going_down { (p1, p2) } else { (p2, p1) };
        let mut first = top.y;
        let mut last = bottom.y;
        if going_down && p3_y > p2.y {
            last -= 1;
        }
        if !going_down && p3_y < p2.y {
            first += 1;
        }
        edges.push(Edge {
            first,
            last,
            top,
            dy: bottom.y - top.y,
            adx: (bottom.x - top.x).abs(),
            sign: (bottom.x - top.x).signum(),
        });
    }
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const EVERYWHERE: Window = Window {
        left: -1000,
        right: 1000,
        top: -1000,
        bottom: 1000,
    };

    fn runs(vertices: &[(i64, i64)]) -> Vec<(i64, i64, i64)> {
        let vertices: Vec<Vertex> = vertices.iter().map(|&(x, y)| Vertex::new(x, y)).collect();
        let mut runs = Vec::new();
        fill(&vertices, EVERYWHERE, |y, x0, x1| runs.push((y, x0, x1)));
        runs
    }

    fn visits(vertices: &[(i64, i64)]) -> Vec<(i64, i64)> {
        runs(vertices)
            .into_iter()
            .flat_map(|(y, x0, x1)| (x0..=x1).map(move |x| (x, y)))
            .collect()
    }

    #[test]
    fn the_worked_triangle_row_by_row() {
        assert_eq!(
            runs(&[(1, 1), (7, 3), (2, 6)]),
            [
                (1, 1, 1),
                (2, 1, 4),
                (3, 1, 7),
                (4, 2, 5),
                (5, 2, 4),
                (6, 2, 2)
            ]
        );
        assert_eq!(visits(&[(1, 1), (7, 3), (2, 6)]).len(), 20);
    }

    #[test]
    fn the_start_vertex_does_not_matter() {
        let a = runs(&[(1, 1), (7, 3), (2, 6)]);
        assert_eq!(runs(&[(7, 3), (2, 6), (1, 1)]), a);
        assert_eq!(runs(&[(2, 6), (1, 1), (7, 3)]), a);
    }

    #[test]
    fn the_notched_pentagon_visits_its_notch_tip_twice() {
        let pentagon = [(0, 0), (4, 4), (8, 0), (8, 8), (0, 8)];
        let visits = visits(&pentagon);
        assert_eq!(visits.len(), 66);
        let distinct: BTreeSet<_> = visits.iter().collect();
        assert_eq!(distinct.len(), 65);
        let twice: Vec<_> = visits
            .iter()
            .filter(|v| visits.iter().filter(|w| w == v).count() == 2)
            .collect();
        assert_eq!(twice, [&(4, 4), &(4, 4)]);
    }

    #[test]
    fn a_rectangle_is_inclusive() {
        let visits = visits(&[(10, 10), (10, 50), (50, 50), (50, 10)]);
        assert_eq!(visits.len(), 41 * 41);
        assert_eq!(visits.first(), Some(&(10, 10)));
        assert_eq!(visits.last(), Some(&(50, 50)));
    }

    #[test]
    fn flat_polygons_cover_nothing() {
        assert!(runs(&[(0, 5), (9, 5), (3, 5)]).is_empty());
        assert!(runs(&[(0, 5)]).is_empty());
        assert!(runs(&[]).is_empty());
    }

    #[test]
    fn a_two_vertex_polygon_covers_its_segment() {
        let visits = visits(&[(0, 0), (3, 3)]);
        assert_eq!(visits, [(0, 0), (1, 1), (2, 2), (3, 3)]);
    }

    #[test]
    fn the_window_cuts_rows_and_runs() {
        let vertices: Vec<Vertex> = [(-100, -100), (100, -100), (100, 100), (-100, 100)]
            .iter()
            .map(|&(x, y)| Vertex::new(x, y))
            .collect();
        let window = Window {
            left: 0,
            right: 9,
            top: 2,
            bottom: 4,
        };
        let mut runs = Vec::new();
        fill(&vertices, window, |y, x0, x1| runs.push((y, x0, x1)));
        assert_eq!(runs, [(2, 0, 9), (3, 0, 9), (4, 0, 9)]);
    }

    #[test]
    fn huge_coordinates_do_not_overflow() {
        let limit = crate::roi::geom::COORD_LIMIT;
        let vertices = [
            Vertex::new(-limit, -limit),
            Vertex::new(limit, -limit + 1),
            Vertex::new(limit, limit),
            Vertex::new(-limit, limit - 3),
        ];
        let window = Window {
            left: 0,
            right: 3,
            top: 0,
            bottom: 3,
        };
        let mut count = 0;
        fill(&vertices, window, |_, x0, x1| count += x1 - x0 + 1);
        assert_eq!(count, 16);
    }
}
