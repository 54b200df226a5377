osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROIName)]
        pub fn name(&self) -> String = name;
    }
}

// The invalid declaration still defines `Roi` and its inherent items: the only error is the macro's.
fn uid_of(roi: &Roi) -> &str {
    roi.uid()
}

fn main() {
    let _ = uid_of;
}
