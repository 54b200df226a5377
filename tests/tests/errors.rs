//! The SDK's errors, end to end over loopback TCP: stale handles (forgotten, junk, or of another class), uids
//! rejected before anything is sent, a server that is down, retries, a closed client, and the thread-safety of
//! the types.

use std::time::Duration;

use osirix_emulator::ObjectRef;
use osirix_emulator::demo::DemoSpec;
use osirix_sdk::{
    BrowserController, Client, DicomImage, DicomSeries, DicomStudy, Error, MAX_UID_LEN,
    RetryConfig, tonic,
};
use tests::Fixture;
use tests::accessors::{self, Accessor};

const SPEC: DemoSpec = DemoSpec {
    studies: 2,
    series_per_study: 2,
    images_per_series: 3,
    seed: 11,
    ..DemoSpec::DEFAULT
};

async fn fixture() -> Fixture {
    Fixture::with_spec(SPEC, false).await
}

async fn first_series(client: &Client) -> (DicomStudy, DicomSeries) {
    tests::first_study_and_series(client).await
}

/// Asserts that every accessor of `table` on `handle` is a stale-handle error of its own RPC for `uid`.
async fn assert_all_stale<H>(table: &[Accessor<H>], handle: &H, class: &str, uid: &str) {
    for accessor in table {
        let err = (accessor.call)(handle).await.expect_err(accessor.rpc);
        assert_stale(&err, accessor.rpc, class, uid);
    }
}

/// Asserts `err` is a stale-handle error of `rpc` for `uid`, whose message names the RPC and hides the uid.
fn assert_stale(err: &Error, rpc: &str, class: &str, uid: &str) {
    assert!(err.is_stale_handle(), "{err:?}");
    assert_eq!(err.stale_uid(), Some(uid), "{err:?}");
    assert_eq!(err.rpc(), Some(rpc), "{err:?}");
    assert!(
        matches!(err, Error::StaleHandle { class: c, .. } if *c == class),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains(rpc), "{text}");
    assert!(!text.contains(uid), "the message leaks the uid: {text}");
    assert!(!err.is_unavailable() && !err.is_osirix() && !err.is_timeout() && !err.is_malformed());
    assert_eq!(err.grpc_code(), None);
}

/// A loopback port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

#[tokio::test]
async fn a_forgotten_handle_is_stale_and_its_cache_is_dropped() {
    let f = fixture().await;
    let (study, series) = first_series(&f.client).await;
    let uid = series.uid().to_owned();
    let Some(ObjectRef::Series(index)) = f.emulator.lookup(&uid) else {
        panic!("{series:?} is not a cached series")
    };
    // A cached answer from before the object went away.
    let modality = series.modality().await.expect("modality");
    assert!(!modality.is_empty());
    assert!(f.emulator.forget(&uid));

    let before = f.emulator.calls("DicomSeriesPaths");
    let err = series.paths().await.expect_err("the series is gone");
    assert_stale(&err, "DicomSeriesPaths", "DicomSeries", &uid);
    // In-band failures are answers: not retried.
    assert_eq!(f.emulator.calls("DicomSeriesPaths"), before + 1);

    // The stale answer dropped the handle's cached values: the cached modality is not served any more.
    let before = f.emulator.calls("DicomSeriesModality");
    let err = series
        .modality()
        .await
        .expect_err("the cached modality was dropped");
    assert_stale(&err, "DicomSeriesModality", "DicomSeries", &uid);
    assert_eq!(f.emulator.calls("DicomSeriesModality"), before + 1);

    // Every accessor of the handle now fails the same way, `summary` with whichever of its calls fails first.
    assert_all_stale(accessors::SERIES, &series, "DicomSeries", &uid).await;
    let err = series.summary().await.expect_err("stale");
    let rpc = err.rpc().expect("an RPC");
    assert!(rpc.starts_with("DicomSeries"), "{rpc}");
    assert_stale(&err, rpc, "DicomSeries", &uid);

    // The object comes back under a new uid once the study's (cached) listing is refreshed.
    f.client.invalidate(&study).await.expect("our own handle");
    let fresh = study.series().await.expect("series");
    let new_uid = f.emulator.uid_of_series(index).expect("handed out again");
    assert_ne!(new_uid, uid);
    let renewed = fresh
        .iter()
        .find(|s| s.uid() == new_uid)
        .expect("the forgotten series is listed again");
    assert_ne!(renewed, &series);
    assert_eq!(renewed.modality().await.expect("modality"), modality);
    assert!(
        series
            .paths()
            .await
            .expect_err("the old uid stays stale")
            .is_stale_handle()
    );
}

