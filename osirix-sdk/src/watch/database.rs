//! The watch of the database browser's studies, and of the series of the studies that are settling.

use futures_util::future::join_all;
use std::collections::{HashMap, HashSet};

use super::config::WatchConfig;
use super::diff::added_and_removed;
use super::poller::{Source, Watch};
use crate::{BrowserController, Client, DicomSeries, DicomStudy, Result};

crate::osirix_class! {
    /// A study as the database watch lists its series: from the server every time, never from the cache (the
    /// list that [`DicomStudy::series`] caches for a while).
    #[osirix(wire = "DicomStudy")]
    pub(crate) class StudySeries {
        #[rpc(DicomStudySeries)]
        pub(crate) fn series() -> Vec<DicomSeries> = series;
    }
}

/// A change of the database, from [`Client::watch_database`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatabaseEvent {
    /// The studies the browser listed when the watch started, in the browser's order; always the first event,
    /// once.
    Initial(Vec<DicomStudy>),
    /// A study is listed that was not before.
    Added(DicomStudy),
    /// A study is no longer listed.
    Removed(DicomStudy),
    /// A series appeared in a study whose series are listed (see [`WatchConfig::settle_polls`]).
    SeriesAdded {
        /// The study.
        study: DicomStudy,
        /// The new series.
        series: DicomSeries,
    },
    /// A series went from a study whose series are listed.
    SeriesRemoved {
        /// The study.
        study: DicomStudy,
        /// The series that went.
        series: DicomSeries,
    },
}

/// The series of a study whose series are listed.
struct Tracked {
    series: Vec<DicomSeries>,
    /// Polls in a row in which the list stayed the same.
    unchanged: u32,
}

/// The state of the database watch after its last successful poll.
struct Database {
    client: Client,
    browser: Option<BrowserController>,
    settle_polls: u32,
    all_series: bool,
    /// `None` until the first successful poll.
    studies: Option<Vec<DicomStudy>>,
    /// The studies whose series are listed, with their last list.
    tracked: HashMap<DicomStudy, Tracked>,
}

impl Database {
    /// The browser's studies, asking for the browser first when its handle is not known, or has gone stale.
    async fn list_studies(&mut self) -> Result<Vec<DicomStudy>> {
        let browser = match &self.browser {
            Some(browser) => browser.clone(),
            None => self.client.current_browser().await?,
        };
        match browser.database_studies().await {
            Ok(studies) => {
                self.browser = Some(browser);
                Ok(studies)
            }
            Err(err) if err.is_stale_handle() && self.browser.is_some() => {
                self.browser = None;
                let browser = self.client.current_browser().await?;
                let studies = browser.database_studies().await?;
                self.browser = Some(browser);
                Ok(studies)
            }
            Err(err) => Err(err),
        }
    }

    /// Whether a listed study's series are to be listed in this poll; `before` holds the studies of the last
    /// poll (`None` in the first).
    fn wants_series(&self, study: &DicomStudy, before: Option<&HashSet<&DicomStudy>>) -> bool {
        if self.all_series {
            return true;
        }
        let Some(before) = before else {
            return false;
        };
        match self.tracked.get(study) {
            Some(tracked) => tracked.unchanged < self.settle_polls,
            // A study new since the last poll.
            None => !before.contains(study),
        }
    }
}

/// The series of `study` now, or `None` when the study went away while it was being read.
async fn series_of(study: DicomStudy) -> Result<(DicomStudy, Option<Vec<DicomSeries>>)> {
    let read = StudySeries::from_uid(study.client(), study.uid())?;
    match read.series().await {
        Ok(series) => Ok((study, Some(series))),
        Err(err) if err.is_stale_handle() => Ok((study, None)),
        Err(err) => Err(err),
    }
}

impl Source for Database {
    type Event = DatabaseEvent;

