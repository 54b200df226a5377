//! The real MR phantom (see docs/osirix-behaviour.md, *The MR phantom*) through the SDK and the emulator: every value OsiriX reports for it in the
//! upstream integration tests. Runs only when `OSIRIX_PHANTOM_DIR` points at `shared/data/mr-phantom`; otherwise
//! each test prints why it is skipped and passes.

use osirix_emulator::{Catalog, RunningEmulator};
use osirix_sdk::chrono::{NaiveDate, NaiveDateTime};
use osirix_sdk::{Client, DicomImage, DicomSeries, DicomStudy};
use tests::{phantom_dir, start};

const SERIES_INSTANCE_UID: &str =
    "1.3.12.2.1107.5.2.18.41171.2022080319011374970780396.0.0.0 TE-98";
const SOP_CLASS_UID: &str = "1.2.840.10008.5.1.4.1.1.4";
const SERIES_DESCRIPTION: &str = "t2_tse_sag AP";
const STUDY_NAME: &str = "Osirixgrpc Test Study";
const STUDY_INSTANCE_UID: &str = "1.2.840.846310145.17.1.1.4515953";
const PATIENT_NAME: &str = "osirixgrpc test patient";
const PATIENT_ID: &str = "osirixgrpc test patient id";
const INSTITUTION: &str = "osirixgrpc test institution";
const REFERRING_PHYSICIAN: &str = "osirixgrpc test physician name";
const TEST_IMAGE_SOP_UID: &str = "1.3.12.2.1107.5.2.18.41171.2022080319050545343380519";
const TEST_IMAGE_SLICE_LOCATION: f32 = -56.601_814;
const IMAGES: usize = 40;

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").expect("a valid date-time")
}

/// The emulator over the phantom and a connected client, or `None` (skipped) without the data.
async fn phantom(test: &str) -> Option<(RunningEmulator, Client)> {
    let dir = phantom_dir(test)?;
    let catalog = Catalog::from_dir(&dir).expect("the phantom folder reads");
    let emulator = start(catalog, false).await;
    let client = Client::connect(emulator.url())
        .await
        .expect("client connects");
    Some((emulator, client))
}

/// The one study and its one series, as the browser lists them.
async fn study_and_series(client: &Client) -> (DicomStudy, DicomSeries) {
    let browser = client.current_browser().await.expect("current browser");
    let mut studies = browser.database_studies().await.expect("database studies");
    assert_eq!(studies.len(), 1, "one study");
    let study = studies.remove(0);
    let mut series = study.series().await.expect("study series");
    assert_eq!(series.len(), 1, "one series");
    (study, series.remove(0))
}

async fn test_image(series: &DicomSeries) -> DicomImage {
    let mut found = Vec::new();
    for image in series.images().await.expect("series images") {
        if image.sop_instance_uid().await.expect("sop instance uid") == TEST_IMAGE_SOP_UID {
            found.push(image);
        }
    }
    assert_eq!(found.len(), 1, "the test image is in the series once");
    found.remove(0)
}

#[tokio::test]
async fn phantom_study_values() {
    let Some((_emulator, client)) = phantom("phantom_study_values").await else {
        return;
    };
    let (study, _) = study_and_series(&client).await;

    assert_eq!(
        study.study_name().await.expect("study name").as_deref(),
        Some(STUDY_NAME)
    );
    assert_eq!(
        study
            .study_instance_uid()
            .await
            .expect("study instance uid")
            .as_deref(),
        Some(STUDY_INSTANCE_UID)
    );
    assert_eq!(
        study.patient_name().await.expect("patient name").as_deref(),
        Some(PATIENT_NAME)
    );
    assert_eq!(
        study.patient_id().await.expect("patient id").as_deref(),
        Some(PATIENT_ID)
    );
    assert_eq!(
        study.patient_sex().await.expect("patient sex").as_deref(),
        Some("O")
    );
    assert_eq!(
        study.date_of_birth().await.expect("date of birth"),
        NaiveDate::from_ymd_opt(1900, 1, 1)
    );
    // NAME-ID-DOB, upper case.
    let patient_uid = format!("{PATIENT_NAME}-{PATIENT_ID}-19000101").to_uppercase();
    assert_eq!(
        study.patient_uid().await.expect("patient uid"),
        Some(patient_uid)
    );
    assert_eq!(
        study
            .institution_name()
            .await
            .expect("institution")
            .as_deref(),
        Some(INSTITUTION)
    );
    assert_eq!(
        study
            .referring_physician()
            .await
            .expect("referring physician")
            .as_deref(),
        Some(REFERRING_PHYSICIAN)
    );
    assert_eq!(
        study
            .performing_physician()
            .await
            .expect("performing physician"),
        None
    );
    assert_eq!(
        study.modality().await.expect("modality").as_deref(),
        Some("MR")
    );
    assert_eq!(
        study.modalities().await.expect("modalities").as_deref(),
        Some("MR")
    );
    assert_eq!(
        study.number_of_images().await.expect("number of images"),
        Some(IMAGES as u32)
    );
    assert_eq!(
        study.number_of_files().await.expect("number of files"),
        Some(IMAGES as u32)
    );
    assert_eq!(
        study
            .raw_number_of_files()
            .await
            .expect("raw number of files"),
        Some(IMAGES as u32)
    );
    assert_eq!(study.images().await.expect("images").len(), IMAGES);
    assert_eq!(study.paths().await.expect("paths").len(), IMAGES);
    // The earliest acquisition time, 19:01:19.53: OsiriX sends millisecond 1718993592, which decodes to .530.
    assert_eq!(
        study.date().await.expect("study date"),
        Some(at("2022-08-03 19:01:19.530"))
    );
    assert!(study.date_added().await.expect("date added").is_some());
}

