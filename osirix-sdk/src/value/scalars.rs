//! Numbers, flags and strings. The cache keeps them as they are: numbers and flags inline as their bits, strings
//! as shared text.

use super::{FromWire, Malformed};
use crate::Client;
use crate::cache::Kept;

impl FromWire<bool> for bool {
    fn from_wire(wire: bool, _: &Client) -> Result<Self, Malformed> {
        Ok(wire)
    }

    const __KEEPS_VALUE: bool = true;

    fn __keep(&self) -> Kept {
        Kept::Word(u64::from(*self))
    }

    fn __restore(kept: &Kept, _: &Client) -> Option<Self> {
        match kept {
            Kept::Word(word) => Some(*word != 0),
            _ => None,
        }
    }
}

impl FromWire<i32> for i32 {
    fn from_wire(wire: i32, _: &Client) -> Result<Self, Malformed> {
        Ok(wire)
    }

    const __KEEPS_VALUE: bool = true;

    fn __keep(&self) -> Kept {
        Kept::Word(u64::from(*self as u32))
    }

    fn __restore(kept: &Kept, _: &Client) -> Option<Self> {
        restore_u32(kept).map(|bits| bits as i32)
    }
}

impl FromWire<f32> for f32 {
    fn from_wire(wire: f32, _: &Client) -> Result<Self, Malformed> {
        Ok(wire)
    }

    const __KEEPS_VALUE: bool = true;

    fn __keep(&self) -> Kept {
        Kept::Word(u64::from(self.to_bits()))
    }

    fn __restore(kept: &Kept, _: &Client) -> Option<Self> {
        restore_u32(kept).map(f32::from_bits)
    }
}

/// Counts travel as `int32`: a negative one is an error, not a wrapped number.
impl FromWire<i32> for u32 {
    fn from_wire(wire: i32, _: &Client) -> Result<Self, Malformed> {
        u32::try_from(wire).map_err(|_| Malformed::new(format!("negative count {wire}")))
    }

    const __KEEPS_VALUE: bool = true;

    fn __keep(&self) -> Kept {
        Kept::Word(u64::from(*self))
    }

    fn __restore(kept: &Kept, _: &Client) -> Option<Self> {
        restore_u32(kept)
    }
}

/// OsiriX stores signed 32-bit values in `uint32` fields (width, height, frames, instance number; see
/// docs/osirix-behaviour.md, *Numbers, strings and absences*): a value above `i32::MAX` is a negative number in
/// disguise.
impl FromWire<u32> for u32 {
    fn from_wire(wire: u32, _: &Client) -> Result<Self, Malformed> {
        if wire > i32::MAX as u32 {
            Err(Malformed::new(format!(
                "value {} is a negative number stored unsigned",
                wire as i32
            )))
        } else {
            Ok(wire)
        }
    }

    const __KEEPS_VALUE: bool = true;

    fn __keep(&self) -> Kept {
        Kept::Word(u64::from(*self))
    }

    fn __restore(kept: &Kept, _: &Client) -> Option<Self> {
        restore_u32(kept)
    }
}

fn restore_u32(kept: &Kept) -> Option<u32> {
    match kept {
        Kept::Word(word) => u32::try_from(*word).ok(),
        _ => None,
    }
}

impl FromWire<String> for String {
    fn from_wire(wire: String, _: &Client) -> Result<Self, Malformed> {
        Ok(wire)
    }

    fn weigh(&self) -> usize {
        size_of::<String>() + self.capacity()
    }

    const __KEEPS_VALUE: bool = true;

    fn __keep(&self) -> Kept {
        Kept::Text(self.as_str().into())
    }

    fn __restore(kept: &Kept, _: &Client) -> Option<Self> {
        match kept {
            Kept::Text(text) => Some(String::from(&**text)),
            _ => None,
        }
    }
}
