//! Hostile or broken server answers: every one becomes a typed error naming its RPC (a malformed response, a
//! gRPC status, a timeout), never a panic, a wrong value or a hang.
//!
//! The server is `tests::hostile::HostileServer`, switched between [`Mode`]s; servers that do not speak HTTP/2
//! at all are `RawTcpServer`s. Every call runs under a generous `tokio::time::timeout`, only so that a hang
//! fails the test instead of blocking it. Clients retry with the default policy except that the first backoff
//! is 10 ms instead of 100 ms (`RetryConfig::default().with_initial_backoff(10 ms)`), and have a 3 s attempt
//! limit and a 10 s call deadline.

use std::future::Future;
use std::time::Duration;

use osirix_sdk::chrono::{NaiveDate, Timelike};
use osirix_sdk::{
    CacheConfig, Client, DcmPix, DicomSeries, DicomStudy, Error, Result, RetryConfig, Roi,
    TimeoutScope,
};
use tests::hostile::{
    BROWSER_UID, BUNDLE_NAME, HostileServer, IMAGE_UIDS, Mode, RawTcp, RawTcpServer, SERIES_UID,
    STUDY_UID, VALID_COUNT, VALID_DATE, VALID_NO_FILES, grpc_frame,
};

/// What a hostile server puts in its messages, none of which may show in an error's `Display`.
const TOKEN: &str = "s3cr3t-t0ken";
const PATH: &str = "/Users/radiology/OsiriX Data/DATABASE.noindex/1234.dcm";

fn secrets() -> String {
    format!("uid {SERIES_UID} study {STUDY_UID} token Bearer {TOKEN} path {PATH}")
}

/// Fails the test if `f` has not ended after a minute (it should end in seconds).
async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("the call hung")
}

fn retry() -> RetryConfig {
    RetryConfig::default().with_initial_backoff(Duration::from_millis(10))
}

fn client_of(url: String) -> Client {
    Client::builder(url)
        .retry(retry())
        .attempt_timeout(Some(Duration::from_secs(3)))
        .timeout(Some(Duration::from_secs(10)))
        .cache(CacheConfig::disabled())
        .bearer_token(TOKEN)
        .expect("valid token")
        .connect_lazy()
        .expect("client builds")
}

fn client(server: &HostileServer) -> Client {
    client_of(server.url())
}

fn series(client: &Client) -> DicomSeries {
    DicomSeries::from_uid(client, SERIES_UID).expect("valid uid")
}

fn study(client: &Client) -> DicomStudy {
    DicomStudy::from_uid(client, STUDY_UID).expect("valid uid")
}

/// The error's `Display` names the RPC and holds no uid, token or path.
fn assert_clean(err: &Error, rpc: &str) {
    let text = err.to_string();
    assert!(text.starts_with(&format!("{rpc}: ")), "{text}");
    for secret in [SERIES_UID, STUDY_UID, BROWSER_UID, TOKEN, PATH, "/Users/"] {
        assert!(!text.contains(secret), "{text:?} shows {secret:?}");
    }
}

/// The result is a malformed-response error naming `rpc`.
#[track_caller]
fn malformed<T: std::fmt::Debug>(result: Result<T>, rpc: &str) -> Error {
    let err = result.expect_err("a malformed answer must be an error");
    assert!(
        err.is_malformed(),
        "{rpc}: expected a malformed response, got {err:?}"
    );
    assert_eq!(err.rpc(), Some(rpc), "{err:?}");
    assert_clean(&err, rpc);
    err
}

/// The result is a gRPC-status error with `code`, naming `rpc`.
#[track_caller]
fn grpc<T: std::fmt::Debug>(result: Result<T>, rpc: &str, code: tonic::Code) -> Error {
    let err = result.expect_err("a failed call must be an error");
    assert_eq!(err.grpc_code(), Some(code), "{rpc}: {err:?}");
    assert_eq!(err.rpc(), Some(rpc), "{err:?}");
    assert_clean(&err, rpc);
    err
}

