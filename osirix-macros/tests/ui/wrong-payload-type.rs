osirix_sdk::osirix_class! {
    #[osirix(wire = "DicomSeries")]
    pub class Series {
        #[rpc(DicomSeriesPaths)]
        pub fn paths() -> u64 = paths;
    }
}

fn main() {}
