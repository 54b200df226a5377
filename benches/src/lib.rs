//! What the criterion benches (`benches/*.rs`) and the `perf-report` binary share, so both measure exactly the
//! same thing: the runtimes, the tests' fixture (a generated demo database served by the emulator over
//! loopback, [`tests::Served`]) on a runtime of its own, the clients (typed with or without cache, raw tonic),
//! the summary fetched both ways, and the database walks.
//!
//! The emulator runs on its own runtime (its own threads), as OsiriX runs in its own process; the code under
//! measurement runs on [`client_runtime`], driven by `block_on` like criterion's `to_async`.

use std::future::Future;
use std::time::{Duration, Instant};

use futures_util::future::try_join_all;
use futures_util::{StreamExt, TryStreamExt};
use osirix_emulator::RunningEmulator;
use osirix_emulator::demo::DemoSpec;
use osirix_sdk::proto::osiri_x_service_client::OsiriXServiceClient;
use osirix_sdk::tonic::transport::{Channel, Endpoint};
use osirix_sdk::{CacheConfig, Client, DicomSeries, Result};
use tokio::runtime::Runtime;

/// The first series of the first study in the browser (the tests' helper).
pub use tests::first_series;

/// The raw generated tonic client, the baseline of the typed one.
pub type RawClient = OsiriXServiceClient<Channel>;

/// The small database of the per-call benches: one series is enough, a few make the handles realistic.
pub const CALL_SPEC: DemoSpec = DemoSpec {
    studies: 2,
    series_per_study: 2,
    images_per_series: 4,
    seed: 7,
    ..DemoSpec::DEFAULT
};

/// The walk database: 50 studies × 4 series × 100 images = 20 000 files.
pub const WALK_SPEC: DemoSpec = DemoSpec {
    studies: 50,
    series_per_study: 4,
    images_per_series: 100,
    seed: 7,
    // The walks read headers only: small images keep generating 20 000 files as fast as before
    // the demo had pixels worth reading.
    image_size: 16,
    ..DemoSpec::DEFAULT
};

/// The walk database of `perf-report --quick`: 10 studies × 4 series × 50 images = 2 000 files.
pub const QUICK_WALK_SPEC: DemoSpec = DemoSpec {
    studies: 10,
    series_per_study: 4,
    images_per_series: 50,
    seed: 7,
    // The walks read headers only: small images keep generating 20 000 files as fast as before
    // the demo had pixels worth reading.
    image_size: 16,
    ..DemoSpec::DEFAULT
};

/// How many series a walk reads at once (each series reads its images all at once).
pub const SERIES_CONCURRENCY: usize = 8;

/// The RPC of the per-call measurements.
pub const CALL_RPC: &str = "DicomSeriesModality";

/// How many identical cold reads the coalescing measurement joins.
pub const COALESCED_READS: usize = 1000;

/// The runtime the measured client code runs on: two workers, one per core of the reference machine.
pub fn client_runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-client")
        .enable_all()
        .build()
        .expect("client runtime")
}

/// The tests' fixture, started on a runtime of its own (its own threads), as OsiriX runs in its own process.
///
/// Field order matters: the emulator stops before its runtime.
pub struct Server {
    served: tests::Served,
    runtime: Runtime,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Generates the database of `spec` (seconds for 20 000 files) and starts serving it.
    pub fn start(spec: DemoSpec) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("emulator")
            .enable_all()
            .build()
            .expect("emulator runtime");
        let served = runtime.block_on(tests::Served::start(spec));
        Self { served, runtime }
    }

    /// The running emulator (counters, serial mode).
    pub fn emulator(&self) -> &RunningEmulator {
        &self.served.emulator
    }

    /// The URL clients connect to.
    pub fn url(&self) -> String {
        self.served.url()
    }

    /// The emulator's runtime (kept alive by this value).
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }
}

/// A client with the default settings (64 MiB cache).
pub async fn cached_client(url: &str) -> Client {
    Client::connect(url).await.expect("client connects")
}

