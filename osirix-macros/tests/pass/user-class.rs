//! A class the SDK does not provide, declared in a user crate: plain getters, a whole-response decode into a
//! user type, a setter with a request, and a handle-returning getter of a second class of the same invocation.

use osirix_sdk::proto::RoiColorResponse;
use osirix_sdk::{FromWire, Malformed};

osirix_sdk::osirix_class! {
    /// An OsiriX region of interest.
    #[osirix(wire = "ROI")]
    pub class Roi {
        /// The ROI's name.
        #[rpc(ROIName)]
        pub fn name() -> String = name;

        /// The area in cm².
        #[rpc(ROIArea)]
        pub fn area() -> f32 = area;

        /// The colour, decoded from the whole response.
        #[rpc(ROIColor)]
        pub fn color() -> Rgb;

        /// Renames the ROI.
        #[rpc(ROISetName, request = ROISetNameRequest { roi: self, name })]
        pub fn set_name(name: String);

        /// The image the ROI is drawn on.
        #[rpc(ROIPix)]
        pub fn pix() -> DcmPix = pix;
    }

    /// An image of a viewer.
    #[osirix(wire = "DCMPix")]
    pub class DcmPix {}
}

/// A user type decoded from a whole response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl FromWire<RoiColorResponse> for Rgb {
    fn from_wire(wire: RoiColorResponse, _: &osirix_sdk::Client) -> Result<Self, Malformed> {
        let channel = |v: i32| {
            u8::try_from(v).map_err(|_| Malformed::new(format!("colour channel {v} out of range")))
        };
        Ok(Rgb {
            r: channel(wire.r)?,
            g: channel(wire.g)?,
            b: channel(wire.b)?,
        })
    }
}

async fn use_it(r: &Roi) -> osirix_sdk::Result<()> {
    let _n: String = r.name().await?;
    let _a: f32 = r.area().await?;
    let _c: Rgb = r.color().await?;
    let (): () = r.set_name("liver".to_owned()).await?;
    let pix: DcmPix = r.pix().await?;
    let _uid: &str = pix.uid();
    let _same_client: bool = pix.client().same_as(r.client());
    Ok(())
}

fn assert_send<T: Send>(_: T) {}

/// Compiled, never run: the accessors' futures are `Send`, so they can be spawned on a multi-threaded runtime.
#[allow(dead_code)]
fn check_send(r: &Roi) {
    assert_send(use_it(r));
}

fn assert_handle<H: osirix_sdk::Handle>() {}

fn main() {
    assert_handle::<Roi>();
    assert_handle::<DcmPix>();
    assert_eq!(<Roi as osirix_sdk::Handle>::CLASS, "ROI");
    assert_eq!(<DcmPix as osirix_sdk::Handle>::CLASS, "DCMPix");
}
