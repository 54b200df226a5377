osirix_sdk::osirix_class! {
    #[osirix(wire = "ViewerController")]
    pub class Viewer {
        #[rpc(ViewerControllerSetWLWW, request = ViewerControllerSetWLWWRequest { viewer_controller: self, wl: level, ww: level })]
        pub fn set_wlww(level: f32);
    }
}

fn main() {}