#[tokio::test]
async fn phantom_series_values() {
    let Some((emulator, client)) = phantom("phantom_series_values").await else {
        return;
    };
    let (_, series) = study_and_series(&client).await;

    assert_eq!(
        series
            .series_instance_uid()
            .await
            .expect("series instance uid"),
        SERIES_INSTANCE_UID
    );
    assert_eq!(
        series.series_sop_class_uid().await.expect("sop class uid"),
        SOP_CLASS_UID
    );
    assert_eq!(series.modality().await.expect("modality"), "MR");
    assert_eq!(series.name().await.expect("name"), SERIES_DESCRIPTION);
    assert_eq!(
        series
            .series_description()
            .await
            .expect("description")
            .as_deref(),
        Some(SERIES_DESCRIPTION)
    );
    assert_eq!(
        series.number_of_images().await.expect("number of images"),
        IMAGES as u32
    );
    // 19:01:23.7875: OsiriX sends millisecond 1020924832, which two sub-seconds could give: whole seconds.
    assert_eq!(
        series.date().await.expect("series date"),
        at("2022-08-03 19:01:23")
    );
    assert_eq!(
        series.previous_series().await.expect("previous series"),
        None
    );
    assert_eq!(series.next_series().await.expect("next series"), None);

    let paths = series.paths().await.expect("paths");
    assert_eq!(paths.len(), IMAGES);
    for k in 1..=IMAGES {
        let name = format!("IM-0001-{k:04}.dcm");
        assert_eq!(
            paths.iter().filter(|p| p.ends_with(&name)).count(),
            1,
            "{name}"
        );
    }
    assert_eq!(series.images().await.expect("images").len(), IMAGES);
    let sorted = series.sorted_images().await.expect("sorted images");
    assert_eq!(sorted.len(), IMAGES);
    assert_eq!(
        series
            .images_by_instance_number()
            .await
            .expect("by instance number"),
        sorted
    );
    // Instance 1, the test image, comes first.
    assert_eq!(
        sorted[0]
            .sop_instance_uid()
            .await
            .expect("sop instance uid"),
        TEST_IMAGE_SOP_UID
    );

    let summary = series.summary().await.expect("summary");
    assert_eq!(summary.series_instance_uid, SERIES_INSTANCE_UID);
    assert_eq!(
        summary.series_description.as_deref(),
        Some(SERIES_DESCRIPTION)
    );
    assert_eq!(summary.date, at("2022-08-03 19:01:23"));
    // The emulator's catalogue agrees: the DICOM series UID has no suffix in the files.
    let record = &emulator.catalog().series()[0];
    assert_eq!(
        format!("{} TE-98", record.dicom_series_instance_uid),
        SERIES_INSTANCE_UID
    );
}

#[tokio::test]
async fn phantom_test_image_values() {
    let Some((_emulator, client)) = phantom("phantom_test_image_values").await else {
        return;
    };
    let (_, series) = study_and_series(&client).await;
    let image = test_image(&series).await;

    assert_eq!(image.instance_number().await.expect("instance number"), 1);
    let location = image.slice_location().await.expect("slice location");
    assert!(
        (location - TEST_IMAGE_SLICE_LOCATION).abs() < 1e-4,
        "{location}"
    );
    assert_eq!(image.width().await.expect("width"), 320);
    assert_eq!(image.height().await.expect("height"), 320);
    // No NumberOfFrames tag: OsiriX reports 1.
    assert_eq!(image.number_of_frames().await.expect("frames"), 1);
    assert_eq!(image.modality().await.expect("modality"), "MR");
    // Acquisition time 19:03:11.53, millisecond 1718993592 → .530.
    assert_eq!(
        image.date().await.expect("image date"),
        at("2022-08-03 19:03:11.530")
    );
    let path = image.complete_path().await.expect("complete path");
    assert!(path.ends_with("IM-0001-0001.dcm"), "{path}");
    assert!(std::path::Path::new(&path).is_absolute(), "{path}");
    assert_eq!(
        image.sop_instance_uid().await.expect("sop instance uid"),
        TEST_IMAGE_SOP_UID
    );

    // Every image: 320 × 320, one frame, MR.
    for image in series.images().await.expect("images") {
        assert_eq!(
            (
                image.width().await.expect("w"),
                image.height().await.expect("h")
            ),
            (320, 320)
        );
        assert_eq!(image.number_of_frames().await.expect("frames"), 1);
        assert_eq!(image.modality().await.expect("modality"), "MR");
    }
}

#[tokio::test]
async fn phantom_handle_identity() {
    let Some((_emulator, client)) = phantom("phantom_handle_identity").await else {
        return;
    };
    let browser = client.current_browser().await.expect("current browser");
    let study = browser.database_studies().await.expect("database studies")[0].clone();
    let series = study.series().await.expect("study series")[0].clone();
    let image = test_image(&series).await;

    // Series → Study equals DatabaseStudies[0]; Image → Series equals StudySeries[0].
    assert_eq!(
        series.study().await.expect("series study"),
        browser.database_studies().await.expect("studies")[0]
    );
    assert_eq!(
        image.series().await.expect("image series"),
        study.series().await.expect("series")[0]
    );
    assert_eq!(image.series().await.expect("image series"), series);
    // The same uids on a second client of the same server.
    let other = Client::connect(_emulator.url())
        .await
        .expect("client connects");
    let other_study = other
        .current_browser()
        .await
        .expect("browser")
        .database_studies()
        .await
        .expect("studies")[0]
        .clone();
    assert_eq!(other_study.uid(), study.uid());
    assert_ne!(other_study, study, "handles of different clients differ");
}
