//! 3D windows and ROI volumes on generated demo data: opening (and reusing) a VR or MIP window, every
//! VRController and ROIVolume RPC with its failure strings, volumes computed by hand from the masks and
//! polygons drawn before the window opened, the window order, and the close cascade.

use osirix_emulator::demo::{DemoSpec, FIRST_SLICE, PIXEL_SPACING, SLICE_STEP};
use osirix_emulator::proto::viewer_controller_new_roi_request::{Buffer, Point2D, Rect};
use osirix_emulator::proto::{self, Empty};
use osirix_emulator::testing::*;
use osirix_emulator::{Class, Error, ObjectRef, RenderingMode};
use osirix_emulator::{call_fails as fails, call_ok as call};

#[track_caller]
fn near(a: f32, b: f64, tolerance: f64) {
    assert!(
        (f64::from(a) - b).abs() <= tolerance,
        "{a} is not within {tolerance} of {b}"
    );
}

/// The index of the first series of `modality` in the fixture's database.
fn series_of_modality(f: &Fixture, modality: &str) -> usize {
    f.emulator
        .catalog()
        .series()
        .iter()
        .position(|s| s.modality == modality)
        .expect("a series of that modality")
}

/// Opens `frames` copies of series `index` (images sorted by slice location, ascending) over the wire, as
/// a 4D viewer when `frames > 1`.
async fn open(f: &mut Fixture, index: usize, frames: usize) -> proto::ViewerController {
    let handle = series(f.emulator.uid_of_series(index).expect("cached"));
    let images = f.images_by_slice_location(&handle).await;
    f.open_viewer(vec![images; frames], frames > 1).await
}

async fn open_vr(
    f: &mut Fixture,
    viewer: &proto::ViewerController,
    mode: &str,
) -> proto::VrController {
    call!(
        f.client,
        viewer_controller_open_vr_viewer_for_mode(
            proto::ViewerControllerOpenVrViewerForModeRequest {
                viewer_controller: Some(viewer.clone()),
                mode: mode.into(),
            }
        )
    )
    .vr_controller
    .expect("a VR window")
}

/// A `side_x` × `side_y` mask named `name` on slice `idx` of frame `movie_idx`, at (1, 1).
async fn mask(
    f: &mut Fixture,
    viewer: &proto::ViewerController,
    (movie_idx, idx): (i32, i32),
    name: &str,
    (side_x, side_y): (i32, i32),
) -> proto::Roi {
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            viewer_controller: Some(viewer.clone()),
            itype: 20,
            name: name.into(),
            idx,
            movie_idx,
            buffer_position_x: 1,
            buffer_position_y: 1,
            opacity: 1.0,
            buffer: Some(Buffer {
                buffer: vec![true; (side_x * side_y) as usize],
                rows: side_y,
                columns: side_x,
            }),
            ..Default::default()
        })
    )
    .roi
    .expect("an ROI")
}

/// An ROI of a points type (`itype`) through `points`, named `name`, on slice `idx` of frame 0.
async fn polygon(
    f: &mut Fixture,
    viewer: &proto::ViewerController,
    idx: i32,
    itype: i32,
    name: &str,
    points: &[(f32, f32)],
) -> proto::Roi {
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            viewer_controller: Some(viewer.clone()),
            itype,
            name: name.into(),
            idx,
            opacity: 1.0,
            points: points.iter().map(|&(x, y)| Point2D { x, y }).collect(),
            ..Default::default()
        })
    )
    .roi
    .expect("an ROI")
}

/// The area in cm² of a mask of `pixels` demo pixels.
fn mask_area(pixels: i32) -> f64 {
    f64::from(pixels) * PIXEL_SPACING * PIXEL_SPACING / 100.0
}

