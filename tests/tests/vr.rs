//! `VRController` and `ROIVolume` through the SDK, end to end against the emulator: opening 3D windows from a
//! viewer, every accessor's answer (the volumes computed by hand from the ROIs drawn on the demo data), the
//! setters round-tripping unclamped, showing and hiding volumes, the failure strings, closing, and the stale,
//! junk and wrong-class handles; on the MR phantom (when `OSIRIX_PHANTOM_DIR` is set) the volume OsiriX pins.

use osirix_emulator::demo::{DemoSpec, FIRST_SLICE, PIXEL_SPACING, SLICE_STEP};
use osirix_sdk::{
    BrowserController, Client, DicomSeries, Error, Plane, Point, RenderingMode, Roi, RoiSpec,
    RoiVolume, RoiVolumeColor, Shape, ViewerController, VrController, WindowLevel,
};
use tests::Fixture;
use tests::accessors::{self, Accessor};

const SLICES: usize = DemoSpec::DEFAULT.images_per_series;

/// The area of one demo pixel, in cm² (the spacing is in mm).
const PIXEL_CM2: f64 = PIXEL_SPACING * PIXEL_SPACING / 100.0;

/// The MR series of the demo (sagittal, so OsiriX reverses their viewers) and the browser.
async fn mr_series(client: &Client) -> (BrowserController, Vec<DicomSeries>) {
    let browser = client.current_browser().await.expect("browser");
    let mut found = Vec::new();
    for (_, series) in tests::all_series(client).await {
        if series.modality().await.expect("modality") == "MR" {
            found.push(series);
        }
    }
    assert!(found.len() >= 2, "the demo has several MR series");
    (browser, found)
}

/// A 2D viewer of the first MR series, with the series.
async fn open_2d(f: &Fixture) -> (BrowserController, DicomSeries, ViewerController) {
    let (browser, mut series) = mr_series(&f.client).await;
    let series = series.remove(0);
    let viewer = browser.open_viewer(&series).await.expect("a viewer opens");
    (browser, series, viewer)
}

