//! The structural check every DICOM file passes before dicom-object reads it.
//!
//! dicom-object builds nested sequences by recursion, without a depth limit, and reserves each value's
//! declared length before reading it. A 200 KB file of 10 000 nested sequences therefore overflows the
//! reader's stack (an abort no panic handler can catch), and a 446-byte file that declares a 4 GiB value
//! makes it allocate and zero 4 GiB. [`open`] walks the file first, iteratively, with the very token reader
//! dicom-object uses (so both see the same structure), and refuses:
//!
//! - a file without the `DICM` marker, or whose file meta group cannot be parsed;
//! - a transfer syntax the registry does not know, or one that compresses the whole data set (deflate),
//!   whose decoded size the file's size does not bound;
//! - sequences nested deeper than [`MAX_SEQUENCE_DEPTH`];
//! - any declared length (element, sequence, item, pixel data fragment) larger than the bytes left in the file.
//!
//! A file that passes holds dicom-object's recursion to [`MAX_SEQUENCE_DEPTH`] levels and its allocations to
//! values that fit in the file. The check reads values one at a time and drops them, so it holds no more
//! than one value at once. Reading a file that passed holds at most about 50 bytes of memory per byte of
//! file: the worst case is a text value of backslashes, which dicom-object splits into one empty string
//! (24 bytes) per byte, in a vector that grows by doubling.
//!
//! Every reader of DICOM files calls [`open`] and hands dicom-object the reader it returns, never the path:
//! the catalogue's header reader today, and any later one (imports, pixel decoding with
//! [`Extent::WholeFile`]).

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::rc::Rc;

use dicom_core::header::{HasLength, Header};
use dicom_core::{Length, Tag};
use dicom_dictionary_std::tags;
use dicom_encoding::TransferSyntaxIndex;
use dicom_encoding::decode::Decode;
use dicom_encoding::transfer_syntax::Codec;
use dicom_object::FileMetaTable;
use dicom_parser::dataset::DataToken;
use dicom_parser::dataset::read::{DataSetReader, DataSetReaderOptions};
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

/// The deepest nesting of sequences a file may have (a sequence in an item of a sequence is depth 2).
///
/// Real files nest a handful of levels. dicom-object's recursion takes about 8 KiB of stack per level in a
/// debug build and 1 KiB in a release build, so 64 levels stay well inside the 2 MiB stacks of the threads
/// that read files (tokio's workers, the catalogue's reader threads).
pub const MAX_SEQUENCE_DEPTH: usize = 64;

/// How much of a file a reader will hand to dicom-object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Extent {
    /// Up to the top-level Pixel Data element, as read with `OpenFileOptions::read_until(PIXEL_DATA)`.
    Header,
    /// Everything, pixel data included.
    WholeFile,
}

/// The marker after the 128-byte preamble.
const MAGIC: &[u8; 4] = b"DICM";
/// The preamble's length.
const PREAMBLE: u64 = 128;

/// Checks the file at `path` and, if it passes, returns it rewound, to be read with
/// `OpenFileOptions::from_reader` up to `extent`.
///
/// # Errors
///
/// Why the file is refused: it cannot be opened, is not DICOM, is malformed, nests too deep, or declares
/// more bytes than it has.
pub(crate) fn open(path: &Path, extent: Extent) -> Result<BufReader<File>, String> {
    let file = File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let size = file
        .metadata()
        .map_err(|e| format!("cannot read its size: {e}"))?
        .len();
    check(&file, size, extent)?;
    Ok(BufReader::new(file))
}

/// The walk of [`open`], over an open file of `size` bytes.
fn check(mut file: &File, size: u64, extent: Extent) -> Result<(), String> {
    let magic_at = magic_offset(file)?;
    let seek = |mut file: &File, at: u64| {
        file.seek(SeekFrom::Start(at))
            .map_err(|e| format!("cannot seek: {e}"))
    };
    seek(file, magic_at)?;
    check_meta_lengths(
        &mut Counted::new(BufReader::new(file)),
        size.saturating_sub(magic_at),
    )?;

    // The meta group is safe to parse now; parse it as dicom-object will, from the marker.
    seek(file, magic_at)?;
    let mut reader = Counted::new(BufReader::new(file));
    let meta = FileMetaTable::from_reader(&mut reader)
        .map_err(|e| format!("invalid file meta group: {e}"))?;
    let uid = meta.transfer_syntax();
    let syntax = TransferSyntaxRegistry
        .get(uid)
        .ok_or_else(|| format!("unknown transfer syntax {uid}"))?;
    if matches!(syntax.codec(), Codec::Dataset(_)) {
        return Err(format!(
            "transfer syntax {} compresses the whole data set, which is not read",
            syntax.name()
        ));
    }
    // The reader's count runs on from the marker.
    check_data_set(reader, syntax, size.saturating_sub(magic_at), extent)?;
    file.seek(SeekFrom::Start(0))
        .map_err(|e| format!("cannot rewind: {e}"))?;
    Ok(())
}

