//! Every typed accessor of the SDK, end to end over loopback TCP, checked against the records of the catalogue
//! the emulator serves: the 13 `DicomSeries`, 20 `DicomStudy` and 10 `DicomImage` accessors, the browser, the
//! top-level `Osirix*` calls, and handle identity.
//!
//! Handles are mapped to their records through the emulator's uid cache (`RunningEmulator::lookup`), never by
//! position, so the tests hold whatever order the server lists things in.

// Handles hash and compare by uid and client id only, both immutable; clippy sees the client's connection
// state behind its `Arc` and flags every set of handles (see the report on `clippy::mutable_key_type`).
#![allow(clippy::mutable_key_type)]

use std::collections::{HashMap, HashSet};

use osirix_emulator::demo::DemoSpec;
use osirix_emulator::{ObjectRef, RunningEmulator, WireDate};
use osirix_sdk::chrono::{Duration, NaiveDateTime, Timelike};
use osirix_sdk::{
    BrowserController, Client, DicomImage, DicomSeries, DicomStudy, Error, decode_millisecond,
};
use tests::{Fixture, all_series};

/// 3 studies × 3 series × 4 images: series without a description (every third), without acquisition times
/// (every fifth), with paired instance numbers (every fourth), a study without a performing physician.
const SPEC: DemoSpec = DemoSpec {
    studies: 3,
    series_per_study: 3,
    images_per_series: 4,
    seed: 7,
    ..DemoSpec::DEFAULT
};

async fn fixture() -> Fixture {
    Fixture::with_spec(SPEC, false).await
}

/// The date the SDK must decode from a wire date: the whole-second components plus the milliseconds recovered
/// from the wrapped `millisecond` field when that is unambiguous.
fn sdk_date(date: &WireDate) -> NaiveDateTime {
    let whole = date.datetime.with_nanosecond(0).expect("valid time");
    whole + Duration::milliseconds(i64::from(decode_millisecond(date.millisecond).unwrap_or(0)))
}

/// What the server reports for an optional text: OsiriX's "not available" covers both missing and empty.
fn present(value: &Option<String>) -> Option<String> {
    value.clone().filter(|v| !v.is_empty())
}

fn study_index(emulator: &RunningEmulator, study: &DicomStudy) -> usize {
    match emulator.lookup(study.uid()) {
        Some(ObjectRef::Study(i)) => i,
        other => panic!("{study:?} is not a cached study: {other:?}"),
    }
}

fn series_index(emulator: &RunningEmulator, series: &DicomSeries) -> usize {
    match emulator.lookup(series.uid()) {
        Some(ObjectRef::Series(i)) => i,
        other => panic!("{series:?} is not a cached series: {other:?}"),
    }
}

fn image_index(emulator: &RunningEmulator, image: &DicomImage) -> usize {
    match emulator.lookup(image.uid()) {
        Some(ObjectRef::Image(i)) => i,
        other => panic!("{image:?} is not a cached image: {other:?}"),
    }
}

fn series_uid(emulator: &RunningEmulator, index: usize) -> String {
    emulator.uid_of_series(index).expect("series is cached")
}

fn image_uid(emulator: &RunningEmulator, index: usize) -> String {
    emulator.uid_of_image(index).expect("image is cached")
}

fn uids<T: AsUid>(handles: &[T]) -> Vec<String> {
    handles.iter().map(|h| h.uid_string()).collect()
}

trait AsUid {
    fn uid_string(&self) -> String;
}

macro_rules! as_uid {
    ($($ty:ty),*) => {$(
        impl AsUid for $ty {
            fn uid_string(&self) -> String {
                self.uid().to_owned()
            }
        }
    )*};
}
as_uid!(DicomStudy, DicomSeries, DicomImage, BrowserController);

#[tokio::test]
async fn browser_lists_every_study_in_display_order() {
    let f = fixture().await;
    let browser = f.client.current_browser().await.expect("current browser");
    assert_eq!(Some(browser.uid().to_owned()), f.emulator.browser_uid());
    assert_eq!(browser.uid(), f.catalog().browser_uid());
    // The same browser each time.
    assert_eq!(
        f.client.current_browser().await.expect("current browser"),
        browser
    );

    let studies = browser.database_studies().await.expect("database studies");
    let expected: Vec<String> = (0..f.catalog().studies().len())
        .map(|i| f.emulator.uid_of_study(i).expect("cached"))
        .collect();
    assert_eq!(uids(&studies), expected);
    assert_eq!(studies.len(), SPEC.studies);
    for (i, study) in studies.iter().enumerate() {
        assert_eq!(study_index(&f.emulator, study), i);
        assert!(study.client().same_as(&f.client));
    }
}

