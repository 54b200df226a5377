// A cached answer is keyed by the handle, so a cached RPC sends the handle itself: a request message (here one
// that would miss its `movie_idx`) is refused at `request`, instead of being ignored on the wire.
osirix_sdk::osirix_class! {
    #[osirix(wire = "ViewerController")]
    pub class Viewer {
        #[rpc(ViewerControllerPixList, cache, request = ViewerControllerPixListRequest { viewer_controller: self })]
        pub fn pix_list() -> Vec<DcmPix> = pix;
    }

    #[osirix(wire = "DCMPix")]
    pub class DcmPix {}
}

fn main() {}
