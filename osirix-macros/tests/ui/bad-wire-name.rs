osirix_sdk::osirix_class! {
    #[osirix(wire = "Dicom Series")]
    pub class Series {
        #[rpc(DicomSeriesPaths)]
        pub fn paths() -> Vec<String> = paths;
    }
}

fn main() {}
