osirix_sdk::osirix_class! {
    #[osirix(wire = "ROI")]
    pub class Roi {
        #[rpc(ROISetName, cache, request = ROISetNameRequest { roi: self, name })]
        pub fn set_name(name: String);
    }

    #[osirix(wire = "DicomStudy")]
    pub class Study {
        #[rpc(DicomStudyPatientID, absent = "Patient ID not available")]
        pub fn patient_id() -> String = patient_id;
    }
}

fn main() {}
