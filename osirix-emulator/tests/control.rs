//! The test harness side of the emulator: counters, every fault kind, serial mode, dropped connections,
//! restart on the same port, many concurrent calls and TLS.

use std::time::{Duration, Instant};

use osirix_emulator::demo::DemoSpec;
use osirix_emulator::proto::Empty;
use osirix_emulator::testing::*;
use osirix_emulator::{Catalog, Emulator};
use tonic::Code;

async fn version(client: &mut Client) -> Result<(), tonic::Status> {
    client.osirix_version(Empty {}).await.map(|_| ())
}

/// Waits (bounded) until `cond` holds.
async fn eventually(mut cond: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !cond() {
        assert!(Instant::now() < deadline, "condition never became true");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn counters_count_every_call_by_rpc() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    assert_eq!(emu.total_calls(), 0);
    for _ in 0..3 {
        version(&mut client).await.expect("ok");
    }
    let _ = client.dicom_study_name(study("x")).await.expect("ok");
    let title = client
        .viewer_controller_title(osirix_emulator::proto::ViewerController::default())
        .await
        .expect("answered in-band")
        .into_inner();
    assert_failed(&title.status, "No ViewerController cached");
    assert_eq!(emu.calls("OsirixVersion"), 3);
    assert_eq!(emu.calls("DicomStudyName"), 1);
    assert_eq!(emu.calls("ViewerControllerTitle"), 1);
    assert_eq!(emu.calls("DicomSeriesPaths"), 0);
    assert_eq!(emu.total_calls(), 5);
    emu.reset_counters();
    assert_eq!((emu.calls("OsirixVersion"), emu.total_calls()), (0, 0));
    version(&mut client).await.expect("ok");
    assert_eq!((emu.calls("OsirixVersion"), emu.total_calls()), (1, 1));
}

/// Calls `path` with an empty message and returns the gRPC code of the answer.
async fn call_path(emu: &osirix_emulator::RunningEmulator, path: &str) -> Code {
    let channel = tonic::transport::Endpoint::from_shared(emu.url())
        .expect("url")
        .connect()
        .await
        .expect("connects");
    call_path_on(channel, path).await
}

async fn call_path_on(channel: tonic::transport::Channel, path: &str) -> Code {
    let mut grpc = tonic::client::Grpc::new(channel);
    grpc.ready().await.expect("ready");
    let path = http::uri::PathAndQuery::try_from(path).expect("path");
    let codec = tonic_prost::ProstCodec::<Empty, Empty>::default();
    match grpc.unary(tonic::Request::new(Empty {}), path, codec).await {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    }
}

#[tokio::test]
async fn unknown_paths_are_counted_under_two_bounded_keys_and_not_as_osirix_rpcs() {
    let Fixture {
        emulator: emu,
        dir: _dir,
        ..
    } = Fixture::demo().await;
    let channel = tonic::transport::Endpoint::from_shared(emu.url())
        .expect("url")
        .connect()
        .await
        .expect("connects");
    let long = "x".repeat(4000);
    for i in 0..300 {
        let unknown = format!("/osirixgrpc.OsiriXService/NoSuchRpc{i}{long}");
        assert_eq!(
            call_path_on(channel.clone(), &unknown).await,
            Code::Unimplemented
        );
        let other = format!("/some.other.Service{i}/{long}");
        assert_eq!(
            call_path_on(channel.clone(), &other).await,
            Code::Unimplemented
        );
    }
    // A health probe, as a client may send on connect, is another service too (served, as OsiriXgrpc
    // enables the health service).
    assert_eq!(
        call_path(&emu, "/grpc.health.v1.Health/Check").await,
        Code::Ok
    );
    assert_eq!(emu.calls(osirix_emulator::UNKNOWN_METHOD), 300);
    assert_eq!(emu.calls(osirix_emulator::OTHER_SERVICE), 301);
    assert_eq!(emu.calls("NoSuchRpc0"), 0);
    assert_eq!(emu.calls("/grpc.health.v1.Health/Check"), 0);
    // `total_calls` counts OsiriX RPCs only: served, failed or unimplemented.
    assert_eq!(emu.total_calls(), 0);
    let _ = call_path(&emu, "/osirixgrpc.OsiriXService/ROIArea").await;
    assert_eq!((emu.calls("ROIArea"), emu.total_calls()), (1, 1));
}

#[tokio::test]
async fn faults_and_serial_mode_apply_to_osirix_rpcs_only() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    emu.faults().fail_next(1, Code::Internal);
    // Neither a probe of another service nor an unknown method takes the injected failure.
    assert_eq!(
        call_path(&emu, "/grpc.health.v1.Health/Check").await,
        Code::Ok
    );
    assert_eq!(
        call_path(&emu, "/osirixgrpc.OsiriXService/NoSuchRpc").await,
        Code::Unimplemented
    );
    assert_eq!(
        version(&mut client).await.expect_err("injected").code(),
        Code::Internal
    );
    version(&mut client).await.expect("ok");
}

