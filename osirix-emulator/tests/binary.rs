//! The `osirix-emulator` binary: generates a demo database, prints `listening on <addr>`, serves calls.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use osirix_emulator::proto::Empty;
use osirix_emulator::proto::osiri_x_service_client::OsiriXServiceClient;

/// Kills the child on drop, so a failing test leaves no process behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_serves_a_demo_database() {
    let dir = tempfile::tempdir().expect("dir");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_osirix-emulator"))
            .arg("--demo")
            .arg(dir.path())
            .args([
                "--addr",
                "127.0.0.1:0",
                "--studies",
                "2",
                "--series",
                "2",
                "--images",
                "3",
                "--image-size",
                "16",
                "--colour-and-multi-frame",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    });
    let line = tokio::time::timeout(osirix_emulator::testing::PATIENCE, line)
        .await
        .expect("not hung")
        .expect("task")
        .expect("read");
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"));
    let addr: std::net::SocketAddr = addr.parse().expect("an address");
    let mut client = OsiriXServiceClient::connect(format!("http://{addr}"))
        .await
        .expect("connect");
    let browser = client
        .osirix_current_browser(Empty {})
        .await
        .expect("rpc")
        .into_inner()
        .browser_controller
        .expect("browser");
    let studies = client
        .browser_controller_database_studies(browser)
        .await
        .expect("rpc")
        .into_inner()
        .studies;
    assert_eq!(
        studies.len(),
        3,
        "two studies and the colour/multi-frame one"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        3,
        "one folder per study"
    );
    let images = client
        .dicom_study_images(studies[0].clone())
        .await
        .expect("rpc")
        .into_inner()
        .images;
    let width = client
        .dicom_image_width(images[0].clone())
        .await
        .expect("rpc")
        .into_inner()
        .width;
    assert_eq!(width, 16, "--image-size");
}

#[test]
fn the_binary_needs_a_source() {
    let output = Command::new(env!("CARGO_BIN_EXE_osirix-emulator"))
        .output()
        .expect("run");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
}

/// Reads `count` lines from the child's stdout (bounded by PATIENCE).
async fn lines(child: &mut Child, count: usize) -> Vec<String> {
    let stdout = child.0.stdout.take().expect("stdout");
    let read = tokio::task::spawn_blocking(move || {
        let mut reader = BufReader::new(stdout);
        (0..count)
            .map(|_| {
                let mut line = String::new();
                reader.read_line(&mut line).map(|_| line)
            })
            .collect::<Result<Vec<_>, _>>()
    });
    tokio::time::timeout(osirix_emulator::testing::PATIENCE, read)
        .await
        .expect("not hung")
        .expect("task")
        .expect("read")
}

#[tokio::test]
async fn the_binary_owns_a_database_and_serves_it_on_every_address() {
    let database = tempfile::tempdir().expect("dir");
    let source = tempfile::tempdir().expect("dir");
    let demo = osirix_emulator::demo::generate(
        source.path(),
        &osirix_emulator::demo::DemoSpec {
            studies: 1,
            series_per_study: 1,
            images_per_series: 2,
            image_size: 16,
            ..osirix_emulator::demo::DemoSpec::DEFAULT
        },
    )
    .expect("demo files");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_osirix-emulator"))
            .arg("--database")
            .arg(database.path())
            .args(["--addr", "127.0.0.1:0", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn"),
    );
    let addrs: Vec<std::net::SocketAddr> = lines(&mut child, 2)
        .await
        .iter()
        .map(|line| {
            line.trim()
                .strip_prefix("listening on ")
                .unwrap_or_else(|| panic!("unexpected line {line:?}"))
                .parse()
                .expect("an address")
        })
        .collect();
    assert_ne!(addrs[0], addrs[1]);
    let mut first = OsiriXServiceClient::connect(format!("http://{}", addrs[0]))
        .await
        .expect("connect");
    let mut second = OsiriXServiceClient::connect(format!("http://{}", addrs[1]))
        .await
        .expect("connect");
    let browser = first
        .osirix_current_browser(Empty {})
        .await
        .expect("rpc")
        .into_inner()
        .browser_controller
        .expect("browser");
    let reply = first
        .browser_controller_copy_files_if_needed(
            osirix_emulator::proto::BrowserControllerCopyFilesIfNeededRequest {
                browser: Some(browser.clone()),
                paths: demo.images().iter().map(|i| i.path.clone()).collect(),
            },
        )
        .await
        .expect("rpc")
        .into_inner();
    assert_eq!(reply.status.expect("status").status, 1);
    // The import shows up on the other address, in the database folder.
    let started = std::time::Instant::now();
    loop {
        let studies = second
            .browser_controller_database_studies(browser.clone())
            .await
            .expect("rpc")
            .into_inner()
            .studies;
        if studies.len() == 1 {
            break;
        }
        assert!(started.elapsed() < osirix_emulator::testing::PATIENCE);
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let copies = std::fs::read_dir(database.path().join("imported"))
        .expect("the import folder")
        .count();
    assert_eq!(copies, 2);
}
