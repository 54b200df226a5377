//! An ROI of the scene: its shape (the geometry library's) and what OsiriX keeps beside it.

use crate::roi::{Kind, Shape};

/// The longest name OsiriX keeps for an ROI other than a text, in characters.
pub(crate) const MAX_NAME_CHARS: usize = 256;

/// One ROI, on one slice of one frame of one viewer.
#[derive(Debug, Clone)]
pub(crate) struct Roi {
    /// The viewer it was drawn in.
    pub(crate) viewer: u64,
    /// The frame (movie index) of its slice.
    pub(crate) frame: usize,
    /// Its slice (data order).
    pub(crate) slice: usize,
    /// The DCMPix it is attached to (`ROIPix`).
    pub(crate) pix: u64,
    /// Its kind and geometry.
    pub(crate) shape: Shape,
    name: String,
    /// OsiriX's 16-bit colour channels (red, green, blue).
    colour: [u16; 3],
    /// The opacity, as set (NewROI does not clamp it, ROISetOpacity does).
    pub(crate) opacity: f32,
    /// The line width, as set (never clamped).
    pub(crate) thickness: f32,
    /// Whether the user has it selected (`ViewerControllerSelectedROIs`).
    pub(crate) selected: bool,
}

impl Roi {
    /// A new ROI attached to `pix` at (`frame`, `slice`) of `viewer`, unselected.
    pub(crate) fn new(
        viewer: u64,
        frame: usize,
        slice: usize,
        pix: u64,
        shape: Shape,
        name: &str,
    ) -> Roi {
        let mut roi = Roi {
            viewer,
            frame,
            slice,
            pix,
            shape,
            name: String::new(),
            colour: [0; 3],
            opacity: 0.0,
            thickness: 0.0,
            selected: false,
        };
        roi.name = roi.kept_name(name);
        roi
    }

    /// The name (`ROIName`).
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// `ROISetName`: names over [`MAX_NAME_CHARS`] characters are cut, except a text's, whose box follows
    /// its new text.
    pub(crate) fn set_name(&mut self, name: &str) {
        self.name = self.kept_name(name);
        self.shape.rename(&self.name);
    }

    fn kept_name(&self, name: &str) -> String {
        if self.shape.kind() == Kind::Text {
            name.to_owned()
        } else {
            name.chars().take(MAX_NAME_CHARS).collect()
        }
    }

    /// The colour as `ROIColor` sends it: each 16-bit channel ÷ 256.
    pub(crate) fn colour(&self) -> [i32; 3] {
        self.colour.map(|c| i32::from(c / 256))
    }

    /// `ROISetColor` (and NewROI's colour): each channel clamped to 0–255 and stored × 256.
    pub(crate) fn set_colour(&mut self, rgb: [i32; 3]) {
        self.colour = rgb.map(|c| c.clamp(0, 255) as u16 * 256);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::roi::{Buffer, NewRoi, Point, Rect, Spacing};

    fn roi(itype: i32, name: &str) -> Roi {
        let points = [
            Point::new(1.0, 1.0),
            Point::new(9.0, 1.0),
            Point::new(5.0, 7.0),
        ];
        let shape = Shape::create(&NewRoi {
            itype,
            name,
            points: &points,
            rectangle: Rect::new(3.0, 4.0, 10.0, 5.0),
            buffer: Buffer::default(),
            spacing: Spacing::new(1.0, 1.0),
        })
        .expect("valid");
        Roi::new(0, 0, 0, 0, shape, name)
    }

    #[test]
    fn colours_clamp_and_round_trip() {
        let mut r = roi(15, "pencil");
        assert_eq!(r.colour(), [0, 0, 0]);
        r.set_colour([255, 0, 200]);
        assert_eq!(r.colour(), [255, 0, 200]);
        r.set_colour([-5, 300, 128]);
        assert_eq!(r.colour(), [0, 255, 128]);
    }

    #[test]
    fn long_names_are_cut_except_for_texts() {
        let long = "é".repeat(300);
        let mut r = roi(15, &long);
        assert_eq!(r.name().chars().count(), MAX_NAME_CHARS);
        r.set_name("my pencil");
        assert_eq!(r.name(), "my pencil");
        let text = roi(13, &long);
        assert_eq!(text.name().chars().count(), 300);
    }
}