#[tokio::test]
async fn fail_next_fails_exactly_n_calls_and_counts_them() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    emu.faults().fail_next(3, Code::Unavailable);
    for _ in 0..3 {
        let status = version(&mut client).await.expect_err("injected");
        assert_eq!(status.code(), Code::Unavailable);
        assert_eq!(status.message(), "injected fault");
    }
    version(&mut client).await.expect("fault used up");
    emu.faults().fail_next(1, Code::DeadlineExceeded);
    let status = client
        .dicom_series_name(series("x"))
        .await
        .expect_err("injected");
    assert_eq!(status.code(), Code::DeadlineExceeded);
    assert_eq!(emu.calls("OsirixVersion"), 4);
    assert_eq!(emu.calls("DicomSeriesName"), 1);
}

#[tokio::test]
async fn fail_fraction_is_deterministic_and_clearable() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    emu.faults().set_seed(42);
    emu.faults().fail_fraction(0.5, Code::ResourceExhausted);
    let mut first = Vec::new();
    for _ in 0..200 {
        match version(&mut client).await {
            Ok(()) => first.push(false),
            Err(status) => {
                assert_eq!(status.code(), Code::ResourceExhausted);
                first.push(true);
            }
        }
    }
    let failed = first.iter().filter(|f| **f).count();
    assert!((50..=150).contains(&failed), "{failed} of 200 failed");
    // Same seed, same choices.
    emu.faults().set_seed(42);
    let mut second = Vec::new();
    for _ in 0..200 {
        second.push(version(&mut client).await.is_err());
    }
    assert_eq!(first, second);
    emu.faults().fail_fraction(1.0, Code::Internal);
    for _ in 0..20 {
        assert_eq!(
            version(&mut client).await.expect_err("all fail").code(),
            Code::Internal
        );
    }
    emu.faults().clear();
    for _ in 0..20 {
        version(&mut client).await.expect("cleared");
    }
    assert_eq!(emu.calls("OsirixVersion"), 440);
}

#[tokio::test]
async fn latency_and_spikes_delay_calls() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    emu.faults().set_latency(Some(Duration::from_millis(100)));
    let started = Instant::now();
    version(&mut client).await.expect("delayed, not failed");
    assert!(started.elapsed() >= Duration::from_millis(100));
    emu.faults().set_latency(None);
    emu.faults().latency_spikes(1.0, Duration::from_millis(150));
    let started = Instant::now();
    version(&mut client).await.expect("delayed, not failed");
    assert!(started.elapsed() >= Duration::from_millis(150));
    emu.faults().clear();
    version(&mut client).await.expect("ok");
}

#[tokio::test]
async fn a_deadline_shorter_than_the_latency_fails_the_call_on_the_client() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    emu.faults().set_latency(Some(Duration::from_secs(30)));
    let mut request = tonic::Request::new(Empty {});
    request.set_timeout(Duration::from_millis(50));
    let status = client.osirix_version(request).await.expect_err("deadline");
    assert!(
        matches!(status.code(), Code::DeadlineExceeded | Code::Cancelled),
        "{status:?}"
    );
}

