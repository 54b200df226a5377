//! [`Importer`]: where imports copy files to, and the one-at-a-time queue they wait in. The shared state
//! holds one; the import itself (the parent module) runs over that state.

use std::path::PathBuf;
use std::sync::Mutex;

use tokio::sync::watch;

/// The folder under the database folder that imported files are copied into.
pub(super) const IMPORT_FOLDER: &str = "imported";

/// How many imports have started and finished.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Progress {
    pub(super) started: u64,
    pub(super) finished: u64,
}

/// Where imports copy files to, and the one-at-a-time queue they wait in.
#[derive(Debug)]
pub(crate) struct Importer {
    pub(super) folder: Option<PathBuf>,
    pub(super) queue: Mutex<()>,
    pub(super) progress: watch::Sender<Progress>,
}

impl Importer {
    /// An importer copying into `<database>/imported/`, or none (a read-only database).
    pub(crate) fn new(database: Option<PathBuf>) -> Self {
        Self {
            folder: database.map(|d| d.join(IMPORT_FOLDER)),
            queue: Mutex::new(()),
            progress: watch::Sender::new(Progress::default()),
        }
    }

    /// Waits until every import started before this call has finished.
    pub(crate) async fn wait(&self) {
        let target = self.progress.borrow().started;
        let mut progress = self.progress.subscribe();
        // The sender lives as long as `self`, so this only ends when the target is reached.
        let _ = progress.wait_for(|p| p.finished >= target).await;
    }
}
