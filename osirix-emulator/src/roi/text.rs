//! The box of a tText ROI, which follows its name.
//!
//! OsiriX sizes the box to the rendered text in its font, which a server without a screen cannot know.
//! The emulator uses a fixed-pitch rule of its own instead, deterministic and independent of any font:
//! every character (Unicode scalar value) of the name is [`CHAR_WIDTH`] pixels wide and the box is one
//! [`LINE_HEIGHT`] tall. An empty name gives an empty box, which NewROI refuses, as OsiriX refuses a
//! text ROI without text.

use super::geom::Rect;

/// The width of one character of a tText label, in image pixels.
pub(crate) const CHAR_WIDTH: f64 = 8.0;

/// The height of a tText label, in image pixels.
pub(crate) const LINE_HEIGHT: f64 = 16.0;

/// The box of a label reading `name` whose top-left corner (the anchor) is at (`x`, `y`).
pub(crate) fn text_box(x: f64, y: f64, name: &str) -> Rect {
    let characters = name.chars().count();
    if characters == 0 {
        return Rect::new(x, y, 0.0, 0.0);
    }
    Rect::new(x, y, CHAR_WIDTH * characters as f64, LINE_HEIGHT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_box_grows_with_the_name() {
        assert_eq!(
            text_box(66.0, 42.0, "text"),
            Rect::new(66.0, 42.0, 32.0, 16.0)
        );
        assert_eq!(text_box(1.0, 2.0, "é"), Rect::new(1.0, 2.0, 8.0, 16.0));
        assert_eq!(text_box(1.0, 2.0, ""), Rect::new(1.0, 2.0, 0.0, 0.0));
    }
}
