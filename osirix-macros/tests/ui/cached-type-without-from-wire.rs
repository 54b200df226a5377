// A type returned by an accessor needs `FromWire` for its payload, cached or not; the error names that trait.
osirix_sdk::osirix_class! {
    #[osirix(wire = "DicomStudy")]
    pub class Study {
        #[rpc(DicomStudyDate, cache)]
        pub fn year() -> Year;
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Year(pub i32);

fn main() {}