#[tokio::test]
async fn every_study_accessor_matches_its_record() {
    let f = fixture().await;
    let browser = f.client.current_browser().await.expect("current browser");
    let studies = browser.database_studies().await.expect("database studies");
    let mut without_performer = 0;
    for study in &studies {
        let record = &f.catalog().studies()[study_index(&f.emulator, study)];
        let catalog_images = f.catalog().images();

        // Collections, in the server's order.
        let expected_paths: Vec<String> = record
            .images
            .iter()
            .map(|&i| catalog_images[i].path.clone())
            .collect();
        assert_eq!(study.paths().await.expect("paths"), expected_paths);
        let images = study.images().await.expect("images");
        let expected_images: Vec<String> = record
            .images
            .iter()
            .map(|&i| image_uid(&f.emulator, i))
            .collect();
        assert_eq!(uids(&images), expected_images);
        let series = study.series().await.expect("series");
        let expected_series: Vec<String> = record
            .series
            .iter()
            .map(|&i| series_uid(&f.emulator, i))
            .collect();
        assert_eq!(uids(&series), expected_series);
        assert_eq!(series.len(), SPEC.series_per_study);

        // Counts.
        assert_eq!(
            study.number_of_files().await.expect("no files"),
            Some(record.no_files as u32)
        );
        assert_eq!(
            study.raw_number_of_files().await.expect("raw no files"),
            Some(record.raw_no_files as u32)
        );
        assert_eq!(
            study.number_of_images().await.expect("no images"),
            Some(record.number_of_images as u32)
        );
        assert_eq!(record.number_of_images as usize, images.len());

        // Texts, `None` where the record has none: the same comparison for each.
        for (rpc, value, expected) in [
            (
                "DicomStudyModalities",
                study.modalities().await,
                &record.modalities,
            ),
            (
                "DicomStudyName",
                study.patient_name().await,
                &record.patient_name,
            ),
            (
                "DicomStudyInstitutionName",
                study.institution_name().await,
                &record.institution_name,
            ),
            (
                "DicomStudyModality",
                study.modality().await,
                &record.modality,
            ),
            (
                "DicomStudyPatientID",
                study.patient_id().await,
                &record.patient_id,
            ),
            (
                "DicomStudyPatientUID",
                study.patient_uid().await,
                &record.patient_uid,
            ),
            (
                "DicomStudyPatientSex",
                study.patient_sex().await,
                &record.patient_sex,
            ),
            (
                "DicomStudyReferringPhysician",
                study.referring_physician().await,
                &record.referring_physician,
            ),
            (
                "DicomStudyStudyName",
                study.study_name().await,
                &record.study_name,
            ),
        ] {
            assert_eq!(value.expect(rpc), present(expected), "{rpc}");
        }
        let performer = study
            .performing_physician()
            .await
            .expect("performing physician");
        assert_eq!(performer, present(&record.performing_physician));
        without_performer += usize::from(performer.is_none());
        assert_eq!(
            study
                .study_instance_uid()
                .await
                .expect("study instance uid"),
            Some(record.study_instance_uid.clone())
        );

        // Dates.
        assert_eq!(
            study.date().await.expect("date"),
            record.date.as_ref().map(sdk_date)
        );
        assert_eq!(
            study.date_added().await.expect("date added"),
            Some(sdk_date(&record.date_added))
        );
        assert_eq!(
            study.date_of_birth().await.expect("date of birth"),
            record.date_of_birth
        );
    }
    // The demo data leaves the first study without a performing physician: the `None` path is exercised.
    assert_eq!(without_performer, 1);
}