/// The ROI volumes of a 3D window, by name.
async fn volumes_by_name(
    f: &mut Fixture,
    vr: &proto::VrController,
) -> Vec<(String, proto::RoiVolume)> {
    let mut out = Vec::new();
    for volume in call!(f.client, vr_controller_roi_volumes(vr.clone())).roi_volumes {
        let name = call!(f.client, roi_volume_name(volume.clone())).name;
        out.push((name, volume));
    }
    out
}

fn display(
    vr: &proto::VrController,
    volume: &proto::RoiVolume,
) -> proto::VrControllerDisplayRoiVolumeRequest {
    proto::VrControllerDisplayRoiVolumeRequest {
        vr_controller: Some(vr.clone()),
        roi_volume: Some(volume.clone()),
    }
}

fn hide(
    vr: &proto::VrController,
    volume: &proto::RoiVolume,
) -> proto::VrControllerHideRoiVolumeRequest {
    proto::VrControllerHideRoiVolumeRequest {
        vr_controller: Some(vr.clone()),
        roi_volume: Some(volume.clone()),
    }
}

#[tokio::test]
async fn volumes_are_built_per_name_from_the_masks_closed_polygons_and_pencils() {
    let mut f = Fixture::demo().await;
    let index = series_of_modality(&f, "MR");
    let v = open(&mut f, index, 1).await;
    // The sagittal MR frame is reversed: slice idx k lies at FIRST_SLICE + SLICE_STEP × (4 − k).
    let location = |idx: i32| FIRST_SLICE + SLICE_STEP * f64::from(4 - idx);

    // "tumour": masks on slices 0, 2 and 3, and an open polygon on slice 1, which does not count.
    mask(&mut f, &v, (0, 0), "tumour", (4, 4)).await;
    mask(&mut f, &v, (0, 2), "tumour", (6, 6)).await;
    mask(&mut f, &v, (0, 3), "tumour", (5, 8)).await;
    polygon(
        &mut f,
        &v,
        1,
        10,
        "tumour",
        &[(2.0, 2.0), (20.0, 2.0), (20.0, 20.0)],
    )
    .await;
    // "ring": a closed polygon on slice 1 and a pencil on slice 4.
    let triangle = [(2.0, 2.0), (30.0, 2.0), (16.0, 30.0)];
    let ring1 = polygon(&mut f, &v, 1, 11, "ring", &triangle).await;
    let ring4 = polygon(
        &mut f,
        &v,
        4,
        15,
        "ring",
        &[(4.0, 4.0), (40.0, 4.0), (40.0, 40.0), (4.0, 40.0)],
    )
    .await;
    // "marker": an oval, a kind that never counts: no volume.
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            viewer_controller: Some(v.clone()),
            itype: 9,
            name: "marker".into(),
            opacity: 1.0,
            rectangle: Some(Rect {
                origin_x: 30.0,
                origin_y: 30.0,
                width: 5.0,
                height: 5.0
            }),
            ..Default::default()
        })
    );
    let area1 = f64::from(call!(f.client, roi_area(ring1)).area);
    let area4 = f64::from(call!(f.client, roi_area(ring4)).area);
    assert!(area1 > 0.0 && area4 > 0.0);

    let vr = open_vr(&mut f, &v, "VR").await;
    let volumes = volumes_by_name(&mut f, &vr).await;
    let names: Vec<&str> = volumes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["tumour", "ring"], "one per name, in slice order");
    let (tumour, ring) = (volumes[0].1.clone(), volumes[1].1.clone());

    // The signed trapezoid sum over the kept ROIs, in slice order; the slice location falls with idx.
    let trapezoid = |z0: f64, a0: f64, z1: f64, a1: f64| (z1 - z0) / 10.0 * (a0 + a1) / 2.0;
    let expected_tumour = trapezoid(location(0), mask_area(16), location(2), mask_area(36))
        + trapezoid(location(2), mask_area(36), location(3), mask_area(40));
    assert!(expected_tumour < 0.0);
    near(
        call!(f.client, roi_volume_volume(tumour.clone())).volume,
        expected_tumour,
        1e-6,
    );
    near(
        call!(f.client, roi_volume_volume(ring.clone())).volume,
        trapezoid(location(1), area1, location(4), area4),
        1e-5,
    );

    // OsiriX's defaults.
    for volume in [&tumour, &ring] {
        assert!(call!(f.client, roi_volume_texture(volume.clone())).texture);
        let colour = call!(f.client, roi_volume_color(volume.clone()));
        assert_eq!((colour.r, colour.g, colour.b), (0.0, 1.0, 1.0));
        assert_eq!(
            call!(f.client, roi_volume_opacity(volume.clone())).opacity,
            1.0
        );
        assert_eq!(
            call!(f.client, roi_volume_factor(volume.clone())).factor,
            1.0
        );
        assert!(!call!(f.client, roi_volume_visible(volume.clone())).visible);
    }

    // The setters store what they are sent, unclamped.
    let r = Some(tumour.clone());
    call!(
        f.client,
        roi_volume_set_texture(proto::RoiVolumeSetTextureRequest {
            roi: r.clone(),
            texture: false
        })
    );
    call!(
        f.client,
        roi_volume_set_color(proto::RoiVolumeSetColorRequest {
            roi: r.clone(),
            r: 2.0,
            g: -1.0,
            b: 0.25
        })
    );
    call!(
        f.client,
        roi_volume_set_opacity(proto::RoiVolumeSetOpacityRequest {
            roi: r.clone(),
            opacity: 7.5
        })
    );
    call!(
        f.client,
        roi_volume_set_factor(proto::RoiVolumeSetFactorRequest {
            roi: r.clone(),
            factor: -3.0
        })
    );
    assert!(!call!(f.client, roi_volume_texture(tumour.clone())).texture);
    let colour = call!(f.client, roi_volume_color(tumour.clone()));
    assert_eq!((colour.r, colour.g, colour.b), (2.0, -1.0, 0.25));
    assert_eq!(
        call!(f.client, roi_volume_opacity(tumour.clone())).opacity,
        7.5
    );
    assert_eq!(
        call!(f.client, roi_volume_factor(tumour.clone())).factor,
        -3.0
    );
    // The other volume is untouched.
    assert!(call!(f.client, roi_volume_texture(ring.clone())).texture);

    // Visibility changes only through the 3D window.
    call!(
        f.client,
        vr_controller_display_roi_volume(display(&vr, &tumour))
    );
    assert!(call!(f.client, roi_volume_visible(tumour.clone())).visible);
    assert!(!call!(f.client, roi_volume_visible(ring.clone())).visible);
    call!(f.client, vr_controller_hide_roi_volume(hide(&vr, &tumour)));
    assert!(!call!(f.client, roi_volume_visible(tumour.clone())).visible);
    call!(
        f.client,
        vr_controller_display_roi_volume(display(&vr, &tumour))
    );
    call!(
        f.client,
        vr_controller_display_roi_volume(display(&vr, &tumour))
    );
    assert!(call!(f.client, roi_volume_visible(tumour.clone())).visible);

    // ROIs drawn after the window opened are not included, and reopening reuses the window.
    mask(&mut f, &v, (0, 1), "late", (3, 3)).await;
    mask(&mut f, &v, (0, 4), "tumour", (9, 9)).await;
    let again = open_vr(&mut f, &v, "VR").await;
    assert_eq!(again, vr);
    let after = volumes_by_name(&mut f, &vr).await;
    assert_eq!(after, volumes);
    near(
        call!(f.client, roi_volume_volume(tumour.clone())).volume,
        expected_tumour,
        1e-6,
    );
}

