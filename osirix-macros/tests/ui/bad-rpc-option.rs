osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROIName, cachd)]
        pub fn name() -> String = name;
    }
}

fn main() {}
