//! `osirix-emulator`: serve a database folder, a read-only folder of DICOM files or a generated demo
//! database with OsiriX's OsiriXgrpc semantics.
//!
//! Prints exactly one line per address, `listening on <addr>`, on stdout once it accepts calls (and, with
//! `--write-server-configs`, after the server list is written); logs go to stderr (`RUST_LOG`, default `info`). Ctrl-C or SIGTERM shuts it down cleanly.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgGroup, Parser};
use osirix_emulator::demo::{self, DemoSpec};
use osirix_emulator::{
    Catalog, DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONCURRENT_STREAMS,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HEADER_LIST_SIZE, DEFAULT_PIXEL_MEMORY,
    DEFAULT_REQUEST_TIMEOUT, Emulator,
};
use tracing_subscriber::EnvFilter;

/// An OsiriXgrpc server with OsiriX's semantics over real DICOM files.
#[derive(Debug, Parser)]
#[command(version, about)]
#[command(group(ArgGroup::new("source").required(true).args(["database", "dicom_dir", "demo"])))]
struct Args {
    /// Own this database folder: start from the DICOM files it holds (it may be empty or new) and copy
    /// imported files into DIR/imported/.
    #[arg(long, value_name = "DIR")]
    database: Option<PathBuf>,
    /// Serve the DICOM files found (recursively) in this folder, read-only: imports are refused.
    #[arg(long, value_name = "DIR")]
    dicom_dir: Option<PathBuf>,
    /// Generate a demo database into this folder and own it (imports copy into DIR/imported/).
    #[arg(long, value_name = "DIR")]
    demo: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port); repeat it to serve the same state on several.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:50051", action = clap::ArgAction::Append)]
    addr: Vec<SocketAddr>,
    /// Once listening, write OsiriXgrpc's server list (server_configs.json) naming every --addr, each active,
    /// so that clients discover the emulator as they would OsiriX (the SDK's `Client::discover`, with
    /// OSIRIX_SERVER_CONFIGS=PATH or PATH at OsiriXgrpc's own place).
    #[arg(long, value_name = "PATH")]
    write_server_configs: Option<PathBuf>,
    /// Demo: number of studies.
    #[arg(long, default_value_t = DemoSpec::default().studies, requires = "demo")]
    studies: usize,
    /// Demo: series per study.
    #[arg(long, default_value_t = DemoSpec::default().series_per_study, requires = "demo")]
    series: usize,
    /// Demo: images per series.
    #[arg(long, default_value_t = DemoSpec::default().images_per_series, requires = "demo")]
    images: usize,
    /// Demo: seed of the generated values.
    #[arg(long, default_value_t = DemoSpec::default().seed, requires = "demo")]
    seed: u64,
    /// Demo: rows and columns of every image (at least 8).
    #[arg(long, default_value_t = DemoSpec::default().image_size, requires = "demo")]
    image_size: u16,
    /// Demo: add a study with a colour series and a multi-frame series.
    #[arg(long, requires = "demo")]
    colour_and_multi_frame: bool,
    /// Handle one call at a time, like OsiriX's main thread.
    #[arg(long)]
    serial: bool,
    /// The most bytes of decoded pixels nobody changed to keep; past it the least recently used are dropped
    /// and decoded again when asked for.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_PIXEL_MEMORY)]
    pixel_memory: usize,
    /// The most connections open at once; at the limit (or out of file descriptors) the connection waiting
    /// longest without a call is closed to make room, and a newcomer is refused only if every one is busy.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,
    /// The most calls (HTTP/2 streams) at once on one connection.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CONCURRENT_STREAMS)]
    max_concurrent_streams: u32,
    /// The largest request header list in bytes (path and metadata).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_HEADER_LIST_SIZE)]
    max_header_list_size: u32,
    /// Close a connection that has not sent the HTTP/2 preface within this time (e.g. 500ms, 10s, 5m, off).
    #[arg(long, value_name = "TIME", default_value_t = TimeLimit(Some(DEFAULT_HANDSHAKE_TIMEOUT)))]
    handshake_timeout: TimeLimit,
    /// Close a connection without a call in progress for this long.
    #[arg(long, value_name = "TIME", default_value_t = TimeLimit(Some(DEFAULT_IDLE_TIMEOUT)))]
    idle_timeout: TimeLimit,
    /// Answer CANCELLED to a call not answered within this time (a stalled call, a long wait in serial mode).
    #[arg(long, value_name = "TIME", default_value_t = TimeLimit(Some(DEFAULT_REQUEST_TIMEOUT)))]
    request_timeout: TimeLimit,
}

/// A time limit on the command line: a number with `ms`, `s`, `m` or `h`, or `off` for none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TimeLimit(Option<Duration>);

impl std::str::FromStr for TimeLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "off" {
            return Ok(TimeLimit(None));
        }
        let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let value: u64 = digits
            .parse()
            .map_err(|_| format!("{text:?} is not a time such as 500ms, 10s, 5m, 1h or off"))?;
        let unit = match &text[digits.len()..] {
            "ms" => Duration::from_millis(1),
            "s" => Duration::from_secs(1),
            "m" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(format!("{text:?} needs a unit: ms, s, m or h")),
        };
        let limit = unit
            .checked_mul(u32::try_from(value).map_err(|_| format!("{text:?} is too long"))?)
            .ok_or_else(|| format!("{text:?} is too long"))?;
        Ok(TimeLimit(Some(limit)))
    }
}

