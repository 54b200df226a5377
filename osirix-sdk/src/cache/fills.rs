//! The fetches in flight that will fill the cache: identical cold reads wait for one fetch, and an invalidation
//! supersedes the fetches it overtakes.
//!
//! An invalidation must win over any fill that started before it: the answer of such a fill is neither kept nor
//! handed to a read that began after the invalidation, and such a read does not wait for it either (it starts
//! its own fetch). Every fill registers here before it sends anything; an invalidation marks the registered
//! fills of its uid (or all of them) with its number. A read notes the number of invalidations so far when it
//! begins, and waits for (or takes the answer of) a superseded fill only when the invalidation came after it
//! began.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

use super::entry::{CacheKey, Filled, Superseded};
use crate::error::Error;

/// How a fill ended, for the reads that wait for it.
#[derive(Debug, Clone)]
enum Outcome {
    Pending,
    Done(Result<Arc<Filled>, Error>),
    /// The read that ran the fetch went away (its future was dropped) before the answer came.
    Abandoned,
}

/// One fetch in flight.
#[derive(Debug)]
pub(super) struct Fill {
    uid: Arc<str>,
    superseded: Arc<Superseded>,
    outcome: watch::Sender<Outcome>,
}

impl Fill {
    /// The fill's answer once it comes; `None` when the fill was abandoned.
    pub(super) async fn outcome(&self) -> Option<Result<Arc<Filled>, Error>> {
        let mut outcome = self.outcome.subscribe();
        // The sender lives in `self`: the wait ends with an outcome.
        let ended = outcome
            .wait_for(|o| !matches!(o, Outcome::Pending))
            .await
            .ok()?;
        match &*ended {
            Outcome::Done(result) => Some(result.clone()),
            Outcome::Pending | Outcome::Abandoned => None,
        }
    }
}

/// The registry of one cache.
#[derive(Debug, Default)]
pub(super) struct Fills {
    /// Invalidations so far; an invalidation's number is the count once it is made.
    invalidations: AtomicU64,
    in_flight: Mutex<HashMap<CacheKey, Arc<Fill>>>,
}

/// A read's part in a fill: wait for another read's fetch, or run its own.
#[derive(Debug)]
pub(super) enum Part {
    Wait(Arc<Fill>),
    Run(FillGuard),
}

impl Fills {
    fn in_flight(&self) -> MutexGuard<'_, HashMap<CacheKey, Arc<Fill>>> {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The number of invalidations so far, which a read notes when it begins.
    pub(super) fn invalidations(&self) -> u64 {
        self.invalidations.load(Ordering::SeqCst)
    }

    /// The fill of `key` in flight that a read begun after `began` invalidations may wait for.
    pub(super) fn find(&self, key: &CacheKey, began: u64) -> Option<Arc<Fill>> {
        self.in_flight()
            .get(key)
            .filter(|fill| fill.superseded.takeable_after(began))
            .cloned()
    }

    /// That fill, or a new one the read runs (registered before it sends anything, until its guard is done).
    pub(super) fn join_or_start(self: &Arc<Self>, key: &CacheKey, began: u64) -> Part {
        let mut in_flight = self.in_flight();
        if let Some(fill) = in_flight
            .get(key)
            .filter(|fill| fill.superseded.takeable_after(began))
        {
            return Part::Wait(Arc::clone(fill));
        }
        let fill = Arc::new(Fill {
            uid: key.uid.clone(),
            superseded: Arc::default(),
            outcome: watch::Sender::new(Outcome::Pending),
        });
        // A superseded fill of the key is replaced: the reads that may still take its answer hold it already.
        in_flight.insert(key.clone(), Arc::clone(&fill));
        Part::Run(FillGuard {
            fills: Arc::clone(self),
            key: key.clone(),
            fill,
            finished: false,
        })
    }

    /// Supersedes the fills in flight of `uid`, or of every uid for `None`.
    pub(super) fn invalidate(&self, uid: Option<&str>) {
        // Under the lock, so that a fill registers either before (and is marked) or after (and sends after).
        let in_flight = self.in_flight();
        let number = self.invalidations.fetch_add(1, Ordering::SeqCst) + 1;
        for fill in in_flight.values() {
            if uid.is_none_or(|uid| *fill.uid == *uid) {
                fill.superseded.mark(number);
            }
        }
    }

