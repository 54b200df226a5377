//! `ViewerController` and `BrowserControllerOpenViewerFromImages` through the SDK, end to end against the
//! emulator: every accessor's answer checked against the demo database, the client-side refusals (which send
//! nothing), and the stale, junk and wrong-class handles.

use osirix_emulator::demo::DemoSpec;
use osirix_sdk::{
    BrowserController, Client, DicomImage, DicomSeries, Error, Point, RenderingMode, RoiKind,
    RoiSpec, ViewerController, WindowLevel,
};
use tests::Fixture;
use tests::accessors::{self, Accessor};

/// The demo database: 3 studies × 2 series × 5 images of 64 × 64 pixels.
const SLICES: usize = DemoSpec::DEFAULT.images_per_series;

/// An MR series of the demo (sagittal, so OsiriX reverses its viewer) and the browser.
async fn mr_series(client: &Client) -> (BrowserController, DicomSeries) {
    let browser = client.current_browser().await.expect("browser");
    for (_, series) in tests::all_series(client).await {
        if series.modality().await.expect("modality") == "MR" {
            return (browser, series);
        }
    }
    panic!("the demo has MR series")
}

/// A 2D viewer of an MR series, with the series.
async fn open_2d(f: &Fixture) -> (BrowserController, DicomSeries, ViewerController) {
    let (browser, series) = mr_series(&f.client).await;
    let viewer = browser.open_viewer(&series).await.expect("a viewer opens");
    (browser, series, viewer)
}

fn osirix_message(err: &Error) -> &str {
    match err {
        Error::Osirix { message, .. } => message,
        other => panic!("expected an in-band failure, got {other:?}"),
    }
}

fn assert_invalid(err: &Error, needle: &str) {
    match err {
        Error::InvalidArgument { reason } => assert!(reason.contains(needle), "{reason}"),
        other => panic!("expected an invalid argument, got {other:?}"),
    }
}

#[tokio::test]
async fn open_viewer_shows_the_series_in_its_sorted_order() {
    let f = Fixture::demo().await;
    let (_, series, viewer) = open_2d(&f).await;
    let sorted = series.sorted_images().await.expect("sorted images");
    assert_eq!(sorted.len(), SLICES);

    // The viewer is on screen, in front, and is what OsiriX lists.
    assert_eq!(
        f.emulator
            .viewers()
            .first()
            .and_then(|v| f.emulator.uid_of(*v)),
        Some(viewer.uid().to_owned())
    );
    assert_eq!(
        f.client.frontmost_viewer().await.expect("frontmost"),
        Some(viewer.clone())
    );
    assert_eq!(viewer.frame_count().await.expect("frames"), 1);
    assert_eq!(viewer.modality().await.expect("modality"), "MR");
    assert_eq!(viewer.movie_idx().await.expect("movie idx"), 0);

    // MR slices run against the normal: OsiriX keeps them reversed and shows them flipped, so the user
    // still sees the sorted order.
    assert!(viewer.flipped_data().await.expect("flipped"));
    let pix = viewer.pix_list(0).await.expect("pix list");
    let mut images: Vec<DicomImage> = Vec::new();
    for p in &pix {
        images.push(p.dicom_image().await.expect("image of pix"));
    }
    images.reverse();
    assert_eq!(images, sorted);

    // The title names the series.
    let name = series.series_description().await.expect("description");
    if let Some(name) = name {
        assert!(viewer.title().await.expect("title").contains(&name));
    }
    assert!(
        viewer.is_data_volumic(false).await.expect("volumic"),
        "5 slices of one size"
    );
}