/// Where `DICM` starts: after a preamble, or at 0 in a file without one (as dicom-object detects it).
fn magic_offset(mut file: &File) -> Result<u64, String> {
    let mut head = [0u8; 132];
    let mut filled = 0;
    while filled < head.len() {
        match file.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("cannot read: {e}")),
        }
    }
    if filled == head.len() && &head[128..] == MAGIC {
        Ok(PREAMBLE)
    } else if filled >= 4 && &head[..4] == MAGIC {
        Ok(0)
    } else {
        Err("not a DICOM file (no DICM marker)".to_owned())
    }
}

/// Reads the file meta group's element headers the way dicom-object does, skipping their values, and refuses
/// a length larger than what is left of the `size` bytes from the marker on, where the reader starts.
fn check_meta_lengths(reader: &mut Counted<impl Read>, size: u64) -> Result<(), String> {
    let decoder = dicom_encoding::decode::file_header_decoder();
    let invalid = |e: &dyn std::fmt::Display| format!("invalid file meta group: {e}");
    let mut magic = [0u8; 4];
    reader.read_exact(&mut magic).map_err(|e| invalid(&e))?;
    let (first, _) = decoder.decode_header(reader).map_err(|e| invalid(&e))?;
    if first.tag() != Tag(0x0002, 0x0000) || first.length() != Length(4) {
        return Err(invalid(&"it does not start with its group length"));
    }
    let mut group_length = [0u8; 4];
    reader
        .read_exact(&mut group_length)
        .map_err(|e| invalid(&e))?;
    let group_length = u32::from_le_bytes(group_length);
    // dicom-object reads elements until it has read `group_length` bytes of them.
    let mut read = 0u32;
    while read < group_length {
        let (header, header_bytes) = decoder.decode_header(reader).map_err(|e| invalid(&e))?;
        let len = header
            .length()
            .get()
            .ok_or_else(|| invalid(&format!("{} has an undefined length", header.tag())))?;
        let left = size.saturating_sub(reader.count());
        ensure_fits(header.tag(), u64::from(len), left)?;
        skip(reader, u64::from(len))?;
        read = read
            .saturating_add(u32::try_from(header_bytes).unwrap_or(u32::MAX))
            .saturating_add(len);
    }
    Ok(())
}

/// Walks the data set's tokens (the reader dicom-object builds its objects from), checking the nesting depth
/// and each declared length against what is left of the `size` bytes the reader counts, before the token
/// reader reads the value.
fn check_data_set<R: Read>(
    reader: Counted<R>,
    syntax: &dicom_encoding::TransferSyntax,
    size: u64,
    extent: Extent,
) -> Result<(), String> {
    let consumed = reader.counter();
    let tokens =
        DataSetReader::new_with_ts_options(reader, syntax, DataSetReaderOptions::default())
            .map_err(|e| format!("cannot read the data set: {e}"))?;
    let left = || size.saturating_sub(consumed.get());
    let stops =
        |tag: Tag, depth: usize| extent == Extent::Header && depth == 0 && tag >= tags::PIXEL_DATA;
    let mut depth = 0usize;
    for token in tokens {
        let token = token.map_err(|e| format!("malformed data set: {e}"))?;
        match token {
            DataToken::ElementHeader(header) => {
                if stops(header.tag, depth) {
                    break;
                }
                ensure_fits_length(header.tag, header.len, left())?;
            }
            DataToken::SequenceStart { tag, len } => {
                if stops(tag, depth) {
                    break;
                }
                depth += 1;
                if depth > MAX_SEQUENCE_DEPTH {
                    return Err(format!(
                        "sequences nested deeper than {MAX_SEQUENCE_DEPTH} levels"
                    ));
                }
                ensure_fits_length(tag, len, left())?;
            }
            DataToken::PixelSequenceStart => {
                if stops(tags::PIXEL_DATA, depth) {
                    break;
                }
                // Closed by a SequenceEnd like any sequence; fragments do not nest.
                depth += 1;
            }
            DataToken::ItemStart { len } => ensure_fits_length(Tag(0xFFFE, 0xE000), len, left())?,
            DataToken::SequenceEnd => depth = depth.saturating_sub(1),
            DataToken::ItemEnd
            | DataToken::PrimitiveValue(_)
            | DataToken::ItemValue(_)
            | DataToken::OffsetTable(_) => {}
        }
    }
    Ok(())
}

