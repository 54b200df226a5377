//! What a client learns when it connects, or first calls, over a transport that is not what it expects: a TLS
//! configuration on a plaintext endpoint, a server that never answers, one that speaks HTTP/1.1 or garbage, a
//! GOAWAY with an error code, and TLS certificates that are not trusted or not for the name asked for. Every
//! server is real and on loopback.

use std::future::Future;
use std::time::Duration;

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::{Emulator, OTHER_SERVICE, RunningEmulator};
use osirix_sdk::tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};
use osirix_sdk::{Client, ClientBuilder, DicomSeries, Error, RetryConfig};
use tests::hostile::{RawTcp, RawTcpServer, SERIES_UID};

const TOKEN: &str = "secret-token-0123456789";

/// Fails the test if `f` has not ended after a minute (it should end in seconds).
async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("not hung")
}

/// A builder with short limits and a fast first retry, so that retries would show within the test.
fn builder(url: &str) -> ClientBuilder {
    Client::builder(url)
        .connect_timeout(Some(Duration::from_secs(2)))
        .attempt_timeout(Some(Duration::from_secs(3)))
        .timeout(Some(Duration::from_secs(10)))
        .retry(RetryConfig::default().with_initial_backoff(Duration::from_millis(10)))
}

/// The error's text names neither the endpoint nor the token.
#[track_caller]
fn assert_clean(err: &Error, url: &str) {
    let text = format!(
        "{err} {:?}",
        std::error::Error::source(err).map(ToString::to_string)
    );
    assert!(!text.contains(url) && !text.contains(TOKEN), "{text}");
}

#[tokio::test]
async fn a_tls_configuration_with_an_http_endpoint_is_an_error_at_build_time() {
    let url = "http://127.0.0.1:1";
    let lazy = builder(url)
        .tls(ClientTlsConfig::new())
        .connect_lazy()
        .expect_err("TLS over http:// would send plaintext");
    let eager = within(builder(url).tls(ClientTlsConfig::new()).connect())
        .await
        .expect_err("TLS over http:// would send plaintext");
    for err in [lazy, eager] {
        assert!(matches!(err, Error::Connect { .. }), "{err:?}");
        assert!(
            err.to_string().contains("https://"),
            "says what to change: {err}"
        );
    }
}

#[tokio::test]
async fn connect_ends_within_the_connect_timeout_when_the_server_never_answers() {
    let server = RawTcpServer::start(RawTcp::Silent).await;
    let err = within(
        builder(&server.url())
            .connect_timeout(Some(Duration::from_millis(500)))
            .connect(),
    )
    .await
    .expect_err("a server that never answers is not connected");
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains("connect timeout"), "{err}");
    assert_clean(&err, &server.url());
}

#[tokio::test]
async fn a_server_that_does_not_speak_http2_is_a_protocol_error_and_not_retried() {
    for (behaviour, says) in [
        (RawTcp::Http1Html, "it answered HTTP/1.1"),
        (RawTcp::Garbage, "its answer is not HTTP/2"),
        (RawTcp::GoAway(1), "GOAWAY PROTOCOL_ERROR"),
    ] {
        let server = RawTcpServer::start(behaviour).await;
        let err = within(builder(&server.url()).connect())
            .await
            .expect_err("no gRPC server there");
        assert!(!err.is_unavailable(), "{behaviour:?}: {err:?}");
        assert!(err.to_string().contains(says), "{behaviour:?}: {err}");
        assert!(
            err.is_protocol_error() && err.rpc().is_none(),
            "{behaviour:?}: {err:?}"
        );
        assert_clean(&err, &server.url());
        // One connection; with a GOAWAY before the probe is sent, tonic's channel opens one more itself.
        let opened = server.accepted();
        assert!(
            opened == 1 || behaviour == RawTcp::GoAway(1) && opened == 2,
            "{behaviour:?}: {opened} connections"
        );

        // A lazy client's call: the same protocol error, sent once, never retried.
        let client = builder(&server.url()).connect_lazy().expect("builds");
        let err = within(
            DicomSeries::from_uid(&client, SERIES_UID)
                .expect("uid")
                .modality(),
        )
        .await
        .expect_err("no gRPC server there");
        assert!(!err.is_unavailable(), "{behaviour:?}: {err:?}");
        assert_eq!(err.rpc(), Some("DicomSeriesModality"));
        assert!(err.to_string().contains(says), "{behaviour:?}: {err}");
        assert!(err.is_protocol_error(), "{behaviour:?}: {err:?}");
        assert_eq!(server.accepted(), opened + 1, "{behaviour:?}: not retried");
    }
}

