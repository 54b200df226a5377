//! Waiting for an import: OsiriX answers `BrowserControllerCopyFilesIfNeeded` at once and imports in the
//! background, so [`BrowserController::copy_files_if_needed`] counts the database's files before it sends the
//! RPC, and [`Import::wait`] polls until the new files are there.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::future::join_all;

use crate::{BrowserController, DicomStudy, Error, Progress, Result};

crate::osirix_class! {
    /// A study as an [`Import`] counts it: its file count comes from the server every time, never from the
    /// cache (the count that [`DicomStudy::number_of_files`] caches for a while).
    #[osirix(wire = "DicomStudy")]
    pub(crate) class StudyFiles {
        #[rpc(DicomStudyNoFiles, absent = "Number of files not available")]
        pub(crate) fn number_of_files() -> Option<u32> = no_files;
    }
}

/// An import under way, from [`BrowserController::copy_files_if_needed`]; [`Import::wait`] waits for its files.
///
/// # How it knows the import is done
/// The SDK reads no DICOM, so it cannot tell which study a file belongs to before OsiriX has read it; and
/// OsiriX copies the files, so their paths in the database are not the ones given. What it can observe is how
/// many files each listed study holds. Before sending the RPC it counts the files of every study the browser
/// lists (`DicomStudyNoFiles`, keyed by Study Instance UID, since OsiriX may hand the same study a new handle
/// uid); each poll counts again. The files a study gained since then are the import's, and a study that was not
/// there before gained all of its files. The import is done when the studies gained as many files as there are
/// paths.
///
/// What follows from that rule:
/// - Give files, not folders: each path counts as one file.
/// - Files that OsiriX skips (duplicates of images already in the database, missing files, files that are not
///   DICOM) never show up, and OsiriX reports nothing: such an import ends with
///   [`Error::ImportIncomplete`] at the timeout, saying how many of the files were seen.
/// - Files that anyone else adds meanwhile (another import, a DICOM transfer) count too, and so would more than
///   one count per file: should OsiriX count a multi-frame file more than once, the wait could end before the
///   last files are in.
/// - Only the studies the browser lists are counted: an album or a search filter that hides the new study hides
///   the import.
/// - Each poll costs one `BrowserControllerDatabaseStudies` call and one or two calls per listed study (the
///   file count, which is never taken from the cache, and the Study Instance UID, which is cached).
///
/// # Polling
/// The first poll follows [`Import::FIRST_POLL`] (50 ms); the delay doubles up to [`Import::MAX_POLL`] (1 s),
/// and each sleep is drawn uniformly between half the delay and the whole of it, so that several waiters do not
/// poll in step. [`Import::with_poll_backoff`] changes both. Each poll's calls are retried on transient
/// failures by the client's [`RetryConfig`](crate::RetryConfig), like any read; an error they still end with
/// ends the wait.
///
/// ```no_run
/// # async fn demo(client: osirix_sdk::Client) -> osirix_sdk::Result<()> {
/// use std::time::Duration;
///
/// let browser = client.current_browser().await?;
/// let import = browser.copy_files_if_needed(vec!["/data/IM-0001.dcm".into()]).await?;
/// let imported = import.wait(Duration::from_secs(30)).await?;
/// for study in &imported.studies {
///     println!("{:?}: {} new files", study.study.study_name().await?, study.files_added);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Import {
    browser: BrowserController,
    files: usize,
    before: HashMap<String, u32>,
    first_poll: Duration,
    max_poll: Duration,
}

/// What an import added, from [`Import::wait`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Imported {
    /// The studies that are new or hold more files than before, in the browser's order.
    pub studies: Vec<ImportedStudy>,
    /// The files these studies gained in all (at least the number of paths given).
    pub files: usize,
}

/// One study an import added to or created.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImportedStudy {
    /// The study.
    pub study: DicomStudy,
    /// True when the study was not listed before the import.
    pub new: bool,
    /// The files it gained.
    pub files_added: u32,
}

/// One study of a count: its key (Study Instance UID, or the handle uid without one) and its file count.
struct Counted {
    study: DicomStudy,
    key: String,
    files: u32,
}

