//! The watch streams end to end, against the emulator over loopback: the database watch (its initial listing,
//! an import seen as a new study with its series, a study the server gave a new uid, series added to a known
//! study with `all_series`), the viewers watch (a viewer opened and closed), the ROI watch (an ROI added,
//! renamed, recoloured, moved and deleted, and the end of the watch when its viewer closes), failures (within
//! the client's retries: nothing; beyond them: one `Err`, then the watch goes on from where it was), the client
//! closed, what a poll costs (the emulator's per-method counters) and a dropped watch that polls no more.
//!
//! Nothing here asserts a duration: events are awaited with `PATIENCE` as the bound of a hang, and the short
//! intervals only make the tests quick.

use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Duration;

use futures_util::StreamExt;
use osirix_emulator::testing::{Fixture, PATIENCE};
use osirix_emulator::{Catalog, RunningEmulator};
use osirix_sdk::tonic::Code;
use osirix_sdk::watch::{DatabaseEvent, RoiEvent, ViewerEvent, Watch, WatchConfig};
use osirix_sdk::{
    Client, ClientBuilder, DicomSeries, DicomStudy, Error, Point, RetryConfig, RoiColor, RoiSpec,
    ViewerController,
};

/// A short interval, so that the tests take little time; events are awaited without a time limit of their own.
const INTERVAL: Duration = Duration::from_millis(25);

fn fast() -> WatchConfig {
    WatchConfig::default().interval(INTERVAL)
}

/// The emulator on the default demo database (3 studies × 2 series × 5 images) in a folder it owns (imports go
/// into it), and an SDK client of it.
struct Setup {
    fixture: Fixture,
    client: Client,
}

impl Setup {
    async fn start() -> Self {
        Self::start_with(|b| b).await
    }