#[tokio::test]
async fn slices_and_their_displayed_numbers() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let pix = viewer.pix_list(0).await.expect("pix list");

    viewer.set_idx(3).await.expect("set idx");
    assert_eq!(viewer.idx().await.expect("idx"), 3);
    // Flipped: the user sees slice N − 1 − idx.
    assert_eq!(
        viewer.displayed_idx().await.expect("displayed"),
        (SLICES - 1 - 3) as u32
    );
    assert_eq!(viewer.cur_dcm().await.expect("current"), pix[3]);

    viewer.set_displayed_idx(0).await.expect("set displayed");
    assert_eq!(viewer.idx().await.expect("idx"), (SLICES - 1) as u32);
    assert_eq!(viewer.cur_dcm().await.expect("current"), pix[SLICES - 1]);

    let err = viewer
        .set_idx(SLICES as u32)
        .await
        .expect_err("no such slice");
    assert_eq!(
        osirix_message(&err),
        format!("Index {SLICES} is out of range")
    );
    let err = viewer
        .set_displayed_idx(SLICES as u32 + 2)
        .await
        .expect_err("no such slice");
    assert_eq!(
        osirix_message(&err),
        format!("Index {} is out of range", SLICES + 2)
    );
    assert_eq!(viewer.idx().await.expect("unchanged"), (SLICES - 1) as u32);

    // A redraw changes nothing.
    viewer.needs_display_update().await.expect("redraw");
    assert_eq!(viewer.idx().await.expect("unchanged"), (SLICES - 1) as u32);
}

#[tokio::test]
async fn the_window_reads_back_as_set() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let first = viewer.wlww().await.expect("window");
    assert!(first.width > 0.0, "{first:?}");
    viewer
        .set_wlww(WindowLevel::new(100.0, 50.0))
        .await
        .expect("set window");
    assert_eq!(
        viewer.wlww().await.expect("window"),
        WindowLevel::new(100.0, 50.0)
    );
    // OsiriX does not check the width.
    viewer
        .set_wlww(WindowLevel::new(-3.5, -1.0))
        .await
        .expect("set window");
    assert_eq!(
        viewer.wlww().await.expect("window"),
        WindowLevel::new(-3.5, -1.0)
    );
}

#[tokio::test]
async fn a_4d_viewer_has_one_frame_per_list_and_refuses_frames_it_lacks() {
    let f = Fixture::demo().await;
    let (browser, series) = mr_series(&f.client).await;
    let images = series.sorted_images().await.expect("images");
    let viewer = browser
        .open_viewer_4d(&[images.clone(), images.clone()])
        .await
        .expect("a 4D viewer");
    assert_eq!(viewer.frame_count().await.expect("frames"), 2);
    let (first, second) = (
        viewer.pix_list(0).await.expect("frame 0"),
        viewer.pix_list(1).await.expect("frame 1"),
    );
    assert_eq!((first.len(), second.len()), (SLICES, SLICES));
    assert!(
        first.iter().all(|p| !second.contains(p)),
        "each frame has its own DCMPix"
    );
    // OsiriX clamps the frame of a list.
    assert_eq!(viewer.pix_list(7).await.expect("clamped"), second);
    assert!(viewer.is_data_volumic(true).await.expect("volumic 4D"));

    viewer.set_movie_idx(1).await.expect("frame 1");
    assert_eq!(viewer.movie_idx().await.expect("movie idx"), 1);
    assert!(second.contains(&viewer.cur_dcm().await.expect("current")));

    // OsiriX would accept frame 2 and wrap it to 0: the SDK refuses it without a call.
    let before = f.emulator.calls("ViewerControllerSetMovieIdx");
    let err = viewer.set_movie_idx(2).await.expect_err("no frame 2");
    assert_invalid(&err, "frame 2");
    assert_eq!(f.emulator.calls("ViewerControllerSetMovieIdx"), before);
    assert_eq!(viewer.movie_idx().await.expect("unchanged"), 1);
}

