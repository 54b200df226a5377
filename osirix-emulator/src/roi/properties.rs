//! Property tests of the whole geometry: inverses, the shoelace, pixels inside the image, and no panic on
//! any input a request can carry.

use proptest::prelude::*;

use super::*;

/// A float32 from the wire widened: mostly ordinary coordinates, sometimes the awkward ones.
fn coordinate() -> BoxedStrategy<f64> {
    prop_oneof![
        12 => -80.0f32..400.0,
        1 => prop::sample::select(vec![
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            1e20,
            -1e20,
            1e9,
            -0.0,
            0.0,
        ]),
        1 => any::<f32>(),
    ]
    .prop_map(f64::from)
    .boxed()
}

/// A finite coordinate.
fn finite() -> BoxedStrategy<f64> {
    (-500.0f32..500.0).prop_map(f64::from).boxed()
}

fn points(coordinate: BoxedStrategy<f64>, max: usize) -> impl Strategy<Value = Vec<Point>> {
    prop::collection::vec((coordinate.clone(), coordinate), 0..max)
        .prop_map(|pairs| pairs.into_iter().map(|(x, y)| Point::new(x, y)).collect())
}

fn image() -> impl Strategy<Value = ImageSize> {
    (0u16..48, 0u16..48).prop_map(|(columns, rows)| ImageSize::new(columns, rows))
}

/// The parts of a NewROI request, owned.
#[derive(Debug, Clone)]
struct Request {
    itype: i32,
    name: String,
    points: Vec<Point>,
    rectangle: Rect,
    bits: Vec<bool>,
    rows: i32,
    columns: i32,
    position: (i32, i32),
}

impl Request {
    fn shape(&self) -> Option<Shape> {
        Shape::create(&NewRoi {
            itype: self.itype,
            name: &self.name,
            points: &self.points,
            rectangle: self.rectangle,
            buffer: Buffer {
                bits: &self.bits,
                rows: self.rows,
                columns: self.columns,
                position_x: self.position.0,
                position_y: self.position.1,
            },
            spacing: Spacing::new(0.78125, 0.5),
        })
    }
}

fn request(coordinate: BoxedStrategy<f64>) -> impl Strategy<Value = Request> {
    let codes: Vec<i32> = Kind::ALL.iter().map(|k| k.code()).collect();
    let itype = prop_oneof![4 => prop::sample::select(codes), 1 => any::<i32>()];
    let rectangle = (
        coordinate.clone(),
        coordinate.clone(),
        coordinate.clone(),
        coordinate.clone(),
    )
        .prop_map(|(x, y, w, h)| Rect::new(x, y, w, h));
    let buffer = (0i32..7, 0i32..7).prop_flat_map(|(rows, columns)| {
        let len = (rows * columns) as usize;
        (
            Just(rows),
            Just(columns),
            prop_oneof![8 => prop::collection::vec(any::<bool>(), len), 1 => prop::collection::vec(any::<bool>(), 0..50)],
        )
    });
    let position = prop_oneof![
        4 => (-10i32..60, -10i32..60),
        1 => (any::<i32>(), any::<i32>()),
    ];
    (
        itype,
        ".{0,6}",
        points(coordinate, 12),
        rectangle,
        buffer,
        position,
    )
        .prop_map(
            |(itype, name, points, rectangle, (rows, columns, bits), position)| Request {
                itype,
                name,
                points,
                rectangle,
                bits,
                rows,
                columns,
                position,
            },
        )
}

/// A valid shape of finite geometry.
fn finite_shape() -> impl Strategy<Value = Shape> {
    request(finite()).prop_filter_map("invalid ROI", |request| request.shape())
}

fn near(a: &[Point], b: &[Point], tolerance: f64) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(p, q)| {
            let scale = 1.0 + p.x.abs().max(p.y.abs());
            (p.x - q.x).abs() <= tolerance * scale && (p.y - q.y).abs() <= tolerance * scale
        })
}

/// A simple polygon: vertices at increasing angles around a centre, each gap under π.
fn simple_polygon() -> impl Strategy<Value = Vec<Point>> {
    (4usize..16).prop_flat_map(|n| {
        (
            finite(),
            finite(),
            prop::collection::vec((0.0f64..0.9, 1.0f64..150.0), n),
        )
            .prop_map(move |(cx, cy, spokes)| {
                spokes
                    .iter()
                    .enumerate()
                    .map(|(i, &(jitter, radius))| {
                        let angle = std::f64::consts::TAU * (i as f64 + jitter) / n as f64;
                        Point::new(cx + radius * angle.cos(), cy + radius * angle.sin())
                    })
                    .collect()
            })
    })
}

