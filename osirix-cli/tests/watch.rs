//! `osirix watch` end to end: the binary runs against the emulator (started in this process, over loopback) and
//! its lines are read while it runs; the test changes the server through the SDK or the emulator's library API
//! and checks that each change comes out as one line, that a failed poll is one stderr line the watch survives,
//! and how the watch ends (`--count`, or a closed viewer with exit code 4).

use std::process::Stdio;
use std::time::Duration;

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_sdk::{Point, RoiSpec};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStderr, ChildStdout, Command};

mod common;
use common::{open_viewer, served, str_of};

/// How long a line may take: far longer than any poll, so only a watch that never prints fails on it.
const PATIENCE: Duration = Duration::from_secs(30);

/// A running `osirix watch`, its stdout and stderr read line by line.
struct Watching {
    child: Child,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: Lines<BufReader<ChildStderr>>,
}

impl Watching {
    /// Starts `osirix --addr <url> watch args...` polling every 50 ms.
    fn start(url: &str, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_osirix"))
            .args(["--addr", url, "watch"])
            .args(args)
            .args(["--interval", "0.05"])
            .env_remove(osirix_sdk::SERVER_CONFIGS_ENV)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the binary starts");
        let stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
        Watching {
            child,
            stdout,
            stderr,
        }
    }

    /// The next line on stdout.
    async fn line(&mut self) -> String {
        tokio::time::timeout(PATIENCE, self.stdout.next_line())
            .await
            .expect("a line within the patience")
            .expect("stdout reads")
            .expect("a line, not the end of stdout")
    }

