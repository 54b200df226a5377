//! The import waiter end to end: `BrowserController::copy_files_if_needed` against an emulator that owns a
//! database folder, with files generated into a separate folder. The waiter returns the new study; an import
//! into an existing study is seen although the client caches that study's counts; duplicates and a file that
//! is not DICOM end with `Error::ImportIncomplete` naming how many files were seen; a poll held past the
//! timeout ends the same way; a connection dropped while waiting is retried per the client's policy; the
//! files seen are reported to a progress callback.
//!
//! Nothing here asserts a duration: the timeouts given to `wait` are the outcome under test (short where the
//! import is known to be over or the poll is held), and `PATIENCE` only bounds a hang.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::testing::PATIENCE;
use osirix_emulator::{Catalog, Emulator, RunningEmulator};
use osirix_sdk::{BrowserController, CacheConfig, Client, Error, Progress, RetryConfig};

/// A wait that is over quickly, for imports that are known to be finished (or polls that are held).
const SHORT: Duration = Duration::from_millis(150);

/// An emulator on a database folder that already holds one demo study (seed 1), and a connected client.
struct Setup {
    emulator: RunningEmulator,
    client: Client,
    db: tempfile::TempDir,
}

impl Setup {
    async fn start() -> Self {
        Self::start_with(|b| b).await
    }

    async fn start_with(
        configure: impl FnOnce(osirix_sdk::ClientBuilder) -> osirix_sdk::ClientBuilder,
    ) -> Self {
        let db = tempfile::tempdir().expect("a folder");
        generate(
            db.path(),
            &DemoSpec {
                studies: 1,
                series_per_study: 1,
                images_per_series: 2,
                ..DemoSpec::DEFAULT
            },
        )
        .expect("demo files");
        let emulator = Emulator::open_database(db.path())
            .expect("opens")
            .start("127.0.0.1:0".parse().expect("address"))
            .await
            .expect("starts");
        let client = configure(Client::builder(emulator.url()))
            .connect()
            .await
            .expect("connects");
        Self {
            emulator,
            client,
            db,
        }
    }

    async fn browser(&self) -> BrowserController {
        self.client.current_browser().await.expect("browser")
    }
}

fn files(catalog: &Catalog) -> Vec<String> {
    catalog.images().iter().map(|i| i.path.clone()).collect()
}

fn incomplete(err: &Error) -> (usize, usize) {
    match err {
        Error::ImportIncomplete { files, seen, .. } => (*files, *seen),
        other => panic!("not an incomplete import: {other:?}"),
    }
}

#[tokio::test]
async fn the_waiter_returns_the_new_study_with_the_database_copies() {
    let s = Setup::start().await;
    let (_src, expected) = tests::import_source();
    let browser = s.browser().await;
    let import = browser
        .copy_files_if_needed(files(&expected))
        .await
        .expect("sent");
    assert_eq!(import.files(), 6);
    let imported = import.wait(PATIENCE).await.expect("imported");
    assert_eq!(imported.files, 6);
    assert_eq!(imported.studies.len(), 1, "{imported:?}");
    let study = &imported.studies[0];
    assert!(study.new);
    assert_eq!(study.files_added, 6);
    assert_eq!(
        study.study.study_instance_uid().await.expect("uid"),
        Some(expected.studies()[0].study_instance_uid.clone())
    );
    assert_eq!(study.study.series().await.expect("series").len(), 2);
    // The study holds OsiriX's copies, not the files given.
    let imported_dir = s.db.path().join("imported");
    let paths = study.study.paths().await.expect("paths");
    assert_eq!(paths.len(), 6);
    assert!(
        paths
            .iter()
            .all(|p| Path::new(p).starts_with(&imported_dir)),
        "{paths:?}"
    );
    // The database's own study is untouched and not reported.
    assert_eq!(browser.database_studies().await.expect("studies").len(), 2);
}

