//! Extending the SDK: adding an OsiriX class (here `ROI`, a region of interest) in your own crate with
//! `osirix_sdk::osirix_class!`.
//!
//! ```text
//! cargo run --release -p examples --bin extend
//! ```
//!
//! The declaration below is all it takes: the macro generates the `Roi` handle (bound to its client,
//! `Clone + Eq + Hash + Debug`, with `from_uid`, `uid` and `client`) and one typed async accessor per RPC, which
//! go through the same path as the SDK's own classes (retries, timeouts, the in-band status check, the stale
//! handle and OsiriX error mapping). The request and response messages come from `osirix_sdk::proto`, which
//! has every message of the protocol.
//!
//! The example runs against the embedded emulator: it opens a demo series in a viewer (as a person would, through
//! the emulator's screen API), draws a square ROI with the plain generated client, then reads, renames and
//! deletes it through the declared class, and shows the typed stale-handle error a deleted ROI gives. Against a
//! real OsiriX the same calls work on any ROI drawn in a viewer.

use anyhow::Context;
use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::proto::viewer_controller_new_roi_request::Point2D;
use osirix_emulator::{Emulator, ObjectRef, proto};
use osirix_sdk::Client;

osirix_sdk::osirix_class! {
    /// An OsiriX region of interest (the `ROI` class).
    #[osirix(wire = "ROI")]
    pub class Roi {
        /// The ROI's name.
        #[rpc(ROIName)]
        pub fn name() -> String = name;

        /// The ROI's area, in the viewer's units (cm² for calibrated images).
        #[rpc(ROIArea)]
        pub fn area() -> f32 = area;

        /// Renames the ROI.
        #[rpc(ROISetName, request = ROISetNameRequest { roi: self, name })]
        pub fn set_name(name: String);
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("creating a temporary folder")?;
    let catalog =
        generate(dir.path(), &DemoSpec::default()).context("generating the demo database")?;
    let emulator = Emulator::builder(catalog)
        .start("127.0.0.1:0".parse()?)
        .await
        .context("starting the emulator")?;
    let client = Client::connect(emulator.url())
        .await
        .context("connecting")?;

    // A person opens the first series in a viewer; the plain generated client draws a 20 × 20 px square on it.
    emulator
        .open_series(ObjectRef::Series(0))
        .await
        .context("opening a series")?;
    let mut raw = osirix_emulator::testing::connect(&emulator).await;
    let viewer = raw
        .osirix_frontmost_viewer(proto::Empty {})
        .await?
        .into_inner()
        .viewer_controller
        .context("a viewer in front")?;
    let corner = |x: f32, y: f32| Point2D { x, y };
    let drawn = raw
        .viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            viewer_controller: Some(viewer),
            itype: 11, // tCPolygon, a closed polygon
            name: "lesion".into(),
            points: vec![
                corner(10.0, 10.0),
                corner(30.0, 10.0),
                corner(30.0, 30.0),
                corner(10.0, 30.0),
            ],
            opacity: 1.0,
            ..Default::default()
        })
        .await?
        .into_inner()
        .roi
        .context("a new ROI")?;

    // The declared class works on that uid like the SDK's own classes.
    let roi = Roi::from_uid(&client, &drawn.osirixrpc_uid)?;
    println!("declared {roi:?}");
    println!("name() = {:?}", roi.name().await?);
    println!("area() = {} cm²", roi.area().await?);
    roi.set_name("lesion 1".into()).await?;
    anyhow::ensure!(roi.name().await? == "lesion 1", "the ROI was renamed");

    // Once the ROI is deleted its uid names nothing, and the typed error says so.
    raw.roi_delete(drawn).await?;
    let err = roi.name().await.expect_err("the ROI is gone");
    anyhow::ensure!(err.is_stale_handle(), "expected a stale handle, got {err}");
    println!("after ROIDelete: {err}");
    println!(
        "the emulator served {} ROIName call(s)",
        emulator.calls("ROIName")
    );

    emulator.shutdown().await.context("stopping the emulator")?;
    Ok(())
}
