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
//! The example runs against the embedded emulator, which serves the database classes only and answers gRPC
//! `UNIMPLEMENTED` for ROI RPCs, so it shows how that typed error looks. Against a real OsiriX, with a ROI
//! drawn in a viewer, the very same calls return the ROI's name and area and rename it.

use anyhow::Context;
use osirix_emulator::Emulator;
use osirix_emulator::demo::{DemoSpec, generate};
use osirix_sdk::Client;
use osirix_sdk::tonic::Code;

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

    // A handle from a uid. Against OsiriX the uid comes from an RPC that lists ROIs (e.g. a viewer's ROI list,
    // declared the same way on a `ViewerController`-like class); here it is made up, and the emulator never
    // looks at it because it does not serve ROI RPCs at all.
    let roi = Roi::from_uid(&client, "00000000-0000-0000-0000-000000000001")?;
    println!("declared {roi:?}");

    // Against a real OsiriX these print the ROI's name and area and rename it. Against the emulator each one
    // fails with a typed error carrying the gRPC code, so the caller can tell "not supported by this server"
    // apart from a stale handle (`err.is_stale_handle()`) or an OsiriX failure (`err.is_osirix()`).
    report("name()", roi.name().await);
    report("area()", roi.area().await);
    report(
        "set_name(\"lesion 1\")",
        roi.set_name("lesion 1".into()).await,
    );

    let err = roi
        .name()
        .await
        .expect_err("the emulator does not serve ROI RPCs");
    anyhow::ensure!(
        err.grpc_code() == Some(Code::Unimplemented),
        "expected UNIMPLEMENTED, got {err}"
    );
    println!(
        "the emulator served {} ROIName call(s)",
        emulator.calls("ROIName")
    );

    emulator.shutdown().await.context("stopping the emulator")?;
    Ok(())
}

fn report<T: std::fmt::Debug>(call: &str, result: osirix_sdk::Result<T>) {
    match result {
        Ok(value) => println!("{call} = {value:?}"),
        Err(err) => match err.grpc_code() {
            Some(Code::Unimplemented) => {
                println!(
                    "{call}: {err} (gRPC code {:?}: this server has no ROI support)",
                    Code::Unimplemented
                )
            }
            Some(code) => println!("{call}: {err} (gRPC code {code:?})"),
            None => println!("{call}: {err}"),
        },
    }
}
