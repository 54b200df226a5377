//! `DCMPix` through the SDK, end to end against the emulator: geometry and pixels checked against the demo
//! phantom, statistics computed by hand, the colour conversions, `set_image`'s refusals, the caching policy,
//! and the values the upstream tests pin on the MR phantom (when `OSIRIX_PHANTOM_DIR` is set).

use osirix_emulator::demo::{DemoSpec, FIRST_SLICE, PIXEL_SPACING, Phantom, SLICE_STEP};
use osirix_sdk::{
    BrowserController, Client, DcmPix, DicomSeries, Error, GreySource, PixelImage, Plane,
    RgbChannel, Roi, RoiSpec, Shape, Spacing, Vector3, ViewerController,
};
use tests::Fixture;
use tests::accessors;

const SPEC: DemoSpec = DemoSpec::DEFAULT;
const SIZE: u32 = SPEC.image_size as u32;

struct Opened {
    series: DicomSeries,
    viewer: ViewerController,
    pix: Vec<DcmPix>,
}

async fn mr_series(client: &Client) -> (BrowserController, DicomSeries) {
    let browser = client.current_browser().await.expect("browser");
    for (_, series) in tests::all_series(client).await {
        if series.modality().await.expect("modality") == "MR" {
            return (browser, series);
        }
    }
    panic!("the demo has MR series")
}

async fn open(f: &Fixture) -> Opened {
    let (browser, series) = mr_series(&f.client).await;
    let viewer = browser.open_viewer(&series).await.expect("viewer");
    let pix = viewer.pix_list(0).await.expect("pix");
    Opened {
        series,
        viewer,
        pix,
    }
}

/// The phantom a DCMPix shows, from its slice location.
async fn phantom_of(pix: &DcmPix) -> Phantom {
    let location = f64::from(pix.slice_location().await.expect("location"));
    let position = ((location - FIRST_SLICE) / SLICE_STEP).round();
    assert!(position >= 0.0, "{location}");
    Phantom::new(&SPEC, position as usize)
}

fn osirix_message(err: &Error) -> &str {
    match err {
        Error::Osirix { message, .. } => message,
        other => panic!("expected an in-band failure, got {other:?}"),
    }
}

fn close(a: f32, b: f32, tolerance: f32) -> bool {
    (a - b).abs() <= tolerance
}

/// A 2-row × 4-column mask whose left half lies left of the square and whose right half is in it.
async fn straddling_mask(o: &Opened, slice: usize) -> (Roi, Phantom) {
    let phantom = phantom_of(&o.pix[slice]).await;
    let square = phantom.square();
    let mask = Plane::filled(
        Shape {
            rows: 2,
            columns: 4,
        },
        true,
    );
    let spec = RoiSpec::mask(mask, square.column as i32 - 2, square.row as i32).expect("mask");
    let roi = o
        .viewer
        .new_roi(&spec, slice as u32, 0)
        .await
        .expect("mask ROI");
    (roi, phantom)
}

#[tokio::test]
async fn geometry_matches_the_demo_files() {
    let f = Fixture::demo().await;
    let o = open(&f).await;
    let (study, images) = (
        o.series.study().await.expect("study"),
        o.series.sorted_images().await.expect("images"),
    );
    let n = o.pix.len();
    let corner = (f64::from(SIZE) - 1.0) * PIXEL_SPACING / 2.0;
    for (k, pix) in o.pix.iter().enumerate() {
        // Data order is the reverse of the sorted order (see the viewer tests).
        let position = n - 1 - k;
        let location = (FIRST_SLICE + SLICE_STEP * position as f64) as f32;
        assert_eq!(
            pix.shape().await.expect("shape"),
            Shape {
                rows: SIZE,
                columns: SIZE
            }
        );
        let spacing = PIXEL_SPACING as f32;
        assert_eq!(
            pix.spacing().await.expect("spacing"),
            Spacing {
                rows: spacing,
                columns: spacing
            }
        );
        assert!(close(
            pix.slice_location().await.expect("location"),
            location,
            1e-4
        ));
        let origin = pix.origin().await.expect("origin");
        let expected = Vector3::new(location, -corner as f32, corner as f32);
        assert!(
            close(origin.x, expected.x, 1e-4)
                && close(origin.y, expected.y, 1e-4)
                && close(origin.z, expected.z, 1e-4),
            "{origin:?} != {expected:?}"
        );
        let orientation = pix.orientation().await.expect("orientation");
        assert_eq!(orientation.row, Vector3::new(0.0, 1.0, 0.0));
        assert_eq!(orientation.column, Vector3::new(0.0, 0.0, -1.0));
        assert_eq!(
            orientation.normal,
            Vector3::new(-1.0, 0.0, 0.0),
            "row × column"
        );

        let image = pix.dicom_image().await.expect("image");
        assert_eq!(image, images[position]);
        assert_eq!(
            pix.source_file().await.expect("file"),
            image.complete_path().await.expect("path")
        );
        assert_eq!(pix.dicom_series().await.expect("series"), o.series);
        assert_eq!(pix.dicom_study().await.expect("study"), study);
    }
}

