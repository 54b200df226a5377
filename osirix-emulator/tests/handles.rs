//! Handles: the same uid for the same object across RPCs, "No <Class> cached" for every bad uid,
//! stale handles after `forget`, and hostile requests (1 MiB uid, empty request, invalid UTF-8).

use osirix_emulator::Class;
use osirix_emulator::proto::{self, Empty};
use osirix_emulator::testing::*;
use osirix_emulator::{Catalog, Emulator, ObjectRef};

/// Every kind of uid that must not resolve, for a given class's handle.
fn bad_uids(emu: &osirix_emulator::RunningEmulator, other_class: String) -> Vec<String> {
    let _ = emu;
    vec![
        String::new(),
        "garbage".into(),
        "00000000-0000-4000-8000-000000000000".into(),
        other_class,
        "\u{0}\u{1}\u{7f}é∑".into(),
    ]
}

#[tokio::test]
async fn every_handle_rpc_fails_not_cached_for_bad_uids() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    for uid in bad_uids(&emu, emu.uid_of_series(0).expect("uid")) {
        assert_all_not_cached(
            &statuses(&mut client, Class::DicomStudy, &uid).await,
            Class::DicomStudy,
        );
    }
    for uid in bad_uids(&emu, emu.uid_of_image(0).expect("uid")) {
        assert_all_not_cached(
            &statuses(&mut client, Class::DicomSeries, &uid).await,
            Class::DicomSeries,
        );
    }
    for uid in bad_uids(&emu, emu.uid_of_study(0).expect("uid")) {
        assert_all_not_cached(
            &statuses(&mut client, Class::DicomImage, &uid).await,
            Class::DicomImage,
        );
    }
    // Lower-case versions of real uids are different keys, as in OsiriX's map table.
    let lower = emu.uid_of_study(0).expect("uid").to_lowercase();
    assert_all_not_cached(
        &statuses(&mut client, Class::DicomStudy, &lower).await,
        Class::DicomStudy,
    );
}

#[tokio::test]
async fn failed_responses_carry_proto_defaults() {
    let Fixture {
        mut client,
        emulator: _emu,
        dir: _dir,
    } = Fixture::demo().await;
    let r = client
        .dicom_study_paths(study("x"))
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.paths.is_empty());
    let r = client
        .dicom_series_study(series("x"))
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.study.is_none());
    let r = client
        .dicom_image_date(image("x"))
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.fields(), [0; 7]);
    let r = client
        .dicom_study_date(study("x"))
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.fields(), [0; 7]);
}

