//! The real MR phantom: every value OsiriX reports for its database objects. Runs when `OSIRIX_PHANTOM_DIR`
//! points at `shared/data/mr-phantom`; otherwise each test says it is skipped and passes.

use osirix_emulator::proto::Empty;
use osirix_emulator::testing::*;
use osirix_emulator::{Catalog, Emulator, RunningEmulator};

const TEST_IMAGE_SOP: &str = "1.3.12.2.1107.5.2.18.41171.2022080319050545343380519";

fn phantom() -> Option<Catalog> {
    let Some(dir) = std::env::var_os("OSIRIX_PHANTOM_DIR") else {
        println!("skipped: OSIRIX_PHANTOM_DIR not set");
        return None;
    };
    Some(Catalog::from_dir(dir).expect("the phantom folder reads"))
}

async fn serve() -> Option<(RunningEmulator, Client)> {
    let emu = Emulator::builder(phantom()?)
        .start(loopback())
        .await
        .expect("start");
    let client = connect(&emu).await;
    Some((emu, client))
}

#[test]
fn phantom_catalogue() {
    let Some(c) = phantom() else { return };
    assert_eq!(
        (c.studies().len(), c.series().len(), c.images().len()),
        (1, 1, 40)
    );
    let study = &c.studies()[0];
    assert_eq!(study.study_name.as_deref(), Some("Osirixgrpc Test Study"));
    assert_eq!(
        study.patient_uid.as_deref(),
        Some("OSIRIXGRPC TEST PATIENT-OSIRIXGRPC TEST PATIENT ID-19000101")
    );
    assert_eq!(study.performing_physician, None);
    assert_eq!(study.date.map(|d| d.millisecond), Some(1_718_993_592));
    let series = &c.series()[0];
    assert_eq!(
        series.series_instance_uid,
        "1.3.12.2.1107.5.2.18.41171.2022080319011374970780396.0.0.0 TE-98"
    );
    assert_eq!(series.date.map(|d| d.millisecond), Some(1_020_924_832));
    let image = c
        .image_by_sop_instance_uid(TEST_IMAGE_SOP)
        .expect("test image");
    assert!(image.path.ends_with("IM-0001-0001.dcm"));
    assert_eq!(image.date.map(|d| d.millisecond), Some(1_718_993_592));
}

