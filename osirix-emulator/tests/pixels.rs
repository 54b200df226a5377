//! DCMPix on generated demo data, whose pixels hold a known phantom: the geometry from the headers, the
//! decoded values (rescale applied, colour as ARGB, one DCMPix per frame of a multi-frame file), SetImage and
//! the colour conversions with their failure strings, lazy decoding within the memory budget, and 1 000
//! concurrent pixel reads.

use osirix_emulator::ObjectRef;
use osirix_emulator::demo::{DemoSpec, PIXEL_SPACING, Phantom};
use osirix_emulator::proto;
use osirix_emulator::testing::*;
use osirix_emulator::{call_fails as fails, call_ok as call};

/// Opens series `index` as a person would and gives its viewer handle and its frame-0 DCMPix.
async fn viewer_on(
    f: &mut Fixture,
    index: usize,
) -> (ObjectRef, proto::ViewerController, Vec<proto::DcmPix>) {
    let viewer = f
        .emulator
        .open_series(ObjectRef::Series(index))
        .await
        .expect("opens");
    f.emulator.bring_to_front(viewer).expect("open");
    let handle = call!(f.client, osirix_frontmost_viewer(proto::Empty {}))
        .viewer_controller
        .expect("a viewer");
    let pix = f.pix_list(&handle, 0).await;
    (viewer, handle, pix)
}

/// The phantom position of a DCMPix (its rank by slice location).
async fn phantom_of(f: &mut Fixture, spec: &DemoSpec, pix: &proto::DcmPix) -> Phantom {
    let image = call!(f.client, dcm_pix_dicom_image(pix.clone()))
        .dicom_image
        .expect("an image");
    let record = f
        .emulator
        .catalog()
        .image_by_uid(&image.osirixrpc_uid)
        .expect("a record")
        .clone();
    Phantom::for_image(spec, &record).expect("a demo slice")
}

fn pix_handle(pix: &proto::DcmPix) -> Option<proto::DcmPix> {
    Some(pix.clone())
}

#[tokio::test]
async fn geometry_and_database_objects_come_from_the_files() {
    let mut f = Fixture::demo().await;
    let catalog = f.emulator.catalog().clone();
    for index in 0..2 {
        let (_, _, pixes) = viewer_on(&mut f, index).await;
        let ct = catalog.series()[index].modality == "CT";
        for pix in pixes {
            let image = call!(f.client, dcm_pix_dicom_image(pix.clone()))
                .dicom_image
                .expect("an image");
            let record = catalog
                .image_by_uid(&image.osirixrpc_uid)
                .expect("a record");
            let shape = call!(f.client, dcm_pix_shape(pix.clone()));
            assert_eq!((shape.rows, shape.columns), (64, 64));
            let spacing = call!(f.client, dcm_pix_spacing(pix.clone()));
            assert_eq!(
                (spacing.spacing_rows, spacing.spacing_columns),
                (PIXEL_SPACING as f32, PIXEL_SPACING as f32)
            );
            // OsiriX's slice location (the centre along the normal's dominant axis) is the file's here.
            assert_eq!(
                call!(f.client, dcm_pix_slice_location(pix.clone())).slice_location,
                record.slice_location
            );
            let origin = call!(f.client, dcm_pix_origin(pix.clone()));
            let c = (63.0 * PIXEL_SPACING / 2.0) as f32;
            let expected = if ct {
                [-c, -c, record.slice_location]
            } else {
                [record.slice_location, -c, c]
            };
            assert_eq!(
                [origin.origin_x, origin.origin_y, origin.origin_z],
                expected
            );
            let orientation = call!(f.client, dcm_pix_orientation(pix.clone())).orientation;
            let expected: [f32; 9] = if ct {
                [1., 0., 0., 0., 1., 0., 0., 0., 1.]
            } else {
                [0., 1., 0., 0., 0., -1., -1., 0., 0.]
            };
            assert_eq!(orientation, expected);
            assert_eq!(
                call!(f.client, dcm_pix_source_file(pix.clone())).source_file,
                record.path
            );
            assert_eq!(
                call!(f.client, dcm_pix_dicom_series(pix.clone())).dicom_series,
                Some(series(catalog.series()[index].uid.clone()))
            );
            assert_eq!(
                call!(f.client, dcm_pix_dicom_study(pix.clone())).dicom_study,
                Some(study(catalog.studies()[record.study].uid.clone()))
            );
        }
    }
}