#[tokio::test]
async fn forgotten_studies_images_and_browser_are_stale() {
    let f = fixture().await;
    let browser = f.client.current_browser().await.expect("browser");
    let (study, series) = first_series(&f.client).await;
    let image = series.images().await.expect("images").remove(0);

    assert!(f.emulator.forget(study.uid()));
    assert_all_stale(accessors::STUDY, &study, "DicomStudy", study.uid()).await;
    assert!(f.emulator.forget(image.uid()));
    assert_all_stale(accessors::IMAGE, &image, "DicomImage", image.uid()).await;
    assert!(f.emulator.forget(browser.uid()));
    assert_all_stale(
        accessors::BROWSER,
        &browser,
        "BrowserController",
        browser.uid(),
    )
    .await;
    // The browser comes back under a new uid.
    let again = f.client.current_browser().await.expect("browser");
    assert_ne!(again, browser);
    assert_eq!(
        again.database_studies().await.expect("studies").len(),
        SPEC.studies
    );
}

#[tokio::test]
async fn a_junk_uid_is_stale_on_first_use() {
    let f = fixture().await;
    let junk = "JUNK-UID-THAT-OSIRIX-NEVER-HANDED-OUT";
    let before = f.emulator.total_calls();
    let series = DicomSeries::from_uid(&f.client, junk).expect("a well-formed uid is accepted");
    let study = DicomStudy::from_uid(&f.client, junk).expect("accepted");
    let image = DicomImage::from_uid(&f.client, junk).expect("accepted");
    let browser = BrowserController::from_uid(&f.client, junk).expect("accepted");
    // Building handles sends nothing.
    assert_eq!(f.emulator.total_calls(), before);

    assert_all_stale(accessors::SERIES, &series, "DicomSeries", junk).await;
    assert_all_stale(accessors::STUDY, &study, "DicomStudy", junk).await;
    assert_all_stale(accessors::IMAGE, &image, "DicomImage", junk).await;
    assert_all_stale(accessors::BROWSER, &browser, "BrowserController", junk).await;
    // A uid of the longest accepted length is sent, and is stale too.
    let longest = "A".repeat(MAX_UID_LEN);
    let series = DicomSeries::from_uid(&f.client, &longest).expect("the longest uid is accepted");
    assert_stale(
        &series.name().await.expect_err("junk"),
        "DicomSeriesName",
        "DicomSeries",
        &longest,
    );
}

#[tokio::test]
async fn a_uid_of_another_class_is_stale() {
    let f = fixture().await;
    let (study, series) = first_series(&f.client).await;
    let image = series.images().await.expect("images").remove(0);
    let browser = f.client.current_browser().await.expect("browser");

    // A uid of another class (OsiriX would message an object of the wrong class, see docs/osirix-behaviour.md,
    // *Identity*; the emulator answers "not cached"), for every accessor of every class.
    let as_series = DicomSeries::from_uid(&f.client, study.uid()).expect("from_uid");
    assert_all_stale(accessors::SERIES, &as_series, "DicomSeries", study.uid()).await;
    let as_series = DicomSeries::from_uid(&f.client, image.uid()).expect("from_uid");
    assert_all_stale(accessors::SERIES, &as_series, "DicomSeries", image.uid()).await;
    let as_study = DicomStudy::from_uid(&f.client, series.uid()).expect("from_uid");
    assert_all_stale(accessors::STUDY, &as_study, "DicomStudy", series.uid()).await;
    let as_study = DicomStudy::from_uid(&f.client, browser.uid()).expect("from_uid");
    assert_all_stale(accessors::STUDY, &as_study, "DicomStudy", browser.uid()).await;
    let as_image = DicomImage::from_uid(&f.client, series.uid()).expect("from_uid");
    assert_all_stale(accessors::IMAGE, &as_image, "DicomImage", series.uid()).await;
    let as_browser = BrowserController::from_uid(&f.client, study.uid()).expect("from_uid");
    assert_all_stale(
        accessors::BROWSER,
        &as_browser,
        "BrowserController",
        study.uid(),
    )
    .await;

    // The real handles are unaffected (their cache entries were not dropped by the other classes' failures).
    assert!(!series.modality().await.expect("modality").is_empty());
    assert!(study.patient_name().await.expect("patient name").is_some());
}

