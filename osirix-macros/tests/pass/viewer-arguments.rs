//! A ViewerController-like class whose accessors take arguments: an argument-taking getter returning handles
//! of another class, setters with scalar and handle arguments, a field renamed in the request, and an action on
//! the handle alone.

osirix_sdk::osirix_class! {
    /// A 2D viewer, under another Rust name.
    #[osirix(wire = "ViewerController")]
    pub class Viewer {
        /// The images of one frame of the movie.
        #[rpc(ViewerControllerPixList, request = ViewerControllerPixListRequest { viewer_controller: self, movie_idx })]
        pub fn pix_list(movie_idx: i32) -> Vec<DcmPix> = pix;

        /// The ROIs named `name`.
        #[rpc(
            ViewerControllerROIsWithName,
            idempotent,
            request = ViewerControllerROIsWithNameRequest { viewer_controller: self, name, movie_idx: frame, in_4d },
        )]
        pub fn rois_with_name(name: String, frame: i32, in_4d: bool) -> Vec<Roi> = rois;

        /// Moves to another frame of the movie.
        #[rpc(ViewerControllerSetMovieIdx, idempotent, request = ViewerControllerSetMovieIdxRequest { viewer_controller: self, movie_idx })]
        pub fn set_movie_idx(movie_idx: i32);

        /// Fuses `other` onto this viewer.
        #[rpc(ViewerControllerFuseWithViewer, request = ViewerControllerFuseWithViewerRequest { viewer_controller: self, fusion_viewer_controller: other })]
        pub fn fuse_with(other: &Viewer);

        /// Asks for a redraw.
        #[rpc(ViewerControllerNeedsDisplayUpdate)]
        pub fn needs_display_update();

        /// The current frame.
        #[rpc(ViewerControllerMovieIdx)]
        pub fn movie_idx() -> i32 = movie_idx;
    }

    /// An image of a viewer.
    #[osirix(wire = "DCMPix")]
    pub class DcmPix {}

    /// A region of interest.
    #[osirix(wire = "ROI")]
    pub class Roi {}
}

async fn use_it(v: &Viewer, other: &Viewer) -> osirix_sdk::Result<()> {
    let frame: i32 = v.movie_idx().await?;
    let pix: Vec<DcmPix> = v.pix_list(frame).await?;
    let _first: Option<&DcmPix> = pix.first();
    let _rois: Vec<Roi> = v.rois_with_name("liver".to_owned(), frame, false).await?;
    v.set_movie_idx(frame + 1).await?;
    v.fuse_with(other).await?;
    v.needs_display_update().await?;
    Ok(())
}

fn assert_send<T: Send>(_: T) {}

#[allow(dead_code)]
fn check_send(v: &Viewer, other: &Viewer) {
    assert_send(use_it(v, other));
}

fn main() {}
