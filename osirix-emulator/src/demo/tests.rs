//! The demo's pixels and geometry, read back from the generated files by the emulator's own pixel code.

use std::path::Path;

use super::*;
use crate::pixels::{Samples, decode_frame, initial_window, read_geometry};

/// Count, mean and population standard deviation.
fn stats(values: &[f32]) -> (usize, f64, f64) {
    let n = values.len();
    let mean = values.iter().map(|v| f64::from(*v)).sum::<f64>() / n as f64;
    let variance = values
        .iter()
        .map(|v| (f64::from(*v) - mean).powi(2))
        .sum::<f64>()
        / n as f64;
    (n, mean, variance.sqrt())
}

fn grey(path: &Path) -> Vec<f32> {
    match decode_frame(path, 0).expect("demo image decodes").samples() {
        Samples::Grey(values) => values.clone(),
        Samples::Argb(_) => panic!("demo images are greyscale"),
    }
}

#[test]
fn the_shapes_have_the_documented_sizes_and_values() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let spec = DemoSpec {
        studies: 1,
        images_per_series: 10,
        ..DemoSpec::DEFAULT
    };
    let catalog = generate(dir.path(), &spec).expect("demo");
    assert_eq!(catalog.images().len(), 20);
    for image in catalog.images() {
        let phantom = Phantom::for_image(&spec, image).expect("a demo slice location");
        let position = ((f64::from(image.slice_location) - FIRST_SLICE) / SLICE_STEP) as u32;
        let values = grey(Path::new(&image.path));
        assert_eq!(values.len(), 64 * 64);
        assert_eq!(values, phantom.values(), "{}", image.path);

        // Each region, selected by hand from the documented rule, not through the phantom's helpers.
        let (mut square, mut disc, mut background) = (Vec::new(), Vec::new(), Vec::new());
        for row in 0..64u32 {
            for column in 0..64u32 {
                let value = values[(row * 64 + column) as usize];
                let dc = i64::from(column) - 40;
                let dr = i64::from(row) - 40;
                if (8 + position % 8..8 + position % 8 + 16).contains(&column)
                    && (8..24).contains(&row)
                {
                    square.push(value);
                } else if dc * dc + dr * dr <= 64 {
                    disc.push(value);
                } else {
                    background.push(value);
                }
            }
        }
        assert_eq!(stats(&square), (256, 1000.0, 0.0));
        assert_eq!(stats(&disc), (197, 500.0 + 10.0 * f64::from(position), 0.0));
        assert_eq!(stats(&background), (64 * 64 - 256 - 197, 100.0, 0.0));
        // The whole image, as a whole-image ROI would report it.
        let (n, mean, _) = stats(&values);
        let want = (256.0 * 1000.0 + 197.0 * (500.0 + 10.0 * f64::from(position)) + 3643.0 * 100.0)
            / 4096.0;
        assert_eq!(n, 4096);
        assert!((mean - want).abs() < 1e-9, "{mean} vs {want}");
    }
}

#[test]
fn the_geometry_agrees_with_the_slice_locations() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let spec = DemoSpec {
        studies: 1,
        images_per_series: 4,
        image_size: 16,
        ..DemoSpec::DEFAULT
    };
    let catalog = generate(dir.path(), &spec).expect("demo");
    for image in catalog.images() {
        let path = Path::new(&image.path);
        let geometry = read_geometry(path).expect("geometry");
        let frame = geometry.frame(0).expect("frame 0");
        assert_eq!((geometry.rows(), geometry.columns()), (16, 16));
        assert_eq!((image.width, image.height), (16, 16));
        assert_eq!((frame.spacing_x, frame.spacing_y), (0.5, 0.5));
        assert_eq!(frame.slice_location as f32, image.slice_location);
        let c = 15.0 * 0.5 / 2.0;
        let slice = f64::from(image.slice_location);
        let buffer = decode_frame(path, 0).expect("decodes");
        let window = initial_window(&frame, &buffer);
        if image.modality == "MR" {
            assert_eq!(frame.orientation(), [0., 1., 0., 0., 0., -1., -1., 0., 0.]);
            assert_eq!(frame.origin, [slice, -c, c]);
            assert_eq!(frame.rescale, crate::pixels::Rescale::IDENTITY);
            assert_eq!(frame.window, None);
            // The window of the range 100 … 1000.
            assert_eq!((window.level, window.width), (550.0, 900.0));
        } else {
            assert_eq!(frame.orientation(), [1., 0., 0., 0., 1., 0., 0., 0., 1.]);
            assert_eq!(frame.origin, [-c, -c, slice]);
            assert_eq!(frame.rescale.intercept, -1024.0);
            assert_eq!((window.level, window.width), (600.0, 1200.0));
        }
    }
}

