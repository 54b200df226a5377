//! Viewers on generated demo data, whose answers follow from the files: opening (2D, 4D, several frames)
//! with the frame reversal rule, the index model and its bounds, the window, title, modality and volumic
//! check, copies, resampling, fusion, the window order, the key viewer's frame shown by viewers with as
//! many frames, the close cascade, and every failure string.

use osirix_emulator::demo::{DemoSpec, FIRST_SLICE, SLICE_STEP};
use osirix_emulator::proto::{self, Empty};
use osirix_emulator::testing::*;
use osirix_emulator::{Class, ObjectRef};
use osirix_emulator::{call_fails as fails, call_ok as call};

/// The index of the first series of `modality` in the fixture's database.
fn series_of_modality(f: &Fixture, modality: &str) -> usize {
    f.emulator
        .catalog()
        .series()
        .iter()
        .position(|s| s.modality == modality)
        .expect("a series of that modality")
}

/// Opens `frames` copies of series `index` (images sorted by slice location, ascending), as a 4D viewer
/// when `frames > 1`.
async fn open(f: &mut Fixture, index: usize, frames: usize) -> proto::ViewerController {
    let handle = series(f.emulator.uid_of_series(index).expect("cached"));
    let images = f.images_by_slice_location(&handle).await;
    f.open_viewer(vec![images; frames], frames > 1).await
}

fn vc(v: &proto::ViewerController) -> Option<proto::ViewerController> {
    Some(v.clone())
}

async fn slice_locations(f: &mut Fixture, viewer: &proto::ViewerController) -> Vec<f32> {
    let mut out = Vec::new();
    for pix in f.pix_list(viewer, 0).await {
        out.push(call!(f.client, dcm_pix_slice_location(pix)).slice_location);
    }
    out
}

#[tokio::test]
async fn a_sagittal_mr_frame_is_reversed_and_an_axial_ct_one_kept() {
    let mut f = Fixture::demo().await;
    let n = DemoSpec::DEFAULT.images_per_series;
    let rising: Vec<f32> = (0..n)
        .map(|p| (FIRST_SLICE + SLICE_STEP * p as f64) as f32)
        .collect();

    // CT (axial, normal +z): positions rise with the slice location, so the order given is kept.
    let ct = {
        let index = series_of_modality(&f, "CT");
        open(&mut f, index, 1)
    }
    .await;
    assert_eq!(slice_locations(&mut f, &ct).await, rising);
    assert!(!call!(f.client, viewer_controller_flipped_data(ct.clone())).flipped_data);
    assert_eq!(call!(f.client, viewer_controller_idx(ct.clone())).idx, 0);
    assert_eq!(
        call!(f.client, viewer_controller_displayed_idx(ct.clone())).displayed_idx,
        0
    );

    // MR (sagittal, normal −x, like the phantom): the same order steps backwards along the normal, so
    // OsiriX keeps the frame reversed and shows it flipped, opening on the first image asked for.
    let mr = {
        let index = series_of_modality(&f, "MR");
        open(&mut f, index, 1)
    }
    .await;
    let mut falling = rising.clone();
    falling.reverse();
    assert_eq!(slice_locations(&mut f, &mr).await, falling);
    assert!(call!(f.client, viewer_controller_flipped_data(mr.clone())).flipped_data);
    assert_eq!(
        call!(f.client, viewer_controller_idx(mr.clone())).idx,
        n as i32 - 1
    );
    assert_eq!(
        call!(f.client, viewer_controller_displayed_idx(mr.clone())).displayed_idx,
        0
    );
    let current = call!(f.client, viewer_controller_cur_dcm(mr.clone()))
        .pix
        .expect("a pix");
    assert_eq!(
        call!(f.client, dcm_pix_slice_location(current)).slice_location,
        rising[0]
    );
}

