//! The fixture for tests of OsiriXgrpc clients: a database in a temporary folder (generated demo data,
//! an empty one, or the MR phantom imported from `OSIRIX_PHANTOM_DIR`), a running emulator on a loopback
//! port, a plain generated client, and helpers for the browser → studies → series → images chain and for
//! in-band statuses.
//!
//! ```no_run
//! # async fn run() {
//! use osirix_emulator::testing::{Fixture, assert_ok};
//!
//! let mut f = Fixture::demo().await;
//! let study = f.studies().await.remove(0);
//! let series = f.series_of(&study).await.remove(0);
//! let images = f.images_by_slice_location(&series).await;
//! let viewer = f.open_viewer(vec![images], false).await;
//! let title = f.client.viewer_controller_title(viewer).await.expect("answered").into_inner();
//! assert_ok(&title.status);
//! # }
//! ```
//!
//! Every helper panics with a message on an unexpected answer: they are for tests.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use tonic::transport::Channel;

use crate::demo::{DemoSpec, generate};
use crate::proto::osiri_x_service_client::OsiriXServiceClient;
use crate::proto::{self, Empty, Status};
use crate::registry::Class;
use crate::wire_date::WireDate;
use crate::{Emulator, EmulatorBuilder, RunningEmulator};

/// The plain generated client over a tonic channel.
pub type Client = OsiriXServiceClient<Channel>;

/// A generous bound on anything that could hang (a connect, a call, an import): a test that waits this
/// long has failed. Never a timing assertion.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// The environment variable naming the MR phantom folder.
pub const PHANTOM_DIR_VAR: &str = "OSIRIX_PHANTOM_DIR";

/// A running emulator, the temporary folder of its database and a connected client.
#[derive(Debug)]
pub struct Fixture {
    /// The server.
    pub emulator: RunningEmulator,
    /// A client connected to it.
    pub client: Client,
    /// The database folder, removed when the fixture is dropped.
    pub dir: tempfile::TempDir,
}

impl Fixture {
    /// The default demo database ([`DemoSpec::DEFAULT`]), owned by the emulator (imports go into its
    /// folder).
    pub async fn demo() -> Fixture {
        Fixture::demo_with(DemoSpec::DEFAULT, |b| b).await
    }

