//! Several listening addresses sharing one state, and the standard health and reflection services.

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::proto::Empty;
use osirix_emulator::testing::*;
use osirix_emulator::{Emulator, ObjectRef, RunningEmulator};
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

async fn two_addresses() -> (tempfile::TempDir, RunningEmulator) {
    let dir = tempfile::tempdir().expect("a folder");
    let catalog = generate(dir.path(), &DemoSpec::DEFAULT).expect("demo");
    let emulator = Emulator::builder(catalog)
        .start_all(&[loopback(), loopback()])
        .await
        .expect("starts");
    (dir, emulator)
}

#[tokio::test]
async fn every_address_serves_the_same_cache() {
    let (_dir, emulator) = two_addresses().await;
    let addrs = emulator.addrs().to_vec();
    assert_eq!(addrs.len(), 2);
    assert_ne!(addrs[0], addrs[1]);
    assert_eq!(emulator.addr(), addrs[0]);
    let urls = emulator.urls();
    let mut a = connect_url(urls[0].clone()).await;
    let mut b = connect_url(urls[1].clone()).await;

    // A viewer opened through one address is on screen for the other, under the same uid.
    emulator
        .open_series(ObjectRef::Series(0))
        .await
        .expect("opens");
    let front = a
        .osirix_frontmost_viewer(Empty {})
        .await
        .expect("answers")
        .into_inner();
    assert_ok(&front.status);
    let viewer = front.viewer_controller.expect("a viewer");
    let listed = b
        .osirix_displayed2_d_viewers(Empty {})
        .await
        .expect("answers")
        .into_inner()
        .viewer_controllers;
    assert_eq!(listed, vec![viewer.clone()]);
    // A DCMPix uid handed out on one address resolves on the other.
    let pix = a
        .viewer_controller_cur_dcm(viewer.clone())
        .await
        .expect("answers")
        .into_inner()
        .pix
        .expect("a pix");
    let shape = b
        .dcm_pix_shape(pix.clone())
        .await
        .expect("answers")
        .into_inner();
    assert_ok(&shape.status);
    assert_eq!((shape.rows, shape.columns), (64, 64));
    // Closing it on the second address makes the first one's uids stale.
    let closed = b
        .viewer_controller_close_viewer(viewer.clone())
        .await
        .expect("answers")
        .into_inner();
    assert_ok(&closed.status);
    let stale = a.dcm_pix_shape(pix).await.expect("answers").into_inner();
    assert_failed(&stale.status, "No DCMPix cached");
    // Both count in one set of counters.
    assert_eq!(emulator.calls("DCMPixShape"), 2);
    emulator.shutdown().await.expect("stops");
}

#[tokio::test]
async fn the_health_service_answers_serving() {
    let (_dir, emulator) = two_addresses().await;
    for url in emulator.urls() {
        let channel = tonic::transport::Endpoint::from_shared(url)
            .expect("url")
            .connect()
            .await
            .expect("connects");
        let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
        for service in ["", "osirixgrpc.OsiriXService"] {
            let reply = health
                .check(tonic_health::pb::HealthCheckRequest {
                    service: service.into(),
                })
                .await
                .expect("answers")
                .into_inner();
            assert_eq!(
                reply.status(),
                tonic_health::pb::health_check_response::ServingStatus::Serving,
                "{service:?}"
            );
        }
        let unknown = health
            .check(tonic_health::pb::HealthCheckRequest {
                service: "no.such.Service".into(),
            })
            .await
            .expect_err("unknown");
        assert_eq!(unknown.code(), tonic::Code::NotFound);
    }
    // Health checks are not OsiriX RPCs.
    assert_eq!(emulator.total_calls(), 0);
    assert_eq!(emulator.calls(osirix_emulator::OTHER_SERVICE), 6);
}

#[tokio::test]
async fn reflection_lists_and_describes_the_service() {
    let (_dir, emulator) = two_addresses().await;
    let channel = tonic::transport::Endpoint::from_shared(emulator.url())
        .expect("url")
        .connect()
        .await
        .expect("connects");
    let mut reflection = ServerReflectionClient::new(channel);
    let ask = |request: MessageRequest| {
        futures_util::stream::iter(vec![ServerReflectionRequest {
            host: String::new(),
            message_request: Some(request),
        }])
    };
    let mut answers = reflection
        .server_reflection_info(ask(MessageRequest::ListServices(String::new())))
        .await
        .expect("answers")
        .into_inner();
    let answer = answers
        .message()
        .await
        .expect("a message")
        .expect("an answer");
    let Some(MessageResponse::ListServicesResponse(list)) = answer.message_response else {
        panic!("not a service list: {answer:?}");
    };
    let names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    assert!(names.contains(&"osirixgrpc.OsiriXService"), "{names:?}");

    let mut answers = reflection
        .server_reflection_info(ask(MessageRequest::FileContainingSymbol(
            "osirixgrpc.OsiriXService".into(),
        )))
        .await
        .expect("answers")
        .into_inner();
    let answer = answers
        .message()
        .await
        .expect("a message")
        .expect("an answer");
    let Some(MessageResponse::FileDescriptorResponse(files)) = answer.message_response else {
        panic!("not a file: {answer:?}");
    };
    use prost::Message as _;
    let service = files
        .file_descriptor_proto
        .iter()
        .map(|bytes| prost_types::FileDescriptorProto::decode(bytes.as_slice()).expect("a file"))
        .flat_map(|file| file.service)
        .find(|s| s.name() == "OsiriXService")
        .expect("the service");
    assert_eq!(service.method.len(), 141);
    assert!(service.method.iter().any(|m| m.name() == "DCMPixImage"));
    emulator.shutdown().await.expect("stops");
}