#[tokio::test]
async fn indices_follow_osirix_bounds() {
    let mut f = Fixture::demo().await;
    let v = {
        let index = series_of_modality(&f, "MR");
        open(&mut f, index, 2)
    }
    .await;
    let n = DemoSpec::DEFAULT.images_per_series as i32;
    assert_eq!(
        call!(f.client, viewer_controller_max_movie_idx(v.clone())).max_movie_idx,
        2
    );
    for bad in [-1, n, i32::MAX, i32::MIN] {
        fails!(
            f.client,
            viewer_controller_set_idx(proto::ViewerControllerSetIdxRequest {
                viewer_controller: vc(&v),
                idx: bad
            }),
            &format!("Index {bad} is out of range")
        );
        fails!(
            f.client,
            viewer_controller_set_displayed_idx(proto::ViewerControllerSetDisplayedIdxRequest {
                viewer_controller: vc(&v),
                displayed_idx: bad
            }),
            &format!("Index {bad} is out of range")
        );
    }
    call!(
        f.client,
        viewer_controller_set_idx(proto::ViewerControllerSetIdxRequest {
            viewer_controller: vc(&v),
            idx: 1
        })
    );
    assert_eq!(
        call!(f.client, viewer_controller_displayed_idx(v.clone())).displayed_idx,
        n - 2
    );
    call!(
        f.client,
        viewer_controller_set_displayed_idx(proto::ViewerControllerSetDisplayedIdxRequest {
            viewer_controller: vc(&v),
            displayed_idx: 0
        })
    );
    assert_eq!(call!(f.client, viewer_controller_idx(v.clone())).idx, n - 1);
    // SetMovieIdx accepts 0..=F and wraps F to 0.
    call!(
        f.client,
        viewer_controller_set_movie_idx(proto::ViewerControllerSetMovieIdxRequest {
            viewer_controller: vc(&v),
            movie_idx: 1
        })
    );
    assert_eq!(
        call!(f.client, viewer_controller_movie_idx(v.clone())).movie_idx,
        1
    );
    assert_eq!(
        call!(f.client, viewer_controller_idx(v.clone())).idx,
        n - 1,
        "the slice stays"
    );
    call!(
        f.client,
        viewer_controller_set_movie_idx(proto::ViewerControllerSetMovieIdxRequest {
            viewer_controller: vc(&v),
            movie_idx: 2
        })
    );
    assert_eq!(
        call!(f.client, viewer_controller_movie_idx(v.clone())).movie_idx,
        0
    );
    for bad in [3, -1] {
        fails!(
            f.client,
            viewer_controller_set_movie_idx(proto::ViewerControllerSetMovieIdxRequest {
                viewer_controller: vc(&v),
                movie_idx: bad
            }),
            "Invalid movie index"
        );
    }
    // PixList and ROIList clamp the frame.
    let frame0 = f.pix_list(&v, 0).await;
    let frame1 = f.pix_list(&v, 1).await;
    assert_eq!(frame0.len(), n as usize);
    assert_ne!(frame0, frame1, "each frame has its own DCMPix");
    assert_eq!(f.pix_list(&v, -7).await, frame0);
    assert_eq!(f.pix_list(&v, 99).await, frame1);
    let slices = call!(
        f.client,
        viewer_controller_roi_list(proto::ViewerControllerRoiListRequest {
            viewer_controller: vc(&v),
            movie_idx: 99
        })
    );
    assert_eq!(slices.roi_slices.len(), n as usize);
    assert!(slices.roi_slices.iter().all(|s| s.rois.is_empty()));
    // The same live DCMPix keeps its uid.
    assert_eq!(f.pix_list(&v, 0).await, frame0);
}

