//! Every study and series of an OsiriXgrpc server (a real OsiriX or the emulator) with every typed attribute.
//!
//! ```text
//! cargo run --release -p examples --bin series-report -- --addr http://127.0.0.1:50051 [--json]
//! ```
//!
//! As text: one block per study (its attributes), then one block per series (its attributes). With `--json`:
//! one JSON object per line per series, one key per `DicomSeries` accessor (handles as their uid, `null` for
//! an absent value) plus `uid` (the series handle); an accessor that failed has `{"error": "..."}` as its value,
//! so one failing call never hides the others.

use std::fmt::{Display, Write as _};
use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use osirix_sdk::chrono::NaiveDateTime;
use osirix_sdk::{Client, DicomImage, DicomSeries, DicomStudy};
use serde_json::{Value, json};

/// Prints every study and series of an OsiriXgrpc server with every typed attribute.
#[derive(Debug, Parser)]
#[command(about)]
struct Args {
    /// The server, e.g. `http://127.0.0.1:50051` (OsiriX's default).
    #[arg(long)]
    addr: String,
    /// One JSON object per line per series instead of the text report.
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): not an error of the report.
        Err(err)
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("series-report: {}", chain(err.as_ref()));
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> anyhow::Result<()> {
    let client = Client::connect(&args.addr).await?;
    let studies = client.current_browser().await?.database_studies().await?;
    let mut out = std::io::stdout().lock();
    for study in &studies {
        let series = study.series().await?;
        if args.json {
            for one in &series {
                writeln!(out, "{}", series_json(one).await)?;
            }
        } else {
            write!(out, "{}", study_text(study, series.len()).await)?;
            for one in &series {
                write!(out, "{}", series_text(one).await)?;
            }
            writeln!(out)?;
        }
    }
    if !args.json {
        writeln!(out, "{} studies", studies.len())?;
    }
    Ok(())
}

/// The error and its causes, `: `-separated (the SDK's `Display` names only its own layer).
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// ISO 8601, as JSON has no date type.
fn iso(date: &NaiveDateTime) -> String {
    date.format("%Y-%m-%dT%H:%M:%S%.f").to_string()
}

/// An accessor's value as JSON, or `{"error": "..."}`.
fn to_json<T>(result: osirix_sdk::Result<T>, convert: impl FnOnce(T) -> Value) -> Value {
    match result {
        Ok(value) => convert(value),
        Err(err) => json!({ "error": chain(&err) }),
    }
}

/// Every accessor of one series, each result kept: one failing call never hides the others.
struct SeriesReadings {
    uid: osirix_sdk::Result<String>,
    sop_class: osirix_sdk::Result<String>,
    description: osirix_sdk::Result<Option<String>>,
    modality: osirix_sdk::Result<String>,
    name: osirix_sdk::Result<String>,
    date: osirix_sdk::Result<NaiveDateTime>,
    count: osirix_sdk::Result<u32>,
    paths: osirix_sdk::Result<Vec<String>>,
    sorted: osirix_sdk::Result<Vec<DicomImage>>,
    images: osirix_sdk::Result<Vec<DicomImage>>,
    next: osirix_sdk::Result<Option<DicomSeries>>,
    previous: osirix_sdk::Result<Option<DicomSeries>>,
    study: osirix_sdk::Result<DicomStudy>,
}

impl SeriesReadings {
    /// Calls every accessor concurrently (each is one RPC, or a cache hit).
    async fn read(series: &DicomSeries) -> Self {
        let (uid, sop_class, description, modality, name, date, count) = tokio::join!(
            series.series_instance_uid(),
            series.series_sop_class_uid(),
            series.series_description(),
            series.modality(),
            series.name(),
            series.date(),
            series.number_of_images(),
        );
        let (paths, sorted, images, next, previous, study) = tokio::join!(
            series.paths(),
            series.sorted_images(),
            series.images(),
            series.next_series(),
            series.previous_series(),
            series.study(),
        );
        Self {
            uid,
            sop_class,
            description,
            modality,
            name,
            date,
            count,
            paths,
            sorted,
            images,
            next,
            previous,
            study,
        }
    }
}