/// A client with the cache disabled: every read is an RPC.
pub async fn uncached_client(url: &str) -> Client {
    Client::builder(url)
        .cache(CacheConfig::disabled())
        .connect()
        .await
        .expect("client connects")
}

/// The client of the walks: the default cache, except that growable collections (a study's series, a series'
/// images) live 5 minutes instead of 10 s, so that a warm walk measured more than 10 s after the cold one is
/// still all cache hits. The time-to-live is a freshness policy, not what the walk measures.
pub async fn walk_client(url: &str) -> Client {
    let cache = CacheConfig::default().with_growable_ttl(Some(Duration::from_secs(300)));
    Client::builder(url)
        .cache(cache)
        .connect()
        .await
        .expect("client connects")
}

/// The raw generated tonic client, with the SDK's transport settings (nodelay, 512 MiB messages).
pub async fn raw_client(url: &str) -> RawClient {
    let channel = Endpoint::from_shared(url.to_owned())
        .expect("endpoint")
        .tcp_nodelay(true)
        .connect()
        .await
        .expect("raw client connects");
    OsiriXServiceClient::new(channel)
        .max_decoding_message_size(osirix_sdk::DEFAULT_MAX_MESSAGE_BYTES)
        .max_encoding_message_size(osirix_sdk::DEFAULT_MAX_MESSAGE_BYTES)
}

/// `DicomSeriesModality` through the raw client, checking the in-band status as any caller must.
pub async fn raw_modality(raw: &mut RawClient, uid: &str) -> String {
    let request = osirix_sdk::proto::DicomSeries {
        osirixrpc_uid: uid.to_owned(),
    };
    let response = raw
        .dicom_series_modality(request)
        .await
        .expect("raw call")
        .into_inner();
    assert_eq!(response.status.map(|s| s.status), Some(1), "in-band status");
    response.modality
}

/// What [`sequential_summary`] reads: the eight scalar attributes of [`osirix_sdk::SeriesSummary`].
pub type SummaryTuple = (
    String,
    String,
    Option<String>,
    String,
    String,
    osirix_sdk::chrono::NaiveDateTime,
    u32,
    String,
);

/// The eight attributes of [`DicomSeries::summary`], each accessor awaited before the next starts.
///
/// # Errors
/// The first failed accessor.
pub async fn sequential_summary(series: &DicomSeries) -> Result<SummaryTuple> {
    Ok((
        series.series_instance_uid().await?,
        series.series_sop_class_uid().await?,
        series.series_description().await?,
        series.modality().await?,
        series.name().await?,
        series.date().await?,
        series.number_of_images().await?,
        series.study().await?.uid().to_owned(),
    ))
}

/// What a walk read, to check that every walk read the same database and to keep the work observable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WalkTotals {
    /// Studies listed.
    pub studies: usize,
    /// Series read.
    pub series: usize,
    /// Images read.
    pub images: usize,
    /// Sum of the images' instance numbers, path lengths and the series' image counts.
    pub checksum: u64,
}

impl WalkTotals {
    fn add(mut self, other: WalkTotals) -> Self {
        self.series += other.series;
        self.images += other.images;
        self.checksum = self.checksum.wrapping_add(other.checksum);
        self
    }
}

/// The database walk as the SDK is meant to be used: the browser's studies, every study's series (all at
/// once), then [`SERIES_CONCURRENCY`] series at a time, each in its own task so that the runtime spreads them over
/// its threads as a service would: its [`DicomSeries::summary`] and images, and for every image its path and
/// instance number (all images of a series at once). Cached reads come from the client's cache; the browser's two
/// calls never do. The walk itself runs as a task of the runtime, as a service's request handler does, rather
/// than on the thread that blocks on it: finished series tasks then wake it inside the runtime instead of waking
/// a parked thread outside it.
///
/// # Errors
/// The first failed call.
pub async fn walk(client: &Client) -> Result<WalkTotals> {
    let client = client.clone();
    joined(tokio::spawn(async move { walk_in_task(&client).await })).await
}

