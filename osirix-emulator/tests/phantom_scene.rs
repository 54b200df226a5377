//! The upstream integration suite's flow on the real MR phantom (`OSIRIX_PHANTOM_DIR`), over the plain
//! generated client: import it into an empty database, open the 2D and 4D viewers on its images sorted by
//! slice location, draw the upstream ROIs, and check every value a real OsiriX reported for them (the
//! viewer indices, IM-0040 at `pix[0]`, its statistics, the 40 × 40 mask statistics, the map, the pencil's
//! spline area, the square's flips, move and rotation, the 3D windows and the masks' ROI volume of
//! −29.0039 cm³), then clean up.
//!
//! Without `OSIRIX_PHANTOM_DIR` the test prints `skipped: ...` and passes.

use std::time::{Duration, Instant};

use osirix_emulator::call_ok as call;
use osirix_emulator::proto::viewer_controller_new_roi_request::{Buffer, Color, Point2D, Rect};
use osirix_emulator::proto::{self, Empty};
use osirix_emulator::testing::*;

/// Asserts `|a − b| ≤ tolerance`.
#[track_caller]
fn near(a: f64, b: f64, tolerance: f64) {
    assert!(
        (a - b).abs() <= tolerance,
        "{a} is not within {tolerance} of {b}"
    );
}