/// A square mask of `side` pixels named `name`, its top-left pixel at (`at`, `at`), on slice `idx`.
async fn square_mask(viewer: &ViewerController, name: &str, side: u32, at: i32, idx: u32) -> Roi {
    let shape = Shape {
        rows: side,
        columns: side,
    };
    let spec = RoiSpec::mask(Plane::filled(shape, true), at, at)
        .expect("mask")
        .name(name);
    viewer.new_roi(&spec, idx, 0).await.expect("mask ROI")
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

fn osirix_message(err: &Error) -> &str {
    match err {
        Error::Osirix { message, .. } => message,
        other => panic!("expected an in-band failure, got {other:?}"),
    }
}

/// The volume of the window named `name`.
async fn volume_named(vr: &VrController, name: &str) -> RoiVolume {
    let mut found = Vec::new();
    for volume in vr.roi_volumes().await.expect("volumes") {
        if volume.name().await.expect("name") == name {
            found.push(volume);
        }
    }
    assert_eq!(found.len(), 1, "one volume named {name}");
    found.remove(0)
}

/// Asserts every accessor of `table` fails on `handle` with a stale-handle error of its RPC and `class`.
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
async fn a_viewer_opens_one_3d_window_and_reuses_it() {
    let f = Fixture::demo().await;
    let (_, series, viewer) = open_2d(&f).await;
    assert!(viewer.vr_controllers().await.expect("none yet").is_empty());
    assert_eq!(
        f.client.frontmost_vr_controller().await.expect("none"),
        None
    );
    assert!(
        f.client
            .displayed_vr_controllers()
            .await
            .expect("none")
            .is_empty()
    );

    let vr = viewer
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("a 3D window opens");
    assert_eq!(vr.rendering_mode().await.expect("mode"), RenderingMode::Vr);
    assert_eq!(viewer.vr_controllers().await.expect("vr"), vec![vr.clone()]);
    assert_eq!(
        f.client.frontmost_vr_controller().await.expect("front"),
        Some(vr.clone())
    );
    assert_eq!(
        f.client.displayed_vr_controllers().await.expect("shown"),
        vec![vr.clone()]
    );
    assert_eq!(
        f.emulator.vr_windows(),
        vec![f.emulator.lookup(vr.uid()).expect("live window")]
    );

    // The window knows its viewer, its style and title.
    assert_eq!(vr.viewer_2d().await.expect("viewer"), viewer);
    assert_eq!(vr.style().await.expect("style"), "standard");
    let title = vr.title().await.expect("title");
    let name = series.name().await.expect("series name");
    assert!(
        title.contains("3D Reconstruction:") && title.contains(&name) && !title.contains("4D"),
        "{title:?} of {name:?}"
    );
    vr.needs_display_update().await.expect("redraw");

    // Asking for MIP reuses the window and switches it.
    let again = viewer
        .open_vr_viewer_for_mode(RenderingMode::Mip)
        .await
        .expect("reused");
    assert_eq!(again, vr);
    assert_eq!(vr.rendering_mode().await.expect("mode"), RenderingMode::Mip);
    assert_eq!(viewer.vr_controllers().await.expect("vr").len(), 1);
    assert_eq!(f.emulator.vr_windows().len(), 1);
}

#[tokio::test]
async fn mode_and_window_round_trip_unclamped() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let vr = viewer
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("vr");

    for mode in [RenderingMode::Mip, RenderingMode::Vr, RenderingMode::Mip] {
        vr.set_rendering_mode(mode).await.expect("set mode");
        assert_eq!(vr.rendering_mode().await.expect("mode"), mode);
    }

    let before = viewer.wlww().await.expect("viewer window");
    // The values the upstream tests pin, then ones OsiriX would not clamp either.
    for window in [
        WindowLevel::new(200.0, 400.0),
        WindowLevel::new(-1500.25, -3.5),
        WindowLevel::new(1e6, 0.0),
    ] {
        vr.set_wlww(window).await.expect("set window");
        assert_eq!(vr.wlww().await.expect("window"), window);
    }
    // The 3D window's level and width are its own.
    assert_eq!(viewer.wlww().await.expect("viewer window"), before);

    // Setters are sent once, never retried.
    let sent = f.emulator.calls("VRControllerSetWLWW");
    vr.set_wlww(WindowLevel::new(1.0, 2.0)).await.expect("set");
    assert_eq!(f.emulator.calls("VRControllerSetWLWW"), sent + 1);
}

