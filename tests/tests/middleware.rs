//! Retries, timeouts, recovery after a restart and user layers, against the emulator's injected faults. Every
//! count is of calls that reached the server. Backoff is shortened to keep the suite quick; its timing is tested
//! with paused time in the SDK's unit tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use osirix_emulator::Emulator;
use osirix_sdk::tonic::Code;
use osirix_sdk::{CacheConfig, Client, ClientBuilder, DicomSeries, RetryConfig, TimeoutScope};
use tests::Fixture;

/// No cache (every read is an RPC), and retries with a 1 ms backoff.
fn uncached_fast_retries(builder: ClientBuilder) -> ClientBuilder {
    builder.cache(CacheConfig::disabled()).retry(
        RetryConfig::default()
            .with_initial_backoff(Duration::from_millis(1))
            .with_budget(None),
    )
}

async fn a_series(fx: &Fixture, client: &Client) -> DicomSeries {
    DicomSeries::from_uid(client, &fx.catalog().series()[0].uid).expect("valid uid")
}

#[tokio::test]
async fn unavailable_k_times_then_success_takes_k_plus_one_calls() {
    let fx = Fixture::demo().await;
    let client = fx.client_with(uncached_fast_retries).await;
    let series = a_series(&fx, &client).await;
    for k in 0..4 {
        fx.emulator.reset_counters();
        fx.emulator.faults().fail_next(k, Code::Unavailable);
        let modality = series.modality().await.expect("retried to success");
        assert_eq!(modality, fx.catalog().series()[0].modality);
        assert_eq!(
            fx.emulator.calls("DicomSeriesModality"),
            u64::from(k) + 1,
            "k = {k}"
        );
    }
}

#[tokio::test]
async fn unavailable_max_times_fails_after_max_calls() {
    let fx = Fixture::demo().await;
    let client = fx.client_with(uncached_fast_retries).await;
    let series = a_series(&fx, &client).await;
    fx.emulator.faults().fail_next(10, Code::Unavailable);

    let err = series.modality().await.expect_err("every attempt fails");

    assert!(err.is_unavailable(), "{err}");
    assert_eq!(err.rpc(), Some("DicomSeriesModality"));
    assert_eq!(
        fx.emulator.calls("DicomSeriesModality"),
        4,
        "the default is 4 attempts"
    );
}

#[tokio::test]
async fn a_non_retryable_code_is_one_call() {
    let fx = Fixture::demo().await;
    let client = fx.client_with(uncached_fast_retries).await;
    let series = a_series(&fx, &client).await;
    fx.emulator.faults().fail_next(1, Code::Internal);

    let err = series
        .modality()
        .await
        .expect_err("internal is not retried");

    assert_eq!(err.grpc_code(), Some(Code::Internal));
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 1);
}

#[tokio::test]
async fn an_in_band_failure_is_an_answer_not_retried() {
    let fx = Fixture::demo().await;
    let client = fx.client_with(uncached_fast_retries).await;
    let junk = DicomSeries::from_uid(&client, "NOT-A-LIVE-UID").expect("syntactically valid");

    let err = junk.modality().await.expect_err("no such series");

    assert!(err.is_stale_handle(), "{err}");
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 1);
}

#[tokio::test]
async fn retries_can_be_disabled() {
    let fx = Fixture::demo().await;
    let client = fx
        .client_with(|b| uncached_fast_retries(b).retry(RetryConfig::disabled()))
        .await;
    let series = a_series(&fx, &client).await;
    fx.emulator.faults().fail_next(1, Code::Unavailable);
    assert!(
        series
            .modality()
            .await
            .expect_err("one attempt")
            .is_unavailable()
    );
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 1);
}

