//! The watch of one viewer's ROIs in one frame: the ROI list, and each ROI's name, colour and points.

use std::collections::HashMap;

use futures_util::future::{join_all, try_join3};

use super::config::WatchConfig;
use super::diff::added_and_removed_by;
use super::poller::{Source, Watch};
use crate::{Error, Point, Result, Roi, RoiColor, ViewerController};

/// An ROI as one poll of [`ViewerController::watch_rois`] saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct RoiSnapshot {
    /// The ROI.
    pub roi: Roi,
    /// The slice (index in data order of the frame's DCMPix) it is drawn on.
    pub slice: u32,
    /// Its name.
    pub name: String,
    /// Its colour.
    pub color: RoiColor,
    /// Its points as stored.
    pub points: Vec<Point>,
}

/// A change of a viewer's ROIs, from [`ViewerController::watch_rois`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum RoiEvent {
    /// The ROIs of the frame when the watch started, slice by slice, each slice's oldest first; always the first
    /// event, once.
    Initial(Vec<RoiSnapshot>),
    /// An ROI appeared.
    Added(RoiSnapshot),
    /// An ROI went (deleted, or its slice's list no longer holds it).
    Removed(RoiSnapshot),
    /// An ROI's name, colour or points differ from the last poll.
    Changed {
        /// The ROI as the last poll saw it.
        before: RoiSnapshot,
        /// The ROI now.
        after: RoiSnapshot,
    },
}

/// The ROIs of the last successful poll.
struct Rois {
    viewer: ViewerController,
    movie_idx: u32,
    known: Option<Vec<RoiSnapshot>>,
}

/// `roi` as it is now, or `None` when it was deleted while it was being read.
async fn snapshot(roi: Roi, slice: u32) -> Result<Option<RoiSnapshot>> {
    match try_join3(roi.name(), roi.color(), roi.points()).await {
        Ok((name, color, points)) => Ok(Some(RoiSnapshot {
            roi,
            slice,
            name,
            color,
            points,
        })),
        Err(err) if err.is_stale_handle() => Ok(None),
        Err(err) => Err(err),
    }
}

impl Source for Rois {
    type Event = RoiEvent;

    async fn poll(&mut self) -> Result<Vec<RoiEvent>> {
        let slices = self.viewer.roi_list(self.movie_idx).await?;
        let reads = slices.into_iter().enumerate().flat_map(|(slice, rois)| {
            let slice = u32::try_from(slice).unwrap_or(u32::MAX);
            rois.into_iter().map(move |roi| snapshot(roi, slice))
        });
        let mut now = Vec::new();
        for read in join_all(reads).await {
            now.extend(read?);
        }
        let events = match &self.known {
            None => vec![RoiEvent::Initial(now.clone())],
            Some(before) => changes(before, &now),
        };
        self.known = Some(now);
        Ok(events)
    }

    /// The viewer is gone (closed, or the server dropped it) when its ROI list answers with a stale handle.
    fn is_terminal(&self, err: &Error) -> bool {
        match err {
            Error::Closed { .. } => true,
            Error::StaleHandle { class, .. } => *class == "ViewerController",
            _ => false,
        }
    }
}

/// The events from `before` to `now`: removed, then added, then changed ROIs.
fn changes(before: &[RoiSnapshot], now: &[RoiSnapshot]) -> Vec<RoiEvent> {
    let (added, removed) = added_and_removed_by(before, now, roi_of);
    let mut events: Vec<RoiEvent> = removed.into_iter().map(RoiEvent::Removed).collect();
    events.extend(added.into_iter().map(RoiEvent::Added));
    // By uid: every ROI of one watch is of the same client.
    let old: HashMap<&str, &RoiSnapshot> = before.iter().map(|s| (s.roi.uid(), s)).collect();
    for after in now {
        if let Some(&before) = old.get(after.roi.uid())
            && (before.name != after.name
                || before.color != after.color
                || before.points != after.points)
        {
            events.push(RoiEvent::Changed {
                before: before.clone(),
                after: after.clone(),
            });
        }
    }
    events
}

