//! A generated demo database: small but valid DICOM files that exercise OsiriX's interesting paths.
//!
//! [`generate`] writes `studies × series_per_study × images_per_series` files of square 16-bit MONOCHROME2
//! images ([`DemoSpec::image_size`] pixels a side, Explicit VR Little Endian, with file meta) into a folder
//! and returns their [`Catalog`] (the same one [`Catalog::from_dir`] reads from that folder), so every path
//! the server returns exists. Everything is deterministic from the seed:
//!
//! - modalities alternate MR and CT within a study (MR series have an EchoTime, hence the `" TE-<n>"`
//!   suffix); series numbers run backwards relative to the folder order;
//! - instance numbers are a seeded shuffle of the file order, and in every fourth series they come in
//!   pairs that only the slice location orders; slice locations follow the sorted order;
//! - acquisition times have fractional seconds (`HHMMSS.ffff`), rising with the instance number in
//!   even series and falling in odd ones; every fifth series has no acquisition date/time, so its
//!   image dates fall back to SeriesDate/SeriesTime;
//! - the first study has no performing physician, the others have one; every third series has no
//!   description; patients, ids, birth dates and sexes differ between studies.
//!
//! The pixels hold a synthetic [`Phantom`] (a background, a moving square and a disc whose value changes
//! with the slice), with a geometry that agrees with the slice locations:
//!
//! - slice `p` of a series (its rank by slice location) is at SliceLocation [`FIRST_SLICE`] +
//!   [`SLICE_STEP`]·p mm, with SliceThickness [`SLICE_STEP`] and PixelSpacing [`PIXEL_SPACING`] both ways;
//! - CT series are axial: ImageOrientationPatient (1,0,0, 0,1,0), normal (0,0,1), ImagePositionPatient
//!   (−c, −c, location) with c = (N − 1)·[`PIXEL_SPACING`]/2, so the image centre lies on the z axis. They
//!   store each value plus 1024 with RescaleIntercept −1024 and RescaleSlope 1, and carry WindowCenter 600
//!   and WindowWidth 1200;
//! - MR series are sagittal, as the MR phantom of the upstream tests: ImageOrientationPatient (0,1,0,
//!   0,0,−1), normal (−1,0,0), ImagePositionPatient (location, −c, c). They store the values themselves and
//!   have no window, so a DCMPix starts with the window of its pixel range. Their position along the
//!   normal falls as the slice location rises, so OsiriX reverses a viewer opened on them in slice-location
//!   order, as it does with that phantom.
//!
//! In both, OsiriX's slice location (the image centre along the normal's dominant axis) is the
//! SliceLocation.
//!
//! With [`DemoSpec::colour_and_multi_frame`], one more study (index `studies`, in `STUDY-sss` like the
//! others) holds two series: `SERIES-00` has `images_per_series` 8-bit RGB Secondary Capture images (modality
//! OT, axial geometry) coloured by [`Phantom::colour_at`], and `SERIES-01` has one Multi-frame Grayscale
//! Word Secondary Capture file (modality MR, the sagittal geometry) of `images_per_series` frames, frame `p`
//! holding the phantom of position `p`, its position in a Per-Frame Functional Groups item (Plane Position)
//! and its spacing and orientation in the Shared Functional Groups.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use dicom_core::value::DataSetSequence;
use dicom_core::{DataElement, PrimitiveValue, Tag, VR};
use dicom_dictionary_std::{tags, uids};
use dicom_object::{FileMetaTableBuilder, InMemDicomObject};

use crate::database::scan::{self, Header};
use crate::{Catalog, Error};

mod phantom;
mod spec;
#[cfg(test)]
mod tests;

pub use phantom::{Disc, FIRST_SLICE, PIXEL_SPACING, Phantom, SLICE_STEP, Square};
pub use spec::DemoSpec;

