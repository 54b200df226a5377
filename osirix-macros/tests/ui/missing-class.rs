osirix_sdk::osirix_class! {
    #[rpc(ROIName)]
    pub fn name() -> String = name;
}

fn main() {}