fn ensure_fits_length(tag: Tag, len: Length, left: u64) -> Result<(), String> {
    match len.get() {
        Some(len) => ensure_fits(tag, u64::from(len), left),
        None => Ok(()),
    }
}

fn ensure_fits(tag: Tag, len: u64, left: u64) -> Result<(), String> {
    if len > left {
        Err(format!(
            "{tag} declares {len} bytes but only {left} are left in the file"
        ))
    } else {
        Ok(())
    }
}

/// Reads and drops `n` bytes.
fn skip(reader: &mut impl Read, n: u64) -> Result<(), String> {
    let skipped =
        io::copy(&mut reader.take(n), &mut io::sink()).map_err(|e| format!("cannot read: {e}"))?;
    if skipped < n {
        return Err("the file ends inside an element".to_owned());
    }
    Ok(())
}

/// A reader that counts the bytes read through it, also once moved into a token reader.
#[derive(Debug)]
struct Counted<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R> Counted<R> {
    fn new(inner: R) -> Self {
        Self {
            inner,
            count: Rc::new(Cell::new(0)),
        }
    }

    fn count(&self) -> u64 {
        self.count.get()
    }

    fn counter(&self) -> Rc<Cell<u64>> {
        Rc::clone(&self.count)
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DemoSpec, generate};

    /// A demo file's bytes and the offset of its Pixel Data element (native, explicit VR little endian).
    fn demo_file() -> (tempfile::TempDir, Vec<u8>, usize) {
        let dir = tempfile::tempdir().expect("dir");
        let catalog = generate(dir.path(), &DemoSpec::default()).expect("demo");
        let bytes = std::fs::read(&catalog.images()[0].path).expect("read");
        let at = bytes
            .windows(6)
            .rposition(|w| w == [0xE0, 0x7F, 0x10, 0x00, b'O', b'W'])
            .expect("pixel data");
        (dir, bytes, at)
    }

    fn check_bytes(dir: &tempfile::TempDir, bytes: &[u8], extent: Extent) -> Result<(), String> {
        let path = dir.path().join("probe.dcm");
        std::fs::write(&path, bytes).expect("write");
        open(&path, extent).map(drop)
    }

    #[test]
    fn a_demo_file_passes_both_extents() {
        let (dir, bytes, _) = demo_file();
        check_bytes(&dir, &bytes, Extent::Header).expect("header");
        check_bytes(&dir, &bytes, Extent::WholeFile).expect("whole file");
        // Without a preamble too.
        check_bytes(&dir, &bytes[128..], Extent::WholeFile).expect("no preamble");
    }

    #[test]
    fn pixel_data_is_checked_only_for_the_whole_file() {
        let (dir, mut bytes, at) = demo_file();
        // Native pixel data declaring more than the file holds.
        bytes[at + 8..at + 12].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        check_bytes(&dir, &bytes, Extent::Header).expect("the header is fine");
        let err = check_bytes(&dir, &bytes, Extent::WholeFile).expect_err("too long");
        assert!(
            err.contains("(7FE0,0010) declares 4294967280 bytes"),
            "{err}"
        );

        // Encapsulated pixel data: an empty offset table, then a fragment declaring more than the file holds.
        bytes.truncate(at + 8);
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        for (tag, len) in [(0xE000u16, 0u32), (0xE000, 0xFFFF_FFF0)] {
            bytes.extend_from_slice(&0xFFFEu16.to_le_bytes());
            bytes.extend_from_slice(&tag.to_le_bytes());
            bytes.extend_from_slice(&len.to_le_bytes());
        }
        bytes.extend_from_slice(&[0; 16]);
        check_bytes(&dir, &bytes, Extent::Header).expect("the header is fine");
        let err = check_bytes(&dir, &bytes, Extent::WholeFile).expect_err("too long");
        assert!(
            err.contains("(FFFE,E000) declares 4294967280 bytes"),
            "{err}"
        );
    }

    #[test]
    fn what_is_not_dicom_is_refused_with_a_reason() {
        let (dir, bytes, _) = demo_file();
        for (cut, expected) in [
            (0, "no DICM marker"),
            (3, "no DICM marker"),
            (132, "invalid file meta group"),
            (150, "invalid file meta group"),
        ] {
            let err = check_bytes(&dir, &bytes[..cut], Extent::Header).expect_err("refused");
            assert!(err.contains(expected), "{cut}: {err}");
        }
        let err = open(&dir.path().join("missing.dcm"), Extent::Header).expect_err("missing");
        assert!(err.starts_with("cannot open"), "{err}");
    }
}
