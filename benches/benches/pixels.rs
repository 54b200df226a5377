//! One 512 × 512 `DCMPixImage` (262 144 floats, 1 MiB) served by the emulator over loopback to the raw
//! generated client, against encoding the same response with prost alone (and encoding plus decoding it):
//! what the emulator and the transport add on top of the protobuf work every server and client must do; and the
//! same answer through the SDK against the raw client.
//! The pixels are decoded once, before measuring; the emulator then serves them from memory. The loopback
//! call is measured twice: with the raw client's default HTTP/2 flow-control windows, and with windows larger
//! than the answer, which tells whether waiting for window updates is part of its cost.

use std::hint::black_box;

use benches::{RawClient, Server, client_runtime, first_series, raw_client, uncached_client};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use osirix_emulator::demo::DemoSpec;
use osirix_sdk::proto::osiri_x_service_client::OsiriXServiceClient;
use osirix_sdk::proto::{self, Empty};
use osirix_sdk::tonic::transport::Endpoint;
use prost::Message;

/// One series of five 512 × 512 images.
const PIXELS_SPEC: DemoSpec = DemoSpec {
    studies: 1,
    series_per_study: 1,
    images_per_series: 5,
    seed: 7,
    image_size: 512,
    ..DemoSpec::DEFAULT
};

/// The HTTP/2 flow-control windows of the second loopback client: larger than one answer.
const LARGE_WINDOW: u32 = 8 << 20;

/// A raw client whose stream and connection windows are [`LARGE_WINDOW`].
async fn large_window_client(url: &str) -> RawClient {
    let channel = Endpoint::from_shared(url.to_owned())
        .expect("endpoint")
        .tcp_nodelay(true)
        .initial_stream_window_size(LARGE_WINDOW)
        .initial_connection_window_size(LARGE_WINDOW)
        .connect()
        .await
        .expect("raw client connects");
    OsiriXServiceClient::new(channel)
        .max_decoding_message_size(osirix_sdk::DEFAULT_MAX_MESSAGE_BYTES)
        .max_encoding_message_size(osirix_sdk::DEFAULT_MAX_MESSAGE_BYTES)
}

/// Opens a viewer on the only series over the wire and answers its first DCMPix.
async fn first_pix(client: &mut RawClient) -> proto::DcmPix {
    let browser = client
        .osirix_current_browser(Empty {})
        .await
        .expect("browser")
        .into_inner()
        .browser_controller;
    let study = client
        .browser_controller_database_studies(browser.clone().expect("a browser"))
        .await
        .expect("studies")
        .into_inner()
        .studies
        .remove(0);
    let series = client
        .dicom_study_series(study)
        .await
        .expect("series")
        .into_inner()
        .series
        .remove(0);
    let images = client
        .dicom_series_images(series)
        .await
        .expect("images")
        .into_inner()
        .images;
    let viewer = client
        .browser_controller_open_viewer_from_images(
            proto::BrowserControllerOpenViewerFromImagesRequest {
                browser,
                frames: vec![
                    proto::browser_controller_open_viewer_from_images_request::FrameImages {
                        images,
                    },
                ],
                movie: false,
            },
        )
        .await
        .expect("a viewer")
        .into_inner()
        .viewer;
    client
        .viewer_controller_pix_list(proto::ViewerControllerPixListRequest {
            viewer_controller: viewer,
            movie_idx: 0,
        })
        .await
        .expect("pix list")
        .into_inner()
        .pix
        .remove(0)
}

fn pixels(c: &mut Criterion) {
    let rt = client_runtime();
    let server = Server::start(PIXELS_SPEC);
    let mut raw = rt.block_on(raw_client(&server.url()));
    let pix = rt.block_on(first_pix(&mut raw));
    // The first read decodes the file; every later one is served from memory.
    let image = rt.block_on(async {
        raw.dcm_pix_image(pix.clone())
            .await
            .expect("an image")
            .into_inner()
    });
    assert_eq!(image.status.as_ref().map(|s| s.status), Some(1));
    assert_eq!(image.image_data_float.len(), 512 * 512);
    let encoded = image.encode_to_vec();

    let mut group = c.benchmark_group("dcm_pix_image_512");
    group.throughput(Throughput::Bytes(encoded.len() as u64));
    group.bench_function("served_over_loopback", |b| {
        b.to_async(&rt).iter(|| {
            let mut raw = raw.clone();
            let pix = pix.clone();
            async move {
                let reply = raw.dcm_pix_image(pix).await.expect("an image").into_inner();
                black_box(reply.image_data_float.len())
            }
        })
    });
    let large = rt.block_on(large_window_client(&server.url()));
    group.bench_function("served_over_loopback_8mib_windows", |b| {
        b.to_async(&rt).iter(|| {
            let mut raw = large.clone();
            let pix = pix.clone();
            async move {
                let reply = raw.dcm_pix_image(pix).await.expect("an image").into_inner();
                black_box(reply.image_data_float.len())
            }
        })
    });
    group.bench_function("prost_encode", |b| {
        let mut buffer = Vec::with_capacity(encoded.len());
        b.iter(|| {
            buffer.clear();
            black_box(&image).encode(&mut buffer).expect("capacity");
            black_box(buffer.len())
        })
    });
    group.bench_function("prost_encode_decode", |b| {
        let mut buffer = Vec::with_capacity(encoded.len());
        b.iter(|| {
            buffer.clear();
            black_box(&image).encode(&mut buffer).expect("capacity");
            let back = proto::DcmPixImageResponse::decode(buffer.as_slice()).expect("decodes");
            black_box(back.image_data_float.len())
        })
    });
    group.finish();
}

/// One slice of 512 × 512 pixels, for the typed-against-raw comparison.
const TYPED_SPEC: DemoSpec = DemoSpec {
    studies: 1,
    series_per_study: 1,
    images_per_series: 1,
    image_size: 512,
    ..DemoSpec::DEFAULT
};

/// The same answer through the SDK (`DcmPix::image`, which checks and keeps it as a `PixelImage`) and through
/// the raw client (the protobuf decode only), on a server of one 512 × 512 slice.
fn typed_pixels(c: &mut Criterion) {
    let rt = client_runtime();
    let server = Server::start(TYPED_SPEC);
    let url = server.url();
    let (client, raw) =
        rt.block_on(async { (uncached_client(&url).await, raw_client(&url).await) });
    let pix = rt.block_on(async {
        let series = first_series(&client).await;
        let browser = client.current_browser().await.expect("browser");
        let viewer = browser.open_viewer(&series).await.expect("viewer");
        viewer.pix_list(0).await.expect("pix").remove(0)
    });
    let image = rt.block_on(pix.image()).expect("decodes the file");
    assert_eq!(image.shape().len(), 512 * 512);
    let request = osirix_sdk::proto::DcmPix {
        osirixrpc_uid: pix.uid().to_owned(),
    };

    let mut group = c.benchmark_group("dcm_pix_image_512_typed");
    group.bench_function("typed", |b| {
        b.to_async(&rt)
            .iter(|| async { black_box(pix.image().await.expect("image")) })
    });
    group.bench_function("raw", |b| {
        b.to_async(&rt).iter(|| {
            let (mut raw, request) = (raw.clone(), request.clone());
            async move {
                let response = raw
                    .dcm_pix_image(request)
                    .await
                    .expect("image")
                    .into_inner();
                black_box(response)
            }
        })
    });
    group.finish();
    drop(server);
}

criterion_group!(benches, pixels, typed_pixels);
criterion_main!(benches);
