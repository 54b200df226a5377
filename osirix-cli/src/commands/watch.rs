//! `osirix watch database|viewers|rois [VIEWER]`: what changes, one line per event as it happens, until
//! Ctrl-C, `--count` changes, or an error that ends the watch.
//!
//! A stream cannot be one JSON document, so `--json` prints one JSON object per line (JSON Lines), each with an
//! `"event"` field; the first is always `"initial"`, the listing the watch started from. In a table the initial
//! listing is one `present` line per object. A failed poll (the server down past the SDK's retries) is one
//! `osirix: ...` line on stderr and the watch goes on; a closed viewer ends an ROI watch with exit code 4.

use std::time::Duration;

use clap::{Args as ClapArgs, Subcommand};
use futures_util::StreamExt;
use osirix_sdk::watch::{DatabaseEvent, RoiEvent, RoiSnapshot, ViewerEvent, Watch, WatchConfig};
use osirix_sdk::{DicomSeries, DicomStudy, ViewerController};
use serde::Serialize;
use serde_json::{Value, json};

use crate::connect::Settings;
use crate::exit::{Context, Failure};
use crate::output::{self, Format};
use crate::{resolve, seconds};

/// `osirix watch`'s arguments.
#[derive(Debug, ClapArgs)]
pub(crate) struct Args {
    #[command(subcommand)]
    what: What,

    /// Seconds between two polls of the server (a poll is one list call; `rois` adds three reads per ROI).
    #[arg(long, global = true, value_name = "SECS", value_parser = seconds::parse, default_value = "1")]
    interval: Duration,

    /// Stop after this many changes (the initial listing is not counted) [default: run until Ctrl-C].
    #[arg(long, global = true, value_name = "N")]
    count: Option<u64>,
}

/// What to watch.
#[derive(Debug, Subcommand)]
enum What {
    /// Studies added to or removed from the database, and the series of new studies as they arrive.
    Database,
    /// 2D viewers opened and closed.
    Viewers,
    /// The ROIs of one viewer: added, removed, or changed (points, name, colour).
    Rois {
        /// The viewer: a uid as `osirix viewers` prints it [default: the frontmost viewer].
        viewer: Option<String>,
        /// The frame (movie index) whose ROIs are watched [default: the viewer's current frame].
        #[arg(long, value_name = "N")]
        frame: Option<u32>,
    },
}

/// What one event prints: its lines for a person (the initial listing is one line per object), and its one
/// JSON object for a program.
struct Printed {
    lines: Vec<Vec<String>>,
    json: Value,
    /// Whether this is the initial listing (which `--count` does not count).
    initial: bool,
}

impl Printed {
    /// A change: one line, one object.
    fn change(words: Vec<String>, json: Value) -> Self {
        Printed {
            lines: vec![words],
            json,
            initial: false,
        }
    }

    /// A kind of event this build does not know (the SDK's events are `non_exhaustive`): nothing to print.
    fn nothing() -> Self {
        Printed {
            lines: Vec::new(),
            json: Value::Null,
            initial: false,
        }
    }
}

/// Runs the watch `args` asks for, printing each event as it comes.
///
/// # Errors
/// Those of connecting (exit code 3) and of finding the viewer (4); an error that ends the watch (a closed
/// viewer: 4); a stdout that cannot be written.
pub(super) async fn run(settings: &Settings, args: &Args, format: Format) -> Result<(), Failure> {
    let client = settings.connect().await?;
    let config = WatchConfig::default().interval(args.interval);
    match &args.what {
        What::Database => {
            let watch = client.watch_database(config);
            follow(watch, "watching the database", args.count, format, database).await
        }
        What::Viewers => {
            let watch = client.watch_viewers(config);
            follow(watch, "watching the viewers", args.count, format, viewers).await
        }
        What::Rois { viewer, frame } => {
            let viewer = resolve::viewer(&client, viewer.as_deref()).await?;
            let frame = match frame {
                Some(frame) => *frame,
                None => viewer
                    .movie_idx()
                    .await
                    .context("reading the viewer's frame")?,
            };
            let what = format!("watching the ROIs of viewer {}", viewer.uid());
            let watch = viewer.watch_rois(frame, config);
            follow(watch, &what, args.count, format, |event| async move {
                rois(event)
            })
            .await
        }
    }
}

/// Prints the events of `watch` until it ends, `count` changes were printed, or Ctrl-C.
async fn follow<E, F, Fut>(
    mut watch: Watch<E>,
    what: &str,
    count: Option<u64>,
    format: Format,
    printed: F,
) -> Result<(), Failure>
where
    E: Send + 'static,
    F: Fn(E) -> Fut,
    Fut: Future<Output = Printed>,
{
    let mut changes = 0;
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    while count.is_none_or(|count| changes < count) {
        let event = tokio::select! {
            event = watch.next() => event,
            _ = &mut interrupted => return Ok(()),
        };
        match event {
            // The SDK ends a watch only after yielding the error that ended it.
            None => return Ok(()),
            Some(Ok(event)) => {
                let event = printed(event).await;
                if !event.initial {
                    changes += 1;
                }
                print(format, &event)?;
            }
            Some(Err(error)) if ends_watch(&error) => return Err(Failure::of_sdk(what, &error)),
            // The watch polls on (with backoff); the person at the terminal learns why nothing comes.
            Some(Err(error)) => eprintln!("osirix: {what}: {error}"),
        }
    }
    Ok(())
}

/// Whether the SDK ends a watch after `error`: the client closed, or the watched viewer went.
fn ends_watch(error: &osirix_sdk::Error) -> bool {
    matches!(
        error,
        osirix_sdk::Error::Closed { .. } | osirix_sdk::Error::StaleHandle { .. }
    )
}