#[tokio::test]
async fn the_window_starts_from_the_file_or_the_pixel_range() {
    let mut f = Fixture::demo().await;
    // CT files carry WindowCenter 600 and WindowWidth 1200.
    let ct = {
        let index = series_of_modality(&f, "CT");
        open(&mut f, index, 1)
    }
    .await;
    let w = call!(f.client, viewer_controller_wlww(ct.clone()));
    assert_eq!((w.wl, w.ww), (600.0, 1200.0));
    // MR files have none: the phantom's range, background 100 to square 1000.
    let mr = {
        let index = series_of_modality(&f, "MR");
        open(&mut f, index, 1)
    }
    .await;
    let w = call!(f.client, viewer_controller_wlww(mr.clone()));
    assert_eq!((w.wl, w.ww), (550.0, 900.0));
    // SetWLWW stores what it is given, unchecked.
    call!(
        f.client,
        viewer_controller_set_wlww(proto::ViewerControllerSetWlwwRequest {
            viewer_controller: vc(&mr),
            wl: -5.5,
            ww: -1.0
        })
    );
    let w = call!(f.client, viewer_controller_wlww(mr.clone()));
    assert_eq!((w.wl, w.ww), (-5.5, -1.0));
}

#[tokio::test]
async fn title_modality_and_the_volumic_check_follow_the_files() {
    let spec = DemoSpec {
        images_per_series: 5,
        ..DemoSpec::DEFAULT
    };
    let mut f = Fixture::demo_with(spec, |b| b).await;
    let index = series_of_modality(&f, "CT");
    let v = open(&mut f, index, 1).await;
    let record = f.emulator.catalog().series()[index].clone();
    let patient = f.emulator.catalog().studies()[record.study]
        .patient_name
        .clone()
        .expect("a name");
    let title = call!(f.client, viewer_controller_title(v.clone())).title;
    assert!(title.contains(&record.name), "{title}");
    assert!(title.contains(&patient), "{title}");
    assert_eq!(
        call!(f.client, viewer_controller_modality(v.clone())).modality,
        "CT"
    );
    for in_4d in [false, true] {
        let r = call!(
            f.client,
            viewer_controller_is_data_volumic(proto::ViewerControllerIsDataVolumicRequest {
                viewer_controller: vc(&v),
                in_4d
            })
        );
        assert!(r.is_volumic, "five slices of one size");
    }
    // Four slices are not volumic.
    let four = DemoSpec {
        images_per_series: 4,
        ..DemoSpec::DEFAULT
    };
    let mut g = Fixture::demo_with(four, |b| b).await;
    let v = open(&mut g, 0, 1).await;
    let r = call!(
        g.client,
        viewer_controller_is_data_volumic(proto::ViewerControllerIsDataVolumicRequest {
            viewer_controller: vc(&v),
            in_4d: false
        })
    );
    assert!(!r.is_volumic);
}

#[tokio::test]
async fn several_frames_without_movie_open_one_viewer_each() {
    let mut f = Fixture::demo().await;
    let a = series(f.emulator.uid_of_series(0).expect("cached"));
    let b = series(f.emulator.uid_of_series(1).expect("cached"));
    let frames = vec![
        f.images_by_slice_location(&a).await,
        f.images_by_slice_location(&b).await,
    ];
    let last = f.open_viewer(frames, false).await;
    let shown = call!(f.client, osirix_displayed2_d_viewers(Empty {})).viewer_controllers;
    assert_eq!(shown.len(), 2);
    assert_eq!(
        shown[0], last,
        "the last opened is in front and is the one answered"
    );
    for v in &shown {
        assert_eq!(
            call!(f.client, viewer_controller_max_movie_idx(v.clone())).max_movie_idx,
            1
        );
    }
    assert_eq!(
        call!(f.client, osirix_frontmost_viewer(Empty {})).viewer_controller,
        Some(last)
    );
}

