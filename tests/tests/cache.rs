//! The response cache end to end: coalescing, hits, eviction of stale handles, invalidation, and that errors
//! are never cached. RPCs are counted by the emulator, so "one RPC" means one call reached the server.

use std::time::Duration;

use futures_util::future::join_all;
use osirix_emulator::demo::DemoSpec;
use osirix_sdk::{CacheConfig, Client, DicomSeries, RetryConfig};
use tests::{Fixture, first_series};

/// A second client of the fixture's emulator whose growable collections (and handle-valued answers) live `ttl`.
async fn client_with_growable_ttl(fx: &Fixture, ttl: Duration) -> Client {
    fx.client_with(|b| b.cache(CacheConfig::default().with_growable_ttl(Some(ttl))))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_cold_reads_send_one_rpc() {
    let fx = Fixture::demo().await;
    let series = first_series(&fx.client).await;
    fx.emulator.reset_counters();
    let before = fx.client.cache_stats();

    let results = join_all((0..1000).map(|_| series.modality())).await;

    let expected = &fx
        .catalog()
        .series_by_uid(series.uid())
        .expect("catalogued")
        .modality;
    assert!(
        results.iter().all(|r| r.as_ref().ok() == Some(expected)),
        "every caller gets the value"
    );
    assert_eq!(
        fx.emulator.calls("DicomSeriesModality"),
        1,
        "one RPC for 1000 identical cold reads"
    );
    let after = fx.client.cache_stats();
    assert_eq!(after.misses - before.misses, 1, "{after:?}");
    assert_eq!(
        after.coalesced + after.hits - before.coalesced - before.hits,
        999,
        "{after:?}"
    );
}

#[tokio::test]
async fn a_cache_hit_sends_nothing() {
    let fx = Fixture::demo().await;
    let series = first_series(&fx.client).await;
    let first = series.series_instance_uid().await.expect("first read");
    fx.emulator.reset_counters();
    let hits = fx.client.cache_stats().hits;

    let second = series.series_instance_uid().await.expect("second read");

    assert_eq!(first, second);
    assert_eq!(fx.emulator.total_calls(), 0);
    assert_eq!(fx.client.cache_stats().hits, hits + 1);
}

#[tokio::test]
async fn handles_of_equal_uid_share_entries_but_clients_do_not() {
    let fx = Fixture::demo().await;
    let series = first_series(&fx.client).await;
    series.name().await.expect("read");
    let same = DicomSeries::from_uid(&fx.client, series.uid()).expect("valid uid");
    let other_client = fx.client_with(|b| b).await;
    let foreign = DicomSeries::from_uid(&other_client, series.uid()).expect("valid uid");
    fx.emulator.reset_counters();

    same.name()
        .await
        .expect("cached through another handle value");
    assert_eq!(fx.emulator.total_calls(), 0);
    foreign.name().await.expect("read by the other client");
    assert_eq!(
        fx.emulator.calls("DicomSeriesName"),
        1,
        "caches are per client"
    );
}

#[tokio::test]
async fn a_stale_answer_evicts_every_entry_of_the_handle() {
    let fx = Fixture::demo().await;
    let series = first_series(&fx.client).await;
    series.modality().await.expect("cached while alive");
    assert!(
        fx.emulator.forget(series.uid()),
        "the emulator frees the series"
    );

    let err = series
        .series_instance_uid()
        .await
        .expect_err("the handle is stale now");
    assert!(err.is_stale_handle(), "{err}");
    fx.emulator.reset_counters();

    let err = series
        .modality()
        .await
        .expect_err("the cached modality was dropped with the handle");
    assert!(err.is_stale_handle(), "{err}");
    assert_eq!(
        fx.emulator.calls("DicomSeriesModality"),
        1,
        "the read went to the server"
    );
}

#[tokio::test]
async fn errors_are_never_cached() {
    let fx = Fixture::demo().await;
    let client = fx.client_with(|b| b.retry(RetryConfig::disabled())).await;
    let series = first_series(&client).await;
    fx.emulator
        .faults()
        .fail_next(1, osirix_sdk::tonic::Code::Internal);

    let err = series.modality().await.expect_err("the injected failure");
    assert_eq!(err.grpc_code(), Some(osirix_sdk::tonic::Code::Internal));
    fx.emulator.reset_counters();
    series.modality().await.expect("the next read asks again");
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 1);
}