#[tokio::test]
async fn phantom_study_rpcs() {
    let Some((emu, mut client)) = serve().await else {
        return;
    };
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
    assert_eq!(studies.len(), 1);
    let h = studies[0].clone();
    macro_rules! text {
        ($rpc:ident, $field:ident, $value:expr) => {{
            let r = client.$rpc(h.clone()).await.expect("rpc").into_inner();
            assert_ok(&r.status);
            assert_eq!(r.$field, $value, stringify!($rpc));
        }};
    }
    text!(dicom_study_name, name, "osirixgrpc test patient");
    text!(dicom_study_study_name, study_name, "Osirixgrpc Test Study");
    text!(
        dicom_study_patient_id,
        patient_id,
        "osirixgrpc test patient id"
    );
    text!(
        dicom_study_patient_uid,
        patient_uid,
        "OSIRIXGRPC TEST PATIENT-OSIRIXGRPC TEST PATIENT ID-19000101"
    );
    text!(dicom_study_patient_sex, patient_sex, "O");
    text!(
        dicom_study_institution_name,
        institution_name,
        "osirixgrpc test institution"
    );
    text!(
        dicom_study_referring_physician,
        referring_physician,
        "osirixgrpc test physician name"
    );
    text!(
        dicom_study_study_instance_uid,
        study_instance_uid,
        "1.2.840.846310145.17.1.1.4515953"
    );
    text!(dicom_study_modality, modality, "MR");
    text!(dicom_study_modalities, modalities, "MR");
    let r = client
        .dicom_study_performing_physician(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_failed(&r.status, "Performing physician not available");
    let r = client
        .dicom_study_date(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&r.status);
    assert_eq!(r.fields(), [2022, 8, 3, 19, 1, 19, 1_718_993_592]);
    let r = client
        .dicom_study_date_of_birth(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!([r.year, r.month, r.day], [1900, 1, 1]);
    let r = client
        .dicom_study_no_files(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.no_files, 40);
    let r = client
        .dicom_study_raw_no_files(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.no_files, 40);
    let r = client
        .dicom_study_number_of_images(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.no_images, 40);
    let r = client
        .dicom_study_paths(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.paths.len(), 40);
    let r = client
        .dicom_study_images(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.images.len(), 40);
    let r = client
        .dicom_study_series(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.series.len(), 1);
    assert_eq!(
        Some(r.series[0].osirixrpc_uid.clone()),
        emu.uid_of_series(0)
    );
}

#[tokio::test]
async fn phantom_series_rpcs() {
    let Some((emu, mut client)) = serve().await else {
        return;
    };
    let h = series(emu.uid_of_series(0).expect("uid"));
    let r = client
        .dicom_series_series_instance_uid(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(
        r.series_instance_uid,
        "1.3.12.2.1107.5.2.18.41171.2022080319011374970780396.0.0.0 TE-98"
    );
    let r = client
        .dicom_series_series_sop_class_uid(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.series_sop_class_uid, "1.2.840.10008.5.1.4.1.1.4");
    let r = client
        .dicom_series_series_description(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&r.status);
    assert_eq!(r.series_description, "t2_tse_sag AP");
    let r = client
        .dicom_series_name(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.name, "t2_tse_sag AP");
    let r = client
        .dicom_series_modality(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.modality, "MR");
    let r = client
        .dicom_series_number_of_images(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.number_of_images, 40);
    let r = client
        .dicom_series_date(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_ok(&r.status);
    assert_eq!(r.fields(), [2022, 8, 3, 19, 1, 23, 1_020_924_832]);
    let r = client
        .dicom_series_next_series(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_failed(&r.status, "No next series");
    let r = client
        .dicom_series_previous_series(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_failed(&r.status, "No previous series");
    let r = client
        .dicom_series_study(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(
        r.study.expect("study").osirixrpc_uid,
        emu.uid_of_study(0).expect("uid")
    );
    let r = client
        .dicom_series_paths(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.paths.len(), 40);
    let r = client
        .dicom_series_sorted_images(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.sorted_images.len(), 40);
    // Sorted by instance number: 1..=40.
    let mut numbers = Vec::new();
    for img in &r.sorted_images {
        numbers.push(
            client
                .dicom_image_instance_number(img.clone())
                .await
                .expect("rpc")
                .into_inner()
                .instance_number,
        );
    }
    assert_eq!(numbers, (1..=40).collect::<Vec<u32>>());
}

#[tokio::test]
async fn phantom_test_image_rpcs() {
    let Some((emu, mut client)) = serve().await else {
        return;
    };
    let index = emu
        .catalog()
        .images()
        .iter()
        .position(|i| i.sop_instance_uid == TEST_IMAGE_SOP)
        .expect("test image");
    let h = image(emu.uid_of_image(index).expect("uid"));
    let r = client
        .dicom_image_sop_instance_uid(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.sop_instance_uid, TEST_IMAGE_SOP);
    let r = client
        .dicom_image_width(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.width, 320);
    let r = client
        .dicom_image_height(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.height, 320);
    let r = client
        .dicom_image_number_of_frames(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.number_of_frames, 1);
    let r = client
        .dicom_image_instance_number(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.instance_number, 1);
    let r = client
        .dicom_image_slice_location(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.slice_location, -56.601_814_27_f64 as f32);
    let r = client
        .dicom_image_modality(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.modality, "MR");
    let r = client
        .dicom_image_complete_path(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert!(r.complete_path.ends_with("IM-0001-0001.dcm"));
    assert!(std::path::Path::new(&r.complete_path).is_absolute());
    let r = client
        .dicom_image_date(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.fields(), [2022, 8, 3, 19, 3, 11, 1_718_993_592]);
    // Image → series equals the study's series entry.
    let r = client
        .dicom_image_series(h.clone())
        .await
        .expect("rpc")
        .into_inner();
    let study_series = client
        .dicom_study_series(study(emu.uid_of_study(0).expect("uid")))
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(r.series, study_series.series.first().cloned());
}