#[tokio::test]
async fn a_previous_slice_location_of_zero_skips_its_interval() {
    const SPEC: DemoSpec = DemoSpec {
        images_per_series: 20,
        ..DemoSpec::DEFAULT
    };
    let mut f = Fixture::demo_with(SPEC, |b| b).await;
    let index = series_of_modality(&f, "CT");
    let v = open(&mut f, index, 1).await;
    // The axial CT frame keeps its order: slice idx k lies at FIRST_SLICE + SLICE_STEP × k, 0.0 at 16.
    let zero = (-FIRST_SLICE / SLICE_STEP) as i32;
    assert_eq!(FIRST_SLICE + SLICE_STEP * f64::from(zero), 0.0);
    let pix = f.pix_list(&v, 0).await.remove(zero as usize);
    assert_eq!(
        call!(f.client, dcm_pix_slice_location(pix)).slice_location,
        0.0
    );
    for (idx, side) in [(zero - 1, 4), (zero, 6), (zero + 1, 8)] {
        mask(&mut f, &v, (0, idx), "organ", (side, side)).await;
    }
    let vr = open_vr(&mut f, &v, "MIP").await;
    let (_, organ) = volumes_by_name(&mut f, &vr).await.remove(0);
    // Only the interval from slice zero − 1 counts; the one starting at location 0.0 is skipped.
    let expected = SLICE_STEP / 10.0 * (mask_area(16) + mask_area(36)) / 2.0;
    near(
        call!(f.client, roi_volume_volume(organ)).volume,
        expected,
        1e-6,
    );
}