#[tokio::test]
async fn roi_volumes_follow_the_rois_drawn_before_the_window_opened() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let pix = viewer.pix_list(0).await.expect("pix");
    assert_eq!(pix.len(), SLICES);
    // The viewer holds the MR slices reversed: slice location falls by one step per index.
    for (idx, p) in pix.iter().enumerate() {
        let want = FIRST_SLICE + SLICE_STEP * (SLICES - 1 - idx) as f64;
        let got = f64::from(p.slice_location().await.expect("location"));
        assert!(close(got, want, 1e-4), "slice {idx}: {got} != {want}");
    }
    // Between consecutive indices, in cm.
    let step_cm = -SLICE_STEP / 10.0;

    // "tumour": masks of 10 × 10, 20 × 20 and 10 × 10 pixels on slices 0, 1 and 3 (a gap at 2, which
    // counts as volume), and an open polygon on slice 2, which counts for nothing.
    let small = square_mask(&viewer, "tumour", 10, 5, 0).await;
    square_mask(&viewer, "tumour", 20, 5, 1).await;
    square_mask(&viewer, "tumour", 10, 20, 3).await;
    let open = RoiSpec::polygon(
        vec![
            Point::new(1.0, 1.0),
            Point::new(40.0, 1.0),
            Point::new(40.0, 40.0),
        ],
        false,
    )
    .expect("open polygon")
    .name("tumour");
    viewer.new_roi(&open, 2, 0).await.expect("open polygon");
    let (a_small, a_big) = (100.0 * PIXEL_CM2, 400.0 * PIXEL_CM2);
    assert!(close(
        f64::from(small.area().await.expect("area")),
        a_small,
        1e-6
    ));
    let tumour_cm3 = step_cm * (a_small + a_big) / 2.0 + 2.0 * step_cm * (a_big + a_small) / 2.0;
    assert!(close(tumour_cm3, -0.468_75, 1e-12));

    // "ring": closed polygons on slices 1 and 2; their areas are OsiriX's, along its spline.
    let mut ring_areas = Vec::new();
    for (idx, half) in [(1u32, 8.0f32), (2, 12.0)] {
        let c = 32.0;
        let spec = RoiSpec::polygon(
            vec![
                Point::new(c - half, c - half),
                Point::new(c + half, c - half),
                Point::new(c + half, c + half),
                Point::new(c - half, c + half),
            ],
            true,
        )
        .expect("closed polygon")
        .name("ring");
        let roi = viewer.new_roi(&spec, idx, 0).await.expect("ring");
        ring_areas.push(f64::from(roi.area().await.expect("area")));
    }
    assert!(ring_areas.iter().all(|&a| a > 0.0), "{ring_areas:?}");
    let ring_cm3 = step_cm * (ring_areas[0] + ring_areas[1]) / 2.0;

    // "marker": only a point, which makes no volume.
    let point = RoiSpec::point(Point::new(3.0, 3.0))
        .expect("point")
        .name("marker");
    viewer.new_roi(&point, 0, 0).await.expect("point");

    let vr = viewer
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("vr");
    let volumes = vr.roi_volumes().await.expect("volumes");
    assert_eq!(volumes.len(), 2, "{volumes:?}");
    let tumour = volume_named(&vr, "tumour").await;
    let ring = volume_named(&vr, "ring").await;
    let got = f64::from(tumour.volume().await.expect("volume"));
    assert!(close(got, tumour_cm3, 1e-5), "{got} != {tumour_cm3}");
    let got = f64::from(ring.volume().await.expect("volume"));
    assert!(close(got, ring_cm3, 1e-5), "{got} != {ring_cm3}");

    // A volume starts textured, cyan, opaque, at the window's factor (1) and hidden.
    assert!(tumour.texture().await.expect("texture"));
    assert_eq!(
        tumour.color().await.expect("colour"),
        RoiVolumeColor::new(0.0, 1.0, 1.0)
    );
    assert_eq!(tumour.opacity().await.expect("opacity"), 1.0);
    assert_eq!(tumour.factor().await.expect("factor"), 1.0);
    assert!(!tumour.visible().await.expect("visible"));

    // ROIs drawn after the window opened are not in its volumes, also when it is opened again.
    square_mask(&viewer, "late", 10, 5, 4).await;
    viewer
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("reused");
    let again = vr.roi_volumes().await.expect("volumes");
    assert_eq!(again.len(), 2);
    assert!(again.contains(&tumour) && again.contains(&ring));
}

