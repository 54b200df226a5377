//! `ViewerController::volume`: every slice of a frame in one buffer, in data order, checked against the demo
//! phantom; its bound on concurrent calls; and its refusals.

use osirix_emulator::demo::{DemoSpec, FIRST_SLICE, PIXEL_SPACING, Phantom, SLICE_STEP};
use osirix_sdk::{Client, DicomSeries, Error, Shape, ViewerController};
use tests::Fixture;

const SPEC: DemoSpec = DemoSpec {
    studies: 1,
    images_per_series: 20,
    image_size: 32,
    colour_and_multi_frame: true,
    ..DemoSpec::DEFAULT
};

async fn series_of(client: &Client, modality: &str) -> DicomSeries {
    for (_, series) in tests::all_series(client).await {
        if series.modality().await.expect("modality") == modality
            && series.number_of_images().await.expect("count") == SPEC.images_per_series as u32
        {
            return series;
        }
    }
    panic!(
        "the demo has a {modality} series of {} images",
        SPEC.images_per_series
    )
}

async fn open(client: &Client, modality: &str) -> ViewerController {
    let browser = client.current_browser().await.expect("browser");
    browser
        .open_viewer(&series_of(client, modality).await)
        .await
        .expect("viewer")
}

#[tokio::test]
async fn a_volume_is_every_slice_in_data_order() {
    let f = Fixture::with_spec(SPEC, false).await;
    let viewer = open(&f.client, "MR").await;
    f.emulator.reset_counters();
    let volume = viewer.volume(0).await.expect("volume");
    let n = SPEC.images_per_series;
    assert_eq!(volume.slices, n);
    assert_eq!(
        volume.shape,
        Shape {
            rows: 32,
            columns: 32
        }
    );
    assert_eq!(volume.data.len(), n * 32 * 32);
    assert_eq!(volume.spacing.rows, PIXEL_SPACING as f32);
    assert_eq!(volume.orientation.normal.x, -1.0);

    // MR viewers hold their slices reversed: slice k is position n − 1 − k.
    for k in 0..n {
        let position = n - 1 - k;
        let expected = Phantom::new(&SPEC, position).values();
        assert_eq!(
            volume.slice(k).expect("a slice"),
            expected.as_slice(),
            "slice {k}"
        );
        let location = (FIRST_SLICE + SLICE_STEP * position as f64) as f32;
        assert!((volume.slice_locations[k] - location).abs() < 1e-4);
    }
    assert_eq!(volume.origin.x, volume.slice_locations[0]);
    let square = Phantom::new(&SPEC, n - 1).square();
    assert_eq!(
        volume.get(0, square.row as usize, square.column as usize),
        Some(Phantom::SQUARE_VALUE)
    );
    assert_eq!(volume.get(n, 0, 0), None);
    assert_eq!(volume.slice(n), None);

    // One image call per slice, at most VOLUME_CONCURRENCY slices (two calls each) at a time.
    assert_eq!(f.emulator.calls("DCMPixImage"), n as u64);
    let peak = f.emulator.peak_concurrent_calls();
    assert!(
        peak <= 2 * ViewerController::VOLUME_CONCURRENCY as u64,
        "{peak}"
    );
    assert_eq!(ViewerController::VOLUME_CONCURRENCY, 8);

    // The same pixels as the slice-by-slice calls.
    let pix = viewer.pix_list(0).await.expect("pix");
    let third = pix[3].image().await.expect("image");
    assert_eq!(
        volume.slice(3),
        Some(third.as_grey().expect("grey").as_slice())
    );
}

#[tokio::test]
async fn each_frame_of_a_4d_viewer_is_a_volume() {
    let f = Fixture::with_spec(SPEC, false).await;
    let series = series_of(&f.client, "CT").await;
    let images = series.sorted_images().await.expect("images");
    let browser = f.client.current_browser().await.expect("browser");
    let viewer = browser
        .open_viewer_4d(&[images.clone(), images])
        .await
        .expect("4D");
    let (a, b) = (
        viewer.volume(0).await.expect("frame 0"),
        viewer.volume(1).await.expect("frame 1"),
    );
    assert_eq!(a, b, "two frames of the same images");
    match viewer.volume(2).await.expect_err("no frame 2") {
        Error::InvalidArgument { reason } => assert!(reason.contains("frame 2"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_colour_frame_is_not_a_volume() {
    let f = Fixture::with_spec(SPEC, false).await;
    let viewer = open(&f.client, "OT").await;
    match viewer.volume(0).await.expect_err("colour") {
        Error::InvalidArgument { reason } => assert!(reason.contains("colour"), "{reason}"),
        other => panic!("{other:?}"),
    }
}
