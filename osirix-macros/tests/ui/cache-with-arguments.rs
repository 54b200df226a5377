osirix_sdk::osirix_class! {
    #[osirix(wire = "ViewerController")]
    pub class Viewer {
        #[rpc(ViewerControllerPixList, cache, request = ViewerControllerPixListRequest { viewer_controller: self, movie_idx })]
        pub fn pix_list(movie_idx: i32) -> Vec<DcmPix> = pix;
    }

    #[osirix(wire = "DCMPix")]
    pub class DcmPix {}
}

fn main() {}
