//! Converting an accessor's arguments into request fields. Handles check that they belong to the client sending
//! them: a uid means nothing to another server.

use crate::Client;
use crate::handle::Handle;

/// Converts a Rust argument into its request field.
pub trait IntoWire<W> {
    /// Converts, or refuses (a handle of another client).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument) for a handle of another client.
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

/// Indices and counts travel as `int32`: one above `i32::MAX` is refused, not wrapped.
impl IntoWire<i32> for u32 {
    fn into_wire(self, _: &Client) -> crate::Result<i32> {
        i32::try_from(self).map_err(|_| {
            crate::Error::invalid(format!("{self} does not fit OsiriX's 32-bit index"))
        })
    }
}

impl IntoWire<String> for &str {
    fn into_wire(self, _: &Client) -> crate::Result<String> {
        Ok(self.to_owned())
    }
}
