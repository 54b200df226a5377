//! What the viewer, pixel and ROI classes return, declared without any code of the user's: a tuple of fields
//! (`= (wl, ww)`), numeric lists (`Vec<f32>`, `Vec<i32>`, `Vec<bool>`), nested messages (points as `(f32, f32)`,
//! a viewer's ROI slices as `Vec<Vec<Roi>>`), and the whole response decoded into a struct of several fields
//! through the one trait.

use osirix_sdk::proto::DcmPixComputeRoiResponse;
use osirix_sdk::{FromWire, Malformed};

osirix_sdk::osirix_class! {
    /// A 2D viewer.
    #[osirix(wire = "ViewerController")]
    pub class Viewer {
        /// Window level and width, two fields as a tuple.
        #[rpc(ViewerControllerWLWW)]
        pub fn wlww() -> (f32, f32) = (wl, ww);

        /// Every ROI, slice by slice.
        #[rpc(ViewerControllerROIList, request = ViewerControllerROIListRequest { viewer_controller: self, movie_idx })]
        pub fn roi_list(movie_idx: i32) -> Vec<Vec<Roi>> = roi_slices;
    }

    /// An image of a viewer.
    #[osirix(wire = "DCMPix")]
    pub class DcmPix {
        /// The direction cosines.
        #[rpc(DCMPixOrientation)]
        pub fn orientation() -> Vec<f32> = orientation;

        /// The pixels an ROI covers, with their rows and columns.
        #[rpc(DCMPixROIValues, request = DCMPixROIValuesRequest { pix: self, roi })]
        pub fn roi_values(roi: &Roi) -> (Vec<f32>, Vec<i32>, Vec<i32>) = (values, row_indices, column_indices);

        /// The mask of an ROI.
        #[rpc(DCMPixGetMapFromROI, request = DCMPixGetMapFromROIRequest { pix: self, roi })]
        pub fn map_from_roi(roi: &Roi) -> Vec<bool> = map;

        /// Statistics of an ROI's pixels, decoded from the whole response.
        #[rpc(DCMPixComputeROI, request = DCMPixComputeROIRequest { pix: self, roi })]
        pub fn compute_roi(roi: &Roi) -> Stats;
    }

    /// A region of interest.
    #[osirix(wire = "ROI")]
    pub class Roi {
        /// The vertices.
        #[rpc(ROIPoints)]
        pub fn points() -> Vec<(f32, f32)> = points;
    }
}

/// A struct of several fields, made from a whole response by the one trait.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    pub mean: f32,
    pub min: f32,
    pub max: f32,
}

impl FromWire<DcmPixComputeRoiResponse> for Stats {
    fn from_wire(wire: DcmPixComputeRoiResponse, _: &osirix_sdk::Client) -> Result<Self, Malformed> {
        Ok(Stats {
            mean: wire.mean,
            min: wire.min,
            max: wire.max,
        })
    }
}

async fn use_it(viewer: &Viewer, pix: &DcmPix, roi: &Roi) -> osirix_sdk::Result<()> {
    let (_wl, _ww): (f32, f32) = viewer.wlww().await?;
    let slices: Vec<Vec<Roi>> = viewer.roi_list(0).await?;
    let _first: Option<&Roi> = slices.first().and_then(|slice| slice.first());
    let _: Vec<f32> = pix.orientation().await?;
    let (_values, _rows, _columns): (Vec<f32>, Vec<i32>, Vec<i32>) = pix.roi_values(roi).await?;
    let _: Vec<bool> = pix.map_from_roi(roi).await?;
    let _: Stats = pix.compute_roi(roi).await?;
    let _: Vec<(f32, f32)> = roi.points().await?;
    Ok(())
}

fn assert_send<T: Send>(_: T) {}

#[allow(dead_code)]
fn check_send(viewer: &Viewer, pix: &DcmPix, roi: &Roi) {
    assert_send(use_it(viewer, pix, roi));
}

fn main() {}