    /// A demo database of `spec`, with more builder options.
    pub async fn demo_with(
        spec: DemoSpec,
        configure: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
    ) -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let catalog = generate(dir.path(), &spec).expect("the demo database");
        let builder = Emulator::builder(catalog).database_folder(dir.path());
        Fixture::start(dir, configure(builder)).await
    }

    /// An empty database the emulator owns, as the upstream integration tests start from.
    pub async fn empty() -> Fixture {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let builder = Emulator::open_database(dir.path()).expect("an empty database");
        Fixture::start(dir, builder).await
    }

    /// An empty database into which the MR phantom of `OSIRIX_PHANTOM_DIR` has been imported, or `None`
    /// after printing `skipped: <test>: ...` when the variable is not set.
    pub async fn phantom(test: &str) -> Option<Fixture> {
        let source = phantom_dir(test)?;
        let fixture = Fixture::empty().await;
        let report = fixture
            .emulator
            .import(vec![source])
            .await
            .expect("the database is writable");
        assert_eq!(report.imported, 40, "the phantom's 40 files: {report:?}");
        Some(fixture)
    }

    async fn start(dir: tempfile::TempDir, builder: EmulatorBuilder) -> Fixture {
        let emulator = builder
            .start(loopback())
            .await
            .expect("the emulator starts");
        let client = connect(&emulator).await;
        Fixture {
            emulator,
            client,
            dir,
        }
    }

    /// The browser (`OsirixCurrentBrowser`).
    pub async fn browser(&mut self) -> proto::BrowserController {
        let reply = self
            .client
            .osirix_current_browser(Empty {})
            .await
            .expect("OsirixCurrentBrowser answers")
            .into_inner();
        assert_ok(&reply.status);
        reply.browser_controller.expect("a browser")
    }

    /// The studies the browser lists (`BrowserControllerDatabaseStudies`), in display order.
    pub async fn studies(&mut self) -> Vec<proto::DicomStudy> {
        let browser = self.browser().await;
        let reply = self
            .client
            .browser_controller_database_studies(browser)
            .await
            .expect("DatabaseStudies answers")
            .into_inner();
        assert_ok(&reply.status);
        reply.studies
    }

    /// A study's series (`DicomStudySeries`).
    pub async fn series_of(&mut self, study: &proto::DicomStudy) -> Vec<proto::DicomSeries> {
        let reply = self
            .client
            .dicom_study_series(study.clone())
            .await
            .expect("DicomStudySeries answers")
            .into_inner();
        assert_ok(&reply.status);
        reply.series
    }

    /// A series' images sorted by `DicomImageSliceLocation`, ascending, as the upstream tests open them.
    pub async fn images_by_slice_location(
        &mut self,
        series: &proto::DicomSeries,
    ) -> Vec<proto::DicomImage> {
        let reply = self
            .client
            .dicom_series_images(series.clone())
            .await
            .expect("DicomSeriesImages answers")
            .into_inner();
        assert_ok(&reply.status);
        let mut located = Vec::with_capacity(reply.images.len());
        for image in reply.images {
            let location = self
                .client
                .dicom_image_slice_location(image.clone())
                .await
                .expect("DicomImageSliceLocation answers")
                .into_inner();
            assert_ok(&location.status);
            located.push((location.slice_location, image));
        }
        located.sort_by(|a, b| a.0.total_cmp(&b.0));
        located.into_iter().map(|(_, image)| image).collect()
    }

    /// Opens a viewer with `BrowserControllerOpenViewerFromImages` and asserts it opened.
    pub async fn open_viewer(
        &mut self,
        frames: Vec<Vec<proto::DicomImage>>,
        movie: bool,
    ) -> proto::ViewerController {
        let browser = self.browser().await;
        let request = proto::BrowserControllerOpenViewerFromImagesRequest {
            browser: Some(browser),
            frames: frames
                .into_iter()
                .map(|images| {
                    proto::browser_controller_open_viewer_from_images_request::FrameImages {
                        images,
                    }
                })
                .collect(),
            movie,
        };
        let reply = self
            .client
            .browser_controller_open_viewer_from_images(request)
            .await
            .expect("OpenViewerFromImages answers")
            .into_inner();
        assert_ok(&reply.status);
        reply.viewer.expect("a viewer")
    }

    /// The DCMPix of a viewer's frame (`ViewerControllerPixList`).
    pub async fn pix_list(
        &mut self,
        viewer: &proto::ViewerController,
        movie_idx: i32,
    ) -> Vec<proto::DcmPix> {
        let reply = self
            .client
            .viewer_controller_pix_list(proto::ViewerControllerPixListRequest {
                viewer_controller: Some(viewer.clone()),
                movie_idx,
            })
            .await
            .expect("PixList answers")
            .into_inner();
        assert_ok(&reply.status);
        reply.pix
    }
}

/// The MR phantom folder from `OSIRIX_PHANTOM_DIR`, or `None` after printing
/// `skipped: <test>: OSIRIX_PHANTOM_DIR not set ...`.
pub fn phantom_dir(test: &str) -> Option<PathBuf> {
    match std::env::var_os(PHANTOM_DIR_VAR) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => {
            println!(
                "skipped: {test}: {PHANTOM_DIR_VAR} not set (point it at shared/data/mr-phantom)"
            );
            None
        }
    }
}

/// `127.0.0.1:0`: a free loopback port.
pub fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

/// A client connected to `emulator` (its first address).
pub async fn connect(emulator: &RunningEmulator) -> Client {
    connect_url(emulator.url()).await
}

/// A client connected to `url`.
pub async fn connect_url(url: String) -> Client {
    let channel = tonic::transport::Endpoint::from_shared(url)
        .expect("a valid URL")
        .connect_timeout(PATIENCE)
        .timeout(PATIENCE)
        .connect()
        .await
        .expect("the client connects");
    OsiriXServiceClient::new(channel)
        .max_decoding_message_size(crate::MAX_MESSAGE_SIZE)
        .max_encoding_message_size(crate::MAX_MESSAGE_SIZE)
}

/// A `DicomStudy` handle.
pub fn study(uid: impl Into<String>) -> proto::DicomStudy {
    proto::DicomStudy {
        osirixrpc_uid: uid.into(),
    }
}

/// A `DicomSeries` handle.
pub fn series(uid: impl Into<String>) -> proto::DicomSeries {
    proto::DicomSeries {
        osirixrpc_uid: uid.into(),
    }
}

/// A `DicomImage` handle.
pub fn image(uid: impl Into<String>) -> proto::DicomImage {
    proto::DicomImage {
        osirixrpc_uid: uid.into(),
    }
}