/// Writes the demo database described by `spec` into `dir` (created if needed) and returns its catalogue.
///
/// Files go to `dir/STUDY-sss/SERIES-mm/IM-kkkk.dcm`; existing files with those names are overwritten.
/// Use a fresh folder: the catalogue holds exactly the generated files.
///
/// # Errors
///
/// [`Error::DemoSpec`] if `spec.image_size` is below [`DemoSpec::MIN_IMAGE_SIZE`], [`Error::DemoWrite`] if
/// a folder or file cannot be written.
pub fn generate(dir: impl AsRef<Path>, spec: &DemoSpec) -> Result<Catalog, Error> {
    if spec.image_size < DemoSpec::MIN_IMAGE_SIZE {
        return Err(Error::DemoSpec(format!(
            "image_size {} is below the minimum of {}",
            spec.image_size,
            DemoSpec::MIN_IMAGE_SIZE
        )));
    }
    let dir = dir.as_ref();
    let write_error = |path: &Path, e: Box<dyn std::error::Error + Send + Sync>| Error::DemoWrite {
        path: path.to_path_buf(),
        source: e,
    };
    std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e.into()))?;
    let root = std::path::absolute(dir).map_err(|e| write_error(dir, e.into()))?;
    let mut series = Vec::new();
    for s in 0..spec.studies {
        series
            .extend((0..spec.series_per_study).map(|m| (s, m, Form::Grey, spec.images_per_series)));
    }
    if spec.colour_and_multi_frame {
        series.push((spec.studies, 0, Form::Colour, spec.images_per_series));
        series.push((spec.studies, 1, Form::MultiFrame, 1));
    }
    let mut files = Vec::new();
    for (s, m, form, count) in series {
        let folder = root
            .join(format!("STUDY-{s:03}"))
            .join(format!("SERIES-{m:02}"));
        std::fs::create_dir_all(&folder).map_err(|e| write_error(&folder, e.into()))?;
        files.extend(
            (0..count).map(|k| (s, m, k, form, folder.join(format!("IM-{:04}.dcm", k + 1)))),
        );
    }
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8);
    let chunk = files.len().div_ceil(workers).max(1);
    let headers = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(s, m, k, form, path)| write_image(spec, *s, *m, *k, *form, path))
                        .collect::<Result<Vec<Header>, Error>>()
                })
            })
            .collect();
        let mut headers = Vec::with_capacity(files.len());
        for handle in handles {
            let part = handle
                .join()
                .unwrap_or_else(|_| Err(write_error(&root, "a writer thread panicked".into())))?;
            headers.extend(part);
        }
        Ok::<_, Error>(headers)
    })?;
    // The headers come from the very data sets written, through the same reader code as
    // `Catalog::from_dir`, so reading the folder back gives the same catalogue without the I/O.
    Ok(Catalog::from_headers(headers))
}

const LAST_NAMES: [&str; 8] = [
    "DOE", "SMITH", "GARCIA", "CHEN", "OKAFOR", "IVANOVA", "PATEL", "NILSSON",
];
const FIRST_NAMES: [&str; 8] = [
    "JANE", "JOHN", "ALEX", "MARIA", "WEI", "AMINA", "OLGA", "RAVI",
];
const STUDY_DESCRIPTIONS: [&str; 4] = [
    "demo brain study",
    "DEMO chest scan",
    "knee follow up",
    "abdomen PELVIS",
];
const SERIES_DESCRIPTIONS: [&str; 4] = ["t2_tse_sag AP", "ax soft tissue", "t1_se_cor", "scout"];
const SEXES: [&str; 3] = ["F", "M", "O"];

/// SplitMix64 of the seed and a few indices: the demo's only source of variety.
fn mix(seed: u64, parts: &[u64]) -> u64 {
    let mut z = seed ^ 0x9e37_79b9_7f4a_7c15;
    for &p in parts {
        z = z
            .wrapping_add(p.wrapping_mul(0xd6e8_feb8_6659_fd93))
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
    }
    z
}

/// A DICOM UID under the `2.25` (UUID-derived) root.
fn dicom_uid(seed: u64, parts: &[u64]) -> String {
    let hi = mix(seed, parts);
    let lo = mix(seed ^ 0x5555, parts);
    format!("2.25.{}", (u128::from(hi) << 64 | u128::from(lo)) >> 2)
}