#[tokio::test]
async fn opening_refuses_what_osirix_cannot_open() {
    let mut f = Fixture::demo().await;
    let b = f.browser().await;
    let image = image(f.emulator.uid_of_image(0).expect("cached"));
    let frame = |images: Vec<proto::DicomImage>| {
        proto::browser_controller_open_viewer_from_images_request::FrameImages { images }
    };
    let request = |browser: Option<proto::BrowserController>, frames, movie| {
        proto::BrowserControllerOpenViewerFromImagesRequest {
            browser,
            frames,
            movie,
        }
    };
    fails!(
        f.client,
        browser_controller_open_viewer_from_images(request(
            None,
            vec![frame(vec![image.clone()])],
            false
        )),
        "No BrowserController cached"
    );
    fails!(
        f.client,
        browser_controller_open_viewer_from_images(request(
            Some(b.clone()),
            vec![frame(vec![image.clone(), self::image("nope")])],
            false
        )),
        "*** -[__NSArrayM insertObject:atIndex:]: object cannot be nil"
    );
    fails!(
        f.client,
        browser_controller_open_viewer_from_images(request(Some(b.clone()), vec![], false)),
        "Cannot open a viewer: every frame needs at least one image"
    );
    fails!(
        f.client,
        browser_controller_open_viewer_from_images(request(
            Some(b.clone()),
            vec![frame(vec![image.clone()]), frame(vec![])],
            true
        )),
        "Cannot open a viewer: every frame needs at least one image"
    );
    let two = vec![
        image.clone(),
        self::image(f.emulator.uid_of_image(1).expect("cached")),
    ];
    fails!(
        f.client,
        browser_controller_open_viewer_from_images(request(
            Some(b.clone()),
            vec![frame(two), frame(vec![image.clone()])],
            true
        )),
        "Cannot open a 4D viewer: every frame needs the same number of images"
    );
    assert!(
        call!(f.client, osirix_displayed2_d_viewers(Empty {}))
            .viewer_controllers
            .is_empty()
    );
    fails!(
        f.client,
        osirix_frontmost_viewer(Empty {}),
        "No ViewerController active"
    );
}

#[tokio::test]
async fn copies_have_new_pix_no_rois_and_the_changed_pixels() {
    let mut f = Fixture::demo().await;
    let v = open(&mut f, 0, 2).await;
    let pix = f.pix_list(&v, 0).await;
    // An ROI and changed pixels on the original.
    call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            viewer_controller: vc(&v),
            itype: 19,
            rectangle: Some(proto::viewer_controller_new_roi_request::Rect {
                origin_x: 1.0,
                origin_y: 1.0,
                width: 0.0,
                height: 0.0
            }),
            ..Default::default()
        })
    );
    let zeros = vec![0.0; 64 * 64];
    call!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: Some(pix[0].clone()),
            image_data_float: zeros.clone(),
            image_data_argb: Vec::new()
        })
    );
    let copy = call!(f.client, viewer_controller_copy_viewer_window(v.clone()))
        .viewer_controller
        .expect("a copy");
    assert_ne!(copy, v);
    let shown = call!(f.client, osirix_displayed2_d_viewers(Empty {})).viewer_controllers;
    assert_eq!(
        shown,
        vec![copy.clone(), v.clone()],
        "the copy comes to the front"
    );
    assert_eq!(
        call!(f.client, viewer_controller_max_movie_idx(copy.clone())).max_movie_idx,
        2
    );
    let copied = f.pix_list(&copy, 0).await;
    assert_eq!(copied.len(), pix.len());
    assert!(copied.iter().all(|p| !pix.contains(p)), "new DCMPix");
    assert_eq!(
        call!(f.client, dcm_pix_image(copied[0].clone())).image_data_float,
        zeros
    );
    let original = call!(f.client, dcm_pix_image(pix[1].clone())).image_data_float;
    assert_eq!(
        call!(f.client, dcm_pix_image(copied[1].clone())).image_data_float,
        original
    );
    let rois = call!(
        f.client,
        viewer_controller_roi_list(proto::ViewerControllerRoiListRequest {
            viewer_controller: vc(&copy),
            movie_idx: 0
        })
    );
    assert!(rois.roi_slices.iter().all(|s| s.rois.is_empty()));
    // Changing the copy leaves the original alone.
    call!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: Some(copied[1].clone()),
            image_data_float: zeros.clone(),
            image_data_argb: Vec::new()
        })
    );
    assert_eq!(
        call!(f.client, dcm_pix_image(pix[1].clone())).image_data_float,
        original
    );
    for (a, b) in [(&copy, &v)] {
        assert_eq!(
            call!(f.client, viewer_controller_flipped_data(a.clone())).flipped_data,
            call!(f.client, viewer_controller_flipped_data(b.clone())).flipped_data
        );
        assert_eq!(
            call!(f.client, viewer_controller_title(a.clone())).title,
            call!(f.client, viewer_controller_title(b.clone())).title
        );
    }
}