/// A spawned task's output, or its panic resumed here (the walk's tasks are never cancelled).
async fn joined<T>(task: tokio::task::JoinHandle<T>) -> T {
    task.await
        .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()))
}

async fn walk_in_task(client: &Client) -> Result<WalkTotals> {
    let studies = client.current_browser().await?.database_studies().await?;
    let series: Vec<DicomSeries> = try_join_all(studies.iter().map(|study| study.series()))
        .await?
        .concat();
    let totals = futures_util::stream::iter(
        series
            .into_iter()
            .map(|series| joined(tokio::spawn(async move { walk_series(&series).await }))),
    )
    .buffer_unordered(SERIES_CONCURRENCY)
    .try_fold(
        WalkTotals::default(),
        |acc, one| async move { Ok(acc.add(one)) },
    )
    .await?;
    Ok(WalkTotals {
        studies: studies.len(),
        ..totals
    })
}

async fn walk_series(series: &DicomSeries) -> Result<WalkTotals> {
    let (summary, images) = tokio::try_join!(series.summary(), series.images())?;
    let per_image = try_join_all(images.iter().map(|image| async move {
        tokio::try_join!(image.complete_path(), image.instance_number())
    }))
    .await?;
    let checksum = per_image.iter().fold(
        u64::from(summary.number_of_images),
        |sum, (path, number)| {
            sum.wrapping_add(path.len() as u64)
                .wrapping_add(u64::from(*number))
        },
    );
    Ok(WalkTotals {
        studies: 0,
        series: 1,
        images: images.len(),
        checksum,
    })
}

/// Awaits `call` after a `client.version()` ping, as pyosirix does before every call.
async fn pinged<T>(client: &Client, call: impl Future<Output = Result<T>>) -> Result<T> {
    client.version().await?;
    call.await
}

/// The same walk done the way pyosirix does it: one call at a time, each preceded by a `version()` ping (use a
/// client with the cache disabled, as pyosirix has none).
///
/// # Errors
/// The first failed call.
pub async fn walk_naive(client: &Client) -> Result<WalkTotals> {
    let browser = pinged(client, client.current_browser()).await?;
    let studies = pinged(client, browser.database_studies()).await?;
    let mut totals = WalkTotals {
        studies: studies.len(),
        ..WalkTotals::default()
    };
    for study in &studies {
        for series in pinged(client, study.series()).await? {
            black_box_all(&[
                pinged(client, series.series_instance_uid()).await?.len(),
                pinged(client, series.series_sop_class_uid()).await?.len(),
                pinged(client, series.series_description())
                    .await?
                    .map_or(0, |d| d.len()),
                pinged(client, series.modality()).await?.len(),
                pinged(client, series.name()).await?.len(),
            ]);
            std::hint::black_box(pinged(client, series.date()).await?);
            std::hint::black_box(pinged(client, series.study()).await?.uid().len());
            let count = pinged(client, series.number_of_images()).await?;
            let images = pinged(client, series.images()).await?;
            let mut checksum = u64::from(count);
            for image in &images {
                let path = pinged(client, image.complete_path()).await?;
                let number = pinged(client, image.instance_number()).await?;
                checksum = checksum
                    .wrapping_add(path.len() as u64)
                    .wrapping_add(u64::from(number));
            }
            totals = totals.add(WalkTotals {
                studies: 0,
                series: 1,
                images: images.len(),
                checksum,
            });
        }
    }
    Ok(totals)
}

fn black_box_all(values: &[usize]) {
    std::hint::black_box(values);
}

/// The median of `samples` (the mean of the middle two for an even count); zero for none.
pub fn median(samples: &mut [Duration]) -> Duration {
    if samples.is_empty() {
        return Duration::ZERO;
    }
    samples.sort_unstable();
    let mid = samples.len() / 2;
    if samples.len() % 2 == 1 {
        samples[mid]
    } else {
        (samples[mid - 1] + samples[mid]) / 2
    }
}

/// Times one future.
pub async fn timed<T>(future: impl Future<Output = T>) -> (Duration, T) {
    let started = Instant::now();
    let value = future.await;
    (started.elapsed(), value)
}
