//! Quickstart: walk an OsiriX database with the typed SDK, with no OsiriX needed.
//!
//! ```text
//! cargo run --release -p examples --bin quickstart
//! ```
//!
//! 1. generates a small demo database (4 studies × 3 series × 10 DICOM files) in a temporary folder;
//! 2. serves it with the embedded emulator on a free loopback port (against a real OsiriX, skip this and
//!    connect to `http://127.0.0.1:50051`);
//! 3. connects the SDK and walks studies → series → images, printing one row per series;
//! 4. prints the cache statistics, walks again and shows that the second walk came from the cache;
//! 5. opens the first series in a 2D viewer and prints the shape and intensity range of its current slice.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use osirix_emulator::Emulator;
use osirix_emulator::demo::{DemoSpec, generate};
use osirix_sdk::{CacheStats, Client, PixelImage};

/// One printed row: a series with its study and patient.
struct Row {
    patient: String,
    study: String,
    description: String,
    modality: String,
    images: u32,
    first_path: String,
    last_path: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // 1. A demo database. `generate` writes real DICOM files and returns the catalogue the emulator serves.
    let dir = tempfile::tempdir().context("creating a temporary folder")?;
    let spec = DemoSpec {
        studies: 4,
        series_per_study: 3,
        images_per_series: 10,
        seed: 1,
        ..DemoSpec::DEFAULT
    };
    let catalog = generate(dir.path(), &spec).context("generating the demo database")?;

    // 2. The emulator, on a free port of 127.0.0.1.
    let emulator = Emulator::builder(catalog)
        .start("127.0.0.1:0".parse()?)
        .await
        .context("starting the emulator")?;
    println!(
        "emulator listening on {}, serving {}",
        emulator.url(),
        dir.path().display()
    );

    // 3. The SDK: one client, cheap to clone, with a response cache (64 MiB by default).
    let client = Client::connect(emulator.url())
        .await
        .context("connecting")?;

    let started = Instant::now();
    let rows = walk(&client).await?;
    let first_walk = started.elapsed();
    let first_rpcs = emulator.total_calls();
    print_table(&rows, dir.path());

    // 4. The cache: every series, study and image attribute read above is now cached (per client).
    client.sync_cache().await;
    println!();
    print_stats(
        "after the first walk",
        client.cache_stats(),
        first_rpcs,
        first_walk,
    );

    emulator.reset_counters();
    let started = Instant::now();
    let again = walk(&client).await?;
    let second_walk = started.elapsed();
    anyhow::ensure!(
        again.len() == rows.len(),
        "the second walk saw the same series"
    );
    print_stats(
        "after the second walk",
        client.cache_stats(),
        emulator.total_calls(),
        second_walk,
    );
    println!(
        "the second walk sent only the browser's calls (never cached: they follow the OsiriX window); every \
         attribute came from the cache"
    );

    // 5. A viewer: open one series as a double-click does, and read the pixels of the slice it shows.
    println!();
    view_one_series(&client).await?;

    emulator.shutdown().await.context("stopping the emulator")?;
    Ok(())
}

/// Studies → series → images: the patient and study of each series, its summary (all scalar attributes in one
/// round trip), and the paths of its first and last image in OsiriX's sorted order.
async fn walk(client: &Client) -> osirix_sdk::Result<Vec<Row>> {
    let browser = client.current_browser().await?;
    let mut rows = Vec::new();
    for study in browser.database_studies().await? {
        let patient = study
            .patient_name()
            .await?
            .unwrap_or_else(|| "(no name)".into());
        let study_name = study.study_name().await?.unwrap_or_default();
        let mut series_list = study.series().await?;
        // The server's order is unspecified; sort by series date for a stable table.
        let mut dated = Vec::with_capacity(series_list.len());
        for series in series_list.drain(..) {
            dated.push((series.date().await?, series));
        }
        dated.sort_by_key(|(date, _)| *date);
        for (_, series) in dated {
            let summary = series.summary().await?;
            let images = series.sorted_images().await?;
            let (first_path, last_path) = match (images.first(), images.last()) {
                (Some(first), Some(last)) => {
                    (first.complete_path().await?, last.complete_path().await?)
                }
                _ => Default::default(),
            };
            rows.push(Row {
                patient: patient.clone(),
                study: study_name.clone(),
                description: summary
                    .series_description
                    .unwrap_or_else(|| "(none)".into()),
                modality: summary.modality,
                images: summary.number_of_images,
                first_path,
                last_path,
            });
        }
    }
    Ok(rows)
}

/// Opens the first series of the first study in a viewer and prints its current slice's shape and range.
async fn view_one_series(client: &Client) -> anyhow::Result<()> {
    let browser = client.current_browser().await?;
    let Some(study) = browser.database_studies().await?.into_iter().next() else {
        anyhow::bail!("the database has no study");
    };
    let Some(series) = study.series().await?.into_iter().next() else {
        anyhow::bail!("the first study has no series");
    };
    let viewer = browser.open_viewer(&series).await?;
    let (pix, idx, slices) = (
        viewer.cur_dcm().await?,
        viewer.idx().await?,
        viewer.pix_list(0).await?.len(),
    );
    let image = pix.image().await?;
    let shape = image.shape();
    let range = match &image {
        PixelImage::Grey(plane) => {
            let (min, max) = plane
                .iter()
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                });
            format!("intensities {min} to {max}")
        }
        // A colour slice: the range of its red, green and blue bytes.
        PixelImage::Argb(plane) => {
            let (min, max) = plane
                .iter()
                .flat_map(|argb| argb[1..].iter().copied())
                .fold((u8::MAX, u8::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
            format!("RGB values {min} to {max}")
        }
        _ => "pixels of an unknown kind".to_owned(),
    };
    println!(
        "viewer {:?}: slice {idx} of {slices} is {} rows × {} columns, {range}",
        viewer.title().await?,
        shape.rows,
        shape.columns
    );
    Ok(())
}

fn print_table(rows: &[Row], root: &Path) {
    println!("(image paths relative to {})", root.display());
    let relative = |path: &str| {
        Path::new(path)
            .strip_prefix(root)
            .map_or_else(|_| path.to_owned(), |p| p.display().to_string())
    };
    println!(
        "{:<22} {:<18} {:<16} {:<4} {:>6}  {:<32} last image",
        "patient", "study", "series", "mod", "images", "first image"
    );
    println!("{}", "-".repeat(138));
    for row in rows {
        println!(
            "{:<22} {:<18} {:<16} {:<4} {:>6}  {:<32} {}",
            row.patient,
            row.study,
            row.description,
            row.modality,
            row.images,
            relative(&row.first_path),
            relative(&row.last_path)
        );
    }
}

fn print_stats(when: &str, stats: CacheStats, rpcs: u64, elapsed: Duration) {
    println!(
        "cache {when}: {} hits, {} misses, {} coalesced, {} entries, {} bytes; {rpcs} RPCs sent, {:.1} ms",
        stats.hits,
        stats.misses,
        stats.coalesced,
        stats.entries,
        stats.weighted_bytes,
        elapsed.as_secs_f64() * 1e3
    );
}