#[tokio::test]
async fn malformed_uids_are_rejected_before_anything_is_sent() {
    let f = fixture().await;
    let huge = "X".repeat(10 << 20);
    let too_long = "B".repeat(MAX_UID_LEN + 1);
    let bad: [&str; 7] = [
        "", &huge, &too_long, "ABC\0DEF", "ABC\nDEF", "\u{7f}", "TAB\tUID",
    ];
    let before = f.emulator.total_calls();
    for uid in bad {
        let shown = uid.chars().take(20).collect::<String>();
        let errors = [
            DicomSeries::from_uid(&f.client, uid)
                .map(|_| ())
                .expect_err("rejected"),
            DicomStudy::from_uid(&f.client, uid)
                .map(|_| ())
                .expect_err("rejected"),
            DicomImage::from_uid(&f.client, uid)
                .map(|_| ())
                .expect_err("rejected"),
            BrowserController::from_uid(&f.client, uid)
                .map(|_| ())
                .expect_err("rejected"),
        ];
        for err in errors {
            assert!(
                matches!(err, Error::InvalidArgument { .. }),
                "{shown:?}: {err:?}"
            );
            assert_eq!(err.rpc(), None);
            assert!(!err.is_stale_handle() && !err.is_unavailable());
            // The message does not echo the (possibly huge or hostile) uid.
            assert!(err.to_string().len() < 200, "{}", err.to_string().len());
        }
    }
    assert_eq!(
        f.emulator.total_calls(),
        before,
        "nothing reached the server"
    );
    // The client still works.
    f.client.version().await.expect("version");
    assert_eq!(f.emulator.total_calls(), before + 1);
}

#[tokio::test]
async fn connecting_to_a_server_that_is_down_fails_with_connect() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let err = Client::connect(url.as_str())
        .await
        .expect_err("nothing listens there");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.is_unavailable());
    assert_eq!(err.rpc(), None);
    assert!(
        std::error::Error::source(&err).is_some(),
        "the transport's error is kept as the source"
    );
    assert!(
        !err.to_string().contains(&url),
        "the message names no endpoint: {err}"
    );

    // An invalid URI is a connect error too, for both ways of connecting.
    assert!(matches!(
        Client::connect("not a uri").await,
        Err(Error::Connect { .. })
    ));
    assert!(matches!(
        Client::builder("not a uri").connect_lazy(),
        Err(Error::Connect { .. })
    ));
}

