//! Reliability: the SDK under concurrent load and injected faults, checked call by call against the catalogue
//! the emulator was built from; bad input from the user; TLS and per-call metadata.
//!
//! The load runs here are the short CI version of `cargo run --release -p tests --bin load` (same code:
//! `tests::load`). They print their figures (`cargo test -p tests --test reliability -- --nocapture`). Runs
//! use the SDK's default retries (4 attempts on `UNAVAILABLE`, jittered backoff from 100 ms), 10 s attempt
//! and 20 s call limits, and no response cache unless said otherwise, so that every call goes on the wire.
//! Nothing here asserts a duration: time limits only bound hangs.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::{Catalog, Emulator};
use osirix_sdk::tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};
use osirix_sdk::{
    BrowserController, CacheConfig, Client, DicomSeries, DicomStudy, Error, RetryConfig,
};
use tests::Fixture;
use tests::hostile::{BUNDLE_NAME, HostileServer, Mode};
use tests::load::{FaultPlan, LoadConfig, LoadReport, WireRecorder, established_connections, run};

const TOKEN: &str = "tok-7f3a9c2e";

/// Fails the test if `f` has not ended after `secs` seconds (it should end well before).
async fn within<T>(secs: u64, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("hung")
}

/// Runs a load, prints its figures, and fails on any problem.
async fn load(config: LoadConfig, min_success: f64) -> LoadReport {
    let report = within(600, run(&config)).await;
    println!("{report}");
    let problems = report.problems(min_success);
    assert!(
        problems.is_empty(),
        "{}: {}\n{report}",
        config.label,
        problems.join("; ")
    );
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_normal_mode() {
    let report = load(
        LoadConfig::new("CI normal mode: 8000 calls x 64 tasks", 8000, 64),
        1.0,
    )
    .await;
    assert_eq!(report.ok, 8000);
    assert_eq!(report.attempts, 8000, "one attempt per call without faults");
    // Memory stays bounded: the whole test process peaks far below 1 GiB.
    assert!(
        report.peak_rss_kib.is_none_or(|kib| kib < 1 << 20),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_serial_mode() {
    let report = load(
        LoadConfig::new("CI serial mode: 5000 calls x 64 tasks", 5000, 64).serial(true),
        1.0,
    )
    .await;
    assert_eq!(report.ok, 5000);
}

/// The cache holds handle-valued answers (a series' study, its images): the load run's leak checks (tasks,
/// connections) must still pass once its client is dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_with_the_cache_leaks_nothing() {
    let config = LoadConfig::new(
        "CI normal mode with the default cache: 5000 calls x 64 tasks",
        5000,
        64,
    )
    .cache(CacheConfig::default());
    let report = load(config, 1.0).await;
    assert!(report.cache.hits > 0, "{report}");
}

/// Under faults, every call that does not succeed must have failed for a retryable reason the retries could
/// not outlast (`UNAVAILABLE` after the last attempt or with the retry budget spent), or hit a time limit.
fn only_retryable_failures(report: &LoadReport) {
    let others = report.errors_other_than(&[
        "unavailable",
        "timeout (per-attempt timeout)",
        "timeout (call deadline)",
    ]);
    assert!(
        others.is_empty(),
        "errors that are neither UNAVAILABLE nor timeouts: {others:?}\n{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_with_unavailable_and_latency_spikes() {
    let faults = FaultPlan {
        drops: 0,
        restart_at: None,
        ..FaultPlan::standard(5000)
    };
    let config = LoadConfig::new(
        "CI faults: 10 % UNAVAILABLE + 2 % 200 ms spikes: 5000 calls x 64 tasks",
        5000,
        64,
    )
    .faults(faults);
    let report = load(config, 0.999).await;
    only_retryable_failures(&report);
    assert!(report.retries() > 0, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_with_dropped_connections() {
    let faults = FaultPlan {
        fail_fraction: 0.0,
        spike_fraction: 0.0,
        drops: 3,
        restart_at: None,
        ..FaultPlan::standard(3000)
    };
    let config = LoadConfig::new(
        "CI faults: every connection dropped 3 times: 3000 calls x 64 tasks",
        3000,
        64,
    )
    .faults(faults);
    // A connection lost mid-answer is retried like UNAVAILABLE, so drops cost nothing but latency.
    let report = load(config, 0.999).await;
    only_retryable_failures(&report);
    assert_eq!(report.drops, 3, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_with_a_restart_mid_run() {
    let faults = FaultPlan {
        fail_fraction: 0.0,
        spike_fraction: 0.0,
        drops: 0,
        restart_at: Some(0.5),
        ..FaultPlan::standard(3000)
    };
    let config = LoadConfig::new(
        "CI faults: emulator restarted half-way: 3000 calls x 64 tasks",
        3000,
        64,
    )
    .faults(faults);
    let report = load(config, 0.999).await;
    only_retryable_failures(&report);
    assert_eq!(report.restarts, 1, "{report}");
}

/// Everything at once. The full run (`--bin load`, 100 000 calls × 256 tasks) is held to 99.9 %; this short
/// one to 99 %: a restart fails the calls in flight whose jittered backoff (350 ms on average for the three
/// retries) ends before the emulator is back, a fixed cost of up to 64 calls here (1.3 % of the run) against
/// 256 of 100 000 (0.26 %) in the full run. Every failure must still be a retryable one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_with_every_fault_at_once() {
    let config = LoadConfig::new(
        "CI faults: 10 % UNAVAILABLE, 2 % 200 ms spikes, 1 drop, restart half-way: 5000 calls x 64 tasks",
        5000,
        64,
    )
    .faults(FaultPlan::standard(5000));
    let report = load(config, 0.99).await;
    only_retryable_failures(&report);
    assert_eq!((report.drops, report.restarts), (1, 1), "{report}");
}

/// A client dropped with handle-valued answers in its cache (a series' study, its images) must still close its
/// connection: the cache must not keep the client alive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_client_closes_its_connection_even_with_cached_handles() {
    let f = Fixture::demo().await;
    let port = f.emulator.addr().port();
    let series_uid = f.catalog().series()[0].uid.clone();
    for handle_valued in [false, true] {
        let client = Client::connect(f.emulator.url()).await.expect("connects");
        let series = DicomSeries::from_uid(&client, &series_uid).expect("uid");
        series.modality().await.expect("modality");
        if handle_valued {
            series.study().await.expect("study");
            series.images().await.expect("images");
        }
        drop(series);
        drop(client);
        // Only the fixture's own client stays connected (waiting at most 10 s for the other to close).
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while established_connections(port) > 1 && std::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            established_connections(port),
            1,
            "handle-valued answers cached: {handle_valued}: the dropped client's connection is still open"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_client_under_load_ends_every_call_promptly() {
    let f = Fixture::with_spec(
        DemoSpec {
            studies: 2,
            series_per_study: 3,
            images_per_series: 4,
            seed: 3,
            ..DemoSpec::DEFAULT
        },
        false,
    )
    .await;
    let client = f.client_with(|b| b.cache(CacheConfig::disabled())).await;
    let uids: Vec<String> = f.catalog().series().iter().map(|s| s.uid.clone()).collect();
    let tasks: Vec<_> = (0..64)
        .map(|t| {
            let client = client.clone();
            let uid = uids[t % uids.len()].clone();
            tokio::spawn(async move {
                let series = DicomSeries::from_uid(&client, &uid).expect("uid");
                let mut ok = 0u64;
                loop {
                    match series.number_of_images().await {
                        Ok(_) => ok += 1,
                        Err(err) => return (ok, err),
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    client.close();
    for task in tasks {
        let (_, err) = within(30, task).await.expect("task");
        assert!(
            matches!(
                err,
                Error::Closed {
                    rpc: "DicomSeriesNumberOfImages"
                }
            ),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "DicomSeriesNumberOfImages: the client is closed"
        );
    }
    let before = f.emulator.total_calls();
    assert!(
        client
            .current_browser()
            .await
            .unwrap_err()
            .to_string()
            .contains("closed")
    );
    assert_eq!(
        f.emulator.total_calls(),
        before,
        "a closed client sends nothing"
    );
    // The fixture's client is another client: unaffected.
    f.client
        .version()
        .await
        .expect("another client still works");
}

#[tokio::test]
async fn handles_of_another_client_stay_bound_to_theirs() {
    let f = Fixture::demo().await;
    let other = f.client_with(|b| b).await;
    let uid = &f.catalog().series()[0].uid;
    let mine = DicomSeries::from_uid(&f.client, uid).expect("uid");
    let theirs = DicomSeries::from_uid(&other, uid).expect("uid");
    assert_ne!(
        mine, theirs,
        "same uid, different clients: different handles"
    );
    assert!(!mine.client().same_as(&other) && theirs.client().same_as(&other));
    // Handles a call returns are bound to the client that made it.
    let study = theirs.study().await.expect("study");
    assert!(study.client().same_as(&other));
    assert_ne!(study, mine.study().await.expect("study"));
    // Closing one client fails its handles only.
    other.close();
    assert!(matches!(theirs.modality().await, Err(Error::Closed { .. })));
    assert!(matches!(
        study.patient_id().await,
        Err(Error::Closed { .. })
    ));
    assert!(!mine.modality().await.expect("mine still works").is_empty());
    // Nothing cached by one client is served to the other.
    let fresh = f.client_with(|b| b).await;
    let before = f.emulator.total_calls();
    DicomSeries::from_uid(&fresh, uid)
        .expect("uid")
        .modality()
        .await
        .expect("modality");
    assert_eq!(f.emulator.total_calls(), before + 1);
}

#[tokio::test]
async fn a_huge_string_argument_is_a_clear_answer_or_error() {
    let f = Fixture::demo().await;
    let huge = "U".repeat(10 << 20);
    let result = within(60, f.client.server_cache_object_type(huge.clone())).await;
    match &result {
        // The server looked it up and knows no such object.
        Ok(kind) => assert_eq!(kind, "no object"),
        Err(err) => {
            assert!(
                err.to_string().len() < 200,
                "the error does not echo the argument"
            );
            assert!(
                matches!(err, Error::InvalidArgument { .. })
                    || err.rpc() == Some("OsirixCacheObjectForUid"),
                "{err:?}"
            );
        }
    }
    f.client.version().await.expect("the client still works");
}

/// A self-signed certificate for `localhost`: (certificate PEM, key PEM).
fn self_signed() -> (String, String) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    (cert.pem(), signing_key.serialize_pem())
}

fn demo_catalog(dir: &tempfile::TempDir) -> Arc<Catalog> {
    Arc::new(generate(dir.path(), &DemoSpec::default()).expect("demo database"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_bearer_token_against_the_emulator() {
    let (cert, key) = self_signed();
    let dir = tempfile::tempdir().expect("folder");
    let catalog = demo_catalog(&dir);
    let emulator = Emulator::builder(catalog.clone())
        .tls(ServerTlsConfig::new().identity(Identity::from_pem(&cert, &key)))
        .start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("emulator starts with TLS");
    let url = emulator.url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let tls = || {
        ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(&cert))
            .domain_name("localhost")
    };

    let recorder = WireRecorder::new();
    let builder = Client::builder(url.clone())
        .tls(tls())
        .bearer_token(TOKEN)
        .expect("token")
        .layer(recorder.layer());
    assert!(
        !format!("{builder:?}").contains(TOKEN),
        "the builder's Debug hides the token: {builder:?}"
    );
    let client = within(30, builder.connect())
        .await
        .expect("TLS client connects");
    assert!(!format!("{client:?}").contains(TOKEN));

    // Calls work over TLS and each carries the token.
    let browser = within(30, client.current_browser()).await.expect("browser");
    assert_eq!(browser.uid(), catalog.browser_uid());
    let studies = within(30, browser.database_studies())
        .await
        .expect("studies");
    assert_eq!(studies.len(), catalog.studies().len());
    let series = DicomSeries::from_uid(&client, &catalog.series()[0].uid).expect("uid");
    assert_eq!(
        within(30, series.modality()).await.expect("modality"),
        catalog.series()[0].modality
    );
    assert_eq!(
        recorder.authorizations().into_iter().collect::<Vec<_>>(),
        vec![format!("Bearer {TOKEN}")]
    );
    assert!(recorder.attempts() >= 3);

    // Errors over TLS show neither the uid nor the token.
    let forgotten = catalog.series()[1].uid.clone();
    assert!(emulator.forget(&forgotten));
    let err = within(
        30,
        DicomSeries::from_uid(&client, &forgotten)
            .expect("uid")
            .name(),
    )
    .await
    .unwrap_err();
    assert!(err.is_stale_handle(), "{err:?}");
    let text = err.to_string();
    assert!(
        !text.contains(&forgotten) && !text.contains(TOKEN),
        "{text}"
    );

    // A plaintext client of the TLS server, and a TLS client that does not trust its certificate, fail with
    // typed errors (no hang).
    let plain_url = url.replacen("https://", "http://", 1);
    let plain = Client::builder(plain_url)
        .timeout(Some(Duration::from_secs(10)))
        .connect_lazy()
        .expect("builds");
    let err = within(60, plain.version())
        .await
        .expect_err("plaintext to a TLS server");
    assert_eq!(err.rpc(), Some("OsirixVersion"), "{err:?}");
    assert!(
        err.is_protocol_error(),
        "a TLS answer is not HTTP/2: {err:?}"
    );
    let untrusted = Client::builder(url.clone())
        .tls(ClientTlsConfig::new().domain_name("localhost"))
        .timeout(Some(Duration::from_secs(10)))
        .connect_lazy()
        .expect("builds");
    let err = within(60, untrusted.version())
        .await
        .expect_err("untrusted certificate");
    assert_eq!(err.rpc(), Some("OsirixVersion"), "{err:?}");
    assert!(err.is_tls_error(), "{err:?}");
    let wrong_name = Client::builder(url.clone())
        .tls(
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(&cert))
                .domain_name("osirix.example"),
        )
        .timeout(Some(Duration::from_secs(10)))
        .connect_lazy()
        .expect("builds");
    let err = within(60, wrong_name.version())
        .await
        .expect_err("certificate for another name");
    assert_eq!(err.rpc(), Some("OsirixVersion"), "{err:?}");
    assert!(err.is_tls_error(), "{err:?}");
    // `connect` reports the failed handshake as a TLS error naming no endpoint.
    let err = within(
        60,
        Client::builder(url.clone())
            .tls(ClientTlsConfig::new().domain_name("localhost"))
            .connect(),
    )
    .await
    .expect_err("untrusted certificate");
    assert!(err.is_tls_error() && err.rpc().is_none(), "{err:?}");
    assert!(!err.to_string().contains(&url), "{err}");

    drop(client);
    emulator.shutdown().await.expect("stops");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_token_arrives_at_the_server_over_tls() {
    let (cert, key) = self_signed();
    let server = HostileServer::start_with(
        Mode::Valid,
        Some(ServerTlsConfig::new().identity(Identity::from_pem(&cert, &key))),
    )
    .await;
    let tls = ClientTlsConfig::new()
        .ca_certificate(Certificate::from_pem(&cert))
        .domain_name("localhost");
    let client = Client::builder(server.url())
        .tls(tls.clone())
        .bearer_token(TOKEN)
        .expect("token")
        .connect_lazy()
        .unwrap();
    let version = within(30, client.version()).await.expect("version");
    assert_eq!(version.bundle_name, BUNDLE_NAME);
    assert_eq!(
        version.version,
        format!("Bearer {TOKEN}"),
        "the server echoes the authorization it received"
    );
    // A client without a token sends none.
    let bare = Client::builder(server.url())
        .tls(tls.clone())
        .connect_lazy()
        .unwrap();
    assert_eq!(
        within(30, bare.version()).await.expect("version").version,
        ""
    );
    assert_eq!(
        server.authorizations(),
        vec![format!("Bearer {TOKEN}"), String::new()]
    );
    // Tokens a header cannot carry are refused before anything is sent.
    // Tokens with control characters are refused before anything is sent.
    for bad in ["line\nbreak", "cr\rlf", "nul\0byte", "del\u{7f}"] {
        let err = Client::builder(server.url())
            .bearer_token(bad)
            .expect_err("refused");
        assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
        assert!(!err.to_string().contains(bad), "{err}");
    }
    // Tokens beyond ASCII (which gRPC's ASCII metadata does not allow) are either refused or sent
    // byte-exact; never altered.
    for token in ["caf\u{e9}", "\u{1F511}"] {
        match Client::builder(server.url()).bearer_token(token) {
            Err(err) => assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}"),
            Ok(builder) => {
                println!(
                    "note: the non-ASCII bearer token {token:?} is accepted and sent as raw bytes"
                );
                let client = builder.tls(tls.clone()).connect_lazy().unwrap();
                let echoed = within(30, client.version()).await.expect("version").version;
                assert_eq!(echoed, format!("Bearer {token}"));
            }
        }
    }
}

#[tokio::test]
async fn error_messages_show_no_uid_token_or_path() {
    let f = Fixture::demo().await;
    let client = f
        .client_with(|b| {
            b.bearer_token(TOKEN)
                .expect("token")
                .retry(RetryConfig::disabled())
        })
        .await;
    let series = &f.catalog().series()[0];
    let image = &f.catalog().images()[0];
    let secrets = [
        series.uid.as_str(),
        image.uid.as_str(),
        image.path.as_str(),
        TOKEN,
        f.dir.path().to_str().unwrap(),
    ];
    let mut errors = Vec::new();
    // Stale handles of every class.
    let s = DicomSeries::from_uid(&client, &series.uid).unwrap();
    let img = osirix_sdk::DicomImage::from_uid(&client, &image.uid).unwrap();
    assert_eq!(
        img.complete_path().await.unwrap(),
        image.path,
        "the path is a value, not an error"
    );
    assert!(f.emulator.forget(&series.uid) && f.emulator.forget(&image.uid));
    errors.push(s.paths().await.unwrap_err());
    // (`complete_path` is cached now, and a cached value is still served: use another accessor.)
    errors.push(img.width().await.unwrap_err());
    errors.push(
        DicomStudy::from_uid(&client, &series.uid)
            .unwrap()
            .patient_id()
            .await
            .unwrap_err(),
    );
    errors.push(
        BrowserController::from_uid(&client, &image.uid)
            .unwrap()
            .database_studies()
            .await
            .unwrap_err(),
    );
    // Injected gRPC failures, a timeout, a closed client.
    f.emulator
        .faults()
        .fail_next(1, tonic::Code::PermissionDenied);
    errors.push(client.version().await.unwrap_err());
    f.emulator.faults().fail_next(1, tonic::Code::Unavailable);
    errors.push(client.current_browser().await.unwrap_err());
    f.emulator
        .faults()
        .set_latency(Some(Duration::from_millis(500)));
    let slow = f
        .client_with(|b| {
            b.attempt_timeout(Some(Duration::from_millis(50)))
                .bearer_token(TOKEN)
                .unwrap()
        })
        .await;
    errors.push(
        DicomSeries::from_uid(&slow, &f.catalog().series()[1].uid)
            .unwrap()
            .name()
            .await
            .unwrap_err(),
    );
    f.emulator.faults().clear();
    client.close();
    errors.push(s.modality().await.unwrap_err());
    // Rejected input.
    errors.push(DicomSeries::from_uid(&client, &format!("{}\n", series.uid)).unwrap_err());
    errors.push(DicomSeries::from_uid(&client, &image.path.repeat(20)).unwrap_err());
    assert_eq!(errors.len(), 10);
    for err in &errors {
        let text = err.to_string();
        for secret in secrets {
            assert!(!text.contains(secret), "{text:?} shows {secret:?}");
        }
    }
    assert!(errors[0].is_stale_handle() && errors[0].stale_uid() == Some(series.uid.as_str()));
}
