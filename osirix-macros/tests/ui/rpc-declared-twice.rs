osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROIName)]
        pub fn name() -> String = name;

        #[rpc(ROIName)]
        pub fn label() -> String = name;
    }
}

fn main() {}