/// One series as one JSON object.
async fn series_json(series: &DicomSeries) -> Value {
    let r = SeriesReadings::read(series).await;
    let handles = |list: Vec<DicomImage>| json!(list.iter().map(|i| i.uid()).collect::<Vec<_>>());
    let series_uid = |s: Option<DicomSeries>| json!(s.map(|s| s.uid().to_owned()));
    json!({
        "uid": series.uid(),
        "series_instance_uid": to_json(r.uid, Value::from),
        "series_sop_class_uid": to_json(r.sop_class, Value::from),
        "series_description": to_json(r.description, Value::from),
        "modality": to_json(r.modality, Value::from),
        "name": to_json(r.name, Value::from),
        "date": to_json(r.date, |d| Value::from(iso(&d))),
        "number_of_images": to_json(r.count, Value::from),
        "paths": to_json(r.paths, Value::from),
        "sorted_images": to_json(r.sorted, handles),
        "images": to_json(r.images, handles),
        "next_series": to_json(r.next, series_uid),
        "previous_series": to_json(r.previous, series_uid),
        "study": to_json(r.study, |s| Value::from(s.uid())),
    })
}

/// A value, `-` for an absent one, or `error: ...`.
fn show<T: Display>(result: osirix_sdk::Result<Option<T>>) -> String {
    match result {
        Ok(Some(value)) => value.to_string(),
        Ok(None) => "-".into(),
        Err(err) => format!("error: {}", chain(&err)),
    }
}

/// A list as its length and first element.
fn show_list<T>(result: osirix_sdk::Result<Vec<T>>, item: impl Fn(&T) -> String) -> String {
    match result {
        Ok(list) => match list.first() {
            Some(first) => format!("{} (first: {})", list.len(), item(first)),
            None => "0".into(),
        },
        Err(err) => format!("error: {}", chain(&err)),
    }
}

async fn study_text(study: &DicomStudy, series: usize) -> String {
    let (
        patient,
        patient_id,
        patient_uid,
        sex,
        birth,
        name,
        instance_uid,
        date,
        added,
        institution,
    ) = tokio::join!(
        study.patient_name(),
        study.patient_id(),
        study.patient_uid(),
        study.patient_sex(),
        study.date_of_birth(),
        study.study_name(),
        study.study_instance_uid(),
        study.date(),
        study.date_added(),
        study.institution_name(),
    );
    let (modality, modalities, performing, referring, images, files, raw_files, paths, all_images) = tokio::join!(
        study.modality(),
        study.modalities(),
        study.performing_physician(),
        study.referring_physician(),
        study.number_of_images(),
        study.number_of_files(),
        study.raw_number_of_files(),
        study.paths(),
        study.images(),
    );
    let mut text = format!("study {} ({series} series)\n", study.uid());
    let fields = [
        ("patient name", show(patient)),
        ("patient id", show(patient_id)),
        ("patient uid", show(patient_uid)),
        ("patient sex", show(sex)),
        ("date of birth", show(birth)),
        ("study name", show(name)),
        ("study instance uid", show(instance_uid)),
        ("date", show(date)),
        ("date added", show(added)),
        ("institution", show(institution)),
        ("modality", show(modality)),
        ("modalities", show(modalities)),
        ("performing physician", show(performing)),
        ("referring physician", show(referring)),
        ("number of images", show(images)),
        ("number of files", show(files)),
        ("raw number of files", show(raw_files)),
        ("paths", show_list(paths, Clone::clone)),
        ("images", show_list(all_images, |i| i.uid().to_owned())),
    ];
    for (label, value) in fields {
        let _ = writeln!(text, "  {label:<22} {value}");
    }
    text
}

/// One series as an indented text block.
async fn series_text(series: &DicomSeries) -> String {
    let r = SeriesReadings::read(series).await;
    let handle = |s: Option<DicomSeries>| s.map(|s| s.uid().to_owned());
    let mut text = format!("  series {}\n", series.uid());
    let fields = [
        ("series instance uid", show(r.uid.map(Some))),
        ("sop class uid", show(r.sop_class.map(Some))),
        ("description", show(r.description)),
        ("modality", show(r.modality.map(Some))),
        ("name", show(r.name.map(Some))),
        ("date", show(r.date.map(Some))),
        ("number of images", show(r.count.map(Some))),
        ("paths", show_list(r.paths, Clone::clone)),
        ("sorted images", show_list(r.sorted, |i| i.uid().to_owned())),
        ("images", show_list(r.images, |i| i.uid().to_owned())),
        ("next series", show(r.next.map(handle))),
        ("previous series", show(r.previous.map(handle))),
        ("study", show(r.study.map(|s| Some(s.uid().to_owned())))),
    ];
    for (label, value) in fields {
        let _ = writeln!(text, "    {label:<20} {value}");
    }
    text
}
