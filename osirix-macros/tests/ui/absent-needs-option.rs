osirix_sdk::osirix_class! {
    #[osirix(wire = "DicomStudy")]
    pub class Study {
        #[rpc(DicomStudyPatientID, absent = "Patient ID not available")]
        pub fn patient_id() -> String = patient_id;
    }
}

fn main() {}
