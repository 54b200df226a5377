//! `ROIVolume`: the surface a 3D window builds from the ROIs of one name, with its volume and how it is drawn.

use crate::value::{FromWire, Malformed};
use crate::{Client, Error, Result};

crate::osirix_class! {
    /// An ROI volume (`ROIVolume`) of a 3D window; from [`VrController::roi_volumes`](crate::VrController::roi_volumes).
    ///
    /// OsiriX builds it when the window opens and drops it when the window closes (its handle then goes
    /// stale). Its name and volume are fixed then and are cached; how it is drawn (texture, colour, opacity,
    /// factor, visibility) changes and never is. The setters store what they are given, unclamped, and do not
    /// redraw ([`VrController::needs_display_update`](crate::VrController::needs_display_update)); visibility
    /// changes only through [`VrController::display_roi_volume`](crate::VrController::display_roi_volume) and
    /// [`VrController::hide_roi_volume`](crate::VrController::hide_roi_volume).
    #[osirix(wire = "ROIVolume")]
    pub class RoiVolume {
        /// Whether the surface is drawn with its texture (OsiriX starts with `true`).
        #[rpc(ROIVolumeTexture)]
        pub fn texture() -> bool = texture;

        /// Draws the surface with its texture or without.
        #[rpc(ROIVolumeSetTexture, request = ROIVolumeSetTextureRequest { roi: self, texture })]
        pub fn set_texture(texture: bool);

        /// The volume in cm³, computed when the window opened: the trapezoid rule over the ROIs' areas
        /// (cm²) and their slices' locations, in slice order. It is **signed** (negative when the slice
        /// location falls as the slice index rises), counts the gaps between ROI slices as volume, and
        /// skips an interval whose previous slice location is exactly 0.
        #[rpc(ROIVolumeVolume, cache)]
        pub fn volume() -> f32 = volume;

        /// The colour (OsiriX starts with cyan, (0, 1, 1)).
        #[rpc(ROIVolumeColor)]
        pub fn color() -> RoiVolumeColor = (r, g, b);

        #[rpc(ROIVolumeSetColor, request = ROIVolumeSetColorRequest { roi: self, r, g, b })]
        fn set_color_wire(r: f32, g: f32, b: f32);

        /// The opacity of the surface (OsiriX starts with 1).
        #[rpc(ROIVolumeOpacity)]
        pub fn opacity() -> f32 = opacity;

        #[rpc(ROIVolumeSetOpacity, request = ROIVolumeSetOpacityRequest { roi: self, opacity })]
        fn set_opacity_wire(opacity: f32);

        /// The scale factor that places the surface in the 3D view (OsiriX starts with the window's).
        #[rpc(ROIVolumeFactor)]
        pub fn factor() -> f32 = factor;

        #[rpc(ROIVolumeSetFactor, request = ROIVolumeSetFactorRequest { roi: self, factor })]
        fn set_factor_wire(factor: f32);

        /// The name: that of the ROIs it is made of.
        #[rpc(ROIVolumeName, cache)]
        pub fn name() -> String = name;

        /// Whether the surface is shown in its window.
        #[rpc(ROIVolumeVisible)]
        pub fn visible() -> bool = visible;
    }
}

impl RoiVolume {
    /// Sets the colour. OsiriX stores each channel as sent, outside 0–1 too.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a channel that is not finite (nothing is sent);
    /// [`Error::StaleHandle`] when the volume is gone; the errors of every call.
    pub async fn set_color(&self, color: RoiVolumeColor) -> Result<()> {
        let RoiVolumeColor { r, g, b } = color;
        for (channel, value) in [("red", r), ("green", g), ("blue", b)] {
            finite(value, channel)?;
        }
        self.set_color_wire(r, g, b).await
    }

    /// Sets the opacity. OsiriX stores it as sent, outside 0–1 too.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a value that is not finite (nothing is sent);
    /// [`Error::StaleHandle`] when the volume is gone; the errors of every call.
    pub async fn set_opacity(&self, opacity: f32) -> Result<()> {
        self.set_opacity_wire(finite(opacity, "opacity")?).await
    }

    /// Sets the scale factor. OsiriX stores it as sent.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a value that is not finite (nothing is sent);
    /// [`Error::StaleHandle`] when the volume is gone; the errors of every call.
    pub async fn set_factor(&self, factor: f32) -> Result<()> {
        self.set_factor_wire(finite(factor, "factor")?).await
    }
}

/// Refuses NaN and the infinities, which OsiriX would store and render with.
fn finite(value: f32, what: &str) -> Result<f32> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::invalid(format!("the {what} {value} is not finite")))
    }
}

/// The colour of an ROI volume: red, green and blue as OsiriX's floats, 0–1 by convention (OsiriX neither
/// clamps nor checks them).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RoiVolumeColor {
    /// Red.
    pub r: f32,
    /// Green.
    pub g: f32,
    /// Blue.
    pub b: f32,
}

impl RoiVolumeColor {
    /// The colour of `r`, `g`, `b`.
    pub const fn new(r: f32, g: f32, b: f32) -> Self {
        RoiVolumeColor { r, g, b }
    }
}

impl FromWire<(f32, f32, f32)> for RoiVolumeColor {
    fn from_wire((r, g, b): (f32, f32, f32), _: &Client) -> std::result::Result<Self, Malformed> {
        Ok(RoiVolumeColor::new(r, g, b))
    }
}