fn mean_and_population_std(values: &[f32]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = values
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

const STUDY_UID: &str = "1.2.840.846310145.17.1.1.4515953";
const SERIES_UID: &str = "1.3.12.2.1107.5.2.18.41171.2022080319011374970780396.0.0.0 TE-98";
/// The six vertices of the upstream tTAGT and pencil ROIs.
const VERTICES: [(f32, f32); 6] = [
    (50.204_998, 32.322_174),
    (53.273_678, 38.773_24),
    (64.686_745, 25.433_416),
    (69.718_735, 36.011_806),
    (41.896_725, 36.274_303),
    (68.917_3, 23.421),
];
/// The square of the ROI tests.
const SQUARE: [(f32, f32); 4] = [(10.5, 10.5), (50.5, 10.5), (50.5, 50.5), (10.5, 50.5)];

fn points(pairs: &[(f32, f32)]) -> Vec<Point2D> {
    pairs.iter().map(|&(x, y)| Point2D { x, y }).collect()
}

/// An upstream NewROI request on `viewer`.
fn new_roi(
    viewer: &proto::ViewerController,
    itype: i32,
    name: &str,
) -> proto::ViewerControllerNewRoiRequest {
    proto::ViewerControllerNewRoiRequest {
        viewer_controller: Some(viewer.clone()),
        itype,
        name: name.into(),
        movie_idx: 1,
        idx: 0,
        color: Some(Color {
            r: 255,
            g: 100,
            b: 200,
        }),
        opacity: 1.0,
        thickness: 3.0,
        ..Default::default()
    }
}

fn rect() -> Option<Rect> {
    Some(Rect {
        origin_x: 66.0,
        origin_y: 42.0,
        width: 20.0,
        height: 10.0,
    })
}

async fn roi_points(client: &mut Client, roi: &proto::Roi) -> Vec<(f32, f32)> {
    call!(client, roi_points(roi.clone()))
        .points
        .into_iter()
        .map(|p| (p.x, p.y))
        .collect()
}

#[track_caller]
fn same_points(got: &[(f32, f32)], expected: &[(f32, f32)]) {
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (g, e) in got.iter().zip(expected) {
        near(f64::from(g.0), f64::from(e.0), 1e-2);
        near(f64::from(g.1), f64::from(e.1), 1e-2);
    }
}

#[tokio::test]
async fn the_upstream_flow_on_the_phantom() {
    let Some(source) = phantom_dir("the_upstream_flow_on_the_phantom") else {
        return;
    };
    let mut f = Fixture::empty().await;
    let browser = f.browser().await;
    assert!(f.studies().await.is_empty());

    // Import the 40 files and poll the browser, as test_browser_controller.py does.
    let paths: Vec<String> = std::fs::read_dir(&source)
        .expect("the phantom folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains("dcm"))
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert_eq!(paths.len(), 40);
    call!(
        f.client,
        browser_controller_copy_files_if_needed(proto::BrowserControllerCopyFilesIfNeededRequest {
            browser: Some(browser.clone()),
            paths,
        })
    );
    let started = Instant::now();
    let studies = loop {
        let studies = f.studies().await;
        if !studies.is_empty() {
            break studies;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the upstream tests wait 5 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    call!(
        f.client,
        browser_controller_database_selection(browser.clone())
    );
    let mut study = None;
    for s in studies {
        if call!(f.client, dicom_study_study_instance_uid(s.clone())).study_instance_uid
            == STUDY_UID
        {
            study = Some(s);
        }
    }
    let study = study.expect("the test study");
    let mut series = None;
    for s in f.series_of(&study).await {
        if call!(f.client, dicom_series_series_instance_uid(s.clone())).series_instance_uid
            == SERIES_UID
        {
            series = Some(s);
        }
    }
    let series = series.expect("the test series");

    // Open the 2D and 4D viewers on the images sorted by slice location.
    let images = f.images_by_slice_location(&series).await;
    assert_eq!(images.len(), 40);
    f.open_viewer(vec![images.clone()], false).await;
    f.open_viewer(vec![images.clone(), images.clone()], true)
        .await;
    let mut v2d = None;
    let mut v4d = None;
    for v in call!(f.client, osirix_displayed2_d_viewers(Empty {})).viewer_controllers {
        match call!(f.client, viewer_controller_max_movie_idx(v.clone())).max_movie_idx {
            1 => v2d = Some(v),
            n if n > 1 => v4d = Some(v),
            n => panic!("max_movie_idx {n}"),
        }
    }
    let (v2d, v4d) = (v2d.expect("a 2D viewer"), v4d.expect("a 4D viewer"));
    assert_eq!(
        call!(f.client, viewer_controller_max_movie_idx(v4d.clone())).max_movie_idx,
        2
    );

    // test_viewer_controller.py
    call!(
        f.client,
        viewer_controller_set_idx(proto::ViewerControllerSetIdxRequest {
            viewer_controller: Some(v4d.clone()),
            idx: 10
        })
    );
    assert_eq!(call!(f.client, viewer_controller_idx(v4d.clone())).idx, 10);
    call!(
        f.client,
        viewer_controller_set_movie_idx(proto::ViewerControllerSetMovieIdxRequest {
            viewer_controller: Some(v4d.clone()),
            movie_idx: 1
        })
    );
    assert_eq!(
        call!(f.client, viewer_controller_movie_idx(v4d.clone())).movie_idx,
        1
    );
    call!(
        f.client,
        viewer_controller_needs_display_update(v4d.clone())
    );
    assert_eq!(
        call!(f.client, viewer_controller_modality(v4d.clone())).modality,
        "MR"
    );
    call!(
        f.client,
        viewer_controller_set_wlww(proto::ViewerControllerSetWlwwRequest {
            viewer_controller: Some(v4d.clone()),
            wl: 100.0,
            ww: 50.0
        })
    );
    let wlww = call!(f.client, viewer_controller_wlww(v4d.clone()));
    assert_eq!((wlww.wl, wlww.ww), (100.0, 50.0));
    assert!(
        call!(f.client, viewer_controller_title(v4d.clone()))
            .title
            .contains("t2_tse_sag AP")
    );
    for in_4d in [true, false] {
        let volumic = call!(
            f.client,
            viewer_controller_is_data_volumic(proto::ViewerControllerIsDataVolumicRequest {
                viewer_controller: Some(v4d.clone()),
                in_4d
            })
        );
        assert!(volumic.is_volumic, "in_4d {in_4d}");
    }
    call!(f.client, viewer_controller_cur_dcm(v4d.clone()));
    assert_eq!(f.pix_list(&v4d, 0).await.len(), 40);
    assert_eq!(f.pix_list(&v4d, 1).await.len(), 40);
    // Every frame was reversed: pix k is IM-0001-(40 − k).
    assert!(call!(f.client, viewer_controller_flipped_data(v2d.clone())).flipped_data);
    call!(
        f.client,
        viewer_controller_fuse_with_viewer(proto::ViewerControllerFuseWithViewerRequest {
            viewer_controller: Some(v4d.clone()),
            fusion_viewer_controller: Some(v2d.clone()),
        })
    );
    assert_eq!(
        call!(f.client, viewer_controller_blending_controller(v4d.clone())).blending_viewer,
        Some(v2d.clone())
    );
    for v in [&v4d, &v2d] {
        let copy = call!(f.client, viewer_controller_copy_viewer_window(v.clone()))
            .viewer_controller
            .expect("a copy");
        call!(f.client, viewer_controller_close_viewer(copy));
    }
    let moving = call!(f.client, viewer_controller_copy_viewer_window(v2d.clone()))
        .viewer_controller
        .expect("a copy");
    let resampled = call!(
        f.client,
        viewer_controller_resample_viewer_controller(
            proto::ViewerControllerResampleViewerControllerRequest {
                viewer_controller: Some(moving.clone()),
                fixed_viewer_controller: Some(v2d.clone()),
            }
        )
    )
    .resampled_viewer
    .expect("a resampled viewer");
    call!(f.client, viewer_controller_close_viewer(resampled));
    // Resampling closed the moving viewer.
    let gone = f
        .client
        .viewer_controller_title(moving)
        .await
        .expect("answers")
        .into_inner();
    assert_failed(&gone.status, "No ViewerController cached");
    assert_eq!(
        call!(f.client, osirix_displayed2_d_viewers(Empty {}))
            .viewer_controllers
            .len(),
        2
    );

    // The upstream ROIs: masks on 4D and 2D frame 0 slices 0–9, eight ROIs on 4D frame 1 slice 0, pencils
    // on 4D frame 0 slices 30–39.
    for v in [&v4d, &v2d] {
        for i in 0..10 {
            call!(
                f.client,
                viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
                    movie_idx: 0,
                    idx: i,
                    buffer: Some(Buffer {
                        buffer: vec![true; 1600],
                        rows: 40,
                        columns: 40
                    }),
                    buffer_position_x: 3 * i,
                    buffer_position_y: 5 * i,
                    color: Some(Color {
                        r: 255,
                        g: 0,
                        b: 200
                    }),
                    opacity: 0.5,
                    thickness: 0.0,
                    ..new_roi(v, 20, "mask")
                })
            );
        }
    }
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            rectangle: rect(),
            ..new_roi(&v4d, 9, "oval")
        })
    );
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            points: points(&[(66.0, 42.0), (99.0, 24.0)]),
            ..new_roi(&v4d, 14, "arrow")
        })
    );
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            rectangle: rect(),
            ..new_roi(&v4d, 19, "2D point")
        })
    );
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            rectangle: rect(),
            ..new_roi(&v4d, 6, "tROI (rectangle)")
        })
    );
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            rectangle: rect(),
            ..new_roi(&v4d, 13, "text")
        })
    );
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            points: points(&VERTICES),
            ..new_roi(&v4d, 29, "tTAGT")
        })
    );
    for i in 30..40 {
        call!(
            f.client,
            viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
                points: points(&VERTICES),
                movie_idx: 0,
                idx: i,
                ..new_roi(&v4d, 15, "pencil")
            })
        );
    }
    // A point outside the image is accepted.
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            points: points(&[(71.0, -2.0), (67.0, 11.0), (90.0, 9.0)]),
            ..new_roi(&v4d, 12, "angle")
        })
    );
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            points: points(&[(71.0, -2.0), (67.0, 11.0)]),
            ..new_roi(&v4d, 5, "measure")
        })
    );
    let list = call!(
        f.client,
        viewer_controller_roi_list(proto::ViewerControllerRoiListRequest {
            viewer_controller: Some(v4d.clone()),
            movie_idx: 1
        })
    );
    assert_eq!(list.roi_slices.len(), 40);
    assert_eq!(
        list.roi_slices[0].rois.len(),
        8,
        "frame 1 slice 0: the eight ROIs, no masks"
    );
    assert!(
        call!(f.client, viewer_controller_selected_ro_is(v4d.clone()))
            .rois
            .is_empty()
    );
    let masks = call!(
        f.client,
        viewer_controller_ro_is_with_name(proto::ViewerControllerRoIsWithNameRequest {
            viewer_controller: Some(v4d.clone()),
            name: "mask".into(),
            movie_idx: 1,
            in_4d: true,
        })
    );
    assert_eq!(masks.rois.len(), 10);

    // The end of test_viewer_controller.py: a VR window on the 4D viewer, a MIP one on the 2D viewer.
    let mut vr = Vec::new();
    for (v, mode) in [(&v4d, "VR"), (&v2d, "MIP")] {
        let opened = call!(
            f.client,
            viewer_controller_open_vr_viewer_for_mode(
                proto::ViewerControllerOpenVrViewerForModeRequest {
                    viewer_controller: Some(v.clone()),
                    mode: mode.into(),
                }
            )
        )
        .vr_controller
        .expect("a VR window");
        let listed = call!(f.client, viewer_controller_vr_controllers(v.clone())).vr_controllers;
        assert_eq!(
            listed,
            std::slice::from_ref(&opened),
            "exactly one VRController per viewer"
        );
        vr.push(opened);
    }
    let (vr4d, vr2d) = (vr[0].clone(), vr[1].clone());
    // test_vr_controller.py
    for (window, is_4d) in [(&vr2d, false), (&vr4d, true)] {
        assert_eq!(
            call!(f.client, vr_controller_style(window.clone())).style,
            "standard"
        );
        let title = call!(f.client, vr_controller_title(window.clone())).title;
        assert!(title.contains("3D Reconstruction:"), "{title}");
        assert!(title.contains("t2_tse_sag AP"), "{title}");
        assert_eq!(title.contains("4D"), is_4d, "{title}");
    }
    assert_eq!(
        call!(f.client, vr_controller_viewer2_d(vr2d.clone())).viewer_controller,
        Some(v2d.clone())
    );
    assert_eq!(
        call!(f.client, vr_controller_blending_controller(vr4d.clone())).viewer_controller,
        Some(v2d.clone()),
        "the fusion was set before the window opened"
    );
    let volumes = call!(f.client, vr_controller_roi_volumes(vr2d.clone())).roi_volumes;
    assert_eq!(volumes.len(), 1);
    let volume = volumes[0].clone();
    assert_eq!(
        call!(f.client, roi_volume_name(volume.clone())).name,
        "mask"
    );
    // test_roi_volume.py: ten 9.765625 cm² masks, the slice location falling 3.3 mm a slice.
    near(
        call!(f.client, roi_volume_volume(volume.clone()))
            .volume
            .into(),
        -29.0039,
        1e-4,
    );
    assert!(!call!(f.client, roi_volume_visible(volume.clone())).visible);
    call!(
        f.client,
        vr_controller_display_roi_volume(proto::VrControllerDisplayRoiVolumeRequest {
            vr_controller: Some(vr2d.clone()),
            roi_volume: Some(volume.clone()),
        })
    );
    assert!(call!(f.client, roi_volume_visible(volume.clone())).visible);
    near(
        call!(f.client, roi_volume_factor(volume.clone()))
            .factor
            .into(),
        1.0,
        1e-6,
    );

    // test_dcm_pix.py: pix = 2D viewer, frame 0, pix[0] = IM-0040.
    let pix = f.pix_list(&v2d, 0).await.remove(0);
    let mask = call!(
        f.client,
        viewer_controller_roi_list(proto::ViewerControllerRoiListRequest {
            viewer_controller: Some(v4d.clone()),
            movie_idx: 0
        })
    )
    .roi_slices[0]
        .rois[0]
        .clone();
    assert_eq!(call!(f.client, roi_name(mask.clone())).name, "mask");
    assert_eq!(
        call!(f.client, dcm_pix_dicom_series(pix.clone())).dicom_series,
        Some(series.clone())
    );
    assert_eq!(
        call!(f.client, dcm_pix_dicom_study(pix.clone())).dicom_study,
        Some(study.clone())
    );
    let image = call!(f.client, dcm_pix_dicom_image(pix.clone()))
        .dicom_image
        .expect("an image");
    assert!(
        call!(f.client, dicom_image_complete_path(image))
            .complete_path
            .ends_with(".dcm")
    );
    let shape = call!(f.client, dcm_pix_shape(pix.clone()));
    assert_eq!((shape.rows, shape.columns), (320, 320));
    let spacing = call!(f.client, dcm_pix_spacing(pix.clone()));
    near(spacing.spacing_rows.into(), 0.78125, 1e-5);
    near(spacing.spacing_columns.into(), 0.78125, 1e-5);
    let origin = call!(f.client, dcm_pix_origin(pix.clone()));
    near(origin.origin_x.into(), 72.098_182_7, 1e-5);
    near(origin.origin_y.into(), -106.164_879, 1e-5);
    near(origin.origin_z.into(), 124.136_139, 1e-5);
    let orientation = call!(f.client, dcm_pix_orientation(pix.clone())).orientation;
    for (got, expected) in orientation
        .iter()
        .zip([0.0, 1.0, 0.0, 0.0, 0.0, -1.0, -1.0, 0.0, 0.0])
    {
        near(f64::from(*got), expected, 1e-2);
    }
    near(
        call!(f.client, dcm_pix_slice_location(pix.clone()))
            .slice_location
            .into(),
        72.098_182_7,
        1e-5,
    );
    let source_file = call!(f.client, dcm_pix_source_file(pix.clone())).source_file;
    assert!(std::path::Path::new(&source_file).is_file());
    assert!(source_file.starts_with(&*f.dir.path().to_string_lossy()));

    let stats = call!(
        f.client,
        dcm_pix_compute_roi(proto::DcmPixComputeRoiRequest {
            pix: Some(pix.clone()),
            roi: Some(mask.clone())
        })
    );
    near(stats.mean.into(), 0.525, 1e-5);
    near(stats.total.into(), 840.0, 1e-5);
    near(stats.std_dev.into(), 0.60467, 1e-5);
    near(stats.max.into(), 3.0, 1e-5);
    near(stats.skewness.into(), 0.77747, 1e-5);
    near(stats.kurtosis.into(), 0.06178, 1e-5);
    let values = call!(
        f.client,
        dcm_pix_roi_values(proto::DcmPixRoiValuesRequest {
            pix: Some(pix.clone()),
            roi: Some(mask.clone())
        })
    );
    let (mean, std) = mean_and_population_std(&values.values);
    near(mean, 0.525, 1e-5);
    near(
        values.values.iter().map(|&v| f64::from(v)).sum(),
        840.0,
        1e-5,
    );
    near(
        values.values.iter().fold(f32::MIN, |a, &b| a.max(b)).into(),
        3.0,
        1e-5,
    );
    near(std, 0.60467, 1e-5);
    for indices in [&values.row_indices, &values.column_indices] {
        assert_eq!(
            (indices.iter().min(), indices.iter().max()),
            (Some(&0), Some(&39))
        );
    }
    let map = call!(
        f.client,
        dcm_pix_get_map_from_roi(proto::DcmPixGetMapFromRoiRequest {
            pix: Some(pix.clone()),
            roi: Some(mask.clone())
        })
    );
    assert_eq!((map.rows, map.columns, map.map.len()), (320, 320, 102_400));
    assert_eq!(map.map.iter().filter(|&&b| b).count(), 1600);

    let grey = call!(f.client, dcm_pix_image(pix.clone()));
    assert_eq!((grey.rows, grey.columns, grey.is_argb), (320, 320, false));
    assert!(grey.image_data_argb.is_empty());
    let (mean, std) = mean_and_population_std(&grey.image_data_float);
    near(mean, 201.553_13, 1e-5);
    near(std, 228.004_45, 1e-5);
    let doubled: Vec<f32> = grey.image_data_float.iter().map(|v| v * 2.0).collect();
    call!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: Some(pix.clone()),
            image_data_float: doubled,
            image_data_argb: Vec::new()
        })
    );
    let (mean, _) =
        mean_and_population_std(&call!(f.client, dcm_pix_image(pix.clone())).image_data_float);
    near(mean, 403.106_26, 1e-5);
    call!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: Some(pix.clone()),
            image_data_float: grey.image_data_float.clone(),
            image_data_argb: Vec::new()
        })
    );
    assert!(!call!(f.client, dcm_pix_is_rgb(pix.clone())).is_rgb);
    call!(
        f.client,
        dcm_pix_convert_to_rgb(proto::DcmPixConvertToRgbRequest {
            pix: Some(pix.clone()),
            rgb_channel: 0
        })
    );
    assert!(call!(f.client, dcm_pix_is_rgb(pix.clone())).is_rgb);
    let rgb_stats = f
        .client
        .dcm_pix_compute_roi(proto::DcmPixComputeRoiRequest {
            pix: Some(pix.clone()),
            roi: Some(mask.clone()),
        })
        .await
        .expect("answers")
        .into_inner();
    assert_failed(&rgb_stats.status, "No values provided for RGB pix");
    let rgb_values = f
        .client
        .dcm_pix_roi_values(proto::DcmPixRoiValuesRequest {
            pix: Some(pix.clone()),
            roi: Some(mask.clone()),
        })
        .await
        .expect("answers")
        .into_inner();
    assert_failed(&rgb_values.status, "No values provided for RGB pix");
    let argb = call!(f.client, dcm_pix_image(pix.clone()));
    assert!(argb.is_argb && argb.image_data_float.is_empty());
    assert_eq!(argb.image_data_argb.len(), 409_600);
    // pyosirix: red set to 255 everywhere, then ConvertToBW(0) gives an image of 255.
    let red: Vec<i32> = argb
        .image_data_argb
        .chunks(4)
        .flat_map(|p| [p[0], 255, p[2], p[3]])
        .collect();
    call!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: Some(pix.clone()),
            image_data_float: Vec::new(),
            image_data_argb: red
        })
    );
    call!(
        f.client,
        dcm_pix_convert_to_bw(proto::DcmPixConvertToBwRequest {
            pix: Some(pix.clone()),
            bw_channel: 0
        })
    );
    assert!(!call!(f.client, dcm_pix_is_rgb(pix.clone())).is_rgb);
    assert!(
        call!(f.client, dcm_pix_image(pix.clone()))
            .image_data_float
            .iter()
            .all(|&v| v == 255.0)
    );

    // test_roi.py, on the pencil of 4D frame 0 slice 39 (IM-0001).
    let frame0 = call!(
        f.client,
        viewer_controller_roi_list(proto::ViewerControllerRoiListRequest {
            viewer_controller: Some(v4d.clone()),
            movie_idx: 0
        })
    );
    let pencil = frame0.roi_slices[39].rois[0].clone();
    assert_eq!(call!(f.client, roi_name(pencil.clone())).name, "pencil");
    call!(
        f.client,
        roi_set_name(proto::RoiSetNameRequest {
            roi: Some(pencil.clone()),
            name: "my pencil".into()
        })
    );
    assert_eq!(call!(f.client, roi_name(pencil.clone())).name, "my pencil");
    call!(
        f.client,
        roi_set_name(proto::RoiSetNameRequest {
            roi: Some(pencil.clone()),
            name: "pencil".into()
        })
    );
    assert_eq!(call!(f.client, roii_type(pencil.clone())).itype, 15);
    assert_eq!(call!(f.client, roii_type(mask.clone())).itype, 20);
    call!(
        f.client,
        roi_set_color(proto::RoiSetColorRequest {
            roi: Some(mask.clone()),
            r: 255,
            g: 0,
            b: 0
        })
    );
    let colour = call!(f.client, roi_color(mask.clone()));
    assert_eq!((colour.r, colour.g, colour.b), (255, 0, 0));
    call!(
        f.client,
        roi_set_opacity(proto::RoiSetOpacityRequest {
            roi: Some(mask.clone()),
            opacity: 0.5
        })
    );
    near(
        call!(f.client, roi_opacity(mask.clone())).opacity.into(),
        0.5,
        1e-2,
    );
    call!(
        f.client,
        roi_set_thickness(proto::RoiSetThicknessRequest {
            roi: Some(pencil.clone()),
            thickness: 5.0
        })
    );
    near(
        call!(f.client, roi_thickness(pencil.clone()))
            .thickness
            .into(),
        5.0,
        1e-2,
    );
    call!(
        f.client,
        roi_set_points(proto::RoiSetPointsRequest {
            roi: Some(pencil.clone()),
            points: SQUARE
                .iter()
                .map(|&(x, y)| proto::roi_set_points_request::Point2D { x, y })
                .collect(),
        })
    );
    same_points(&roi_points(&mut f.client, &pencil).await, &SQUARE);
    let area = call!(f.client, roi_area(pencil.clone())).area;
    let float32 = |text: &str| text.parse::<f32>().expect("a float");
    assert_eq!(area, float32("14.7459431"));
    // ×100 in float32 is exactly the osirixgrpc constant; in double it passes both pins.
    assert_eq!(area * 100.0, float32("1474.59436"));
    near(f64::from(area) * 100.0, 1_474.594_3, 1e-3);
    near(f64::from(area) * 100.0, 1_474.594_36, 1e-3);
    let centroid = call!(f.client, roi_centroid(pencil.clone()));
    near(centroid.x.into(), 30.5, 1e-1);
    near(centroid.y.into(), 30.5, 1e-1);
    call!(f.client, roi_flip_horizontally(pencil.clone()));
    same_points(
        &roi_points(&mut f.client, &pencil).await,
        &[(50.5, 10.5), (10.5, 10.5), (10.5, 50.5), (50.5, 50.5)],
    );
    call!(f.client, roi_flip_horizontally(pencil.clone()));
    call!(f.client, roi_flip_vertically(pencil.clone()));
    same_points(
        &roi_points(&mut f.client, &pencil).await,
        &[(10.5, 50.5), (50.5, 50.5), (50.5, 10.5), (10.5, 10.5)],
    );
    call!(f.client, roi_flip_vertically(pencil.clone()));
    call!(
        f.client,
        roi_move(proto::RoiMoveRequest {
            roi: Some(pencil.clone()),
            columns: 10.5,
            rows: 5.5
        })
    );
    same_points(
        &roi_points(&mut f.client, &pencil).await,
        &[(21.0, 16.0), (61.0, 16.0), (61.0, 56.0), (21.0, 56.0)],
    );
    call!(
        f.client,
        roi_move(proto::RoiMoveRequest {
            roi: Some(pencil.clone()),
            columns: -10.5,
            rows: -5.5
        })
    );
    call!(
        f.client,
        roi_rotate(proto::RoiRotateRequest {
            roi: Some(pencil.clone()),
            degrees: 90.0,
            x: centroid.x,
            y: centroid.y
        })
    );
    same_points(
        &roi_points(&mut f.client, &pencil).await,
        &[(50.5, 10.5), (50.5, 50.5), (10.5, 50.5), (10.5, 10.5)],
    );
    call!(
        f.client,
        roi_rotate(proto::RoiRotateRequest {
            roi: Some(pencil.clone()),
            degrees: -90.0,
            x: centroid.x,
            y: centroid.y
        })
    );
    same_points(&roi_points(&mut f.client, &pencil).await, &SQUARE);
    let pix39 = f.pix_list(&v4d, 0).await.remove(39);
    assert_eq!(
        call!(f.client, roi_pix(pencil.clone())).pix,
        Some(pix39.clone())
    );

    // cleanup.py: delete every ROI of every frame, then close the viewers.
    for v in [&v2d, &v4d] {
        let frames = call!(f.client, viewer_controller_max_movie_idx(v.clone())).max_movie_idx;
        for movie_idx in 0..frames {
            let slices = call!(
                f.client,
                viewer_controller_roi_list(proto::ViewerControllerRoiListRequest {
                    viewer_controller: Some(v.clone()),
                    movie_idx
                })
            );
            for roi in slices.roi_slices.into_iter().flat_map(|s| s.rois) {
                call!(f.client, roi_delete(roi));
            }
        }
        call!(f.client, viewer_controller_close_viewer(v.clone()));
    }
    assert!(
        call!(f.client, osirix_displayed2_d_viewers(Empty {}))
            .viewer_controllers
            .is_empty()
    );
    // The VR windows closed with their viewers.
    assert!(
        call!(f.client, osirix_displayed_vr_controllers(Empty {}))
            .vr_controllers
            .is_empty()
    );
    assert_failed(
        &f.client
            .vr_controller_title(vr4d)
            .await
            .expect("answers")
            .into_inner()
            .status,
        "No VRController cached",
    );
    assert_failed(
        &f.client
            .roi_volume_name(volume)
            .await
            .expect("answers")
            .into_inner()
            .status,
        "No ROIVolume cached",
    );
    for (rpc, status) in [
        (
            "ViewerControllerTitle",
            f.client
                .viewer_controller_title(v4d)
                .await
                .expect("answers")
                .into_inner()
                .status,
        ),
        (
            "DCMPixShape",
            f.client
                .dcm_pix_shape(pix39)
                .await
                .expect("answers")
                .into_inner()
                .status,
        ),
        (
            "ROIName",
            f.client
                .roi_name(pencil)
                .await
                .expect("answers")
                .into_inner()
                .status,
        ),
    ] {
        let status = status.expect("a status");
        assert_eq!(status.status, 0, "{rpc}");
        assert!(
            status.message.ends_with(" cached"),
            "{rpc}: {}",
            status.message
        );
    }
    // The database objects stay.
    call!(f.client, dicom_series_name(series));
}
