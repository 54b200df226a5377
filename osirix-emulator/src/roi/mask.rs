//! A tPlain ROI's texture: a box of set and clear pixels placed at an integer corner of the image.

use super::geom::{COORD_LIMIT, Point, truncate};

/// A brush mask, shrunk to the bounding box of its set pixels.
///
/// OsiriX holds the texture as bytes; the emulator's masks come only from NewROI, which writes 0xFF for
/// true and 0x00 for false, so a bool per pixel says the same.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Mask {
    corner_x: i64,
    corner_y: i64,
    width: usize,
    height: usize,
    bits: Vec<bool>,
}

impl Mask {
    /// The mask of a NewROI buffer: `bits` row-major with `rows` × `columns` entries, its top-left pixel at
    /// image column `position_x` and row `position_y` (either may be negative or past the image).
    ///
    /// The texture is shrunk to the bounding box of its set pixels and its corner moved to match, as
    /// OsiriX does. `None` when the sizes are negative or do not match the buffer, or when no pixel is set
    /// (NewROI then answers "Could not create ROI").
    pub(crate) fn from_buffer(
        bits: &[bool],
        rows: i32,
        columns: i32,
        position_x: i32,
        position_y: i32,
    ) -> Option<Mask> {
        let rows = usize::try_from(rows).ok()?;
        let columns = usize::try_from(columns).ok()?;
        if rows.checked_mul(columns)? != bits.len() {
            return None;
        }
        let set = |row: usize, column: usize| bits[row * columns + column];
        let first_row = (0..rows).find(|&r| (0..columns).any(|c| set(r, c)))?;
        let last_row = (0..rows).rev().find(|&r| (0..columns).any(|c| set(r, c)))?;
        let first_column = (0..columns).find(|&c| (0..rows).any(|r| set(r, c)))?;
        let last_column = (0..columns).rev().find(|&c| (0..rows).any(|r| set(r, c)))?;

        let width = last_column - first_column + 1;
        let height = last_row - first_row + 1;
        let mut shrunk = Vec::with_capacity(width * height);
        for row in first_row..=last_row {
            shrunk.extend_from_slice(&bits[row * columns + first_column..][..width]);
        }
        Some(Mask {
            corner_x: i64::from(position_x) + first_column as i64,
            corner_y: i64::from(position_y) + first_row as i64,
            width,
            height,
            bits: shrunk,
        })
    }

    /// The image column and row of the texture's top-left pixel.
    pub(crate) fn corner(&self) -> (i64, i64) {
        (self.corner_x, self.corner_y)
    }

    /// The texture's width and height in pixels.
    pub(crate) fn size(&self) -> (usize, usize) {
        (self.width, self.height)
    }

    /// Whether texture pixel (`x`, `y`) is set; `false` outside the texture.
    pub(crate) fn is_set(&self, x: i64, y: i64) -> bool {
        let (Ok(x), Ok(y)) = (usize::try_from(x), usize::try_from(y)) else {
            return false;
        };
        x < self.width && y < self.height && self.bits[y * self.width + x]
    }

    /// How many pixels are set: OsiriX's area of a tPlain, in px².
    pub(crate) fn set_count(&self) -> usize {
        self.bits.iter().filter(|&&bit| bit).count()
    }

    /// The image (column, row) of every set pixel, row by row (y outer, x inner).
    pub(crate) fn set_pixels(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.bits
            .iter()
            .enumerate()
            .filter(|(_, bit)| **bit)
            .map(|(i, _)| {
                (
                    self.corner_x + (i % self.width) as i64,
                    self.corner_y + (i / self.width) as i64,
                )
            })
    }

    /// Moves the texture by whole pixels: OsiriX adds each offset cast to `int`, so it is truncated toward
    /// zero first (a move by 10.5 moves 10; moving by −10.5 then comes back).
    pub(crate) fn translate(&mut self, columns: f64, rows: f64) {
        self.corner_x = (self.corner_x + truncate(columns)).clamp(-COORD_LIMIT, COORD_LIMIT);
        self.corner_y = (self.corner_y + truncate(rows)).clamp(-COORD_LIMIT, COORD_LIMIT);
    }

    /// The outline ROIPoints reports for a tPlain: the boundary of the set pixels along pixel edges, in
    /// image coordinates (pixel (i, j) covers [i, i+1) × [j, j+1)).
    ///
    /// OsiriX's contour points are not known, so this is the emulator's own, simple rule: the outer
    /// boundary of the 4-connected region holding the first set pixel in scan order, traced clockwise on
    /// screen from that pixel's top-left corner, one point per corner where the boundary turns. Holes and
    /// other regions are not traced. A solid w × h box gives its four corners, and the outline's area is
    /// its pixel count when the region has no holes.
    pub(crate) fn contour(&self) -> Vec<Point> {
        let Some(first) = self.bits.iter().position(|&bit| bit) else {
            return Vec::new();
        };
        let start = ((first % self.width) as i64, (first / self.width) as i64);
        let corner =
            |(x, y): (i64, i64)| Point::new((self.corner_x + x) as f64, (self.corner_y + y) as f64);
        let mut outline = vec![corner(start)];
        let (mut vertex, mut heading) = (start, Heading::East);
        // Each pixel edge is walked at most once.
        let limit = 4 * (self.width + 1) * (self.height + 1);
        for _ in 0..limit {
            vertex = heading.step(vertex);
            let (left, right) = heading.pixels_ahead(vertex);
            let next = if !self.is_set(right.0, right.1) {
                heading.right()
            } else if self.is_set(left.0, left.1) {
                heading.left()
            } else {
                heading
            };
            // The start corner has one set pixel of four around it, so only one boundary passes it.
            if vertex == start && next == Heading::East {
                break;
            }
            if next != heading {
                outline.push(corner(vertex));
            }
            heading = next;
        }
        outline
    }
}