    /// The next line on stdout, as JSON.
    async fn json(&mut self) -> Value {
        let line = self.line().await;
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("JSON ({e}): {line}"))
    }

    /// The next line on stderr.
    async fn error_line(&mut self) -> String {
        tokio::time::timeout(PATIENCE, self.stderr.next_line())
            .await
            .expect("an error line within the patience")
            .expect("stderr reads")
            .expect("a line, not the end of stderr")
    }

    /// Waits for the process to end: its exit code, and what is left on stdout and stderr.
    async fn end(mut self) -> (i32, Vec<String>, Vec<String>) {
        let status = tokio::time::timeout(PATIENCE, self.child.wait())
            .await
            .expect("the watch ends")
            .expect("the process is waited for");
        let mut stdout = Vec::new();
        while let Ok(Some(line)) = self.stdout.next_line().await {
            stdout.push(line);
        }
        let mut stderr = Vec::new();
        while let Ok(Some(line)) = self.stderr.next_line().await {
            stderr.push(line);
        }
        (status.code().expect("an exit code"), stdout, stderr)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_opened_and_closed_as_json_lines() {
    let (_fixture, client, url) = served().await;
    let mut watch = Watching::start(&url, &["viewers", "--count", "2", "--json"]);
    let initial = watch.json().await;
    assert_eq!(initial["event"], "initial", "{initial}");
    assert_eq!(initial["viewers"], Value::Array(Vec::new()), "{initial}");

    let viewer = open_viewer(&client).await;
    let opened = watch.json().await;
    assert_eq!(str_of(&opened, "event"), "opened", "{opened}");
    assert_eq!(str_of(&opened["viewer"], "uid"), viewer.uid());
    assert_eq!(
        str_of(&opened["viewer"], "name"),
        viewer.title().await.expect("title")
    );

    viewer.close().await.expect("the viewer closes");
    let closed = watch.json().await;
    assert_eq!(str_of(&closed, "event"), "closed", "{closed}");
    assert_eq!(str_of(&closed["viewer"], "uid"), viewer.uid());

    // Two changes were asked for: the watch ends by itself, successfully, with nothing more.
    let (code, rest, errors) = watch.end().await;
    assert_eq!((code, rest, errors), (0, vec![], vec![]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_while_watching_the_database() {
    let (fixture, client, url) = served().await;
    let browser = client.current_browser().await.expect("browser");
    let before = browser.database_studies().await.expect("studies");
    let mut watch = Watching::start(&url, &["database", "--count", "3", "--json"]);
    let initial = watch.json().await;
    assert_eq!(initial["event"], "initial", "{initial}");
    let listed: Vec<&str> = initial["studies"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|study| str_of(study, "uid"))
        .collect();
    let expected: Vec<&str> = before.iter().map(|study| study.uid()).collect();
    assert_eq!(listed, expected, "the browser's studies, in its order");

    let source = tempfile::tempdir().expect("a folder");
    let spec = DemoSpec {
        studies: 1,
        series_per_study: 2,
        images_per_series: 2,
        seed: 11,
        ..DemoSpec::DEFAULT
    };
    generate(source.path(), &spec).expect("files to import");
    fixture
        .emulator
        .import(vec![source.path().to_path_buf()])
        .await
        .expect("the import");

    let added = watch.json().await;
    assert_eq!(str_of(&added, "event"), "added", "{added}");
    let study_uid = str_of(&added["study"], "uid").to_owned();
    let after = browser.database_studies().await.expect("studies");
    let study = after
        .iter()
        .find(|study| study.uid() == study_uid)
        .expect("the added study is listed");
    assert_eq!(
        added["study"]["name"].as_str(),
        study.study_name().await.expect("name").as_deref()
    );

    let mut series = Vec::new();
    for _ in 0..2 {
        let line = watch.json().await;
        assert_eq!(str_of(&line, "event"), "series-added", "{line}");
        assert_eq!(str_of(&line, "study"), study_uid);
        series.push(str_of(&line["series"], "uid").to_owned());
    }
    let mut expected: Vec<String> = study
        .series()
        .await
        .expect("series")
        .iter()
        .map(|one| one.uid().to_owned())
        .collect();
    series.sort();
    expected.sort();
    assert_eq!(series, expected);

    let (code, rest, errors) = watch.end().await;
    assert_eq!((code, rest, errors), (0, vec![], vec![]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rois_in_a_table_until_their_viewer_closes() {
    let (_fixture, client, url) = served().await;
    let viewer = open_viewer(&client).await;
    let spec = RoiSpec::rectangle(Point::new(10.0, 12.0), 20.0, 16.0)
        .expect("a rectangle")
        .name("box");
    let boxed = viewer.new_roi(&spec, 1, 0).await.expect("the box");

    let mut watch = Watching::start(&url, &["rois", viewer.uid()]);
    let present = watch.line().await;
    let words: Vec<&str> = present.split("  ").collect();
    assert_eq!(
        words[..4],
        ["present", boxed.uid(), "slice 1", "box"],
        "{present}"
    );
    assert_eq!(words[5], "4 points", "{present}");

    boxed.set_name("renamed").await.expect("renamed");
    let changed = watch.line().await;
    assert!(
        changed.starts_with(&format!("changed  {}  slice 1  renamed  ", boxed.uid())),
        "{changed}"
    );

    let oval_spec = RoiSpec::oval(Point::new(32.0, 32.0), 8.0, 6.0)
        .expect("an oval")
        .name("disc");
    let oval = viewer.new_roi(&oval_spec, 2, 0).await.expect("the oval");
    let added = watch.line().await;
    assert!(
        added.starts_with(&format!("added  {}  slice 2  disc  ", oval.uid())),
        "{added}"
    );

    boxed.delete().await.expect("deleted");
    let removed = watch.line().await;
    assert!(
        removed.starts_with(&format!("removed  {}  slice 1  renamed  ", boxed.uid())),
        "{removed}"
    );

    // The watched viewer goes: the watch ends with "not found" and one line that says what it watched.
    viewer.close().await.expect("the viewer closes");
    let (code, rest, errors) = watch.end().await;
    assert_eq!(code, 4, "{rest:?} {errors:?}");
    assert_eq!(rest, Vec::<String>::new());
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!(
            "osirix: watching the ROIs of viewer {}: ",
            viewer.uid()
        )),
        "{errors:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_poll_is_reported_and_the_watch_goes_on() {
    let (fixture, client, url) = served().await;
    let mut watch = Watching::start(&url, &["viewers", "--count", "1", "--json"]);
    assert_eq!(watch.json().await["event"], "initial");

    // More failures than the client retries: a poll fails, which is one line on stderr.
    fixture
        .emulator
        .faults()
        .fail_next(1000, tonic::Code::Unavailable);
    let error = watch.error_line().await;
    assert!(
        error.starts_with("osirix: watching the viewers: "),
        "{error}"
    );
    fixture.emulator.faults().clear();

    // Then the watch carries on from what it saw: the viewer opened since is its next (and only) change.
    let viewer = open_viewer(&client).await;
    let opened = watch.json().await;
    assert_eq!(str_of(&opened, "event"), "opened", "{opened}");
    assert_eq!(str_of(&opened["viewer"], "uid"), viewer.uid());
    let (code, rest, _) = watch.end().await;
    assert_eq!((code, rest), (0, vec![]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rois_without_a_viewer_is_not_found() {
    let (_fixture, _client, url) = served().await;
    let watch = Watching::start(&url, &["rois"]);
    let (code, rest, errors) = watch.end().await;
    assert_eq!(code, 4, "{errors:?}");
    assert_eq!(rest, Vec::<String>::new());
    assert_eq!(
        errors,
        ["osirix: finding the frontmost viewer: OsiriX shows no 2D viewer"]
    );
}