/// The seeded permutation of `0..n` (Fisher–Yates).
fn permutation(seed: u64, s: usize, m: usize, n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (mix(seed, &[7, s as u64, m as u64, i as u64]) % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

fn da(dt: NaiveDateTime) -> String {
    dt.format("%Y%m%d").to_string()
}

/// TM with four fractional digits, like the phantom's `190123.7875`.
fn tm(dt: NaiveDateTime) -> String {
    use chrono::Timelike;
    format!("{}.{:04}", dt.format("%H%M%S"), dt.nanosecond() / 100_000)
}

/// What the pixels of a demo file are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// One 16-bit greyscale frame (MR or CT).
    Grey,
    /// One 8-bit RGB frame (OT).
    Colour,
    /// `images_per_series` 16-bit greyscale frames in one file (MR).
    MultiFrame,
}

/// Writes image `k` of series `m` of study `s` and returns its header as the catalogue reads it.
fn write_image(
    spec: &DemoSpec,
    s: usize,
    m: usize,
    k: usize,
    form: Form,
    path: &Path,
) -> Result<Header, Error> {
    let seed = spec.seed;
    let (s64, m64) = (s as u64, m as u64);
    let series_index = s * spec.series_per_study + m;
    let r = mix(seed, &[1, s64]);

    let study_start = NaiveDate::from_ymd_opt(2020, 1, 1)
        .and_then(|d| d.and_hms_opt(8, 0, 0))
        .unwrap_or_default()
        + TimeDelta::days((s as i64 * 11 + (r % 7) as i64) % 3000)
        + TimeDelta::seconds((r % 3600) as i64);
    let series_start = study_start + TimeDelta::minutes(10 * (m as i64 + 1));

    // A multi-frame file starts at position 0: its frame p is position p.
    let position = match form {
        Form::MultiFrame => 0,
        Form::Grey | Form::Colour => permutation(seed, s, m, spec.images_per_series)
            .get(k)
            .copied()
            .unwrap_or(k),
    };
    let paired = series_index % 4 == 3;
    let instance = if paired {
        position / 2 + 1
    } else {
        position + 1
    };
    let slice = FIRST_SLICE + SLICE_STEP * position as f64;
    let step = if m.is_multiple_of(2) {
        position
    } else {
        spec.images_per_series.saturating_sub(1 + position)
    };
    // 1.3125 s apart, starting at .53 s past the minute.
    let acquired =
        series_start + TimeDelta::microseconds(60_000_000 + 530_000 + 1_312_500 * step as i64);

    let mr = match form {
        Form::Grey => (s + m).is_multiple_of(2),
        Form::Colour => false,
        Form::MultiFrame => true,
    };
    let (modality, sop_class) = match form {
        Form::Grey if mr => ("MR", uids::MR_IMAGE_STORAGE),
        Form::Grey => ("CT", uids::CT_IMAGE_STORAGE),
        Form::Colour => ("OT", uids::SECONDARY_CAPTURE_IMAGE_STORAGE),
        Form::MultiFrame => (
            "MR",
            uids::MULTI_FRAME_GRAYSCALE_WORD_SECONDARY_CAPTURE_IMAGE_STORAGE,
        ),
    };
    let mut name = format!(
        "{}^{}",
        LAST_NAMES[(s + r as usize % 8) % 8],
        FIRST_NAMES[(s / 8 + r as usize % 5) % 8]
    );
    if s >= 64 {
        name.push_str(&format!("^{s}"));
    }
    let birth = NaiveDate::from_ymd_opt(
        1940 + ((s * 7 + (r % 5) as usize) % 70) as i32,
        1 + (r % 12) as u32,
        1 + (s % 28) as u32,
    )
    .unwrap_or_default();

    let mut obj = InMemDicomObject::new_empty();
    let mut text = |tag: Tag, vr: VR, value: String| {
        obj.put(DataElement::new(tag, vr, PrimitiveValue::from(value)));
    };
    text(tags::SPECIFIC_CHARACTER_SET, VR::CS, "ISO_IR 100".into());
    text(tags::SOP_CLASS_UID, VR::UI, sop_class.into());
    text(
        tags::SOP_INSTANCE_UID,
        VR::UI,
        dicom_uid(seed, &[4, s64, m64, k as u64]),
    );
    text(tags::STUDY_DATE, VR::DA, da(study_start));
    text(tags::SERIES_DATE, VR::DA, da(series_start));
    text(tags::STUDY_TIME, VR::TM, tm(study_start));
    text(tags::SERIES_TIME, VR::TM, tm(series_start));
    if series_index % 5 != 4 {
        text(tags::ACQUISITION_DATE, VR::DA, da(acquired));
        text(tags::ACQUISITION_TIME, VR::TM, tm(acquired));
    }
    text(tags::MODALITY, VR::CS, modality.into());
    text(
        tags::INSTITUTION_NAME,
        VR::LO,
        format!("Demo Hospital {}", s % 4 + 1),
    );
    text(
        tags::REFERRING_PHYSICIAN_NAME,
        VR::PN,
        format!("REFERRER^R{s}"),
    );
    if s != 0 {
        text(
            tags::PERFORMING_PHYSICIAN_NAME,
            VR::PN,
            format!("PERFORMER^P{}", s % 5),
        );
    }
    text(
        tags::STUDY_DESCRIPTION,
        VR::LO,
        STUDY_DESCRIPTIONS[s % 4].into(),
    );
    if series_index % 3 != 1 {
        text(
            tags::SERIES_DESCRIPTION,
            VR::LO,
            SERIES_DESCRIPTIONS[series_index % 4].into(),
        );
    }
    text(tags::PATIENT_NAME, VR::PN, name);
    text(tags::PATIENT_ID, VR::LO, format!("DEMO{seed}-{s:04}"));
    text(
        tags::PATIENT_BIRTH_DATE,
        VR::DA,
        birth.format("%Y%m%d").to_string(),
    );
    text(tags::PATIENT_SEX, VR::CS, SEXES[s % 3].into());
    if mr {
        text(
            tags::ECHO_TIME,
            VR::DS,
            format!("{}", 80 + 10 * ((s + m) % 4)),
        );
    }
    text(tags::STUDY_INSTANCE_UID, VR::UI, dicom_uid(seed, &[2, s64]));
    text(
        tags::SERIES_INSTANCE_UID,
        VR::UI,
        dicom_uid(seed, &[3, s64, m64]),
    );
    text(tags::STUDY_ID, VR::SH, format!("{}", s + 1));
    text(
        tags::SERIES_NUMBER,
        VR::IS,
        format!("{}", spec.series_per_study - m),
    );
    text(tags::INSTANCE_NUMBER, VR::IS, format!("{instance}"));
    text(tags::SLICE_LOCATION, VR::DS, format!("{slice:.4}"));
    put_image(&mut obj, spec, form, mr, position);

    let write_error = |e: Box<dyn std::error::Error + Send + Sync>| Error::DemoWrite {
        path: path.to_path_buf(),
        source: e,
    };
    let header = scan::header_of(&obj, path).map_err(|e| write_error(e.into()))?;
    let file = obj
        .with_meta(FileMetaTableBuilder::new().transfer_syntax(uids::EXPLICIT_VR_LITTLE_ENDIAN))
        .map_err(|e| write_error(e.into()))?;
    file.write_to_file(path)
        .map_err(|e| write_error(e.into()))?;
    Ok(header)
}

/// The origin and ImageOrientationPatient of a demo slice at `slice` mm: sagittal for MR, axial otherwise.
fn plane(spec: &DemoSpec, mr: bool, slice: f64) -> ([f64; 3], &'static str) {
    let corner = (f64::from(spec.image_size) - 1.0) * PIXEL_SPACING / 2.0;
    if mr {
        ([slice, -corner, corner], "0\\1\\0\\0\\0\\-1")
    } else {
        ([-corner, -corner, slice], "1\\0\\0\\0\\1\\0")
    }
}

/// A DS value of several numbers.
fn decimals(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.4}"))
        .collect::<Vec<_>>()
        .join("\\")
}

