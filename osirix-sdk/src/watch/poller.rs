//! The loop every watch runs: poll, yield what changed, sleep, poll again; and [`Watch`], the stream it is.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use futures_util::stream::{self, BoxStream, StreamExt};

use super::config::WatchConfig;
use super::schedule::Schedule;
use crate::{Error, Result};

/// What one kind of watch polls: it keeps the last state it saw and turns each poll into events.
pub(super) trait Source: Send + 'static {
    /// The events of the watch.
    type Event: Send + 'static;

    /// Polls the server once. The first successful poll returns the initial listing; later ones what changed
    /// since the last successful poll. A failed poll leaves the state as it was.
    fn poll(&mut self) -> impl Future<Output = Result<Vec<Self::Event>>> + Send + '_;

    /// Whether `err` ends the watch (after it was yielded).
    fn is_terminal(&self, err: &Error) -> bool {
        matches!(err, Error::Closed { .. })
    }
}

/// A stream of the changes of something on the OsiriX server, found by polling: from
/// [`Client::watch_database`](crate::Client::watch_database), [`Client::watch_viewers`](crate::Client::watch_viewers)
/// and [`ViewerController::watch_rois`](crate::ViewerController::watch_rois).
///
/// It runs no task of its own: it polls only while it is polled itself, and dropping it stops the polling (a
/// call under way is abandoned). See [the module docs](crate::watch) for what is yielded and what it costs.
pub struct Watch<E> {
    name: &'static str,
    inner: BoxStream<'static, Result<E>>,
}

impl<E: Send + 'static> Watch<E> {
    /// The watch of `source`, polled as `config` says; `name` is for `Debug`.
    pub(super) fn new<S: Source<Event = E>>(
        name: &'static str,
        source: S,
        config: &WatchConfig,
    ) -> Self {
        let state = Poller {
            source,
            schedule: Schedule::new(config),
            pending: VecDeque::new(),
            polled: false,
            done: false,
        };
        Self {
            name,
            inner: stream::unfold(state, Poller::next).boxed(),
        }
    }
}

impl<E> Stream for Watch<E> {
    type Item = Result<E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<E> fmt::Debug for Watch<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watch").field("of", &self.name).finish()
    }
}

/// The state of a watch between two items.
struct Poller<S: Source> {
    source: S,
    schedule: Schedule,
    /// Items of the last poll not yet yielded.
    pending: VecDeque<Result<S::Event>>,
    /// Whether a poll was made (the first one does not wait).
    polled: bool,
    /// Set by a terminal error: nothing more is polled.
    done: bool,
}

impl<S: Source> Poller<S> {
    /// The next item and the state after it, or `None` when the watch ended.
    async fn next(mut self) -> Option<(Result<S::Event>, Self)> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some((item, self));
            }
            if self.done {
                return None;
            }
            if self.polled {
                tokio::time::sleep(self.schedule.next_sleep()).await;
            }
            self.polled = true;
            match self.source.poll().await {
                Ok(events) => {
                    self.schedule.record(true);
                    self.pending.extend(events.into_iter().map(Ok));
                }
                Err(err) => {
                    self.schedule.record(false);
                    self.done = self.source.is_terminal(&err);
                    tracing::debug!(error = %err, terminal = self.done, "watch poll failed");
                    self.pending.push_back(Err(err));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::time::Instant;

    use super::*;

    /// A source that answers from a script: each poll takes the next outcome and notes when it ran.
    struct Scripted {
        outcomes: VecDeque<Result<Vec<u32>>>,
        polls: std::sync::Arc<std::sync::Mutex<Vec<Instant>>>,
    }

    impl Source for Scripted {
        type Event = u32;

        fn poll(&mut self) -> impl Future<Output = Result<Vec<u32>>> + Send + '_ {
            self.polls.lock().unwrap().push(Instant::now());
            let outcome = self.outcomes.pop_front().unwrap_or(Ok(Vec::new()));
            async move { outcome }
        }
    }

    fn failure() -> Error {
        Error::Osirix {
            rpc: "OsirixDisplayed2DViewers",
            message: "down".into(),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn failed_polls_back_off_and_a_success_resets_the_delay() {
        let polls = std::sync::Arc::default();
        let source = Scripted {
            outcomes: VecDeque::from([
                Ok(vec![1]),
                Err(failure()),
                Err(failure()),
                Ok(vec![2]),
                Ok(vec![3]),
            ]),
            polls: std::sync::Arc::clone(&polls),
        };
        let config = WatchConfig::default()
            .interval(Duration::from_millis(100))
            .jitter(0.0)
            .max_backoff(Duration::from_millis(300));
        let mut watch = Watch::new("scripted", source, &config);
        let mut items = Vec::new();
        for _ in 0..5 {
            items.push(
                watch
                    .next()
                    .await
                    .expect("an item")
                    .map_err(|e| e.to_string()),
            );
        }
        assert_eq!(
            items,
            [
                Ok(1),
                Err(failure().to_string()),
                Err(failure().to_string()),
                Ok(2),
                Ok(3)
            ]
        );
        let polls = polls.lock().unwrap();
        let gaps: Vec<Duration> = polls.windows(2).map(|w| w[1] - w[0]).collect();
        let ms = Duration::from_millis;
        // After 1 success: 100 ms; after 1 failure: 200 ms; after 2: 400 ms capped at 300 ms; then reset.
        assert_eq!(gaps, [ms(100), ms(200), ms(300), ms(100)]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_terminal_error_is_yielded_once_and_ends_the_stream() {
        let polls = std::sync::Arc::default();
        let source = Scripted {
            outcomes: VecDeque::from([Ok(vec![1, 2]), Err(Error::Closed { rpc: "X" })]),
            polls: std::sync::Arc::clone(&polls),
        };
        let watch = Watch::new("scripted", source, &WatchConfig::default());
        let items: Vec<_> = watch.collect().await;
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(matches!(items[2], Err(Error::Closed { .. })));
        assert_eq!(polls.lock().unwrap().len(), 2, "no poll after the end");
    }
}