#[tokio::test]
async fn opening_refuses_what_osirix_would_not_open_before_any_call() {
    let f = Fixture::demo().await;
    let (browser, series) = mr_series(&f.client).await;
    let images = series.sorted_images().await.expect("images");
    let before = f.emulator.calls("BrowserControllerOpenViewerFromImages");
    assert_invalid(
        &browser.open_viewer_2d(&[]).await.expect_err("empty"),
        "at least one image",
    );
    assert_invalid(
        &browser
            .open_viewer_4d(std::slice::from_ref(&images))
            .await
            .expect_err("one frame"),
        "at least two frames",
    );
    assert_invalid(
        &browser
            .open_viewer_4d(&[images.clone(), images[..2].to_vec()])
            .await
            .expect_err("uneven"),
        "same number of images",
    );
    assert_invalid(
        &browser
            .open_viewer_4d(&[Vec::new(), Vec::new()])
            .await
            .expect_err("empty frames"),
        "at least one",
    );
    assert_eq!(
        f.emulator.calls("BrowserControllerOpenViewerFromImages"),
        before
    );

    // A 4D viewer from a list of series, each in its sorted order.
    let viewer = browser
        .open_viewer_4d_from_series(&[series.clone(), series.clone()])
        .await
        .expect("4D from series");
    assert_eq!(viewer.frame_count().await.expect("frames"), 2);
}

#[tokio::test]
async fn new_rois_land_on_their_slice_in_order() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let pix = viewer.pix_list(0).await.expect("pix");

    let mask = accessors::mask(
        osirix_sdk::Shape {
            rows: 3,
            columns: 4,
        },
        &[(0, 0), (2, 3)],
    );
    let specs = [
        RoiSpec::mask(mask, 5, 6).expect("mask").name("mask"),
        RoiSpec::polygon(
            vec![
                Point::new(2.0, 2.0),
                Point::new(20.0, 2.0),
                Point::new(20.0, 20.0),
            ],
            true,
        )
        .expect("polygon")
        .name("closed"),
        RoiSpec::rectangle(Point::new(10.0, 12.0), 8.0, 4.0)
            .expect("rectangle")
            .name("box"),
        RoiSpec::oval(Point::new(30.0, 30.0), 5.0, 3.0)
            .expect("oval")
            .name("mask"),
        RoiSpec::line(Point::new(1.0, 1.0), Point::new(9.0, 1.0)).expect("line"),
        RoiSpec::text(Point::new(3.0, 4.0), "label").expect("text"),
    ];
    let mut made = Vec::new();
    for spec in &specs {
        made.push(viewer.new_roi(spec, 2, 0).await.expect("created"));
    }
    let kinds: Vec<RoiKind> = futures_util::future::try_join_all(made.iter().map(|r| r.kind()))
        .await
        .expect("kinds");
    assert_eq!(
        kinds,
        [
            RoiKind::Plain,
            RoiKind::ClosedPolygon,
            RoiKind::Rectangle,
            RoiKind::Oval,
            RoiKind::Line,
            RoiKind::Text
        ]
    );
    for roi in &made {
        assert_eq!(roi.pix().await.expect("pix of roi"), pix[2]);
    }

    let list = viewer.roi_list(0).await.expect("roi list");
    assert_eq!(
        list.len(),
        SLICES,
        "one list per slice, empty ones included"
    );
    assert_eq!(list[2], made, "oldest first");
    assert!(
        list.iter()
            .enumerate()
            .all(|(i, rois)| i == 2 || rois.is_empty())
    );

    assert_eq!(
        viewer.rois_with_name("mask", 0).await.expect("by name"),
        [made[0].clone(), made[3].clone()]
    );
    assert_eq!(
        viewer.rois_with_name_in_4d("mask").await.expect("4D"),
        [made[0].clone(), made[3].clone()]
    );
    assert!(
        viewer
            .rois_with_name("Mask", 0)
            .await
            .expect("case-sensitive")
            .is_empty()
    );

    // Selection is what the user clicked, on the current slice.
    assert!(viewer.selected_rois().await.expect("selected").is_empty());
    let box_ref = f.emulator.lookup(made[2].uid()).expect("a live ROI");
    f.emulator.select_rois(&[box_ref]).expect("select");
    viewer.set_idx(2).await.expect("slice 2");
    assert_eq!(
        viewer.selected_rois().await.expect("selected"),
        [made[2].clone()]
    );
}

