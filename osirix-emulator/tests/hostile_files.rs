//! Hostile files: crafted, truncated and mutated DICOM files are skipped and counted, never a panic, an abort or
//! an allocation beyond the file's size. Every file is generated here; none is stored in the repository.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use osirix_emulator::demo::{DemoSpec, generate};
use osirix_emulator::{Catalog, MAX_SEQUENCE_DEPTH};
use proptest::prelude::*;

/// The transfer syntaxes the crafted files are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    ExplicitLittle,
    ImplicitLittle,
    ExplicitBig,
}

impl Syntax {
    const ALL: [Syntax; 3] = [
        Syntax::ExplicitLittle,
        Syntax::ImplicitLittle,
        Syntax::ExplicitBig,
    ];

    fn uid(self) -> &'static str {
        match self {
            Syntax::ExplicitLittle => "1.2.840.10008.1.2.1",
            Syntax::ImplicitLittle => "1.2.840.10008.1.2",
            Syntax::ExplicitBig => "1.2.840.10008.1.2.2",
        }
    }

    fn u16(self, v: u16) -> [u8; 2] {
        match self {
            Syntax::ExplicitBig => v.to_be_bytes(),
            _ => v.to_le_bytes(),
        }
    }

    fn u32(self, v: u32) -> [u8; 4] {
        match self {
            Syntax::ExplicitBig => v.to_be_bytes(),
            _ => v.to_le_bytes(),
        }
    }

    fn tag(self, group: u16, element: u16) -> Vec<u8> {
        [self.u16(group), self.u16(element)].concat()
    }

    /// An element header with a 32-bit length (explicit VRs that have one, or implicit VR).
    fn long_header(self, group: u16, element: u16, vr: &[u8; 2], len: u32) -> Vec<u8> {
        let mut out = self.tag(group, element);
        if self != Syntax::ImplicitLittle {
            out.extend_from_slice(vr);
            out.extend_from_slice(&[0, 0]);
        }
        out.extend_from_slice(&self.u32(len));
        out
    }

    /// A whole element; `vr` decides the length field's size in explicit syntaxes.
    fn element(self, group: u16, element: u16, vr: &[u8; 2], value: &[u8]) -> Vec<u8> {
        let long = [
            b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"SV", b"UC", b"UN", b"UR", b"UT",
            b"UV",
        ]
        .contains(&vr);
        let len = u32::try_from(value.len()).expect("small value");
        let mut out = if long || self == Syntax::ImplicitLittle {
            self.long_header(group, element, vr, len)
        } else {
            let mut out = self.tag(group, element);
            out.extend_from_slice(vr);
            out.extend_from_slice(&self.u16(u16::try_from(len).expect("short value")));
            out
        };
        out.extend_from_slice(value);
        out
    }

    /// A sequence header; `len` `0xFFFF_FFFF` is undefined.
    fn sequence(self, group: u16, element: u16, len: u32) -> Vec<u8> {
        self.long_header(group, element, b"SQ", len)
    }

    fn item(self, len: u32) -> Vec<u8> {
        [self.tag(0xFFFE, 0xE000), self.u32(len).to_vec()].concat()
    }

    fn item_end(self) -> Vec<u8> {
        [self.tag(0xFFFE, 0xE00D), self.u32(0).to_vec()].concat()
    }

    fn sequence_end(self) -> Vec<u8> {
        [self.tag(0xFFFE, 0xE0DD), self.u32(0).to_vec()].concat()
    }
}

const UNDEFINED: u32 = 0xFFFF_FFFF;

/// A UI value padded to an even length.
fn ui(value: &str) -> Vec<u8> {
    let mut out = value.as_bytes().to_vec();
    if out.len() % 2 == 1 {
        out.push(0);
    }
    out
}

/// Preamble, `DICM` and a file meta group (always explicit VR little endian) naming `syntax`.
fn file_start(syntax: Syntax, sop_instance_uid: &str) -> Vec<u8> {
    file_start_with(syntax.uid(), sop_instance_uid)
}