#[tokio::test]
async fn valid_answers_decode() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    let s = series(&client);
    assert_eq!(
        within(s.number_of_images()).await.unwrap(),
        VALID_COUNT as u32
    );
    let date = within(s.date()).await.unwrap();
    assert_eq!(date.to_string(), "2022-08-03 19:01:19.530");
    assert_eq!(within(s.study()).await.unwrap().uid(), STUDY_UID);
    let images = within(s.images()).await.unwrap();
    assert_eq!(
        images.iter().map(|i| i.uid()).collect::<Vec<_>>(),
        IMAGE_UIDS
    );
    assert_eq!(
        within(study(&client).number_of_files()).await.unwrap(),
        Some(VALID_NO_FILES as u32)
    );
    assert_eq!(
        within(client.current_browser()).await.unwrap().uid(),
        BROWSER_UID
    );
    let version = within(client.version()).await.unwrap();
    assert_eq!(version.bundle_name, BUNDLE_NAME);
    // The bearer token arrives as `authorization` metadata.
    assert_eq!(version.version, format!("Bearer {TOKEN}"));
    assert!(
        server
            .authorizations()
            .iter()
            .all(|a| a == &format!("Bearer {TOKEN}")),
        "{:?}",
        server.authorizations()
    );
}

#[tokio::test]
async fn status_one_without_payload_is_malformed() {
    let server = HostileServer::start(Mode::PayloadMissing).await;
    let client = client(&server);
    let s = series(&client);
    malformed(within(s.study()).await, "DicomSeriesStudy");
    malformed(within(s.date()).await, "DicomSeriesDate");
    malformed(
        within(client.current_browser()).await,
        "OsirixCurrentBrowser",
    );
    // proto3 cannot tell a missing count or list from 0 or empty: those are values.
    assert_eq!(within(s.number_of_images()).await.unwrap(), 0);
    assert!(within(s.images()).await.unwrap().is_empty());
}

#[tokio::test]
async fn negative_counts_are_malformed() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    for count in [-1, -5, i32::MIN] {
        server.set_mode(Mode::Count(count));
        let err = malformed(
            within(series(&client).number_of_images()).await,
            "DicomSeriesNumberOfImages",
        );
        assert!(err.to_string().contains("negative"), "{err}");
        malformed(
            within(study(&client).number_of_files()).await,
            "DicomStudyNoFiles",
        );
    }
    server.set_mode(Mode::Count(i32::MAX));
    assert_eq!(
        within(series(&client).number_of_images()).await.unwrap(),
        i32::MAX as u32
    );
}

#[tokio::test]
async fn impossible_dates_are_malformed() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    let [y, mo, d, h, mi, s, ms] = VALID_DATE;
    let bad = [
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, h, mi, s, ms],
        [y, 13, d, h, mi, s, ms],
        [y, 0, d, h, mi, s, ms],
        [y, -1, d, h, mi, s, ms],
        [y, 2, 30, h, mi, s, ms],
        [y, mo, 32, h, mi, s, ms],
        [y, mo, 0, h, mi, s, ms],
        [y, mo, d, 25, mi, s, ms],
        [y, mo, d, 24, mi, s, ms],
        [y, mo, d, -1, mi, s, ms],
        [y, mo, d, h, 60, s, ms],
        [y, mo, d, h, mi, 60, ms],
        [y, mo, d, h, mi, -1, ms],
        [i32::MAX, mo, d, h, mi, s, ms],
        [i32::MIN, mo, d, h, mi, s, ms],
        [
            i32::MIN,
            i32::MIN,
            i32::MIN,
            i32::MIN,
            i32::MIN,
            i32::MIN,
            i32::MIN,
        ],
        [i32::MAX; 7],
    ];
    for parts in bad {
        server.set_mode(Mode::Date(parts));
        let err = malformed(within(series(&client).date()).await, "DicomSeriesDate");
        assert!(!err.to_string().is_empty());
    }
}

#[tokio::test]
async fn any_millisecond_decodes_to_under_a_second() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    let [y, mo, d, h, mi, s, _] = VALID_DATE;
    let mut values = vec![
        i32::MIN,
        i32::MIN + 8,
        -8,
        -1,
        0,
        1,
        7,
        8,
        999,
        1000,
        1_000_000,
        i32::MAX,
        i32::MAX - 7,
    ];
    values.extend([1_718_993_592, 1_020_924_832]);
    let mut rng = fastrand_like(0x5eed);
    values.extend((0..40).map(|_| rng() as i32));
    let expected_base = NaiveDate::from_ymd_opt(y, mo as u32, d as u32)
        .unwrap()
        .and_hms_opt(h as u32, mi as u32, s as u32)
        .unwrap();
    for ms in values {
        server.set_mode(Mode::Date([y, mo, d, h, mi, s, ms]));
        let date = within(series(&client).date())
            .await
            .unwrap_or_else(|e| panic!("millisecond {ms}: {e}"));
        assert_eq!(
            date.with_nanosecond(0).unwrap(),
            expected_base,
            "millisecond {ms}"
        );
        let sub = date.nanosecond();
        assert!(
            sub < 1_000_000_000 && sub % 1_000_000 == 0,
            "millisecond {ms} gave {sub} ns"
        );
        let expected_ms = osirix_sdk::decode_millisecond(ms).unwrap_or(0);
        assert_eq!(sub / 1_000_000, expected_ms, "millisecond {ms}");
    }
}