#[tokio::test]
async fn new_roi_refuses_indices_osirix_does_not_check() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let spec = RoiSpec::point(Point::new(3.0, 3.0)).expect("point");
    let before = f.emulator.calls("ViewerControllerNewROI");
    assert_invalid(
        &viewer
            .new_roi(&spec, SLICES as u32, 0)
            .await
            .expect_err("no slice"),
        "slice 5",
    );
    assert_invalid(
        &viewer.new_roi(&spec, 0, 1).await.expect_err("no frame"),
        "frame 1",
    );
    assert_invalid(
        &viewer.rois_with_name("x", 1).await.expect_err("no frame"),
        "frame 1",
    );
    assert_eq!(f.emulator.calls("ViewerControllerNewROI"), before);
    let roi = viewer
        .new_roi(&spec, SLICES as u32 - 1, 0)
        .await
        .expect("last slice");
    assert_eq!(roi.kind().await.expect("kind"), RoiKind::Point);
}

#[tokio::test]
async fn copies_resamples_and_fusion() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let spec = RoiSpec::point(Point::new(3.0, 3.0)).expect("point");
    viewer.new_roi(&spec, 0, 0).await.expect("an ROI");

    // A copy: a new window, new DCMPix of the same pixels, no ROIs.
    let copy = viewer.copy_viewer_window().await.expect("copy");
    assert_ne!(copy, viewer);
    let (ours, theirs) = (
        viewer.pix_list(0).await.expect("pix"),
        copy.pix_list(0).await.expect("copy pix"),
    );
    assert_eq!(theirs.len(), ours.len());
    assert!(theirs.iter().all(|p| !ours.contains(p)));
    assert_eq!(
        theirs[1].image().await.expect("copied pixels"),
        ours[1].image().await.expect("pixels")
    );
    assert!(
        copy.roi_list(0)
            .await
            .expect("rois")
            .iter()
            .all(Vec::is_empty)
    );

    // Resampled onto the original's geometry: a new viewer of as many slices, and the moving viewer (the
    // copy) closes with its DCMPix.
    let resampled = copy
        .resample_viewer_controller(&viewer)
        .await
        .expect("resampled");
    assert!(resampled != copy && resampled != viewer);
    assert_eq!(resampled.pix_list(0).await.expect("pix").len(), SLICES);
    assert!(copy.title().await.expect_err("closed").is_stale_handle());
    assert!(
        theirs[0]
            .is_rgb()
            .await
            .expect_err("its pix")
            .is_stale_handle()
    );

    // Fusion.
    assert_eq!(viewer.blending_controller().await.expect("none yet"), None);
    viewer.fuse_with_viewer(&resampled).await.expect("fuse");
    assert_eq!(
        viewer.blending_controller().await.expect("fused"),
        Some(resampled.clone())
    );
    // With itself: nothing changes.
    viewer
        .fuse_with_viewer(&viewer)
        .await
        .expect("fuse with itself");
    assert_eq!(
        viewer.blending_controller().await.expect("fused"),
        Some(resampled.clone())
    );

    // No 3D window is open on it.
    assert!(viewer.vr_controllers().await.expect("vr").is_empty());

    // Closing makes the handle stale; the others live on.
    resampled.close().await.expect("close");
    assert!(
        resampled
            .title()
            .await
            .expect_err("closed")
            .is_stale_handle()
    );
    assert!(!viewer.title().await.expect("alive").is_empty());
}

/// Asserts every accessor of `table` fails on `handle` with a stale-handle error of its RPC.
async fn assert_all_stale<H>(table: &[Accessor<H>], handle: &H, class: &str) {
    for accessor in table {
        let err = (accessor.call)(handle).await.expect_err(accessor.rpc);
        assert!(
            matches!(&err, Error::StaleHandle { rpc, class: c, .. } if *rpc == accessor.rpc && *c == class),
            "{}: {err:?}",
            accessor.rpc
        );
    }
}

