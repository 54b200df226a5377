//! The synthetic phantom in the pixels of the demo images: a background, a square and a disc whose sizes
//! and values are known, so that ROI statistics on demo images have answers computable by hand.

use super::spec::DemoSpec;
use crate::Image;

/// The first slice location of every demo series, in mm; slice `position` is at `FIRST_SLICE + SLICE_STEP ×
/// position`.
pub const FIRST_SLICE: f64 = -40.0;

/// The distance between consecutive demo slices, in mm (also their SliceThickness).
pub const SLICE_STEP: f64 = 2.5;

/// The pixel spacing of every demo image, in mm, the same between rows and between columns.
pub const PIXEL_SPACING: f64 = 0.5;

/// The phantom of one demo image.
///
/// Every value is the pixel value a DCMPix holds, after the modality rescale (CT files store each value
/// plus 1024 and carry RescaleIntercept −1024; MR files store the value itself). With `N` the
/// [`DemoSpec::image_size`] and `p` the image's position (its rank by slice location in its series, from 0):
///
/// - **background**: every pixel outside the two shapes is [`Phantom::BACKGROUND`] (100);
/// - **square**: [`Phantom::SQUARE_VALUE`] (1000) on the `N/4 × N/4` pixels whose top-left pixel is
///   (column `N/8 + p mod N/8`, row `N/8`): it moves one column to the right per slice and starts again
///   every `N/8` slices;
/// - **disc**: `500 + 10·(p mod 1000)` on the pixels (column c, row r) with `(c − 5N/8)² + (r − 5N/8)² ≤ (N/8)²`, the
///   lattice points of a circle of radius `N/8` centred on pixel (5N/8, 5N/8): 197 pixels for the default
///   `N` = 64 (radius 8).
///
/// Divisions are integer divisions. The square ends before column `N/2` and row `3N/8`, and the disc
/// starts at row `N/2`, so the shapes never overlap or leave the image.
///
/// Colour demo images ([`DemoSpec::colour_and_multi_frame`]) hold the same shapes in colour
/// ([`Phantom::colour_at`]): background [`Phantom::BACKGROUND_RGB`], square [`Phantom::SQUARE_RGB`], disc
/// [`Phantom::DISC_RGB`].
///
/// ```
/// use osirix_emulator::demo::{DemoSpec, Phantom};
///
/// let phantom = Phantom::new(&DemoSpec::default(), 3);
/// assert_eq!(phantom.square().column, 8 + 3);
/// assert_eq!(phantom.disc().value, 530.0);
/// assert_eq!(phantom.disc().pixel_count(), 197);
/// assert_eq!(phantom.value_at(0, 0), Phantom::BACKGROUND);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Phantom {
    size: u32,
    position: u32,
}

/// The square of a [`Phantom`], in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Square {
    /// Column of the top-left pixel.
    pub column: u32,
    /// Row of the top-left pixel.
    pub row: u32,
    /// Side length in pixels.
    pub side: u32,
    /// The value of its pixels.
    pub value: f32,
}

impl Square {
    /// Whether pixel (`column`, `row`) is in the square.
    pub fn contains(&self, column: u32, row: u32) -> bool {
        (self.column..self.column + self.side).contains(&column)
            && (self.row..self.row + self.side).contains(&row)
    }

    /// The number of pixels in the square: side².
    pub fn pixel_count(&self) -> usize {
        self.side as usize * self.side as usize
    }
}

/// The disc of a [`Phantom`], in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disc {
    /// Column of the centre pixel.
    pub column: u32,
    /// Row of the centre pixel.
    pub row: u32,
    /// Radius in pixels.
    pub radius: u32,
    /// The value of its pixels.
    pub value: f32,
}

impl Disc {
    /// Whether pixel (`column`, `row`) is in the disc: its squared distance to the centre is at most radius².
    pub fn contains(&self, column: u32, row: u32) -> bool {
        let dc = i64::from(column) - i64::from(self.column);
        let dr = i64::from(row) - i64::from(self.row);
        dc * dc + dr * dr <= i64::from(self.radius) * i64::from(self.radius)
    }

    /// The number of pixels in the disc (the lattice points within the radius; 197 for radius 8).
    pub fn pixel_count(&self) -> usize {
        let r = i64::from(self.radius);
        (-r..=r)
            .map(|dc| {
                let half = (0..=r).take_while(|dr| dc * dc + dr * dr <= r * r).count();
                2 * half - 1
            })
            .sum()
    }
}

impl Phantom {
    /// The pixel value outside the shapes.
    pub const BACKGROUND: f32 = 100.0;

    /// The pixel value inside the square.
    pub const SQUARE_VALUE: f32 = 1000.0;

    /// The colour (red, green, blue) outside the shapes in a colour image.
    pub const BACKGROUND_RGB: [u8; 3] = [20, 20, 20];

    /// The colour of the square in a colour image.
    pub const SQUARE_RGB: [u8; 3] = [255, 0, 0];

    /// The colour of the disc in a colour image.
    pub const DISC_RGB: [u8; 3] = [0, 0, 255];

    /// The phantom of the image at `position` (its rank by slice location in its series, from 0) of a demo
    /// database generated with `spec`.
    pub fn new(spec: &DemoSpec, position: usize) -> Phantom {
        Phantom {
            size: u32::from(spec.image_size),
            position: u32::try_from(position).unwrap_or(u32::MAX),
        }
    }

    /// The phantom of a catalogue image of a demo database generated with `spec`, found from its slice
    /// location; `None` when that is not a demo slice location.
    pub fn for_image(spec: &DemoSpec, image: &Image) -> Option<Phantom> {
        let position = (f64::from(image.slice_location) - FIRST_SLICE) / SLICE_STEP;
        let whole = position.round();
        ((position - whole).abs() < 1e-3 && (0.0..spec.images_per_series as f64).contains(&whole))
            .then(|| Phantom::new(spec, whole as usize))
    }

    /// The image's rows and columns.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// The square.
    pub fn square(&self) -> Square {
        let eighth = self.size / 8;
        Square {
            column: eighth + self.position % eighth.max(1),
            row: eighth,
            side: self.size / 4,
            value: Phantom::SQUARE_VALUE,
        }
    }

    /// The disc.
    pub fn disc(&self) -> Disc {
        let centre = self.size * 5 / 8;
        Disc {
            column: centre,
            row: centre,
            radius: self.size / 8,
            value: 500.0 + 10.0 * (self.position % 1000) as f32,
        }
    }

    /// The value of pixel (`column`, `row`).
    pub fn value_at(&self, column: u32, row: u32) -> f32 {
        let (square, disc) = (self.square(), self.disc());
        if square.contains(column, row) {
            square.value
        } else if disc.contains(column, row) {
            disc.value
        } else {
            Phantom::BACKGROUND
        }
    }

    /// The colour (red, green, blue) of pixel (`column`, `row`) in a colour image.
    pub fn colour_at(&self, column: u32, row: u32) -> [u8; 3] {
        if self.square().contains(column, row) {
            Phantom::SQUARE_RGB
        } else if self.disc().contains(column, row) {
            Phantom::DISC_RGB
        } else {
            Phantom::BACKGROUND_RGB
        }
    }

    /// Every pixel value, row-major.
    pub fn values(&self) -> Vec<f32> {
        (0..self.size)
            .flat_map(|row| (0..self.size).map(move |column| self.value_at(column, row)))
            .collect()
    }
}