/// [`file_start`] with any transfer syntax uid.
fn file_start_with(syntax_uid: &str, sop_instance_uid: &str) -> Vec<u8> {
    let meta = Syntax::ExplicitLittle;
    let body = [
        meta.element(0x0002, 0x0001, b"OB", &[0, 1]),
        meta.element(0x0002, 0x0002, b"UI", &ui("1.2.840.10008.5.1.4.1.1.4")),
        meta.element(0x0002, 0x0003, b"UI", &ui(sop_instance_uid)),
        meta.element(0x0002, 0x0010, b"UI", &ui(syntax_uid)),
    ]
    .concat();
    let mut out = vec![0u8; 128];
    out.extend_from_slice(b"DICM");
    out.extend(meta.element(
        0x0002,
        0x0000,
        b"UL",
        &u32::try_from(body.len()).expect("small").to_le_bytes(),
    ));
    out.extend(body);
    out
}

/// The elements the catalogue needs, for image `n` (a study and series of their own).
fn identity(syntax: Syntax, n: u32) -> Vec<u8> {
    [
        syntax.element(0x0008, 0x0016, b"UI", &ui("1.2.840.10008.5.1.4.1.1.4")),
        syntax.element(0x0008, 0x0018, b"UI", &ui(&format!("1.2.826.0.1.9.{n}"))),
        syntax.element(0x0008, 0x0060, b"CS", b"MR"),
        syntax.element(0x0020, 0x000D, b"UI", &ui(&format!("1.2.826.0.2.9.{n}"))),
        syntax.element(0x0020, 0x000E, b"UI", &ui(&format!("1.2.826.0.3.9.{n}"))),
    ]
    .concat()
}

/// A complete file: its identity elements, then `extra`.
fn dicom_file(syntax: Syntax, n: u32, extra: &[u8]) -> Vec<u8> {
    [
        file_start(syntax, &format!("1.2.826.0.1.9.{n}")),
        identity(syntax, n),
        extra.to_vec(),
    ]
    .concat()
}

/// `depth` nested undefined-length sequences, each with one undefined-length item, closed or not.
fn nested(syntax: Syntax, depth: usize, closed: bool) -> Vec<u8> {
    let open = [
        syntax.sequence(0x0008, 0x1115, UNDEFINED),
        syntax.item(UNDEFINED),
    ]
    .concat();
    let close = [syntax.item_end(), syntax.sequence_end()].concat();
    let mut out = open.repeat(depth);
    if closed {
        out.extend(close.repeat(depth));
    }
    out
}

/// The file of the issue: the start of a real file (preamble and meta group), then 10 000 nested
/// undefined-length sequences that are never closed (about 200 KB).
fn deep_file() -> Vec<u8> {
    let syntax = Syntax::ExplicitLittle;
    [
        file_start(syntax, "1.2.826.0.1.9.999"),
        nested(syntax, 10_000, false),
    ]
    .concat()
}

/// The other file of the issue: an element that declares `0xFFFF_FFF0` bytes, in a file of a few hundred.
fn huge_length_file() -> Vec<u8> {
    let syntax = Syntax::ExplicitLittle;
    let mut out = file_start(syntax, "1.2.826.0.1.9.998");
    out.extend(syntax.element(0x0008, 0x0060, b"CS", b"MR"));
    out.extend(syntax.long_header(0x0009, 0x1010, b"OB", 0xFFFF_FFF0));
    out.extend_from_slice(&[0u8; 64]);
    out
}

/// A demo database of 80 files (enough for the reader to use several threads) in `dir`.
fn demo_into(dir: &Path) -> Catalog {
    generate(
        dir,
        &DemoSpec {
            studies: 2,
            series_per_study: 4,
            images_per_series: 10,
            seed: 5,
            ..DemoSpec::DEFAULT
        },
    )
    .expect("demo database")
}

/// Writes `bytes` at `dir/name` (creating folders) and returns the path.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("folder");
    }
    std::fs::write(&path, bytes).expect("write");
    path
}

/// Names that sort first, in the middle of the demo folders and last.
const EVERYWHERE: [&str; 3] = [
    "000-first.dcm",
    "STUDY-000/SERIES-01/IM-0005-middle.dcm",
    "zzz-last.dcm",
];