#[tokio::test]
async fn resampling_needs_one_study_and_identical_geometry() {
    let mut f = Fixture::demo().await;
    let catalog = f.emulator.catalog().clone();
    let study0: Vec<usize> = (0..catalog.series().len())
        .filter(|&i| catalog.series()[i].study == 0)
        .collect();
    let other_study = (0..catalog.series().len())
        .find(|&i| catalog.series()[i].study == 1)
        .expect("a series");
    let fixed = open(&mut f, study0[0], 1).await;
    let moving = call!(
        f.client,
        viewer_controller_copy_viewer_window(fixed.clone())
    )
    .viewer_controller
    .expect("a copy");
    let result = call!(
        f.client,
        viewer_controller_resample_viewer_controller(
            proto::ViewerControllerResampleViewerControllerRequest {
                viewer_controller: vc(&moving),
                fixed_viewer_controller: vc(&fixed)
            }
        )
    )
    .resampled_viewer
    .expect("a viewer");
    assert!(result != moving && result != fixed);
    assert_eq!(
        f.pix_list(&result, 0).await.len(),
        f.pix_list(&fixed, 0).await.len()
    );
    // The moving viewer closes; the result comes to the front.
    assert_eq!(
        call!(f.client, osirix_displayed2_d_viewers(Empty {})).viewer_controllers,
        vec![result.clone(), fixed.clone()]
    );
    fails!(
        f.client,
        viewer_controller_title(moving.clone()),
        "No ViewerController cached"
    );

    let elsewhere = open(&mut f, other_study, 1).await;
    fails!(
        f.client,
        viewer_controller_resample_viewer_controller(
            proto::ViewerControllerResampleViewerControllerRequest {
                viewer_controller: vc(&elsewhere),
                fixed_viewer_controller: vc(&fixed)
            }
        ),
        "Resampling is only available for series in the SAME study."
    );
    // The other series of the first study has another orientation.
    let sibling = open(&mut f, study0[1], 1).await;
    let reply = f
        .client
        .viewer_controller_resample_viewer_controller(
            proto::ViewerControllerResampleViewerControllerRequest {
                viewer_controller: vc(&sibling),
                fixed_viewer_controller: vc(&fixed),
            },
        )
        .await
        .expect("answers")
        .into_inner();
    let status = reply.status.expect("a status");
    assert_eq!(status.status, 0);
    assert!(
        status.message.contains("identical geometry"),
        "{}",
        status.message
    );
    fails!(
        f.client,
        viewer_controller_resample_viewer_controller(
            proto::ViewerControllerResampleViewerControllerRequest {
                viewer_controller: vc(&sibling),
                fixed_viewer_controller: None
            }
        ),
        "No fixed ViewerController cached"
    );
    fails!(
        f.client,
        viewer_controller_resample_viewer_controller(
            proto::ViewerControllerResampleViewerControllerRequest {
                viewer_controller: None,
                fixed_viewer_controller: None
            }
        ),
        "No ViewerController cached"
    );
}