#[tokio::test]
async fn the_3d_window_answers_for_its_viewer() {
    let mut f = Fixture::demo().await;
    let index = series_of_modality(&f, "MR");
    let series_name = f.emulator.catalog().series()[index].name.clone();
    let v = open(&mut f, index, 1).await;
    assert!(
        call!(f.client, viewer_controller_vr_controllers(v.clone()))
            .vr_controllers
            .is_empty()
    );
    fails!(
        f.client,
        osirix_frontmost_vr_controller(Empty {}),
        "No VRController active"
    );
    for mode in ["vr", "mip", "Vr", "", "MPR"] {
        fails!(
            f.client,
            viewer_controller_open_vr_viewer_for_mode(
                proto::ViewerControllerOpenVrViewerForModeRequest {
                    viewer_controller: Some(v.clone()),
                    mode: mode.into(),
                }
            ),
            "Unavailable mode"
        );
    }
    assert!(
        call!(f.client, viewer_controller_vr_controllers(v.clone()))
            .vr_controllers
            .is_empty()
    );
    call!(
        f.client,
        viewer_controller_set_wlww(proto::ViewerControllerSetWlwwRequest {
            viewer_controller: Some(v.clone()),
            wl: 321.0,
            ww: 123.0
        })
    );

    let vr = open_vr(&mut f, &v, "VR").await;
    assert_eq!(
        call!(f.client, viewer_controller_vr_controllers(v.clone())).vr_controllers,
        std::slice::from_ref(&vr)
    );
    assert_eq!(
        call!(f.client, vr_controller_viewer2_d(vr.clone())).viewer_controller,
        Some(v.clone())
    );
    let blending = call!(f.client, vr_controller_blending_controller(vr.clone()));
    assert_eq!(
        blending.viewer_controller, None,
        "no fusion: the field is unset"
    );
    assert_eq!(
        call!(f.client, vr_controller_style(vr.clone())).style,
        "standard"
    );
    let title = call!(f.client, vr_controller_title(vr.clone())).title;
    assert!(title.contains("3D Reconstruction:"), "{title}");
    assert!(title.contains(&series_name), "{title}");
    assert!(!title.contains("4D"), "{title}");
    assert!(
        call!(f.client, vr_controller_roi_volumes(vr.clone()))
            .roi_volumes
            .is_empty()
    );
    call!(f.client, vr_controller_needs_display_update(vr.clone()));

    // The 3D view starts with the viewer's window; its setter validates nothing.
    let w = call!(f.client, vr_controller_wlww(vr.clone()));
    assert_eq!((w.wl, w.ww), (321.0, 123.0));
    call!(
        f.client,
        vr_controller_set_wlww(proto::VrControllerSetWlwwRequest {
            vr_controller: Some(vr.clone()),
            wl: -5.0,
            ww: 0.0
        })
    );
    let w = call!(f.client, vr_controller_wlww(vr.clone()));
    assert_eq!((w.wl, w.ww), (-5.0, 0.0));
    let w = call!(f.client, viewer_controller_wlww(v.clone()));
    assert_eq!((w.wl, w.ww), (321.0, 123.0), "the 2D viewer keeps its own");

    // The rendering mode: exactly "VR" or "MIP".
    let mode = |m: &str| proto::VrControllerSetRenderingModeRequest {
        vr_controller: Some(vr.clone()),
        rendering_mode: m.into(),
    };
    assert_eq!(
        call!(f.client, vr_controller_rendering_mode(vr.clone())).rendering_mode,
        "VR"
    );
    call!(f.client, vr_controller_set_rendering_mode(mode("MIP")));
    assert_eq!(
        call!(f.client, vr_controller_rendering_mode(vr.clone())).rendering_mode,
        "MIP"
    );
    for bad in ["mip", "VR ", "", "Surface"] {
        fails!(
            f.client,
            vr_controller_set_rendering_mode(mode(bad)),
            "Invalid rendering mode"
        );
    }
    assert_eq!(
        call!(f.client, vr_controller_rendering_mode(vr.clone())).rendering_mode,
        "MIP"
    );
    call!(f.client, vr_controller_set_rendering_mode(mode("VR")));
    // OpenVRViewerForMode reuses the window and switches it to the mode.
    assert_eq!(open_vr(&mut f, &v, "MIP").await, vr);
    assert_eq!(
        call!(f.client, vr_controller_rendering_mode(vr.clone())).rendering_mode,
        "MIP"
    );
    assert_eq!(
        call!(f.client, viewer_controller_vr_controllers(v.clone()))
            .vr_controllers
            .len(),
        1
    );
    assert_eq!(
        call!(f.client, osirix_frontmost_vr_controller(Empty {})).vr_controller,
        Some(vr.clone())
    );
    // 3D windows are not 2D viewers.
    assert_eq!(
        call!(f.client, osirix_displayed2_d_viewers(Empty {})).viewer_controllers,
        std::slice::from_ref(&v)
    );
}

