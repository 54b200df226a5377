//! What an OsiriX ROI does geometrically, for the ROI, DCMPix, ViewerController and ROIVolume handlers.
//!
//! Plain data and pure functions, with no gRPC, state or I/O: a handler stores a [`Shape`] per ROI and
//! calls it. Every input may come straight from the wire, so nothing here panics on any value, NaN,
//! infinities and empty lists included, and work is bounded by the image or by a documented limit.
//!
//! Coordinates are pixels, (x, y) = (column, row), origin top-left, y down. Point order is kept exactly:
//! the spline depends on the first vertex.
//!
//! - [`kind`]: the `itype` codes, their request group and the kind sets the RPCs test.
//! - [`build`]: a shape from a NewROI request, with the validity rules ([`Shape::create`]).
//! - [`shape`]: the shape, its points (ROIPoints, ROISetPoints) and its measured outline.
//! - [`spline`], [`area`]: OsiriX's spline in double and the shoelace; `areaPix` and ROIArea's cm².
//! - [`transform`]: centroid, flips, move and rotation, with the tROI/tOval → tCPolygon conversion.
//! - [`pixels`] (with [`clip`] and [`fill`]): the pixels DCMPixROIValues and ComputeROI collect.
//! - [`map`]: DCMPixGetMapFromROI's mask.
//! - [`stats`], [`volume`]: ComputeROI's statistics and the ROIVolume sum.
//! - [`geom`], [`outline`], [`mask`], [`text`]: value types, rectangle and oval outlines, the tPlain
//!   texture, the tText box rule.

// The RPC handlers that call this arrive with the live object model; until then only the tests do.
#![cfg_attr(
    not(test),
    allow(
        dead_code,
        unused_imports,
        reason = "used by the ROI handlers still to come"
    )
)]

pub(crate) mod area;
pub(crate) mod build;
pub(crate) mod clip;
pub(crate) mod fill;
pub(crate) mod geom;
pub(crate) mod kind;
pub(crate) mod map;
pub(crate) mod mask;
pub(crate) mod outline;
pub(crate) mod pixels;
pub(crate) mod shape;
pub(crate) mod spline;
pub(crate) mod stats;
pub(crate) mod text;
pub(crate) mod transform;
pub(crate) mod volume;

#[cfg(test)]
mod properties;

pub(crate) use build::{Buffer, NewRoi};
pub(crate) use geom::{ImageSize, Pixel, Point, Rect, Spacing};
pub(crate) use kind::Kind;
pub(crate) use pixels::sample;
pub(crate) use shape::Shape;
pub(crate) use stats::Statistics;
pub(crate) use transform::Flip;
pub(crate) use volume::volume_cm3;
