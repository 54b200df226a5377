osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROINmae)]
        pub fn name() -> String = name;
    }
}

fn main() {}