#[tokio::test]
async fn uids_are_upper_case_v4_and_stable_across_rpcs() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    let catalog = emu.catalog().clone();
    let b = client
        .osirix_current_browser(Empty {})
        .await
        .expect("rpc")
        .into_inner()
        .browser_controller
        .expect("browser");
    let studies = client
        .browser_controller_database_studies(b)
        .await
        .expect("rpc")
        .into_inner()
        .studies;
    for st in &studies {
        let parsed = uuid::Uuid::parse_str(&st.osirixrpc_uid).expect("a uuid");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(st.osirixrpc_uid, st.osirixrpc_uid.to_uppercase());
        let series_list = client
            .dicom_study_series(st.clone())
            .await
            .expect("rpc")
            .into_inner()
            .series;
        for se in &series_list {
            // Series → study equals the browser's study.
            let parent = client
                .dicom_series_study(se.clone())
                .await
                .expect("rpc")
                .into_inner()
                .study
                .expect("study");
            assert_eq!(&parent, st);
            let images = client
                .dicom_series_images(se.clone())
                .await
                .expect("rpc")
                .into_inner()
                .images;
            for im in &images {
                // Image → series equals the study's series entry.
                let parent = client
                    .dicom_image_series(im.clone())
                    .await
                    .expect("rpc")
                    .into_inner()
                    .series
                    .expect("series");
                assert_eq!(&parent, se);
            }
            let sorted = client
                .dicom_series_sorted_images(se.clone())
                .await
                .expect("rpc")
                .into_inner()
                .sorted_images;
            let mut a: Vec<_> = images.iter().map(|i| i.osirixrpc_uid.clone()).collect();
            let mut b: Vec<_> = sorted.iter().map(|i| i.osirixrpc_uid.clone()).collect();
            a.sort();
            b.sort();
            assert_eq!(a, b);
        }
        let study_images = client
            .dicom_study_images(st.clone())
            .await
            .expect("rpc")
            .into_inner()
            .images;
        assert_eq!(study_images.len(), 10);
    }
    // The catalogue's records carry the same uids.
    assert_eq!(
        studies
            .iter()
            .map(|s| s.osirixrpc_uid.as_str())
            .collect::<Vec<_>>(),
        catalog
            .studies()
            .iter()
            .map(|s| s.uid.as_str())
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn uids_are_deterministic_from_the_catalogue() {
    let dir = tempfile::tempdir().expect("dir");
    let spec = osirix_emulator::demo::DemoSpec::default();
    let a = osirix_emulator::demo::generate(dir.path(), &spec).expect("demo");
    let b = Catalog::from_dir(dir.path()).expect("read back");
    let uids = |c: &Catalog| {
        let mut v = vec![c.browser_uid().to_owned()];
        v.extend(c.studies().iter().map(|s| s.uid.clone()));
        v.extend(c.series().iter().map(|s| s.uid.clone()));
        v.extend(c.images().iter().map(|s| s.uid.clone()));
        v
    };
    assert_eq!(uids(&a), uids(&b));
    let all = uids(&a);
    let distinct: std::collections::HashSet<_> = all.iter().collect();
    assert_eq!(distinct.len(), all.len());
    // Another seed, other DICOM identities, other uids.
    let other = tempfile::tempdir().expect("dir");
    let c = osirix_emulator::demo::generate(
        other.path(),
        &osirix_emulator::demo::DemoSpec { seed: 2, ..spec },
    )
    .expect("demo");
    assert_ne!(uids(&a)[1..], uids(&c)[1..]);
}

#[tokio::test]
async fn forget_makes_a_handle_stale_and_the_object_comes_back_with_a_new_uid() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    // Series.
    let old = emu.uid_of_series(1).expect("uid");
    let study_of = emu.catalog().series()[1].study;
    assert!(emu.forget(&old));
    assert!(!emu.forget(&old));
    assert_eq!(emu.uid_of_series(1), None);
    assert_all_not_cached(
        &statuses(&mut client, Class::DicomSeries, &old.clone()).await,
        Class::DicomSeries,
    );
    let cached = client
        .osirix_cache_uids(Empty {})
        .await
        .expect("rpc")
        .into_inner()
        .uids;
    assert!(!cached.contains(&old));
    let kind = client
        .osirix_cache_object_for_uid(proto::OsirixCacheObjectForUidRequest { uid: old.clone() })
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(kind.object_type, "no object");
    // A list RPC hands the series out again, under a new uid that then keeps working.
    let listed = client
        .dicom_study_series(study(emu.uid_of_study(study_of).expect("uid")))
        .await
        .expect("rpc")
        .into_inner();
    let new = emu.uid_of_series(1).expect("re-registered");
    assert_ne!(new, old);
    assert!(listed.series.iter().any(|s| s.osirixrpc_uid == new));
    assert_eq!(emu.lookup(&new), Some(ObjectRef::Series(1)));
    let r = client
        .dicom_series_name(series(new.clone()))
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&r.status);
    assert_eq!(r.name, emu.catalog().series()[1].name);

    // Study, brought back by a parent RPC.
    let old = emu.uid_of_study(0).expect("uid");
    assert!(emu.forget(&old));
    let r = client
        .dicom_study_name(study(old.clone()))
        .await
        .expect("rpc")
        .into_inner();
    assert_failed(&r.status, "No DicomStudy cached");
    let child = emu.catalog().studies()[0].series[0];
    let parent = client
        .dicom_series_study(series(emu.uid_of_series(child).expect("uid")))
        .await
        .expect("rpc")
        .into_inner();
    let new = parent.study.expect("study").osirixrpc_uid;
    assert_ne!(new, old);
    assert_eq!(Some(new), emu.uid_of_study(0));

    // Image, brought back by the series' image list.
    let old = emu.uid_of_image(3).expect("uid");
    assert!(emu.forget(&old));
    let r = client
        .dicom_image_width(image(old.clone()))
        .await
        .expect("rpc")
        .into_inner();
    assert_failed(&r.status, "No DicomImage cached");
    let parent_series = emu.catalog().images()[3].series;
    let _ = client
        .dicom_series_sorted_images(series(emu.uid_of_series(parent_series).expect("uid")))
        .await
        .expect("rpc");
    let new = emu.uid_of_image(3).expect("re-registered");
    assert_ne!(new, old);

    // The browser, brought back by OsirixCurrentBrowser.
    let old = emu.browser_uid().expect("uid");
    assert!(emu.forget(&old));
    assert_all_not_cached(
        &statuses(&mut client, Class::BrowserController, &old.clone()).await,
        Class::BrowserController,
    );
    let b = client
        .osirix_current_browser(Empty {})
        .await
        .expect("rpc")
        .into_inner()
        .browser_controller
        .expect("browser");
    assert_ne!(b.osirixrpc_uid, old);
    assert_eq!(Some(b.osirixrpc_uid), emu.browser_uid());
}

