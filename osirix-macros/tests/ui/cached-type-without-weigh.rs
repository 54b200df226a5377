use osirix_sdk::__private::{Decode, Malformed};
use osirix_sdk::proto::DicomStudyDateResponse;

osirix_sdk::osirix_class! {
    #[osirix(wire = "DicomStudy")]
    pub class Study {
        #[rpc(DicomStudyDate, cache)]
        pub fn year() -> Year;
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Year(pub i32);

impl Decode<DicomStudyDateResponse> for Year {
    fn decode(wire: DicomStudyDateResponse, _: &osirix_sdk::Client) -> Result<Self, Malformed> {
        Ok(Year(wire.year))
    }
}

fn main() {}