#[tokio::test]
async fn pixels_are_the_phantom_with_the_rescale_applied() {
    let spec = DemoSpec::DEFAULT;
    let mut f = Fixture::demo().await;
    for index in 0..2 {
        let (_, _, pixes) = viewer_on(&mut f, index).await;
        for pix in pixes {
            let phantom = phantom_of(&mut f, &spec, &pix).await;
            let image = call!(f.client, dcm_pix_image(pix.clone()));
            assert_eq!((image.rows, image.columns, image.is_argb), (64, 64, false));
            assert!(image.image_data_argb.is_empty());
            assert_eq!(image.image_data_float, phantom.values());
            assert!(!call!(f.client, dcm_pix_is_rgb(pix.clone())).is_rgb);
        }
    }
}

#[tokio::test]
async fn colour_images_are_argb_and_a_multi_frame_file_has_a_dcmpix_per_frame() {
    let spec = DemoSpec {
        colour_and_multi_frame: true,
        ..DemoSpec::DEFAULT
    };
    let mut f = Fixture::demo_with(spec, |b| b).await;
    let catalog = f.emulator.catalog().clone();
    let colour = catalog
        .series()
        .iter()
        .position(|s| s.modality == "OT")
        .expect("the colour series");
    let (_, _, pixes) = viewer_on(&mut f, colour).await;
    for pix in &pixes {
        let phantom = phantom_of(&mut f, &spec, pix).await;
        assert!(call!(f.client, dcm_pix_is_rgb(pix.clone())).is_rgb);
        let image = call!(f.client, dcm_pix_image(pix.clone()));
        assert!(image.is_argb && image.image_data_float.is_empty());
        let expected: Vec<i32> = (0..64)
            .flat_map(|row| (0..64).map(move |column| (column, row)))
            .flat_map(|(column, row)| {
                let [r, g, b] = phantom.colour_at(column, row);
                [255, i32::from(r), i32::from(g), i32::from(b)]
            })
            .collect();
        assert_eq!(image.image_data_argb, expected);
    }
    // No values for a colour DCMPix, checked before the ROI.
    fails!(
        f.client,
        dcm_pix_compute_roi(proto::DcmPixComputeRoiRequest {
            pix: pix_handle(&pixes[0]),
            roi: None
        }),
        "No values provided for RGB pix"
    );
    fails!(
        f.client,
        dcm_pix_roi_values(proto::DcmPixRoiValuesRequest {
            pix: pix_handle(&pixes[0]),
            roi: None
        }),
        "No values provided for RGB pix"
    );
    fails!(
        f.client,
        dcm_pix_convert_to_rgb(proto::DcmPixConvertToRgbRequest {
            pix: pix_handle(&pixes[0]),
            rgb_channel: 0
        }),
        "Data already RGB"
    );

    let multi = catalog
        .series()
        .iter()
        .position(|s| {
            s.number_of_images == 1 && catalog.images()[s.sorted_images[0]].number_of_frames > 1
        })
        .expect("the multi-frame series");
    let (_, _, frames) = viewer_on(&mut f, multi).await;
    assert_eq!(frames.len(), spec.images_per_series);
    let mut locations = Vec::new();
    for frame in &frames {
        let image = call!(f.client, dcm_pix_image(frame.clone())).image_data_float;
        let location = call!(f.client, dcm_pix_slice_location(frame.clone())).slice_location;
        let position = ((f64::from(location) - osirix_emulator::demo::FIRST_SLICE)
            / osirix_emulator::demo::SLICE_STEP)
            .round() as usize;
        assert_eq!(
            image,
            Phantom::new(&spec, position).values(),
            "frame at {location}"
        );
        locations.push(location);
    }
    let mut sorted = locations.clone();
    sorted.sort_by(f32::total_cmp);
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        frames.len(),
        "one DCMPix per frame, each at its own place"
    );
}