/// A `BrowserController` handle.
pub fn browser(uid: impl Into<String>) -> proto::BrowserController {
    proto::BrowserController {
        osirixrpc_uid: uid.into(),
    }
}

/// A `ViewerController` handle.
pub fn viewer(uid: impl Into<String>) -> proto::ViewerController {
    proto::ViewerController {
        osirixrpc_uid: uid.into(),
    }
}

/// A `DCMPix` handle.
pub fn pix(uid: impl Into<String>) -> proto::DcmPix {
    proto::DcmPix {
        osirixrpc_uid: uid.into(),
    }
}

/// An `ROI` handle.
pub fn roi(uid: impl Into<String>) -> proto::Roi {
    proto::Roi {
        osirixrpc_uid: uid.into(),
    }
}

/// A `VRController` handle.
pub fn vr_controller(uid: impl Into<String>) -> proto::VrController {
    proto::VrController {
        osirixrpc_uid: uid.into(),
    }
}

/// An `ROIVolume` handle.
pub fn roi_volume(uid: impl Into<String>) -> proto::RoiVolume {
    proto::RoiVolume {
        osirixrpc_uid: uid.into(),
    }
}

/// `call_ok!(client, rpc(request))`: calls an RPC of a generated client, panics naming the RPC when the call
/// fails on the wire, asserts an in-band success ([`assert_ok`](crate::testing::assert_ok)) and gives the
/// response.
#[macro_export]
macro_rules! call_ok {
    ($client:expr, $rpc:ident($request:expr)) => {{
        let reply = $client
            .$rpc($request)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", stringify!($rpc)))
            .into_inner();
        $crate::testing::assert_ok(&reply.status);
        reply
    }};
}

/// `call_fails!(client, rpc(request), message)`: calls an RPC of a generated client, panics naming the RPC when
/// the call fails on the wire, and asserts an in-band failure with exactly `message`
/// ([`assert_failed`](crate::testing::assert_failed)).
#[macro_export]
macro_rules! call_fails {
    ($client:expr, $rpc:ident($request:expr), $message:expr) => {{
        let reply = $client
            .$rpc($request)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", stringify!($rpc)))
            .into_inner();
        $crate::testing::assert_failed(&reply.status, $message);
    }};
}

/// Asserts an in-band success (status 1, empty message).
#[track_caller]
pub fn assert_ok(status: &Option<Status>) {
    let status = status.as_ref().expect("a status");
    assert_eq!(
        (status.status, status.message.as_str()),
        (1, ""),
        "expected success"
    );
}

/// Asserts an in-band failure (status 0) with exactly `message`.
#[track_caller]
pub fn assert_failed(status: &Option<Status>, message: &str) {
    let status = status.as_ref().expect("a status");
    assert_eq!((status.status, status.message.as_str()), (0, message));
}

