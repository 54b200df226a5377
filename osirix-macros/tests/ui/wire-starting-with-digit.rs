osirix_sdk::osirix_class! {
    #[osirix(wire = "2DViewer")]
    pub class Viewer2D {}
}

fn main() {}