#[tokio::test]
async fn a_4d_viewer_gives_a_4d_window_with_its_fusion_and_volumes_per_frame() {
    let mut f = Fixture::demo().await;
    let index = series_of_modality(&f, "MR");
    let v2d = open(&mut f, index, 1).await;
    let v4d = open(&mut f, index, 2).await;
    call!(
        f.client,
        viewer_controller_fuse_with_viewer(proto::ViewerControllerFuseWithViewerRequest {
            viewer_controller: Some(v4d.clone()),
            fusion_viewer_controller: Some(v2d.clone()),
        })
    );
    // The names come from the current frame (0); each frame has its own volume of each name.
    mask(&mut f, &v4d, (0, 0), "lesion", (2, 2)).await;
    mask(&mut f, &v4d, (0, 1), "lesion", (2, 2)).await;
    mask(&mut f, &v4d, (1, 0), "lesion", (4, 4)).await;
    mask(&mut f, &v4d, (1, 2), "lesion", (4, 4)).await;
    mask(&mut f, &v4d, (1, 3), "only in frame 1", (4, 4)).await;
    let vr = open_vr(&mut f, &v4d, "VR").await;
    let title = call!(f.client, vr_controller_title(vr.clone())).title;
    assert!(
        title.contains("3D Reconstruction:") && title.contains("4D"),
        "{title}"
    );
    assert_eq!(
        call!(f.client, vr_controller_blending_controller(vr.clone())).viewer_controller,
        Some(v2d.clone())
    );
    let frame0 = volumes_by_name(&mut f, &vr).await;
    assert_eq!(frame0.len(), 1);
    near(
        call!(f.client, roi_volume_volume(frame0[0].1.clone())).volume,
        -SLICE_STEP / 10.0 * mask_area(4),
        1e-6,
    );
    // The window's movie slider on frame 1 lists that frame's volume of the same name.
    let window = f.emulator.lookup(&vr.osirixrpc_uid).expect("cached");
    f.emulator.set_vr_frame(window, 1).expect("two frames");
    let frame1 = volumes_by_name(&mut f, &vr).await;
    assert_eq!(frame1.len(), 1);
    assert_eq!(frame1[0].0, "lesion");
    assert_ne!(frame1[0].1, frame0[0].1);
    near(
        call!(f.client, roi_volume_volume(frame1[0].1.clone())).volume,
        -2.0 * SLICE_STEP / 10.0 * mask_area(16),
        1e-6,
    );
    assert!(matches!(
        f.emulator.set_vr_frame(window, 2),
        Err(Error::Refused(_))
    ));
    // The 2D viewer has no 3D window of its own.
    assert!(
        call!(f.client, viewer_controller_vr_controllers(v2d.clone()))
            .vr_controllers
            .is_empty()
    );
}

