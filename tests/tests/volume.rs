//! `ViewerController::volume`: every slice of a frame in one buffer, in data order, checked against the demo
//! phantom; its bound on concurrent calls; its refusals; the slices it reports to a progress callback; and (the SDK's `ndarray` feature, which this crate
//! turns on) the volume and the pixels of a colour slice as arrays.

use osirix_emulator::demo::{DemoSpec, FIRST_SLICE, PIXEL_SPACING, Phantom, SLICE_STEP};
use osirix_sdk::ndarray::{Array3, Axis};
use osirix_sdk::{Client, DicomSeries, Error, Plane, Progress, Shape, ViewerController};
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

#[tokio::test]
async fn progress_counts_the_slices_from_0_to_all_and_the_volume_is_the_same() {
    let f = Fixture::with_spec(SPEC, false).await;
    let viewer = open(&f.client, "MR").await;
    let mut seen = Vec::new();
    let volume = viewer
        .volume_with_progress(0, |p| seen.push(p))
        .await
        .expect("volume");
    let n = SPEC.images_per_series;
    // One call before the first slice, then one per slice copied, in order.
    let expected: Vec<Progress> = (0..=n).map(|done| Progress::new(done, n)).collect();
    assert_eq!(seen, expected);
    assert_eq!(volume, viewer.volume(0).await.expect("plain volume"));

    // A refused frame reports nothing; a colour frame reports its start and stops at the first slice.
    let mut refused = Vec::new();
    viewer
        .volume_with_progress(1, |p| refused.push(p))
        .await
        .expect_err("no frame 1");
    assert_eq!(refused, []);
    let colour = open(&f.client, "OT").await;
    let mut partial = Vec::new();
    colour
        .volume_with_progress(0, |p| partial.push(p))
        .await
        .expect_err("colour");
    let slices = colour.pix_list(0).await.expect("pix").len();
    assert_eq!(partial, [Progress::new(0, slices)]);
}

#[tokio::test]
async fn the_volume_as_an_array_is_the_slices_read_one_by_one() {
    let f = Fixture::with_spec(SPEC, false).await;
    let viewer = open(&f.client, "MR").await;
    let volume = viewer.volume(0).await.expect("volume");
    let pix = viewer.pix_list(0).await.expect("pix");
    let n = SPEC.images_per_series;
    {
        let view = volume.view().expect("a view");
        assert_eq!(view.dim(), (n, 32, 32));
        for (k, pix) in pix.iter().enumerate() {
            let image = pix.image().await.expect("image");
            let slice = image.as_grey().expect("grey").view();
            assert_eq!(view.index_axis(Axis(0), k), slice, "slice {k}");
            assert_eq!(volume.slice_view(k), Some(slice), "slice {k}");
        }
    }
    let pointer = volume.data.as_ptr();
    let array = Array3::try_from(volume).expect("an array");
    assert_eq!(array.as_ptr(), pointer, "the volume's buffer, not a copy");

    // A slice written back from an array reads back the same.
    let last = &pix[n - 1];
    let mut plane = last
        .image()
        .await
        .expect("image")
        .as_grey()
        .expect("grey")
        .clone();
    plane.view_mut().mapv_inplace(|v| v + 1.0);
    let written = Plane::from_array(plane.view().to_owned()).expect("a plane");
    last.set_image(&osirix_sdk::PixelImage::Grey(written))
        .await
        .expect("set");
    let read = last.image().await.expect("image");
    assert_eq!(
        read.as_grey().expect("grey").view(),
        array.index_axis(Axis(0), n - 1).mapv(|v| v + 1.0)
    );
}

#[tokio::test]
async fn a_colour_slice_is_rows_by_columns_by_argb() {
    let f = Fixture::with_spec(SPEC, false).await;
    let viewer = open(&f.client, "OT").await;
    let image = viewer
        .cur_dcm()
        .await
        .expect("pix")
        .image()
        .await
        .expect("image");
    let plane = image.as_argb().expect("colour");
    let array = plane.argb_view();
    let (rows, columns) = (plane.rows(), plane.columns());
    assert_eq!(array.dim(), (rows, columns, 4));
    for ((row, column), argb) in plane.indexed_iter() {
        assert_eq!(
            array
                .index_axis(Axis(0), row)
                .index_axis(Axis(0), column)
                .to_vec(),
            argb.to_vec()
        );
    }
    assert_eq!(&Plane::from_argb_array(array).expect("a plane"), plane);
}
