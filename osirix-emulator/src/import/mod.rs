//! Imports (`BrowserControllerCopyFilesIfNeeded`): files copied into the database folder, catalogued, and
//! published in one step.
//!
//! An import runs in the background, one at a time, on a thread of its own; the RPC answers at once (see
//! docs/osirix-behaviour.md, *Imports*). For each file it is given (folders are walked):
//!
//! 1. the source passes the file guard and its header is read; a file that is not DICOM, fails the check
//!    or lacks its UIDs is skipped with its reason;
//! 2. a file whose SOP Instance UID is already in the database, or earlier in the same import, is skipped
//!    as a duplicate and not copied;
//! 3. the file is copied into `<database>/imported/` under a temporary name and renamed into place, and
//!    its header is read again from the copy, which is what the database then refers to.
//!
//! A panic while handling one file skips only that file. When every file is done, the next database
//! snapshot is built off the world lock and swapped in under it: a reader sees the whole import or none
//! of it, and an import that fails part-way keeps what it copied before the failure and everything
//! imported before it. An import that adds studies leaves them selected in the browser.

mod queue;

use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError};

use chrono::Utc;
use tokio::sync::oneshot;

use crate::database::scan::{self, Header};
use crate::database::{Catalog, SkippedFile};
use crate::registry::{Class, derive_uid};
use crate::state::{Selection, State};
use crate::wire_date::WireDate;

use queue::IMPORT_FOLDER;
pub(crate) use queue::Importer;

/// The prefix of a copy still being written; such files are removed when the database is opened.
const PARTIAL_PREFIX: &str = ".partial-";

/// What one import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportReport {
    /// Files copied into the database and catalogued.
    pub imported: usize,
    /// Files left out because their SOP Instance UID was already in the database (or earlier in the import).
    pub duplicates: Vec<SkippedFile>,
    /// Files left out for another reason (not DICOM, refused by the file check, unreadable, not copied).
    pub skipped: Vec<SkippedFile>,
}

/// Removes copies left half-written by an emulator that stopped during an import.
pub(crate) fn remove_partial_copies(database: &Path) {
    let Ok(entries) = std::fs::read_dir(database.join(IMPORT_FOLDER)) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(PARTIAL_PREFIX)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Starts importing `paths` in the background; the receiver gets the report when the import is done.
/// `None` when the database is read-only.
pub(crate) fn start(
    state: &Arc<State>,
    paths: Vec<PathBuf>,
) -> Option<oneshot::Receiver<ImportReport>> {
    let folder = state.imports.folder.clone()?;
    state.imports.progress.send_modify(|p| p.started += 1);
    let (done, report) = oneshot::channel();
    let shared = Arc::clone(state);
    let spawned = std::thread::Builder::new()
        .name("osirix-import".into())
        .spawn(move || {
            let report = {
                let _turn = shared
                    .imports
                    .queue
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                run(&shared, &folder, &paths)
            };
            shared.imports.progress.send_modify(|p| p.finished += 1);
            let _ = done.send(report);
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start an import thread");
        state.imports.progress.send_modify(|p| p.finished += 1);
    }
    Some(report)
}

/// Runs one import to the end and publishes it.
fn run(state: &State, folder: &Path, paths: &[PathBuf]) -> ImportReport {
    let mut report = ImportReport::default();
    let files = expand(paths, &mut report.skipped);
    if let Err(e) = std::fs::create_dir_all(folder) {
        tracing::error!(folder = %folder.display(), error = %e, "cannot create the import folder");
        report.skipped.extend(
            files
                .into_iter()
                .map(|f| SkippedFile::new(f, format!("cannot create the import folder: {e}"))),
        );
        return report;
    }
    // Imports run one at a time and only they change the database, so this snapshot stays current.
    let base = state.catalog();
    let mut headers: Vec<Header> = Vec::new();
    let mut batch = std::collections::HashSet::new();
    for file in files {
        let outcome = std::panic::catch_unwind(|| copy_in(&file, folder, &base, &batch))
            .unwrap_or_else(|_| Err(Skip::Other("the import panicked on this file".into())));
        match outcome {
            Ok(header) => {
                batch.insert(header.sop_instance_uid.clone());
                headers.push(header);
            }
            Err(Skip::Duplicate) => report.duplicates.push(SkippedFile::new(
                file,
                "repeats the SOPInstanceUID of an image already in the database",
            )),
            Err(Skip::Other(reason)) => {
                tracing::warn!(path = %file.display(), %reason, "not importing");
                report.skipped.push(SkippedFile::new(file, reason));
            }
        }
    }
    let copied = headers.len();
    let (mut next, duplicates) = base.with_headers(headers, WireDate::new(Utc::now().naive_utc()));
    report.imported = copied.saturating_sub(duplicates.len());
    // The catalogue already lists the duplicates it found itself.
    next.record_skipped(report.duplicates.iter().chain(&report.skipped).cloned());
    report.duplicates.extend(duplicates);
    {
        let mut world = state.world();
        let added = world.publish(Arc::new(next));
        // The browser selects the studies an import added, as the upstream suites find it after theirs.
        if !added.is_empty() {
            world.selection = Selection {
                series: Vec::new(),
                studies: added.collect(),
            };
        }
    }
    tracing::info!(
        imported = report.imported,
        duplicates = report.duplicates.len(),
        skipped = report.skipped.len(),
        "import done"
    );
    report
}

/// The files of `paths`: each file itself, each folder walked (its files in path order).
fn expand(paths: &[PathBuf], skipped: &mut Vec<SkippedFile>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.clone());
        if path.is_dir() {
            match scan::walk(&path) {
                Ok(found) => files.extend(found),
                Err(e) => skipped.push(SkippedFile::new(
                    path,
                    format!("cannot read the folder: {e}"),
                )),
            }
        } else {
            files.push(path);
        }
    }
    files
}

/// Why a file was not imported.
enum Skip {
    Duplicate,
    Other(String),
}

/// Checks `source`, copies it into `folder` and reads the copy's header.
fn copy_in(
    source: &Path,
    folder: &Path,
    base: &Catalog,
    batch: &std::collections::HashSet<String>,
) -> Result<Header, Skip> {
    let header = scan::read_header(source).map_err(Skip::Other)?;
    let sop = header.sop_instance_uid.clone();
    if base.has_image(&sop) || batch.contains(&sop) {
        return Err(Skip::Duplicate);
    }
    // The name comes from the SOP Instance UID's hash, never from the file's text.
    let name = derive_uid(Class::DicomImage, &sop, 0);
    let target = folder.join(format!("{name}.dcm"));
    let partial = folder.join(format!("{PARTIAL_PREFIX}{name}"));
    let copied = std::fs::copy(source, &partial).and_then(|_| std::fs::rename(&partial, &target));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(Skip::Other(format!(
            "cannot copy it into the database: {e}"
        )));
    }
    match scan::read_header(&target) {
        Ok(copy) if copy.sop_instance_uid == sop => Ok(copy),
        Ok(_) => {
            let _ = std::fs::remove_file(&target);
            Err(Skip::Other("it changed while it was being copied".into()))
        }
        Err(reason) => {
            let _ = std::fs::remove_file(&target);
            Err(Skip::Other(format!("the copy cannot be read: {reason}")))
        }
    }
}
