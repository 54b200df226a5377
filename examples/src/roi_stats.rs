//! ROI statistics: open a series in a viewer, draw a mask and a polygon on one slice, and print what OsiriX
//! computes for them.
//!
//! ```text
//! cargo run -p examples --bin roi-stats                      # the embedded emulator on demo data
//! cargo run -p examples --bin roi-stats -- --url http://127.0.0.1:50051   # a running OsiriX
//! ```
//!
//! Against a real OsiriX it opens the first series of the first study in a new viewer window and leaves two
//! ROIs named `roi-stats mask` and `roi-stats polygon` on the middle slice (delete them in OsiriX, or run with
//! `--clean`).

use anyhow::{Context, bail};
use clap::Parser;
use osirix_emulator::Emulator;
use osirix_emulator::demo::{DemoSpec, generate};
use osirix_sdk::{Client, Mask, Point, Roi, RoiColor, RoiSpec, Shape};

#[derive(Debug, Parser)]
#[command(about = "Draws a mask and a polygon in a viewer and prints their statistics and areas")]
struct Args {
    /// An OsiriXgrpc server to use instead of the embedded emulator.
    #[arg(long)]
    url: Option<String>,
    /// Delete the two ROIs and close the viewer at the end.
    #[arg(long)]
    clean: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Kept alive while the example runs: the emulator and its demo files.
    let mut _served = None;
    let url = match args.url {
        Some(url) => url,
        None => {
            let dir = tempfile::tempdir().context("creating a temporary folder")?;
            let catalog = generate(dir.path(), &DemoSpec::DEFAULT).context("demo database")?;
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

    let browser = client.current_browser().await?;
    let Some(study) = browser.database_studies().await?.into_iter().next() else {
        bail!("the database has no study");
    };
    let Some(series) = study.series().await?.into_iter().next() else {
        bail!("the first study has no series");
    };
    let viewer = browser.open_viewer(&series).await?;
    let pix = viewer.pix_list(0).await?;
    let slice = pix.len() / 2;
    let shape = pix[slice].shape().await?;
    let spacing = pix[slice].spacing().await?;
    println!(
        "viewer {:?}: {} slices of {} × {} pixels, {:?} mm; drawing on slice {slice}",
        viewer.title().await?,
        pix.len(),
        shape.rows,
        shape.columns,
        spacing
    );

    // A mask: a filled square of an eighth of the image, at a quarter from the top-left corner.
    let side = (shape.rows.min(shape.columns) / 8).max(1);
    let mask = Mask::filled(
        Shape {
            rows: side,
            columns: side,
        },
        true,
    );
    let (quarter_c, quarter_r) = ((shape.columns / 4) as i32, (shape.rows / 4) as i32);
    let mask_spec = RoiSpec::mask(mask, quarter_c, quarter_r)?
        .name("roi-stats mask")
        .color(RoiColor::new(255, 255, 0))
        .opacity(0.5);
    // A closed polygon: a triangle in the lower right quarter.
    let (c, r) = (shape.columns as f32, shape.rows as f32);
    let polygon_spec = RoiSpec::polygon(
        vec![
            Point::new(0.55 * c, 0.55 * r),
            Point::new(0.9 * c, 0.6 * r),
            Point::new(0.7 * c, 0.9 * r),
        ],
        true,
    )?
    .name("roi-stats polygon");

    let mask_roi = viewer.new_roi(&mask_spec, slice as u32, 0).await?;
    let polygon_roi = viewer.new_roi(&polygon_spec, slice as u32, 0).await?;
    viewer.needs_display_update().await?;
    for roi in [&mask_roi, &polygon_roi] {
        report(roi).await?;
    }

    if args.clean {
        mask_roi.delete().await?;
        polygon_roi.delete().await?;
        viewer.close().await?;
    }
    Ok(())
}

async fn report(roi: &Roi) -> anyhow::Result<()> {
    let (name, kind, area, stats, values) = tokio::try_join!(
        roi.name(),
        roi.kind(),
        roi.area(),
        roi.stats(),
        roi.values()
    )?;
    println!(
        "{name} ({kind:?}): {area:.4} cm², {} pixels, mean {:.3}, std {:.3}, min {}, max {}, skewness {:.4}, \
         kurtosis {:.4}",
        values.len(),
        stats.mean,
        stats.std_dev,
        stats.min,
        stats.max,
        stats.skewness,
        stats.kurtosis
    );
    Ok(())
}
