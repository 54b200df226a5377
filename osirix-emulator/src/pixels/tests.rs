//! The pixel layer on real DICOM files written here with dicom-object, and on the MR phantom when
//! `OSIRIX_PHANTOM_DIR` is set.

use std::path::{Path, PathBuf};

use dicom_core::value::PixelFragmentSequence;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};
use dicom_pixeldata::Transcode;

use super::*;

/// The image attributes of a test file.
#[derive(Debug, Clone, Copy)]
struct Image {
    rows: u16,
    columns: u16,
    allocated: u16,
    stored: u16,
    high: u16,
    signed: bool,
    samples: u16,
    photometric: &'static str,
    planar: u16,
}

impl Image {
    fn grey(rows: u16, columns: u16, bits: u16, signed: bool) -> Image {
        Image {
            rows,
            columns,
            allocated: bits,
            stored: bits,
            high: bits - 1,
            signed,
            samples: 1,
            photometric: "MONOCHROME2",
            planar: 0,
        }
    }

    fn colour(rows: u16, columns: u16, photometric: &'static str, planar: u16) -> Image {
        Image {
            samples: 3,
            photometric,
            planar,
            ..Image::grey(rows, columns, 8, false)
        }
    }

    /// A data set with these attributes and no pixel data.
    fn data_set(&self) -> InMemDicomObject {
        let mut obj = InMemDicomObject::new_empty();
        put_str(
            &mut obj,
            tags::SOP_CLASS_UID,
            VR::UI,
            uids::MR_IMAGE_STORAGE,
        );
        put_str(&mut obj, tags::SOP_INSTANCE_UID, VR::UI, "2.25.1234");
        put_str(&mut obj, tags::MODALITY, VR::CS, "MR");
        put_str(
            &mut obj,
            tags::PHOTOMETRIC_INTERPRETATION,
            VR::CS,
            self.photometric,
        );
        put_us(&mut obj, tags::SAMPLES_PER_PIXEL, self.samples);
        if self.samples > 1 {
            put_us(&mut obj, tags::PLANAR_CONFIGURATION, self.planar);
        }
        put_us(&mut obj, tags::ROWS, self.rows);
        put_us(&mut obj, tags::COLUMNS, self.columns);
        put_us(&mut obj, tags::BITS_ALLOCATED, self.allocated);
        put_us(&mut obj, tags::BITS_STORED, self.stored);
        put_us(&mut obj, tags::HIGH_BIT, self.high);
        put_us(&mut obj, tags::PIXEL_REPRESENTATION, u16::from(self.signed));
        obj
    }
}

fn put_str(obj: &mut InMemDicomObject, tag: Tag, vr: VR, value: &str) {
    obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
}

fn put_us(obj: &mut InMemDicomObject, tag: Tag, value: u16) {
    obj.put(DataElement::new(tag, VR::US, PrimitiveValue::from(value)));
}

fn put_pixels(obj: &mut InMemDicomObject, vr: VR, value: PrimitiveValue) {
    obj.put(DataElement::new(tags::PIXEL_DATA, vr, value));
}

/// A sequence element of the given items.
fn sequence(tag: Tag, items: Vec<InMemDicomObject>) -> DataElement<InMemDicomObject> {
    DataElement::new(tag, VR::SQ, dicom_core::value::DataSetSequence::from(items))
}

/// A one-item sequence holding one item with one text attribute.
fn macro_item(sequence_tag: Tag, tag: Tag, vr: VR, value: &str) -> DataElement<InMemDicomObject> {
    let mut item = InMemDicomObject::new_empty();
    put_str(&mut item, tag, vr, value);
    sequence(sequence_tag, vec![item])
}

/// Writes `obj` as a DICOM file in `syntax`.
fn write(dir: &Path, name: &str, obj: InMemDicomObject, syntax: &str) -> PathBuf {
    let path = dir.join(name);
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(syntax))
        .expect("file meta");
    file.write_to_file(&path).expect("write the test file");
    path
}

fn grey_values(buffer: &PixelBuffer) -> &[f32] {
    match buffer.samples() {
        Samples::Grey(v) => v,
        Samples::Argb(_) => panic!("expected a greyscale buffer"),
    }
}

fn argb_pixels(buffer: &PixelBuffer) -> &[[u8; 4]] {
    match buffer.samples() {
        Samples::Argb(p) => p,
        Samples::Grey(_) => panic!("expected an ARGB buffer"),
    }
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary folder")
}

// ---------------------------------------------------------------------------------------------------------
// Decoding greyscale files.

