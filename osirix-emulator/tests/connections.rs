//! Hostile clients: silent sockets, idle and stalled connections, oversized headers and more connections than
//! the process has file descriptors cannot keep legitimate calls from being served.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::proto::Empty;
use osirix_emulator::proto::osiri_x_service_client::OsiriXServiceClient;
use osirix_emulator::testing::*;
use osirix_emulator::{Emulator, EmulatorBuilder, RunningEmulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Kills the child on drop, so a failing test leaves no process behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An `OsirixVersion` call on a fresh connection to `addr`, bounded by `limit`.
async fn version_at(addr: std::net::SocketAddr, limit: Duration) -> Result<(), String> {
    let call = async {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|e| e.to_string())?
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        OsiriXServiceClient::new(channel)
            .osirix_version(Empty {})
            .await
            .map(drop)
            .map_err(|e| e.to_string())
    };
    tokio::time::timeout(limit, call)
        .await
        .unwrap_or_else(|_| Err(format!("no answer within {limit:?}")))
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_served_while_more_silent_sockets_are_open_than_descriptors() {
    let dir = tempfile::tempdir().expect("dir");
    let command = "ulimit -n 128 && exec \"$0\" --demo \"$1\" --addr 127.0.0.1:0 --studies 1 --series 1 --images 2";
    let mut child = Child(
        Command::new("sh")
            .arg("-c")
            .arg(command)
            .arg(env!("CARGO_BIN_EXE_osirix-emulator"))
            .arg(dir.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn"),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read");
    let addr: std::net::SocketAddr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .parse()
        .expect("an address");
    let mut stderr = child.0.stderr.take().expect("stderr");
    let log = std::thread::spawn(move || {
        let mut log = String::new();
        let _ = stderr.read_to_string(&mut log);
        log
    });

    // More silent sockets than the emulator has descriptors: they connect and never say anything. (Few enough
    // for the test process itself under macOS's default limit of 256.)
    let started = Instant::now();
    let mut silent = Vec::new();
    for _ in 0..160 {
        silent.push(tokio::net::TcpStream::connect(addr).await.expect("connect"));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for attempt in 0..5 {
        version_at(addr, Duration::from_secs(20))
            .await
            .unwrap_or_else(|e| panic!("call {attempt} beside 160 silent sockets: {e}"));
    }
    let elapsed = started.elapsed();
    drop(silent);
    drop(child);
    let log = log.join().expect("log");
    // The accept loop backs off and folds its warnings: at most one every few seconds, not one per failure.
    let warnings = log.lines().filter(|l| l.contains("accept failed")).count();
    let allowed = 2 + elapsed.as_secs() as usize / 5;
    assert!(
        warnings <= allowed,
        "{warnings} accept warnings in {elapsed:?}:\n{log}"
    );
}

/// A one-study demo emulator with `options`, and its folder.
async fn emulator(
    options: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder,
) -> (RunningEmulator, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("dir");
    let spec = DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 2,
        seed: 4,
        ..DemoSpec::DEFAULT
    };
    let catalog = generate(dir.path(), &spec).expect("demo");
    let emu = options(Emulator::builder(catalog))
        .start(loopback())
        .await
        .expect("starts");
    (emu, dir)
}

/// The HTTP/2 connection preface and an empty SETTINGS frame: what a client says first.
const GREETING: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// Reads until the server closes `socket` (end of stream or an error), within [`PATIENCE`].
async fn closed_by_the_server(socket: &mut TcpStream) -> bool {
    let read_to_end = async {
        let mut buf = [0u8; 4096];
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(PATIENCE, read_to_end).await.is_ok()
}

#[tokio::test]
async fn a_connection_that_never_sends_the_preface_is_closed_after_the_handshake_timeout() {
    let (emu, _dir) = emulator(|b| {
        b.handshake_timeout(Some(Duration::from_millis(200)))
            .idle_timeout(None)
    })
    .await;
    let mut silent = TcpStream::connect(emu.addr()).await.expect("connect");
    let mut greeted = TcpStream::connect(emu.addr()).await.expect("connect");
    greeted.write_all(GREETING).await.expect("write");
    assert!(
        closed_by_the_server(&mut silent).await,
        "the silent socket is closed"
    );
    // The one that greeted is still open: its read waits (here for half a second) for frames that never come.
    let mut buf = [0u8; 256];
    let waited = tokio::time::timeout(Duration::from_millis(500), async {
        loop {
            match greeted.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(
        waited.is_err(),
        "the connection that sent its preface stays open"
    );
    version_at(emu.addr(), PATIENCE).await.expect("served");
}

#[tokio::test]
async fn an_idle_connection_is_closed_and_one_with_a_call_in_progress_is_not() {
    let (emu, _dir) = emulator(|b| {
        b.idle_timeout(Some(Duration::from_millis(300)))
            .handshake_timeout(None)
    })
    .await;
    let mut idle = TcpStream::connect(emu.addr()).await.expect("connect");
    idle.write_all(GREETING).await.expect("write");
    assert!(
        closed_by_the_server(&mut idle).await,
        "the idle connection is closed"
    );
    // A call that takes four idle timeouts keeps its connection open and is answered.
    emu.faults().set_latency(Some(Duration::from_millis(1200)));
    version_at(emu.addr(), PATIENCE).await.expect("served");
}

/// A gRPC request of `path` whose message never comes: headers only, the stream left open.
fn stalled_request(path: &str) -> http::Request<()> {
    http::Request::builder()
        .method("POST")
        .uri(format!("http://localhost{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(())
        .expect("request")
}

#[tokio::test]
async fn stalled_calls_are_answered_after_the_request_timeout_and_streams_are_limited() {
    let (emu, _dir) = emulator(|b| {
        b.request_timeout(Some(Duration::from_millis(300)))
            .max_concurrent_streams(8)
    })
    .await;
    let tcp = TcpStream::connect(emu.addr()).await.expect("connect");
    let (client, connection) = h2::client::Builder::new()
        .handshake::<_, &'static [u8]>(tcp)
        .await
        .expect("HTTP/2 handshake");
    tokio::spawn(connection);
    let mut client = client.ready().await.expect("ready");
    let mut answers = Vec::new();
    let mut streams = Vec::new();
    for _ in 0..8 {
        client = client.ready().await.expect("ready");
        let (answer, stream) = client
            .send_request(
                stalled_request("/osirixgrpc.OsiriXService/OsirixVersion"),
                false,
            )
            .expect("send headers");
        answers.push(answer);
        // Kept open: the message never comes.
        streams.push(stream);
    }
    for answer in answers {
        let answer = tokio::time::timeout(PATIENCE, answer)
            .await
            .expect("a stalled call is answered")
            .expect("an answer");
        // CANCELLED, in the headers of a trailers-only answer.
        assert_eq!(
            answer.headers().get("grpc-status").map(|v| v.as_bytes()),
            Some(&b"1"[..])
        );
    }
    // The server's SETTINGS came before its answers.
    assert_eq!(client.current_max_send_streams(), 8, "the server's limit");
    assert_eq!(emu.calls("OsirixVersion"), 8);
}

#[tokio::test]
async fn request_headers_are_limited_in_size() {
    let (emu, _dir) = emulator(|b| b.max_header_list_size(2048)).await;
    let call_with = |bytes: usize| {
        let url = emu.url();
        async move {
            let channel = tonic::transport::Endpoint::from_shared(url)
                .expect("url")
                .connect()
                .await
                .expect("connects");
            let mut request = tonic::Request::new(Empty {});
            request
                .metadata_mut()
                .insert("x-padding", "p".repeat(bytes).parse().expect("ascii"));
            OsiriXServiceClient::new(channel)
                .osirix_version(request)
                .await
        }
    };
    call_with(512).await.expect("small headers pass");
    call_with(4096)
        .await
        .expect_err("headers over the limit are refused");
    // The default passes what a client sends, a long bearer token included.
    let (emu, _dir) = emulator(|b| b).await;
    let channel = tonic::transport::Endpoint::from_shared(emu.url())
        .expect("url")
        .connect()
        .await
        .expect("connects");
    let mut request = tonic::Request::new(Empty {});
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {}", "t".repeat(8192))
            .parse()
            .expect("ascii"),
    );
    OsiriXServiceClient::new(channel)
        .osirix_version(request)
        .await
        .expect("8 KiB of metadata pass by default");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_connection_limit_silent_connections_make_way_and_busy_ones_stay() {
    let (emu, _dir) = emulator(|b| b.max_connections(4)).await;
    let mut silent = Vec::new();
    for _ in 0..4 {
        silent.push(TcpStream::connect(emu.addr()).await.expect("connect"));
    }
    // Each new client makes one silent socket go, the oldest first.
    version_at(emu.addr(), PATIENCE).await.expect("served");
    assert!(closed_by_the_server(&mut silent[0]).await);

    // Four calls in progress fill the limit; a fifth connection is refused and the four are answered.
    emu.faults().set_latency(Some(Duration::from_millis(1500)));
    let busy: Vec<_> = (0..4)
        .map(|_| tokio::spawn(version_at(emu.addr(), PATIENCE)))
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let refused = version_at(emu.addr(), Duration::from_secs(1)).await;
    assert!(refused.is_err(), "no room beside four calls in progress");
    for call in busy {
        call.await
            .expect("task")
            .expect("a call in progress is never cut");
    }
    emu.faults().set_latency(None);
    version_at(emu.addr(), PATIENCE).await.expect("room again");
}