/// Prints `event`, flushed, so that a reader sees it when it happens.
fn print(format: Format, event: &Printed) -> Result<(), Failure> {
    // An event of an unknown kind, or an empty initial listing in a table.
    if event.json.is_null() || (format == Format::Table && event.lines.is_empty()) {
        return Ok(());
    }
    let mut text = match format {
        Format::Json => event.json.to_string(),
        Format::Table => {
            let lines: Vec<String> = event.lines.iter().map(|words| words.join("  ")).collect();
            lines.join("\n")
        }
    };
    text.push('\n');
    output::write_stdout(&text)
}

/// An object as a watch line shows it: its uid and name (`null`, or `-` in a table, when OsiriX has none or it
/// could no longer be read: a removed object may be gone from the server).
#[derive(Serialize)]
struct Named {
    uid: String,
    name: Option<String>,
}

impl Named {
    fn words(&self, event: &str) -> Vec<String> {
        let name = self.name.clone().unwrap_or_else(|| "-".to_owned());
        vec![event.to_owned(), self.uid.clone(), name]
    }
}

async fn study(study: &DicomStudy) -> Named {
    Named {
        uid: study.uid().to_owned(),
        name: study.study_name().await.ok().flatten(),
    }
}

async fn series(series: &DicomSeries) -> Named {
    Named {
        uid: series.uid().to_owned(),
        name: series.name().await.ok(),
    }
}

async fn viewer(viewer: &ViewerController) -> Named {
    Named {
        uid: viewer.uid().to_owned(),
        name: viewer.title().await.ok(),
    }
}

/// The initial listing of `objects`: a `present` line each, and one `initial` object holding them as `key`.
fn initial(key: &str, objects: &[Named]) -> Printed {
    Printed {
        lines: objects
            .iter()
            .map(|object| object.words("present"))
            .collect(),
        json: json!({"event": "initial", key: objects}),
        initial: true,
    }
}

/// A change of one object.
fn change(event: &str, key: &str, object: &Named) -> Printed {
    Printed::change(object.words(event), json!({"event": event, key: object}))
}

async fn database(event: DatabaseEvent) -> Printed {
    match event {
        DatabaseEvent::Initial(studies) => {
            let mut named = Vec::with_capacity(studies.len());
            for one in &studies {
                named.push(study(one).await);
            }
            initial("studies", &named)
        }
        DatabaseEvent::Added(one) => change("added", "study", &study(&one).await),
        DatabaseEvent::Removed(one) => change("removed", "study", &study(&one).await),
        DatabaseEvent::SeriesAdded {
            study: of,
            series: one,
        } => series_change("series-added", &of, &series(&one).await),
        DatabaseEvent::SeriesRemoved {
            study: of,
            series: one,
        } => series_change("series-removed", &of, &series(&one).await),
        _ => Printed::nothing(),
    }
}

fn series_change(event: &str, study: &DicomStudy, series: &Named) -> Printed {
    let mut words = series.words(event);
    words.insert(1, study.uid().to_owned());
    Printed::change(
        words,
        json!({"event": event, "study": study.uid(), "series": series}),
    )
}

async fn viewers(event: ViewerEvent) -> Printed {
    match event {
        ViewerEvent::Initial(viewers) => {
            let mut named = Vec::with_capacity(viewers.len());
            for one in &viewers {
                named.push(viewer(one).await);
            }
            initial("viewers", &named)
        }
        ViewerEvent::Opened(one) => change("opened", "viewer", &viewer(&one).await),
        // A closed viewer's title can no longer be read.
        ViewerEvent::Closed(one) => change(
            "closed",
            "viewer",
            &Named {
                uid: one.uid().to_owned(),
                name: None,
            },
        ),
        _ => Printed::nothing(),
    }
}

/// An ROI as a watch line shows it: everything the watch compares.
#[derive(Serialize)]
struct RoiLine {
    uid: String,
    slice: u32,
    name: String,
    color: String,
    points: Vec<[f32; 2]>,
}

impl RoiLine {
    fn of(snapshot: &RoiSnapshot) -> Self {
        let c = snapshot.color;
        RoiLine {
            uid: snapshot.roi.uid().to_owned(),
            slice: snapshot.slice,
            name: snapshot.name.clone(),
            // As `osirix rois` prints it.
            color: format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b),
            points: snapshot.points.iter().map(|p| [p.column, p.row]).collect(),
        }
    }

    fn words(&self, event: &str) -> Vec<String> {
        vec![
            event.to_owned(),
            self.uid.clone(),
            format!("slice {}", self.slice),
            self.name.clone(),
            self.color.clone(),
            format!("{} points", self.points.len()),
        ]
    }
}

fn rois(event: RoiEvent) -> Printed {
    let one = |event: &str, snapshot: &RoiSnapshot| {
        let roi = RoiLine::of(snapshot);
        Printed::change(roi.words(event), json!({"event": event, "roi": roi}))
    };
    match event {
        RoiEvent::Initial(snapshots) => {
            let rois: Vec<RoiLine> = snapshots.iter().map(RoiLine::of).collect();
            Printed {
                lines: rois.iter().map(|roi| roi.words("present")).collect(),
                json: json!({"event": "initial", "rois": rois}),
                initial: true,
            }
        }
        RoiEvent::Added(snapshot) => one("added", &snapshot),
        RoiEvent::Removed(snapshot) => one("removed", &snapshot),
        RoiEvent::Changed { before, after } => {
            let (before, after) = (RoiLine::of(&before), RoiLine::of(&after));
            Printed::change(
                after.words("changed"),
                json!({"event": "changed", "before": before, "roi": after}),
            )
        }
        _ => Printed::nothing(),
    }
}
