osirix_sdk::osirix_class! {
    #[osirix(wrie = "ROI")]
    pub class Roi {}
}

fn main() {}
