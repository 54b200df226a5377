//! Conversions from what crosses the wire into the SDK's Rust types. Every check on a server's answer lives
//! here, so that a malformed answer becomes [`Error::MalformedResponse`](crate::Error::MalformedResponse) and
//! never a panic, a wrapped number or a handle without uid.

use std::borrow::Cow;
use std::collections::HashSet;

use crate::Client;
use crate::handle::{Handle, HandleInner, WireHandle, check_uid};

/// Why a payload does not fit its Rust type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub Cow<'static, str>);

impl Malformed {
    pub(crate) fn new(reason: impl Into<Cow<'static, str>>) -> Self {
        Malformed(reason.into())
    }
}

/// Converts a response payload `W` (one field, or the whole response for dates and other compound values) into
/// a Rust value. Handles are bound to `client`.
pub trait Decode<W>: Sized {
    /// Converts, or says why the payload is malformed.
    fn decode(wire: W, client: &Client) -> Result<Self, Malformed>;
}

/// The value an RPC's declared in-band absence (for example `"No next series"`) turns into.
pub trait Absent {
    /// The value that stands for "absent".
    fn absent() -> Self;
}

impl<T> Absent for Option<T> {
    fn absent() -> Self {
        None
    }
}

impl<T: Decode<W>, W> Decode<W> for Option<T> {
    fn decode(wire: W, client: &Client) -> Result<Self, Malformed> {
        T::decode(wire, client).map(Some)
    }
}

impl Decode<()> for () {
    fn decode((): (), _: &Client) -> Result<Self, Malformed> {
        Ok(())
    }
}

impl Decode<String> for String {
    fn decode(wire: String, _: &Client) -> Result<Self, Malformed> {
        Ok(wire)
    }
}

impl Decode<Vec<String>> for Vec<String> {
    fn decode(wire: Vec<String>, _: &Client) -> Result<Self, Malformed> {
        Ok(wire)
    }
}

impl Decode<bool> for bool {
    fn decode(wire: bool, _: &Client) -> Result<Self, Malformed> {
        Ok(wire)
    }
}

impl Decode<f32> for f32 {
    fn decode(wire: f32, _: &Client) -> Result<Self, Malformed> {
        Ok(wire)
    }
}

impl Decode<i32> for i32 {
    fn decode(wire: i32, _: &Client) -> Result<Self, Malformed> {
        Ok(wire)
    }
}

/// Counts travel as `int32`: a negative one is an error, not a wrapped number.
impl Decode<i32> for u32 {
    fn decode(wire: i32, _: &Client) -> Result<Self, Malformed> {
        u32::try_from(wire).map_err(|_| Malformed::new(format!("negative count {wire}")))
    }
}

/// OsiriX stores signed 32-bit values in `uint32` fields (quirk Q5): a value above `i32::MAX` is a negative
/// number in disguise.
impl Decode<u32> for u32 {
    fn decode(wire: u32, _: &Client) -> Result<Self, Malformed> {
        if wire > i32::MAX as u32 {
            Err(Malformed::new(format!(
                "value {} is a negative number stored unsigned",
                wire as i32
            )))
        } else {
            Ok(wire)
        }
    }
}

/// A singular handle field: present and with a valid uid.
impl<H: Handle> Decode<Option<H::Wire>> for H {
    fn decode(wire: Option<H::Wire>, client: &Client) -> Result<Self, Malformed> {
        let wire =
            wire.ok_or_else(|| Malformed::new(format!("the {} handle is missing", H::CLASS)))?;
        decode_handle(wire, client)
    }
}

/// A list of handles: every uid valid, none repeated (OsiriX returns sets).
impl<H: Handle> Decode<Vec<H::Wire>> for Vec<H> {
    fn decode(wire: Vec<H::Wire>, client: &Client) -> Result<Self, Malformed> {
        let handles = wire
            .into_iter()
            .map(|w| decode_handle::<H>(w, client))
            .collect::<Result<Vec<H>, _>>()?;
        let mut seen = HashSet::with_capacity(handles.len());
        if handles.iter().any(|h| !seen.insert(h.uid())) {
            return Err(Malformed::new(format!(
                "the list repeats a {} handle",
                H::CLASS
            )));
        }
        Ok(handles)
    }
}

fn decode_handle<H: Handle>(wire: H::Wire, client: &Client) -> Result<H, Malformed> {
    let uid = wire.into_uid();
    check_uid(&uid).map_err(|why| Malformed::new(format!("bad {} handle: {why}", H::CLASS)))?;
    Ok(H::from_inner(HandleInner {
        uid: uid.into(),
        client: client.clone(),
    }))
}

/// Converts a Rust argument into its request field. Handles check they belong to the client sending them.
pub trait IntoWire<W> {
    /// Converts, or refuses (for a handle of another client).
    fn into_wire(self, client: &Client) -> crate::Result<W>;
}

impl<H: Handle> IntoWire<Option<H::Wire>> for &H {
    fn into_wire(self, client: &Client) -> crate::Result<Option<H::Wire>> {
        self.inner().to_wire(client).map(Some)
    }
}

impl<H: Handle> IntoWire<Vec<H::Wire>> for &[H] {
    fn into_wire(self, client: &Client) -> crate::Result<Vec<H::Wire>> {
        self.iter().map(|h| h.inner().to_wire(client)).collect()
    }
}

macro_rules! into_wire_identity {
    ($($ty:ty),*) => {$(
        impl IntoWire<$ty> for $ty {
            fn into_wire(self, _: &Client) -> crate::Result<$ty> {
                Ok(self)
            }
        }
    )*};
}
into_wire_identity!(
    String,
    bool,
    f32,
    i32,
    u32,
    Vec<String>,
    Vec<f32>,
    Vec<i32>,
    Vec<bool>
);

impl IntoWire<String> for &str {
    fn into_wire(self, _: &Client) -> crate::Result<String> {
        Ok(self.to_owned())
    }
}

/// An estimate, in bytes, of the memory a cached value holds, so the cache is bounded by bytes and not by entry
/// count (a series' paths can be thousands of strings).
pub trait Weigh {
    /// Bytes held, including the value itself.
    fn weigh(&self) -> usize;
}

impl Weigh for String {
    fn weigh(&self) -> usize {
        size_of::<String>() + self.capacity()
    }
}

impl<T: Weigh> Weigh for Vec<T> {
    fn weigh(&self) -> usize {
        size_of::<Vec<T>>() + self.iter().map(Weigh::weigh).sum::<usize>()
    }
}

impl<T: Weigh> Weigh for Option<T> {
    fn weigh(&self) -> usize {
        self.as_ref().map_or(size_of::<Self>(), Weigh::weigh)
    }
}

macro_rules! weigh_by_size {
    ($($ty:ty),*) => {$(
        impl Weigh for $ty {
            fn weigh(&self) -> usize {
                size_of::<$ty>()
            }
        }
    )*};
}
weigh_by_size!(
    (),
    bool,
    u32,
    i32,
    f32,
    chrono::NaiveDate,
    chrono::NaiveDateTime
);

/// The weight of a handle: its uid and the pointer to its client.
pub fn weigh_handle(inner: &HandleInner) -> usize {
    size_of::<HandleInner>() + inner.uid.len()
}