    async fn start_with(configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Self {
        let fixture = Fixture::demo().await;
        let client = configure(Client::builder(fixture.emulator.url()))
            .connect()
            .await
            .expect("the client connects");
        Self { fixture, client }
    }

    fn emulator(&self) -> &RunningEmulator {
        &self.fixture.emulator
    }

    async fn studies(&self) -> Vec<DicomStudy> {
        self.client
            .current_browser()
            .await
            .expect("browser")
            .database_studies()
            .await
            .expect("studies")
    }

    /// A 2D viewer of the first MR series.
    async fn open_viewer(&self) -> ViewerController {
        let browser = self.client.current_browser().await.expect("browser");
        for (_, series) in tests::all_series(&self.client).await {
            if series.modality().await.expect("modality") == "MR" {
                return browser.open_viewer(&series).await.expect("viewer");
            }
        }
        panic!("the demo has MR series")
    }
}

/// The files of series `index` of `catalog`.
fn series_files(catalog: &Catalog, index: usize) -> Vec<PathBuf> {
    catalog.series()[index]
        .images
        .iter()
        .map(|&image| PathBuf::from(&catalog.images()[image].path))
        .collect()
}

/// The next item of `watch`; a watch that ends or yields nothing within `PATIENCE` fails the test.
async fn next<E>(watch: &mut Watch<E>) -> osirix_sdk::Result<E> {
    tokio::time::timeout(PATIENCE, watch.next())
        .await
        .expect("an item before the patience ran out")
        .expect("the watch goes on")
}

/// The next item of `watch`, which must be an event.
async fn event<E: std::fmt::Debug>(watch: &mut Watch<E>) -> E {
    next(watch).await.expect("an event, not an error")
}

/// Drives `watch` until `done` holds (checked every few milliseconds), failing on any item it yields meanwhile.
async fn quiet_until<E: std::fmt::Debug>(watch: &mut Watch<E>, mut done: impl FnMut() -> bool) {
    let wait = async {
        while !done() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(PATIENCE, async {
        tokio::select! {
            item = watch.next() => panic!("no item expected, got {item:?}"),
            () = wait => {}
        }
    })
    .await
    .expect("the condition before the patience ran out");
}

/// Drops `watch` and waits for a call it had under way to land.
async fn stop<E>(watch: Watch<E>) {
    drop(watch);
    tokio::time::sleep(INTERVAL * 4).await;
}

fn uids<'a>(series: impl IntoIterator<Item = &'a DicomSeries>) -> HashSet<String> {
    series
        .into_iter()
        .map(|s| osirix_sdk::Handle::uid(s).to_owned())
        .collect()
}

#[tokio::test]
async fn database_initial_then_an_import_is_added_with_its_series_at_a_bounded_cost() {
    let s = Setup::start().await;
    let settle = 2;
    let mut watch = s.client.watch_database(fast().settle_polls(settle));
    let initial = event(&mut watch).await;
    assert_eq!(initial, DatabaseEvent::Initial(s.studies().await));

    let (_src, catalog) = tests::import_source();
    let mut files = series_files(&catalog, 0);
    files.extend(series_files(&catalog, 1));
    s.emulator().reset_counters();
    s.emulator().import(files).await.expect("imported");

    let DatabaseEvent::Added(study) = event(&mut watch).await else {
        panic!("the new study first")
    };
    let mut added = Vec::new();
    for _ in 0..2 {
        match event(&mut watch).await {
            DatabaseEvent::SeriesAdded { study: of, series } => {
                assert_eq!(of, study);
                added.push(series);
            }
            other => panic!("a series of the new study, not {other:?}"),
        }
    }
    // The watch polls only while it is driven: these are the calls up to the poll that found the study.
    let e = s.emulator();
    assert_eq!(e.calls("DicomStudySeries"), 1, "the new study's series");
    assert_eq!(
        e.total_calls(),
        e.calls("BrowserControllerDatabaseStudies") + 1,
        "no other call"
    );
    assert_eq!(
        study.study_instance_uid().await.expect("uid"),
        Some(catalog.studies()[0].study_instance_uid.clone())
    );
    assert_eq!(uids(&added), uids(&study.series().await.expect("series")));

    // The study settles: its series are listed in `settle` more polls, then never again; each poll is one
    // listing of the studies.
    e.reset_counters();
    let polls = || e.calls("BrowserControllerDatabaseStudies");
    quiet_until(&mut watch, || polls() >= u64::from(settle) + 4).await;
    stop(watch).await;
    assert_eq!(e.calls("DicomStudySeries"), u64::from(settle));
    assert_eq!(
        e.total_calls(),
        polls() + u64::from(settle),
        "no other call"
    );
    assert_eq!(e.calls("OsirixCurrentBrowser"), 0, "the browser is known");
}

#[tokio::test]
async fn in_steady_state_a_poll_is_one_call_and_a_dropped_watch_polls_no_more() {
    let s = Setup::start().await;
    let mut watch = s.client.watch_database(fast());
    assert!(matches!(event(&mut watch).await, DatabaseEvent::Initial(_)));
    s.emulator().reset_counters();
    quiet_until(&mut watch, || {
        s.emulator().calls("BrowserControllerDatabaseStudies") >= 8
    })
    .await;
    stop(watch).await;
    let e = s.emulator();
    let polls = e.calls("BrowserControllerDatabaseStudies");
    assert!(polls >= 8, "{polls}");
    assert_eq!(e.total_calls(), polls, "one call per poll");

    let before = e.total_calls();
    tokio::time::sleep(INTERVAL * 10).await;
    assert_eq!(e.total_calls(), before, "no call after the drop");
}

#[tokio::test]
async fn the_first_poll_asks_for_the_browser_once() {
    let s = Setup::start().await;
    s.emulator().reset_counters();
    let mut watch = s.client.watch_database(fast());
    assert!(matches!(event(&mut watch).await, DatabaseEvent::Initial(_)));
    quiet_until(&mut watch, || {
        s.emulator().calls("BrowserControllerDatabaseStudies") >= 3
    })
    .await;
    assert_eq!(s.emulator().calls("OsirixCurrentBrowser"), 1);
}

#[tokio::test]
async fn a_browser_handle_gone_stale_is_asked_for_again_without_an_error() {
    let s = Setup::start().await;
    let mut watch = s.client.watch_database(fast());
    assert!(matches!(event(&mut watch).await, DatabaseEvent::Initial(_)));
    let browser = s.emulator().browser_uid().expect("the browser has a uid");
    assert!(s.emulator().forget(&browser));
    s.emulator().reset_counters();
    quiet_until(&mut watch, || {
        s.emulator().calls("BrowserControllerDatabaseStudies") >= 4
    })
    .await;
    assert_eq!(s.emulator().calls("OsirixCurrentBrowser"), 1);
    assert_ne!(s.emulator().browser_uid(), Some(browser), "a new uid");
}

#[tokio::test]
async fn a_study_the_server_gave_a_new_uid_is_removed_and_added_again() {
    let s = Setup::start().await;
    let mut watch = s.client.watch_database(fast().settle_polls(0));
    let DatabaseEvent::Initial(studies) = event(&mut watch).await else {
        panic!("initial first")
    };
    let gone = studies[1].clone();
    let instance = gone.study_instance_uid().await.expect("uid");
    // OsiriX has no RPC that deletes a study, nor the emulator a call that does; what a watch sees of a study
    // that went is what it sees of one the server dropped from its uid cache: the old handle is no longer
    // listed.
    assert!(s.emulator().forget(osirix_sdk::Handle::uid(&gone)));
    assert_eq!(
        event(&mut watch).await,
        DatabaseEvent::Removed(gone.clone())
    );
    let DatabaseEvent::Added(again) = event(&mut watch).await else {
        panic!("the study under its new uid")
    };
    assert_ne!(again, gone);
    assert_eq!(again.study_instance_uid().await.expect("uid"), instance);
    // Under its new uid the study is new: its series are listed once (settle_polls 0).
    for _ in 0..2 {
        assert!(matches!(
            event(&mut watch).await,
            DatabaseEvent::SeriesAdded { ref study, .. } if *study == again
        ));
    }
}

#[tokio::test]
async fn series_added_to_a_known_study_are_seen_only_with_all_series() {
    let s = Setup::start().await;
    let (_src, catalog) = tests::import_source();
    s.emulator()
        .import(series_files(&catalog, 0))
        .await
        .expect("first series");
    let mut settled = s.client.watch_database(fast().settle_polls(1));
    let mut all = s.client.watch_database(fast().all_series(true));
    let DatabaseEvent::Initial(studies) = event(&mut all).await else {
        panic!("initial first")
    };
    assert_eq!(studies.len(), 4);
    assert!(matches!(
        event(&mut settled).await,
        DatabaseEvent::Initial(_)
    ));

    // Every study's series are listed in every poll: 1 + 4 calls (the last poll's reads may not be out yet).
    s.emulator().reset_counters();
    quiet_until(&mut all, || {
        s.emulator().calls("BrowserControllerDatabaseStudies") >= 3
    })
    .await;
    let polls = s.emulator().calls("BrowserControllerDatabaseStudies");
    let reads = s.emulator().calls("DicomStudySeries");
    assert!(
        (4 * (polls - 1)..=4 * polls).contains(&reads),
        "{reads} series reads in {polls} polls"
    );

    s.emulator()
        .import(series_files(&catalog, 1))
        .await
        .expect("second series");
    let DatabaseEvent::SeriesAdded { study, series } = event(&mut all).await else {
        panic!("the new series")
    };
    assert_eq!(
        series.series_instance_uid().await.expect("uid"),
        catalog.series()[1].series_instance_uid
    );
    assert_eq!(
        study.study_instance_uid().await.expect("uid"),
        Some(catalog.studies()[0].study_instance_uid.clone())
    );
    drop(all);

    // The other watch lists no series of the studies it started with.
    s.emulator().reset_counters();
    quiet_until(&mut settled, || {
        s.emulator().calls("BrowserControllerDatabaseStudies") >= 3
    })
    .await;
    assert_eq!(s.emulator().calls("DicomStudySeries"), 0);
}

#[tokio::test]
async fn viewers_opened_and_closed() {
    let s = Setup::start().await;
    let mut watch = s.client.watch_viewers(fast());
    assert_eq!(event(&mut watch).await, ViewerEvent::Initial(Vec::new()));
    let viewer = s.open_viewer().await;
    assert_eq!(event(&mut watch).await, ViewerEvent::Opened(viewer.clone()));
    let second = s.open_viewer().await;
    assert_eq!(event(&mut watch).await, ViewerEvent::Opened(second.clone()));
    viewer.close().await.expect("closed");
    assert_eq!(event(&mut watch).await, ViewerEvent::Closed(viewer));

    s.emulator().reset_counters();
    quiet_until(&mut watch, || {
        s.emulator().calls("OsirixDisplayed2DViewers") >= 4
    })
    .await;
    stop(watch).await;
    assert_eq!(
        s.emulator().total_calls(),
        s.emulator().calls("OsirixDisplayed2DViewers")
    );
    let mut again = s.client.watch_viewers(fast());
    assert_eq!(event(&mut again).await, ViewerEvent::Initial(vec![second]));
}

#[tokio::test]
async fn rois_added_changed_removed_and_the_end_of_the_viewer() {
    let s = Setup::start().await;
    let viewer = s.open_viewer().await;
    let mut watch = viewer.watch_rois(0, fast());
    assert_eq!(event(&mut watch).await, RoiEvent::Initial(Vec::new()));

    let square = vec![
        Point::new(10.5, 10.5),
        Point::new(50.5, 10.5),
        Point::new(50.5, 50.5),
        Point::new(10.5, 50.5),
    ];
    let spec = RoiSpec::polygon(square.clone(), true)
        .expect("polygon")
        .name("first")
        .color(RoiColor::new(255, 0, 0));
    let roi = viewer.new_roi(&spec, 2, 0).await.expect("new ROI");
    let RoiEvent::Added(added) = event(&mut watch).await else {
        panic!("added")
    };
    assert_eq!(added.roi, roi);
    assert_eq!(added.slice, 2);
    assert_eq!(added.name, "first");
    assert_eq!(added.color, RoiColor::new(255, 0, 0));
    assert_eq!(added.points, roi.points().await.expect("points"));

    roi.set_name("renamed").await.expect("renamed");
    let RoiEvent::Changed { before, after } = event(&mut watch).await else {
        panic!("changed name")
    };
    assert_eq!(
        (before.name.as_str(), after.name.as_str()),
        ("first", "renamed")
    );
    assert_eq!(before, added);
    assert_eq!((after.color, &after.points), (added.color, &added.points));

    roi.set_color(RoiColor::new(0, 0, 255))
        .await
        .expect("recoloured");
    let RoiEvent::Changed { before, after } = event(&mut watch).await else {
        panic!("changed colour")
    };
    assert_eq!(before.color, RoiColor::new(255, 0, 0));
    assert_eq!(after.color, RoiColor::new(0, 0, 255));
    assert_eq!(after.name, "renamed");

    let moved: Vec<Point> = square
        .iter()
        .map(|p| Point::new(p.column + 3.0, p.row))
        .collect();
    roi.set_points(&moved).await.expect("moved");
    let RoiEvent::Changed { before, after } = event(&mut watch).await else {
        panic!("changed points")
    };
    assert_eq!(before.points, added.points);
    assert_eq!(after.points, roi.points().await.expect("points"));
    assert_ne!(after.points, before.points);

    // A poll with one ROI costs the list and three reads.
    s.emulator().reset_counters();
    quiet_until(&mut watch, || {
        s.emulator().calls("ViewerControllerROIList") >= 4
    })
    .await;
    let e = s.emulator();
    let polls = e.calls("ViewerControllerROIList");
    for read in ["ROIName", "ROIColor", "ROIPoints"] {
        let reads = e.calls(read);
        assert!(
            reads == polls || reads + 1 == polls,
            "{read}: {reads} in {polls} polls"
        );
    }

    roi.delete().await.expect("deleted");
    let RoiEvent::Removed(removed) = event(&mut watch).await else {
        panic!("removed")
    };
    assert_eq!(removed, after);

    viewer.close().await.expect("closed");
    let err = next(&mut watch).await.expect_err("the viewer is gone");
    assert!(err.is_stale_handle(), "{err:?}");
    let end = tokio::time::timeout(PATIENCE, watch.next())
        .await
        .expect("the end");
    assert!(end.is_none(), "the watch ends: {end:?}");
}

/// Two attempts per call, with short backoff and no budget, so that the faults below are counted exactly.
fn two_attempts(builder: ClientBuilder) -> ClientBuilder {
    builder.retry(
        RetryConfig::default()
            .with_max_attempts(2)
            .with_initial_backoff(Duration::from_millis(5))
            .with_budget(None),
    )
}

#[tokio::test]
async fn a_failure_beyond_the_retries_is_one_error_and_the_watch_resumes() {
    let s = Setup::start_with(two_attempts).await;
    let mut watch = s.client.watch_database(fast());
    assert!(matches!(event(&mut watch).await, DatabaseEvent::Initial(_)));
    // The next poll fails twice (both attempts); the one after fails once and its retry succeeds.
    s.emulator().faults().fail_next(3, Code::Unavailable);
    let err = next(&mut watch).await.expect_err("the poll failed");
    assert!(err.is_unavailable(), "{err:?}");
    assert_eq!(err.rpc(), Some("BrowserControllerDatabaseStudies"));

    // The watch goes on from the listing it had: the next event is the next change, nothing spurious.
    s.emulator().reset_counters();
    quiet_until(&mut watch, || {
        s.emulator().calls("BrowserControllerDatabaseStudies") >= 4
    })
    .await;
    let (_src, catalog) = tests::import_source();
    s.emulator()
        .import(series_files(&catalog, 0))
        .await
        .expect("imported");
    let DatabaseEvent::Added(study) = event(&mut watch).await else {
        panic!("only the new study")
    };
    assert_eq!(
        study.study_instance_uid().await.expect("uid"),
        Some(catalog.studies()[0].study_instance_uid.clone())
    );
}

#[tokio::test]
async fn a_failure_within_the_retries_is_not_seen() {
    let s = Setup::start_with(two_attempts).await;
    let mut watch = s.client.watch_viewers(fast());
    assert_eq!(event(&mut watch).await, ViewerEvent::Initial(Vec::new()));
    s.emulator().reset_counters();
    s.emulator().faults().fail_next(1, Code::Unavailable);
    quiet_until(&mut watch, || {
        s.emulator().calls("OsirixDisplayed2DViewers") >= 4
    })
    .await;
    let viewer = s.open_viewer().await;
    assert_eq!(event(&mut watch).await, ViewerEvent::Opened(viewer));
}

#[tokio::test]
async fn a_failed_first_poll_comes_before_the_initial_listing() {
    let s = Setup::start_with(|b| b.retry(RetryConfig::disabled())).await;
    let viewer = s.open_viewer().await;
    s.emulator().faults().fail_next(1, Code::Unavailable);
    let mut watch = s.client.watch_viewers(fast());
    let err = next(&mut watch).await.expect_err("the first poll failed");
    assert!(err.is_unavailable(), "{err:?}");
    assert_eq!(event(&mut watch).await, ViewerEvent::Initial(vec![viewer]));
}

#[tokio::test]
async fn closing_the_client_ends_every_watch_after_one_error() {
    let s = Setup::start().await;
    let viewer = s.open_viewer().await;
    let mut database = s.client.watch_database(fast());
    let mut viewers = s.client.watch_viewers(fast());
    let mut rois = viewer.watch_rois(0, fast());
    assert!(matches!(
        event(&mut database).await,
        DatabaseEvent::Initial(_)
    ));
    assert!(matches!(event(&mut viewers).await, ViewerEvent::Initial(_)));
    assert!(matches!(event(&mut rois).await, RoiEvent::Initial(_)));
    s.client.close();
    let closed = |err: Error| assert!(matches!(err, Error::Closed { .. }), "{err:?}");
    closed(next(&mut database).await.expect_err("closed"));
    closed(next(&mut viewers).await.expect_err("closed"));
    closed(next(&mut rois).await.expect_err("closed"));
    assert!(database.next().await.is_none());
    assert!(viewers.next().await.is_none());
    assert!(rois.next().await.is_none());
}