impl Import {
    /// The delay before the first poll, and the first ceiling of the backoff: 50 ms.
    pub const FIRST_POLL: Duration = Duration::from_millis(50);
    /// The largest delay between two polls: 1 s.
    pub const MAX_POLL: Duration = Duration::from_secs(1);

    /// The number of files given to the import (the paths).
    pub fn files(&self) -> usize {
        self.files
    }

    /// Polls first after about `first` (the delay doubles from there) and never waits more than `max` between
    /// two polls; `max` below `first` is taken as `first`.
    pub fn with_poll_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.first_poll = first;
        self.max_poll = max.max(first);
        self
    }

    /// Waits until the database holds the import's files (see [`Import`] for the rule), at most `timeout`,
    /// and returns the studies that hold them. It may be called again after a timeout.
    /// [`Import::wait_with_progress`] does the same and reports the files seen.
    ///
    /// # Errors
    /// [`Error::ImportIncomplete`] when `timeout` passed first, with the number of files seen (a poll under way
    /// at the timeout is abandoned); the errors of the polls' calls, after the client's retries.
    pub async fn wait(&self, timeout: Duration) -> Result<Imported> {
        self.wait_with_progress(timeout, |_| {}).await
    }

    /// [`Import::wait`], calling `progress` with the files seen of the files given ([`Import::files`]): once
    /// with `done` 0 before the first poll, then after each poll that saw more files than any poll before,
    /// so that the last call of a wait that succeeds has `done == total`. The files seen are counted by the
    /// rule of [`Import`], at most `total`; a poll that counts fewer than an earlier one (a study deleted
    /// meanwhile) reports nothing.
    ///
    /// `progress` runs on the caller's task, between the polls: it should return quickly.
    ///
    /// ```no_run
    /// # async fn demo(import: osirix_sdk::Import) -> osirix_sdk::Result<()> {
    /// use std::time::Duration;
    ///
    /// let imported = import
    ///     .wait_with_progress(Duration::from_secs(30), |p| eprintln!("{}/{} files", p.done, p.total))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Those of [`Import::wait`].
    pub async fn wait_with_progress(
        &self,
        timeout: Duration,
        mut progress: impl FnMut(Progress),
    ) -> Result<Imported> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut rng = fastrand::Rng::new();
        let mut seen = 0;
        let mut reported = 0;
        progress(Progress::new(0, self.files));
        let mut poll = 0u32;
        loop {
            let delay = self.sleep_before(poll, &mut rng);
            poll = poll.saturating_add(1);
            tokio::time::sleep_until(deadline.min(tokio::time::Instant::now() + delay)).await;
            let Ok(counted) = tokio::time::timeout_at(deadline, count(&self.browser)).await else {
                break;
            };
            let imported = self.compare(counted?);
            let done = imported.files.min(self.files);
            if done > reported {
                reported = done;
                progress(Progress::new(done, self.files));
            }
            if imported.files >= self.files {
                return Ok(imported);
            }
            seen = imported.files;
            if tokio::time::Instant::now() >= deadline {
                break;
            }
        }
        Err(Error::ImportIncomplete {
            files: self.files,
            seen,
            after: timeout,
        })
    }

    /// The sleep before poll number `poll` (0 for the first): uniform in the upper half of its backoff ceiling.
    fn sleep_before(&self, poll: u32, rng: &mut fastrand::Rng) -> Duration {
        let ceiling = self.ceiling(poll);
        ceiling.mul_f64(0.5 + rng.f64() / 2.0)
    }

    /// The backoff ceiling of poll number `poll`: `first_poll` doubled `poll` times, at most `max_poll`.
    fn ceiling(&self, poll: u32) -> Duration {
        let factor = 2f64.powi(poll.min(64) as i32);
        let ceiling = self.first_poll.as_secs_f64() * factor;
        Duration::from_secs_f64(ceiling.min(self.max_poll.as_secs_f64()))
    }

    /// The studies of `now` that are new or gained files since the count before the import.
    fn compare(&self, now: Vec<Counted>) -> Imported {
        let mut studies = Vec::new();
        let mut files = 0;
        for counted in now {
            let before = self.before.get(&counted.key);
            let added = counted.files.saturating_sub(before.copied().unwrap_or(0));
            if added > 0 {
                files += added as usize;
                studies.push(ImportedStudy {
                    study: counted.study,
                    new: before.is_none(),
                    files_added: added,
                });
            }
        }
        Imported { studies, files }
    }
}

