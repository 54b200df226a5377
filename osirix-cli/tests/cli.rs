//! The `osirix` binary end to end: each test starts the emulator on a generated demo database in this
//! process, runs the binary against it over loopback (`--addr`, or discovery through `OSIRIX_SERVER_CONFIGS`),
//! and checks its stdout (the `--json` document against what the SDK reads from the same server), its
//! stderr and its exit code. The binary's output is piped, so no progress may show in it; one test gives it
//! a terminal instead (util-linux `script`), where the progress bar must show.

use std::path::Path;
use std::process::{Command, Stdio};

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::testing::Fixture;
use osirix_sdk::{Client, Point, RoiSpec};
use serde_json::Value;

mod common;
use common::{open_viewer, served, str_of};

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The stdout as JSON, after checking that the run succeeded.
    fn json(&self) -> Value {
        assert_eq!(self.code, 0, "the run succeeds: {self:?}");
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("JSON ({e}): {}", self.stdout))
    }

    /// Checks a failed run: `code`, and one line `osirix: ...` on stderr containing `fragment`, nothing
    /// on stdout.
    fn assert_failed(&self, code: i32, fragment: &str) {
        assert_eq!(self.code, code, "exit code: {self:?}");
        assert_eq!(self.stdout, "", "nothing on stdout: {self:?}");
        let line = self.stderr.strip_suffix('\n').unwrap_or(&self.stderr);
        assert!(!line.contains('\n'), "one line on stderr: {self:?}");
        assert!(line.starts_with("osirix: "), "{self:?}");
        assert!(
            line.contains(fragment),
            "stderr names {fragment:?}: {self:?}"
        );
        assert!(
            !line.contains("panicked") && !line.contains(" { "),
            "no panic, no Debug: {self:?}"
        );
    }

    /// Checks that nothing but plain text was written: no ANSI escape, no carriage return (what a progress
    /// bar draws with).
    fn assert_plain(&self) {
        for text in [&self.stdout, &self.stderr] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\r'),
                "plain text: {self:?}"
            );
        }
    }
}

/// Runs `osirix args...` with piped output, without the caller's OSIRIX_SERVER_CONFIGS, and with `env` set.
async fn osirix_with_env(args: &[&str], env: &[(&str, &Path)]) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, std::path::PathBuf)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_path_buf()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let output = Command::new(env!("CARGO_BIN_EXE_osirix"))
            .args(&args)
            .env_remove(osirix_sdk::SERVER_CONFIGS_ENV)
            .envs(env)
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs");
        Run {
            code: output.status.code().expect("an exit code, not a signal"),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        }
    })
    .await
    .expect("the run ends")
}

/// Runs `osirix --addr <url> args...`.
async fn osirix(url: &str, args: &[&str]) -> Run {
    let mut all = vec!["--addr", url];
    all.extend_from_slice(args);
    osirix_with_env(&all, &[]).await
}

fn f32_of(value: &Value, key: &str) -> f32 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is a number in {value}")) as f32
}

