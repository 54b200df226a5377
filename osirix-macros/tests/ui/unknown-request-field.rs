osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROISetName, request = ROISetNameRequest { roi: self, title: name })]
        pub fn set_name(name: String);
    }
}

fn main() {}