#[tokio::test]
async fn windows_share_one_order_and_close_with_their_viewer() {
    let mut f = Fixture::demo().await;
    let index = series_of_modality(&f, "MR");
    let a = open(&mut f, index, 1).await;
    let b = open(&mut f, index, 1).await;
    mask(&mut f, &a, (0, 0), "m", (3, 3)).await;
    mask(&mut f, &a, (0, 1), "m", (3, 3)).await;
    let vr_a = open_vr(&mut f, &a, "VR").await;
    let vr_b = open_vr(&mut f, &b, "MIP").await;
    let front = || proto::Empty {};
    assert_eq!(
        call!(f.client, osirix_frontmost_vr_controller(front())).vr_controller,
        Some(vr_b.clone())
    );
    assert_eq!(
        call!(f.client, osirix_displayed_vr_controllers(front())).vr_controllers,
        [vr_b.clone(), vr_a.clone()]
    );
    // Reopening brings a's window to the front.
    open_vr(&mut f, &a, "VR").await;
    assert_eq!(
        call!(f.client, osirix_displayed_vr_controllers(front())).vr_controllers,
        [vr_a.clone(), vr_b.clone()]
    );
    // A click on b's window does too.
    let window_b = f.emulator.lookup(&vr_b.osirixrpc_uid).expect("cached");
    f.emulator.bring_to_front(window_b).expect("open");
    assert_eq!(
        call!(f.client, osirix_frontmost_vr_controller(front())).vr_controller,
        Some(vr_b.clone())
    );
    // A 2D viewer in front does not hide the 3D windows behind it.
    let viewer_a = f.emulator.lookup(&a.osirixrpc_uid).expect("cached");
    f.emulator.bring_to_front(viewer_a).expect("open");
    assert_eq!(
        call!(f.client, osirix_frontmost_viewer(front())).viewer_controller,
        Some(a.clone())
    );
    assert_eq!(
        call!(f.client, osirix_frontmost_vr_controller(front())).vr_controller,
        Some(vr_b.clone())
    );

    // Closing viewer a closes its 3D window: the VRController leaves the cache; its ROI volume is a dead
    // key ("No ROIVolume cached") until the next removal purges it.
    let volume = call!(f.client, vr_controller_roi_volumes(vr_a.clone()))
        .roi_volumes
        .remove(0);
    call!(f.client, viewer_controller_close_viewer(a.clone()));
    assert_all_not_cached(
        &statuses(&mut f.client, Class::VrController, &vr_a.osirixrpc_uid).await,
        Class::VrController,
    );
    assert_all_not_cached(
        &statuses(&mut f.client, Class::RoiVolume, &volume.osirixrpc_uid).await,
        Class::RoiVolume,
    );
    let uids = call!(f.client, osirix_cache_uids(Empty {})).uids;
    assert!(!uids.contains(&vr_a.osirixrpc_uid));
    assert!(
        uids.contains(&volume.osirixrpc_uid),
        "a dead key stays listed"
    );
    assert_eq!(
        call!(
            f.client,
            osirix_cache_object_for_uid(proto::OsirixCacheObjectForUidRequest {
                uid: volume.osirixrpc_uid.clone()
            })
        )
        .object_type,
        "no object"
    );
    assert_eq!(
        call!(f.client, osirix_displayed_vr_controllers(front())).vr_controllers,
        std::slice::from_ref(&vr_b)
    );

    // A person closes b's 3D window: b stays, with no 3D window, and the dead key is purged.
    f.emulator.close_window(window_b).expect("open");
    assert!(
        call!(f.client, viewer_controller_vr_controllers(b.clone()))
            .vr_controllers
            .is_empty()
    );
    assert_all_not_cached(
        &statuses(&mut f.client, Class::VrController, &vr_b.osirixrpc_uid).await,
        Class::VrController,
    );
    let uids = call!(f.client, osirix_cache_uids(Empty {})).uids;
    assert!(!uids.contains(&volume.osirixrpc_uid));
    fails!(
        f.client,
        osirix_frontmost_vr_controller(front()),
        "No VRController active"
    );
    assert!(
        call!(f.client, osirix_displayed_vr_controllers(front()))
            .vr_controllers
            .is_empty()
    );
    // Opening again gives a new window.
    let again = open_vr(&mut f, &b, "VR").await;
    assert_ne!(again, vr_b);
}