#[test]
fn a_deeply_nested_file_is_skipped_wherever_it_sits() {
    let dir = tempfile::tempdir().expect("dir");
    let demo = demo_into(dir.path());
    for name in EVERYWHERE {
        write(dir.path(), name, &deep_file());
    }
    let catalog = Catalog::from_dir(dir.path()).expect("read");
    assert_eq!(catalog.images().len(), demo.images().len());
    assert_eq!(catalog.skipped(), EVERYWHERE.len());
}

/// The reasons of the skipped files, by file name.
fn reasons(catalog: &Catalog) -> Vec<(String, String)> {
    catalog
        .skipped_files()
        .iter()
        .map(|s| {
            let name = s
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            (name.to_owned(), s.reason.clone())
        })
        .collect()
}

/// No reason says the reader panicked.
#[track_caller]
fn assert_no_panic(catalog: &Catalog) {
    for (name, reason) in reasons(catalog) {
        assert!(!reason.contains("panicked"), "{name}: {reason}");
    }
}

#[test]
fn nesting_up_to_the_limit_is_read_and_deeper_is_refused_in_every_syntax() {
    let dir = tempfile::tempdir().expect("dir");
    // Enough files for the reader threads to be used, so the limit is also tried on their stacks.
    let demo = demo_into(dir.path());
    for (k, syntax) in Syntax::ALL.into_iter().enumerate() {
        let n = u32::try_from(k).expect("small");
        let at_limit = dicom_file(syntax, 100 + n, &nested(syntax, MAX_SEQUENCE_DEPTH, true));
        let over = dicom_file(
            syntax,
            200 + n,
            &nested(syntax, MAX_SEQUENCE_DEPTH + 1, true),
        );
        let issue = dicom_file(syntax, 300 + n, &nested(syntax, 10_000, true));
        write(dir.path(), &format!("at-limit-{syntax:?}.dcm"), &at_limit);
        write(dir.path(), &format!("over-{syntax:?}.dcm"), &over);
        write(dir.path(), &format!("deep-{syntax:?}.dcm"), &issue);
    }
    let catalog = Catalog::from_dir(dir.path()).expect("read");
    assert_eq!(catalog.images().len(), demo.images().len() + 3);
    for syntax in Syntax::ALL {
        let name = format!("at-limit-{syntax:?}.dcm");
        assert!(
            catalog.images().iter().any(|i| i.path.ends_with(&name)),
            "{name} is read"
        );
    }
    let skipped = reasons(&catalog);
    assert_eq!(skipped.len(), 6, "{skipped:#?}");
    for (name, reason) in &skipped {
        assert!(
            reason.contains(&format!("nested deeper than {MAX_SEQUENCE_DEPTH}")),
            "{name}: {reason}"
        );
    }
}

#[test]
fn a_huge_declared_length_is_skipped_wherever_it_sits() {
    let dir = tempfile::tempdir().expect("dir");
    let demo = demo_into(dir.path());
    for name in EVERYWHERE {
        write(dir.path(), name, &huge_length_file());
    }
    let catalog = Catalog::from_dir(dir.path()).expect("read");
    assert_eq!(catalog.images().len(), demo.images().len());
    assert_eq!(catalog.skipped(), EVERYWHERE.len());
}

/// Kills the child on drop, so a failing test leaves no process behind.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The peak resident memory of a process, from `/proc/<pid>/status` (Linux only).
fn peak_rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Starts the emulator binary on `dir`, waits for `listening on`, and returns its peak resident memory then.
/// Panics with the exit status and log if the binary ends instead.
fn peak_rss_after_start(dir: &Path) -> u64 {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_osirix-emulator"))
            .arg("--dicom-dir")
            .arg(dir)
            .args(["--addr", "127.0.0.1:0"])
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn"),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read");
    if !line.starts_with("listening on ") {
        let status = child.0.wait().expect("wait");
        let mut log = String::new();
        std::io::Read::read_to_string(&mut child.0.stderr.take().expect("stderr"), &mut log)
            .expect("log");
        panic!("the emulator did not start ({status}): {log}");
    }
    peak_rss_bytes(child.0.id()).expect("VmHWM")
}

/// Whether `/proc/<pid>/status` can be read here, else prints why `test` is skipped.
fn has_proc(test: &str) -> bool {
    let ok = peak_rss_bytes(std::process::id()).is_some();
    if !ok {
        println!("skipped: {test}: needs /proc/<pid>/status (Linux)");
    }
    ok
}