#[tokio::test]
async fn a_graceful_goaway_is_unavailable_and_retried() {
    let server = RawTcpServer::start(RawTcp::GoAway(0)).await;
    let client = builder(&server.url()).connect_lazy().expect("builds");
    let err = within(
        DicomSeries::from_uid(&client, SERIES_UID)
            .expect("uid")
            .modality(),
    )
    .await
    .expect_err("the server goes away every time");
    assert!(err.is_unavailable(), "{err:?}");
    assert!(server.accepted() > 1, "retried on a new connection");
}

/// An emulator serving TLS with a self-signed certificate for `localhost`, and that certificate's PEM.
async fn tls_emulator() -> (RunningEmulator, String, tempfile::TempDir) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let (cert, key) = (cert.pem(), signing_key.serialize_pem());
    let dir = tempfile::tempdir().expect("dir");
    let catalog = generate(dir.path(), &DemoSpec::default()).expect("demo");
    let emulator = Emulator::builder(catalog)
        .tls(ServerTlsConfig::new().identity(Identity::from_pem(&cert, &key)))
        .start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("starts");
    (emulator, cert, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_failures_say_that_they_are_tls_failures_and_why() {
    let (emulator, cert, _dir) = tls_emulator().await;
    let url = emulator.url();
    let cases = [
        (
            ClientTlsConfig::new().domain_name("localhost"),
            "unknown issuer",
        ),
        (
            ClientTlsConfig::new()
                .ca_certificate(Certificate::from_pem(&cert))
                .domain_name("osirix.example"),
            "name mismatch",
        ),
    ];
    for (tls, why) in cases {
        let with_tls = || {
            builder(&url)
                .tls(tls.clone())
                .bearer_token(TOKEN)
                .expect("token")
        };
        let err = within(with_tls().connect()).await.expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("TLS") && text.contains(why), "{why}: {text}");
        assert!(
            err.is_tls_error() && !err.is_unavailable(),
            "{why}: {err:?}"
        );
        assert_clean(&err, &url);

        let client = with_tls().connect_lazy().expect("builds");
        let err = within(client.version()).await.expect_err("refused");
        let text = err.to_string();
        assert!(text.contains("TLS") && text.contains(why), "{why}: {text}");
        assert_eq!(err.rpc(), Some("OsirixVersion"));
        assert!(err.is_tls_error(), "{why}: not retried: {err:?}");
        assert_clean(&err, &url);
    }
    // With the right certificate and name, the same server connects.
    let client = within(
        builder(&url)
            .tls(
                ClientTlsConfig::new()
                    .ca_certificate(Certificate::from_pem(&cert))
                    .domain_name("localhost"),
            )
            .connect(),
    )
    .await
    .expect("connects");
    within(client.version()).await.expect("version");
}

#[tokio::test]
async fn connect_proves_the_server_speaks_grpc_without_an_osirix_rpc() {
    let dir = tempfile::tempdir().expect("dir");
    let catalog = generate(dir.path(), &DemoSpec::default()).expect("demo");
    let emulator = Emulator::builder(catalog)
        .start("127.0.0.1:0".parse().expect("address"))
        .await
        .expect("starts");
    let client = within(builder(&emulator.url()).connect())
        .await
        .expect("connects");
    // One round trip to another service (the gRPC health check), no call on OsiriX's main thread.
    assert_eq!(emulator.calls(OTHER_SERVICE), 1);
    assert_eq!(emulator.total_calls(), 0);
    within(client.version()).await.expect("version");
    assert_eq!(emulator.total_calls(), 1);
}