/// Checks a wait's progress: `done` 0 of `total` first, then growing, never past `total`.
#[track_caller]
fn assert_progress(seen: &[Progress], total: usize) {
    assert_eq!(seen.first(), Some(&Progress::new(0, total)), "{seen:?}");
    assert!(seen.iter().all(|p| p.total == total), "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0].done < w[1].done), "{seen:?}");
    assert!(seen.iter().all(|p| p.done <= total), "{seen:?}");
}

#[tokio::test]
async fn progress_counts_the_files_seen_from_0_to_all() {
    let s = Setup::start().await;
    let (_src, expected) = tests::import_source();
    let import = s
        .browser()
        .await
        .copy_files_if_needed(files(&expected))
        .await
        .expect("sent");
    // The callback runs on the waiting task: it needs to be neither Send nor 'static.
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = Rc::clone(&seen);
    let imported = import
        .wait_with_progress(PATIENCE, move |p| sink.borrow_mut().push(p))
        .await
        .expect("imported");
    let seen = seen.take();
    assert_progress(&seen, 6);
    assert_eq!(seen.last(), Some(&Progress::new(6, 6)));
    // The same studies as the plain wait, which finds the import over at its first poll.
    assert_eq!(import.wait(SHORT).await.expect("imported"), imported);
}

#[tokio::test]
async fn an_incomplete_wait_reports_the_files_it_saw() {
    let s = Setup::start().await;
    let (src, expected) = tests::import_source();
    let notes = src.path().join("notes.txt");
    std::fs::write(&notes, "not DICOM").expect("write");
    let mut paths = files(&expected);
    paths.push(notes.to_string_lossy().into_owned());
    let import = s
        .browser()
        .await
        .copy_files_if_needed(paths)
        .await
        .expect("sent");
    s.emulator.wait_for_imports().await;
    let mut seen = Vec::new();
    let err = import
        .wait_with_progress(SHORT, |p| seen.push(p))
        .await
        .expect_err("one file skipped");
    assert_eq!(incomplete(&err), (7, 6));
    // Every poll sees the same 6 files: reported once.
    assert_eq!(seen, [Progress::new(0, 7), Progress::new(6, 7)]);
}

#[tokio::test]
async fn an_import_into_an_existing_study_is_seen_through_the_cache() {
    // Growable counts cached for an hour: only an uncached count can see the second import.
    let cache = CacheConfig::default().with_growable_ttl(Some(Duration::from_secs(3600)));
    let s = Setup::start_with(|b| b.cache(cache)).await;
    let (_src, expected) = tests::import_source();
    let all = files(&expected);
    let browser = s.browser().await;
    let first = browser
        .copy_files_if_needed(all[..2].to_vec())
        .await
        .expect("sent")
        .wait(PATIENCE)
        .await
        .expect("imported");
    let study = first.studies[0].study.clone();
    // The client now caches the study's count (2 files).
    assert_eq!(study.number_of_files().await.expect("count"), Some(2));
    let second = browser
        .copy_files_if_needed(all[2..].to_vec())
        .await
        .expect("sent")
        .wait(PATIENCE)
        .await
        .expect("imported");
    assert_eq!(second.files, 4);
    assert_eq!(second.studies.len(), 1, "{second:?}");
    assert!(!second.studies[0].new);
    assert_eq!(second.studies[0].files_added, 4);
    // The cached count is still the old one: the waiter did not read it.
    assert_eq!(study.number_of_files().await.expect("count"), Some(2));
    assert_eq!(
        second.studies[0]
            .study
            .study_instance_uid()
            .await
            .expect("uid"),
        study.study_instance_uid().await.expect("uid")
    );
}

#[tokio::test]
async fn duplicates_end_with_an_error_naming_what_was_seen() {
    let s = Setup::start().await;
    let (_src, expected) = tests::import_source();
    let browser = s.browser().await;
    browser
        .copy_files_if_needed(files(&expected))
        .await
        .expect("sent")
        .wait(PATIENCE)
        .await
        .expect("imported");
    let again = browser
        .copy_files_if_needed(files(&expected))
        .await
        .expect("sent");
    // The emulator's import is over: whatever it added is in the database.
    s.emulator.wait_for_imports().await;
    let err = again.wait(SHORT).await.expect_err("nothing new");
    assert_eq!(incomplete(&err), (6, 0));
    assert!(err.is_timeout());
    assert_eq!(err.rpc(), Some("BrowserControllerCopyFilesIfNeeded"));
    let text = err.to_string();
    assert!(text.contains("0 of 6 files"), "{text}");
    assert_eq!(s.emulator.database().images().len(), 2 + 6);
}

#[tokio::test]
async fn a_file_that_is_not_dicom_is_never_seen() {
    let s = Setup::start().await;
    let (src, expected) = tests::import_source();
    let notes = src.path().join("notes.txt");
    std::fs::write(&notes, "not DICOM").expect("write");
    let mut paths = files(&expected);
    paths.push(notes.to_string_lossy().into_owned());
    let import = s
        .browser()
        .await
        .copy_files_if_needed(paths)
        .await
        .expect("sent");
    s.emulator.wait_for_imports().await;
    let err = import.wait(SHORT).await.expect_err("one file skipped");
    assert_eq!(incomplete(&err), (7, 6));
    assert!(err.to_string().contains("6 of 7 files"), "{err}");
    // Waiting again gives the same answer: the wait is repeatable and the skip is final.
    let err = import.wait(SHORT).await.expect_err("still skipped");
    assert_eq!(incomplete(&err), (7, 6));
}

#[tokio::test]
async fn a_poll_held_past_the_timeout_ends_the_wait_with_an_error() {
    let s = Setup::start().await;
    let (_src, expected) = tests::import_source();
    let import = s
        .browser()
        .await
        .copy_files_if_needed(files(&expected))
        .await
        .expect("sent");
    let hold = s
        .emulator
        .faults()
        .hold("BrowserControllerDatabaseStudies")
        .expect("an OsiriX RPC");
    let err = import
        .wait(SHORT)
        .await
        .expect_err("the poll never answers");
    assert_eq!(incomplete(&err), (6, 0));
    assert!(hold.held() >= 1, "the poll reached the server");
    hold.release();
    let imported = import.wait(PATIENCE).await.expect("then it completes");
    assert_eq!(imported.files, 6);
}

#[tokio::test]
async fn a_connection_dropped_while_waiting_is_retried() {
    let s = Setup::start().await;
    let (_src, expected) = tests::import_source();
    let import = s
        .browser()
        .await
        .copy_files_if_needed(files(&expected))
        .await
        .expect("sent");
    let hold = s
        .emulator
        .faults()
        .hold("BrowserControllerDatabaseStudies")
        .expect("an OsiriX RPC");
    let before = s.emulator.calls("BrowserControllerDatabaseStudies");
    let waiter = tokio::spawn(async move { import.wait(PATIENCE).await });
    hold.until_held(1).await;
    // The held poll's connection goes away under it: the client sees UNAVAILABLE and retries.
    s.emulator.faults().drop_connections();
    hold.release();
    let imported = waiter.await.expect("joins").expect("retried and imported");
    assert_eq!(imported.files, 6);
    assert!(s.emulator.calls("BrowserControllerDatabaseStudies") >= before + 2);
}

#[tokio::test]
async fn without_retries_a_failed_poll_ends_the_wait_with_its_error() {
    let s = Setup::start_with(|b| b.retry(RetryConfig::disabled())).await;
    let (_src, expected) = tests::import_source();
    let import = s
        .browser()
        .await
        .copy_files_if_needed(files(&expected))
        .await
        .expect("sent");
    s.emulator
        .faults()
        .fail_next(1, osirix_sdk::tonic::Code::Unavailable);
    let err = import.wait(PATIENCE).await.expect_err("one attempt only");
    assert!(err.is_unavailable(), "{err:?}");
    assert_eq!(err.rpc(), Some("BrowserControllerDatabaseStudies"));
    // With the default policy the same failure is retried.
    let s = Setup::start().await;
    let import = s
        .browser()
        .await
        .copy_files_if_needed(files(&expected))
        .await
        .expect("sent");
    s.emulator
        .faults()
        .fail_next(2, osirix_sdk::tonic::Code::Unavailable);
    assert_eq!(import.wait(PATIENCE).await.expect("retried").files, 6);
}

#[tokio::test]
async fn no_paths_are_refused_before_anything_is_sent() {
    let s = Setup::start().await;
    let browser = s.browser().await;
    s.emulator.reset_counters();
    let err = browser
        .copy_files_if_needed(Vec::new())
        .await
        .expect_err("no paths");
    assert!(matches!(err, Error::InvalidArgument { .. }), "{err:?}");
    assert_eq!(s.emulator.total_calls(), 0);
}