#[tokio::test]
async fn volume_setters_round_trip_unclamped_and_display_toggles_visibility() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    square_mask(&viewer, "mask", 10, 5, 0).await;
    square_mask(&viewer, "mask", 10, 5, 1).await;
    let vr = viewer
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("vr");
    let volume = volume_named(&vr, "mask").await;

    // The values the upstream tests set, then ones outside 0–1, read back as sent.
    volume.set_texture(false).await.expect("texture");
    assert!(!volume.texture().await.expect("texture"));
    volume.set_texture(true).await.expect("texture");
    assert!(volume.texture().await.expect("texture"));
    for color in [
        RoiVolumeColor::new(1.0, 1.0, 0.0),
        RoiVolumeColor::new(1.5, -0.25, 2.0),
    ] {
        volume.set_color(color).await.expect("colour");
        assert_eq!(volume.color().await.expect("colour"), color);
    }
    for opacity in [0.5, 1.7, -0.5] {
        volume.set_opacity(opacity).await.expect("opacity");
        assert_eq!(volume.opacity().await.expect("opacity"), opacity);
    }
    for factor in [1.0, 3.25, -2.0] {
        volume.set_factor(factor).await.expect("factor");
        assert_eq!(volume.factor().await.expect("factor"), factor);
    }

    // Values that are not finite are refused before anything is sent.
    let sent = [
        "ROIVolumeSetColor",
        "ROIVolumeSetOpacity",
        "ROIVolumeSetFactor",
    ]
    .map(|rpc| f.emulator.calls(rpc));
    let refused = [
        volume
            .set_color(RoiVolumeColor::new(f32::NAN, 0.0, 0.0))
            .await,
        volume.set_opacity(f32::INFINITY).await,
        volume.set_factor(f32::NEG_INFINITY).await,
    ];
    for result in refused {
        assert!(
            matches!(result, Err(Error::InvalidArgument { .. })),
            "{result:?}"
        );
    }
    assert_eq!(
        [
            "ROIVolumeSetColor",
            "ROIVolumeSetOpacity",
            "ROIVolumeSetFactor"
        ]
        .map(|rpc| f.emulator.calls(rpc)),
        sent
    );
    assert_eq!(volume.factor().await.expect("factor"), -2.0);

    // Visibility changes only through the window.
    vr.display_roi_volume(&volume).await.expect("display");
    assert!(volume.visible().await.expect("visible"));
    vr.hide_roi_volume(&volume).await.expect("hide");
    assert!(!volume.visible().await.expect("visible"));
    vr.display_roi_volume(&volume).await.expect("display");
    assert!(volume.visible().await.expect("visible"));
    vr.needs_display_update().await.expect("redraw");

    // The name and volume are cached; how the volume is drawn never is, and a setter drops the volume's
    // cached answers.
    let name_calls = f.emulator.calls("ROIVolumeName");
    let volume_calls = f.emulator.calls("ROIVolumeVolume");
    let opacity_calls = f.emulator.calls("ROIVolumeOpacity");
    for _ in 0..3 {
        assert_eq!(volume.name().await.expect("name"), "mask");
        let cm3 = f64::from(volume.volume().await.expect("volume"));
        assert!(close(cm3, -0.25 * 100.0 * PIXEL_CM2, 1e-6), "{cm3}");
        volume.opacity().await.expect("opacity");
    }
    // (The setters above dropped the name cached when the volume was found by it.)
    assert_eq!(f.emulator.calls("ROIVolumeName"), name_calls + 1);
    assert_eq!(f.emulator.calls("ROIVolumeVolume"), volume_calls + 1);
    assert_eq!(f.emulator.calls("ROIVolumeOpacity"), opacity_calls + 3);
    volume.set_texture(false).await.expect("texture");
    volume.name().await.expect("name");
    assert_eq!(f.emulator.calls("ROIVolumeName"), name_calls + 2);
}

#[tokio::test]
async fn blending_viewer_is_present_only_when_fused_before_opening() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    let vr = viewer
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("vr");
    // OsiriX answers success with no viewer.
    assert_eq!(vr.blending_controller().await.expect("none"), None);

    let copy = viewer.copy_viewer_window().await.expect("copy");
    copy.fuse_with_viewer(&viewer).await.expect("fuse");
    let fused = copy
        .open_vr_viewer_for_mode(RenderingMode::Mip)
        .await
        .expect("vr of the copy");
    assert_ne!(fused, vr);
    assert_eq!(
        fused.rendering_mode().await.expect("mode"),
        RenderingMode::Mip
    );
    assert_eq!(
        fused.blending_controller().await.expect("blending"),
        Some(viewer.clone())
    );
    assert_eq!(fused.viewer_2d().await.expect("viewer"), copy);
    assert_eq!(
        f.client
            .displayed_vr_controllers()
            .await
            .expect("shown")
            .len(),
        2
    );
    assert_eq!(
        f.client.frontmost_vr_controller().await.expect("front"),
        Some(fused.clone())
    );
    f.emulator
        .bring_to_front(f.emulator.lookup(vr.uid()).expect("live"))
        .expect("to the front");
    assert_eq!(
        f.client.frontmost_vr_controller().await.expect("front"),
        Some(vr.clone())
    );

    // Closing the blended viewer closes its own window and leaves the other without a blending viewer.
    viewer.close().await.expect("close");
    assert!(vr.title().await.expect_err("closed").is_stale_handle());
    assert_eq!(fused.blending_controller().await.expect("gone"), None);
    assert_eq!(
        f.client.displayed_vr_controllers().await.expect("shown"),
        vec![fused.clone()]
    );
    copy.close().await.expect("close");
    assert_eq!(
        f.client.frontmost_vr_controller().await.expect("none"),
        None
    );
}