/// A small xorshift, to spread test values without a dependency.
fn fastrand_like(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

#[tokio::test]
async fn a_hundred_thousand_repeated_handles_are_malformed() {
    let server = HostileServer::start(Mode::RepeatedHandles(100_000)).await;
    let client = client(&server);
    let err = malformed(within(series(&client).images()).await, "DicomSeriesImages");
    assert!(err.to_string().contains("repeats"), "{err}");
    server.set_mode(Mode::RepeatedHandles(2));
    malformed(within(series(&client).images()).await, "DicomSeriesImages");
    server.set_mode(Mode::RepeatedHandles(1));
    assert_eq!(within(series(&client).images()).await.unwrap().len(), 1);
}

#[tokio::test]
async fn handles_with_bad_uids_are_malformed() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    let bad = [
        String::new(),
        "x".repeat(257),
        "A\nB".to_owned(),
        "nul\0uid".to_owned(),
        "\u{7f}".to_owned(),
    ];
    for uid in bad {
        server.set_mode(Mode::HandleUid(uid.clone()));
        malformed(within(series(&client).study()).await, "DicomSeriesStudy");
        malformed(within(series(&client).images()).await, "DicomSeriesImages");
        malformed(
            within(client.current_browser()).await,
            "OsirixCurrentBrowser",
        );
    }
    // Opaque but valid uids are accepted as they are.
    for uid in ["x".repeat(256), "é-ü-😀".to_owned(), " ".to_owned()] {
        server.set_mode(Mode::HandleUid(uid.clone()));
        assert_eq!(within(series(&client).study()).await.unwrap().uid(), uid);
    }
}

#[tokio::test]
async fn invalid_or_missing_status_is_malformed() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    for mode in [
        Mode::StatusValue(2),
        Mode::StatusValue(-1),
        Mode::StatusValue(i32::MAX),
        Mode::MissingStatus,
    ] {
        server.set_mode(mode.clone());
        let err = malformed(
            within(series(&client).number_of_images()).await,
            "DicomSeriesNumberOfImages",
        );
        assert!(err.to_string().contains("status"), "{mode:?}: {err}");
        malformed(within(series(&client).date()).await, "DicomSeriesDate");
        malformed(within(series(&client).study()).await, "DicomSeriesStudy");
        malformed(
            within(study(&client).number_of_files()).await,
            "DicomStudyNoFiles",
        );
        malformed(
            within(client.current_browser()).await,
            "OsirixCurrentBrowser",
        );
    }
}

#[tokio::test]
async fn in_band_failures_are_typed() {
    let server = HostileServer::start(Mode::InBand("No DicomSeries cached".into())).await;
    let client = client(&server);
    let err = within(series(&client).number_of_images())
        .await
        .unwrap_err();
    assert!(err.is_stale_handle(), "{err:?}");
    assert_eq!(err.stale_uid(), Some(SERIES_UID));
    assert_clean(&err, "DicomSeriesNumberOfImages");
    server.set_mode(Mode::InBand("Number of files not available".into()));
    assert_eq!(
        within(study(&client).number_of_files()).await.unwrap(),
        None
    );
    server.set_mode(Mode::InBand("Something else went wrong".into()));
    let err = within(series(&client).date()).await.unwrap_err();
    assert!(err.is_osirix(), "{err:?}");
    assert_eq!(err.rpc(), Some("DicomSeriesDate"));
    // An empty in-band message is still an in-band failure.
    server.set_mode(Mode::InBand(String::new()));
    assert!(
        within(series(&client).study())
            .await
            .unwrap_err()
            .is_osirix()
    );
}

