//! The form in which a typed answer is kept in the cache: the same data, but with every handle reduced to its
//! uid, and laid out so that reading it back touches as little memory as possible.
//!
//! A cached handle that kept its [`Client`] would keep the client's cache (which holds it) alive forever: the
//! client, its connection and everything cached would never be freed. So the cache keeps client-free values and
//! binds them to the client that reads them.
//!
//! A hit on a large cache costs what it reads from memory that is no longer in the CPU's caches, so numbers are
//! kept inline ([`Payload::Word`]) and text in one allocation ([`Payload::Text`]); everything else is boxed.

use std::any::Any;
use std::sync::Arc;

use crate::Client;
use crate::handle::{Handle, HandleInner};

/// A cached value as the cache holds it.
#[derive(Clone)]
#[allow(missing_debug_implementations)] // a type-erased value has nothing to print
pub enum Payload {
    /// A number or flag, inline, with a tag of its Rust type (so that two declarations of one RPC with different
    /// number types never read each other's bits).
    Word(u64, u8),
    /// A string.
    Text(Arc<str>),
    /// Anything else, as its [`Cacheable::Stored`] form.
    Other(Arc<dyn Any + Send + Sync>),
}

impl Payload {
    /// True when `self` may be `other`: the same allocation, or the same bits for a word. Used to drop an entry
    /// only if it still holds the value moka dropped; equal words of two fetches are taken for one, which only
    /// drops an entry moka still holds (the next read takes it from moka again).
    pub(crate) fn may_be(&self, other: &Payload) -> bool {
        match (self, other) {
            (Payload::Word(a, ta), Payload::Word(b, tb)) => a == b && ta == tb,
            (Payload::Text(a), Payload::Text(b)) => Arc::ptr_eq(a, b),
            (Payload::Other(a), Payload::Other(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// A value that can be cached: stored without its client, loaded back bound to the reader's client.
///
/// Implemented for the types accessors return; a user type returned by a cached RPC of a class declared with
/// [`osirix_class!`](crate::osirix_class) implements it by keeping a client-free copy in `Stored`.
pub trait Cacheable: Sized {
    /// What the cache holds. Must not hold a [`Client`].
    type Stored: Send + Sync + 'static;

    /// Whether the value holds handles. Such a value is kept no longer than the growable time-to-live, even
    /// from an immutable RPC: OsiriX gives an object a new uid once it has dropped it from its uid cache (spec
    /// §2.7), so a cached handle can go stale while its object lives on, and only a fresh answer names the
    /// object again. A user type that holds handles sets it to `true`.
    const HOLDS_HANDLES: bool = false;

    /// The client-free form.
    fn store(&self) -> Self::Stored;

    /// The value again, its handles bound to `client`.
    fn load(stored: &Self::Stored, client: &Client) -> Self;

    /// The value as the cache holds it; boxed unless the type has a leaner layout.
    fn pack(&self) -> Payload {
        Payload::Other(Arc::new(self.store()))
    }

    /// The value back from what [`Cacheable::pack`] made, or `None` if it was packed from another type.
    fn unpack(payload: &Payload, client: &Client) -> Option<Self> {
        match payload {
            Payload::Other(stored) => Some(Self::load(stored.downcast_ref()?, client)),
            Payload::Word(..) | Payload::Text(_) => None,
        }
    }
}

macro_rules! cacheable_by_clone {
    ($($ty:ty),*) => {$(
        impl Cacheable for $ty {
            type Stored = $ty;
            fn store(&self) -> $ty {
                self.clone()
            }
            fn load(stored: &$ty, _: &Client) -> $ty {
                stored.clone()
            }
        }
    )*};
}
cacheable_by_clone!((), chrono::NaiveDate, chrono::NaiveDateTime);

/// Numbers and flags: stored inline, as their bits.
macro_rules! cacheable_as_word {
    ($($ty:ty = $tag:literal: $to:expr, $from:expr;)*) => {$(
        impl Cacheable for $ty {
            type Stored = $ty;
            fn store(&self) -> $ty {
                *self
            }
            fn load(stored: &$ty, _: &Client) -> $ty {
                *stored
            }
            fn pack(&self) -> Payload {
                Payload::Word($to(*self), $tag)
            }
            fn unpack(payload: &Payload, _: &Client) -> Option<$ty> {
                match payload {
                    Payload::Word(word, $tag) => $from(*word),
                    Payload::Word(..) | Payload::Text(_) | Payload::Other(_) => None,
                }
            }
        }
    )*};
}
cacheable_as_word! {
    bool = 1: u64::from, |w: u64| Some(w != 0);
    u32 = 2: u64::from, |w: u64| u32::try_from(w).ok();
    i32 = 3: |v: i32| u64::from(v as u32), |w: u64| u32::try_from(w).ok().map(|v| v as i32);
    f32 = 4: |v: f32| u64::from(v.to_bits()), |w: u64| u32::try_from(w).ok().map(f32::from_bits);
}

impl Cacheable for String {
    type Stored = Arc<str>;

    fn store(&self) -> Arc<str> {
        self.as_str().into()
    }

    fn load(stored: &Arc<str>, _: &Client) -> String {
        String::from(&**stored)
    }

    fn pack(&self) -> Payload {
        Payload::Text(self.store())
    }

    fn unpack(payload: &Payload, _: &Client) -> Option<String> {
        match payload {
            Payload::Text(text) => Some(String::from(&**text)),
            Payload::Word(..) | Payload::Other(_) => None,
        }
    }
}

/// A handle is kept as its uid.
impl<H: Handle> Cacheable for H {
    type Stored = Arc<str>;
    const HOLDS_HANDLES: bool = true;

    fn store(&self) -> Arc<str> {
        self.inner().uid.clone()
    }

    fn load(uid: &Arc<str>, client: &Client) -> H {
        H::from_inner(HandleInner {
            uid: uid.clone(),
            client: client.clone(),
        })
    }
}

impl<T: Cacheable> Cacheable for Option<T> {
    type Stored = Option<T::Stored>;
    const HOLDS_HANDLES: bool = T::HOLDS_HANDLES;

    fn store(&self) -> Self::Stored {
        self.as_ref().map(T::store)
    }

    fn load(stored: &Self::Stored, client: &Client) -> Self {
        stored.as_ref().map(|s| T::load(s, client))
    }
}

impl<T: Cacheable> Cacheable for Vec<T> {
    type Stored = Box<[T::Stored]>;
    const HOLDS_HANDLES: bool = T::HOLDS_HANDLES;

    fn store(&self) -> Self::Stored {
        self.iter().map(T::store).collect()
    }

    fn load(stored: &Self::Stored, client: &Client) -> Self {
        stored.iter().map(|s| T::load(s, client)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::builder("http://127.0.0.1:9")
            .connect_lazy()
            .expect("a lazy client needs no server")
    }

    fn round_trip<T: Cacheable>(value: &T) -> Option<T> {
        T::unpack(&value.pack(), &client())
    }

    #[tokio::test]
    async fn every_layout_reads_back_what_was_stored() {
        assert_eq!(round_trip(&true), Some(true));
        assert_eq!(round_trip(&false), Some(false));
        assert_eq!(round_trip(&u32::MAX), Some(u32::MAX));
        assert_eq!(round_trip(&i32::MIN), Some(i32::MIN));
        assert_eq!(round_trip(&-1i32), Some(-1));
        assert_eq!(round_trip(&-0.5f32), Some(-0.5));
        assert!(round_trip(&f32::NAN).is_some_and(f32::is_nan));
        assert_eq!(round_trip(&String::from("é/path")), Some("é/path".into()));
        assert_eq!(round_trip(&Some(String::new())), Some(Some(String::new())));
        assert_eq!(round_trip(&None::<u32>), Some(None));
        assert_eq!(round_trip(&vec![3u32, 1]), Some(vec![3, 1]));
    }

    // Checked at compile time: the values that hold handles say so, and only those.
    const _: () = {
        use crate::{DicomImage, DicomSeries, DicomStudy};
        assert!(DicomStudy::HOLDS_HANDLES);
        assert!(Option::<DicomSeries>::HOLDS_HANDLES);
        assert!(Vec::<DicomImage>::HOLDS_HANDLES);
        assert!(!String::HOLDS_HANDLES);
        assert!(!Option::<String>::HOLDS_HANDLES);
        assert!(!Vec::<u32>::HOLDS_HANDLES);
        assert!(!chrono::NaiveDateTime::HOLDS_HANDLES);
    };

    #[tokio::test]
    async fn a_payload_of_another_type_is_refused() {
        let client = client();
        assert_eq!(String::unpack(&7u32.pack(), &client), None);
        assert_eq!(u32::unpack(&String::from("7").pack(), &client), None);
        assert_eq!(u32::unpack(&Some(7u32).pack(), &client), None);
        assert_eq!(Vec::<u32>::unpack(&vec![1i32].pack(), &client), None);
        // Numbers of another type are refused, not reinterpreted; a word too wide is not truncated.
        assert_eq!(f32::unpack(&7u32.pack(), &client), None);
        assert_eq!(i32::unpack(&7u32.pack(), &client), None);
        assert_eq!(u32::unpack(&true.pack(), &client), None);
        assert_eq!(u32::unpack(&Payload::Word(u64::MAX, 2), &client), None);
    }
}