#[test]
fn image_size_below_the_minimum_is_refused() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let spec = DemoSpec {
        image_size: 7,
        ..DemoSpec::DEFAULT
    };
    assert!(matches!(
        generate(dir.path(), &spec),
        Err(Error::DemoSpec(_))
    ));
    let smallest = DemoSpec {
        studies: 1,
        series_per_study: 1,
        images_per_series: 1,
        image_size: DemoSpec::MIN_IMAGE_SIZE,
        ..DemoSpec::DEFAULT
    };
    let catalog = generate(dir.path(), &smallest).expect("8 × 8 works");
    let phantom = Phantom::new(&smallest, 0);
    assert_eq!(grey(Path::new(&catalog.images()[0].path)), phantom.values());
    assert_eq!(
        (phantom.square().pixel_count(), phantom.disc().pixel_count()),
        (4, 5)
    );
}

#[test]
fn the_default_spec_is_what_its_docs_say() {
    let spec = DemoSpec::default();
    assert_eq!(spec, DemoSpec::DEFAULT);
    assert_eq!(
        (
            spec.studies,
            spec.series_per_study,
            spec.images_per_series,
            spec.seed,
            spec.image_size
        ),
        (3, 2, 5, 1, 64)
    );
}

#[test]
fn the_disc_counts_lattice_points() {
    let spec = DemoSpec::DEFAULT;
    for (size, radius, count) in [(64, 8, 197), (32, 4, 49), (16, 2, 13), (8, 1, 5)] {
        let disc = Phantom::new(
            &DemoSpec {
                image_size: size,
                ..spec
            },
            0,
        )
        .disc();
        assert_eq!((disc.radius, disc.pixel_count()), (radius, count));
        let brute = (0..u32::from(size))
            .flat_map(|r| (0..u32::from(size)).map(move |c| (c, r)))
            .filter(|&(c, r)| disc.contains(c, r))
            .count();
        assert_eq!(brute, count);
    }
}

#[test]
fn the_colour_and_multi_frame_study() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let spec = DemoSpec {
        studies: 2,
        images_per_series: 6,
        image_size: 32,
        colour_and_multi_frame: true,
        ..DemoSpec::DEFAULT
    };
    let catalog = generate(dir.path(), &spec).expect("demo");
    assert_eq!(catalog.studies().len(), 3);
    assert_eq!(catalog.images().len(), 2 * 2 * 6 + 6 + 1);
    let read_back = Catalog::from_dir(dir.path()).expect("reads back");
    assert_eq!(read_back.images(), catalog.images());
    assert_eq!(read_back.skipped(), 0);

    let colour: Vec<_> = catalog
        .images()
        .iter()
        .filter(|i| i.modality == "OT")
        .collect();
    assert_eq!(colour.len(), 6);
    for image in colour {
        let path = Path::new(&image.path);
        assert!(read_geometry(path).expect("geometry").is_colour());
        let phantom = Phantom::for_image(&spec, image).expect("a demo slice location");
        let buffer = decode_frame(path, 0).expect("colour decodes");
        let Samples::Argb(pixels) = buffer.samples() else {
            panic!("colour images decode to ARGB");
        };
        let want: Vec<[u8; 4]> = (0..32)
            .flat_map(|row| (0..32).map(move |column| (column, row)))
            .map(|(c, r)| {
                let [red, green, blue] = phantom.colour_at(c, r);
                [255, red, green, blue]
            })
            .collect();
        assert_eq!(pixels, &want);
        let red = pixels
            .iter()
            .filter(|p| p[1..] == Phantom::SQUARE_RGB)
            .count();
        let blue = pixels
            .iter()
            .filter(|p| p[1..] == Phantom::DISC_RGB)
            .count();
        // 32 × 32: the square is 8 × 8, the disc has radius 4 (49 pixels).
        assert_eq!((red, blue), (64, 49));
    }

    let multi: Vec<_> = catalog
        .images()
        .iter()
        .filter(|i| i.number_of_frames > 1)
        .collect();
    assert_eq!(multi.len(), 1);
    let image = multi[0];
    assert_eq!((image.number_of_frames, image.modality.as_str()), (6, "MR"));
    let path = Path::new(&image.path);
    let geometry = read_geometry(path).expect("geometry");
    assert_eq!(geometry.number_of_frames(), 6);
    for p in 0..6u32 {
        let frame = geometry.frame(p).expect("frame");
        let slice = FIRST_SLICE + SLICE_STEP * f64::from(p);
        assert_eq!(frame.slice_location, slice, "frame {p}");
        assert_eq!(frame.origin[0], slice);
        assert_eq!(frame.normal, [-1.0, 0.0, 0.0]);
        assert_eq!((frame.spacing_x, frame.spacing_y), (0.5, 0.5));
        let values = match decode_frame(path, p).expect("frame decodes").samples() {
            Samples::Grey(v) => v.clone(),
            Samples::Argb(_) => panic!("greyscale frames"),
        };
        assert_eq!(
            values,
            Phantom::new(&spec, p as usize).values(),
            "frame {p}"
        );
    }
}
