//! The watch of the displayed 2D viewers: one `OsirixDisplayed2DViewers` call per poll.

use super::config::WatchConfig;
use super::diff::added_and_removed;
use super::poller::{Source, Watch};
use crate::{Client, Result, ViewerController};

/// A change of the displayed 2D viewers, from [`Client::watch_viewers`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViewerEvent {
    /// The viewers displayed when the watch started, in the server's order; always the first event, once.
    Initial(Vec<ViewerController>),
    /// A viewer was opened.
    Opened(ViewerController),
    /// A viewer was closed (its handle is stale now).
    Closed(ViewerController),
}

/// The viewers of the last successful poll.
struct Viewers {
    client: Client,
    known: Option<Vec<ViewerController>>,
}

impl Source for Viewers {
    type Event = ViewerEvent;

    async fn poll(&mut self) -> Result<Vec<ViewerEvent>> {
        let now = self.client.displayed_2d_viewers().await?;
        let events = match &self.known {
            None => vec![ViewerEvent::Initial(now.clone())],
            Some(before) => {
                let (opened, closed) = added_and_removed(before, &now);
                let opened = opened.into_iter().map(ViewerEvent::Opened);
                closed
                    .into_iter()
                    .map(ViewerEvent::Closed)
                    .chain(opened)
                    .collect()
            }
        };
        self.known = Some(now);
        Ok(events)
    }
}

impl Client {
    /// Watches the displayed 2D viewers: [`ViewerEvent::Initial`] with the viewers displayed now, then one
    /// event per viewer opened or closed, found by polling as `config` says.
    ///
    /// Each poll costs one `OsirixDisplayed2DViewers` call (never cached). Viewers opened and closed between
    /// two polls are not seen.
    ///
    /// ```no_run
    /// # async fn demo(client: osirix_sdk::Client) {
    /// use futures_util::StreamExt;
    /// use osirix_sdk::watch::{ViewerEvent, WatchConfig};
    ///
    /// let mut viewers = client.watch_viewers(WatchConfig::default());
    /// while let Some(event) = viewers.next().await {
    ///     match event {
    ///         Ok(ViewerEvent::Opened(viewer)) => println!("opened {:?}", viewer.title().await),
    ///         Ok(other) => println!("{other:?}"),
    ///         Err(err) => eprintln!("poll failed (the watch goes on): {err}"),
    ///     }
    /// }
    /// # }
    /// ```
    ///
    /// # Errors
    /// The stream yields the error of a poll whose call failed after the client's retries, and polls on with
    /// backoff; [`Error::Closed`](crate::Error::Closed) (the client was closed) ends it.
    pub fn watch_viewers(&self, config: WatchConfig) -> Watch<ViewerEvent> {
        let source = Viewers {
            client: self.clone(),
            known: None,
        };
        Watch::new("viewers", source, &config)
    }
}