#[tokio::test]
async fn a_4d_viewer_has_volumes_per_frame_and_a_4d_title() {
    let f = Fixture::demo().await;
    let (browser, series) = mr_series(&f.client).await;
    let viewer = browser
        .open_viewer_4d_from_series(&series[..2])
        .await
        .expect("a 4D viewer");
    assert_eq!(viewer.frame_count().await.expect("frames"), 2);
    // "both" in each frame, "first" only in frame 0: the names come from the current frame (0).
    for (movie_idx, name, side) in [(0, "both", 10), (1, "both", 20), (0, "first", 4)] {
        let spec = RoiSpec::mask(
            Plane::filled(
                Shape {
                    rows: side,
                    columns: side,
                },
                true,
            ),
            2,
            2,
        )
        .expect("mask")
        .name(name);
        for idx in 0..2 {
            viewer.new_roi(&spec, idx, movie_idx).await.expect("mask");
        }
    }
    let vr = viewer
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("vr");
    assert!(vr.title().await.expect("title").contains("4D"));
    let step_cm = -SLICE_STEP / 10.0;
    let both = volume_named(&vr, "both").await;
    let cm3 = f64::from(both.volume().await.expect("volume"));
    assert!(close(cm3, step_cm * 100.0 * PIXEL_CM2, 1e-6), "{cm3}");
    volume_named(&vr, "first").await;
    assert_eq!(vr.roi_volumes().await.expect("volumes").len(), 2);

    // Frame 1 of the window: only "both", of the bigger masks.
    f.emulator
        .set_vr_frame(f.emulator.lookup(vr.uid()).expect("live"), 1)
        .expect("frame 1");
    let volumes = vr.roi_volumes().await.expect("volumes");
    assert_eq!(volumes.len(), 1);
    assert_eq!(volumes[0].name().await.expect("name"), "both");
    let cm3 = f64::from(volumes[0].volume().await.expect("volume"));
    assert!(close(cm3, step_cm * 400.0 * PIXEL_CM2, 1e-6), "{cm3}");
}