#[tokio::test]
async fn every_series_accessor_matches_its_record() {
    let f = fixture().await;
    let pairs = all_series(&f.client).await;
    assert_eq!(pairs.len(), f.catalog().series().len());
    let (mut without_description, mut firsts, mut lasts) = (0, 0, 0);
    for (study, series) in &pairs {
        let index = series_index(&f.emulator, series);
        let record = &f.catalog().series()[index];
        let catalog_images = f.catalog().images();

        let expected_paths: Vec<String> = record
            .images
            .iter()
            .map(|&i| catalog_images[i].path.clone())
            .collect();
        assert_eq!(series.paths().await.expect("paths"), expected_paths);

        let previous = series.previous_series().await.expect("previous series");
        assert_eq!(
            previous.as_ref().map(DicomSeries::uid),
            record
                .previous
                .map(|i| series_uid(&f.emulator, i))
                .as_deref()
        );
        let next = series.next_series().await.expect("next series");
        assert_eq!(
            next.as_ref().map(DicomSeries::uid),
            record.next.map(|i| series_uid(&f.emulator, i)).as_deref()
        );
        firsts += usize::from(previous.is_none());
        lasts += usize::from(next.is_none());

        let sorted = series.sorted_images().await.expect("sorted images");
        let expected_sorted: Vec<String> = record
            .sorted_images
            .iter()
            .map(|&i| image_uid(&f.emulator, i))
            .collect();
        assert_eq!(uids(&sorted), expected_sorted);

        assert_eq!(&series.study().await.expect("study"), study);
        assert_eq!(study_index(&f.emulator, study), record.study);

        let images = series.images().await.expect("images");
        let expected_images: Vec<String> = record
            .images
            .iter()
            .map(|&i| image_uid(&f.emulator, i))
            .collect();
        assert_eq!(uids(&images), expected_images);

        for (rpc, value, expected) in [
            (
                "DicomSeriesSeriesInstanceUID",
                series.series_instance_uid().await,
                &record.series_instance_uid,
            ),
            (
                "DicomSeriesSeriesSOPClassUID",
                series.series_sop_class_uid().await,
                &record.sop_class_uid,
            ),
            (
                "DicomSeriesModality",
                series.modality().await,
                &record.modality,
            ),
            ("DicomSeriesName", series.name().await, &record.name),
        ] {
            assert_eq!(&value.expect(rpc), expected, "{rpc}");
        }
        let description = series.series_description().await.expect("description");
        assert_eq!(description, present(&record.description));
        without_description += usize::from(description.is_none());
        let date = record.date.as_ref().expect("every demo series has a date");
        assert_eq!(series.date().await.expect("date"), sdk_date(date));
        assert_eq!(
            series.number_of_images().await.expect("number of images"),
            record.number_of_images as u32
        );
        assert_eq!(images.len(), record.number_of_images as usize);
    }
    // Every third demo series has no description; each study has one first and one last series.
    assert_eq!(
        without_description,
        SPEC.studies * SPEC.series_per_study / 3
    );
    assert_eq!(firsts, SPEC.studies);
    assert_eq!(lasts, SPEC.studies);
}

#[tokio::test]
async fn next_and_previous_series_walk_each_study_in_order() {
    let f = fixture().await;
    let browser = f.client.current_browser().await.expect("current browser");
    for study in browser.database_studies().await.expect("database studies") {
        let record = &f.catalog().studies()[study_index(&f.emulator, &study)];
        let series = study.series().await.expect("series");
        // The first series in the catalogue's (series-number) order is the one without a previous series.
        let mut heads = Vec::new();
        for s in &series {
            if s.previous_series().await.expect("previous").is_none() {
                heads.push(s.clone());
            }
        }
        assert_eq!(heads.len(), 1, "exactly one first series");
        let mut walked = vec![heads[0].clone()];
        while let Some(next) = walked
            .last()
            .expect("non-empty")
            .next_series()
            .await
            .expect("next")
        {
            assert!(walked.len() <= series.len(), "the chain loops");
            walked.push(next);
        }
        let mut expected: Vec<usize> = record.series.clone();
        expected.sort_unstable();
        assert_eq!(
            walked
                .iter()
                .map(|s| series_index(&f.emulator, s))
                .collect::<Vec<_>>(),
            expected
        );
        // And back again.
        let mut back = vec![walked.last().expect("non-empty").clone()];
        while let Some(previous) = back
            .last()
            .expect("non-empty")
            .previous_series()
            .await
            .expect("previous")
        {
            back.push(previous);
        }
        back.reverse();
        assert_eq!(back, walked);
        // Every series of the walk is one the study lists.
        let listed: HashSet<_> = series.iter().cloned().collect();
        assert!(walked.iter().all(|s| listed.contains(s)));
    }
}