#[tokio::test]
async fn every_accessor_of_a_closed_junk_or_wrong_class_handle_is_stale() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let pix = viewer.pix_list(0).await.expect("pix");
    let roi = viewer
        .new_roi(&RoiSpec::point(Point::new(2.0, 2.0)).expect("point"), 0, 0)
        .await
        .expect("roi");

    // Wrong class: a live object's uid under another class.
    let as_viewer = ViewerController::from_uid(&f.client, pix[0].uid()).expect("uid");
    assert_all_stale(accessors::VIEWER, &as_viewer, "ViewerController").await;
    let as_pix = osirix_sdk::DcmPix::from_uid(&f.client, roi.uid()).expect("uid");
    assert_all_stale(accessors::PIX, &as_pix, "DCMPix").await;
    let as_roi = osirix_sdk::Roi::from_uid(&f.client, viewer.uid()).expect("uid");
    assert_all_stale(accessors::ROI, &as_roi, "ROI").await;

    // Junk.
    let junk = "0F0F0F0F-0000-4000-8000-000000000000";
    let client = &f.client;
    assert_all_stale(
        accessors::VIEWER,
        &ViewerController::from_uid(client, junk).unwrap(),
        "ViewerController",
    )
    .await;
    assert_all_stale(
        accessors::PIX,
        &osirix_sdk::DcmPix::from_uid(client, junk).unwrap(),
        "DCMPix",
    )
    .await;
    assert_all_stale(
        accessors::ROI,
        &osirix_sdk::Roi::from_uid(client, junk).unwrap(),
        "ROI",
    )
    .await;

    // Closed at the screen: the viewer, its DCMPix and its ROIs, seen from a client that cached nothing.
    f.emulator
        .close_window(f.emulator.lookup(viewer.uid()).expect("live viewer"))
        .expect("closed");
    let fresh = f.client_with(|b| b).await;
    let stale_viewer = ViewerController::from_uid(&fresh, viewer.uid()).unwrap();
    assert_all_stale(accessors::VIEWER, &stale_viewer, "ViewerController").await;
    let stale_pix = osirix_sdk::DcmPix::from_uid(&fresh, pix[0].uid()).unwrap();
    assert_all_stale(accessors::PIX, &stale_pix, "DCMPix").await;
    let stale_roi = osirix_sdk::Roi::from_uid(&fresh, roi.uid()).unwrap();
    assert_all_stale(accessors::ROI, &stale_roi, "ROI").await;
    assert!(f.emulator.lookup(viewer.uid()).is_none());
}

#[tokio::test]
async fn a_stale_partner_viewer_is_named_as_such() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let gone =
        ViewerController::from_uid(&f.client, "0F0F0F0F-0000-4000-8000-00000000000A").unwrap();
    let err = viewer
        .resample_viewer_controller(&gone)
        .await
        .expect_err("no fixed");
    assert_eq!(osirix_message(&err), "No fixed ViewerController cached");
    let err = viewer.fuse_with_viewer(&gone).await.expect_err("no fusion");
    assert_eq!(osirix_message(&err), "No fusion ViewerController cached");
    // A mode OsiriX does not have cannot be written; a stale viewer is refused first.
    let err = gone
        .open_vr_viewer_for_mode(RenderingMode::Mip)
        .await
        .expect_err("stale");
    assert!(err.is_stale_handle());
    assert_eq!(RenderingMode::Mip.as_str(), "MIP");
    assert_eq!(RenderingMode::Vr.as_str(), "VR");
}

#[tokio::test]
async fn a_handle_of_another_client_is_refused_before_the_call() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let other = f.client_with(|b| b).await;
    let foreign = ViewerController::from_uid(&other, viewer.uid()).unwrap();
    let before = f.emulator.calls("ViewerControllerFuseWithViewer");
    let err = viewer
        .fuse_with_viewer(&foreign)
        .await
        .expect_err("foreign");
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    assert_eq!(f.emulator.calls("ViewerControllerFuseWithViewer"), before);
}