#[tokio::test]
async fn a_slow_server_gives_the_attempt_timeout() {
    let fx = Fixture::demo().await;
    let client = fx
        .client_with(|b| {
            b.cache(CacheConfig::disabled())
                .retry(RetryConfig::disabled())
                .attempt_timeout(Some(Duration::from_millis(100)))
        })
        .await;
    let series = a_series(&fx, &client).await;
    fx.emulator
        .faults()
        .set_latency(Some(Duration::from_secs(5)));

    let err = tokio::time::timeout(Duration::from_secs(4), series.modality())
        .await
        .expect("the SDK gives up before the server answers")
        .expect_err("timed out");

    assert!(
        matches!(
            err,
            osirix_sdk::Error::Timeout {
                scope: TimeoutScope::Attempt,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.rpc(), Some("DicomSeriesModality"));
}

#[tokio::test]
async fn the_call_deadline_bounds_retries_and_backoff() {
    let fx = Fixture::demo().await;
    let client = fx
        .client_with(|b| {
            b.cache(CacheConfig::disabled())
                .retry(
                    RetryConfig::default()
                        .with_initial_backoff(Duration::from_secs(3600))
                        .with_max_backoff(Duration::from_secs(3600))
                        .with_budget(None),
                )
                .timeout(Some(Duration::from_millis(200)))
        })
        .await;
    let series = a_series(&fx, &client).await;
    fx.emulator.reset_counters();
    fx.emulator.faults().fail_next(10, Code::Unavailable);

    let err = tokio::time::timeout(Duration::from_secs(10), series.modality())
        .await
        .expect("the deadline ends the call")
        .expect_err("timed out");

    assert!(
        matches!(
            err,
            osirix_sdk::Error::Timeout {
                scope: TimeoutScope::Call,
                ..
            }
        ),
        "{err:?}"
    );
    // The jittered backoff (up to an hour; below the 200 ms left with odds of 1 in 18 000) ends at the deadline,
    // and the retry that would follow it sends nothing.
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_client_recovers_after_a_restart_on_the_same_port() {
    let fx = Fixture::demo().await;
    let client = fx.client_with(uncached_fast_retries).await;
    let series = a_series(&fx, &client).await;
    series.modality().await.expect("served before the restart");
    let (addr, catalog) = (fx.emulator.addr(), fx.emulator.catalog().clone());
    let Fixture {
        emulator,
        dir: _dir,
        ..
    } = fx;
    emulator.shutdown().await.expect("stops");

    let err = series.modality().await.expect_err("nothing listens");
    assert!(err.is_unavailable(), "{err}");

    let restarted = Emulator::builder(catalog)
        .start(addr)
        .await
        .expect("restarts on the same port");
    let modality = series.modality().await.expect("the same client reconnects");
    assert_eq!(modality, restarted.catalog().series()[0].modality);
}

#[tokio::test]
async fn user_layers_see_every_attempt() {
    let fx = Fixture::demo().await;
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = attempts.clone();
    let layer = tower::util::MapRequestLayer::new(
        move |req: http::Request<osirix_sdk::tonic::body::Body>| {
            counter.fetch_add(1, Ordering::Relaxed);
            req
        },
    );
    let client = fx
        .client_with(|b| uncached_fast_retries(b).layer(layer))
        .await;
    let series = a_series(&fx, &client).await;
    fx.emulator.faults().fail_next(2, Code::Unavailable);

    series.modality().await.expect("third attempt succeeds");

    assert_eq!(attempts.load(Ordering::Relaxed), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrency_limit_still_completes_every_call() {
    let fx = Fixture::demo().await;
    let client = fx
        .client_with(|b| b.cache(CacheConfig::disabled()).concurrency_limit(Some(2)))
        .await;
    let series = a_series(&fx, &client).await;
    let results = futures_util::future::join_all((0..50).map(|_| series.name())).await;
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(fx.emulator.calls("DicomSeriesName"), 50);
}

/// With keep-alive on, PINGs flow between calls and the connection keeps serving (the emulator's HTTP/2 server
/// answers them).
#[tokio::test]
async fn keep_alive_pings_leave_the_connection_serving() {
    let fx = Fixture::demo().await;
    let client = fx
        .client_with(|b| {
            b.cache(CacheConfig::disabled())
                .http2_keep_alive(Some(Duration::from_millis(50)))
        })
        .await;
    let series = a_series(&fx, &client).await;
    let expected = &fx.catalog().series()[0].modality;
    assert_eq!(&series.modality().await.expect("first call"), expected);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(&series.modality().await.expect("after pings"), expected);
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 2);
}