#[test]
fn sixteen_bit_unsigned_values_are_the_stored_values() {
    let dir = tempdir();
    let values: Vec<u16> = vec![0, 1, 1002, 4095, 40000, 65535];
    let mut obj = Image::grey(2, 3, 16, false).data_set();
    put_pixels(&mut obj, VR::OW, PrimitiveValue::U16(values.clone().into()));
    let path = write(dir.path(), "u16.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
    let buffer = decode_frame(&path, 0).expect("decodes");
    assert_eq!(
        (buffer.rows(), buffer.columns(), buffer.is_rgb()),
        (2, 3, false)
    );
    let want: Vec<f32> = values.iter().map(|v| f32::from(*v)).collect();
    assert_eq!(grey_values(&buffer), &want[..]);
    // Row-major: (column 2, row 0) is element 2, (column 0, row 1) is element 3.
    assert_eq!(buffer.value(2, 0), Some(1002.0));
    assert_eq!(buffer.value(0, 1), Some(4095.0));
}

#[test]
fn sixteen_bit_signed_values_are_sign_extended() {
    let dir = tempdir();
    let values: Vec<i16> = vec![-32768, -1000, -1, 0, 1, 32767];
    let mut obj = Image::grey(3, 2, 16, true).data_set();
    put_pixels(&mut obj, VR::OW, PrimitiveValue::I16(values.clone().into()));
    let path = write(dir.path(), "i16.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
    let buffer = decode_frame(&path, 0).expect("decodes");
    let want: Vec<f32> = values.iter().map(|v| f32::from(*v)).collect();
    assert_eq!(grey_values(&buffer), &want[..]);
}

#[test]
fn eight_bit_unsigned_and_signed() {
    let dir = tempdir();
    let bytes: Vec<u8> = vec![0, 1, 127, 128, 200, 255];
    for (signed, want) in [
        (false, vec![0.0, 1.0, 127.0, 128.0, 200.0, 255.0]),
        (true, vec![0.0, 1.0, 127.0, -128.0, -56.0, -1.0]),
    ] {
        let mut obj = Image::grey(2, 3, 8, signed).data_set();
        put_pixels(&mut obj, VR::OB, PrimitiveValue::U8(bytes.clone().into()));
        let path = write(dir.path(), "u8.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
        let buffer = decode_frame(&path, 0).expect("decodes");
        assert_eq!(grey_values(&buffer), &want[..], "signed {signed}");
    }
}

#[test]
fn bits_above_high_bit_are_masked_and_twelve_bits_sign_extend() {
    let dir = tempdir();
    // 12 stored bits at 11..0; the top nibble is garbage that must not count.
    let raw: Vec<u16> = vec![0xF000, 0xF7FF, 0x0800, 0xAFFF];
    for (signed, want) in [
        (false, [0.0, 2047.0, 2048.0, 4095.0]),
        (true, [0.0, 2047.0, -2048.0, -1.0]),
    ] {
        let image = Image {
            stored: 12,
            high: 11,
            ..Image::grey(2, 2, 16, signed)
        };
        let mut obj = image.data_set();
        put_pixels(&mut obj, VR::OW, PrimitiveValue::U16(raw.clone().into()));
        let path = write(dir.path(), "u12.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
        let buffer = decode_frame(&path, 0).expect("decodes");
        assert_eq!(grey_values(&buffer), &want[..], "signed {signed}");
    }
}

#[test]
fn modality_rescale_is_applied() {
    let dir = tempdir();
    let mut obj = Image::grey(1, 4, 16, false).data_set();
    put_str(&mut obj, tags::RESCALE_SLOPE, VR::DS, "2.5");
    put_str(&mut obj, tags::RESCALE_INTERCEPT, VR::DS, "-1024");
    put_pixels(
        &mut obj,
        VR::OW,
        PrimitiveValue::U16(vec![0, 1, 400, 1000].into()),
    );
    let path = write(dir.path(), "ct.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
    let geometry = read_geometry(&path).expect("geometry");
    let frame = geometry.frame(0).expect("frame 0");
    assert_eq!(
        frame.rescale,
        Rescale {
            slope: 2.5,
            intercept: -1024.0
        }
    );
    let buffer = decode_frame(&path, 0).expect("decodes");
    assert_eq!(grey_values(&buffer), &[-1024.0, -1021.5, -24.0, 1476.0]);
}

#[test]
fn monochrome1_values_are_not_inverted() {
    let dir = tempdir();
    let image = Image {
        photometric: "MONOCHROME1",
        ..Image::grey(1, 3, 16, false)
    };
    let mut obj = image.data_set();
    put_pixels(
        &mut obj,
        VR::OW,
        PrimitiveValue::U16(vec![0, 7, 900].into()),
    );
    let path = write(dir.path(), "m1.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
    let buffer = decode_frame(&path, 0).expect("decodes");
    assert_eq!(grey_values(&buffer), &[0.0, 7.0, 900.0]);
}

// Explicit VR Big Endian is retired, but files written in it are still around.
#[allow(deprecated)]
#[test]
fn every_native_syntax_gives_the_same_values() {
    let dir = tempdir();
    let values: Vec<u16> = (0..20u16).map(|i| i * 3000 + 7).collect();
    let want: Vec<f32> = values.iter().map(|v| f32::from(*v)).collect();
    for syntax in [
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
        uids::IMPLICIT_VR_LITTLE_ENDIAN,
        uids::EXPLICIT_VR_BIG_ENDIAN,
    ] {
        let mut obj = Image::grey(4, 5, 16, false).data_set();
        put_pixels(&mut obj, VR::OW, PrimitiveValue::U16(values.clone().into()));
        let path = write(dir.path(), "syntax.dcm", obj, syntax);
        let buffer = decode_frame(&path, 0).unwrap_or_else(|e| panic!("{syntax}: {e}"));
        assert_eq!(grey_values(&buffer), &want[..], "{syntax}");
    }
}

/// A deflated data set's decoded size is not bounded by the file's size, so the structural check refuses it
/// before dicom-object inflates anything.
#[test]
fn a_deflated_data_set_is_refused_by_the_file_check() {
    let dir = tempdir();
    let mut obj = Image::grey(4, 5, 16, false).data_set();
    put_pixels(&mut obj, VR::OW, PrimitiveValue::U16(vec![7; 20].into()));
    let path = write(
        dir.path(),
        "deflated.dcm",
        obj,
        uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
    );
    let err = decode_frame(&path, 0).expect_err("refused");
    assert!(format!("{err:?}").contains("deflate"), "{err:?}");
}

/// One RLE Lossless segment: a replicate run of `run` copies of `value`, then the rest as one literal run.
fn rle_segment(value: u8, run: usize, literal: &[u8]) -> Vec<u8> {
    let mut out = vec![(1 - run as i16) as i8 as u8, value];
    out.push((literal.len() - 1) as u8);
    out.extend_from_slice(literal);
    if out.len() % 2 == 1 {
        out.push(0);
    }
    out
}

#[test]
fn rle_lossless_decodes() {
    let dir = tempdir();
    // A 4 × 4 16-bit image: high bytes 0 for the first 8 pixels, then 1..8; low bytes 10, 20, …, 160.
    let high_literal: Vec<u8> = (1..=8).collect();
    let low: Vec<u8> = (1..=16).map(|i| i * 10).collect();
    let high_segment = rle_segment(0, 8, &high_literal);
    let low_segment = rle_segment(low[0], 1, &low[1..]);
    let mut fragment = vec![0u8; 64];
    let offsets = [2u32, 64, 64 + high_segment.len() as u32];
    for (i, v) in offsets.iter().enumerate() {
        fragment[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    fragment.extend_from_slice(&high_segment);
    fragment.extend_from_slice(&low_segment);
    let mut obj = Image::grey(4, 4, 16, false).data_set();
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        PixelFragmentSequence::new(Vec::<u32>::new(), vec![fragment]),
    ));
    let path = write(dir.path(), "rle.dcm", obj, uids::RLE_LOSSLESS);
    let buffer = decode_frame(&path, 0).expect("RLE decodes");
    let want: Vec<f32> = (0..16usize)
        .map(|i| {
            let high = if i < 8 { 0 } else { high_literal[i - 8] };
            f32::from(u16::from(high) * 256 + u16::from(low[i]))
        })
        .collect();
    assert_eq!(grey_values(&buffer), &want[..]);
}

#[test]
fn jpeg_baseline_decodes_greyscale_and_colour() {
    let dir = tempdir();
    // Smooth 16 × 16 images, which lossy JPEG keeps within a few levels.
    let grey: Vec<u8> = (0..256u32).map(|i| (60 + (i % 16) * 4) as u8).collect();
    let mut obj = Image::grey(16, 16, 8, false).data_set();
    put_pixels(&mut obj, VR::OB, PrimitiveValue::U8(grey.clone().into()));
    let mut file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN))
        .expect("meta");
    file.transcode(&dicom_transfer_syntax_registry::entries::JPEG_BASELINE.erased())
        .expect("encodes as JPEG");
    let path = dir.path().join("jpeg-grey.dcm");
    file.write_to_file(&path).expect("write");
    let buffer = decode_frame(&path, 0).expect("JPEG greyscale decodes");
    for (got, want) in grey_values(&buffer).iter().zip(&grey) {
        assert!((got - f32::from(*want)).abs() <= 4.0, "{got} vs {want}");
    }
    assert_eq!(decode_frame_of(&file, 0).expect("in memory too"), buffer);

    // The same JPEG in a file that declares a smaller image: the codec overruns its buffer and panics
    // inside dicom-rs, which must come back as an error.
    put_us(&mut file, tags::ROWS, 8);
    put_us(&mut file, tags::COLUMNS, 8);
    let error = decode_frame_of(&file, 0).expect_err("the JPEG does not fit 8 × 8");
    assert!(matches!(error, PixelError::Decode(_)), "{error:?}");

    let rgb: Vec<u8> = (0..256).flat_map(|_| [200u8, 40, 90]).collect();
    let mut obj = Image::colour(16, 16, "RGB", 0).data_set();
    put_pixels(&mut obj, VR::OB, PrimitiveValue::U8(rgb.into()));
    let mut file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN))
        .expect("meta");
    file.transcode(&dicom_transfer_syntax_registry::entries::JPEG_BASELINE.erased())
        .expect("encodes as JPEG");
    let path = dir.path().join("jpeg-rgb.dcm");
    file.write_to_file(&path).expect("write");
    let buffer = decode_frame(&path, 0).expect("JPEG colour decodes");
    for p in argb_pixels(&buffer) {
        assert_eq!(p[0], 255, "alpha");
        for (got, want) in p[1..].iter().zip([200u8, 40, 90]) {
            assert!(got.abs_diff(want) <= 6, "{p:?}");
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Decoding colour files.

#[test]
fn rgb_interleaved_and_planar_give_argb_with_opaque_alpha() {
    let dir = tempdir();
    let pixels = [[10u8, 20, 30], [40, 50, 60], [70, 80, 90]];
    let interleaved: Vec<u8> = pixels.iter().flatten().copied().collect();
    let planar: Vec<u8> = (0..3)
        .flat_map(|c| pixels.iter().map(move |p| p[c]))
        .collect();
    for (config, bytes) in [(0, interleaved), (1, planar)] {
        let mut obj = Image::colour(1, 3, "RGB", config).data_set();
        put_pixels(&mut obj, VR::OB, PrimitiveValue::U8(bytes.into()));
        let path = write(dir.path(), "rgb.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
        assert!(read_geometry(&path).expect("geometry").is_colour());
        let buffer = decode_frame(&path, 0).expect("decodes");
        assert!(buffer.is_rgb());
        assert_eq!(
            argb_pixels(&buffer),
            &[[255, 10, 20, 30], [255, 40, 50, 60], [255, 70, 80, 90]],
            "planar configuration {config}"
        );
        assert_eq!(
            buffer.wire_argb(),
            vec![255, 10, 20, 30, 255, 40, 50, 60, 255, 70, 80, 90]
        );
        assert_eq!(buffer.value(0, 0), None, "an RGB pix gives no values");
    }
}

#[test]
fn ybr_full_is_turned_into_rgb() {
    let dir = tempdir();
    // Mid grey stays grey; (76, 85, 255) is about pure red.
    let bytes = vec![128u8, 128, 128, 76, 85, 255];
    let mut obj = Image::colour(1, 2, "YBR_FULL", 0).data_set();
    put_pixels(&mut obj, VR::OB, PrimitiveValue::U8(bytes.into()));
    let path = write(dir.path(), "ybr.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
    let buffer = decode_frame(&path, 0).expect("decodes");
    assert_eq!(
        argb_pixels(&buffer),
        &[[255, 128, 128, 128], [255, 254, 0, 0]]
    );
}

// ---------------------------------------------------------------------------------------------------------
// Multi-frame files.

/// A 3-frame 2 × 2 image whose frame k holds the values 10k, 10k + 1, 10k + 2, 10k + 3.
fn three_frames() -> InMemDicomObject {
    let mut obj = Image::grey(2, 2, 16, false).data_set();
    put_str(&mut obj, tags::NUMBER_OF_FRAMES, VR::IS, "3");
    let values: Vec<u16> = (0..3u16)
        .flat_map(|k| (0..4).map(move |i| 10 * k + i))
        .collect();
    put_pixels(&mut obj, VR::OW, PrimitiveValue::U16(values.into()));
    obj
}

#[test]
fn multi_frame_with_functional_groups_gives_each_frame_its_own_geometry() {
    let dir = tempdir();
    let mut obj = three_frames();
    put_str(&mut obj, tags::PIXEL_SPACING, VR::DS, "9\\9");
    put_str(&mut obj, tags::RESCALE_SLOPE, VR::DS, "7");
    let mut shared = InMemDicomObject::new_empty();
    shared.put(macro_item(
        tags::PIXEL_MEASURES_SEQUENCE,
        tags::PIXEL_SPACING,
        VR::DS,
        "0.5\\0.25",
    ));
    shared.put(macro_item(
        tags::PLANE_ORIENTATION_SEQUENCE,
        tags::IMAGE_ORIENTATION_PATIENT,
        VR::DS,
        "1\\0\\0\\0\\1\\0",
    ));
    obj.put(sequence(
        tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE,
        vec![shared],
    ));
    let per_frame = (0..3)
        .map(|k| {
            let mut group = InMemDicomObject::new_empty();
            group.put(macro_item(
                tags::PLANE_POSITION_SEQUENCE,
                tags::IMAGE_POSITION_PATIENT,
                VR::DS,
                &format!("-10\\-20\\{}", 5 * k),
            ));
            if k == 2 {
                let mut transform = InMemDicomObject::new_empty();
                put_str(&mut transform, tags::RESCALE_SLOPE, VR::DS, "2");
                put_str(&mut transform, tags::RESCALE_INTERCEPT, VR::DS, "-5");
                group.put(sequence(
                    tags::PIXEL_VALUE_TRANSFORMATION_SEQUENCE,
                    vec![transform],
                ));
            }
            group
        })
        .collect();
    obj.put(sequence(
        tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE,
        per_frame,
    ));
    let path = write(
        dir.path(),
        "enhanced.dcm",
        obj,
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
    );

    let geometry = read_geometry(&path).expect("geometry");
    assert_eq!(geometry.number_of_frames(), 3);
    assert!(geometry.frame(3).is_none());
    for k in 0..3u32 {
        let frame = geometry.frame(k).expect("frame");
        // The shared Pixel Measures win over the top-level PixelSpacing; rows first (Y), then columns (X).
        assert_eq!((frame.spacing_y, frame.spacing_x), (0.5, 0.25));
        assert_eq!(frame.origin, [-10.0, -20.0, 5.0 * f64::from(k)]);
        assert_eq!(frame.normal, [0.0, 0.0, 1.0]);
        assert_eq!(frame.slice_location, 5.0 * f64::from(k));
    }
    // Frames 0 and 1 fall back to the top-level slope 7; frame 2 has its own transformation.
    assert_eq!(geometry.frame(0).map(|f| f.rescale.slope), Some(7.0));
    assert_eq!(
        geometry.frame(2).map(|f| f.rescale),
        Some(Rescale {
            slope: 2.0,
            intercept: -5.0
        })
    );
    let frame = |k| grey_values(&decode_frame(&path, k).expect("frame decodes")).to_vec();
    assert_eq!(frame(0), [0.0, 7.0, 14.0, 21.0]);
    assert_eq!(frame(1), [70.0, 77.0, 84.0, 91.0]);
    assert_eq!(frame(2), [35.0, 37.0, 39.0, 41.0]);
    assert!(matches!(
        decode_frame(&path, 3),
        Err(PixelError::FrameOutOfRange {
            frame: 3,
            frames: 3
        })
    ));
}

#[test]
fn legacy_multi_frame_frames_share_the_top_level_geometry() {
    let dir = tempdir();
    let mut obj = three_frames();
    put_str(&mut obj, tags::IMAGE_POSITION_PATIENT, VR::DS, "1\\2\\3");
    let path = write(
        dir.path(),
        "legacy.dcm",
        obj,
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
    );
    let geometry = read_geometry(&path).expect("geometry");
    assert_eq!(geometry.number_of_frames(), 3);
    let origins: Vec<_> = (0..3)
        .map(|k| geometry.frame(k).expect("frame").origin)
        .collect();
    assert_eq!(origins, vec![[1.0, 2.0, 3.0]; 3]);
    assert_eq!(
        grey_values(&decode_frame(&path, 2).expect("frame 2")),
        &[20.0, 21.0, 22.0, 23.0]
    );
}

// ---------------------------------------------------------------------------------------------------------
// Geometry rules.

#[test]
fn geometry_defaults_and_guards() {
    let mut obj = Image::grey(4, 6, 16, false).data_set();
    let geometry = geometry_of(&obj).expect("geometry");
    let frame = geometry.frame(0).expect("frame");
    assert_eq!((geometry.rows(), geometry.columns()), (4, 6));
    assert_eq!(geometry.number_of_frames(), 1);
    assert_eq!((frame.spacing_x, frame.spacing_y), (1.0, 1.0));
    assert_eq!(frame.origin, [0.0; 3]);
    assert_eq!(frame.orientation(), [1., 0., 0., 0., 1., 0., 0., 0., 1.]);
    assert_eq!(frame.rescale, Rescale::IDENTITY);
    assert_eq!(frame.window, None);

    // A zero spacing, a zero slope and a zero-width window are guarded; parallel directions are no
    // orientation; ImagerPixelSpacing stands in for PixelSpacing.
    put_str(&mut obj, tags::IMAGER_PIXEL_SPACING, VR::DS, "0\\0.3");
    put_str(&mut obj, tags::RESCALE_SLOPE, VR::DS, "0");
    put_str(&mut obj, tags::WINDOW_CENTER, VR::DS, "40");
    put_str(&mut obj, tags::WINDOW_WIDTH, VR::DS, "0");
    put_str(
        &mut obj,
        tags::IMAGE_ORIENTATION_PATIENT,
        VR::DS,
        "1\\0\\0\\1\\0\\0",
    );
    let frame = geometry_of(&obj)
        .expect("geometry")
        .frame(0)
        .expect("frame");
    assert_eq!((frame.spacing_y, frame.spacing_x), (1.0, 0.3));
    assert_eq!(frame.rescale.slope, 1.0);
    assert_eq!(frame.window, None);
    assert_eq!(frame.normal, [0.0, 0.0, 1.0]);

    // The first of several window pairs.
    put_str(&mut obj, tags::WINDOW_CENTER, VR::DS, "40\\300");
    put_str(&mut obj, tags::WINDOW_WIDTH, VR::DS, "400\\1500");
    let frame = geometry_of(&obj)
        .expect("geometry")
        .frame(0)
        .expect("frame");
    assert_eq!(
        frame.window,
        Some(Window {
            level: 40.0,
            width: 400.0
        })
    );
}

#[test]
fn slice_location_is_the_centre_along_the_dominant_axis() {
    // Rows 11 and columns 20: the centre pixel is (20/2 − 0.5, 11/2 − 0.5) = (9.5, 4.5).
    let mut obj = Image::grey(11, 20, 16, false).data_set();
    put_str(&mut obj, tags::PIXEL_SPACING, VR::DS, "2\\0.5");
    put_str(&mut obj, tags::IMAGE_POSITION_PATIENT, VR::DS, "10\\20\\30");
    // Row along x, column tilted in y-z: normal (0, −0.8, 0.6), dominated by y.
    put_str(
        &mut obj,
        tags::IMAGE_ORIENTATION_PATIENT,
        VR::DS,
        "1\\0\\0\\0\\0.6\\0.8",
    );
    put_str(&mut obj, tags::SLICE_LOCATION, VR::DS, "-99");
    let frame = geometry_of(&obj)
        .expect("geometry")
        .frame(0)
        .expect("frame");
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(
        frame
            .normal
            .iter()
            .zip([0.0, -0.8, 0.6])
            .all(|(a, b)| close(*a, b))
    );
    // centre y = 20 + 4.5 × 2 (spacing Y) × 0.6.
    assert!(
        close(frame.slice_location, 20.0 + 4.5 * 2.0 * 0.6),
        "{frame:?}"
    );

    // A normal with no single dominant axis falls back to the DICOM SliceLocation.
    let h = std::f64::consts::FRAC_1_SQRT_2.to_string();
    put_str(
        &mut obj,
        tags::IMAGE_ORIENTATION_PATIENT,
        VR::DS,
        &format!("{h}\\{h}\\0\\0\\0\\1"),
    );
    let frame = geometry_of(&obj)
        .expect("geometry")
        .frame(0)
        .expect("frame");
    assert_eq!(frame.slice_location, -99.0);
}

// ---------------------------------------------------------------------------------------------------------
// Bad files: errors, never panics.

#[test]
fn a_truncated_pixel_data_element_is_an_error() {
    let dir = tempdir();
    let mut obj = Image::grey(16, 16, 16, false).data_set();
    put_pixels(&mut obj, VR::OW, PrimitiveValue::U16(vec![7; 256].into()));
    let path = write(dir.path(), "cut.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
    let bytes = std::fs::read(&path).expect("read");
    std::fs::write(&path, &bytes[..bytes.len() - 100]).expect("truncate");
    // The header still reads; the pixels do not.
    assert_eq!(read_geometry(&path).expect("header").rows(), 16);
    let error = decode_frame(&path, 0).expect_err("cut short");
    assert!(matches!(error, PixelError::Open { .. }), "{error:?}");
}

#[test]
fn pixel_data_shorter_than_declared_is_an_error() {
    let dir = tempdir();
    // A well-formed element, but 10 samples for a 4 × 4 image.
    let mut obj = Image::grey(4, 4, 16, false).data_set();
    put_pixels(&mut obj, VR::OW, PrimitiveValue::U16(vec![1; 10].into()));
    let path = write(
        dir.path(),
        "short.dcm",
        obj,
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
    );
    let error = decode_frame(&path, 0).expect_err("too little data");
    assert!(matches!(error, PixelError::Decode(_)), "{error:?}");

    // A declared frame count the data cannot hold: frame 0 decodes, frame 1 does not.
    let mut obj = Image::grey(2, 2, 16, false).data_set();
    put_str(&mut obj, tags::NUMBER_OF_FRAMES, VR::IS, "2");
    put_pixels(&mut obj, VR::OW, PrimitiveValue::U16(vec![3; 4].into()));
    let path = write(
        dir.path(),
        "frames.dcm",
        obj,
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
    );
    assert!(decode_frame(&path, 0).is_ok());
    let error = decode_frame(&path, 1).expect_err("no data for frame 1");
    assert!(matches!(error, PixelError::Decode(_)), "{error:?}");

    // Declared sizes whose product overflows 64 bits: 65535² pixels × 4 bytes × 2³¹ − 1 frames.
    let mut obj = Image::grey(65535, 65535, 32, false).data_set();
    put_str(&mut obj, tags::NUMBER_OF_FRAMES, VR::IS, "2147483647");
    put_pixels(&mut obj, VR::OB, PrimitiveValue::U8(vec![0; 4].into()));
    let path = write(dir.path(), "huge.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
    assert_eq!(
        read_geometry(&path).expect("header").number_of_frames(),
        i32::MAX as u32
    );
    let error = decode_frame(&path, i32::MAX as u32 - 1).expect_err("no such data");
    assert!(matches!(error, PixelError::Decode(_)), "{error:?}");
}

#[test]
fn a_declared_length_past_the_end_of_the_file_is_an_error() {
    let dir = tempdir();
    let mut obj = Image::grey(2, 2, 16, false).data_set();
    put_pixels(&mut obj, VR::OW, PrimitiveValue::U16(vec![1; 4].into()));
    let path = write(dir.path(), "long.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
    let mut bytes = std::fs::read(&path).expect("read");
    // Explicit VR OW: tag (4) + VR (2) + reserved (2) + a 4-byte length, then the 8 value bytes.
    let length_at = bytes.len() - 8 - 4;
    assert_eq!(
        &bytes[length_at - 8..length_at - 4],
        &[0xe0, 0x7f, 0x10, 0x00]
    );
    bytes[length_at..length_at + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
    std::fs::write(&path, &bytes).expect("rewrite");
    let error = decode_frame(&path, 0).expect_err("length past the end");
    assert!(matches!(error, PixelError::Open { .. }), "{error:?}");
}

#[test]
fn unsupported_forms_say_what_they_are() {
    let dir = tempdir();
    let unsupported = |path: &Path, needle: &str| match decode_frame(path, 0) {
        Err(PixelError::Unsupported(reason)) => {
            assert!(reason.contains(needle), "{reason:?} should name {needle:?}");
        }
        other => panic!("expected Unsupported naming {needle:?}, got {other:?}"),
    };

    let mut obj = Image::grey(2, 2, 16, false).data_set();
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OB,
        PixelFragmentSequence::new(Vec::<u32>::new(), vec![vec![0xff, 0x4f, 0xff, 0x51]]),
    ));
    let path = write(dir.path(), "j2k.dcm", obj, uids::JPEG2000_LOSSLESS);
    unsupported(&path, "JPEG 2000");

    let mut obj = Image {
        photometric: "PALETTE COLOR",
        ..Image::grey(2, 2, 8, false)
    }
    .data_set();
    put_pixels(&mut obj, VR::OB, PrimitiveValue::U8(vec![0; 4].into()));
    let path = write(
        dir.path(),
        "palette.dcm",
        obj,
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
    );
    unsupported(&path, "PALETTE COLOR");

    let image = Image {
        allocated: 12,
        stored: 12,
        high: 11,
        ..Image::grey(2, 2, 16, false)
    };
    let mut obj = image.data_set();
    put_pixels(&mut obj, VR::OB, PrimitiveValue::U8(vec![0; 6].into()));
    let path = write(dir.path(), "bits.dcm", obj, uids::EXPLICIT_VR_LITTLE_ENDIAN);
    unsupported(&path, "BitsAllocated 12");
}

#[test]
fn files_that_are_not_images_are_errors() {
    let dir = tempdir();
    let not_dicom = dir.path().join("text.dcm");
    std::fs::write(&not_dicom, b"not a DICOM file at all").expect("write");
    assert!(matches!(
        decode_frame(&not_dicom, 0),
        Err(PixelError::Open { .. })
    ));
    assert!(matches!(
        read_geometry(&dir.path().join("missing.dcm")),
        Err(PixelError::Open { .. })
    ));

    let mut obj = Image::grey(2, 2, 16, false).data_set();
    obj.remove_element(tags::ROWS);
    let path = write(
        dir.path(),
        "norows.dcm",
        obj,
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
    );
    assert!(matches!(
        read_geometry(&path),
        Err(PixelError::NotAnImage(_))
    ));

    let obj = Image::grey(2, 2, 16, false).data_set();
    let path = write(
        dir.path(),
        "nopixels.dcm",
        obj,
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
    );
    assert!(read_geometry(&path).is_ok());
    assert!(matches!(
        decode_frame(&path, 0),
        Err(PixelError::NotAnImage(_))
    ));

    let image = Image {
        stored: 0,
        ..Image::grey(2, 2, 16, false)
    };
    let mut obj = image.data_set();
    put_pixels(&mut obj, VR::OW, PrimitiveValue::U16(vec![0; 4].into()));
    let path = write(
        dir.path(),
        "stored0.dcm",
        obj,
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
    );
    assert!(matches!(
        decode_frame(&path, 0),
        Err(PixelError::NotAnImage(_))
    ));

    let mut obj = three_frames();
    put_str(&mut obj, tags::NUMBER_OF_FRAMES, VR::IS, "0");
    let path = write(
        dir.path(),
        "frames0.dcm",
        obj,
        uids::EXPLICIT_VR_LITTLE_ENDIAN,
    );
    assert!(matches!(
        read_geometry(&path),
        Err(PixelError::NotAnImage(_))
    ));
}

// ---------------------------------------------------------------------------------------------------------
// SetImage, ConvertToRGB, ConvertToBW and the window, on small hand-computed buffers.

fn grey_buffer(rows: u32, columns: u32, values: &[f32]) -> PixelBuffer {
    PixelBuffer::new(rows, columns, Samples::Grey(values.to_vec())).expect("shape")
}

#[test]
fn buffer_shape_is_checked() {
    assert!(PixelBuffer::new(2, 2, Samples::Grey(vec![0.0; 3])).is_none());
    assert!(PixelBuffer::new(2, 2, Samples::Argb(vec![[0; 4]; 4])).is_some());
    let b = grey_buffer(2, 3, &[0., 1., 2., 3., 4., 5.]);
    assert_eq!(b.value(2, 1), Some(5.0));
    assert_eq!(b.value(3, 0), None);
    assert_eq!(b.value(0, 2), None);
    assert_eq!(b.value(-1, 0), None);
    assert_eq!(b.wire_argb(), Vec::<i32>::new());
}

#[test]
fn set_image_writes_into_a_greyscale_buffer() {
    let mut b = grey_buffer(1, 3, &[1., 2., 3.]);
    b.set_image(&[7., 8., 9.], &[]).expect("right count");
    assert_eq!(grey_values(&b), &[7., 8., 9.]);
    // The ARGB array is ignored for a greyscale pix, whatever it holds.
    b.set_image(&[4., 5., 6.], &[1; 12]).expect("floats win");
    assert_eq!(grey_values(&b), &[4., 5., 6.]);
    for (floats, argb) in [(&[1., 2.][..], &[][..]), (&[], &[0; 12][..])] {
        assert_eq!(
            b.set_image(floats, argb),
            Err(PixOpError::IncompatibleShape)
        );
        assert_eq!(grey_values(&b), &[4., 5., 6.], "unchanged");
    }
    assert_eq!(
        PixOpError::IncompatibleShape.to_string(),
        "Incompatible image shape"
    );
}

#[test]
fn set_image_keeps_the_low_eight_bits_of_argb_values() {
    let mut b = PixelBuffer::new(1, 2, Samples::Argb(vec![[0; 4]; 2])).expect("shape");
    b.set_image(&[], &[256, -1, 255, 511, 0, 1, 1000, -256])
        .expect("right count");
    assert_eq!(argb_pixels(&b), &[[0, 255, 255, 255], [0, 1, 232, 0]]);
    assert_eq!(
        b.set_image(&[0.0, 0.0], &[]),
        Err(PixOpError::IncompatibleShape),
        "only the float array for an RGB pix"
    );
    assert_eq!(
        b.set_image(&[], &[0; 7]),
        Err(PixOpError::IncompatibleShape)
    );
}

#[test]
fn convert_to_rgb_windows_from_the_value_range() {
    // min 0, max 1002: level (long)501 and width (long)1002, so 0–1002 maps onto 0–255.
    let mut b = grey_buffer(1, 4, &[0., 501., 1002., 250.]);
    assert_eq!(conversion_window(grey_values(&b)), (501, 1002));
    let window = b.convert_to_rgb(0).expect("converts");
    assert_eq!(window, Window::EIGHT_BIT);
    assert_eq!((window.level, window.width), (127.0, 256.0));
    // 255 · 250 / 1002 + 0.5 = 64.12 → 64; 501 → 128; alpha = R / 3.
    assert_eq!(
        argb_pixels(&b),
        &[
            [0, 0, 0, 0],
            [42, 128, 0, 0],
            [85, 255, 0, 0],
            [21, 64, 0, 0]
        ]
    );
}

#[test]
fn convert_to_rgb_channels_and_alpha() {
    let values = [0.0, 1002.0];
    for (channel, want) in [
        (1, [[0, 0, 0, 0], [85, 0, 255, 0]]),
        (2, [[0, 0, 0, 0], [85, 0, 0, 255]]),
        (3, [[0, 0, 0, 0], [255, 255, 255, 255]]),
    ] {
        let mut b = grey_buffer(1, 2, &values);
        b.convert_to_rgb(channel).expect("converts");
        assert_eq!(argb_pixels(&b), &want, "channel {channel}");
    }
}

#[test]
fn convert_to_rgb_of_an_all_negative_image_starts_its_maximum_at_flt_min() {
    // max stays FLT_MIN ≈ 1e-38: level (long)(−50) = −50, width (long)(100) = 100, window −100…0.
    let mut b = grey_buffer(1, 3, &[-100.0, -50.0, -10.0]);
    assert_eq!(conversion_window(grey_values(&b)), (-50, 100));
    b.convert_to_rgb(0).expect("converts");
    // −10 → 255 · 90 / 100 + 0.5 = 230; −50 → 128; −100 → 0.
    let red: Vec<u8> = argb_pixels(&b).iter().map(|p| p[1]).collect();
    assert_eq!(red, [0, 128, 230]);
}

#[test]
fn conversion_window_truncates_toward_zero_and_halves_in_integers() {
    // min 0.5, max 10.9: level (long)5.7 = 5, width (long)10.4 = 10 → window 0…10.
    assert_eq!(conversion_window(&[0.5, 10.9]), (5, 10));
    assert_eq!(window_byte(10.9, 5, 10), 255);
    assert_eq!(window_byte(5.0, 5, 10), 128);
    // Width 7: halves of 3, so the window is level − 3 … level + 3.
    assert_eq!(window_byte(-3.0, 0, 7), 0);
    assert_eq!(window_byte(3.0, 0, 7), 255);
    assert_eq!(window_byte(0.0, 0, 7), 128);
    // An empty window (a constant image) and NaN.
    assert_eq!(window_byte(4.0, 4, 0), 255);
    assert_eq!(window_byte(3.0, 4, 0), 0);
    assert_eq!(window_byte(f32::NAN, 0, 10), 0);
}

#[test]
fn conversions_check_the_mode_before_the_channel() {
    let mut grey = grey_buffer(1, 1, &[1.0]);
    assert_eq!(grey.convert_to_bw(9), Err(PixOpError::AlreadyBw));
    assert_eq!(grey.convert_to_rgb(4), Err(PixOpError::UnknownRgbChannel));
    assert_eq!(grey.convert_to_rgb(-1), Err(PixOpError::UnknownRgbChannel));
    assert!(!grey.is_rgb(), "a refused conversion changes nothing");
    grey.convert_to_rgb(3).expect("converts");
    assert_eq!(grey.convert_to_rgb(9), Err(PixOpError::AlreadyRgb));
    assert_eq!(grey.convert_to_bw(4), Err(PixOpError::UnknownBwChannel));
    assert!(grey.is_rgb());
    let messages = [
        PixOpError::AlreadyRgb,
        PixOpError::UnknownRgbChannel,
        PixOpError::AlreadyBw,
        PixOpError::UnknownBwChannel,
    ]
    .map(|e| e.to_string());
    assert_eq!(
        messages,
        [
            "Data already RGB",
            "Requested RGB type not understood",
            "Data already BW",
            "Requested BW type not understood"
        ]
    );
}

#[test]
fn convert_to_bw_takes_a_channel_or_the_mean() {
    let argb = Samples::Argb(vec![[10, 30, 60, 91], [0, 255, 0, 1]]);
    for (channel, want) in [
        (0, [30.0, 255.0]),
        (1, [60.0, 0.0]),
        (2, [91.0, 1.0]),
        (3, [181.0 / 3.0, 256.0 / 3.0]),
    ] {
        let mut b = PixelBuffer::new(1, 2, argb.clone()).expect("shape");
        assert_eq!(b.convert_to_bw(channel), Ok(Window::EIGHT_BIT));
        assert_eq!(grey_values(&b), &want, "channel {channel}");
    }
}

#[test]
fn red_set_to_255_then_bw_channel_0_is_all_255() {
    // pyosirix's round trip: ConvertToRGB(0), SetImage with R = 255, ConvertToBW(0).
    let mut b = grey_buffer(2, 2, &[0., 10., 20., 30.]);
    b.convert_to_rgb(0).expect("rgb");
    let wire: Vec<i32> = b
        .wire_argb()
        .chunks(4)
        .flat_map(|p| [p[0], 255, p[2], p[3]])
        .collect();
    b.set_image(&[], &wire).expect("set");
    b.convert_to_bw(0).expect("bw");
    assert_eq!(grey_values(&b), &[255.0; 4]);
}

#[test]
fn initial_window_prefers_the_dicom_window_then_the_range() {
    let mut obj = Image::grey(1, 3, 16, false).data_set();
    let geometry = geometry_of(&obj)
        .expect("geometry")
        .frame(0)
        .expect("frame");
    let range = initial_window(&geometry, &grey_buffer(1, 3, &[-20.0, 5.0, 80.0]));
    assert_eq!(
        range,
        Window {
            level: 30.0,
            width: 100.0
        }
    );
    let flat = initial_window(&geometry, &grey_buffer(1, 3, &[7.0; 3]));
    assert_eq!(
        flat,
        Window {
            level: 7.0,
            width: 1.0
        }
    );
    let argb = PixelBuffer::new(1, 3, Samples::Argb(vec![[0; 4]; 3])).expect("shape");
    assert_eq!(initial_window(&geometry, &argb), Window::EIGHT_BIT);

    put_str(&mut obj, tags::WINDOW_CENTER, VR::DS, "40");
    put_str(&mut obj, tags::WINDOW_WIDTH, VR::DS, "400");
    let geometry = geometry_of(&obj)
        .expect("geometry")
        .frame(0)
        .expect("frame");
    assert_eq!(
        initial_window(&geometry, &grey_buffer(1, 3, &[-20.0, 5.0, 80.0])),
        Window {
            level: 40.0,
            width: 400.0
        }
    );
}

// ---------------------------------------------------------------------------------------------------------
// The MR phantom.

fn phantom_dir() -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("OSIRIX_PHANTOM_DIR") else {
        println!("skipped: OSIRIX_PHANTOM_DIR not set");
        return None;
    };
    Some(PathBuf::from(dir))
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn phantom_im_0040_geometry() {
    let Some(dir) = phantom_dir() else { return };
    let geometry: ImageGeometry =
        read_geometry(&dir.join("IM-0001-0040.dcm")).expect("IM-0040 reads");
    assert_eq!((geometry.rows(), geometry.columns()), (320, 320));
    assert_eq!(geometry.number_of_frames(), 1);
    assert!(!geometry.is_colour());
    let frame = geometry.frame(0).expect("frame 0");
    assert!(close(frame.spacing_y, 0.78125, 1e-5) && close(frame.spacing_x, 0.78125, 1e-5));
    let origin = [72.0981827, -106.164879, 124.136139];
    for (got, want) in frame.origin.iter().zip(origin) {
        assert!(
            close(f64::from(*got as f32), want, 1e-5),
            "{:?}",
            frame.origin
        );
    }
    let orientation = [0., 1., 0., 0., 0., -1., -1., 0., 0.];
    for (got, want) in frame.orientation().iter().zip(orientation) {
        assert!(
            close(f64::from(*got), want, 1e-2),
            "{:?}",
            frame.orientation()
        );
    }
    assert!(close(
        f64::from(frame.slice_location as f32),
        72.0981827,
        1e-5
    ));
    assert_eq!(frame.rescale, Rescale::IDENTITY);
}

#[test]
fn phantom_slice_locations_follow_the_files() {
    let Some(dir) = phantom_dir() else { return };
    for k in 1..=40 {
        let path = dir.join(format!("IM-0001-{k:04}.dcm"));
        let obj = open(&path, Extent::Header).expect("reads");
        let tag = obj
            .element(tags::SLICE_LOCATION)
            .expect("SliceLocation")
            .to_float64()
            .expect("number");
        let frame = geometry_of(&obj)
            .expect("geometry")
            .frame(0)
            .expect("frame");
        assert_eq!(slice_location(&frame), Some(frame.slice_location));
        assert!(close(frame.slice_location, tag, 1e-4), "IM-{k}");
        assert!(close(frame.slice_location, frame.origin[0], 1e-9), "IM-{k}");
    }
}

#[test]
fn phantom_im_0040_pixels() {
    let Some(dir) = phantom_dir() else { return };
    let path = dir.join("IM-0001-0040.dcm");
    let buffer = decode_frame(&path, 0).expect("IM-0040 decodes");
    let values = grey_values(&buffer);
    assert_eq!(values.len(), 320 * 320);
    // Its mean and standard deviation are checked end to end, over gRPC, in tests/phantom_scene.rs.
    let min = values.iter().copied().fold(f32::INFINITY, f32::min);
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    assert_eq!((min, max), (0.0, 1002.0));

    // The float values are the stored 16-bit values: the file has no rescale.
    let obj = open(&path, Extent::Whole).expect("reads");
    let stored: Vec<f32> = obj
        .element(tags::PIXEL_DATA)
        .expect("PixelData")
        .to_multi_int::<u16>()
        .expect("16-bit samples")
        .into_iter()
        .map(f32::from)
        .collect();
    assert_eq!(values, &stored[..]);

    // The top-left 40 × 40 box: 1600 values summing to 840, from 0 to 3.
    let box_values: Vec<f32> = (0..40)
        .flat_map(|row| (0..40).map(move |column| (column, row)))
        .map(|(c, r)| buffer.value(c, r).expect("inside"))
        .collect();
    assert_eq!(box_values.len(), 1600);
    assert_eq!(box_values.iter().sum::<f32>(), 840.0);
    assert_eq!(
        box_values.iter().copied().fold(f32::INFINITY, f32::min),
        0.0
    );
    assert_eq!(box_values.iter().copied().fold(0.0, f32::max), 3.0);
}

#[test]
fn phantom_im_0040_convert_to_rgb() {
    let Some(dir) = phantom_dir() else { return };
    let mut buffer = decode_frame(&dir.join("IM-0001-0040.dcm"), 0).expect("decodes");
    let before = grey_values(&buffer).to_vec();
    assert_eq!(conversion_window(&before), (501, 1002));
    assert_eq!(buffer.convert_to_rgb(0), Ok(Window::EIGHT_BIT));
    let pixels = argb_pixels(&buffer);
    assert_eq!(pixels.len(), 320 * 320);
    assert_eq!(buffer.wire_argb().len(), 409_600);
    for (p, v) in pixels.iter().zip(&before) {
        let red = (255.0 * v / 1002.0 + 0.5) as u8;
        assert_eq!(*p, [red / 3, red, 0, 0], "value {v}");
    }
    assert_eq!(pixels.iter().map(|p| p[1]).max(), Some(255));
}
