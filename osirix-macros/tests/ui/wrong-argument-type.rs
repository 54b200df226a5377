osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROISetName, request = ROISetNameRequest { roi: self, name })]
        pub fn set_name(name: u64);
    }
}

fn main() {}
