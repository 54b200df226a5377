osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROIName)]
        pub fn name(&self) -> String = name;
    }
}

fn main() {}