fn put_text(obj: &mut InMemDicomObject, tag: Tag, vr: VR, value: impl Into<String>) {
    obj.put(DataElement::new(
        tag,
        vr,
        PrimitiveValue::from(value.into()),
    ));
}

fn put_short(obj: &mut InMemDicomObject, tag: Tag, value: u16) {
    obj.put(DataElement::new(tag, VR::US, PrimitiveValue::from(value)));
}

/// A one-item sequence whose item holds one text attribute.
fn one_item(sequence: Tag, tag: Tag, vr: VR, value: String) -> DataElement<InMemDicomObject> {
    let mut item = InMemDicomObject::new_empty();
    put_text(&mut item, tag, vr, value);
    DataElement::new(sequence, VR::SQ, DataSetSequence::from(vec![item]))
}

/// The geometry, pixel attributes and pixel data of a demo file whose (first) slice is at `position`.
fn put_image(obj: &mut InMemDicomObject, spec: &DemoSpec, form: Form, mr: bool, position: usize) {
    let size = spec.image_size;
    let slice_at = |p: usize| FIRST_SLICE + SLICE_STEP * p as f64;
    let (origin, orientation) = plane(spec, mr, slice_at(position));
    put_text(obj, tags::IMAGE_POSITION_PATIENT, VR::DS, decimals(&origin));
    put_text(obj, tags::IMAGE_ORIENTATION_PATIENT, VR::DS, orientation);
    let spacing = format!("{PIXEL_SPACING}\\{PIXEL_SPACING}");
    put_text(obj, tags::PIXEL_SPACING, VR::DS, spacing.clone());
    put_text(obj, tags::SLICE_THICKNESS, VR::DS, format!("{SLICE_STEP}"));
    put_short(obj, tags::ROWS, size);
    put_short(obj, tags::COLUMNS, size);
    put_short(obj, tags::PIXEL_REPRESENTATION, 0);
    if form == Form::Colour {
        put_text(obj, tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "RGB");
        put_short(obj, tags::SAMPLES_PER_PIXEL, 3);
        put_short(obj, tags::PLANAR_CONFIGURATION, 0);
        put_short(obj, tags::BITS_ALLOCATED, 8);
        put_short(obj, tags::BITS_STORED, 8);
        put_short(obj, tags::HIGH_BIT, 7);
        let phantom = Phantom::new(spec, position);
        let bytes: Vec<u8> = (0..u32::from(size))
            .flat_map(|row| (0..u32::from(size)).map(move |column| (column, row)))
            .flat_map(|(column, row)| phantom.colour_at(column, row))
            .collect();
        obj.put(DataElement::new(
            tags::PIXEL_DATA,
            VR::OB,
            PrimitiveValue::U8(bytes.into()),
        ));
        return;
    }
    put_text(obj, tags::PHOTOMETRIC_INTERPRETATION, VR::CS, "MONOCHROME2");
    put_short(obj, tags::SAMPLES_PER_PIXEL, 1);
    put_short(obj, tags::BITS_ALLOCATED, 16);
    put_short(obj, tags::BITS_STORED, 16);
    put_short(obj, tags::HIGH_BIT, 15);
    // CT stores values plus 1024 under a rescale, as scanners store Hounsfield units; MR stores them as is.
    let offset = if mr { 0.0 } else { 1024.0 };
    if !mr {
        put_text(obj, tags::RESCALE_INTERCEPT, VR::DS, "-1024");
        put_text(obj, tags::RESCALE_SLOPE, VR::DS, "1");
        put_text(obj, tags::WINDOW_CENTER, VR::DS, "600");
        put_text(obj, tags::WINDOW_WIDTH, VR::DS, "1200");
    }
    let frames = if form == Form::MultiFrame {
        spec.images_per_series
    } else {
        1
    };
    if form == Form::MultiFrame {
        put_text(obj, tags::NUMBER_OF_FRAMES, VR::IS, frames.to_string());
        let mut shared = InMemDicomObject::new_empty();
        shared.put(one_item(
            tags::PIXEL_MEASURES_SEQUENCE,
            tags::PIXEL_SPACING,
            VR::DS,
            spacing,
        ));
        shared.put(one_item(
            tags::PLANE_ORIENTATION_SEQUENCE,
            tags::IMAGE_ORIENTATION_PATIENT,
            VR::DS,
            orientation.to_owned(),
        ));
        obj.put(DataElement::new(
            tags::SHARED_FUNCTIONAL_GROUPS_SEQUENCE,
            VR::SQ,
            DataSetSequence::from(vec![shared]),
        ));
        let per_frame: Vec<_> = (0..frames)
            .map(|p| {
                let mut group = InMemDicomObject::new_empty();
                group.put(one_item(
                    tags::PLANE_POSITION_SEQUENCE,
                    tags::IMAGE_POSITION_PATIENT,
                    VR::DS,
                    decimals(&plane(spec, mr, slice_at(p)).0),
                ));
                group
            })
            .collect();
        obj.put(DataElement::new(
            tags::PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE,
            VR::SQ,
            DataSetSequence::from(per_frame),
        ));
    }
    // Phantom values are whole numbers from 100 to 10 490, which fit 16 bits with the CT offset.
    let pixels: Vec<u16> = (position..position + frames)
        .flat_map(|p| Phantom::new(spec, p).values())
        .map(|v| (f64::from(v) + offset) as u16)
        .collect();
    obj.put(DataElement::new(
        tags::PIXEL_DATA,
        VR::OW,
        PrimitiveValue::U16(pixels.into()),
    ));
}
