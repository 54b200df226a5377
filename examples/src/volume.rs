//! A viewer's volume: every slice of one frame fetched concurrently into one buffer, with its geometry.
//!
//! ```text
//! cargo run -p examples --bin volume                      # the embedded emulator on demo data
//! cargo run -p examples --bin volume -- --url http://127.0.0.1:50051   # the front-most viewer of OsiriX
//! ```

use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use osirix_emulator::Emulator;
use osirix_emulator::demo::{DemoSpec, generate};
use osirix_sdk::Client;

#[derive(Debug, Parser)]
#[command(about = "Fetches a viewer's volume and prints its shape, spacing and intensity range")]
struct Args {
    /// An OsiriXgrpc server whose front-most viewer to read, instead of the embedded emulator.
    #[arg(long)]
    url: Option<String>,
    /// The frame of a 4D viewer.
    #[arg(long, default_value_t = 0)]
    frame: u32,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Kept alive while the example runs: the emulator and its demo files.
    let mut _served = None;
    let url = match &args.url {
        Some(url) => url.clone(),
        None => {
            let dir = tempfile::tempdir().context("creating a temporary folder")?;
            let spec = DemoSpec {
                images_per_series: 40,
                image_size: 256,
                ..DemoSpec::DEFAULT
            };
            let catalog = generate(dir.path(), &spec).context("demo database")?;
            let emulator = Emulator::builder(catalog)
                .start("127.0.0.1:0".parse()?)
                .await
                .context("starting the emulator")?;
            let url = emulator.url();
            _served = Some((emulator, dir));
            url
        }
    };
    let client = Client::connect(url).await.context("connecting")?;

    let viewer = match (&args.url, client.frontmost_viewer().await?) {
        (Some(_), Some(viewer)) => viewer,
        (Some(_), None) => bail!("OsiriX shows no 2D viewer"),
        (None, _) => {
            let browser = client.current_browser().await?;
            let Some(study) = browser.database_studies().await?.into_iter().next() else {
                bail!("the database has no study");
            };
            let Some(series) = study.series().await?.into_iter().next() else {
                bail!("the first study has no series");
            };
            browser.open_viewer(&series).await?
        }
    };

    let started = Instant::now();
    let volume = viewer.volume(args.frame).await?;
    let elapsed = started.elapsed();
    let (min, max) = volume
        .data
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let megabytes = (volume.data.len() * size_of::<f32>()) as f64 / 1e6;
    println!("viewer {:?}, frame {}", viewer.title().await?, args.frame);
    println!(
        "shape: {} slices × {} rows × {} columns",
        volume.slices, volume.shape.rows, volume.shape.columns
    );
    println!(
        "spacing: {} mm between rows, {} mm between columns; origin {:?}",
        volume.spacing.rows, volume.spacing.columns, volume.origin
    );
    println!("normal: {:?}", volume.orientation.normal);
    if let (Some(first), Some(last)) = (
        volume.slice_locations.first(),
        volume.slice_locations.last(),
    ) {
        println!("slice locations: {first} … {last} mm");
    }
    println!("intensity range: {min} … {max}");
    println!(
        "fetched {megabytes:.1} MB in {:.1} ms ({:.0} MB/s)",
        elapsed.as_secs_f64() * 1e3,
        megabytes / elapsed.as_secs_f64()
    );
    Ok(())
}