#[test]
fn the_binary_starts_beside_a_deeply_nested_file() {
    if !has_proc("the_binary_starts_beside_a_deeply_nested_file") {
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    demo_into(dir.path());
    write(dir.path(), "deep.dcm", &deep_file());
    peak_rss_after_start(dir.path());
}

/// Files that make a careless reader allocate: huge declared lengths (element, sequence, item, meta group), a
/// text value of backslashes (one string per byte), many small elements, and a sequence of many items.
fn memory_hungry_files() -> Vec<(&'static str, Vec<u8>)> {
    let s = Syntax::ExplicitLittle;
    let mut meta_bomb = file_start(s, "1.2.826.0.1.9.990");
    // An unknown meta element declaring 0xFFFF_FFF0 bytes, inside a group length that says it is there.
    let group_at = 128 + 4 + 8;
    let bomb = s.long_header(0x0002, 0x0099, b"OB", 0xFFFF_FFF0);
    let group = u32::from_le_bytes(
        meta_bomb[group_at..group_at + 4]
            .try_into()
            .expect("4 bytes"),
    );
    meta_bomb[group_at..group_at + 4].copy_from_slice(&(group + bomb.len() as u32).to_le_bytes());
    meta_bomb.extend(bomb);
    meta_bomb.extend_from_slice(&[0u8; 32]);
    let huge_in_item = dicom_file(
        s,
        991,
        &[
            s.sequence(0x0008, 0x1115, UNDEFINED),
            s.item(UNDEFINED),
            s.long_header(0x0008, 0x0119, b"UC", 0xFFFF_FFF0),
        ]
        .concat(),
    );
    let huge_sequence = dicom_file(s, 992, &s.sequence(0x0008, 0x1115, 0xFFFF_FFF0));
    let huge_item = dicom_file(
        s,
        993,
        &[s.sequence(0x0008, 0x1115, UNDEFINED), s.item(0xFFFF_FFF0)].concat(),
    );
    let implicit_huge = dicom_file(
        Syntax::ImplicitLittle,
        994,
        &Syntax::ImplicitLittle.long_header(0x0010, 0x0010, b"PN", 0xFFFF_FFF0),
    );
    let backslashes = dicom_file(s, 995, &s.element(0x0008, 0x0119, b"UC", &[b'\\'; 1 << 20]));
    let many_elements: Vec<u8> = (0x1000u16..0xF000)
        .step_by(1)
        .flat_map(|e| s.element(0x0009, e, b"LO", b""))
        .collect();
    let many_elements = dicom_file(s, 996, &many_elements);
    let wide = dicom_file(
        s,
        997,
        &[
            s.sequence(0x0008, 0x1115, UNDEFINED),
            [s.item(UNDEFINED), s.item_end()].concat().repeat(50_000),
            s.sequence_end(),
        ]
        .concat(),
    );
    vec![
        ("huge.dcm", huge_length_file()),
        ("meta-bomb.dcm", meta_bomb),
        ("huge-in-item.dcm", huge_in_item),
        ("huge-sequence.dcm", huge_sequence),
        ("huge-item.dcm", huge_item),
        ("implicit-huge.dcm", implicit_huge),
        ("backslashes.dcm", backslashes),
        ("many-elements.dcm", many_elements),
        ("wide.dcm", wide),
    ]
}

#[test]
fn memory_hungry_files_are_read_or_refused_without_huge_allocations() {
    let dir = tempfile::tempdir().expect("dir");
    let files = memory_hungry_files();
    for (name, bytes) in &files {
        write(dir.path(), name, bytes);
    }
    let catalog = Catalog::from_dir(dir.path()).expect("read");
    let skipped: Vec<_> = catalog
        .skipped_files()
        .iter()
        .map(|s| {
            let name = s
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            (name.to_owned(), s.reason.clone())
        })
        .collect();
    eprintln!("{skipped:#?}");
    let refused: Vec<&str> = skipped.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        refused,
        [
            "huge-in-item.dcm",
            "huge-item.dcm",
            "huge-sequence.dcm",
            "huge.dcm",
            "implicit-huge.dcm",
            "meta-bomb.dcm"
        ]
    );
    for (name, reason) in &skipped {
        assert!(reason.contains("are left in the file"), "{name}: {reason}");
    }
    // Large but honest files are read.
    assert_eq!(catalog.images().len(), 3);
}