/// Asserts that every status of a table is `"No <class> cached"`.
#[track_caller]
pub fn assert_all_not_cached(statuses: &[(&'static str, Option<Status>)], class: Class) {
    let expected = format!("No {} cached", class.name());
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

/// The seven fields of a date response, in order: year, month, day, hour, minute, second, millisecond.
pub trait DateFields {
    /// The fields.
    fn fields(&self) -> [i32; 7];
}

macro_rules! date_fields {
    ($($ty:ident),*) => {$(
        impl DateFields for proto::$ty {
            fn fields(&self) -> [i32; 7] {
                [self.year, self.month, self.day, self.hour, self.minute, self.second, self.millisecond]
            }
        }
    )*};
}
date_fields!(
    DicomStudyDateResponse,
    DicomStudyDateAddedResponse,
    DicomSeriesDateResponse,
    DicomImageDateResponse
);

impl DateFields for Option<WireDate> {
    /// The fields a date response carries for this date (all zeros for none).
    fn fields(&self) -> [i32; 7] {
        use chrono::{Datelike, Timelike};
        match self {
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
}

/// Calls each `rpc(request)` and collects `(name, status)`.
macro_rules! table {
    ($client:expr, [$($rpc:ident($request:expr)),* $(,)?]) => {{
        let mut out: Vec<(&'static str, Option<Status>)> = Vec::new();
        $(
            let response = $client
                .$rpc($request)
                .await
                .unwrap_or_else(|e| panic!("{} answers gRPC OK: {e}", stringify!($rpc)));
            out.push((stringify!($rpc), response.into_inner().status));
        )*
        out
    }};
}

/// Every RPC whose first handle is of `class`, called with `uid` as that handle and proto3 defaults for
/// every other field, with its status: for table-driven tests of `"No <Class> cached"`.
///
/// Covers every class with handle RPCs: BrowserController, DicomStudy, DicomSeries, DicomImage,
/// ViewerController, DCMPix, ROI, VRController and ROIVolume. An RPC with side effects (close, delete) has
/// none for an unknown uid. The VRController table sends no ROI volume to `DisplayROIVolume` and
/// `HideROIVolume`, which check the 3D window first.
///
/// # Panics
///
/// When an RPC does not answer gRPC OK.
pub async fn statuses(
    client: &mut Client,
    class: Class,
    uid: &str,
) -> Vec<(&'static str, Option<Status>)> {
    let id = uid.to_owned();
    match class {
        Class::BrowserController => {
            browser_statuses(client, proto::BrowserController { osirixrpc_uid: id }).await
        }
        Class::DicomStudy => study_statuses(client, proto::DicomStudy { osirixrpc_uid: id }).await,
        Class::DicomSeries => {
            series_statuses(client, proto::DicomSeries { osirixrpc_uid: id }).await
        }
        Class::DicomImage => image_statuses(client, proto::DicomImage { osirixrpc_uid: id }).await,
        Class::ViewerController => {
            viewer_statuses(client, proto::ViewerController { osirixrpc_uid: id }).await
        }
        Class::DcmPix => pix_statuses(client, proto::DcmPix { osirixrpc_uid: id }).await,
        Class::Roi => roi_statuses(client, proto::Roi { osirixrpc_uid: id }).await,
        Class::VrController => vr_statuses(client, proto::VrController { osirixrpc_uid: id }).await,
        Class::RoiVolume => {
            roi_volume_statuses(client, proto::RoiVolume { osirixrpc_uid: id }).await
        }
    }
}

async fn browser_statuses(
    client: &mut Client,
    h: proto::BrowserController,
) -> Vec<(&'static str, Option<Status>)> {
    table!(
        client,
        [
            browser_controller_database_selection(h.clone()),
            browser_controller_database_studies(h.clone()),
            browser_controller_copy_files_if_needed(
                proto::BrowserControllerCopyFilesIfNeededRequest {
                    browser: Some(h.clone()),
                    paths: Vec::new(),
                }
            ),
            browser_controller_open_viewer_from_images(
                proto::BrowserControllerOpenViewerFromImagesRequest {
                    browser: Some(h.clone()),
                    ..Default::default()
                }
            ),
        ]
    )
}

async fn study_statuses(
    client: &mut Client,
    h: proto::DicomStudy,
) -> Vec<(&'static str, Option<Status>)> {
    table!(
        client,
        [
            dicom_study_paths(h.clone()),
            dicom_study_images(h.clone()),
            dicom_study_modalities(h.clone()),
            dicom_study_no_files(h.clone()),
            dicom_study_raw_no_files(h.clone()),
            dicom_study_number_of_images(h.clone()),
            dicom_study_series(h.clone()),
            dicom_study_name(h.clone()),
            dicom_study_date(h.clone()),
            dicom_study_date_added(h.clone()),
            dicom_study_date_of_birth(h.clone()),
            dicom_study_institution_name(h.clone()),
            dicom_study_modality(h.clone()),
            dicom_study_patient_id(h.clone()),
            dicom_study_patient_uid(h.clone()),
            dicom_study_patient_sex(h.clone()),
            dicom_study_performing_physician(h.clone()),
            dicom_study_referring_physician(h.clone()),
            dicom_study_study_instance_uid(h.clone()),
            dicom_study_study_name(h.clone()),
        ]
    )
}

async fn series_statuses(
    client: &mut Client,
    h: proto::DicomSeries,
) -> Vec<(&'static str, Option<Status>)> {
    table!(
        client,
        [
            dicom_series_paths(h.clone()),
            dicom_series_previous_series(h.clone()),
            dicom_series_next_series(h.clone()),
            dicom_series_sorted_images(h.clone()),
            dicom_series_study(h.clone()),
            dicom_series_images(h.clone()),
            dicom_series_series_instance_uid(h.clone()),
            dicom_series_series_sop_class_uid(h.clone()),
            dicom_series_series_description(h.clone()),
            dicom_series_modality(h.clone()),
            dicom_series_name(h.clone()),
            dicom_series_date(h.clone()),
            dicom_series_number_of_images(h.clone()),
        ]
    )
}

async fn image_statuses(
    client: &mut Client,
    h: proto::DicomImage,
) -> Vec<(&'static str, Option<Status>)> {
    table!(
        client,
        [
            dicom_image_width(h.clone()),
            dicom_image_height(h.clone()),
            dicom_image_sop_instance_uid(h.clone()),
            dicom_image_complete_path(h.clone()),
            dicom_image_date(h.clone()),
            dicom_image_number_of_frames(h.clone()),
            dicom_image_modality(h.clone()),
            dicom_image_series(h.clone()),
            dicom_image_slice_location(h.clone()),
            dicom_image_instance_number(h.clone()),
        ]
    )
}

async fn viewer_statuses(
    client: &mut Client,
    h: proto::ViewerController,
) -> Vec<(&'static str, Option<Status>)> {
    let v = Some(h.clone());
    table!(
        client,
        [
            viewer_controller_close_viewer(h.clone()),
            viewer_controller_pix_list(proto::ViewerControllerPixListRequest {
                viewer_controller: v.clone(),
                movie_idx: 0
            }),
            viewer_controller_needs_display_update(h.clone()),
            viewer_controller_roi_list(proto::ViewerControllerRoiListRequest {
                viewer_controller: v.clone(),
                movie_idx: 0
            }),
            viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
                viewer_controller: v.clone(),
                ..Default::default()
            }),
            viewer_controller_cur_dcm(h.clone()),
            viewer_controller_ro_is_with_name(proto::ViewerControllerRoIsWithNameRequest {
                viewer_controller: v.clone(),
                ..Default::default()
            }),
            viewer_controller_selected_ro_is(h.clone()),
            viewer_controller_is_data_volumic(proto::ViewerControllerIsDataVolumicRequest {
                viewer_controller: v.clone(),
                in_4d: false
            }),
            viewer_controller_copy_viewer_window(h.clone()),
            viewer_controller_resample_viewer_controller(
                proto::ViewerControllerResampleViewerControllerRequest {
                    viewer_controller: v.clone(),
                    fixed_viewer_controller: None
                }
            ),
            viewer_controller_blending_controller(h.clone()),
            viewer_controller_vr_controllers(h.clone()),
            viewer_controller_title(h.clone()),
            viewer_controller_modality(h.clone()),
            viewer_controller_movie_idx(h.clone()),
            viewer_controller_set_movie_idx(proto::ViewerControllerSetMovieIdxRequest {
                viewer_controller: v.clone(),
                movie_idx: 0
            }),
            viewer_controller_max_movie_idx(h.clone()),
            viewer_controller_idx(h.clone()),
            viewer_controller_set_idx(proto::ViewerControllerSetIdxRequest {
                viewer_controller: v.clone(),
                idx: 0
            }),
            viewer_controller_displayed_idx(h.clone()),
            viewer_controller_set_displayed_idx(proto::ViewerControllerSetDisplayedIdxRequest {
                viewer_controller: v.clone(),
                displayed_idx: 0
            }),
            viewer_controller_flipped_data(h.clone()),
            viewer_controller_wlww(h.clone()),
            viewer_controller_set_wlww(proto::ViewerControllerSetWlwwRequest {
                viewer_controller: v.clone(),
                wl: 0.0,
                ww: 0.0
            }),
            viewer_controller_open_vr_viewer_for_mode(
                proto::ViewerControllerOpenVrViewerForModeRequest {
                    viewer_controller: v.clone(),
                    mode: "VR".into()
                }
            ),
            viewer_controller_fuse_with_viewer(proto::ViewerControllerFuseWithViewerRequest {
                viewer_controller: v.clone(),
                fusion_viewer_controller: None
            }),
        ]
    )
}

async fn pix_statuses(
    client: &mut Client,
    h: proto::DcmPix,
) -> Vec<(&'static str, Option<Status>)> {
    let p = Some(h.clone());
    table!(
        client,
        [
            dcm_pix_convert_to_rgb(proto::DcmPixConvertToRgbRequest {
                pix: p.clone(),
                rgb_channel: 0
            }),
            dcm_pix_convert_to_bw(proto::DcmPixConvertToBwRequest {
                pix: p.clone(),
                bw_channel: 0
            }),
            dcm_pix_is_rgb(h.clone()),
            dcm_pix_compute_roi(proto::DcmPixComputeRoiRequest {
                pix: p.clone(),
                roi: None
            }),
            dcm_pix_roi_values(proto::DcmPixRoiValuesRequest {
                pix: p.clone(),
                roi: None
            }),
            dcm_pix_shape(h.clone()),
            dcm_pix_spacing(h.clone()),
            dcm_pix_origin(h.clone()),
            dcm_pix_orientation(h.clone()),
            dcm_pix_slice_location(h.clone()),
            dcm_pix_source_file(h.clone()),
            dcm_pix_image(h.clone()),
            dcm_pix_set_image(proto::DcmPixSetImageRequest {
                pix: p.clone(),
                ..Default::default()
            }),
            dcm_pix_get_map_from_roi(proto::DcmPixGetMapFromRoiRequest {
                pix: p.clone(),
                roi: None
            }),
            dcm_pix_dicom_image(h.clone()),
            dcm_pix_dicom_series(h.clone()),
            dcm_pix_dicom_study(h.clone()),
        ]
    )
}

async fn roi_statuses(client: &mut Client, h: proto::Roi) -> Vec<(&'static str, Option<Status>)> {
    let r = Some(h.clone());
    table!(
        client,
        [
            roi_delete(h.clone()),
            roi_flip_horizontally(h.clone()),
            roi_flip_vertically(h.clone()),
            roi_area(h.clone()),
            roi_centroid(h.clone()),
            roi_rotate(proto::RoiRotateRequest {
                roi: r.clone(),
                ..Default::default()
            }),
            roi_move(proto::RoiMoveRequest {
                roi: r.clone(),
                ..Default::default()
            }),
            roi_pix(h.clone()),
            roi_name(h.clone()),
            roii_type(h.clone()),
            roi_set_name(proto::RoiSetNameRequest {
                roi: r.clone(),
                name: String::new()
            }),
            roi_color(h.clone()),
            roi_set_color(proto::RoiSetColorRequest {
                roi: r.clone(),
                ..Default::default()
            }),
            roi_opacity(h.clone()),
            roi_set_opacity(proto::RoiSetOpacityRequest {
                roi: r.clone(),
                opacity: 0.0
            }),
            roi_thickness(h.clone()),
            roi_set_thickness(proto::RoiSetThicknessRequest {
                roi: r.clone(),
                thickness: 0.0
            }),
            roi_points(h.clone()),
            roi_set_points(proto::RoiSetPointsRequest {
                roi: r.clone(),
                points: Vec::new()
            }),
        ]
    )
}

async fn vr_statuses(
    client: &mut Client,
    h: proto::VrController,
) -> Vec<(&'static str, Option<Status>)> {
    let v = Some(h.clone());
    table!(
        client,
        [
            vr_controller_viewer2_d(h.clone()),
            vr_controller_blending_controller(h.clone()),
            vr_controller_style(h.clone()),
            vr_controller_title(h.clone()),
            vr_controller_roi_volumes(h.clone()),
            vr_controller_rendering_mode(h.clone()),
            vr_controller_set_rendering_mode(proto::VrControllerSetRenderingModeRequest {
                vr_controller: v.clone(),
                rendering_mode: "VR".into()
            }),
            vr_controller_wlww(h.clone()),
            vr_controller_set_wlww(proto::VrControllerSetWlwwRequest {
                vr_controller: v.clone(),
                wl: 0.0,
                ww: 0.0
            }),
            vr_controller_hide_roi_volume(proto::VrControllerHideRoiVolumeRequest {
                vr_controller: v.clone(),
                roi_volume: None
            }),
            vr_controller_display_roi_volume(proto::VrControllerDisplayRoiVolumeRequest {
                vr_controller: v.clone(),
                roi_volume: None
            }),
            vr_controller_needs_display_update(h.clone()),
        ]
    )
}

async fn roi_volume_statuses(
    client: &mut Client,
    h: proto::RoiVolume,
) -> Vec<(&'static str, Option<Status>)> {
    let r = Some(h.clone());
    table!(
        client,
        [
            roi_volume_texture(h.clone()),
            roi_volume_set_texture(proto::RoiVolumeSetTextureRequest {
                roi: r.clone(),
                texture: false
            }),
            roi_volume_volume(h.clone()),
            roi_volume_color(h.clone()),
            roi_volume_set_color(proto::RoiVolumeSetColorRequest {
                roi: r.clone(),
                ..Default::default()
            }),
            roi_volume_opacity(h.clone()),
            roi_volume_set_opacity(proto::RoiVolumeSetOpacityRequest {
                roi: r.clone(),
                opacity: 0.0
            }),
            roi_volume_factor(h.clone()),
            roi_volume_set_factor(proto::RoiVolumeSetFactorRequest {
                roi: r.clone(),
                factor: 0.0
            }),
            roi_volume_name(h.clone()),
            roi_volume_visible(h.clone()),
        ]
    )
}
