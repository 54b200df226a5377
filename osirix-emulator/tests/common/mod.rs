//! Shared helpers of the end-to-end tests: a demo emulator on loopback and a plain generated client.
#![allow(dead_code)]

use std::time::Duration;

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::proto::osiri_x_service_client::OsiriXServiceClient;
use osirix_emulator::proto::{self, Status};
use osirix_emulator::{Emulator, EmulatorBuilder, RunningEmulator, WireDate};
use tonic::transport::Channel;

/// The generated client over a tonic channel.
pub(crate) type Client = OsiriXServiceClient<Channel>;

/// A running demo emulator, its folder and a connected client.
pub(crate) struct Harness {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) emu: RunningEmulator,
    pub(crate) client: Client,
}

/// Generous bound on anything that could hang (never a timing assertion).
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);

/// Generates the default demo database and serves it.
pub(crate) async fn demo() -> Harness {
    demo_with(DemoSpec::default(), |b| b).await
}

/// Generates a demo database and serves it with extra builder options.
pub(crate) async fn demo_with(
    spec: DemoSpec,
    options: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
) -> Harness {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = generate(dir.path(), &spec).expect("demo database");
    let emu = options(Emulator::builder(catalog))
        .start(loopback())
        .await
        .expect("emulator starts");
    let client = connect(&emu).await;
    Harness { dir, emu, client }
}

/// `127.0.0.1:0`.
pub(crate) fn loopback() -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A client connected to `emu`.
pub(crate) async fn connect(emu: &RunningEmulator) -> Client {
    let channel = tonic::transport::Endpoint::from_shared(emu.url())
        .expect("url")
        .connect_timeout(PATIENCE)
        .timeout(PATIENCE)
        .connect()
        .await
        .expect("connects");
    OsiriXServiceClient::new(channel)
}

pub(crate) fn study(uid: impl Into<String>) -> proto::DicomStudy {
    proto::DicomStudy {
        osirixrpc_uid: uid.into(),
    }
}

pub(crate) fn series(uid: impl Into<String>) -> proto::DicomSeries {
    proto::DicomSeries {
        osirixrpc_uid: uid.into(),
    }
}

pub(crate) fn image(uid: impl Into<String>) -> proto::DicomImage {
    proto::DicomImage {
        osirixrpc_uid: uid.into(),
    }
}

pub(crate) fn browser(uid: impl Into<String>) -> proto::BrowserController {
    proto::BrowserController {
        osirixrpc_uid: uid.into(),
    }
}

/// Asserts an in-band success (status 1, empty message).
#[track_caller]
pub(crate) fn assert_ok(status: &Option<Status>) {
    let status = status.as_ref().expect("a status");
    assert_eq!(
        (status.status, status.message.as_str()),
        (1, ""),
        "expected success"
    );
}

/// Asserts an in-band failure with exactly `message`.
#[track_caller]
pub(crate) fn assert_failed(status: &Option<Status>, message: &str) {
    let status = status.as_ref().expect("a status");
    assert_eq!((status.status, status.message.as_str()), (0, message));
}

/// The seven date fields of a date response, for comparing with a record.
pub(crate) fn date_fields(date: Option<WireDate>) -> [i32; 7] {
    use chrono::{Datelike, Timelike};
    match date {
        None => [0; 7],
        Some(d) => [
            d.datetime.year(),
            d.datetime.month() as i32,
            d.datetime.day() as i32,
            d.datetime.hour() as i32,
            d.datetime.minute() as i32,
            d.datetime.second() as i32,
            d.millisecond,
        ],
    }
}

/// The seven date fields of any date response.
#[allow(unused_macros)]
macro_rules! fields {
    ($r:expr) => {{
        let r = &$r;
        [
            r.year,
            r.month,
            r.day,
            r.hour,
            r.minute,
            r.second,
            r.millisecond,
        ]
    }};
}

/// Calls each listed RPC with `handle` and collects `(name, status)`.
#[allow(unused_macros)]
macro_rules! statuses {
    ($client:expr, $handle:expr, [$($rpc:ident),* $(,)?]) => {{
        let mut out: Vec<(&'static str, Option<osirix_emulator::proto::Status>)> = Vec::new();
        $(
            let response = $client.$rpc($handle.clone()).await.expect(concat!(stringify!($rpc), " answers gRPC OK"));
            out.push((stringify!($rpc), response.into_inner().status));
        )*
        out
    }};
}

/// Every DicomStudy RPC's status for a handle.
pub(crate) async fn study_statuses(
    client: &mut Client,
    handle: proto::DicomStudy,
) -> Vec<(&'static str, Option<Status>)> {
    statuses!(
        client,
        handle,
        [
            dicom_study_paths,
            dicom_study_images,
            dicom_study_modalities,
            dicom_study_no_files,
            dicom_study_raw_no_files,
            dicom_study_number_of_images,
            dicom_study_series,
            dicom_study_name,
            dicom_study_date,
            dicom_study_date_added,
            dicom_study_date_of_birth,
            dicom_study_institution_name,
            dicom_study_modality,
            dicom_study_patient_id,
            dicom_study_patient_uid,
            dicom_study_patient_sex,
            dicom_study_performing_physician,
            dicom_study_referring_physician,
            dicom_study_study_instance_uid,
            dicom_study_study_name,
        ]
    )
}

/// Every DicomSeries RPC's status for a handle.
pub(crate) async fn series_statuses(
    client: &mut Client,
    handle: proto::DicomSeries,
) -> Vec<(&'static str, Option<Status>)> {
    statuses!(
        client,
        handle,
        [
            dicom_series_paths,
            dicom_series_previous_series,
            dicom_series_next_series,
            dicom_series_sorted_images,
            dicom_series_study,
            dicom_series_images,
            dicom_series_series_instance_uid,
            dicom_series_series_sop_class_uid,
            dicom_series_series_description,
            dicom_series_modality,
            dicom_series_name,
            dicom_series_date,
            dicom_series_number_of_images,
        ]
    )
}

/// Every DicomImage RPC's status for a handle.
pub(crate) async fn image_statuses(
    client: &mut Client,
    handle: proto::DicomImage,
) -> Vec<(&'static str, Option<Status>)> {
    statuses!(
        client,
        handle,
        [
            dicom_image_width,
            dicom_image_height,
            dicom_image_sop_instance_uid,
            dicom_image_complete_path,
            dicom_image_date,
            dicom_image_number_of_frames,
            dicom_image_modality,
            dicom_image_series,
            dicom_image_slice_location,
            dicom_image_instance_number,
        ]
    )
}

/// Every BrowserController RPC the emulator serves, with its status for a handle.
pub(crate) async fn browser_statuses(
    client: &mut Client,
    handle: proto::BrowserController,
) -> Vec<(&'static str, Option<Status>)> {
    statuses!(
        client,
        handle,
        [
            browser_controller_database_selection,
            browser_controller_database_studies
        ]
    )
}

/// Asserts that every status is "No <class> cached".
#[track_caller]
pub(crate) fn assert_all_not_cached(statuses: &[(&'static str, Option<Status>)], class: &str) {
    let expected = format!("No {class} cached");
    for (rpc, status) in statuses {
        let status = status
            .as_ref()
            .unwrap_or_else(|| panic!("{rpc}: no status"));
        assert_eq!(
            (status.status, status.message.as_str()),
            (0, expected.as_str()),
            "{rpc}"
        );
    }
}