#[tokio::test]
async fn serial_mode_handles_one_call_at_a_time() {
    let Fixture {
        emulator: emu,
        client,
        dir: _dir,
    } = Fixture::demo().await;
    emu.faults().set_latency(Some(Duration::from_millis(20)));
    let burst = |client: &Client| {
        let calls: Vec<_> = (0..20)
            .map(|_| {
                let mut client = client.clone();
                tokio::spawn(async move { version(&mut client).await })
            })
            .collect();
        futures_util::future::join_all(calls)
    };
    for result in burst(&client).await {
        result.expect("task").expect("call");
    }
    assert!(
        emu.peak_concurrent_calls() > 1,
        "calls overlap when not serial"
    );

    emu.set_serial(true);
    assert!(emu.is_serial());
    emu.reset_counters();
    for result in burst(&client).await {
        result.expect("task").expect("call");
    }
    assert_eq!(emu.peak_concurrent_calls(), 1);
    assert_eq!(emu.calls("OsirixVersion"), 20);
}

#[tokio::test]
async fn serial_builder_option() {
    let spec = DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 3,
        seed: 5,
        ..DemoSpec::DEFAULT
    };
    let Fixture {
        emulator: emu,
        client,
        dir: _dir,
    } = Fixture::demo_with(spec, |b| b.serial(true)).await;
    assert!(emu.is_serial());
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let mut client = client.clone();
            tokio::spawn(async move { version(&mut client).await })
        })
        .collect();
    for result in futures_util::future::join_all(calls).await {
        result.expect("task").expect("call");
    }
    assert_eq!(emu.peak_concurrent_calls(), 1);
}

#[tokio::test]
async fn drop_connections_breaks_calls_in_flight_and_clients_can_reconnect() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    version(&mut client).await.expect("ok");
    emu.faults().set_latency(Some(Duration::from_secs(20)));
    emu.reset_counters();
    let mut in_flight = client.clone();
    let call = tokio::spawn(async move { version(&mut in_flight).await });
    eventually(|| emu.calls("OsirixVersion") == 1).await;
    emu.faults().drop_connections();
    let result = tokio::time::timeout(PATIENCE, call)
        .await
        .expect("not hung")
        .expect("task");
    let status = result.expect_err("the connection was closed under the call");
    assert!(
        matches!(
            status.code(),
            Code::Unavailable | Code::Unknown | Code::Internal | Code::Cancelled
        ),
        "{status:?}"
    );
    // The server keeps accepting: the channel reconnects (possibly after one failed attempt).
    emu.faults().clear();
    let mut ok = false;
    for _ in 0..20 {
        if version(&mut client).await.is_ok() {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ok, "a new connection works");
    let mut fresh = connect(&emu).await;
    version(&mut fresh).await.expect("new client");
}