/// A direction along pixel edges, with y pointing down: the region being traced is on the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Heading {
    East,
    South,
    West,
    North,
}

impl Heading {
    fn step(self, (x, y): (i64, i64)) -> (i64, i64) {
        match self {
            Heading::East => (x + 1, y),
            Heading::South => (x, y + 1),
            Heading::West => (x - 1, y),
            Heading::North => (x, y - 1),
        }
    }

    /// The two pixels ahead of corner (x, y): (ahead-left, ahead-right).
    fn pixels_ahead(self, (x, y): (i64, i64)) -> ((i64, i64), (i64, i64)) {
        let (north_west, north_east) = ((x - 1, y - 1), (x, y - 1));
        let (south_west, south_east) = ((x - 1, y), (x, y));
        match self {
            Heading::East => (north_east, south_east),
            Heading::South => (south_east, south_west),
            Heading::West => (south_west, north_west),
            Heading::North => (north_west, north_east),
        }
    }

    fn right(self) -> Heading {
        match self {
            Heading::East => Heading::South,
            Heading::South => Heading::West,
            Heading::West => Heading::North,
            Heading::North => Heading::East,
        }
    }

    fn left(self) -> Heading {
        match self {
            Heading::East => Heading::North,
            Heading::North => Heading::West,
            Heading::West => Heading::South,
            Heading::South => Heading::East,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roi::area::shoelace;

    fn grid(rows: &[&str]) -> (Vec<bool>, i32, i32) {
        let bits: Vec<bool> = rows
            .iter()
            .flat_map(|row| row.chars().map(|c| c == '#'))
            .collect();
        (bits, rows.len() as i32, rows[0].len() as i32)
    }

    #[test]
    fn a_buffer_shrinks_to_its_set_pixels() {
        let (bits, rows, columns) = grid(&["......", "..##..", "...#..", "......"]);
        let mask = Mask::from_buffer(&bits, rows, columns, -3, 5).expect("mask");
        assert_eq!(mask.corner(), (-1, 6));
        assert_eq!(mask.size(), (2, 2));
        assert_eq!(mask.set_count(), 3);
        let pixels: Vec<_> = mask.set_pixels().collect();
        assert_eq!(pixels, [(-1, 6), (0, 6), (0, 7)]);
    }

    #[test]
    fn bad_buffers_are_refused() {
        assert_eq!(Mask::from_buffer(&[true; 6], 2, 2, 0, 0), None);
        assert_eq!(Mask::from_buffer(&[false; 4], 2, 2, 0, 0), None);
        assert_eq!(Mask::from_buffer(&[], 0, 0, 0, 0), None);
        assert_eq!(Mask::from_buffer(&[true], -1, -1, 0, 0), None);
        assert_eq!(Mask::from_buffer(&[true], i32::MAX, i32::MAX, 0, 0), None);
        assert!(Mask::from_buffer(&[true], 1, 1, i32::MIN, i32::MAX).is_some());
    }

    #[test]
    fn a_solid_box_outlines_its_corners() {
        let mask = Mask::from_buffer(&[true; 1600], 40, 40, 3, 5).expect("mask");
        assert_eq!(
            mask.contour(),
            [
                Point::new(3.0, 5.0),
                Point::new(43.0, 5.0),
                Point::new(43.0, 45.0),
                Point::new(3.0, 45.0),
            ]
        );
    }

    #[test]
    fn a_region_outline_encloses_its_pixels() {
        let (bits, rows, columns) = grid(&[".###.", "##.#.", ".####", "..#.."]);
        let mask = Mask::from_buffer(&bits, rows, columns, 0, 0).expect("mask");
        let outline = mask.contour();
        // The hole at (2, 1) is not traced, so the outline's area counts it.
        assert_eq!(shoelace(&outline), (mask.set_count() + 1) as f64);
        assert_eq!(outline[0], Point::new(1.0, 0.0));
    }

    #[test]
    fn only_the_first_region_is_traced() {
        // Diagonal neighbours are separate regions (4-connectivity).
        let (bits, rows, columns) = grid(&["#.", ".#"]);
        let mask = Mask::from_buffer(&bits, rows, columns, 0, 0).expect("mask");
        assert_eq!(
            mask.contour(),
            [
                Point::new(0.0, 0.0),
                Point::new(1.0, 0.0),
                Point::new(1.0, 1.0),
                Point::new(0.0, 1.0),
            ]
        );
    }

    #[test]
    fn moves_are_truncated_to_whole_pixels() {
        let mut mask = Mask::from_buffer(&[true], 1, 1, 0, 0).expect("mask");
        mask.translate(10.5, 5.5);
        assert_eq!(mask.corner(), (10, 5));
        mask.translate(-10.5, -5.5);
        assert_eq!(mask.corner(), (0, 0));
        mask.translate(f64::NAN, f64::INFINITY);
        assert_eq!(mask.corner(), (0, COORD_LIMIT));
    }
}
