//! `osirix import PATH... [--wait] [--wait-timeout SECS]`: copies files into OsiriX's database. OsiriX imports
//! in the background and says nothing of the files it skips; `--wait` waits until the database holds as many
//! new files as were given (the SDK's `Import::wait`), and fails with exit code 5 when it does not in time.

use std::path::{Path, PathBuf};
use std::time::Duration;

use osirix_sdk::Imported;
use serde::Serialize;

use crate::connect::Settings;
use crate::exit::{Context, Exit, Failure};
use crate::output::{self, Format, Row};
use crate::progress::Bar;

/// The arguments of `osirix import`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Files, or folders whose files (at any depth) are imported.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Waits until OsiriX's database holds the files, and prints the studies that gained them.
    #[arg(long)]
    wait: bool,
    /// How long `--wait` waits for the files, in seconds.
    #[arg(
        long,
        value_name = "SECS",
        default_value = "60",
        requires = "wait",
        value_parser = crate::seconds::parse
    )]
    wait_timeout: Duration,
}

/// What an import did.
#[derive(Debug, Serialize)]
struct Report {
    /// The files sent to OsiriX.
    files: usize,
    /// Whether the command waited for them.
    waited: bool,
    /// The new files the database holds after the wait; `null` without `--wait`.
    imported_files: Option<usize>,
    /// The studies that are new or gained files; empty without `--wait`.
    studies: Vec<StudyRow>,
}

/// A study that an import created or added to.
#[derive(Debug, Serialize)]
struct StudyRow {
    uid: String,
    study_instance_uid: Option<String>,
    patient_name: Option<String>,
    /// True when the study was not in the database before.
    new: bool,
    files_added: u32,
}

impl Row for StudyRow {
    const HEADERS: &'static [&'static str] =
        &["UID", "PATIENT", "NEW", "FILES ADDED", "STUDY INSTANCE UID"];

    fn cells(&self) -> Vec<String> {
        vec![
            self.uid.clone(),
            output::or_dash(self.patient_name.as_ref()),
            if self.new { "yes" } else { "no" }.to_owned(),
            self.files_added.to_string(),
            output::or_dash(self.study_instance_uid.as_ref()),
        ]
    }
}

/// Checks the paths, connects, starts the import and, with `--wait`, waits for it.
///
/// # Errors
/// Exit code 1 for a path that cannot be read or no file at all (before connecting); 5 for a wait that ended
/// short; those of the calls.
pub(super) async fn run(settings: &Settings, args: &Args, format: Format) -> Result<(), Failure> {
    let files = files_of(&args.paths)?;
    let client = settings.connect().await?;
    let browser = client
        .current_browser()
        .await
        .context("finding the browser")?;
    let count = files.len();
    let import = browser
        .copy_files_if_needed(files)
        .await
        .context("starting the import")?;
    let report = if args.wait {
        let bar = Bar::start("waiting for OsiriX to import", "files");
        let imported = import
            .wait_with_progress(args.wait_timeout, |progress| bar.update(progress))
            .await
            .context("waiting for the import")?;
        drop(bar);
        report_of(count, imported).await?
    } else {
        Report {
            files: count,
            waited: false,
            imported_files: None,
            studies: Vec::new(),
        }
    };
    match format {
        Format::Json => output::print_json(&report),
        Format::Table if !report.waited => output::write_stdout(&format!(
            "sent {} to OsiriX, which imports them in the background (--wait waits for them)\n",
            output::count(count, "file")
        )),
        Format::Table => {
            let cells: Vec<Vec<String>> = report.studies.iter().map(Row::cells).collect();
            output::write_stdout(&format!(
                "imported {} of {count} sent\n{}",
                output::count(report.imported_files.unwrap_or(0), "new file"),
                output::table(StudyRow::HEADERS, &cells)
            ))
        }
    }
}

/// The report of a finished wait, with each study's identity.
async fn report_of(files: usize, imported: Imported) -> Result<Report, Failure> {
    let mut studies = Vec::with_capacity(imported.studies.len());
    for added in &imported.studies {
        let (study_instance_uid, patient_name) =
            tokio::try_join!(added.study.study_instance_uid(), added.study.patient_name())
                .context("reading an imported study")?;
        studies.push(StudyRow {
            uid: added.study.uid().to_owned(),
            study_instance_uid,
            patient_name,
            new: added.new,
            files_added: added.files_added,
        });
    }
    Ok(Report {
        files,
        waited: true,
        imported_files: Some(imported.files),
        studies,
    })
}

/// The absolute paths of the files `paths` name, folders searched at any depth, each folder's entries in name
/// order. OsiriX reads the files itself, so they must exist and be named absolutely and in UTF-8.
///
/// # Errors
/// A [`Failure`] (exit code 1) for a path that cannot be read or is not UTF-8, or when there is no file.
fn files_of(paths: &[PathBuf]) -> Result<Vec<String>, Failure> {
    let mut files = Vec::new();
    for path in paths {
        let absolute = std::fs::canonicalize(path).map_err(|e| unreadable(path, e))?;
        collect(&absolute, &mut files)?;
    }
    if files.is_empty() {
        return Err(Failure::new(
            "importing",
            "the paths hold no file",
            Exit::Failure,
        ));
    }
    files
        .into_iter()
        .map(|file| {
            file.into_os_string().into_string().map_err(|name| {
                Failure::new(
                    format!("importing {}", Path::new(&name).display()),
                    "the path is not UTF-8, which OsiriXgrpc cannot send",
                    Exit::Failure,
                )
            })
        })
        .collect()
}

/// Adds `path`, or the files under it, to `files`.
fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), Failure> {
    let metadata = std::fs::metadata(path).map_err(|e| unreadable(path, e))?;
    if !metadata.is_dir() {
        files.push(path.to_owned());
        return Ok(());
    }
    let mut entries = std::fs::read_dir(path)
        .and_then(|entries| {
            entries
                .map(|entry| entry.map(|e| e.path()))
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(|e| unreadable(path, e))?;
    entries.sort();
    for entry in entries {
        collect(&entry, files)?;
    }
    Ok(())
}

fn unreadable(path: &Path, error: std::io::Error) -> Failure {
    Failure::new(format!("reading {}", path.display()), error, Exit::Failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_searched_for_files_in_name_order() {
        let dir = tempfile::tempdir().expect("a folder");
        std::fs::create_dir(dir.path().join("sub")).expect("a subfolder");
        for name in ["b.dcm", "a.dcm", "sub/c.dcm"] {
            std::fs::write(dir.path().join(name), b"x").expect("a file");
        }
        let files = files_of(&[dir.path().to_owned()]).expect("listed");
        let root = std::fs::canonicalize(dir.path()).expect("absolute");
        let expected: Vec<String> = ["a.dcm", "b.dcm", "sub/c.dcm"]
            .iter()
            .map(|name| root.join(name).display().to_string())
            .collect();
        assert_eq!(files, expected);
    }

    #[test]
    fn a_missing_path_or_an_empty_folder_is_refused() {
        let dir = tempfile::tempdir().expect("a folder");
        let missing = files_of(&[dir.path().join("nope")]).expect_err("refused");
        assert!(missing.to_string().starts_with("reading "), "{missing}");
        let empty = files_of(&[dir.path().to_owned()]).expect_err("refused");
        assert_eq!(empty.to_string(), "importing: the paths hold no file");
    }
}
