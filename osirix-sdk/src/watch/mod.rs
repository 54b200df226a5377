//! Streams of what changes on the OsiriX server: the database's studies ([`Client::watch_database`]), the
//! displayed 2D viewers ([`Client::watch_viewers`]) and a viewer's ROIs ([`ViewerController::watch_rois`]).
//!
//! OsiriXgrpc has no server streams, so a [`Watch`] polls: it lists what it watches, compares the listing with
//! the last one, and yields what changed. The first event is always the whole listing (`Initial`, in the
//! server's order), once; only errors of failed polls can come before it. Then each poll yields one event per
//! change: what went, then what came, then changes inside what is still there (a new study's series, an ROI's
//! attributes), each group in the server's order. Handles are compared by uid (and client), not by position.
//!
//! # Polling
//! [`WatchConfig`] sets the interval between polls (1 s by default) and its jitter (each sleep is the interval
//! times a factor uniform in [0.9, 1.1] by default). A watch runs no task: it polls only while it is polled, and
//! dropping it stops the polling.
//!
//! # Cost
//! - database: one `BrowserControllerDatabaseStudies` call per poll (plus `OsirixCurrentBrowser` when the
//!   browser's handle is not known yet or went stale), and `DicomStudySeries` for each new study until its
//!   series settle ([`WatchConfig::settle_polls`]), or for every study with [`WatchConfig::all_series`];
//! - viewers: one `OsirixDisplayed2DViewers` call per poll;
//! - ROIs: one `ViewerControllerROIList` call per poll, and `ROIName`, `ROIColor` and `ROIPoints` for each ROI
//!   listed, issued at once.
//!
//! None of these calls is served from the client's cache: the lists change, and the watch reads the series of
//! a study through a declaration of its own that bypasses the cache of [`DicomStudy::series`].
//!
//! # Errors
//! Every call goes through the client's retries. A poll whose call still fails yields that `Err`; the watch then
//! polls on with backoff (the delay doubles per failed poll, up to [`WatchConfig::max_backoff`], 30 s by
//! default, and is back to the interval after a successful poll) and compares the next listing with the last
//! one it saw, so a failure causes no event of its own. Terminal errors end the stream after being yielded:
//! [`Error::Closed`] (the client was closed) for every watch, and for an ROI watch
//! [`Error::StaleHandle`] from its viewer (the viewer was closed, or the server dropped it).
//!
//! Changes that come and go between two polls are not seen.
//!
//! ```no_run
//! # async fn demo(client: osirix_sdk::Client) {
//! use futures_util::StreamExt;
//! use osirix_sdk::watch::{DatabaseEvent, WatchConfig};
//!
//! let mut database = client.watch_database(WatchConfig::default());
//! while let Some(event) = database.next().await {
//!     if let Ok(DatabaseEvent::Added(study)) = event {
//!         println!("new study {:?}", study.study_name().await);
//!     }
//! }
//! # }
//! ```
//!
//! [`Client::watch_database`]: crate::Client::watch_database
//! [`Client::watch_viewers`]: crate::Client::watch_viewers
//! [`ViewerController::watch_rois`]: crate::ViewerController::watch_rois
//! [`DicomStudy::series`]: crate::DicomStudy::series
//! [`Error::Closed`]: crate::Error::Closed
//! [`Error::StaleHandle`]: crate::Error::StaleHandle

mod config;
mod database;
mod diff;
mod poller;
mod rois;
mod schedule;
mod viewers;

pub use config::WatchConfig;
pub use database::DatabaseEvent;
pub use poller::Watch;
pub use rois::{RoiEvent, RoiSnapshot};
pub use viewers::ViewerEvent;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_watch_is_send_unpin_and_static() {
        fn check<T: Send + Unpin + 'static>() {}
        check::<Watch<DatabaseEvent>>();
        check::<Watch<ViewerEvent>>();
        check::<Watch<RoiEvent>>();
    }
}
