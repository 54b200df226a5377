//! NumPy's `.npy` format, version 1.0, for a C-ordered array of little-endian `f32` (`'<f4'`): the magic
//! string, the version, a little-endian `u16` header length, a Python dict literal padded with spaces to a
//! multiple of 64 bytes and ended by a newline, then the values.

use std::io::{self, Write};

/// `\x93NUMPY` and version 1.0.
const MAGIC: &[u8] = b"\x93NUMPY\x01\x00";

/// NumPy aligns the data to 64 bytes.
const ALIGN: usize = 64;

/// Writes `data`, of shape `shape` in C order, as a `.npy` file to `out`.
///
/// # Errors
/// [`io::ErrorKind::InvalidInput`] when `data` does not hold the product of `shape` values; those of `out`.
pub(crate) fn write_f32(mut out: impl Write, shape: &[usize], data: &[f32]) -> io::Result<()> {
    let expected = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
    if expected != Some(data.len()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} values do not fill a shape of {shape:?}", data.len()),
        ));
    }
    out.write_all(&header(shape))?;
    let mut bytes = Vec::with_capacity(data.len() * 4);
    for value in data {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    out.write_all(&bytes)?;
    out.flush()
}

/// Everything before the values: magic, version, length and the padded dict.
fn header(shape: &[usize]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    // Python's tuple syntax: a one-element tuple keeps its comma.
    let tuple = match dims.as_slice() {
        [one] => format!("({one},)"),
        _ => format!("({})", dims.join(", ")),
    };
    let mut dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {tuple}, }}");
    let unpadded = MAGIC.len() + 2 + dict.len() + 1;
    dict.extend(std::iter::repeat_n(
        ' ',
        unpadded.next_multiple_of(ALIGN) - unpadded,
    ));
    dict.push('\n');
    // A shape's dict is a few dozen bytes: far below the 65 535 that a version 1.0 length holds.
    let len = u16::try_from(dict.len()).unwrap_or(u16::MAX);
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&len.to_le_bytes());
    bytes.extend_from_slice(dict.as_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_is_numpys_and_aligned() {
        let mut out = Vec::new();
        write_f32(&mut out, &[2, 1, 3], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.5]).expect("written");
        assert_eq!(&out[..8], MAGIC);
        let len = u16::from_le_bytes([out[8], out[9]]) as usize;
        assert_eq!((10 + len) % ALIGN, 0);
        let dict = std::str::from_utf8(&out[10..10 + len]).expect("ASCII");
        assert!(dict.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 3), }"));
        assert!(dict.ends_with(" \n"));
        let values: Vec<f32> = out[10 + len..]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(values, [0.0, 1.0, 2.0, 3.0, 4.0, 5.5]);
    }

    #[test]
    fn a_one_dimensional_shape_keeps_its_comma() {
        let text = String::from_utf8_lossy(&header(&[4])).into_owned();
        assert!(text.contains("'shape': (4,), }"));
    }

    #[test]
    fn data_that_does_not_fill_the_shape_is_refused() {
        let error = write_f32(Vec::new(), &[2, 2], &[1.0]).expect_err("refused");
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    }
}