/// Counts the files of every study the browser lists now. A study that went away during the count (a stale
/// handle) is left out.
async fn count(browser: &BrowserController) -> Result<Vec<Counted>> {
    let studies = browser.database_studies().await?;
    let counts = join_all(studies.into_iter().map(|study| async move {
        let key = match study.study_instance_uid().await? {
            Some(uid) => uid,
            None => format!("handle {}", study.uid()),
        };
        let files = StudyFiles::from_uid(study.client(), study.uid())?
            .number_of_files()
            .await?
            .unwrap_or(0);
        Ok::<_, Error>(Counted { study, key, files })
    }))
    .await;
    let mut counted = Vec::with_capacity(counts.len());
    for result in counts {
        match result {
            Ok(study) => counted.push(study),
            Err(err) if err.is_stale_handle() => {}
            Err(err) => return Err(err),
        }
    }
    Ok(counted)
}

impl BrowserController {
    /// Copies `paths` (files, each counted as one) into the OsiriX database, and returns an [`Import`] whose
    /// [`Import::wait`] waits until they are listed. The database's files are counted first, so this costs a
    /// poll's calls before the RPC (see [`Import`]).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for no paths (refused before anything is sent); [`Error::Osirix`] when OsiriX
    /// refused the import; the errors of the count and of the RPC (which is never retried).
    pub async fn copy_files_if_needed(&self, paths: Vec<String>) -> Result<Import> {
        if paths.is_empty() {
            return Err(Error::invalid("an import needs at least one path"));
        }
        let before = count(self)
            .await?
            .into_iter()
            .map(|counted| (counted.key, counted.files))
            .collect();
        let files = paths.len();
        self.start_copy_files(paths).await?;
        Ok(Import {
            browser: self.clone(),
            files,
            before,
            first_poll: Import::FIRST_POLL,
            max_poll: Import::MAX_POLL,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Client;

    fn import() -> Import {
        let client = Client::builder("http://127.0.0.1:9")
            .connect_lazy()
            .expect("a lazy client needs no server");
        Import {
            browser: BrowserController::from_uid(&client, "B").expect("a uid"),
            files: 3,
            before: HashMap::new(),
            first_poll: Import::FIRST_POLL,
            max_poll: Import::MAX_POLL,
        }
    }

    #[tokio::test]
    async fn the_backoff_starts_at_50_ms_doubles_to_1_s_and_stays_in_the_upper_half() {
        let import = import();
        assert_eq!(Import::FIRST_POLL, Duration::from_millis(50));
        assert_eq!(Import::MAX_POLL, Duration::from_secs(1));
        let ceilings: Vec<Duration> = (0..7).map(|poll| import.ceiling(poll)).collect();
        let ms = |n| Duration::from_millis(n);
        assert_eq!(
            ceilings,
            [
                ms(50),
                ms(100),
                ms(200),
                ms(400),
                ms(800),
                ms(1000),
                ms(1000)
            ]
        );
        assert_eq!(import.ceiling(u32::MAX), Import::MAX_POLL);
        let mut rng = fastrand::Rng::with_seed(7);
        let mut sleeps = Vec::new();
        for poll in 0..64 {
            let sleep = import.sleep_before(poll % 4, &mut rng);
            let ceiling = import.ceiling(poll % 4);
            assert!(sleep >= ceiling / 2 && sleep <= ceiling, "{sleep:?}");
            sleeps.push(sleep);
        }
        sleeps.sort();
        sleeps.dedup();
        assert!(sleeps.len() > 4, "jittered: {sleeps:?}");
    }

    #[tokio::test]
    async fn poll_backoff_can_be_set_and_max_is_at_least_first() {
        let import =
            import().with_poll_backoff(Duration::from_millis(10), Duration::from_millis(5));
        assert_eq!(import.ceiling(0), Duration::from_millis(10));
        assert_eq!(import.ceiling(5), Duration::from_millis(10));
    }
}
