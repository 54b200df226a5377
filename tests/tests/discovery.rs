//! Discovery end to end: the emulator writes OsiriXgrpc's server list, and clients find it through an explicit
//! path, the `OSIRIX_SERVER_CONFIGS` variable and the default place under `HOME` (both of the folder's
//! spellings); inactive entries are skipped, a dead entry falls through to a live one, and every bad list gives
//! an error that names the path and the problem. The environment is only ever changed in a child process (the
//! `discover` binary of this crate), never in the test process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use osirix_emulator::RunningEmulator;
use osirix_emulator::demo::DemoSpec;
use osirix_sdk::{
    Client, ClientBuilder, DiscoveryProblem, Error, SERVER_CONFIGS_ENV, locate_server_configs,
    read_server_configs,
};
use tests::fixture::Served;

/// A small demo database: discovery needs a server, not data.
fn spec() -> DemoSpec {
    DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 1,
        ..DemoSpec::default()
    }
}

/// A loopback port nobody listens on (bound, then released).
fn dead_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// A server list entry as OsiriXgrpc writes it.
fn entry(port: u16, active: bool) -> String {
    let active = if active { "YES" } else { "NO" };
    format!(r#"{{"ipaddress": "127.0.0.1", "port": "{port}", "active": "{active}"}}"#)
}

fn write_list(path: &Path, entries: &[String]) {
    std::fs::write(path, format!("[{}]", entries.join(", "))).expect("write the list");
}

/// A builder whose connect gives up quickly, so that a dead entry costs little.
fn builder() -> ClientBuilder {
    ClientBuilder::default().connect_timeout(Some(Duration::from_secs(2)))
}

/// Proves `client` talks to `emulator`: one version call, counted there.
async fn assert_served_by(client: &Client, emulator: &RunningEmulator) {
    let before = emulator.calls("OsirixVersion");
    client.version().await.expect("version");
    assert_eq!(emulator.calls("OsirixVersion"), before + 1);
}

/// The discovery error's path and problem; its text names the path.
#[track_caller]
fn discovery_error(err: Error, path: &Path) -> DiscoveryProblem {
    let text = err.to_string();
    assert!(text.contains(&path.display().to_string()), "{text}");
    match err {
        Error::Discovery { path: at, problem } => {
            assert_eq!(&*at, path);
            problem
        }
        other => panic!("not a discovery error: {other:?}"),
    }
}

#[tokio::test]
async fn the_emulator_writes_a_list_the_client_discovers_through_an_explicit_path() {
    let served = Served::start(spec()).await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("nested/server_configs.json");
    served
        .emulator
        .write_server_configs(&path)
        .expect("written");

    let entries = read_server_configs(&path).expect("a valid list");
    assert_eq!(entries.len(), 1);
    assert!(entries[0].active);
    assert_eq!(entries[0].endpoint(), served.url());
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(
        text.contains(&format!(r#""port": "{}""#, served.emulator.addr().port())),
        "the port is a string, as OsiriX writes it: {text}"
    );

    let client = Client::discover_from(&path).await.expect("discovered");
    assert_served_by(&client, &served.emulator).await;
    let client = builder().discover_from(&path).await.expect("discovered");
    assert_served_by(&client, &served.emulator).await;
}

#[tokio::test]
async fn the_builder_settings_apply_to_the_discovered_endpoint() {
    let served = Served::start(spec()).await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("server_configs.json");
    served
        .emulator
        .write_server_configs(&path)
        .expect("written");
    // A cache of the builder's: the second read of a cached RPC does not reach the server.
    let client = builder()
        .cache(osirix_sdk::CacheConfig::default())
        .discover_from(&path)
        .await
        .expect("discovered");
    let series = tests::fixture::first_series(&client).await;
    series.paths().await.expect("paths");
    series.paths().await.expect("paths again");
    assert_eq!(served.emulator.calls("DicomSeriesPaths"), 1);
    let client = builder()
        .cache(osirix_sdk::CacheConfig::disabled())
        .discover_from(&path)
        .await
        .expect("discovered");
    let series = tests::fixture::first_series(&client).await;
    series.paths().await.expect("paths");
    series.paths().await.expect("paths again");
    assert_eq!(served.emulator.calls("DicomSeriesPaths"), 3);
}

#[tokio::test]
async fn an_emulator_on_several_addresses_lists_them_all_in_order() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let catalog = osirix_emulator::demo::generate(dir.path(), &spec()).expect("demo");
    let addr = "127.0.0.1:0".parse().expect("address");
    let emulator = osirix_emulator::Emulator::builder(catalog)
        .start_all(&[addr, addr])
        .await
        .expect("starts");
    let path = dir.path().join("server_configs.json");
    emulator.write_server_configs(&path).expect("written");
    let endpoints: Vec<String> = read_server_configs(&path)
        .expect("valid")
        .iter()
        .map(|e| e.endpoint())
        .collect();
    assert_eq!(endpoints, emulator.urls());
}

#[tokio::test]
async fn inactive_entries_are_skipped_even_when_their_server_answers() {
    let first = Served::start(spec()).await;
    let second = Served::start(spec()).await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("server_configs.json");
    write_list(
        &path,
        &[
            entry(first.emulator.addr().port(), false),
            entry(second.emulator.addr().port(), true),
        ],
    );
    let client = builder().discover_from(&path).await.expect("discovered");
    assert_served_by(&client, &second.emulator).await;
    assert_eq!(first.emulator.calls("OsirixVersion"), 0);

    // The live inactive entry is not even tried: only the dead active one shows in the error.
    let dead = dead_port();
    write_list(
        &path,
        &[
            entry(first.emulator.addr().port(), false),
            entry(dead, true),
        ],
    );
    let err = builder()
        .discover_from(&path)
        .await
        .expect_err("none answers");
    match discovery_error(err, &path) {
        DiscoveryProblem::NoneAnswered(tried) => {
            assert_eq!(tried.len(), 1, "{tried:?}");
            assert_eq!(tried[0].0, format!("http://127.0.0.1:{dead}"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_dead_first_entry_falls_through_to_the_live_second() {
    let served = Served::start(spec()).await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("server_configs.json");
    write_list(
        &path,
        &[
            entry(dead_port(), true),
            entry(served.emulator.addr().port(), true),
        ],
    );
    let client = builder().discover_from(&path).await.expect("discovered");
    assert_served_by(&client, &served.emulator).await;
}

#[tokio::test]
async fn none_answering_names_each_address_tried_and_why() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("server_configs.json");
    let (a, b) = (dead_port(), dead_port());
    write_list(&path, &[entry(a, true), entry(b, true)]);
    let err = builder()
        .discover_from(&path)
        .await
        .expect_err("none answers");
    let text = err.to_string();
    for port in [a, b] {
        assert!(text.contains(&format!("http://127.0.0.1:{port}")), "{text}");
    }
    assert!(
        text.contains("none of its 2 active servers answered"),
        "{text}"
    );
    match discovery_error(err, &path) {
        DiscoveryProblem::NoneAnswered(tried) => {
            assert_eq!(tried.len(), 2);
            for (_, why) in &tried {
                assert!(matches!(why, Error::Connect { .. }), "{why:?}");
            }
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn every_bad_list_gives_its_own_error_naming_the_path() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let missing = dir.path().join("absent.json");
    let err = builder()
        .discover_from(&missing)
        .await
        .expect_err("missing");
    assert!(
        matches!(
            discovery_error(err, &missing),
            DiscoveryProblem::Missing { .. }
        ),
        "missing"
    );

    let path = dir.path().join("server_configs.json");
    for (text, check) in [
        (
            "[]",
            (|p| matches!(p, DiscoveryProblem::Empty)) as fn(&DiscoveryProblem) -> bool,
        ),
        (
            "[{\"ipaddress\": ",
            |p| matches!(p, DiscoveryProblem::Malformed(r) if r.contains("not JSON")),
        ),
        (
            "{\"ipaddress\": \"127.0.0.1\"}",
            |p| matches!(p, DiscoveryProblem::Malformed(r) if r.contains("not a JSON array")),
        ),
        (
            "[{\"ipaddress\": \"127.0.0.1\", \"port\": \"50051\"}]",
            |p| matches!(p, DiscoveryProblem::Malformed(r) if r.contains("no `active`")),
        ),
    ] {
        std::fs::write(&path, text).expect("write");
        let err = builder().discover_from(&path).await.expect_err(text);
        let problem = discovery_error(err, &path);
        assert!(check(&problem), "{text}: {problem:?}");
    }

    write_list(
        &path,
        &[entry(dead_port(), false), entry(dead_port(), false)],
    );
    let err = builder()
        .discover_from(&path)
        .await
        .expect_err("all inactive");
    assert!(
        err.to_string().contains("none of its 2 servers is active"),
        "{err}"
    );
    assert!(
        matches!(
            discovery_error(err, &path),
            DiscoveryProblem::AllInactive { entries: 2 }
        ),
        "all inactive"
    );

    // A folder where the file should be cannot be read.
    let folder = dir.path().join("a-folder.json");
    std::fs::create_dir(&folder).expect("mkdir");
    let err = builder()
        .discover_from(&folder)
        .await
        .expect_err("a folder");
    assert!(
        matches!(
            discovery_error(err, &folder),
            DiscoveryProblem::Unreadable(_)
        ),
        "unreadable"
    );
}

#[tokio::test]
async fn the_environment_value_names_the_list() {
    let served = Served::start(spec()).await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("elsewhere.json");
    served
        .emulator
        .write_server_configs(&path)
        .expect("written");
    let home = dir.path().join("home");
    let found = locate_server_configs(Some(path.as_os_str()), Some(&home)).expect("located");
    assert_eq!(found, path);
    let client = builder().discover_from(&found).await.expect("discovered");
    assert_served_by(&client, &served.emulator).await;
}

/// Runs the `discover` binary with `HOME` and `OSIRIX_SERVER_CONFIGS` set as given (the variable removed when
/// `None`); its status and output.
fn run_discover(home: &Path, env: Option<&Path>) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_discover"));
    command.env("HOME", home);
    match env {
        Some(path) => command.env(SERVER_CONFIGS_ENV, path),
        None => command.env_remove(SERVER_CONFIGS_ENV),
    };
    command.output().expect("the discover binary runs")
}

#[tokio::test(flavor = "multi_thread")]
async fn client_discover_reads_the_variable_then_both_spellings_under_home() {
    let served = Served::start(spec()).await;
    let dir = tempfile::tempdir().expect("temporary folder");
    let home = dir.path().join("home");
    std::fs::create_dir(&home).expect("mkdir");

    // Nothing under HOME and no variable: the error names the default place and the other spelling.
    let output = tokio::task::block_in_place(|| run_discover(&home, None));
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Library/Application Support/OsiriXGRPC/server_configs.json")
            && stderr.contains("OsirixGRPC/server_configs.json"),
        "{stderr}"
    );

    // The variable wins over HOME.
    let listed = dir.path().join("listed.json");
    served
        .emulator
        .write_server_configs(&listed)
        .expect("written");
    let output = tokio::task::block_in_place(|| run_discover(&home, Some(&listed)));
    assert!(output.status.success(), "{output:?}");
    assert_eq!(served.emulator.calls("OsirixVersion"), 1);

    // Each spelling of the folder under HOME.
    for (i, folder) in ["OsiriXGRPC", "OsirixGRPC"].into_iter().enumerate() {
        let home = dir.path().join(format!("home{i}"));
        let list: PathBuf = home
            .join("Library/Application Support")
            .join(folder)
            .join("server_configs.json");
        served
            .emulator
            .write_server_configs(&list)
            .expect("written");
        let output = tokio::task::block_in_place(|| run_discover(&home, None));
        assert!(output.status.success(), "{folder}: {output:?}");
        assert_eq!(served.emulator.calls("OsirixVersion"), 2 + i as u64);
    }
}