#[test]
fn reading_memory_hungry_files_stays_within_the_memory_bound() {
    if !has_proc("reading_memory_hungry_files_stays_within_the_memory_bound") {
        return;
    }
    let clean = tempfile::tempdir().expect("dir");
    demo_into(clean.path());
    let hostile = tempfile::tempdir().expect("dir");
    demo_into(hostile.path());
    let mut crafted_bytes = 0;
    for (name, bytes) in memory_hungry_files() {
        write(hostile.path(), name, &bytes);
        crafted_bytes += bytes.len() as u64;
    }

    let baseline = peak_rss_after_start(clean.path());
    let peak = peak_rss_after_start(hostile.path());
    eprintln!("peak {peak} bytes with {crafted_bytes} crafted bytes, {baseline} without");
    // The stated bound: reading a file holds at most 50 bytes per byte of it; the slack covers the noise of
    // thread stacks and allocator arenas between two runs.
    let slack = 32 << 20;
    assert!(
        peak <= baseline + 50 * crafted_bytes + slack,
        "peak {peak} bytes with the crafted files, {baseline} without ({crafted_bytes} crafted bytes)"
    );
}

/// The bytes of one demo file, and the offset of its Pixel Data element.
fn demo_file_bytes() -> (Vec<u8>, usize) {
    let dir = tempfile::tempdir().expect("dir");
    let catalog = generate(
        dir.path(),
        &DemoSpec {
            studies: 1,
            series_per_study: 1,
            images_per_series: 1,
            seed: 2,
            ..DemoSpec::DEFAULT
        },
    )
    .expect("demo");
    let bytes = std::fs::read(&catalog.images()[0].path).expect("read");
    let pixel_data = bytes
        .windows(6)
        .rposition(|w| w == [0xE0, 0x7F, 0x10, 0x00, b'O', b'W'])
        .expect("a Pixel Data element");
    (bytes, pixel_data)
}

#[test]
fn truncated_and_empty_files_are_skipped() {
    let (bytes, pixel_data) = demo_file_bytes();
    let dir = tempfile::tempdir().expect("dir");
    let mut cuts: Vec<usize> = vec![0, 1, 3, 4, 127, 128, 131, 132, 133, 140, 144, 200];
    cuts.extend((145..pixel_data).step_by(7));
    for &cut in &cuts {
        write(dir.path(), &format!("cut-{cut:05}.dcm"), &bytes[..cut]);
    }
    let catalog = Catalog::from_dir(dir.path()).expect("read");
    assert_no_panic(&catalog);
    // A cut before the last required element loses the file; a cut after it leaves a readable header.
    let read: Vec<usize> = catalog
        .images()
        .iter()
        .filter_map(|i| i.path.rsplit_once("cut-")?.1.get(..5)?.parse().ok())
        .collect();
    assert_eq!(read.len() + catalog.skipped(), cuts.len());
    for &cut in &cuts[..12] {
        assert!(!read.contains(&cut), "a {cut}-byte file is skipped");
    }
    // The header is whole once the pixel data element starts, whatever follows.
    for (name, cut) in [
        ("at-pixel-data.dcm", pixel_data),
        ("in-pixel-data.dcm", pixel_data + 20),
    ] {
        let dir = tempfile::tempdir().expect("dir");
        write(dir.path(), name, &bytes[..cut]);
        let catalog = Catalog::from_dir(dir.path()).expect("read");
        assert_eq!(catalog.images().len(), 1, "{name}: {:?}", reasons(&catalog));
    }
}

