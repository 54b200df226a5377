osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROIName)]
        pub fn name() -> String = name;

        #[rpc(ROIArea)]
        pub fn name() -> f32 = area;
    }
}

fn main() {}