#[tokio::test]
async fn grpc_error_statuses_are_typed_and_not_retried() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    let cases = [
        (tonic::Code::from_i32(99), tonic::Code::Unknown),
        (tonic::Code::Unknown, tonic::Code::Unknown),
        (tonic::Code::Internal, tonic::Code::Internal),
        (tonic::Code::DataLoss, tonic::Code::DataLoss),
        (tonic::Code::PermissionDenied, tonic::Code::PermissionDenied),
        (tonic::Code::Unauthenticated, tonic::Code::Unauthenticated),
        (
            tonic::Code::ResourceExhausted,
            tonic::Code::ResourceExhausted,
        ),
        (tonic::Code::DeadlineExceeded, tonic::Code::DeadlineExceeded),
        (tonic::Code::Unimplemented, tonic::Code::Unimplemented),
    ];
    for (sent, seen) in cases {
        server.set_mode(Mode::Grpc(sent, secrets()));
        let before = server.calls("DicomSeriesNumberOfImages");
        grpc(
            within(series(&client).number_of_images()).await,
            "DicomSeriesNumberOfImages",
            seen,
        );
        assert_eq!(
            server.calls("DicomSeriesNumberOfImages") - before,
            1,
            "{sent:?} is not retried"
        );
        grpc(
            within(client.current_browser()).await,
            "OsirixCurrentBrowser",
            seen,
        );
    }
}

#[tokio::test]
async fn unavailable_is_retried_then_typed() {
    let server = HostileServer::start(Mode::Grpc(tonic::Code::Unavailable, secrets())).await;
    let client = client(&server);
    let err = grpc(
        within(series(&client).number_of_images()).await,
        "DicomSeriesNumberOfImages",
        tonic::Code::Unavailable,
    );
    assert!(err.is_unavailable());
    assert_eq!(
        server.calls("DicomSeriesNumberOfImages"),
        u64::from(retry().max_attempts())
    );
}

#[tokio::test]
async fn raw_grpc_status_values_are_typed() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    for (raw, code) in [
        ("99", tonic::Code::Unknown),
        ("-1", tonic::Code::Unknown),
        ("abc", tonic::Code::Unknown),
        ("", tonic::Code::Unknown),
        ("13", tonic::Code::Internal),
        ("16", tonic::Code::Unauthenticated),
    ] {
        server.set_mode(Mode::RawGrpcStatus(raw.to_owned()));
        grpc(
            within(series(&client).number_of_images()).await,
            "DicomSeriesNumberOfImages",
            code,
        );
        grpc(
            within(series(&client).date()).await,
            "DicomSeriesDate",
            code,
        );
    }
}

#[tokio::test]
async fn grpc_status_zero_without_a_message_is_typed() {
    // Trailers-only `grpc-status: 0`: OK, but no response message at all.
    let server = HostileServer::start(Mode::RawGrpcStatus("0".into())).await;
    let client = client(&server);
    let err = within(series(&client).number_of_images())
        .await
        .expect_err("no message is no answer");
    assert_eq!(err.rpc(), Some("DicomSeriesNumberOfImages"));
    assert!(err.grpc_code().is_some() || err.is_malformed(), "{err:?}");
    assert_clean(&err, "DicomSeriesNumberOfImages");
}

#[tokio::test]
async fn non_grpc_http_answers_are_typed() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    let html = |status: u16| Mode::Http {
        status,
        content_type: "text/html".into(),
        body: format!("<html><body>{status} {}</body></html>", secrets()),
    };
    // An HTML error page: tonic reads its body as gRPC frames and fails on the first byte ('<' is no
    // compression flag), whatever the HTTP status.
    for status in [404, 400, 401, 403, 500, 502, 503] {
        server.set_mode(html(status));
        let err = within(series(&client).number_of_images())
            .await
            .expect_err("HTML is not an answer");
        eprintln!("HTTP {status} text/html with a body: {err:?}");
        assert_eq!(err.rpc(), Some("DicomSeriesNumberOfImages"));
        assert!(err.grpc_code().is_some(), "{err:?}");
        assert_clean(&err, "DicomSeriesNumberOfImages");
    }
    // Without a body, tonic maps the HTTP status (gRPC's HTTP-to-gRPC table).
    for (status, code) in [
        (404, tonic::Code::Unimplemented),
        (400, tonic::Code::Internal),
        (401, tonic::Code::Unauthenticated),
        (403, tonic::Code::PermissionDenied),
        (500, tonic::Code::Unknown),
        (502, tonic::Code::Unavailable),
        (503, tonic::Code::Unavailable),
    ] {
        server.set_mode(Mode::Http {
            status,
            content_type: "text/html".into(),
            body: String::new(),
        });
        grpc(
            within(series(&client).number_of_images()).await,
            "DicomSeriesNumberOfImages",
            code,
        );
    }
    // HTTP 200 with an HTML page: not gRPC either.
    server.set_mode(html(200));
    let err = within(series(&client).number_of_images())
        .await
        .expect_err("HTML is not an answer");
    assert_eq!(err.rpc(), Some("DicomSeriesNumberOfImages"));
    assert!(err.grpc_code().is_some() || err.is_malformed(), "{err:?}");
    assert_clean(&err, "DicomSeriesNumberOfImages");
}