#[tokio::test]
async fn failure_strings_map_to_typed_errors() {
    let f = Fixture::demo().await;
    let (browser, series, viewer) = open_2d(&f).await;

    // One slice is no volume: OsiriX opens no window.
    let one = series.sorted_images().await.expect("images")[..1].to_vec();
    let flat = browser
        .open_viewer_2d(&one)
        .await
        .expect("one-slice viewer");
    let err = flat
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect_err("not volumic");
    assert_eq!(osirix_message(&err), "Could not find opened VR window");
    assert!(flat.vr_controllers().await.expect("none").is_empty());

    square_mask(&viewer, "mask", 10, 5, 0).await;
    let vr = viewer
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("vr");

    // A volume OsiriX does not hold: a stale handle of that volume, not of the window.
    let junk = "0F0F0F0F-0000-4000-8000-000000000001";
    let gone = RoiVolume::from_uid(&f.client, junk).expect("uid");
    for result in [
        vr.display_roi_volume(&gone).await,
        vr.hide_roi_volume(&gone).await,
    ] {
        let err = result.expect_err("no such volume");
        assert!(
            matches!(
                &err,
                Error::StaleHandle {
                    class: "ROIVolume",
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(err.stale_uid(), Some(junk));
    }
    // A stale window is named first.
    let volume = volume_named(&vr, "mask").await;
    let no_window = VrController::from_uid(&f.client, junk).expect("uid");
    let err = no_window
        .display_roi_volume(&volume)
        .await
        .expect_err("no window");
    assert!(
        matches!(
            &err,
            Error::StaleHandle {
                class: "VRController",
                ..
            }
        ),
        "{err:?}"
    );
    // Nothing checks that the volume is the window's own: another window shows it.
    let copy = viewer.copy_viewer_window().await.expect("copy");
    let other = copy
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("vr of the copy");
    other.display_roi_volume(&volume).await.expect("shown");
    assert!(volume.visible().await.expect("visible"));
}

#[tokio::test]
async fn closing_the_viewer_makes_its_3d_handles_stale() {
    let f = Fixture::demo().await;
    let (_, _, viewer) = open_2d(&f).await;
    square_mask(&viewer, "mask", 10, 5, 0).await;
    square_mask(&viewer, "mask", 10, 5, 2).await;
    let vr = viewer
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("vr");
    let volume = volume_named(&vr, "mask").await;
    // Every accessor answers while the window lives; the table's display and hide pass a volume under the
    // window's uid, which OsiriX does not hold.
    for accessor in accessors::VR {
        match (accessor.call)(&vr).await {
            Ok(_) => {}
            Err(Error::StaleHandle {
                class: "ROIVolume",
                rpc,
                ..
            }) if rpc.ends_with("ROIVolume") && rpc == accessor.rpc => {}
            Err(err) => panic!("{}: {err:?}", accessor.rpc),
        }
    }
    for accessor in accessors::VOLUME {
        (accessor.call)(&volume).await.expect(accessor.rpc);
    }
    vr.display_roi_volume(&volume).await.expect("display");

    // Wrong class: a live object's uid under another class.
    let as_vr = VrController::from_uid(&f.client, volume.uid()).expect("uid");
    assert_all_stale(accessors::VR, &as_vr, "VRController").await;
    let as_volume = RoiVolume::from_uid(&f.client, vr.uid()).expect("uid");
    assert_all_stale(accessors::VOLUME, &as_volume, "ROIVolume").await;
    // Junk.
    let junk = "0F0F0F0F-0000-4000-8000-000000000002";
    assert_all_stale(
        accessors::VR,
        &VrController::from_uid(&f.client, junk).expect("uid"),
        "VRController",
    )
    .await;
    assert_all_stale(
        accessors::VOLUME,
        &RoiVolume::from_uid(&f.client, junk).expect("uid"),
        "ROIVolume",
    )
    .await;

    viewer.close().await.expect("close");
    assert!(f.emulator.vr_windows().is_empty());
    assert_eq!(
        f.client.frontmost_vr_controller().await.expect("none"),
        None
    );
    // Seen from this client, whose cache drops nothing it did not learn was stale...
    assert!(
        vr.rendering_mode()
            .await
            .expect_err("closed")
            .is_stale_handle()
    );
    assert!(
        volume
            .opacity()
            .await
            .expect_err("closed")
            .is_stale_handle()
    );
    // ... and from one that cached nothing: every accessor.
    let fresh = f.client_with(|b| b).await;
    let stale_vr = VrController::from_uid(&fresh, vr.uid()).expect("uid");
    assert_all_stale(accessors::VR, &stale_vr, "VRController").await;
    let stale_volume = RoiVolume::from_uid(&fresh, volume.uid()).expect("uid");
    assert_all_stale(accessors::VOLUME, &stale_volume, "ROIVolume").await;
}

#[tokio::test]
async fn phantom_mask_volume() {
    let Some(f) = osirix_emulator::testing::Fixture::phantom("phantom_mask_volume").await else {
        return;
    };
    let client = Client::connect(f.emulator.url()).await.expect("client");
    let browser = client.current_browser().await.expect("browser");
    let study = browser.database_studies().await.expect("studies").remove(0);
    let series = study.series().await.expect("series").remove(0);
    let mut images = Vec::new();
    for image in series.images().await.expect("images") {
        images.push((image.slice_location().await.expect("location"), image));
    }
    images.sort_by(|a, b| a.0.total_cmp(&b.0));
    let images: Vec<_> = images.into_iter().map(|(_, image)| image).collect();
    let viewer = browser.open_viewer_2d(&images).await.expect("viewer");

    // The upstream tests' ten 40 × 40 masks at (0, 0), on slices 0–9, 3.3 mm apart.
    for idx in 0..10 {
        square_mask(&viewer, "mask", 40, 0, idx).await;
    }
    let vr = viewer
        .open_vr_viewer_for_mode(RenderingMode::Vr)
        .await
        .expect("vr");
    assert_eq!(vr.viewer_2d().await.expect("viewer"), viewer);
    assert_eq!(vr.style().await.expect("style"), "standard");
    let title = vr.title().await.expect("title");
    assert!(
        title.contains("3D Reconstruction:") && title.contains("t2_tse_sag AP"),
        "{title}"
    );
    let volumes = vr.roi_volumes().await.expect("volumes");
    assert_eq!(volumes.len(), 1);
    assert_eq!(volumes[0].name().await.expect("name"), "mask");
    let cm3 = f64::from(volumes[0].volume().await.expect("volume"));
    // 9 intervals × (−0.33 cm) × 9.765625 cm².
    assert!(close(cm3, -29.003_906_25, 1e-4), "{cm3}");
}