#[tokio::test]
async fn a_person_opens_a_3d_window_from_the_menu() {
    let mut f = Fixture::demo().await;
    let index = series_of_modality(&f, "CT");
    let images = f.emulator.catalog().series()[index].sorted_images.clone();
    let viewer = f
        .emulator
        .open_viewer(vec![images], false)
        .await
        .expect("opens");
    let window = f
        .emulator
        .open_vr_window(viewer, RenderingMode::Mip)
        .await
        .expect("volumic data");
    assert!(matches!(window, ObjectRef::VrController(_)));
    assert_eq!(f.emulator.vr_windows(), [window]);
    // Nothing has a uid until an RPC returns it.
    assert_eq!(f.emulator.uid_of(window), None);
    let vr = call!(f.client, osirix_frontmost_vr_controller(Empty {}))
        .vr_controller
        .expect("a VR window");
    assert_eq!(f.emulator.lookup(&vr.osirixrpc_uid), Some(window));
    assert_eq!(
        call!(f.client, vr_controller_rendering_mode(vr.clone())).rendering_mode,
        "MIP"
    );
    // The menu item again reuses the window.
    let same = f
        .emulator
        .open_vr_window(viewer, RenderingMode::Vr)
        .await
        .expect("reused");
    assert_eq!(same, window);
    assert_eq!(
        call!(f.client, vr_controller_rendering_mode(vr.clone())).rendering_mode,
        "VR"
    );
    assert!(matches!(
        f.emulator.open_vr_window(window, RenderingMode::Vr).await,
        Err(Error::NoSuchObject(_))
    ));
    f.emulator.close_window(viewer).expect("open");
    assert!(f.emulator.vr_windows().is_empty());
    assert!(matches!(
        f.emulator.open_vr_window(viewer, RenderingMode::Vr).await,
        Err(Error::NoSuchObject(_))
    ));
    assert!(matches!(
        f.emulator.close_window(window),
        Err(Error::NoSuchObject(_))
    ));
}