#[tokio::test]
async fn invalidation_refreshes_a_handle_or_everything() {
    let fx = Fixture::demo().await;
    let series = first_series(&fx.client).await;
    let study = series.study().await.expect("study");
    series.paths().await.expect("read");
    study.patient_id().await.expect("read");

    fx.client.invalidate(&series).await.expect("our own handle");
    fx.emulator.reset_counters();
    series.paths().await.expect("read again");
    study.patient_id().await.expect("still cached");
    assert_eq!(fx.emulator.calls("DicomSeriesPaths"), 1);
    assert_eq!(fx.emulator.calls("DicomStudyPatientID"), 0);

    fx.client.invalidate_all();
    fx.emulator.reset_counters();
    study.patient_id().await.expect("read again");
    assert_eq!(fx.emulator.calls("DicomStudyPatientID"), 1);
}

#[tokio::test]
async fn growable_collections_expire_while_immutable_values_stay() {
    let fx = Fixture::demo().await;
    let client = client_with_growable_ttl(&fx, Duration::ZERO).await;
    let series = first_series(&client).await;
    series.paths().await.expect("read");
    series.modality().await.expect("read");
    fx.emulator.reset_counters();

    series.paths().await.expect("read again");
    series.modality().await.expect("read again");
    assert_eq!(
        fx.emulator.calls("DicomSeriesPaths"),
        1,
        "a growable collection with a zero TTL is fetched again"
    );
    assert_eq!(
        fx.emulator.calls("DicomSeriesModality"),
        0,
        "an immutable value stays"
    );
}

/// OsiriX drops a study from its uid cache and names it again under a new uid: a series' cached study must
/// follow, since the study itself lives on. Handle-valued answers expire with the growable time-to-live (zero
/// here), whatever the RPC's declaration; the study's own immutable values stay cached under its new uid.
#[tokio::test]
async fn a_cached_parent_handle_follows_a_re_registered_parent() {
    let fx = Fixture::demo().await;
    let client = client_with_growable_ttl(&fx, Duration::ZERO).await;
    let series = first_series(&client).await;
    let old = series.study().await.expect("study");
    let patient = old.patient_id().await.expect("patient id");
    assert!(
        fx.emulator.forget(old.uid()),
        "the emulator drops the study"
    );
    let err = old
        .study_instance_uid()
        .await
        .expect_err("the old uid is stale");
    assert!(err.is_stale_handle(), "{err}");

    let new = series.study().await.expect("the study again");
    assert_ne!(new.uid(), old.uid(), "the study has a new uid");
    assert_eq!(new.patient_id().await.expect("patient id"), patient);
    fx.emulator.reset_counters();
    new.patient_id().await.expect("cached");
    assert_eq!(fx.emulator.calls("DicomStudyPatientID"), 0);
}

/// Within the growable time-to-live (an hour here), a parent handle is one entry like any other: read once.
#[tokio::test]
async fn a_parent_handle_is_cached_for_the_growable_ttl() {
    let fx = Fixture::demo().await;
    let client = client_with_growable_ttl(&fx, Duration::from_secs(3600)).await;
    let series = first_series(&client).await;
    let study = series.study().await.expect("study");
    fx.emulator.reset_counters();
    assert_eq!(series.study().await.expect("study again"), study);
    assert_eq!(fx.emulator.calls("DicomSeriesStudy"), 0);
}

#[tokio::test]
async fn a_disabled_cache_sends_every_read() {
    let fx = Fixture::demo().await;
    let client = fx.client_with(|b| b.cache(CacheConfig::disabled())).await;
    let series = first_series(&client).await;
    fx.emulator.reset_counters();
    series.modality().await.expect("read");
    series.modality().await.expect("read");
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 2);
    assert_eq!(client.cache_stats(), osirix_sdk::CacheStats::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_walk_reads_each_value_once() {
    let spec = DemoSpec {
        studies: 2,
        series_per_study: 2,
        images_per_series: 3,
        seed: 3,
        ..DemoSpec::DEFAULT
    };
    let fx = Fixture::with_spec(spec, false).await;
    for _ in 0..2 {
        let browser = fx.client.current_browser().await.expect("browser");
        for study in browser.database_studies().await.expect("studies") {
            for series in study.series().await.expect("series") {
                series.summary().await.expect("summary");
                for image in series.images().await.expect("images") {
                    image.complete_path().await.expect("path");
                }
            }
        }
    }
    // The second walk sent only the uncached browser calls.
    assert_eq!(fx.emulator.calls("DicomImageCompletePath"), 12);
    assert_eq!(fx.emulator.calls("DicomSeriesModality"), 4);
    assert_eq!(fx.emulator.calls("BrowserControllerDatabaseStudies"), 2);
}