fn roi_of(snapshot: &RoiSnapshot) -> &Roi {
    &snapshot.roi
}

impl ViewerController {
    /// Watches the ROIs of frame `movie_idx` (OsiriX clamps it to the last frame) of this viewer:
    /// [`RoiEvent::Initial`] with its ROIs now, then one event per ROI added, removed or changed (its name,
    /// colour or points), found by polling as `config` says.
    ///
    /// # Cost
    /// Each poll costs one `ViewerControllerROIList` call, plus `ROIName`, `ROIColor` and `ROIPoints` for
    /// each of the R ROIs it lists, all issued at once: 1 + 3R calls, none of them cached. An ROI deleted
    /// between the list and its reads is left out of that poll.
    ///
    /// ```no_run
    /// # async fn demo(viewer: osirix_sdk::ViewerController) {
    /// use futures_util::StreamExt;
    /// use osirix_sdk::watch::{RoiEvent, WatchConfig};
    ///
    /// let mut rois = viewer.watch_rois(0, WatchConfig::default());
    /// while let Some(event) = rois.next().await {
    ///     match event {
    ///         Ok(RoiEvent::Changed { before, after }) => println!("{} -> {}", before.name, after.name),
    ///         Ok(other) => println!("{other:?}"),
    ///         Err(err) if err.is_stale_handle() => break, // the viewer closed: the stream ends here
    ///         Err(err) => eprintln!("poll failed (the watch goes on): {err}"),
    ///     }
    /// }
    /// # }
    /// ```
    ///
    /// # Errors
    /// The stream yields the error of a poll whose call failed after the client's retries, and polls on with
    /// backoff, resuming from the last ROIs it saw. Two errors end it after they were yielded:
    /// [`Error::StaleHandle`] of the viewer (it was closed) and [`Error::Closed`] (the client was closed).
    pub fn watch_rois(&self, movie_idx: u32, config: WatchConfig) -> Watch<RoiEvent> {
        let source = Rois {
            viewer: self.clone(),
            movie_idx,
            known: None,
        };
        Watch::new("rois", source, &config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Client;

    fn snapshot(client: &Client, uid: &str, name: &str, points: Vec<Point>) -> RoiSnapshot {
        RoiSnapshot {
            roi: Roi::from_uid(client, uid).expect("a uid"),
            slice: 0,
            name: name.into(),
            color: RoiColor::new(1, 2, 3),
            points,
        }
    }

    #[tokio::test]
    async fn changes_are_removed_then_added_then_changed_by_handle() {
        let client = Client::builder("http://127.0.0.1:9")
            .connect_lazy()
            .expect("a lazy client needs no server");
        let p = |c| vec![Point::new(c, 1.0)];
        let a = snapshot(&client, "A", "a", p(1.0));
        let b = snapshot(&client, "B", "b", p(2.0));
        let c = snapshot(&client, "C", "c", p(3.0));
        let b_moved = snapshot(&client, "B", "b", p(9.0));
        let mut a_recoloured = a.clone();
        a_recoloured.color = RoiColor::new(9, 9, 9);

        let events = changes(&[a.clone(), b.clone()], &[c.clone(), b_moved.clone()]);
        assert_eq!(
            events,
            [
                RoiEvent::Removed(a.clone()),
                RoiEvent::Added(c.clone()),
                RoiEvent::Changed {
                    before: b.clone(),
                    after: b_moved
                }
            ]
        );
        assert_eq!(
            changes(
                std::slice::from_ref(&a),
                std::slice::from_ref(&a_recoloured)
            ),
            [RoiEvent::Changed {
                before: a.clone(),
                after: a_recoloured
            }]
        );
        assert!(changes(&[a.clone(), b.clone()], &[b, a]).is_empty());
    }
}