#[tokio::test]
async fn broken_grpc_bodies_are_typed() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    let ok = Some("0".to_owned());
    let cases: Vec<(&str, Vec<u8>, Option<String>)> = vec![
        (
            "not protobuf",
            grpc_frame(&[
                0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
            ]),
            ok.clone(),
        ),
        ("wrong wire type", grpc_frame(&[0x0b, 0x0c]), ok.clone()),
        (
            "truncated frame",
            grpc_frame(&[0x0a, 0x02, 0x08, 0x01, 0x10, 0x05])[..7].to_vec(),
            ok.clone(),
        ),
        (
            "4 GiB frame",
            vec![0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3],
            ok.clone(),
        ),
        (
            "compressed frame without encoding",
            [&[1u8][..], &grpc_frame(&[0x08, 0x01])[1..]].concat(),
            ok.clone(),
        ),
        (
            "body without framing",
            b"<html>hello</html>".to_vec(),
            ok.clone(),
        ),
        ("empty body", Vec::new(), ok.clone()),
        (
            "valid frame, no trailers",
            grpc_frame(&[0x0a, 0x02, 0x08, 0x01, 0x10, 0x05]),
            None,
        ),
        (
            "valid frame, grpc-status 99 trailer",
            grpc_frame(&[0x0a, 0x02, 0x08, 0x01, 0x10, 0x05]),
            Some("99".into()),
        ),
        (
            "two frames",
            [grpc_frame(&[0x10, 0x05]), grpc_frame(&[0x10, 0x06])].concat(),
            ok.clone(),
        ),
    ];
    for (what, body, trailer_status) in cases {
        server.set_mode(Mode::RawBody {
            body,
            trailer_status,
        });
        let result = within(series(&client).number_of_images()).await;
        eprintln!("{what}: {result:?}");
        match result {
            Err(err) => {
                assert_eq!(
                    err.rpc(),
                    Some("DicomSeriesNumberOfImages"),
                    "{what}: {err:?}"
                );
                assert!(
                    err.grpc_code().is_some() || err.is_malformed(),
                    "{what}: {err:?}"
                );
                assert_clean(&err, "DicomSeriesNumberOfImages");
            }
            // Only a well-formed message (status 1, count 5) may be taken as an answer.
            Ok(count) => assert_eq!(count, 5, "{what}"),
        }
    }
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let server = HostileServer::start(Mode::Hang).await;
    let client = Client::builder(server.url())
        .attempt_timeout(Some(Duration::from_millis(300)))
        .timeout(Some(Duration::from_secs(2)))
        .connect_lazy()
        .unwrap();
    let err = within(series(&client).number_of_images())
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(err.rpc(), Some("DicomSeriesNumberOfImages"));
    assert!(
        matches!(
            err,
            Error::Timeout {
                scope: TimeoutScope::Attempt,
                ..
            }
        ),
        "{err:?}"
    );
    // Without a per-attempt limit, the call deadline ends it.
    let client = Client::builder(server.url())
        .attempt_timeout(None)
        .timeout(Some(Duration::from_millis(500)))
        .connect_lazy()
        .unwrap();
    let err = within(client.current_browser()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                scope: TimeoutScope::Call,
                rpc: "OsirixCurrentBrowser",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn servers_that_do_not_speak_http2_give_typed_errors() {
    // What a call meets, and what `connect` says: HTTP/1.1 and garbage are protocol errors, a connection closed
    // at once is unavailable, silence runs into the time limits.
    let expected = |err: &Error, behaviour: RawTcp, connecting: bool| match behaviour {
        RawTcp::Http1Html | RawTcp::Garbage => err.is_protocol_error(),
        RawTcp::CloseAtOnce if connecting => matches!(err, Error::Connect { .. }),
        RawTcp::CloseAtOnce => err.is_unavailable(),
        RawTcp::Silent if connecting => matches!(err, Error::Connect { .. }),
        _ => err.is_timeout(),
    };
    for behaviour in [
        RawTcp::Http1Html,
        RawTcp::CloseAtOnce,
        RawTcp::Garbage,
        RawTcp::Silent,
    ] {
        let server = RawTcpServer::start(behaviour).await;
        let client = client_of(server.url());
        for _ in 0..2 {
            let err = within(series(&client).number_of_images())
                .await
                .expect_err("no gRPC server there");
            eprintln!("{behaviour:?}: {err:?}");
            assert_eq!(
                err.rpc(),
                Some("DicomSeriesNumberOfImages"),
                "{behaviour:?}: {err:?}"
            );
            assert!(expected(&err, behaviour, false), "{behaviour:?}: {err:?}");
            assert_clean(&err, "DicomSeriesNumberOfImages");
        }
        let err = within(
            Client::builder(server.url())
                .connect_timeout(Some(Duration::from_secs(2)))
                .attempt_timeout(Some(Duration::from_secs(2)))
                .timeout(Some(Duration::from_secs(5)))
                .connect(),
        )
        .await
        .expect_err("connect proves a gRPC server answers");
        eprintln!("{behaviour:?}: connect: {err:?}");
        assert!(
            expected(&err, behaviour, true) && err.rpc().is_none(),
            "{behaviour:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn errors_are_not_cached() {
    let server = HostileServer::start(Mode::Count(-1)).await;
    let client = Client::builder(server.url())
        .retry(retry())
        .connect_lazy()
        .unwrap();
    let s = series(&client);
    malformed(
        within(s.number_of_images()).await,
        "DicomSeriesNumberOfImages",
    );
    server.set_mode(Mode::Date([2022, 13, 1, 0, 0, 0, 0]));
    malformed(within(s.date()).await, "DicomSeriesDate");
    server.set_mode(Mode::Valid);
    assert_eq!(
        within(s.number_of_images()).await.unwrap(),
        VALID_COUNT as u32
    );
    assert_eq!(
        within(s.date()).await.unwrap().to_string(),
        "2022-08-03 19:01:19.530"
    );
    // Now cached: a hostile answer no longer reaches the caller.
    server.set_mode(Mode::Count(-1));
    assert_eq!(
        within(s.number_of_images()).await.unwrap(),
        VALID_COUNT as u32
    );
}

#[tokio::test]
async fn concurrent_callers_of_a_failing_read_all_get_the_typed_error() {
    let server = HostileServer::start(Mode::Date([2022, 8, 3, 25, 0, 0, 0])).await;
    let client = Client::builder(server.url())
        .retry(retry())
        .connect_lazy()
        .unwrap();
    let s = series(&client);
    let results = within(futures_util::future::join_all((0..64).map(|_| s.date()))).await;
    for result in results {
        malformed(result, "DicomSeriesDate");
    }
}

#[tokio::test]
async fn a_success_with_a_message_is_a_failure_not_a_partial_value() {
    let server = HostileServer::start(Mode::Valid).await;
    let client = client(&server);
    let pix = DcmPix::from_uid(&client, SERIES_UID).unwrap();
    let roi = Roi::from_uid(&client, STUDY_UID).unwrap();
    assert_eq!(within(pix.roi_values(&roi)).await.unwrap().len(), 2);
    server.set_mode(Mode::SuccessWithMessage("Could not compute indices".into()));
    let err = within(pix.roi_values(&roi))
        .await
        .expect_err("partial values");
    assert!(
        matches!(&err, Error::Osirix { rpc: "DCMPixROIValues", message } if message == "Could not compute indices"),
        "{err:?}"
    );
    let err = within(series(&client).number_of_images())
        .await
        .expect_err("any RPC");
    assert!(err.is_osirix(), "{err:?}");
}

#[tokio::test]
async fn argb_values_outside_a_byte_are_malformed() {
    let server = HostileServer::start(Mode::Argb([255, 0, 128, 255])).await;
    let client = client(&server);
    let pix = DcmPix::from_uid(&client, SERIES_UID).unwrap();
    let image = within(pix.image()).await.expect("in range");
    assert_eq!(image.as_argb().expect("argb")[(0, 0)], [255, 0, 128, 255]);
    for bad in [[256, 0, 0, 0], [0, -1, 0, 0]] {
        server.set_mode(Mode::Argb(bad));
        let err = malformed(within(pix.image()).await, "DCMPixImage");
        assert!(err.to_string().contains("0–255"), "{err}");
    }
}
