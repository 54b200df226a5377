osirix_sdk::osirix_class! {
    #[osirix(wire = "ViewerController")]
    pub class Viewer {
        #[rpc(ViewerControllerPixList, request = ViewerControllerPixListRequest { viewer_controller: self, movie_idx })]
        pub fn pix_list() -> Vec<DcmPix> = pix;
    }

    #[osirix(wire = "DCMPix")]
    pub class DcmPix {}
}

fn main() {}