#[tokio::test]
async fn a_lazy_client_of_a_server_that_is_down_is_unavailable_after_retries() {
    let url = format!("http://127.0.0.1:{}", closed_port());
    let client = Client::builder(url)
        .retry(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
        .connect_lazy()
        .expect("a valid endpoint");
    let err = client.version().await.expect_err("nothing listens there");
    assert!(
        matches!(
            err,
            Error::Unavailable {
                rpc: "OsirixVersion",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_unavailable());
    assert_eq!(err.grpc_code(), Some(tonic::Code::Unavailable));
    assert!(std::error::Error::source(&err).is_some());
    // Handles fail the same way (and nothing was cached).
    let series =
        DicomSeries::from_uid(&client, "00000000-0000-4000-8000-000000000000").expect("from_uid");
    let err = series.modality().await.expect_err("down");
    assert!(
        matches!(
            err,
            Error::Unavailable {
                rpc: "DicomSeriesModality",
                ..
            }
        ),
        "{err:?}"
    );
    client.sync_cache().await;
    assert_eq!(client.cache_stats().entries, 0);
}

#[tokio::test]
async fn unavailable_answers_are_retried_and_other_codes_are_not() {
    let f = fixture().await;
    let client = f
        .client_with(|b| {
            b.retry(RetryConfig::default().with_initial_backoff(Duration::from_millis(1)))
        })
        .await;
    let attempts = RetryConfig::default().max_attempts();

    // Fewer failures than attempts: the call succeeds on the last attempt.
    f.emulator.reset_counters();
    f.emulator
        .faults()
        .fail_next(attempts - 1, tonic::Code::Unavailable);
    client.version().await.expect("succeeds after retries");
    assert_eq!(f.emulator.calls("OsirixVersion"), u64::from(attempts));

    // As many failures as attempts: the call fails with Unavailable after exactly that many attempts.
    f.emulator.reset_counters();
    f.emulator
        .faults()
        .fail_next(attempts, tonic::Code::Unavailable);
    let err = client.version().await.expect_err("every attempt fails");
    assert!(
        matches!(
            err,
            Error::Unavailable {
                rpc: "OsirixVersion",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(f.emulator.calls("OsirixVersion"), u64::from(attempts));

    // Another code is not retried and keeps its code.
    f.emulator.reset_counters();
    f.emulator.faults().fail_next(1, tonic::Code::Internal);
    let err = client.version().await.expect_err("internal");
    assert!(
        matches!(
            err,
            Error::Grpc {
                rpc: "OsirixVersion",
                code: tonic::Code::Internal,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.grpc_code(), Some(tonic::Code::Internal));
    assert!(!err.is_unavailable());
    assert_eq!(f.emulator.calls("OsirixVersion"), 1);

    // A call that is not idempotent is not retried even on Unavailable.
    let browser = client.current_browser().await.expect("browser");
    f.emulator.reset_counters();
    f.emulator.faults().fail_next(1, tonic::Code::Unavailable);
    let err = browser
        .start_copy_files(Vec::new())
        .await
        .expect_err("unavailable");
    assert!(err.is_unavailable(), "{err:?}");
    assert_eq!(f.emulator.calls("BrowserControllerCopyFilesIfNeeded"), 1);
    f.emulator.faults().clear();
    client.version().await.expect("version");
}

#[tokio::test]
async fn a_closed_client_sends_nothing() {
    let f = fixture().await;
    let client = f.client_with(|b| b).await;
    let clone = client.clone();
    let (study, series) = first_series(&client).await;
    // Something in the cache, to check that a closed client does not serve it either.
    let modality = series.modality().await.expect("modality");
    assert!(!modality.is_empty());

    client.close();
    assert!(client.is_closed() && clone.is_closed() && series.client().is_closed());
    let before = f.emulator.total_calls();
    let closed = |err: Error, rpc: &str| {
        assert!(matches!(err, Error::Closed { .. }), "{err:?}");
        assert_eq!(err.rpc(), Some(rpc));
        assert!(err.to_string().contains(rpc));
        assert!(!err.is_unavailable() && !err.is_stale_handle());
    };
    closed(client.version().await.expect_err("closed"), "OsirixVersion");
    closed(
        clone.current_browser().await.expect_err("closed"),
        "OsirixCurrentBrowser",
    );
    closed(
        series
            .modality()
            .await
            .expect_err("closed, even though cached"),
        "DicomSeriesModality",
    );
    closed(
        series.paths().await.expect_err("closed"),
        "DicomSeriesPaths",
    );
    closed(
        study.patient_id().await.expect_err("closed"),
        "DicomStudyPatientID",
    );
    closed(
        client
            .server_cache_object_type(series.uid().to_owned())
            .await
            .expect_err("closed"),
        "OsirixCacheObjectForUid",
    );
    let err = series.summary().await.expect_err("closed");
    assert!(matches!(err, Error::Closed { .. }), "{err:?}");
    // New handles of a closed client fail the same way.
    let rebuilt = DicomSeries::from_uid(&client, series.uid()).expect("from_uid");
    closed(rebuilt.name().await.expect_err("closed"), "DicomSeriesName");
    assert_eq!(f.emulator.total_calls(), before, "no RPC was sent");

    // Other clients of the same server are unaffected.
    assert!(!f.client.is_closed());
    let mine = DicomSeries::from_uid(&f.client, series.uid()).expect("from_uid");
    assert_eq!(mine.modality().await.expect("modality"), modality);
}

fn send_sync_static<T: Send + Sync + 'static>() {}
fn send<T: Send>(_: &T) {}

#[test]
fn errors_clients_and_handles_are_thread_safe() {
    send_sync_static::<Error>();
    send_sync_static::<Client>();
    send_sync_static::<DicomSeries>();
    send_sync_static::<DicomStudy>();
    send_sync_static::<DicomImage>();
    send_sync_static::<BrowserController>();
    send_sync_static::<osirix_sdk::Selection>();
    send_sync_static::<osirix_sdk::SeriesSummary>();
    // `Error` is a standard error, so it goes into `Box<dyn Error + Send + Sync>`.
    fn boxed(err: Error) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        Box::new(err)
    }
    let _ = boxed;
}

/// The futures of the SDK are `Send` (checked at compile time; the function is never awaited).
#[allow(dead_code)]
fn futures_are_send(
    client: &Client,
    series: &DicomSeries,
    study: &DicomStudy,
    image: &DicomImage,
    browser: &BrowserController,
    viewer: &osirix_sdk::ViewerController,
    import: &osirix_sdk::Import,
) {
    send(&Client::connect("http://127.0.0.1:1"));
    send(&client.version());
    send(&client.current_browser());
    send(&client.server_cache_object_type(String::new()));
    send(&client.invalidate(series));
    send(&series.summary());
    send(&series.images_by_instance_number());
    send(&series.date());
    send(&study.series());
    send(&study.date_of_birth());
    send(&image.series());
    send(&browser.database_selection());
    send(&browser.start_copy_files(Vec::new()));
    send(&browser.copy_files_if_needed(Vec::new()));
    // With a progress callback that is Send, the future is too.
    let timeout = std::time::Duration::ZERO;
    send(&viewer.volume(0));
    send(&viewer.volume_with_progress(0, |_| {}));
    send(&import.wait(timeout));
    send(&import.wait_with_progress(timeout, |_| {}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handles_and_errors_cross_tasks() {
    let f = fixture().await;
    let (_, series) = first_series(&f.client).await;
    // Work spawned on other worker threads, handles moved in, results and errors moved out.
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let series = series.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    series.summary().await.map(|s| s.number_of_images)
                } else {
                    let junk = DicomSeries::from_uid(series.client(), "JUNK").expect("from_uid");
                    junk.number_of_images().await
                }
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let result = task.await.expect("the task ran");
        if i % 2 == 0 {
            assert_eq!(result.expect("summary"), SPEC.images_per_series as u32);
        } else {
            assert!(result.expect_err("junk").is_stale_handle());
        }
    }
    let _: fn(
        &Client,
        &DicomSeries,
        &DicomStudy,
        &DicomImage,
        &BrowserController,
        &osirix_sdk::ViewerController,
        &osirix_sdk::Import,
    ) = futures_are_send;
}

#[tokio::test]
async fn invalidating_a_child_renews_its_parent_handle() {
    let f = fixture().await;
    let (study, series) = first_series(&f.client).await;
    let image = series.images().await.expect("images").remove(0);
    assert_eq!(image.series().await.expect("parent"), series);
    let Some(ObjectRef::Series(index)) = f.emulator.lookup(series.uid()) else {
        panic!("not a series")
    };
    let name = series.name().await.expect("name");
    assert!(f.emulator.forget(series.uid()));
    // The cached name is still served; the first call that reaches the server finds the handle stale.
    assert!(series.paths().await.expect_err("stale").is_stale_handle());

    // The image is alive; once its cached answers are dropped it names its series under the new uid.
    f.client.invalidate(&image).await.expect("our own handle");
    let parent = image.series().await.expect("parent");
    assert_eq!(
        Some(parent.uid().to_owned()),
        f.emulator.uid_of_series(index)
    );
    assert_ne!(parent, series);
    assert_eq!(parent.name().await.expect("name"), name);
    assert_eq!(parent.study().await.expect("study"), study);
}