#[tokio::test]
async fn data_that_is_not_volumic_opens_no_3d_window() {
    const SPEC: DemoSpec = DemoSpec {
        images_per_series: 4,
        ..DemoSpec::DEFAULT
    };
    let mut f = Fixture::demo_with(SPEC, |b| b).await;
    let v = open(&mut f, 0, 1).await;
    for mode in ["VR", "MIP"] {
        fails!(
            f.client,
            viewer_controller_open_vr_viewer_for_mode(
                proto::ViewerControllerOpenVrViewerForModeRequest {
                    viewer_controller: Some(v.clone()),
                    mode: mode.into(),
                }
            ),
            "Could not find opened VR window"
        );
    }
    assert!(
        call!(f.client, viewer_controller_vr_controllers(v.clone()))
            .vr_controllers
            .is_empty()
    );
    let viewer = f.emulator.lookup(&v.osirixrpc_uid).expect("cached");
    assert!(matches!(
        f.emulator.open_vr_window(viewer, RenderingMode::Vr).await,
        Err(Error::Refused(_))
    ));
    // The mode is checked after the viewer, before the data.
    fails!(
        f.client,
        viewer_controller_open_vr_viewer_for_mode(
            proto::ViewerControllerOpenVrViewerForModeRequest {
                viewer_controller: Some(v.clone()),
                mode: "Surface".into(),
            }
        ),
        "Unavailable mode"
    );
    fails!(
        f.client,
        viewer_controller_open_vr_viewer_for_mode(
            proto::ViewerControllerOpenVrViewerForModeRequest {
                viewer_controller: Some(viewer_handle("not a uid")),
                mode: "Surface".into(),
            }
        ),
        "No ViewerController cached"
    );
}

fn viewer_handle(uid: &str) -> proto::ViewerController {
    viewer(uid)
}

#[tokio::test]
async fn every_3d_rpc_fails_not_cached_for_bad_uids() {
    let mut f = Fixture::demo().await;
    for class in [Class::VrController, Class::RoiVolume] {
        for uid in ["", "not a uid", "00000000-0000-0000-0000-000000000000"] {
            assert_all_not_cached(&statuses(&mut f.client, class, uid).await, class);
        }
    }
    // A uid of another class is not a 3D window or a volume.
    let index = series_of_modality(&f, "MR");
    let v = open(&mut f, index, 1).await;
    for class in [Class::VrController, Class::RoiVolume] {
        assert_all_not_cached(
            &statuses(&mut f.client, class, &v.osirixrpc_uid).await,
            class,
        );
    }
    // Display and Hide check the 3D window first, then the volume, and never that they belong together.
    mask(&mut f, &v, (0, 0), "m", (2, 2)).await;
    let vr = open_vr(&mut f, &v, "VR").await;
    let volume = call!(f.client, vr_controller_roi_volumes(vr.clone()))
        .roi_volumes
        .remove(0);
    let bad_vr = vr_controller("not a uid");
    let bad_volume = roi_volume("not a uid");
    fails!(
        f.client,
        vr_controller_display_roi_volume(display(&bad_vr, &bad_volume)),
        "No VRController cached"
    );
    fails!(
        f.client,
        vr_controller_hide_roi_volume(hide(&bad_vr, &volume)),
        "No VRController cached"
    );
    fails!(
        f.client,
        vr_controller_display_roi_volume(display(&vr, &bad_volume)),
        "No ROIVolume cached"
    );
    fails!(
        f.client,
        vr_controller_hide_roi_volume(hide(&vr, &bad_volume)),
        "No ROIVolume cached"
    );
    assert!(!call!(f.client, roi_volume_visible(volume.clone())).visible);

    let w = open(&mut f, index, 1).await;
    mask(&mut f, &w, (0, 0), "m", (2, 2)).await;
    let other_vr = open_vr(&mut f, &w, "VR").await;
    call!(
        f.client,
        vr_controller_display_roi_volume(display(&other_vr, &volume))
    );
    assert!(call!(f.client, roi_volume_visible(volume)).visible);
}
