//! What the cache keeps of a value: a form without its client.
//!
//! A cached handle bound to its client would hold the client, whose shared state holds the cache: a cycle, and
//! a client that is never freed. So values are kept client-free and bound again to the reader's client on every
//! hit. Numbers and flags are kept inline and strings as shared text, so the most frequent hits copy no more
//! than the value itself; everything else is shared behind an `Arc`.
//!
//! The cache keys entries by declaration, and one declaration always keeps one type in one form, so a form is
//! never read back as another type: the variants need no type tags.

use std::any::Any;
use std::sync::Arc;

/// A value as the cache keeps it. Built and read by [`FromWire`](crate::FromWire)'s hidden methods.
#[derive(Clone)]
#[doc(hidden)]
pub enum Kept {
    /// A number or flag, as its bits.
    Word(u64),
    /// A string, or a handle's uid.
    Text(Arc<str>),
    /// A list or a tuple, element by element.
    List(Arc<[Kept]>),
    /// The declared in-band absence (`None`).
    Absent,
    /// Anything else: a client-free value, or the wire payload of a type that is decoded again on every hit.
    Any(Arc<dyn Any + Send + Sync>),
}

impl Kept {
    /// Keeps `value` behind an `Arc`.
    pub fn any<T: Send + Sync + 'static>(value: T) -> Self {
        Kept::Any(Arc::new(value))
    }

    /// The value kept with [`Kept::any`], if it is a `T`.
    pub fn downcast<T: 'static>(&self) -> Option<&T> {
        match self {
            Kept::Any(value) => value.downcast_ref(),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Kept {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Kept::Word(word) => f.debug_tuple("Word").field(word).finish(),
            Kept::Text(text) => f.debug_tuple("Text").field(text).finish(),
            Kept::List(items) => f.debug_tuple("List").field(items).finish(),
            Kept::Absent => f.write_str("Absent"),
            Kept::Any(_) => f.write_str("Any(..)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With its key and the front map's bookkeeping, a kept value fits one cache line (see `front.rs`).
    #[test]
    fn a_kept_value_is_three_words() {
        assert_eq!(size_of::<Kept>(), 24);
    }

    #[test]
    fn downcast_finds_only_what_was_kept() {
        let kept = Kept::any(7u64);
        assert_eq!(kept.downcast::<u64>(), Some(&7));
        assert_eq!(kept.downcast::<u32>(), None);
        assert_eq!(Kept::Word(7).downcast::<u64>(), None);
    }
}
