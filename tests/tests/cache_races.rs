//! The response cache against an attacker's timing: an invalidation racing a fetch in flight, a server replaced
//! on the same port, and a handle of another client. The server holds an answer until the test releases it
//! (`Faults::hold`), so every interleaving is forced, not hoped for.

use std::future::Future;
use std::time::Duration;

use osirix_emulator::Emulator;
use osirix_emulator::demo::{DemoSpec, generate};
use osirix_sdk::Client;
use tests::{Fixture, first_image, first_series};

/// How long a step that must happen may take before the test fails (a bound on a wait, not a measurement).
const PATIENCE: Duration = Duration::from_secs(5);

async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(PATIENCE, future)
        .await
        .unwrap_or_else(|_| panic!("{what} did not happen within {PATIENCE:?}"))
}

/// A read issued after `invalidate` sends its own call instead of joining the fetch that was already in flight,
/// and the answer of that earlier fetch is not cached: the invalidation wins over a fill that started before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_after_invalidate_does_not_join_or_keep_an_earlier_fetch() {
    let fx = Fixture::demo().await;
    let series = first_series(&fx.client).await;
    let modality = fx
        .catalog()
        .series_by_uid(series.uid())
        .expect("catalogued")
        .modality
        .clone();
    let hold = fx
        .emulator
        .faults()
        .hold("DicomSeriesModality")
        .expect("an OsiriX RPC");
    let early = tokio::spawn({
        let series = series.clone();
        async move { series.modality().await }
    });
    within("the early answer", hold.until_held(1)).await;

    // The server drops the series while the early answer is on its way, and the user invalidates.
    assert!(fx.emulator.forget(series.uid()));
    fx.client.invalidate(&series).await.expect("our own handle");
    let late = tokio::spawn({
        let series = series.clone();
        async move { series.modality().await }
    });
    within("the late read's own call", hold.until_held(2)).await;
    hold.release();

    let early = early.await.expect("early task");
    assert_eq!(early.expect("asked before the invalidation"), modality);
    let late = late
        .await
        .expect("late task")
        .expect_err("the series is gone");
    assert!(late.is_stale_handle(), "{late}");
    fx.emulator.reset_counters();
    let again = series
        .modality()
        .await
        .expect_err("the early answer was not kept");
    assert!(again.is_stale_handle(), "{again}");
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 1);
}

/// Uids belong to one server process: once the connection was lost and the client reconnected (here to another
/// database on the same port), nothing cached from the old server is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_to_a_replaced_server_drops_the_cache() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let old = Emulator::builder(generate(dir.path(), &DemoSpec::default()).expect("database"))
        .start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("the first server starts");
    let addr = old.addr();
    let client = Client::connect(old.url()).await.expect("connects");
    let image = first_image(&client).await;
    image.complete_path().await.expect("cached");
    old.shutdown().await.expect("the first server stops");

    let other = tempfile::tempdir().expect("temporary folder");
    let spec = DemoSpec {
        seed: 99,
        ..DemoSpec::DEFAULT
    };
    let new = Emulator::builder(generate(other.path(), &spec).expect("database"))
        .start(addr)
        .await
        .expect("another server on the same port");
    // Any call on the wire reconnects.
    within("the reconnect", client.version())
        .await
        .expect("the new server answers");
    let err = image
        .complete_path()
        .await
        .expect_err("the new server does not know the old uid");
    assert!(err.is_stale_handle(), "{err}");
    assert_eq!(
        new.calls("DicomImageCompletePath"),
        1,
        "asked, not served from the cache"
    );
}

/// A client's cache holds only its own handles' answers: invalidating another client's handle is an error, and
/// leaves both caches as they were.
#[tokio::test]
async fn invalidating_a_handle_of_another_client_is_an_error() {
    let fx = Fixture::demo().await;
    let other = fx.client_with(|builder| builder).await;
    let theirs = first_series(&other).await;
    theirs.modality().await.expect("cached by the other client");
    fx.emulator.reset_counters();

    let err = fx
        .client
        .invalidate(&theirs)
        .await
        .expect_err("a handle of another client");
    assert!(
        matches!(err, osirix_sdk::Error::InvalidArgument { .. }),
        "{err:?}"
    );
    theirs.modality().await.expect("still cached");
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 0);
    other.invalidate(&theirs).await.expect("its own client");
    theirs.modality().await.expect("asked again");
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 1);
}