#[tokio::test]
async fn set_image_and_the_conversions() {
    let mut f = Fixture::demo().await;
    let (_, _, pixes) = viewer_on(&mut f, 0).await;
    let pix = pixes[0].clone();
    let p = || pix_handle(&pix);
    let original = call!(f.client, dcm_pix_image(pix.clone())).image_data_float;
    // Greyscale: exactly rows × columns floats; the ARGB array is ignored.
    fails!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: p(),
            image_data_float: vec![1.0; 10],
            image_data_argb: Vec::new()
        }),
        "Incompatible image shape"
    );
    fails!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: p(),
            image_data_float: Vec::new(),
            image_data_argb: vec![0; 64 * 64 * 4]
        }),
        "Incompatible image shape"
    );
    assert_eq!(
        call!(f.client, dcm_pix_image(pix.clone())).image_data_float,
        original
    );
    let ramp: Vec<f32> = (0..64 * 64).map(|i| i as f32).collect();
    call!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: p(),
            image_data_float: ramp.clone(),
            image_data_argb: vec![7; 3]
        })
    );
    assert_eq!(
        call!(f.client, dcm_pix_image(pix.clone())).image_data_float,
        ramp
    );

    fails!(
        f.client,
        dcm_pix_convert_to_bw(proto::DcmPixConvertToBwRequest {
            pix: p(),
            bw_channel: 0
        }),
        "Data already BW"
    );
    for bad in [-1, 4] {
        fails!(
            f.client,
            dcm_pix_convert_to_rgb(proto::DcmPixConvertToRgbRequest {
                pix: p(),
                rgb_channel: bad
            }),
            "Requested RGB type not understood"
        );
    }
    // Channel 3: the 8-bit value of the ramp's own window (0–4095) in every byte, alpha the RGB mean.
    call!(
        f.client,
        dcm_pix_convert_to_rgb(proto::DcmPixConvertToRgbRequest {
            pix: p(),
            rgb_channel: 3
        })
    );
    let argb = call!(f.client, dcm_pix_image(pix.clone())).image_data_argb;
    assert_eq!(argb.len(), 64 * 64 * 4);
    assert_eq!(&argb[..4], &[0, 0, 0, 0]);
    assert_eq!(&argb[argb.len() - 4..], &[255, 255, 255, 255]);
    assert!(
        argb.chunks(4)
            .all(|px| px[0] == px[1] && px[1] == px[2] && px[2] == px[3])
    );
    fails!(
        f.client,
        dcm_pix_convert_to_rgb(proto::DcmPixConvertToRgbRequest {
            pix: p(),
            rgb_channel: 0
        }),
        "Data already RGB"
    );
    // ARGB: exactly 4 × rows × columns values, each cut to its low byte.
    fails!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: p(),
            image_data_float: ramp.clone(),
            image_data_argb: Vec::new()
        }),
        "Incompatible image shape"
    );
    let wire: Vec<i32> = (0..64 * 64).flat_map(|_| [256, -1, 300, 12]).collect();
    call!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: p(),
            image_data_float: Vec::new(),
            image_data_argb: wire
        })
    );
    let stored = call!(f.client, dcm_pix_image(pix.clone())).image_data_argb;
    assert!(stored.chunks(4).all(|px| px == [0, 255, 44, 12]));
    for bad in [-1, 4] {
        fails!(
            f.client,
            dcm_pix_convert_to_bw(proto::DcmPixConvertToBwRequest {
                pix: p(),
                bw_channel: bad
            }),
            "Requested BW type not understood"
        );
    }
    call!(
        f.client,
        dcm_pix_convert_to_bw(proto::DcmPixConvertToBwRequest {
            pix: p(),
            bw_channel: 3
        })
    );
    let grey = call!(f.client, dcm_pix_image(pix.clone()));
    assert!(!grey.is_argb);
    assert!(
        grey.image_data_float
            .iter()
            .all(|&v| v == (255.0 + 44.0 + 12.0) / 3.0)
    );
    // The other DCMPix of the viewer are untouched.
    let second = call!(f.client, dcm_pix_image(pixes[1].clone()));
    assert!(!second.is_argb);
}

