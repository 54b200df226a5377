osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROISetName, request = ROISetNameRequest { roi: self, name })]
        pub fn set_name(name: String) -> String = name;
    }
}

fn main() {}
