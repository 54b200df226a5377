osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROIName, cache, cache(growable))]
        pub fn name() -> String = name;
    }
}

fn main() {}