#[tokio::test]
async fn fusion_and_the_blending_controller() {
    let mut f = Fixture::demo().await;
    let base = open(&mut f, 0, 2).await;
    let other = open(&mut f, 0, 1).await;
    let fuse = |base: &proto::ViewerController, fusion: Option<proto::ViewerController>| {
        proto::ViewerControllerFuseWithViewerRequest {
            viewer_controller: vc(base),
            fusion_viewer_controller: fusion,
        }
    };
    fails!(
        f.client,
        viewer_controller_blending_controller(base.clone()),
        "No blending controller active"
    );
    // Fusing a viewer with itself does nothing.
    call!(
        f.client,
        viewer_controller_fuse_with_viewer(fuse(&base, vc(&base)))
    );
    fails!(
        f.client,
        viewer_controller_blending_controller(base.clone()),
        "No blending controller active"
    );
    call!(
        f.client,
        viewer_controller_fuse_with_viewer(fuse(&base, vc(&other)))
    );
    assert_eq!(
        call!(
            f.client,
            viewer_controller_blending_controller(base.clone())
        )
        .blending_viewer,
        Some(other.clone())
    );
    fails!(
        f.client,
        viewer_controller_fuse_with_viewer(fuse(&base, None)),
        "No fusion ViewerController cached"
    );
    // Closing the partner ends the fusion.
    call!(f.client, viewer_controller_close_viewer(other));
    fails!(
        f.client,
        viewer_controller_blending_controller(base.clone()),
        "No blending controller active"
    );
}

#[tokio::test]
async fn windows_come_to_the_front_and_close_with_their_objects() {
    let mut f = Fixture::demo().await;
    let a = f
        .emulator
        .open_series(ObjectRef::Series(0))
        .await
        .expect("opens");
    let b = f
        .emulator
        .open_series(ObjectRef::Series(1))
        .await
        .expect("opens");
    assert_eq!(f.emulator.viewers(), vec![b, a]);
    // Nothing is cached until an RPC returns it.
    assert_eq!(f.emulator.uid_of(a), None);
    let front = call!(f.client, osirix_frontmost_viewer(Empty {}))
        .viewer_controller
        .expect("a viewer");
    assert_eq!(f.emulator.lookup(&front.osirixrpc_uid), Some(b));
    f.emulator.bring_to_front(a).expect("open");
    let shown = call!(f.client, osirix_displayed2_d_viewers(Empty {})).viewer_controllers;
    assert_eq!(
        shown
            .iter()
            .map(|v| f.emulator.lookup(&v.osirixrpc_uid))
            .collect::<Vec<_>>(),
        vec![Some(a), Some(b)]
    );
    let va = shown[0].clone();

    // Hand out a's DCMPix and an ROI, then close it: they all leave the cache, the database stays.
    let pix = f.pix_list(&va, 0).await;
    let roi = call!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            viewer_controller: vc(&va),
            itype: 11,
            points: [(1.0, 1.0), (9.0, 1.0), (5.0, 7.0)]
                .iter()
                .map(|&(x, y)| proto::viewer_controller_new_roi_request::Point2D { x, y })
                .collect(),
            ..Default::default()
        })
    )
    .roi
    .expect("an ROI");
    let image = call!(f.client, dcm_pix_dicom_image(pix[0].clone()))
        .dicom_image
        .expect("an image");
    let before = call!(f.client, osirix_cache_uids(Empty {})).uids;
    assert!(before.contains(&roi.osirixrpc_uid));
    call!(f.client, viewer_controller_close_viewer(va.clone()));
    let after = call!(f.client, osirix_cache_uids(Empty {})).uids;
    assert!(!after.contains(&va.osirixrpc_uid) && !after.contains(&roi.osirixrpc_uid));
    assert!(pix.iter().all(|p| !after.contains(&p.osirixrpc_uid)));
    assert!(after.contains(&image.osirixrpc_uid));
    assert_all_not_cached(
        &statuses(&mut f.client, Class::ViewerController, &va.osirixrpc_uid).await,
        Class::ViewerController,
    );
    assert_all_not_cached(
        &statuses(&mut f.client, Class::DcmPix, &pix[0].osirixrpc_uid).await,
        Class::DcmPix,
    );
    assert_all_not_cached(
        &statuses(&mut f.client, Class::Roi, &roi.osirixrpc_uid).await,
        Class::Roi,
    );
    let kind = call!(
        f.client,
        osirix_cache_object_for_uid(proto::OsirixCacheObjectForUidRequest {
            uid: roi.osirixrpc_uid
        })
    );
    assert_eq!(kind.object_type, "no object");
    call!(f.client, dicom_image_width(image));

    // A person closes the other window.
    assert!(f.emulator.close_window(a).is_err(), "already closed");
    f.emulator.close_window(b).expect("open");
    assert!(f.emulator.viewers().is_empty());
    fails!(
        f.client,
        osirix_frontmost_viewer(Empty {}),
        "No ViewerController active"
    );
    // A viewer opened again is a new object with a new uid.
    let again = f
        .emulator
        .open_series(ObjectRef::Series(0))
        .await
        .expect("opens");
    assert_ne!(again, a);
}