#[tokio::test]
async fn restart_on_the_same_port() {
    let dir = tempfile::tempdir().expect("dir");
    let catalog = std::sync::Arc::new(
        osirix_emulator::demo::generate(dir.path(), &DemoSpec::default()).expect("demo"),
    );
    let builder = Emulator::builder(catalog);
    let first = builder.clone().start(loopback()).await.expect("start");
    let addr = first.addr();
    let mut client = connect(&first).await;
    version(&mut client).await.expect("ok");
    first.shutdown().await.expect("clean shutdown");
    // Nothing listens any more.
    let refused = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .expect("url")
        .connect()
        .await;
    assert!(refused.is_err());
    let second = builder.start(addr).await.expect("the port is free again");
    assert_eq!(second.addr(), addr);
    let mut client = connect(&second).await;
    version(&mut client).await.expect("served again");
    assert_eq!(
        second.calls("OsirixVersion"),
        1,
        "a new emulator starts with fresh counters"
    );
    second.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn start_on_an_existing_listener() {
    let dir = tempfile::tempdir().expect("dir");
    let catalog = osirix_emulator::demo::generate(dir.path(), &DemoSpec::default()).expect("demo");
    let listener = tokio::net::TcpListener::bind(loopback())
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let emu = Emulator::builder(catalog)
        .start_on(listener)
        .await
        .expect("start");
    assert_eq!(emu.addr(), addr);
    assert_eq!(emu.url(), format!("http://{addr}"));
    let mut client = connect(&emu).await;
    version(&mut client).await.expect("ok");
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn binding_a_busy_port_is_an_error() {
    let f = Fixture::demo().await;
    let again = Emulator::builder(Catalog::from_dir(f.dir.path()).expect("read"))
        .start(f.emulator.addr())
        .await;
    assert!(matches!(again, Err(osirix_emulator::Error::Bind { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_concurrent_calls() {
    let Fixture {
        emulator: emu,
        client,
        dir: _dir,
    } = Fixture::demo().await;
    let mut second = connect(&emu).await;
    version(&mut second).await.expect("ok");
    emu.reset_counters();
    let study_uid = emu.uid_of_study(0).expect("uid");
    let image_uid = emu.uid_of_image(0).expect("uid");
    let calls: Vec<_> = (0..3000)
        .map(|i| {
            let mut client = if i % 2 == 0 {
                client.clone()
            } else {
                second.clone()
            };
            let (study_uid, image_uid) = (study_uid.clone(), image_uid.clone());
            tokio::spawn(async move {
                match i % 3 {
                    0 => client
                        .dicom_study_paths(study(study_uid))
                        .await
                        .map(|r| r.into_inner().paths.len()),
                    1 => client
                        .dicom_image_width(image(image_uid))
                        .await
                        .map(|r| r.into_inner().width as usize),
                    _ => client
                        .osirix_cache_uids(Empty {})
                        .await
                        .map(|r| r.into_inner().uids.len()),
                }
            })
        })
        .collect();
    let results = tokio::time::timeout(PATIENCE, futures_util::future::join_all(calls))
        .await
        .expect("not hung");
    for (i, result) in results.into_iter().enumerate() {
        let value = result.expect("task").expect("call");
        let expected = match i % 3 {
            0 => 10,
            1 => usize::from(DemoSpec::default().image_size),
            _ => 1 + 3 + 6 + 30,
        };
        assert_eq!(value, expected);
    }
    assert_eq!(emu.total_calls(), 3000);
    assert_eq!(emu.calls("DicomStudyPaths"), 1000);
}

#[cfg(not(feature = "tls"))]
#[test]
fn tls() {
    println!(
        "skipped: serving over TLS needs the crate's `tls` feature (cargo test --features tls)"
    );
}

#[cfg(feature = "tls")]
#[tokio::test]
async fn tls() {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let cert_pem = certified.cert.pem();
    let key_pem = certified.signing_key.serialize_pem();
    let identity = tonic::transport::Identity::from_pem(&cert_pem, &key_pem);
    let spec = DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 1,
        seed: 3,
        ..DemoSpec::DEFAULT
    };
    let (emu, _dir) = demo_with_tls(
        spec,
        tonic::transport::ServerTlsConfig::new().identity(identity),
    )
    .await;
    assert!(emu.url().starts_with("https://"));
    let tls = tonic::transport::ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(&cert_pem))
        .domain_name("localhost");
    let channel = tonic::transport::Endpoint::from_shared(emu.url())
        .expect("url")
        .tls_config(tls)
        .expect("tls")
        .connect()
        .await
        .expect("TLS connect");
    let mut client =
        osirix_emulator::proto::osiri_x_service_client::OsiriXServiceClient::new(channel);
    version(&mut client).await.expect("over TLS");
}

/// A demo emulator with TLS, and the folder of its database.
#[cfg(feature = "tls")]
async fn demo_with_tls(
    spec: DemoSpec,
    tls: tonic::transport::ServerTlsConfig,
) -> (osirix_emulator::RunningEmulator, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let catalog = osirix_emulator::demo::generate(dir.path(), &spec).expect("demo");
    let emu = Emulator::builder(catalog)
        .tls(tls)
        .start(loopback())
        .await
        .expect("start");
    (emu, dir)
}