#[tokio::test]
async fn pixels_are_the_phantom_and_set_image_writes_them() {
    let f = Fixture::demo().await;
    let o = open(&f).await;
    let pix = &o.pix[1];
    let phantom = phantom_of(pix).await;
    assert!(!pix.is_rgb().await.expect("is rgb"));
    let image = pix.image().await.expect("image");
    let grey = image.as_grey().expect("greyscale");
    assert_eq!(
        grey.shape(),
        Shape {
            rows: SIZE,
            columns: SIZE
        }
    );
    assert_eq!(grey.as_slice(), phantom.values().as_slice());
    let disc = phantom.disc();
    assert_eq!(grey[(disc.row as usize, disc.column as usize)], disc.value);
    assert_eq!(grey.get(SIZE as usize, 0), None);
    assert_eq!(grey.row_iter().count(), SIZE as usize);
    assert!(
        grey.indexed_iter()
            .all(|((row, column), v)| *v == phantom.value_at(column as u32, row as u32))
    );

    // Twice the values, read back; then restored.
    let doubled: Vec<f32> = grey.iter().map(|v| v * 2.0).collect();
    let doubled = PixelImage::Grey(Plane::new(grey.shape(), doubled).expect("shape"));
    pix.set_image(&doubled).await.expect("set image");
    assert_eq!(pix.image().await.expect("image"), doubled);
    pix.set_image(&image).await.expect("restore");
    assert_eq!(pix.image().await.expect("image"), image);

    // A wrong shape is refused before anything is sent.
    let before = f.emulator.calls("DCMPixSetImage");
    let small = PixelImage::Grey(Plane::filled(
        Shape {
            rows: 2,
            columns: 3,
        },
        0.0,
    ));
    match pix.set_image(&small).await.expect_err("wrong shape") {
        Error::InvalidArgument { reason } => assert!(reason.contains("2 × 3"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.emulator.calls("DCMPixSetImage"), before);
    assert!(
        Plane::new(
            Shape {
                rows: 2,
                columns: 2
            },
            vec![0.0_f32; 3]
        )
        .is_err()
    );
}

#[tokio::test]
async fn statistics_values_and_maps_of_a_mask_are_computed_by_hand() {
    let f = Fixture::demo().await;
    let o = open(&f).await;
    let (roi, phantom) = straddling_mask(&o, 0).await;
    let pix = &o.pix[0];
    let square = phantom.square();

    // Scan order: two rows of 100, 100, 1000, 1000.
    let values = pix.roi_values(&roi).await.expect("values");
    let got: Vec<(i32, i32, f32)> = values.iter().map(|v| (v.row, v.column, v.value)).collect();
    let (c, r) = (square.column as i32, square.row as i32);
    let mut expected = Vec::new();
    for row in [r, r + 1] {
        for (column, value) in [(c - 2, 100.0), (c - 1, 100.0), (c, 1000.0), (c + 1, 1000.0)] {
            expected.push((row, column, value));
        }
    }
    assert_eq!(got, expected);

    // N = 8, four of 100 and four of 1000: mean 550, every deviation ±450, so the population std is 450 and
    // the skewness 0. With the (N − 1) moments, m2 = 8·450²/7 and m4 = 8·450⁴/7, so m4 / m2² = 7/8 and the
    // excess kurtosis is 0.875 − 3.
    let stats = pix.compute_roi(&roi).await.expect("stats");
    assert!(close(stats.mean, 550.0, 1e-3), "{stats:?}");
    assert!(close(stats.total, 4400.0, 1e-3), "{stats:?}");
    assert!(close(stats.std_dev, 450.0, 1e-3), "{stats:?}");
    assert_eq!((stats.min, stats.max), (100.0, 1000.0));
    assert!(close(stats.skewness, 0.0, 1e-5), "{stats:?}");
    assert!(close(stats.kurtosis, 0.875 - 3.0, 1e-4), "{stats:?}");

    // The same through the ROI, which finds its own DCMPix.
    assert_eq!(roi.stats().await.expect("stats"), stats);
    assert_eq!(roi.values().await.expect("values"), values);
    assert_eq!(
        roi.mask().await.expect("mask"),
        pix.map_from_roi(&roi).await.expect("map")
    );

    // The mask covers exactly those 8 pixels of this slice (any slice's pix may be asked).
    let map = o.pix[3].map_from_roi(&roi).await.expect("map");
    assert_eq!(
        map.shape(),
        Shape {
            rows: SIZE,
            columns: SIZE
        }
    );
    assert_eq!(map.iter().filter(|&&set| set).count(), 8);
    for &(row, column, _) in &expected {
        assert!(map[(row as usize, column as usize)]);
    }

    // Other slices: the same geometry over their pixels.
    let other = o.pix[4].roi_values(&roi).await.expect("values");
    assert_eq!(other.len(), 8);

    // A rectangle has no map.
    let rect = o
        .viewer
        .new_roi(
            &RoiSpec::rectangle(osirix_sdk::Point::new(2.0, 2.0), 4.0, 4.0).unwrap(),
            0,
            0,
        )
        .await
        .expect("rectangle");
    let err = pix.map_from_roi(&rect).await.expect_err("not a mask");
    assert_eq!(osirix_message(&err), "Invalid ROI");
    // A stale ROI argument.
    let gone = Roi::from_uid(&f.client, "0F0F0F0F-0000-4000-8000-00000000000B").unwrap();
    for err in [
        pix.compute_roi(&gone).await.expect_err("stale roi"),
        pix.roi_values(&gone).await.expect_err("stale roi"),
        pix.map_from_roi(&gone).await.expect_err("stale roi"),
    ] {
        assert_eq!(osirix_message(&err), "No ROI cached");
    }
}

#[tokio::test]
async fn colour_conversions_round_trip_and_refuse_the_mode_they_are_in() {
    let f = Fixture::demo().await;
    let o = open(&f).await;
    let (roi, phantom) = straddling_mask(&o, 2).await;
    let pix = &o.pix[2];
    let square = phantom.square();

    let err = pix
        .convert_to_bw(GreySource::Red)
        .await
        .expect_err("already BW");
    assert_eq!(osirix_message(&err), "Data already BW");
    pix.convert_to_rgb(RgbChannel::Red).await.expect("to RGB");
    assert!(pix.is_rgb().await.expect("is rgb"));
    let err = pix
        .convert_to_rgb(RgbChannel::Red)
        .await
        .expect_err("already RGB");
    assert_eq!(osirix_message(&err), "Data already RGB");

    // Windowed over the image's range, 100 (background, the minimum) → 0 and 1000 (the square, the
    // maximum) → 255, in red only; alpha is the mean of red, green and blue.
    let image = pix.image().await.expect("argb");
    let argb = image.as_argb().expect("colour");
    assert_eq!(
        argb[(square.row as usize, square.column as usize)],
        [85, 255, 0, 0]
    );
    assert_eq!(argb[(0, 0)], [0, 0, 0, 0]);

    for err in [
        pix.compute_roi(&roi).await.expect_err("rgb"),
        pix.roi_values(&roi).await.expect_err("rgb"),
    ] {
        assert_eq!(osirix_message(&err), "No values provided for RGB pix");
    }
    let grey = PixelImage::Grey(Plane::filled(image.shape(), 1.0));
    let err = pix
        .set_image(&grey)
        .await
        .expect_err("greyscale into colour");
    assert_eq!(osirix_message(&err), "Incompatible image shape");

    // Green everywhere, then back to grey from green: 255 everywhere.
    let green = PixelImage::Argb(Plane::filled(image.shape(), [255, 0, 255, 0]));
    pix.set_image(&green).await.expect("set argb");
    assert_eq!(pix.image().await.expect("argb"), green);
    pix.convert_to_bw(GreySource::Green).await.expect("to BW");
    assert!(!pix.is_rgb().await.expect("is rgb"));
    let back = pix.image().await.expect("grey");
    assert!(back.as_grey().expect("grey").iter().all(|&v| v == 255.0));
}

#[tokio::test]
async fn what_no_rpc_changes_is_cached_and_a_setter_drops_it() {
    let f = Fixture::demo().await;
    let o = open(&f).await;
    let pix = &o.pix[0];
    let shape = pix.shape().await.expect("shape");
    let before = f.emulator.calls("DCMPixShape");
    assert_eq!(pix.shape().await.expect("cached"), shape);
    pix.source_file().await.expect("file");
    pix.source_file().await.expect("cached");
    assert_eq!(
        f.emulator.calls("DCMPixShape"),
        before,
        "served from the cache"
    );
    assert_eq!(f.emulator.calls("DCMPixSourceFile"), 1);

    // Pixels and the colour mode change: never cached.
    let images = f.emulator.calls("DCMPixImage");
    let image = pix.image().await.expect("image");
    pix.image().await.expect("image");
    assert_eq!(f.emulator.calls("DCMPixImage"), images + 2);

    // A setter on the handle drops its entries: the next reads go to the server.
    pix.set_image(&image).await.expect("set image");
    pix.shape().await.expect("shape");
    assert_eq!(f.emulator.calls("DCMPixShape"), before + 1);
    pix.source_file().await.expect("file");
    assert_eq!(f.emulator.calls("DCMPixSourceFile"), 2);
}

#[tokio::test]
async fn a_mask_roi_must_have_a_set_pixel() {
    let empty = accessors::mask(
        Shape {
            rows: 2,
            columns: 2,
        },
        &[],
    );
    assert!(matches!(
        RoiSpec::mask(empty, 0, 0),
        Err(Error::InvalidArgument { .. })
    ));
    let one = accessors::mask(
        Shape {
            rows: 2,
            columns: 2,
        },
        &[(1, 1)],
    );
    assert!(
        RoiSpec::mask(one, -3, 70).is_ok(),
        "positions off the image are allowed"
    );
}

/// The values the upstream tests pin on the MR phantom: `pix[0]` of a 2D viewer opened in slice-location
/// order is IM-0040.
#[tokio::test]
async fn phantom_pins() {
    let Some(f) = osirix_emulator::testing::Fixture::phantom("phantom_pins").await else {
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
    let pix = viewer.pix_list(0).await.expect("pix").remove(0);

    assert_eq!(
        pix.shape().await.unwrap(),
        Shape {
            rows: 320,
            columns: 320
        }
    );
    let spacing = pix.spacing().await.unwrap();
    assert!(close(spacing.rows, 0.78125, 1e-5) && close(spacing.columns, 0.78125, 1e-5));
    let origin = pix.origin().await.unwrap();
    assert!(
        close(origin.x, 72.098_18, 1e-4)
            && close(origin.y, -106.164_88, 1e-4)
            && close(origin.z, 124.136_14, 1e-4)
    );
    assert!(close(pix.slice_location().await.unwrap(), 72.098_18, 1e-4));
    let orientation = pix.orientation().await.unwrap();
    assert_eq!(orientation.normal, Vector3::new(-1.0, 0.0, 0.0));
    assert!(std::path::Path::new(&pix.source_file().await.unwrap()).exists());

    let image = pix.image().await.unwrap();
    let grey = image.as_grey().expect("greyscale");
    let n = grey.as_slice().len() as f64;
    let mean = grey.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let std = (grey
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    assert!((mean - 201.553_13).abs() < 1e-4, "{mean}");
    assert!((std - 228.004_45).abs() < 1e-4, "{std}");

    // The 40 × 40 mask at (0, 0).
    let mask = Plane::filled(
        Shape {
            rows: 40,
            columns: 40,
        },
        true,
    );
    let roi = viewer
        .new_roi(&RoiSpec::mask(mask, 0, 0).unwrap(), 0, 0)
        .await
        .unwrap();
    let stats = pix.compute_roi(&roi).await.unwrap();
    assert!(
        close(stats.mean, 0.525, 1e-5) && close(stats.total, 840.0, 1e-3),
        "{stats:?}"
    );
    assert!(
        close(stats.std_dev, 0.604_67, 1e-5) && close(stats.max, 3.0, 1e-5),
        "{stats:?}"
    );
    assert!(
        close(stats.skewness, 0.777_47, 1e-4) && close(stats.kurtosis, 0.061_78, 1e-4),
        "{stats:?}"
    );
    let map = pix.map_from_roi(&roi).await.unwrap();
    assert_eq!(map.iter().filter(|&&set| set).count(), 1600);
}
