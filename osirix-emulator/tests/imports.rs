//! Imports into the database the emulator owns: `BrowserControllerCopyFilesIfNeeded` answers at once, files
//! are copied and catalogued in the background, duplicates and unreadable files are skipped and counted, a
//! reader never sees half an import, and a restarted emulator finds what was imported.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::proto::{self, Empty};
use osirix_emulator::testing::*;
use osirix_emulator::{Catalog, Emulator, Error, ObjectRef};

/// A demo database of `spec` written to a fresh folder, to import from.
fn source(spec: &DemoSpec) -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().expect("a folder");
    let catalog = generate(dir.path(), spec).expect("demo files");
    (dir, catalog)
}

/// Sends `CopyFilesIfNeeded` and asserts it answers status 1.
async fn copy_files(f: &mut Fixture, paths: Vec<String>) {
    let browser = f.browser().await;
    let reply = f
        .client
        .browser_controller_copy_files_if_needed(proto::BrowserControllerCopyFilesIfNeededRequest {
            browser: Some(browser),
            paths,
        })
        .await
        .expect("answers")
        .into_inner();
    assert_ok(&reply.status);
}

/// Polls `DatabaseStudies` until it lists `count` studies, as the upstream tests poll (never a timing
/// assertion: PATIENCE only bounds a hang).
async fn wait_for_studies(f: &mut Fixture, count: usize) -> Vec<proto::DicomStudy> {
    let started = Instant::now();
    loop {
        let studies = f.studies().await;
        if studies.len() >= count {
            return studies;
        }
        assert!(started.elapsed() < PATIENCE, "the import never showed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn copy_files_answers_at_once_and_the_import_shows_up_whole() {
    let mut f = Fixture::empty().await;
    assert!(f.studies().await.is_empty());
    let spec = DemoSpec {
        studies: 2,
        images_per_series: 4,
        ..DemoSpec::DEFAULT
    };
    let (src, expected) = source(&spec);
    // Files given one by one, as the upstream tests give the phantom's.
    let files: Vec<String> = expected.images().iter().map(|i| i.path.clone()).collect();
    copy_files(&mut f, files).await;
    let studies = wait_for_studies(&mut f, 2).await;
    assert_eq!(studies.len(), 2);
    let db = f.emulator.database();
    assert_eq!(db.images().len(), expected.images().len());
    assert_eq!(db.series().len(), expected.series().len());
    // The records are those of the source, but the files are the database's copies.
    let imported = f.dir.path().join("imported");
    for image in db.images() {
        let original = expected
            .image_by_sop_instance_uid(&image.sop_instance_uid)
            .expect("the same image");
        assert_eq!(
            (image.instance_number, image.slice_location),
            (original.instance_number, original.slice_location)
        );
        let copy = Path::new(&image.path);
        assert!(copy.starts_with(&imported), "{}", image.path);
        assert_eq!(
            std::fs::read(copy).expect("the copy"),
            std::fs::read(&original.path).expect("the original")
        );
    }
    // The source is untouched.
    assert!(
        expected
            .images()
            .iter()
            .all(|i| Path::new(&i.path).is_file())
    );
    drop(src);
    // The studies are those of the database, with their usual uids.
    let uids: Vec<String> = studies.into_iter().map(|s| s.osirixrpc_uid).collect();
    let first: Vec<String> = db
        .browser_order()
        .iter()
        .map(|&i| db.studies()[i].uid.clone())
        .collect();
    assert_eq!(uids, first);
    // The browser selects what the import added.
    let browser = f.browser().await;
    let selection = f
        .client
        .browser_controller_database_selection(browser)
        .await
        .expect("answers")
        .into_inner();
    assert_ok(&selection.status);
    assert!(selection.series.is_empty());
    let mut selected: Vec<String> = selection
        .studies
        .into_iter()
        .map(|s| s.osirixrpc_uid)
        .collect();
    let mut sorted_first = first.clone();
    selected.sort();
    sorted_first.sort();
    assert_eq!(selected, sorted_first);
}

#[tokio::test]
async fn duplicates_non_dicom_and_hostile_files_are_skipped_and_counted() {
    let f = Fixture::empty().await;
    let (src, expected) = source(&DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 3,
        ..DemoSpec::DEFAULT
    });
    let extra = src.path().join("extra");
    std::fs::create_dir_all(&extra).expect("folder");
    std::fs::write(extra.join("notes.txt"), "not DICOM").expect("write");
    std::fs::write(extra.join("empty.dcm"), b"").expect("write");
    // A DICOM preamble and magic, then a declared length far beyond the file: refused by the file guard.
    let mut hostile = vec![0u8; 128];
    hostile.extend_from_slice(b"DICM");
    hostile.extend_from_slice(&[0x02, 0x00, 0x00, 0x00, b'U', b'L', 0x04, 0x00]);
    hostile.extend_from_slice(&u32::MAX.to_le_bytes());
    std::fs::write(extra.join("hostile.dcm"), &hostile).expect("write");
    let missing = src.path().join("missing.dcm");

    let report = f
        .emulator
        .import(vec![src.path().to_path_buf(), missing.clone()])
        .await
        .expect("writable");
    assert_eq!(report.imported, 3);
    assert!(report.duplicates.is_empty());
    let mut skipped: Vec<PathBuf> = report.skipped.iter().map(|s| s.path.clone()).collect();
    skipped.sort();
    let mut expected_skips = vec![
        extra.join("empty.dcm"),
        extra.join("hostile.dcm"),
        extra.join("notes.txt"),
        missing,
    ];
    expected_skips.sort();
    assert_eq!(skipped, expected_skips);
    assert!(report.skipped.iter().all(|s| !s.reason.is_empty()));

    // The same files again, and a copy under another name: nothing new.
    let renamed = src.path().join("renamed.dcm");
    std::fs::copy(&expected.images()[0].path, &renamed).expect("copy");
    let again = f
        .emulator
        .import(vec![
            PathBuf::from(&expected.images()[1].path),
            renamed.clone(),
        ])
        .await
        .expect("writable");
    assert_eq!(again.imported, 0);
    assert_eq!(again.duplicates.len(), 2);
    assert!(again.duplicates.iter().any(|d| d.path == renamed));
    let db = f.emulator.database();
    assert_eq!(db.images().len(), 3);
    // Every skip is counted by the database too.
    assert_eq!(db.skipped(), 4 + 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_never_see_half_an_import() {
    let mut f = Fixture::empty().await;
    let spec = DemoSpec {
        studies: 3,
        series_per_study: 2,
        images_per_series: 20,
        image_size: 16,
        ..DemoSpec::DEFAULT
    };
    let (src, _) = source(&spec);
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..4)
        .map(|_| {
            let mut client = f.client.clone();
            let done = std::sync::Arc::clone(&done);
            tokio::spawn(async move {
                let browser = client
                    .osirix_current_browser(Empty {})
                    .await
                    .expect("browser")
                    .into_inner()
                    .browser_controller;
                let mut seen = Vec::new();
                loop {
                    let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                    let studies = client
                        .browser_controller_database_studies(browser.clone().expect("browser"))
                        .await
                        .expect("studies")
                        .into_inner()
                        .studies;
                    let mut images = Vec::new();
                    for study in &studies {
                        let n = client
                            .dicom_study_number_of_images(study.clone())
                            .await
                            .expect("count")
                            .into_inner()
                            .no_images;
                        images.push(n);
                    }
                    seen.push((studies.len(), images));
                    if finished {
                        return seen;
                    }
                }
            })
        })
        .collect();
    copy_files(&mut f, vec![path_text(src.path())]).await;
    f.emulator.wait_for_imports().await;
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut observations = 0;
    for reader in readers {
        for (studies, images) in reader.await.expect("reader") {
            // Either nothing yet, or every study with all its 40 images.
            assert!(studies == 0 || studies == 3, "{studies} studies");
            assert!(images.iter().all(|&n| n == 40), "{images:?}");
            observations += 1;
        }
    }
    assert!(observations >= 4);
    assert_eq!(f.studies().await.len(), 3);
}

#[tokio::test]
async fn an_import_into_an_existing_series_grows_it_and_keeps_its_uid() {
    let mut f = Fixture::empty().await;
    let (src, expected) = source(&DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 6,
        ..DemoSpec::DEFAULT
    });
    let paths: Vec<PathBuf> = expected
        .images()
        .iter()
        .map(|i| PathBuf::from(&i.path))
        .collect();
    f.emulator
        .import(paths[..2].to_vec())
        .await
        .expect("writable");
    let study = f.studies().await.remove(0);
    let series = f.series_of(&study).await.remove(0);
    f.emulator
        .set_selection(Vec::new(), Vec::new())
        .expect("valid");
    f.emulator
        .import(paths[2..].to_vec())
        .await
        .expect("writable");
    assert_eq!(f.studies().await, vec![study.clone()]);
    assert_eq!(f.series_of(&study).await, vec![series.clone()]);
    // Adding to a study selects nothing.
    let browser = f.browser().await;
    let selection = f
        .client
        .browser_controller_database_selection(browser)
        .await
        .expect("answers")
        .into_inner();
    assert!(selection.studies.is_empty());
    let count = f
        .client
        .dicom_series_number_of_images(series.clone())
        .await
        .expect("answers")
        .into_inner();
    assert_eq!(count.number_of_images, 6);
    // Sorted as if read at once.
    let sorted = f
        .client
        .dicom_series_sorted_images(series)
        .await
        .expect("answers")
        .into_inner()
        .sorted_images;
    let numbers: Vec<u32> = {
        let mut numbers = Vec::new();
        for image in sorted {
            numbers.push(
                f.client
                    .dicom_image_instance_number(image)
                    .await
                    .expect("answers")
                    .into_inner()
                    .instance_number,
            );
        }
        numbers
    };
    let mut expected_numbers: Vec<u32> = expected
        .images()
        .iter()
        .map(|i| i.instance_number)
        .collect();
    expected_numbers.sort_by_key(|&n| n as i32);
    assert_eq!(numbers, expected_numbers);
    drop(src);
}

#[tokio::test]
async fn a_restarted_emulator_finds_what_was_imported() {
    let dir = tempfile::tempdir().expect("a folder");
    let (src, _) = source(&DemoSpec {
        studies: 1,
        series_per_study: 2,
        images_per_series: 3,
        ..DemoSpec::DEFAULT
    });
    let first = Emulator::open_database(dir.path())
        .expect("opens")
        .start(loopback())
        .await
        .expect("starts");
    first
        .import(vec![src.path().to_path_buf()])
        .await
        .expect("writable");
    let before = first.database();
    first.shutdown().await.expect("stops");
    // A copy left half-written by a crash is removed, not read.
    let partial = dir.path().join("imported/.partial-crash");
    std::fs::write(&partial, b"half a file").expect("write");
    let second = Emulator::open_database(dir.path())
        .expect("opens again")
        .start(loopback())
        .await
        .expect("starts");
    assert!(!partial.exists());
    let after = second.database();
    assert_eq!(after.skipped(), 0);
    let uids = |c: &Catalog| -> Vec<String> { c.images().iter().map(|i| i.uid.clone()).collect() };
    let mut a = uids(&before);
    let mut b = uids(&after);
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(
        second.uid_of(ObjectRef::Study(0)).as_deref(),
        Some(before.studies()[0].uid.as_str())
    );
    second.shutdown().await.expect("stops");
}

#[tokio::test]
async fn a_read_only_database_refuses_imports() {
    let dir = tempfile::tempdir().expect("a folder");
    let catalog = generate(dir.path(), &DemoSpec::DEFAULT).expect("demo");
    let emulator = Emulator::builder(catalog)
        .start(loopback())
        .await
        .expect("starts");
    let mut client = connect(&emulator).await;
    let reply = client
        .browser_controller_copy_files_if_needed(proto::BrowserControllerCopyFilesIfNeededRequest {
            browser: Some(browser(emulator.browser_uid().expect("browser"))),
            paths: vec![path_text(dir.path())],
        })
        .await
        .expect("answers")
        .into_inner();
    assert_failed(
        &reply.status,
        "The emulator's database is read-only: start it on a database folder (--database DIR) to import files",
    );
    assert!(matches!(
        emulator.import(vec![dir.path().to_path_buf()]).await,
        Err(Error::ReadOnly)
    ));
    // An unknown browser is refused first.
    let reply = client
        .browser_controller_copy_files_if_needed(proto::BrowserControllerCopyFilesIfNeededRequest {
            browser: None,
            paths: Vec::new(),
        })
        .await
        .expect("answers")
        .into_inner();
    assert_failed(&reply.status, "No BrowserController cached");
}