#[tokio::test]
async fn hostile_requests_get_clean_answers() {
    let Fixture {
        emulator: emu,
        mut client,
        dir: _dir,
    } = Fixture::demo().await;
    // A 1 MiB uid.
    let huge = "A".repeat(1 << 20);
    assert_all_not_cached(
        &statuses(&mut client, Class::DicomStudy, &huge).await,
        Class::DicomStudy,
    );
    let r = client
        .osirix_cache_object_for_uid(proto::OsirixCacheObjectForUidRequest { uid: huge })
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.object_type, "no object");
    // An empty request (no uid field at all).
    assert_all_not_cached(
        &statuses(&mut client, Class::DicomImage, "").await,
        Class::DicomImage,
    );

    // A uid that is not UTF-8: sent raw, as OsiriX would decode it with another encoding.
    #[derive(Clone, PartialEq, prost::Message)]
    struct RawHandle {
        #[prost(bytes = "vec", tag = "1")]
        uid: Vec<u8>,
    }
    let channel = tonic::transport::Endpoint::from_shared(emu.url())
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut grpc = tonic::client::Grpc::new(channel);
    for (rpc, class) in [
        ("DicomStudyName", Class::DicomStudy),
        ("DicomSeriesName", Class::DicomSeries),
        ("DicomImageWidth", Class::DicomImage),
    ] {
        grpc.ready().await.expect("ready");
        let path = http::uri::PathAndQuery::try_from(format!("/osirixgrpc.OsiriXService/{rpc}"))
            .expect("path");
        let codec = tonic_prost::ProstCodec::<RawHandle, proto::DicomStudyNameResponse>::default();
        let request = tonic::Request::new(RawHandle {
            uid: vec![0xff, 0xfe, b'A', 0xc3],
        });
        let response = grpc
            .unary(request, path, codec)
            .await
            .expect("gRPC OK")
            .into_inner();
        // Every failed response has the same bytes (only `status` is set), so one type decodes them all.
        assert_failed(&response.status, &format!("No {} cached", class.name()));
    }
    grpc.ready().await.expect("ready");
    let path =
        http::uri::PathAndQuery::from_static("/osirixgrpc.OsiriXService/OsirixCacheObjectForUid");
    let codec =
        tonic_prost::ProstCodec::<RawHandle, proto::OsirixCacheObjectForUidResponse>::default();
    let response = grpc
        .unary(
            tonic::Request::new(RawHandle {
                uid: vec![0x80; 40],
            }),
            path,
            codec,
        )
        .await
        .expect("OK");
    assert_eq!(response.into_inner().object_type, "no object");

    // Bytes that are not a protobuf message at all: a clean gRPC error, and the server keeps serving.
    #[derive(Clone, PartialEq, prost::Message)]
    struct Garbage {
        #[prost(fixed64, tag = "1")]
        value: u64,
    }
    grpc.ready().await.expect("ready");
    let path = http::uri::PathAndQuery::from_static("/osirixgrpc.OsiriXService/DicomStudyName");
    let codec = tonic_prost::ProstCodec::<Garbage, proto::DicomStudyNameResponse>::default();
    let answer = grpc
        .unary(tonic::Request::new(Garbage { value: 7 }), path, codec)
        .await
        .expect_err("not a DicomStudy");
    assert_eq!(answer.code(), tonic::Code::Internal);
    let version = client
        .osirix_version(Empty {})
        .await
        .expect("still serving")
        .into_inner();
    assert_ok(&version.status);
}

#[tokio::test]
async fn a_restarted_emulator_hands_out_the_same_uids() {
    let dir = tempfile::tempdir().expect("dir");
    let catalog = std::sync::Arc::new(
        osirix_emulator::demo::generate(dir.path(), &Default::default()).expect("demo"),
    );
    let first = Emulator::builder(catalog.clone())
        .start(loopback())
        .await
        .expect("start");
    let mut client = connect(&first).await;
    let a = client
        .osirix_current_browser(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    first.shutdown().await.expect("shutdown");
    let second = Emulator::builder(Catalog::from_dir(dir.path()).expect("read"))
        .start(loopback())
        .await
        .expect("start");
    let mut client = connect(&second).await;
    let b = client
        .osirix_current_browser(Empty {})
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(a.browser_controller, b.browser_controller);
    let sa = client
        .browser_controller_database_studies(b.browser_controller.expect("browser"))
        .await
        .expect("rpc")
        .into_inner()
        .studies;
    assert_eq!(
        sa.into_iter().map(|s| s.osirixrpc_uid).collect::<Vec<_>>(),
        catalog
            .studies()
            .iter()
            .map(|s| s.uid.clone())
            .collect::<Vec<_>>()
    );
    second.shutdown().await.expect("shutdown");
}
