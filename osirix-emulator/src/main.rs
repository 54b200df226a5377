//! `osirix-emulator`: serve a folder of DICOM files (or a generated demo database) with OsiriX's
//! OsiriXgrpc semantics.
//!
//! Prints exactly one line, `listening on <addr>`, on stdout once it accepts calls; logs go to stderr
//! (`RUST_LOG`, default `info`). Ctrl-C shuts it down cleanly.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use osirix_emulator::demo::{self, DemoSpec};
use osirix_emulator::{Catalog, Emulator};
use tracing_subscriber::EnvFilter;

/// An OsiriXgrpc server with OsiriX's semantics over real DICOM files.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Serve the DICOM files found (recursively) in this folder.
    #[arg(
        long,
        value_name = "DIR",
        required_unless_present = "demo",
        conflicts_with = "demo"
    )]
    dicom_dir: Option<PathBuf>,
    /// Generate a demo database into this folder and serve it.
    #[arg(long, value_name = "DIR")]
    demo: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:50051")]
    addr: SocketAddr,
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
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
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
    let catalog = match (&args.demo, &args.dicom_dir) {
        (Some(dir), _) => {
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
            catalog
        }
        (None, Some(dir)) => {
            let catalog = tokio::task::block_in_place(|| Catalog::from_dir(dir))?;
            tracing::info!(
                dir = %dir.display(),
                studies = catalog.studies().len(),
                series = catalog.series().len(),
                images = catalog.images().len(),
                skipped = catalog.skipped(),
                "read the DICOM folder"
            );
            catalog
        }
        (None, None) => return Err("give --dicom-dir DIR or --demo DIR".into()),
    };
    let emulator = Emulator::builder(catalog)
        .serial(args.serial)
        .start(args.addr)
        .await?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on {}", emulator.addr())?;
        stdout.flush()?;
    }
    stop_signal().await?;
    tracing::info!("stop signal received, shutting down");
    emulator.shutdown().await?;
    Ok(())
}
