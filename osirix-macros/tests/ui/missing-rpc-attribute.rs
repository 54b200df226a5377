osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        /// The ROI's name.
        pub fn name() -> String = name;
    }
}

fn main() {}