fn usize_of(value: &Value, key: &str) -> usize {
    value[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} is a count in {value}")) as usize
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn studies_lists_what_the_sdk_reads() {
    let (_fixture, client, url) = served().await;
    let studies = client
        .current_browser()
        .await
        .expect("browser")
        .database_studies()
        .await
        .expect("studies");
    assert_eq!(studies.len(), 3);

    let listed = osirix(&url, &["studies", "--json"]).await.json();
    let listed = listed.as_array().expect("an array");
    assert_eq!(listed.len(), studies.len());
    for (row, study) in listed.iter().zip(&studies) {
        assert_eq!(str_of(row, "uid"), study.uid());
        let name = study.patient_name().await.expect("name");
        assert_eq!(row["patient_name"].as_str(), name.as_deref());
        let study_name = study.study_name().await.expect("study name");
        assert_eq!(row["study_name"].as_str(), study_name.as_deref());
        let uid = study.study_instance_uid().await.expect("uid");
        assert_eq!(row["study_instance_uid"].as_str(), uid.as_deref());
        let modality = study.modality().await.expect("modality");
        assert_eq!(row["modality"].as_str(), modality.as_deref());
        assert_eq!(
            usize_of(row, "series"),
            study.series().await.expect("series").len()
        );
        let date = study
            .date()
            .await
            .expect("date")
            .expect("the demo has dates");
        assert_eq!(
            str_of(row, "date"),
            date.format("%Y-%m-%dT%H:%M:%S").to_string()
        );
    }

    // The table: a header, then one aligned line per study, in the same order.
    let table = osirix(&url, &["studies"]).await;
    assert_eq!(table.code, 0, "{table:?}");
    table.assert_plain();
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 1 + studies.len(), "{table:?}");
    assert!(
        lines[0].starts_with("UID ") && lines[0].contains("PATIENT"),
        "{table:?}"
    );
    let patient_column = lines[0].find("PATIENT").expect("a PATIENT column");
    for (line, study) in lines[1..].iter().zip(&studies) {
        assert!(line.starts_with(study.uid()), "{line}");
        let name = study.patient_name().await.expect("name").expect("a name");
        assert_eq!(
            &line[patient_column..patient_column + name.len()],
            name,
            "{line}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn series_and_images_take_handle_uids_and_dicom_uids() {
    let (_fixture, client, url) = served().await;
    let browser = client.current_browser().await.expect("browser");
    let study = browser.database_studies().await.expect("studies").remove(1);
    let series = study.series().await.expect("series");
    let study_uid = study
        .study_instance_uid()
        .await
        .expect("uid")
        .expect("a UID");

    let by_handle = osirix(&url, &["series", study.uid(), "--json"])
        .await
        .json();
    let by_dicom = osirix(&url, &["--json", "series", &study_uid]).await.json();
    assert_eq!(by_handle, by_dicom, "the same study either way");
    let rows = by_handle.as_array().expect("an array");
    assert_eq!(rows.len(), series.len());
    for (row, series) in rows.iter().zip(&series) {
        let summary = series.summary().await.expect("summary");
        assert_eq!(str_of(row, "uid"), series.uid());
        assert_eq!(
            str_of(row, "series_instance_uid"),
            summary.series_instance_uid
        );
        assert_eq!(str_of(row, "modality"), summary.modality);
        assert_eq!(
            row["images"].as_u64(),
            Some(u64::from(summary.number_of_images))
        );
        assert_eq!(
            row["description"].as_str(),
            summary.series_description.as_deref()
        );
    }

    let table = osirix(&url, &["series", study.uid()]).await;
    assert_eq!(table.code, 0, "{table:?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 1 + series.len(), "{table:?}");
    assert!(
        lines[0].starts_with("UID ") && lines[0].contains("MODALITY"),
        "{table:?}"
    );
    for (line, series) in lines[1..].iter().zip(&series) {
        assert!(line.starts_with(series.uid()), "{table:?}");
    }

    // An MR series: OsiriX's Series Instance UID has a " TE-<n>" suffix, and the DICOM UID alone names it.
    let mut mr = None;
    for series in &series {
        if series.modality().await.expect("modality") == "MR" {
            mr = Some(series.clone());
        }
    }
    let mr = mr.expect("the demo's studies have an MR series");
    let osirix_uid = mr.series_instance_uid().await.expect("uid");
    let (dicom_uid, suffix) = osirix_uid.split_once(' ').expect("a suffixed UID");
    assert!(suffix.starts_with("TE-"), "{osirix_uid}");
    let images = mr.images_by_instance_number().await.expect("images");
    let by_handle = osirix(&url, &["images", mr.uid(), "--json"]).await.json();
    for uid in [osirix_uid.as_str(), dicom_uid] {
        let by_uid = osirix(&url, &["images", uid, "--json"]).await.json();
        assert_eq!(by_uid, by_handle, "images of {uid:?}");
    }
    let rows = by_handle.as_array().expect("an array");
    assert_eq!(rows.len(), images.len());
    for (row, image) in rows.iter().zip(&images) {
        assert_eq!(str_of(row, "uid"), image.uid());
        assert_eq!(
            str_of(row, "sop_instance_uid"),
            image.sop_instance_uid().await.expect("sop")
        );
        assert_eq!(
            row["instance_number"].as_u64(),
            Some(u64::from(image.instance_number().await.expect("n")))
        );
        assert_eq!(
            f32_of(row, "slice_location"),
            image.slice_location().await.expect("location")
        );
        assert_eq!(row["width"].as_u64(), Some(64));
        assert_eq!(row["height"].as_u64(), Some(64));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_rois_and_their_stats() {
    let (_fixture, client, url) = served().await;
    let viewer = open_viewer(&client).await;
    let box_spec = RoiSpec::rectangle(Point::new(10.0, 12.0), 20.0, 16.0)
        .expect("a rectangle")
        .name("box");
    let oval_spec = RoiSpec::oval(Point::new(32.0, 32.0), 8.0, 6.0)
        .expect("an oval")
        .name("disc");
    let boxed = viewer.new_roi(&box_spec, 0, 0).await.expect("the box");
    let oval = viewer.new_roi(&oval_spec, 2, 0).await.expect("the oval");

    let viewers = osirix(&url, &["viewers", "--json"]).await.json();
    let viewers = viewers.as_array().expect("an array");
    assert_eq!(viewers.len(), 1);
    assert_eq!(str_of(&viewers[0], "uid"), viewer.uid());
    assert_eq!(
        str_of(&viewers[0], "title"),
        viewer.title().await.expect("title")
    );
    assert_eq!(
        str_of(&viewers[0], "modality"),
        viewer.modality().await.expect("modality")
    );
    assert_eq!(usize_of(&viewers[0], "slices"), 5);
    assert_eq!(usize_of(&viewers[0], "frames"), 1);

    let table = osirix(&url, &["viewers"]).await;
    assert_eq!(table.code, 0, "{table:?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{table:?}");
    assert!(
        lines[0].starts_with("UID ") && lines[0].contains("SLICES"),
        "{table:?}"
    );
    assert!(lines[1].starts_with(viewer.uid()), "{table:?}");

    // The frontmost viewer by default, or the one named.
    let front = osirix(&url, &["rois", "--json"]).await.json();
    let named = osirix(&url, &["rois", viewer.uid(), "--json"]).await.json();
    assert_eq!(front, named);
    let rows = front.as_array().expect("an array");
    assert_eq!(rows.len(), 2, "{front}");
    for (row, (roi, slice, name)) in rows.iter().zip([(&boxed, 0, "box"), (&oval, 2, "disc")]) {
        assert_eq!(str_of(row, "uid"), roi.uid());
        assert_eq!(usize_of(row, "slice"), slice);
        assert_eq!(str_of(row, "name"), name);
        let kind = roi.kind().await.expect("kind");
        assert_eq!(str_of(row, "kind"), format!("{kind:?}"));
        assert_eq!(row["kind_code"].as_i64(), Some(i64::from(kind.code())));
        assert_eq!(
            usize_of(row, "points"),
            roi.points().await.expect("points").len()
        );
        assert_eq!(f32_of(row, "area"), roi.area().await.expect("area"));
        let color = roi.color().await.expect("colour");
        assert_eq!(
            str_of(row, "color"),
            format!("#{:02x}{:02x}{:02x}", color.r, color.g, color.b)
        );
    }
    assert_eq!(str_of(&rows[0], "kind"), "Rectangle");
    assert_eq!(str_of(&rows[1], "kind"), "Oval");

    let table = osirix(&url, &["rois"]).await;
    assert_eq!(table.code, 0, "{table:?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{table:?}");
    assert!(
        lines[0].starts_with("UID ") && lines[0].contains("KIND"),
        "{table:?}"
    );
    assert!(
        lines[1].starts_with(boxed.uid()) && lines[1].contains("Rectangle"),
        "{table:?}"
    );
    assert!(
        lines[2].starts_with(oval.uid()) && lines[2].contains("Oval"),
        "{table:?}"
    );

    let stats = osirix(&url, &["roi-stats", "--json"]).await.json();
    let rows = stats.as_array().expect("an array");
    assert_eq!(rows.len(), 2, "{stats}");
    for (row, roi) in rows.iter().zip([&boxed, &oval]) {
        let expected = roi.stats().await.expect("stats");
        assert_eq!(str_of(row, "uid"), roi.uid());
        assert_eq!(f32_of(row, "mean"), expected.mean);
        assert_eq!(f32_of(row, "min"), expected.min);
        assert_eq!(f32_of(row, "max"), expected.max);
        assert_eq!(f32_of(row, "std_dev"), expected.std_dev);
        assert_eq!(f32_of(row, "total"), expected.total);
        assert_eq!(f32_of(row, "area"), roi.area().await.expect("area"));
        assert!(
            expected.max > expected.min,
            "the phantom is not flat under {row}"
        );
    }

    let table = osirix(&url, &["roi-stats"]).await;
    assert_eq!(table.code, 0, "{table:?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{table:?}");
    assert!(
        lines[0].contains("MEAN") && lines[0].contains("STD"),
        "{table:?}"
    );
    assert!(
        lines[1].starts_with(boxed.uid()) && lines[1].contains("box"),
        "{table:?}"
    );
}

/// The parts of a `.npy` file: its header dict and its values.
fn read_npy(bytes: &[u8]) -> (String, Vec<f32>) {
    assert_eq!(&bytes[..6], b"\x93NUMPY", "the magic string");
    assert_eq!(&bytes[6..8], [1, 0], "version 1.0");
    let len = usize::from(u16::from_le_bytes([bytes[8], bytes[9]]));
    assert_eq!((10 + len) % 64, 0, "the data is aligned to 64 bytes");
    let header = std::str::from_utf8(&bytes[10..10 + len])
        .expect("an ASCII header")
        .to_owned();
    assert!(header.ends_with('\n'), "{header:?}");
    let data = &bytes[10 + len..];
    assert_eq!(data.len() % 4, 0);
    let values = data
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (header, values)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn volume_writes_the_frame_as_npy() {
    let (fixture, client, url) = served().await;
    let viewer = open_viewer(&client).await;
    let expected = viewer.volume(0).await.expect("the SDK's volume");
    let out = fixture.dir.path().join("frame.npy");
    let out_arg = out.to_str().expect("a UTF-8 path");

    let run = osirix(&url, &["volume", viewer.uid(), "--out", out_arg, "--json"]).await;
    run.assert_plain();
    assert_eq!(run.stderr, "", "no progress when stderr is piped: {run:?}");
    let written = run.json();
    assert_eq!(written["shape"], serde_json::json!([5, 64, 64]));
    assert_eq!(f32_of(&written["spacing"], "rows"), expected.spacing.rows);
    assert_eq!(
        f32_of(&written["spacing"], "columns"),
        expected.spacing.columns
    );
    let locations = &expected.slice_locations;
    let interval = (locations[4] - locations[0]).abs() / 4.0;
    assert_eq!(f32_of(&written["spacing"], "slices"), interval);
    assert_eq!(str_of(&written, "viewer"), viewer.uid());

    let (header, values) = read_npy(&std::fs::read(&out).expect("the file"));
    assert!(
        header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (5, 64, 64), }"),
        "{header:?}"
    );
    assert_eq!(
        values, expected.data,
        "the SDK's values, slice after slice, row-major"
    );

    // The frontmost viewer by default; the table says the shape and the spacing.
    std::fs::remove_file(&out).expect("removed");
    let table = osirix(&url, &["volume", "--out", out_arg]).await;
    assert_eq!(table.code, 0, "{table:?}");
    table.assert_plain();
    assert!(
        table
            .stdout
            .contains("shape: 5 slices × 64 rows × 64 columns"),
        "{table:?}"
    );
    assert!(
        table
            .stdout
            .contains(&format!("{} mm between rows", expected.spacing.rows)),
        "{table:?}"
    );
    assert_eq!(
        read_npy(&std::fs::read(&out).expect("the file")).1,
        expected.data
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_waits_for_a_new_study() {
    let (_fixture, client, url) = served().await;
    let source = tempfile::tempdir().expect("a folder");
    let spec = DemoSpec {
        studies: 1,
        series_per_study: 2,
        images_per_series: 3,
        seed: 7,
        ..DemoSpec::DEFAULT
    };
    let catalog = generate(source.path(), &spec).expect("files to import");
    let new_uid = catalog.studies()[0].study_instance_uid.clone();
    let folder = source.path().to_str().expect("a UTF-8 path");

    let run = osirix(
        &url,
        &["import", folder, "--wait", "--wait-timeout", "60", "--json"],
    )
    .await;
    run.assert_plain();
    assert_eq!(run.stderr, "", "no progress when stderr is piped: {run:?}");
    let report = run.json();
    assert_eq!(usize_of(&report, "files"), 6, "{report}");
    assert_eq!(report["waited"], Value::Bool(true));
    assert_eq!(usize_of(&report, "imported_files"), 6);
    let studies = report["studies"].as_array().expect("an array");
    assert_eq!(studies.len(), 1, "{report}");
    assert_eq!(str_of(&studies[0], "study_instance_uid"), new_uid);
    assert_eq!(studies[0]["new"], Value::Bool(true));
    assert_eq!(usize_of(&studies[0], "files_added"), 6);

    // The SDK sees the study the command printed.
    let listed = client
        .current_browser()
        .await
        .expect("browser")
        .database_studies()
        .await
        .expect("studies");
    let mut found = false;
    for study in &listed {
        if study.study_instance_uid().await.expect("uid").as_deref() == Some(new_uid.as_str()) {
            found = true;
            assert_eq!(study.number_of_files().await.expect("files"), Some(6));
        }
    }
    assert!(found, "the imported study is listed");

    // The table: what was imported, then the study.
    let more = tempfile::tempdir().expect("a folder");
    let spec = DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 2,
        seed: 8,
        ..DemoSpec::DEFAULT
    };
    let catalog = generate(more.path(), &spec).expect("more files");
    let folder = more.path().to_str().expect("a UTF-8 path");
    let table = osirix(&url, &["import", folder, "--wait"]).await;
    assert_eq!(table.code, 0, "{table:?}");
    table.assert_plain();
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{table:?}");
    assert_eq!(lines[0], "imported 2 new files of 2 sent");
    assert!(
        lines[1].starts_with("UID ") && lines[1].contains("FILES ADDED"),
        "{table:?}"
    );
    let study_uid = &catalog.studies()[0].study_instance_uid;
    assert!(
        lines[2].contains(" yes ") && lines[2].ends_with(study_uid.as_str()),
        "{table:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_without_wait_only_sends_the_files() {
    let (_fixture, _client, url) = served().await;
    let source = tempfile::tempdir().expect("a folder");
    let spec = DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 2,
        seed: 9,
        ..DemoSpec::DEFAULT
    };
    generate(source.path(), &spec).expect("files to import");
    let folder = source.path().to_str().expect("a UTF-8 path");
    let run = osirix(&url, &["import", folder]).await;
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "sent 2 files to OsiriX, which imports them in the background (--wait waits for them)\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_code_3_when_nothing_answers() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("its address").port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let run = osirix(&url, &["--timeout", "5", "studies"]).await;
    run.assert_failed(
        3,
        &format!("connecting to {url}: cannot connect to the OsiriX server"),
    );
    // `--timeout` is global: after the subcommand too.
    let run = osirix(&url, &["studies", "--timeout", "5"]).await;
    run.assert_failed(
        3,
        &format!("connecting to {url}: cannot connect to the OsiriX server"),
    );

    // Discovery with no server list, and with one whose only server is gone.
    let dir = tempfile::tempdir().expect("a folder");
    let missing = dir.path().join("server_configs.json");
    let run = osirix_with_env(&["viewers"], &[("OSIRIX_SERVER_CONFIGS", &missing)]).await;
    run.assert_failed(3, "cannot discover the OsiriX server");
    std::fs::write(
        &missing,
        format!("[{{\"ipaddress\": \"127.0.0.1\", \"port\": \"{port}\", \"active\": \"YES\"}}]"),
    )
    .expect("a server list");
    let run = osirix_with_env(&["viewers"], &[("OSIRIX_SERVER_CONFIGS", &missing)]).await;
    run.assert_failed(3, "none of its 1 active servers answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_finds_the_server_in_the_server_list() {
    let (fixture, client, url) = served().await;
    let list = fixture.dir.path().join("grpc").join("server_configs.json");
    fixture
        .emulator
        .write_server_configs(&list)
        .expect("the server list");
    let discovered = osirix_with_env(&["studies", "--json"], &[("OSIRIX_SERVER_CONFIGS", &list)])
        .await
        .json();
    let direct = osirix(&url, &["studies", "--json"]).await.json();
    assert_eq!(discovered, direct);
    let studies = client
        .current_browser()
        .await
        .expect("browser")
        .database_studies()
        .await
        .expect("studies");
    assert_eq!(
        discovered.as_array().expect("an array").len(),
        studies.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_code_4_for_unknown_uids_and_no_viewer() {
    let (_fixture, client, url) = served().await;
    assert!(
        client.frontmost_viewer().await.expect("answered").is_none(),
        "no viewer yet"
    );
    let junk = "00000000-0000-0000-0000-000000000000";
    osirix(&url, &["series", junk])
        .await
        .assert_failed(4, &format!("finding study {junk}"));
    osirix(&url, &["images", junk])
        .await
        .assert_failed(4, &format!("finding series {junk}"));
    osirix(&url, &["images", "1.2.3.4.5.6"])
        .await
        .assert_failed(4, "no series has that");
    for command in ["rois", "roi-stats"] {
        osirix(&url, &[command])
            .await
            .assert_failed(4, "OsiriX shows no 2D viewer");
        osirix(&url, &[command, junk])
            .await
            .assert_failed(4, "no viewer has that uid");
    }
    let dir = tempfile::tempdir().expect("a folder");
    let out = dir.path().join("v.npy");
    let out = out.to_str().expect("UTF-8");
    osirix(&url, &["volume", "--out", out])
        .await
        .assert_failed(4, "OsiriX shows no 2D viewer");
    assert!(!Path::new(out).exists(), "no file written");

    // A viewer uid that was valid, once its viewer is closed.
    let viewer = open_viewer(&client).await;
    let uid = viewer.uid().to_owned();
    assert_eq!(osirix(&url, &["rois", &uid]).await.code, 0);
    viewer.close().await.expect("closed");
    osirix(&url, &["rois", &uid])
        .await
        .assert_failed(4, "no viewer has that uid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_code_5_for_an_import_that_imports_nothing() {
    let (fixture, _client, url) = served().await;
    let text = fixture.dir.path().join("notes.txt");
    std::fs::write(&text, "not DICOM").expect("a file");
    let run = osirix(
        &url,
        &[
            "import",
            text.to_str().expect("UTF-8"),
            "--wait",
            "--wait-timeout",
            "1",
        ],
    )
    .await;
    run.assert_failed(5, "waiting for the import: ");
    assert!(run.stderr.contains("0 of 1 files"), "{run:?}");
    run.assert_plain();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_code_2_for_bad_usage_and_1_for_other_failures() {
    for args in [
        &["frobnicate"][..],
        &["series"],
        &["volume"],
        &["import"],
        &["import", "x", "--wait-timeout", "3"],
        &["studies", "--wait-timeout", "5"],
        &["--timeout", "never", "studies"],
        &["studies", "--timeout", "never"],
    ] {
        let run = osirix_with_env(args, &[]).await;
        assert_eq!(run.code, 2, "usage error for {args:?}: {run:?}");
        assert!(run.stderr.starts_with("error: "), "clap's message: {run:?}");
    }
    let help = osirix_with_env(&["--help"], &[]).await;
    assert_eq!(help.code, 0);
    for line in ["3  cannot connect", "4  not found", "5  an import wait"] {
        assert!(
            help.stdout.contains(line),
            "--help lists {line:?}: {help:?}"
        );
    }

    // A missing file fails before anything connects: nothing listens at this address.
    let dir = tempfile::tempdir().expect("a folder");
    let missing = dir.path().join("missing.dcm");
    let run = osirix(
        "http://127.0.0.1:1",
        &["import", missing.to_str().expect("UTF-8")],
    )
    .await;
    run.assert_failed(1, "No such file");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_volume_that_is_not_greyscale_fails_with_1() {
    let spec = DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 3,
        colour_and_multi_frame: true,
        ..DemoSpec::DEFAULT
    };
    let fixture = Fixture::demo_with(spec, |b| b).await;
    let url = fixture.emulator.url();
    let client = Client::connect(url.clone()).await.expect("connects");
    let browser = client.current_browser().await.expect("browser");
    let mut colour = None;
    for study in browser.database_studies().await.expect("studies") {
        for series in study.series().await.expect("series") {
            if series.modality().await.expect("modality") == "OT" {
                colour = Some(series);
            }
        }
    }
    let viewer = browser
        .open_viewer(&colour.expect("a colour series"))
        .await
        .expect("a viewer");
    let out = fixture.dir.path().join("colour.npy");
    let run = osirix(
        &url,
        &[
            "volume",
            viewer.uid(),
            "--out",
            out.to_str().expect("UTF-8"),
        ],
    )
    .await;
    run.assert_failed(1, "reading the volume: invalid argument: slice 0 is colour");
}

/// `word` in single quotes for `sh -c`.
fn sh_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Runs `osirix --addr <url> args...` on a pseudo-terminal (util-linux `script`), and returns its exit code
/// and everything it wrote (stdout and stderr both go to the terminal).
async fn on_a_terminal(url: &str, args: &[&str]) -> (Option<i32>, String) {
    let mut words = vec![env!("CARGO_BIN_EXE_osirix"), "--addr", url];
    words.extend_from_slice(args);
    let command = words
        .into_iter()
        .map(sh_quote)
        .collect::<Vec<_>>()
        .join(" ");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("/usr/bin/script")
            .args(["-qec", &command, "/dev/null"])
            .stdin(Stdio::null())
            .output()
            .expect("script runs")
    })
    .await
    .expect("the run ends");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_progress_bar_shows_when_stderr_is_a_terminal() {
    if !Path::new("/usr/bin/script").exists() {
        println!(
            "skipped: the_progress_bar_shows_when_stderr_is_a_terminal: no /usr/bin/script to give a terminal"
        );
        return;
    }
    let (fixture, client, url) = served().await;

    // An import wait: no file of the one given is ever seen. `--timeout` after the subcommand is global.
    let text = fixture.dir.path().join("notes.txt");
    std::fs::write(&text, "not DICOM").expect("a file");
    let text = text.to_str().expect("UTF-8");
    let args = [
        "import",
        text,
        "--wait",
        "--wait-timeout",
        "1",
        "--timeout",
        "5",
    ];
    let (code, shown) = on_a_terminal(&url, &args).await;
    assert_eq!(code, Some(5), "{shown}");
    assert!(
        shown.contains("waiting for OsiriX to import [") && shown.contains("] 0/1 files ("),
        "the bar: {shown:?}"
    );
    assert!(
        shown.contains('\u{1b}'),
        "drawn with escapes on a terminal: {shown:?}"
    );
    assert!(
        shown.contains("osirix: waiting for the import: "),
        "then the error: {shown:?}"
    );

    // A volume export: the bar counts the frame's slices.
    let viewer = open_viewer(&client).await;
    let slices = viewer.pix_list(0).await.expect("pix").len();
    let out = fixture.dir.path().join("frame.npy");
    let args = [
        "volume",
        viewer.uid(),
        "--out",
        out.to_str().expect("UTF-8"),
    ];
    let (code, shown) = on_a_terminal(&url, &args).await;
    assert_eq!(code, Some(0), "{shown}");
    assert!(
        shown.contains("reading frame 0 [") && shown.contains(&format!("/{slices} slices (")),
        "the bar: {shown:?}"
    );
    assert!(
        !shown.contains("/0 slices"),
        "no bar before the slices are counted: {shown:?}"
    );
    assert!(shown.contains("wrote "), "then the report: {shown:?}");
    assert!(out.exists(), "the file is written");
}
