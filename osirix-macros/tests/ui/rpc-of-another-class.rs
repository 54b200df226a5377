osirix_sdk::osirix_class! {
    pub class DicomSeries {
        #[rpc(DicomStudyPaths)]
        pub fn paths() -> Vec<String> = paths;
    }
}

fn main() {}
