//! One `DCMPixImage` of a 512 × 512 greyscale slice against the same emulator over loopback: through the SDK
//! (`DcmPix::image`, which decodes into a `PixelImage`) and through the raw generated tonic client (the protobuf
//! decode only). The emulator decodes the file once before the measurements.

use std::hint::black_box;

use benches::{Server, client_runtime, first_series, raw_client, uncached_client};
use criterion::{Criterion, criterion_group, criterion_main};
use osirix_emulator::demo::DemoSpec;

/// One slice of 512 × 512 pixels.
const SPEC: DemoSpec = DemoSpec {
    studies: 1,
    series_per_study: 1,
    images_per_series: 1,
    image_size: 512,
    ..DemoSpec::DEFAULT
};

fn pixels(c: &mut Criterion) {
    let rt = client_runtime();
    let server = Server::start(SPEC);
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

    let mut group = c.benchmark_group("dcm_pix_image_512");
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

criterion_group!(benches, pixels);
criterion_main!(benches);