#[tokio::test]
async fn pixels_are_decoded_only_when_asked_for_and_unchanged_ones_are_dropped_past_the_budget() {
    // Room for two decoded 64 × 64 images.
    let budget = 2 * 64 * 64 * 4;
    let spec = DemoSpec {
        images_per_series: 6,
        ..DemoSpec::DEFAULT
    };
    let mut f = Fixture::demo_with(spec, |b| b.pixel_memory(budget)).await;
    let (viewer, _, pixes) = viewer_on(&mut f, 0).await;
    let objects: Vec<ObjectRef> = pixes
        .iter()
        .map(|p| f.emulator.lookup(&p.osirixrpc_uid).expect("cached"))
        .collect();
    assert!(
        objects
            .iter()
            .all(|&o| f.emulator.pixels_loaded(o) == Some(false)),
        "opening decodes nothing"
    );
    assert_eq!(f.emulator.pixel_memory_used(), 0);
    // Geometry needs no pixels.
    call!(f.client, dcm_pix_shape(pixes[0].clone()));
    assert_eq!(f.emulator.pixels_loaded(objects[0]), Some(false));

    // A changed DCMPix keeps its pixels whatever the budget.
    let changed = vec![42.0; 64 * 64];
    call!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: pix_handle(&pixes[0]),
            image_data_float: changed.clone(),
            image_data_argb: Vec::new()
        })
    );
    let mut expected = Vec::new();
    for pix in &pixes[1..] {
        expected.push(call!(f.client, dcm_pix_image(pix.clone())).image_data_float);
        assert!(f.emulator.pixel_memory_used() <= budget);
    }
    let loaded: Vec<bool> = objects
        .iter()
        .map(|&o| f.emulator.pixels_loaded(o).expect("live"))
        .collect();
    assert_eq!(
        loaded,
        [true, false, false, false, true, true],
        "the changed one and the two most recent"
    );
    // A dropped one is decoded again, identical.
    assert_eq!(
        call!(f.client, dcm_pix_image(pixes[1].clone())).image_data_float,
        expected[0]
    );
    assert_eq!(
        call!(f.client, dcm_pix_image(pixes[0].clone())).image_data_float,
        changed
    );
    // Closing the viewer frees them all.
    f.emulator.close_window(viewer).expect("open");
    assert_eq!(f.emulator.pixel_memory_used(), 0);
    assert_eq!(f.emulator.pixels_loaded(objects[0]), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_pixel_reads() {
    let spec = DemoSpec::DEFAULT;
    let mut f = Fixture::demo().await;
    let (_, _, pixes) = viewer_on(&mut f, 0).await;
    let mut expected = Vec::new();
    for pix in &pixes {
        expected.push(phantom_of(&mut f, &spec, pix).await.values());
    }
    let expected = std::sync::Arc::new(expected);
    let clients: Vec<Client> = {
        let mut clients = vec![f.client.clone()];
        for _ in 0..3 {
            clients.push(connect(&f.emulator).await);
        }
        clients
    };
    let reads: Vec<_> = (0..1000)
        .map(|i| {
            let mut client = clients[i % clients.len()].clone();
            let pix = pixes[i % pixes.len()].clone();
            let expected = std::sync::Arc::clone(&expected);
            tokio::spawn(async move {
                let image = client
                    .dcm_pix_image(pix)
                    .await
                    .expect("answers")
                    .into_inner();
                assert_ok(&image.status);
                assert_eq!(image.image_data_float, expected[i % expected.len()]);
            })
        })
        .collect();
    for read in futures_util::future::join_all(reads).await {
        read.expect("a read");
    }
    assert_eq!(f.emulator.calls("DCMPixImage"), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_viewer_on_a_thousand_slices_decodes_nothing_until_asked() {
    let spec = DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 1000,
        image_size: 16,
        ..DemoSpec::DEFAULT
    };
    let mut f = Fixture::demo_with(spec, |b| b).await;
    let (viewer, handle, pixes) = viewer_on(&mut f, 0).await;
    assert_eq!(pixes.len(), 1000);
    assert_eq!(f.emulator.pixel_memory_used(), 0);
    let objects: Vec<ObjectRef> = pixes
        .iter()
        .map(|p| f.emulator.lookup(&p.osirixrpc_uid).expect("cached"))
        .collect();
    assert!(
        objects
            .iter()
            .all(|&o| f.emulator.pixels_loaded(o) == Some(false))
    );
    // Reading the viewer's indices and geometry decodes nothing either; one image decodes one DCMPix.
    call!(
        f.client,
        viewer_controller_is_data_volumic(proto::ViewerControllerIsDataVolumicRequest {
            viewer_controller: Some(handle.clone()),
            in_4d: true
        })
    );
    call!(f.client, dcm_pix_origin(pixes[500].clone()));
    assert_eq!(f.emulator.pixel_memory_used(), 0);
    call!(f.client, dcm_pix_image(pixes[500].clone()));
    assert_eq!(f.emulator.pixel_memory_used(), 16 * 16 * 4);
    assert_eq!(
        objects
            .iter()
            .filter(|&&o| f.emulator.pixels_loaded(o) == Some(true))
            .count(),
        1
    );
    f.emulator.close_window(viewer).expect("open");
}

#[tokio::test]
async fn a_frame_that_cannot_be_decoded_answers_could_not_create_image() {
    let mut f = Fixture::demo().await;
    let (_, _, pixes) = viewer_on(&mut f, 0).await;
    let broken = pixes[1].clone();
    let path = call!(f.client, dcm_pix_source_file(broken.clone())).source_file;
    // Cut the file inside its pixel data: the header still reads, the pixels do not.
    let bytes = std::fs::read(&path).expect("the file");
    std::fs::write(&path, &bytes[..bytes.len() - 100]).expect("write");
    fails!(
        f.client,
        dcm_pix_image(broken.clone()),
        "Could not create image"
    );
    fails!(
        f.client,
        dcm_pix_set_image(proto::DcmPixSetImageRequest {
            pix: Some(broken.clone()),
            image_data_float: vec![0.0; 64 * 64],
            image_data_argb: Vec::new()
        }),
        "Could not create image"
    );
    fails!(
        f.client,
        dcm_pix_convert_to_rgb(proto::DcmPixConvertToRgbRequest {
            pix: Some(broken.clone()),
            rgb_channel: 0
        }),
        "Could not create image"
    );
    // What the header gives still works, and so do the other DCMPix.
    let shape = call!(f.client, dcm_pix_shape(broken));
    assert_eq!((shape.rows, shape.columns), (64, 64));
    call!(f.client, dcm_pix_image(pixes[0].clone()));
}