/// The area of a closed polygon by the trapezoid rule, a formulation independent of the shoelace's.
fn trapezoid_area(points: &[Point]) -> f64 {
    let n = points.len();
    let sum: f64 = (0..n)
        .map(|i| {
            let (a, b) = (points[i], points[(i + 1) % n]);
            (b.x - a.x) * (b.y + a.y)
        })
        .sum();
    (sum / 2.0).abs()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn flipping_twice_is_the_identity(shape in finite_shape(), vertical in any::<bool>()) {
        let axis = if vertical { Flip::Vertical } else { Flip::Horizontal };
        let mut flipped = shape.clone();
        flipped.flip(axis);
        flipped.flip(axis);
        prop_assert!(near(&flipped.points(), &shape.points(), 1e-9));
    }

    #[test]
    fn a_move_and_its_inverse_are_the_identity(shape in finite_shape(), dx in finite(), dy in finite()) {
        let mut moved = shape.clone();
        moved.translate(dx, dy);
        moved.translate(-dx, -dy);
        prop_assert!(near(&moved.points(), &shape.points(), 1e-9));
        prop_assert_eq!(moved.kind(), shape.kind());
    }

    #[test]
    fn a_rotation_and_its_inverse_are_the_identity(
        shape in finite_shape(),
        degrees in -720.0f64..720.0,
        cx in finite(),
        cy in finite(),
        ratio in prop_oneof![Just(0.0), Just(1.0), 0.25f64..4.0],
    ) {
        let mut turned = shape.clone();
        turned.rotate(degrees, Point::new(cx, cy), ratio);
        turned.rotate(-degrees, Point::new(cx, cy), ratio);
        prop_assert!(near(&turned.points(), &shape.points(), 1e-9));
    }

    #[test]
    fn without_the_spline_a_simple_polygon_measures_its_shoelace(
        vertices in simple_polygon(),
        kind in prop::sample::select(vec![Kind::OpenPolygon, Kind::ClosedPolygon, Kind::Pencil]),
    ) {
        let mut shape = Shape::create(&NewRoi {
            itype: kind.code(),
            name: "polygon",
            points: &vertices,
            rectangle: Rect::default(),
            buffer: Buffer::default(),
            spacing: Spacing::new(1.0, 1.0),
        })
        .expect("a polygon of at least 3 points");
        shape.set_spline(false);
        let expected = trapezoid_area(&vertices);
        prop_assert!((shape.area_pix() - expected).abs() <= 1e-9 * (1.0 + expected));
        prop_assert!((f64::from(shape.area_cm2()) - expected / 100.0).abs() <= 1e-6 * (1.0 + expected));
    }

    #[test]
    fn reported_pixels_lie_in_the_image(shape in finite_shape(), size in image()) {
        let single = shape.kind() != Kind::Plain && shape.outline().len() == 1;
        let pixels = shape.pixels(size);
        if single {
            // One vertex: the truncated location, inside the image or not.
            let point = shape.outline()[0];
            prop_assert_eq!(pixels, vec![Pixel::new(point.x as i32, point.y as i32)]);
        } else {
            for pixel in pixels {
                prop_assert!(
                    size.contains(i64::from(pixel.x), i64::from(pixel.y)),
                    "{:?} outside {:?}", pixel, size
                );
            }
        }
    }

    #[test]
    fn a_point_off_the_image_reports_its_location(x in -1000.0f64..1000.0, y in -1000.0f64..1000.0, size in image()) {
        let point = Shape::create(&NewRoi {
            itype: Kind::Point.code(),
            name: "point",
            points: &[],
            rectangle: Rect::new(x, y, 0.0, 0.0),
            buffer: Buffer::default(),
            spacing: Spacing::new(1.0, 1.0),
        })
        .expect("points are always valid");
        let pixels = point.pixels(size);
        prop_assert_eq!(&pixels, &vec![Pixel::new(x as i32, y as i32)]);
        let image = vec![1.0; size.len()];
        let inside = size.contains(x as i64, y as i64);
        prop_assert_eq!(sample(&image, size, &pixels), vec![if inside { 1.0 } else { 0.0 }]);
    }

    #[test]
    fn the_map_covers_the_image(shape in finite_shape(), size in image()) {
        match shape.map(size) {
            Some(map) => {
                prop_assert!(shape.kind().has_map());
                prop_assert_eq!(map.len(), usize::from(size.rows) * usize::from(size.columns));
            }
            None => prop_assert!(!shape.kind().has_map()),
        }
    }

    #[test]
    fn nothing_panics(
        request in request(coordinate()),
        size in image(),
        values in prop::collection::vec(any::<f32>(), 0..20),
        slices in prop::collection::vec((any::<f32>(), any::<f32>()), 0..12),
        new_points in points(coordinate(), 8),
        offsets in (coordinate(), coordinate(), coordinate(), coordinate(), coordinate(), coordinate()),
        name in ".{0,8}",
    ) {
        let _ = Statistics::of(&values);
        let _ = volume_cm3(&slices);
        let Some(mut shape) = request.shape() else {
            return Ok(());
        };
        let (dx, dy, degrees, cx, cy, ratio) = offsets;
        for step in 0..4 {
            let _ = shape.points();
            let _ = shape.outline();
            let _ = shape.area_pix();
            let _ = shape.area_cm2();
            let _ = shape.centroid();
            let pixels = shape.pixels(size);
            let _ = sample(&values, size, &pixels);
            if let Some(map) = shape.map(size) {
                prop_assert_eq!(map.len(), size.len());
            }
            match step {
                0 => shape.flip(Flip::Horizontal),
                1 => shape.translate(dx, dy),
                2 => shape.rotate(degrees, Point::new(cx, cy), ratio),
                _ => {
                    shape.set_points(new_points.clone());
                    shape.rename(&name);
                    shape.flip(Flip::Vertical);
                }
            }
        }
    }
}