#[test]
fn transfer_syntaxes_that_cannot_be_bounded_are_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let with_syntax = |uid: &str, n: u32| {
        [
            file_start_with(uid, &format!("1.2.826.0.1.9.{n}")),
            identity(Syntax::ExplicitLittle, n),
        ]
        .concat()
    };
    // Deflated Explicit VR Little Endian: the data set's size is not bounded by the file's.
    write(
        dir.path(),
        "deflated.dcm",
        &with_syntax("1.2.840.10008.1.2.1.99", 1),
    );
    write(
        dir.path(),
        "unknown.dcm",
        &with_syntax("1.2.840.10008.9.9.9", 2),
    );
    let catalog = Catalog::from_dir(dir.path()).expect("read");
    let skipped = reasons(&catalog);
    assert_eq!(skipped.len(), 2, "{skipped:#?}");
    assert!(
        skipped[0].1.contains("compresses the whole data set"),
        "{skipped:#?}"
    );
    assert!(
        skipped[1].1.contains("unknown transfer syntax"),
        "{skipped:#?}"
    );
}

#[cfg(unix)]
#[test]
fn symbolic_link_loops_do_not_hang_the_walk() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("dir");
    let demo = generate(dir.path().join("data"), &DemoSpec::default()).expect("demo");
    let root = dir.path().to_path_buf();
    symlink(&root, root.join("data/loop")).expect("link to an ancestor");
    symlink(root.join("a"), root.join("b")).expect("link");
    symlink(root.join("b"), root.join("a")).expect("link");
    symlink(root.join("self"), root.join("self")).expect("link to itself");
    symlink(&demo.images()[0].path, root.join("linked.dcm")).expect("link to a file");
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(Catalog::from_dir(&root).map(|c| (c.images().len(), c.skipped())));
    });
    let (images, skipped) = result
        .recv_timeout(osirix_emulator::testing::PATIENCE)
        .expect("the walk ends")
        .expect("read");
    // The linked file repeats an image: read, then skipped as a duplicate; the loops are not files.
    assert_eq!((images, skipped), (demo.images().len(), 1));
}

/// One mutation of a file's bytes.
#[derive(Debug, Clone)]
enum Mutation {
    /// Overwrites one byte.
    Byte(usize, u8),
    /// Writes a 32-bit little-endian number (a length, most likely) at an offset.
    Word(usize, u32),
    /// Cuts the file.
    Truncate(usize),
    /// Copies a range of the file to another offset, growing it.
    Splice { from: usize, len: usize, to: usize },
}

fn mutation(len: usize) -> impl Strategy<Value = Mutation> {
    let big = prop_oneof![
        Just(0xFFFF_FFFFu32),
        Just(0xFFFF_FFF0),
        Just(0x8000_0000),
        any::<u32>()
    ];
    prop_oneof![
        (0..len, any::<u8>()).prop_map(|(at, b)| Mutation::Byte(at, b)),
        (0..len, big).prop_map(|(at, w)| Mutation::Word(at, w)),
        (0..len).prop_map(Mutation::Truncate),
        (0..len, 1..64usize, 0..len).prop_map(|(from, len, to)| Mutation::Splice { from, len, to }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    match *m {
        Mutation::Byte(at, b) => {
            if let Some(x) = bytes.get_mut(at) {
                *x = b;
            }
        }
        Mutation::Word(at, w) => {
            if at + 4 <= bytes.len() {
                bytes[at..at + 4].copy_from_slice(&w.to_le_bytes());
            }
        }
        Mutation::Truncate(at) => bytes.truncate(at),
        Mutation::Splice { from, len, to } => {
            let end = (from + len).min(bytes.len());
            if from < end && to <= bytes.len() {
                let chunk = bytes[from..end].to_vec();
                bytes.splice(to..to, chunk);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Mutated headers of a real file are read or skipped with a reason: never a panic, never an abort.
    #[test]
    fn mutated_headers_are_read_or_skipped(mutations in prop::collection::vec(mutation(1100), 1..6)) {
        thread_local! {
            static ORIGINAL: (Vec<u8>, usize) = demo_file_bytes();
        }
        let (mut bytes, _) = ORIGINAL.with(|o| o.clone());
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let dir = tempfile::tempdir().expect("dir");
        write(dir.path(), "mutated.dcm", &bytes);
        let catalog = Catalog::from_dir(dir.path()).expect("read");
        prop_assert_eq!(catalog.images().len() + catalog.skipped(), 1);
        for (_, reason) in reasons(&catalog) {
            prop_assert!(!reason.contains("panicked"), "{}", reason);
        }
    }
}
