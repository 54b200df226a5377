//! Reading folders: bad files are skipped and counted, the demo database reads back identically,
//! and an emulator serves whatever was readable.

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::proto::Empty;
use osirix_emulator::testing::*;
use osirix_emulator::{Catalog, Emulator, Error};

/// Records without `date_added` (the time of reading), for comparing two catalogues.
fn comparable(
    c: &Catalog,
) -> (
    Vec<osirix_emulator::Study>,
    Vec<osirix_emulator::Series>,
    Vec<osirix_emulator::Image>,
) {
    let mut studies = c.studies().to_vec();
    for s in &mut studies {
        s.date_added = studies_epoch();
    }
    (studies, c.series().to_vec(), c.images().to_vec())
}

fn studies_epoch() -> osirix_emulator::WireDate {
    osirix_emulator::WireDate::new(chrono::NaiveDateTime::default())
}

#[test]
fn the_demo_database_reads_back_identically() {
    let dir = tempfile::tempdir().expect("dir");
    let spec = DemoSpec {
        studies: 4,
        series_per_study: 3,
        images_per_series: 6,
        seed: 11,
        ..DemoSpec::DEFAULT
    };
    let generated = generate(dir.path(), &spec).expect("demo");
    assert_eq!(generated.images().len(), 72);
    assert_eq!(generated.skipped(), 0);
    let read = Catalog::from_dir(dir.path()).expect("read");
    assert_eq!(comparable(&generated), comparable(&read));
    // Same seed, same database.
    let again_dir = tempfile::tempdir().expect("dir");
    let again = generate(again_dir.path(), &spec).expect("demo");
    let strip = |c: &Catalog| {
        let (studies, series, mut images) = comparable(c);
        for i in &mut images {
            i.path = i
                .path
                .rsplit_once("STUDY-")
                .map(|(_, p)| p.to_owned())
                .unwrap_or_default();
        }
        (studies, series, images)
    };
    assert_eq!(strip(&generated), strip(&again));
}

#[test]
fn demo_values_cover_the_interesting_cases() {
    let dir = tempfile::tempdir().expect("dir");
    let c = generate(
        dir.path(),
        &DemoSpec {
            studies: 5,
            series_per_study: 4,
            images_per_series: 6,
            seed: 3,
            ..DemoSpec::DEFAULT
        },
    )
    .expect("demo");
    let names: std::collections::HashSet<_> =
        c.studies().iter().map(|s| s.patient_name.clone()).collect();
    let ids: std::collections::HashSet<_> =
        c.studies().iter().map(|s| s.patient_id.clone()).collect();
    let births: std::collections::HashSet<_> =
        c.studies().iter().map(|s| s.date_of_birth).collect();
    let sexes: std::collections::HashSet<_> =
        c.studies().iter().map(|s| s.patient_sex.clone()).collect();
    assert_eq!((names.len(), ids.len(), births.len()), (5, 5, 5));
    assert_eq!(sexes.len(), 3);
    assert_eq!(
        c.studies()
            .iter()
            .filter(|s| s.performing_physician.is_none())
            .count(),
        1
    );
    assert!(c.series().iter().any(|s| s.description.is_none()));
    assert!(
        c.series()
            .iter()
            .any(|s| s.modality == "MR" && s.series_instance_uid.contains(" TE-"))
    );
    assert!(c.series().iter().any(|s| s.modality == "CT"));
    assert!(c.studies().iter().all(|s| {
        s.study_name
            .as_deref()
            .is_some_and(|n| n.chars().next().is_some_and(char::is_uppercase))
    }));
    // A series whose instance numbers repeat, ordered by slice location.
    assert!(c.series().iter().any(|s| {
        s.sorted_images
            .windows(2)
            .any(|w| c.images()[w[0]].instance_number == c.images()[w[1]].instance_number)
    }));
    // Series numbers order next/previous.
    for s in c.series() {
        if let Some(n) = s.next {
            assert!(s.series_number < c.series()[n].series_number);
            assert_eq!(c.series()[n].previous.map(|p| &c.series()[p]), Some(s));
        }
    }
}

#[tokio::test]
async fn files_that_are_not_dicom_are_skipped_and_counted() {
    let dir = tempfile::tempdir().expect("dir");
    generate(
        dir.path().join("nested/deeper"),
        &DemoSpec {
            studies: 1,
            series_per_study: 1,
            images_per_series: 3,
            seed: 1,
            ..DemoSpec::DEFAULT
        },
    )
    .expect("demo");
    std::fs::write(dir.path().join("notes.txt"), "not DICOM").expect("write");
    std::fs::write(dir.path().join("nested/empty.dcm"), b"").expect("write");
    // A DICOM file cut short in its header.
    let good = std::fs::read_dir(dir.path().join("nested/deeper/STUDY-000/SERIES-00"))
        .expect("dir")
        .next()
        .expect("a file")
        .expect("entry")
        .path();
    let bytes = std::fs::read(&good).expect("read");
    std::fs::write(dir.path().join("truncated.dcm"), &bytes[..200]).expect("write");

    let catalog = Catalog::from_dir(dir.path()).expect("read");
    assert_eq!(catalog.skipped(), 3);
    assert_eq!(catalog.images().len(), 3);

    let emu = Emulator::builder(catalog)
        .start(loopback())
        .await
        .expect("start");
    let mut client = connect(&emu).await;
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
        .into_inner();
    assert_eq!(studies.studies.len(), 1);
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn an_empty_folder_gives_an_empty_database() {
    let dir = tempfile::tempdir().expect("dir");
    let catalog = Catalog::from_dir(dir.path()).expect("read");
    assert_eq!((catalog.studies().len(), catalog.skipped()), (0, 0));
    let emu = Emulator::builder(catalog)
        .start(loopback())
        .await
        .expect("start");
    let mut client = connect(&emu).await;
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
        .into_inner();
    assert_ok(&studies.status);
    assert!(studies.studies.is_empty());
    let uids = client
        .osirix_cache_uids(Empty {})
        .await
        .expect("rpc")
        .into_inner()
        .uids;
    assert_eq!(uids.len(), 1, "only the browser");
    emu.shutdown().await.expect("shutdown");
}

#[test]
fn a_missing_folder_is_an_error() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("missing");
    assert!(matches!(
        Catalog::from_dir(&missing),
        Err(Error::Folder { .. })
    ));
}

#[test]
fn lookups_by_first_uid() {
    let dir = tempfile::tempdir().expect("dir");
    let c = generate(dir.path(), &DemoSpec::default()).expect("demo");
    let s = &c.series()[2];
    assert_eq!(c.series_by_uid(&s.uid), Some(s));
    assert_eq!(c.study_by_uid(&s.uid), None);
    assert_eq!(c.study_by_uid(&c.studies()[1].uid), Some(&c.studies()[1]));
    assert_eq!(c.image_by_uid(&c.images()[4].uid), Some(&c.images()[4]));
    let sop = &c.images()[7].sop_instance_uid;
    assert_eq!(c.image_by_sop_instance_uid(sop), Some(&c.images()[7]));
}