#[tokio::test]
async fn every_scene_rpc_fails_not_cached_for_bad_uids() {
    let mut f = Fixture::demo().await;
    let study_uid = f.emulator.uid_of_study(0).expect("cached");
    let v = open(&mut f, 0, 1).await;
    let pix = f.pix_list(&v, 0).await.remove(0);
    for (class, other) in [
        (Class::ViewerController, pix.osirixrpc_uid.clone()),
        (Class::DcmPix, v.osirixrpc_uid.clone()),
        (Class::Roi, study_uid.clone()),
    ] {
        for uid in [
            "",
            "garbage",
            "00000000-0000-4000-8000-000000000000",
            other.as_str(),
            &other.to_lowercase(),
        ] {
            assert_all_not_cached(&statuses(&mut f.client, class, uid).await, class);
        }
    }
    // Nothing happened to the live objects.
    assert_eq!(
        call!(f.client, osirix_displayed2_d_viewers(Empty {})).viewer_controllers,
        vec![v]
    );
    call!(f.client, dcm_pix_shape(pix));
}

#[tokio::test]
async fn a_key_viewer_shows_its_frame_in_viewers_with_as_many_frames() {
    let mut f = Fixture::demo().await;
    let index = series_of_modality(&f, "MR");
    let movie =
        |v: &proto::ViewerController, movie_idx: i32| proto::ViewerControllerSetMovieIdxRequest {
            viewer_controller: vc(v),
            movie_idx,
        };
    let a = open(&mut f, index, 2).await;
    let flat = open(&mut f, index, 1).await;
    call!(f.client, viewer_controller_set_movie_idx(movie(&a, 1)));
    call!(
        f.client,
        viewer_controller_set_idx(proto::ViewerControllerSetIdxRequest {
            viewer_controller: vc(&a),
            idx: 3
        })
    );
    // A new 4D viewer of two frames opens on frame 0 and becomes key: a follows, keeping its slice.
    let b = open(&mut f, index, 2).await;
    assert_eq!(
        call!(f.client, viewer_controller_movie_idx(a.clone())).movie_idx,
        0
    );
    assert_eq!(call!(f.client, viewer_controller_idx(a.clone())).idx, 3);
    // A click on a, now on frame 1, brings b to frame 1; the 2D viewer has one frame and stays.
    call!(f.client, viewer_controller_set_movie_idx(movie(&a, 1)));
    let key = f.emulator.lookup(&a.osirixrpc_uid).expect("cached");
    f.emulator.bring_to_front(key).expect("open");
    assert_eq!(
        call!(f.client, viewer_controller_movie_idx(b.clone())).movie_idx,
        1
    );
    assert_eq!(
        call!(f.client, viewer_controller_movie_idx(flat.clone())).movie_idx,
        0
    );
    // A copy opens on frame 0, which the others then show too.
    let copy = call!(f.client, viewer_controller_copy_viewer_window(a.clone()))
        .viewer_controller
        .expect("a copy");
    for v in [&copy, &a, &b] {
        assert_eq!(
            call!(f.client, viewer_controller_movie_idx(v.clone())).movie_idx,
            0
        );
    }
    // Closing the copy leaves a in front and key: b follows a's frame again.
    call!(f.client, viewer_controller_set_movie_idx(movie(&a, 1)));
    call!(f.client, viewer_controller_close_viewer(copy));
    assert_eq!(
        call!(f.client, viewer_controller_movie_idx(b.clone())).movie_idx,
        1
    );
}