    /// Fills in flight now (for tests).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.in_flight().len()
    }

    fn remove(&self, key: &CacheKey, fill: &Arc<Fill>) {
        let mut in_flight = self.in_flight();
        if in_flight
            .get(key)
            .is_some_and(|held| Arc::ptr_eq(held, fill))
        {
            in_flight.remove(key);
        }
    }
}

/// The fill a read runs, registered until it is finished (or abandoned, when dropped unfinished).
#[derive(Debug)]
pub(super) struct FillGuard {
    fills: Arc<Fills>,
    key: CacheKey,
    fill: Arc<Fill>,
    finished: bool,
}

impl FillGuard {
    /// The mark an invalidation sets on this fill, which the value it produces carries.
    pub(super) fn superseded(&self) -> &Arc<Superseded> {
        &self.fill.superseded
    }

    /// Hands the answer to the reads waiting for it and leaves the registry. Called once the answer is in the
    /// store (if it is kept), so that a read that misses the registry finds it there.
    pub(super) fn finish(mut self, result: Result<Arc<Filled>, Error>) {
        self.fill.outcome.send_replace(Outcome::Done(result));
        self.fills.remove(&self.key, &self.fill);
        self.finished = true;
    }
}

impl Drop for FillGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.fill.outcome.send_replace(Outcome::Abandoned);
            self.fills.remove(&self.key, &self.fill);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rpc::{Caching, Rpc};

    static RPC: Rpc = Rpc {
        name: "DicomSeriesModality",
        path: "/osirixgrpc.OsiriXService/DicomSeriesModality",
        class: "DicomSeries",
        stale: "No DicomSeries cached",
        absent: &[],
        caching: Caching::Immutable,
        idempotent: true,
    };

    fn key(uid: &str) -> CacheKey {
        CacheKey {
            rpc: &RPC,
            uid: uid.into(),
        }
    }

    fn run(part: Part) -> FillGuard {
        match part {
            Part::Run(guard) => guard,
            Part::Wait(_) => panic!("expected to run the fill"),
        }
    }

    #[test]
    fn an_invalidation_marks_the_fills_of_its_uid_and_later_reads_do_not_wait_for_them() {
        let fills = Arc::new(Fills::default());
        let a = run(fills.join_or_start(&key("A"), 0));
        let b = run(fills.join_or_start(&key("B"), 0));
        assert!(matches!(fills.join_or_start(&key("A"), 0), Part::Wait(_)));
        fills.invalidate(Some("A"));
        assert_eq!(a.superseded().by(), Some(1));
        assert_eq!(b.superseded().by(), None);
        // A read that began before the invalidation may still wait for A; one that began after starts its own.
        assert!(fills.find(&key("A"), 0).is_some());
        assert!(fills.find(&key("A"), 1).is_none());
        let later = run(fills.join_or_start(&key("A"), 1));
        assert_eq!(later.superseded().by(), None, "started after it");
        fills.invalidate(None);
        assert_eq!(a.superseded().by(), Some(1), "the first one counts");
        assert_eq!(b.superseded().by(), Some(2));
        assert_eq!(later.superseded().by(), Some(2));
        drop(a);
        assert_eq!(fills.len(), 2, "A's newer fill stays registered");
        drop((b, later));
        assert_eq!(fills.len(), 0);
    }

    #[tokio::test]
    async fn waiting_reads_get_the_answer_or_learn_the_fill_was_abandoned() {
        let fills = Arc::new(Fills::default());
        let guard = run(fills.join_or_start(&key("A"), 0));
        let Part::Wait(fill) = fills.join_or_start(&key("A"), 0) else {
            panic!("joins");
        };
        let error = Error::Closed { rpc: "X" };
        guard.finish(Err(error));
        assert!(matches!(
            fill.outcome().await,
            Some(Err(Error::Closed { .. }))
        ));
        let guard = run(fills.join_or_start(&key("A"), 0));
        let Part::Wait(fill) = fills.join_or_start(&key("A"), 0) else {
            panic!("joins");
        };
        drop(guard);
        assert!(fill.outcome().await.is_none(), "abandoned");
        assert_eq!(fills.len(), 0);
    }
}
