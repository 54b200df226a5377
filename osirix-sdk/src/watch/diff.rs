//! What two listings of handles differ by, compared by handle (uid and client).

use std::collections::HashSet;
use std::hash::Hash;

/// The items of `now` not in `before` (in `now`'s order) and those of `before` not in `now` (in `before`'s
/// order).
pub(super) fn added_and_removed<T: Eq + Hash + Clone>(before: &[T], now: &[T]) -> (Vec<T>, Vec<T>) {
    added_and_removed_by(before, now, itself)
}

/// [`added_and_removed`], with items told apart by `key` (an ROI snapshot by its ROI handle).
pub(super) fn added_and_removed_by<T: Clone, K: Eq + Hash>(
    before: &[T],
    now: &[T],
    key: impl Fn(&T) -> &K,
) -> (Vec<T>, Vec<T>) {
    let old: HashSet<&K> = before.iter().map(&key).collect();
    let new: HashSet<&K> = now.iter().map(&key).collect();
    let added = now
        .iter()
        .filter(|t| !old.contains(key(t)))
        .cloned()
        .collect();
    let removed = before
        .iter()
        .filter(|t| !new.contains(key(t)))
        .cloned()
        .collect();
    (added, removed)
}

fn itself<T>(t: &T) -> &T {
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_of_each_listing() {
        let (added, removed) = added_and_removed(&[1, 2, 3, 4], &[5, 4, 2, 6]);
        assert_eq!(added, [5, 6]);
        assert_eq!(removed, [1, 3]);
        assert_eq!(added_and_removed(&[1, 2], &[2, 1]), (vec![], vec![]));
    }
}
