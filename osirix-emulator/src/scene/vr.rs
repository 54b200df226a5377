//! 3D windows (volume rendering and maximum intensity projection) and the ROI volumes built when they open
//! (see docs/osirix-behaviour.md, *VR windows and ROI volumes*).

use crate::pixels::Window;

/// How a 3D window renders its volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RenderingMode {
    /// Volume rendering, `"VR"`.
    Vr,
    /// Maximum intensity projection, `"MIP"`.
    Mip,
}

impl RenderingMode {
    /// The mode's name on the wire: `"VR"` or `"MIP"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RenderingMode::Vr => "VR",
            RenderingMode::Mip => "MIP",
        }
    }

    /// The mode named exactly `name` (case-sensitive, as OsiriX compares it), if any.
    pub fn parse(name: &str) -> Option<RenderingMode> {
        match name {
            "VR" => Some(RenderingMode::Vr),
            "MIP" => Some(RenderingMode::Mip),
            _ => None,
        }
    }
}

/// The style of every 3D window the emulator opens: a window of its own, not a panel embedded in another.
pub(crate) const STANDARD_STYLE: &str = "standard";

/// The scale factor of a 3D window, which its ROI volumes start with. OsiriX derives it from its renderer's
/// settings; the emulator renders nothing and uses 1.
pub(crate) const WINDOW_FACTOR: f32 = 1.0;

/// One 3D window, built on a 2D viewer.
#[derive(Debug, Clone)]
pub(crate) struct VrWindow {
    /// The 2D viewer it was opened from (`VRControllerViewer2D`).
    pub(crate) viewer: u64,
    /// The viewer fused onto that viewer when the window opened, if any.
    pub(crate) blending: Option<u64>,
    /// The rendering mode.
    pub(crate) mode: RenderingMode,
    /// The window level and width of the 3D view, from the 2D viewer's when it opened.
    pub(crate) window: Window,
    /// The window title.
    pub(crate) title: String,
    /// The current frame (time point), 0 when it opens.
    pub(crate) frame: usize,
    /// The ROI volumes of each frame, in the order of their names.
    pub(crate) volumes: Vec<Vec<u64>>,
}

impl VrWindow {
    /// The ROI volumes of the current frame (`VRControllerROIVolumes`).
    pub(crate) fn current_volumes(&self) -> &[u64] {
        self.volumes.get(self.frame).map_or(&[], Vec::as_slice)
    }
}

/// The title of a 3D window on a viewer titled `viewer_title` with `frames` frames: OsiriX's window title
/// `"3D Reconstruction"`, a colon and the viewer's title, and `" (4D)"` for a viewer of several frames.
/// OsiriX's exact format is its own; clients match substrings.
pub(crate) fn vr_title(viewer_title: &str, frames: usize) -> String {
    let mut title = format!("3D Reconstruction: {viewer_title}");
    if frames > 1 {
        title.push_str(" (4D)");
    }
    title
}

/// The surface of one name's ROIs in one frame of a 3D window.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RoiVolume {
    /// The name of its first ROI.
    pub(crate) name: String,
    /// Its volume in cm³, computed once when it was built.
    pub(crate) volume: f32,
    /// Whether the surface is drawn with its texture.
    pub(crate) texture: bool,
    /// Red, green and blue, 0–1 by convention but stored as set.
    pub(crate) colour: [f32; 3],
    /// The opacity, stored as set.
    pub(crate) opacity: f32,
    /// The scale factor that places the surface in the 3D view, stored as set.
    pub(crate) factor: f32,
    /// Whether the 3D window shows it.
    pub(crate) visible: bool,
}

impl RoiVolume {
    /// The colour a new ROI volume has: cyan.
    pub(crate) const DEFAULT_COLOUR: [f32; 3] = [0.0, 1.0, 1.0];
    /// The opacity a new ROI volume has.
    pub(crate) const DEFAULT_OPACITY: f32 = 1.0;

    /// A new ROI volume with OsiriX's defaults: textured, cyan, opaque, `factor` (the window's), hidden.
    pub(crate) fn new(name: String, volume: f32, factor: f32) -> RoiVolume {
        RoiVolume {
            name,
            volume,
            texture: true,
            colour: RoiVolume::DEFAULT_COLOUR,
            opacity: RoiVolume::DEFAULT_OPACITY,
            factor,
            visible: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_named_exactly() {
        for mode in [RenderingMode::Vr, RenderingMode::Mip] {
            assert_eq!(RenderingMode::parse(mode.as_str()), Some(mode));
        }
        for other in ["vr", "mip", "Vr", " VR", "MPR", ""] {
            assert_eq!(RenderingMode::parse(other), None, "{other:?}");
        }
    }

    #[test]
    fn titles_name_the_viewer_and_4d() {
        assert_eq!(vr_title("P - S (3)", 1), "3D Reconstruction: P - S (3)");
        assert_eq!(
            vr_title("P - S (3)", 2),
            "3D Reconstruction: P - S (3) (4D)"
        );
    }

    #[test]
    fn a_new_volume_has_the_defaults() {
        let v = RoiVolume::new("mask".into(), -2.5, 1.5);
        assert_eq!(
            v,
            RoiVolume {
                name: "mask".into(),
                volume: -2.5,
                texture: true,
                colour: [0.0, 1.0, 1.0],
                opacity: 1.0,
                factor: 1.5,
                visible: false,
            }
        );
    }
}