    async fn poll(&mut self) -> Result<Vec<DatabaseEvent>> {
        let now = self.list_studies().await?;
        let first = self.studies.is_none();
        let before: Option<HashSet<&DicomStudy>> =
            self.studies.as_ref().map(|s| s.iter().collect());
        let wanted: Vec<DicomStudy> = now
            .iter()
            .filter(|study| self.wants_series(study, before.as_ref()))
            .cloned()
            .collect();
        // Every read of the poll is done before anything changes: a failed poll leaves the state as it was.
        let mut listed = Vec::with_capacity(wanted.len());
        for result in join_all(wanted.into_iter().map(series_of)).await {
            listed.push(result?);
        }

        let mut events = Vec::new();
        match self.studies.as_deref() {
            None => events.push(DatabaseEvent::Initial(now.clone())),
            Some(before) => {
                let (added, removed) = added_and_removed(before, &now);
                for study in removed {
                    self.tracked.remove(&study);
                    events.push(DatabaseEvent::Removed(study));
                }
                events.extend(added.into_iter().map(DatabaseEvent::Added));
            }
        }
        for (study, series) in listed {
            let Some(series) = series else { continue };
            let tracked = self.tracked.entry(study.clone()).or_insert(Tracked {
                series: Vec::new(),
                unchanged: 0,
            });
            let (added, removed) = added_and_removed(&tracked.series, &series);
            tracked.unchanged = if added.is_empty() && removed.is_empty() {
                tracked.unchanged.saturating_add(1)
            } else {
                0
            };
            // The first list of a study of the initial listing is its baseline, not news.
            if !first {
                events.extend(
                    removed
                        .into_iter()
                        .map(|series| DatabaseEvent::SeriesRemoved {
                            study: study.clone(),
                            series,
                        }),
                );
                events.extend(added.into_iter().map(|series| DatabaseEvent::SeriesAdded {
                    study: study.clone(),
                    series,
                }));
            }
            tracked.series = series;
        }
        if !self.all_series {
            let settle_polls = self.settle_polls;
            self.tracked.retain(|_, t| t.unchanged < settle_polls);
        }
        self.studies = Some(now);
        Ok(events)
    }
}

impl Client {
    /// Watches the studies of the database browser: [`DatabaseEvent::Initial`] with the studies listed now,
    /// then one event per study added or removed, and per series added to or removed from a new study while
    /// it settles, found by polling as `config` says.
    ///
    /// # Cost
    /// Each poll costs one `BrowserControllerDatabaseStudies` call (never cached), plus one
    /// `OsirixCurrentBrowser` call when the browser's handle is not known yet (the first poll) or has gone
    /// stale. A study that appears is *settling*: each poll also lists its series (`DicomStudySeries`, read
    /// from the server, never from the cache), from the poll that found it until its series list stayed the
    /// same for [`WatchConfig::settle_polls`] polls in a row (3 by default), so an import costs a bounded
    /// number of calls and the steady state is one call per poll. Series added later to a study that has
    /// settled, or to a study of the initial listing, are not reported: OsiriX has no cheap marker of a
    /// study's change. [`WatchConfig::all_series`] lists every study's series in every poll instead (1 + S
    /// calls per poll for S studies), and then reports series added to or removed from any study.
    ///
    /// ```no_run
    /// # async fn demo(client: osirix_sdk::Client) {
    /// use std::time::Duration;
    /// use futures_util::StreamExt;
    /// use osirix_sdk::watch::{DatabaseEvent, WatchConfig};
    ///
    /// let mut database = client.watch_database(WatchConfig::default().interval(Duration::from_secs(2)));
    /// while let Some(event) = database.next().await {
    ///     match event {
    ///         Ok(DatabaseEvent::Initial(studies)) => println!("{} studies", studies.len()),
    ///         Ok(DatabaseEvent::SeriesAdded { study, series }) => {
    ///             println!("{:?} has a new series {:?}", study.study_name().await, series.name().await)
    ///         }
    ///         Ok(other) => println!("{other:?}"),
    ///         Err(err) => eprintln!("poll failed (the watch goes on): {err}"),
    ///     }
    /// }
    /// # }
    /// ```
    ///
    /// # Errors
    /// The stream yields the error of a poll whose call failed after the client's retries, and polls on with
    /// backoff, resuming from the last listing it saw; [`Error::Closed`](crate::Error::Closed) (the client was closed) ends it.
    pub fn watch_database(&self, config: WatchConfig) -> Watch<DatabaseEvent> {
        let source = Database {
            client: self.clone(),
            browser: None,
            settle_polls: config.settle_polls,
            all_series: config.all_series,
            studies: None,
            tracked: HashMap::new(),
        };
        Watch::new("database", source, &config)
    }
}