#[tokio::test]
async fn every_image_accessor_matches_its_record() {
    let f = fixture().await;
    let mut seen = 0;
    let mut with_milliseconds = 0;
    for (study, series) in all_series(&f.client).await {
        let study_images: HashSet<DicomImage> = study
            .images()
            .await
            .expect("study images")
            .into_iter()
            .collect();
        for image in series.images().await.expect("images") {
            let record = &f.catalog().images()[image_index(&f.emulator, &image)];
            assert!(
                study_images.contains(&image),
                "{image:?} is one of its study's images"
            );
            for (rpc, value, expected) in [
                ("DicomImageWidth", image.width().await, record.width),
                ("DicomImageHeight", image.height().await, record.height),
                (
                    "DicomImageNumberOfFrames",
                    image.number_of_frames().await,
                    record.number_of_frames,
                ),
                (
                    "DicomImageInstanceNumber",
                    image.instance_number().await,
                    record.instance_number,
                ),
            ] {
                assert_eq!(value.expect(rpc), expected, "{rpc}");
            }
            for (rpc, value, expected) in [
                (
                    "DicomImageSOPInstanceUID",
                    image.sop_instance_uid().await,
                    &record.sop_instance_uid,
                ),
                (
                    "DicomImageCompletePath",
                    image.complete_path().await,
                    &record.path,
                ),
                (
                    "DicomImageModality",
                    image.modality().await,
                    &record.modality,
                ),
            ] {
                assert_eq!(&value.expect(rpc), expected, "{rpc}");
            }
            let date = image.date().await.expect("date");
            let expected = sdk_date(record.date.as_ref().expect("every demo image has a date"));
            assert_eq!(date, expected);
            with_milliseconds += usize::from(date.nanosecond() != 0);
            assert_eq!(image.series().await.expect("series"), series);
            assert_eq!(series_index(&f.emulator, &series), record.series);
            assert_eq!(study_index(&f.emulator, &study), record.study);
            assert_eq!(
                image
                    .slice_location()
                    .await
                    .expect("slice location")
                    .to_bits(),
                record.slice_location.to_bits()
            );
            seen += 1;
        }
    }
    assert_eq!(seen, f.catalog().images().len());
    // Demo acquisition times have sub-seconds, some of which decode unambiguously.
    assert!(with_milliseconds > 0, "no image date carried milliseconds");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn images_by_instance_number_follow_the_sorted_order() {
    let f = fixture().await;
    let mut ties = 0;
    for (_, series) in all_series(&f.client).await {
        let record = &f.catalog().series()[series_index(&f.emulator, &series)];
        let ordered = series
            .images_by_instance_number()
            .await
            .expect("images by instance number");
        let expected: Vec<String> = record
            .sorted_images
            .iter()
            .map(|&i| image_uid(&f.emulator, i))
            .collect();
        assert_eq!(uids(&ordered), expected);
        assert_eq!(
            ordered,
            series.sorted_images().await.expect("sorted images")
        );

        // The order really is by instance number, then slice location.
        let mut keys = Vec::new();
        for image in &ordered {
            keys.push((
                image.instance_number().await.expect("number"),
                image.slice_location().await.expect("location"),
            ));
        }
        for pair in keys.windows(2) {
            let ((n1, l1), (n2, l2)) = (pair[0], pair[1]);
            assert!(n1 < n2 || (n1 == n2 && l1 <= l2), "{keys:?}");
            ties += usize::from(n1 == n2);
        }
        // The unordered listing holds the same images.
        let listed: HashSet<DicomImage> =
            series.images().await.expect("images").into_iter().collect();
        assert_eq!(listed, ordered.iter().cloned().collect::<HashSet<_>>());
    }
    // Every fourth demo series has instance numbers in pairs that only the slice location orders.
    assert!(
        ties > 0,
        "the tie-break on slice location was not exercised"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summary_equals_the_individual_accessors() {
    let f = fixture().await;
    for (study, series) in all_series(&f.client).await {
        // Summary first (nothing cached yet), then the individual calls.
        let summary = series.summary().await.expect("summary");
        assert_eq!(
            summary.series_instance_uid,
            series.series_instance_uid().await.expect("uid")
        );
        assert_eq!(
            summary.series_sop_class_uid,
            series.series_sop_class_uid().await.expect("sop class")
        );
        assert_eq!(
            summary.series_description,
            series.series_description().await.expect("description")
        );
        assert_eq!(summary.modality, series.modality().await.expect("modality"));
        assert_eq!(summary.name, series.name().await.expect("name"));
        assert_eq!(summary.date, series.date().await.expect("date"));
        assert_eq!(
            summary.number_of_images,
            series.number_of_images().await.expect("count")
        );
        assert_eq!(summary.study, series.study().await.expect("study"));
        assert_eq!(summary.study, study);
        // And it matches the record, not only the SDK.
        let record = &f.catalog().series()[series_index(&f.emulator, &series)];
        assert_eq!(summary.series_instance_uid, record.series_instance_uid);
        assert_eq!(summary.number_of_images, record.number_of_images as u32);
        assert_eq!(series.summary().await.expect("summary again"), summary);
    }
}

#[tokio::test]
async fn database_selection_reports_what_the_emulator_selected() {
    let f = fixture().await;
    let browser = f.client.current_browser().await.expect("current browser");
    let empty = browser.database_selection().await.expect("selection");
    assert!(empty.series.is_empty() && empty.studies.is_empty());

    let studies = browser.database_studies().await.expect("studies");
    let series_a = studies[0].series().await.expect("series");
    let series_c = studies[2].series().await.expect("series");
    // Selection order, not catalogue order.
    let picked_series = vec![
        series_c[1].clone(),
        series_a[0].clone(),
        series_c[0].clone(),
    ];
    let picked_studies = vec![studies[2].clone(), studies[0].clone()];
    f.emulator
        .set_selection(uids(&picked_series), uids(&picked_studies))
        .expect("select");
    let selection = browser.database_selection().await.expect("selection");
    assert_eq!(selection.series, picked_series);
    assert_eq!(selection.studies, picked_studies);

    // Nothing of the browser is cached: a new selection shows at once.
    f.emulator
        .set_selection(Vec::new(), uids(&studies[1..2]))
        .expect("select");
    let selection = browser.database_selection().await.expect("selection");
    assert!(selection.series.is_empty());
    assert_eq!(selection.studies, vec![studies[1].clone()]);
    assert_eq!(f.emulator.calls("BrowserControllerDatabaseSelection"), 3);
}

#[tokio::test]
async fn top_level_calls_match_the_emulator() {
    let f = fixture().await;
    let version = f.client.version().await.expect("version");
    assert_eq!(version.version, osirix_emulator::DEFAULT_VERSION);
    assert_eq!(version.bundle_name, osirix_emulator::DEFAULT_BUNDLE_NAME);

    // The emulator has no viewers.
    assert_eq!(
        f.client.frontmost_viewer().await.expect("frontmost viewer"),
        None
    );
    assert!(
        f.client
            .displayed_2d_viewers()
            .await
            .expect("2D viewers")
            .is_empty()
    );
    assert_eq!(
        f.client
            .frontmost_vr_controller()
            .await
            .expect("frontmost VR"),
        None
    );
    assert!(
        f.client
            .displayed_vr_controllers()
            .await
            .expect("VR controllers")
            .is_empty()
    );

    // The server's cache holds the browser and every study, series and image, under their current uids.
    let listed: HashSet<String> = f
        .client
        .server_cache_uids()
        .await
        .expect("cache uids")
        .into_iter()
        .collect();
    let catalog = f.catalog();
    let mut expected: HashMap<String, &str> = HashMap::new();
    expected.insert(
        f.emulator.browser_uid().expect("browser"),
        "BrowserController",
    );
    for i in 0..catalog.studies().len() {
        expected.insert(f.emulator.uid_of_study(i).expect("study"), "DicomStudy");
    }
    for i in 0..catalog.series().len() {
        expected.insert(series_uid(&f.emulator, i), "DicomSeries");
    }
    for i in 0..catalog.images().len() {
        expected.insert(image_uid(&f.emulator, i), "DicomImage");
    }
    assert_eq!(listed, expected.keys().cloned().collect::<HashSet<_>>());
    for (uid, class) in &expected {
        assert_eq!(
            f.client
                .server_cache_object_type(uid.clone())
                .await
                .expect("object type"),
            *class,
            "{uid}"
        );
    }
    let unknown = "00000000-0000-4000-8000-000000000000".to_owned();
    assert!(!listed.contains(&unknown));
    assert_eq!(
        f.client
            .server_cache_object_type(unknown)
            .await
            .expect("object type"),
        "no object"
    );
}

#[tokio::test]
async fn handles_keep_their_identity_across_calls() {
    let f = fixture().await;
    let browser = f.client.current_browser().await.expect("current browser");
    let studies = browser.database_studies().await.expect("studies");
    let mut set: HashSet<DicomSeries> = HashSet::new();
    for study in &studies {
        let series = study.series().await.expect("series");
        for s in &series {
            // Series → Study is the browser's study.
            assert_eq!(&s.study().await.expect("study"), study);
            // Image → Series is the study's series entry, for every image of it.
            for image in s.sorted_images().await.expect("sorted images") {
                let parent = image.series().await.expect("parent");
                assert_eq!(&parent, s);
                assert!(series.contains(&parent));
                set.insert(parent);
            }
            set.insert(s.clone());
        }
        // Listing again gives equal handles (and equal hashes: no duplicates in the set).
        let again = study.series().await.expect("series again");
        assert_eq!(again, series);
        set.extend(again);
    }
    assert_eq!(set.len(), f.catalog().series().len());
    let study_set: HashSet<DicomStudy> = studies
        .iter()
        .cloned()
        .chain(studies.iter().cloned())
        .collect();
    assert_eq!(study_set.len(), studies.len());

    // A series of the same uid rebuilt with `from_uid` is the same handle and works.
    let series = studies[1].series().await.expect("series")[0].clone();
    let rebuilt = DicomSeries::from_uid(&f.client, series.uid()).expect("from_uid");
    assert_eq!(rebuilt, series);
    assert!(set.contains(&rebuilt));
    assert_eq!(rebuilt.uid(), series.uid());
    assert!(rebuilt.client().same_as(&f.client));
    assert_eq!(
        rebuilt.series_instance_uid().await.expect("uid"),
        series.series_instance_uid().await.expect("uid")
    );
    let study = DicomStudy::from_uid(&f.client, studies[2].uid()).expect("from_uid");
    assert_eq!(study, studies[2]);
    assert_eq!(
        study.patient_id().await.expect("id"),
        studies[2].patient_id().await.expect("id")
    );

    // Debug shows the class and the uid.
    assert_eq!(
        format!("{series:?}"),
        format!("DicomSeries({})", series.uid())
    );
    assert_eq!(format!("{study:?}"), format!("DicomStudy({})", study.uid()));
    assert_eq!(
        format!("{browser:?}"),
        format!("BrowserController({})", browser.uid())
    );

    // The same uid on another client is another handle (its uid means nothing to that client's server).
    let other: Client = f.client_with(|b| b).await;
    let foreign = DicomSeries::from_uid(&other, series.uid()).expect("from_uid");
    assert_ne!(foreign, series);
    assert!(!foreign.client().same_as(&f.client));
}

#[tokio::test]
async fn copy_files_if_needed_into_a_read_only_database_is_refused_in_band() {
    // The fixture serves its catalogue without a database folder, so the emulator cannot import.
    let f = fixture().await;
    let browser = f.client.current_browser().await.expect("current browser");
    let before = f.emulator.calls("BrowserControllerCopyFilesIfNeeded");
    let err: Error = browser
        .copy_files_if_needed(vec![f.catalog().images()[0].path.clone()])
        .await
        .expect_err("the fixture's database is read-only");
    assert!(
        matches!(
            &err,
            Error::Osirix {
                rpc: "BrowserControllerCopyFilesIfNeeded",
                message,
            } if message.contains("read-only")
        ),
        "{err:?}"
    );
    assert!(err.is_osirix() && !err.is_stale_handle() && !err.is_unavailable());
    // Not retried: one call reached the server.
    assert_eq!(
        f.emulator.calls("BrowserControllerCopyFilesIfNeeded"),
        before + 1
    );
}