impl std::fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some(limit) = self.0 else {
            return f.write_str("off");
        };
        let ms = limit.as_millis();
        match ms {
            _ if ms % 3_600_000 == 0 && ms > 0 => write!(f, "{}h", ms / 3_600_000),
            _ if ms % 60_000 == 0 && ms > 0 => write!(f, "{}m", ms / 60_000),
            _ if ms % 1000 == 0 => write!(f, "{}s", ms / 1000),
            _ => write!(f, "{ms}ms"),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            // The DICOM crates log once per odd element, and a hostile file holds tens of thousands; the
            // catalogue warns once per skipped file, with the reason.
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,dicom_parser=error,dicom_object=error")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let mut message = error.to_string();
            let mut source = error.source();
            while let Some(cause) = source {
                message.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Waits for Ctrl-C (or SIGTERM on Unix).
async fn stop_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            result = tokio::signal::ctrl_c() => result,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}

async fn run(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let builder = if let Some(dir) = &args.demo {
        let spec = DemoSpec {
            studies: args.studies,
            series_per_study: args.series,
            images_per_series: args.images,
            seed: args.seed,
            image_size: args.image_size,
            colour_and_multi_frame: args.colour_and_multi_frame,
        };
        let started = std::time::Instant::now();
        let catalog = tokio::task::block_in_place(|| demo::generate(dir, &spec))?;
        tracing::info!(dir = %dir.display(), images = catalog.images().len(), elapsed = ?started.elapsed(), "generated the demo database");
        Emulator::builder(catalog).database_folder(std::path::absolute(dir)?)
    } else if let Some(dir) = &args.database {
        let builder = tokio::task::block_in_place(|| Emulator::open_database(dir))?;
        log_catalog(dir, builder.catalog(), "opened the database folder");
        builder
    } else if let Some(dir) = &args.dicom_dir {
        let catalog = tokio::task::block_in_place(|| Catalog::from_dir(dir))?;
        log_catalog(dir, &catalog, "read the DICOM folder (read-only)");
        Emulator::builder(catalog)
    } else {
        return Err("give --database DIR, --dicom-dir DIR or --demo DIR".into());
    };
    let emulator = builder
        .serial(args.serial)
        .pixel_memory(args.pixel_memory)
        .max_connections(args.max_connections)
        .max_concurrent_streams(args.max_concurrent_streams)
        .max_header_list_size(args.max_header_list_size)
        .handshake_timeout(args.handshake_timeout.0)
        .idle_timeout(args.idle_timeout.0)
        .request_timeout(args.request_timeout.0)
        .start_all(&args.addr)
        .await?;
    if let Some(path) = &args.write_server_configs {
        emulator.write_server_configs(path)?;
        tracing::info!(path = %path.display(), "wrote the server list");
    }
    {
        let mut stdout = std::io::stdout().lock();
        for addr in emulator.addrs() {
            writeln!(stdout, "listening on {addr}")?;
        }
        stdout.flush()?;
    }
    stop_signal().await?;
    tracing::info!("stop signal received, shutting down");
    emulator.shutdown().await?;
    Ok(())
}

/// Logs what a folder held.
fn log_catalog(dir: &std::path::Path, catalog: &Catalog, what: &str) {
    tracing::info!(
        dir = %dir.display(),
        studies = catalog.studies().len(),
        series = catalog.series().len(),
        images = catalog.images().len(),
        skipped = catalog.skipped(),
        "{what}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits_read_and_print_alike() {
        for (text, limit) in [
            ("500ms", Some(Duration::from_millis(500))),
            ("10s", Some(Duration::from_secs(10))),
            ("5m", Some(Duration::from_secs(300))),
            ("2h", Some(Duration::from_secs(7200))),
            ("0s", Some(Duration::ZERO)),
            ("off", None),
        ] {
            let parsed: TimeLimit = text.parse().expect(text);
            assert_eq!(parsed, TimeLimit(limit));
            assert_eq!(parsed.to_string(), text);
        }
        for bad in ["", "10", "ten s", "5d", "-1s", "99999999999h"] {
            assert!(bad.parse::<TimeLimit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_help_names_the_server_list_flag() {
        use clap::CommandFactory;
        let help = Args::command().render_long_help().to_string();
        assert!(help.contains("--write-server-configs <PATH>"), "{help}");
        let args = Args::try_parse_from([
            "osirix-emulator",
            "--demo",
            "d",
            "--write-server-configs",
            "/tmp/list.json",
        ])
        .expect("parses");
        assert_eq!(
            args.write_server_configs,
            Some(PathBuf::from("/tmp/list.json"))
        );
    }

    #[test]
    fn the_help_states_every_limit_with_its_default() {
        use clap::CommandFactory;
        let help = Args::command().render_help().to_string();
        for (flag, default) in [
            ("--max-connections", "4096"),
            ("--max-concurrent-streams", "1024"),
            ("--max-header-list-size", "16384"),
            ("--handshake-timeout", "10s"),
            ("--idle-timeout", "5m"),
            ("--request-timeout", "5m"),
            ("--pixel-memory", "536870912"),
        ] {
            let line = help
                .lines()
                .find(|line| line.trim_start().starts_with(flag))
                .unwrap_or_else(|| panic!("{flag} in {help}"));
            assert!(line.contains(&format!("[default: {default}]")), "{line}");
        }
    }
}
