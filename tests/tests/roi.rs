//! `ROI` through the SDK, end to end against the emulator: the geometry results the upstream tests pin (on
//! the square of 40 pixels), areas computed by hand, the attributes and their setters, deletion, and the
//! client-side checks of `RoiSpec`.

use osirix_emulator::demo::PIXEL_SPACING;
use osirix_sdk::{Client, Error, Point, Roi, RoiColor, RoiKind, RoiSpec, Shape, ViewerController};
use tests::Fixture;

const SPACING: f32 = PIXEL_SPACING as f32;

async fn open(f: &Fixture) -> ViewerController {
    let client: &Client = &f.client;
    let browser = client.current_browser().await.expect("browser");
    for (_, series) in tests::all_series(client).await {
        if series.modality().await.expect("modality") == "MR" {
            return browser.open_viewer(&series).await.expect("viewer");
        }
    }
    panic!("the demo has MR series")
}

/// The square of the upstream tests: (10.5, 10.5) to (50.5, 50.5), corners clockwise on screen.
fn square() -> Vec<Point> {
    vec![
        Point::new(10.5, 10.5),
        Point::new(50.5, 10.5),
        Point::new(50.5, 50.5),
        Point::new(10.5, 50.5),
    ]
}

fn points(list: &[(f32, f32)]) -> Vec<Point> {
    list.iter().map(|&(c, r)| Point::new(c, r)).collect()
}

#[track_caller]
fn assert_points(got: &[Point], expected: &[Point]) {
    assert_eq!(got.len(), expected.len(), "{got:?}");
    for (g, e) in got.iter().zip(expected) {
        assert!(
            (g.column - e.column).abs() < 1e-2 && (g.row - e.row).abs() < 1e-2,
            "{got:?} != {expected:?}"
        );
    }
}

async fn pencil(viewer: &ViewerController) -> Roi {
    let spec = RoiSpec::pencil(square()).expect("pencil").name("pencil");
    viewer.new_roi(&spec, 1, 0).await.expect("pencil ROI")
}

#[tokio::test]
async fn the_pinned_transforms_of_the_square() {
    let f = Fixture::demo().await;
    let viewer = open(&f).await;
    let roi = pencil(&viewer).await;
    assert_points(&roi.points().await.expect("points"), &square());
    let centroid = roi.centroid().await.expect("centroid");
    assert!((centroid.column - 30.5).abs() < 1e-1 && (centroid.row - 30.5).abs() < 1e-1);

    roi.flip_horizontally().await.expect("flip");
    assert_points(
        &roi.points().await.unwrap(),
        &points(&[(50.5, 10.5), (10.5, 10.5), (10.5, 50.5), (50.5, 50.5)]),
    );
    roi.flip_horizontally().await.expect("flip back");
    roi.flip_vertically().await.expect("flip");
    assert_points(
        &roi.points().await.unwrap(),
        &points(&[(10.5, 50.5), (50.5, 50.5), (50.5, 10.5), (10.5, 10.5)]),
    );
    roi.flip_vertically().await.expect("flip back");
    roi.move_by(10.5, 5.5).await.expect("move");
    assert_points(
        &roi.points().await.unwrap(),
        &points(&[(21.0, 16.0), (61.0, 16.0), (61.0, 56.0), (21.0, 56.0)]),
    );
    roi.move_by(-10.5, -5.5).await.expect("move back");
    roi.rotate(90.0, centroid).await.expect("rotate");
    assert_points(
        &roi.points().await.unwrap(),
        &points(&[(50.5, 10.5), (50.5, 50.5), (10.5, 50.5), (10.5, 10.5)]),
    );
    roi.rotate(-90.0, centroid).await.expect("rotate back");
    assert_points(&roi.points().await.unwrap(), &square());
    assert_eq!(roi.kind().await.expect("kind"), RoiKind::Pencil);
}

#[tokio::test]
async fn areas_follow_the_kind_and_the_spacing() {
    let f = Fixture::demo().await;
    let viewer = open(&f).await;
    let cm2 = |px: f32| px * SPACING * SPACING / 100.0;

    // The spline through the square's corners encloses 2415.975 px² (the pinned 14.7459 cm² at 0.78125 mm).
    let roi = pencil(&viewer).await;
    let area = roi.area().await.expect("area");
    assert!((area - cm2(2415.975)).abs() < 1e-4, "{area}");
    let polygon = viewer
        .new_roi(&RoiSpec::polygon(square(), true).unwrap(), 0, 0)
        .await
        .unwrap();
    assert!((polygon.area().await.unwrap() - cm2(2415.975)).abs() < 1e-4);

    let rectangle = viewer
        .new_roi(
            &RoiSpec::rectangle(Point::new(4.0, 6.0), 8.0, 5.0).unwrap(),
            0,
            0,
        )
        .await
        .unwrap();
    assert!((rectangle.area().await.unwrap() - cm2(40.0)).abs() < 1e-5);
    assert_points(
        &rectangle.points().await.unwrap(),
        &points(&[(4.0, 6.0), (4.0, 11.0), (12.0, 11.0), (12.0, 6.0)]),
    );
    // A rectangle's centroid is its top-left corner.
    assert_eq!(rectangle.centroid().await.unwrap(), Point::new(4.0, 6.0));

    let oval = viewer
        .new_roi(
            &RoiSpec::oval(Point::new(30.0, 30.0), 6.0, 4.0).unwrap(),
            0,
            0,
        )
        .await
        .unwrap();
    let expected = cm2(std::f32::consts::PI * 6.0 * 4.0);
    assert!((oval.area().await.unwrap() - expected).abs() < 1e-4);
    assert_eq!(
        oval.centroid().await.unwrap(),
        Point::new(30.0, 30.0),
        "its centre"
    );

    let line = viewer
        .new_roi(
            &RoiSpec::line(Point::new(1.0, 1.0), Point::new(9.0, 1.0)).unwrap(),
            0,
            0,
        )
        .await
        .unwrap();
    assert_eq!(line.area().await.unwrap(), 0.0);
    let arrow = viewer
        .new_roi(
            &RoiSpec::arrow(Point::new(1.0, 1.0), Point::new(9.0, 4.0)).unwrap(),
            0,
            0,
        )
        .await
        .unwrap();
    assert_eq!(
        arrow.points().await.unwrap(),
        [Point::new(9.0, 4.0), Point::new(1.0, 1.0)],
        "head first"
    );

    let mask = tests::accessors::mask(
        Shape {
            rows: 3,
            columns: 3,
        },
        &[(0, 0), (1, 1), (2, 2)],
    );
    let plain = viewer
        .new_roi(&RoiSpec::mask(mask, 2, 2).unwrap(), 0, 0)
        .await
        .unwrap();
    assert!(
        (plain.area().await.unwrap() - cm2(3.0)).abs() < 1e-6,
        "the set pixels"
    );

    // Flipping a rectangle makes it a closed polygon.
    rectangle.flip_vertically().await.unwrap();
    assert_eq!(rectangle.kind().await.unwrap(), RoiKind::ClosedPolygon);
}

#[tokio::test]
async fn attributes_read_back_as_set() {
    let f = Fixture::demo().await;
    let viewer = open(&f).await;
    let roi = pencil(&viewer).await;
    let pix = viewer.pix_list(0).await.expect("pix");
    assert_eq!(roi.pix().await.expect("pix"), pix[1]);

    // The spec's defaults.
    assert_eq!(roi.name().await.unwrap(), "pencil");
    assert_eq!(roi.color().await.unwrap(), RoiSpec::DEFAULT_COLOR);
    assert_eq!(roi.opacity().await.unwrap(), RoiSpec::DEFAULT_OPACITY);
    assert_eq!(roi.thickness().await.unwrap(), RoiSpec::DEFAULT_THICKNESS);
    assert_eq!(RoiSpec::DEFAULT_COLOR, RoiColor::new(255, 0, 0));
    assert_eq!(
        (RoiSpec::DEFAULT_OPACITY, RoiSpec::DEFAULT_THICKNESS),
        (1.0, 1.0)
    );

    roi.set_name("my pencil").await.unwrap();
    assert_eq!(roi.name().await.unwrap(), "my pencil");
    roi.set_color(RoiColor::new(12, 200, 7)).await.unwrap();
    assert_eq!(roi.color().await.unwrap(), RoiColor::new(12, 200, 7));
    roi.set_opacity(0.5).await.unwrap();
    assert_eq!(roi.opacity().await.unwrap(), 0.5);
    roi.set_opacity(1.5).await.unwrap();
    assert_eq!(roi.opacity().await.unwrap(), 1.0, "OsiriX clamps");
    roi.set_thickness(5.0).await.unwrap();
    assert_eq!(roi.thickness().await.unwrap(), 5.0);

    // Refused before the call.
    let before = f.emulator.total_calls();
    assert!(matches!(
        roi.set_opacity(f32::NAN).await,
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        roi.set_thickness(-1.0).await,
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        roi.move_by(f32::INFINITY, 0.0).await,
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        roi.rotate(f32::NAN, Point::new(0.0, 0.0)).await,
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        roi.set_points(&[Point::new(f32::NAN, 1.0)]).await,
        Err(Error::InvalidArgument { .. })
    ));
    assert_eq!(f.emulator.total_calls(), before);

    // Points replace the outline; a rectangle ignores them (with success).
    let triangle = points(&[(1.0, 1.0), (9.0, 1.0), (5.0, 7.0)]);
    roi.set_points(&triangle).await.unwrap();
    assert_eq!(roi.points().await.unwrap(), triangle);
    let rectangle = viewer
        .new_roi(
            &RoiSpec::rectangle(Point::new(4.0, 6.0), 8.0, 5.0).unwrap(),
            0,
            0,
        )
        .await
        .unwrap();
    let corners = rectangle.points().await.unwrap();
    rectangle.set_points(&triangle).await.unwrap();
    assert_eq!(rectangle.points().await.unwrap(), corners);

    // A point ROI has one point; a text ROI's name is its text.
    let point = viewer
        .new_roi(&RoiSpec::point(Point::new(7.0, 8.0)).unwrap(), 0, 0)
        .await
        .unwrap();
    assert_eq!(point.points().await.unwrap(), [Point::new(7.0, 8.0)]);
    let text = viewer
        .new_roi(&RoiSpec::text(Point::new(7.0, 8.0), "hello").unwrap(), 0, 0)
        .await
        .unwrap();
    assert_eq!(text.name().await.unwrap(), "hello");
    assert_eq!(text.kind().await.unwrap(), RoiKind::Text);
}

#[tokio::test]
async fn a_deleted_roi_is_gone() {
    let f = Fixture::demo().await;
    let viewer = open(&f).await;
    let roi = pencil(&viewer).await;
    assert_eq!(
        viewer.roi_list(0).await.unwrap()[1],
        std::slice::from_ref(&roi)
    );
    roi.delete().await.expect("delete");
    assert!(viewer.roi_list(0).await.unwrap()[1].is_empty());
    let err = roi.name().await.expect_err("deleted");
    assert!(err.is_stale_handle(), "{err:?}");
}

#[tokio::test]
async fn every_kind_osirix_builds_is_created() {
    let f = Fixture::demo().await;
    let viewer = open(&f).await;
    let p = Point::new;
    let specs = [
        RoiSpec::polygon(square(), false).unwrap(),
        RoiSpec::oval_angle(p(20.0, 20.0), 5.0, 3.0).unwrap(),
        RoiSpec::angle(p(1.0, 1.0), p(5.0, 5.0), p(9.0, 1.0)).unwrap(),
        RoiSpec::dynamic_angle([p(1.0, 1.0), p(9.0, 1.0), p(1.0, 5.0), p(9.0, 9.0)]).unwrap(),
        RoiSpec::axis([p(18.0, 19.0), p(15.0, 10.0), p(10.0, 15.0), p(10.0, 20.0)]).unwrap(),
    ];
    let kinds = [
        RoiKind::OpenPolygon,
        RoiKind::OvalAngle,
        RoiKind::Angle,
        RoiKind::DynamicAngle,
        RoiKind::Axis,
    ];
    for (spec, kind) in specs.iter().zip(kinds) {
        assert_eq!(spec.kind(), kind);
        let roi = viewer.new_roi(spec, 0, 0).await.expect("created");
        assert_eq!(roi.kind().await.unwrap(), kind);
    }
}

#[test]
fn specs_check_osirix_validity_rules_on_the_client() {
    let p = Point::new;
    let invalid = |result: osirix_sdk::Result<RoiSpec>, needle: &str| match result {
        Err(Error::InvalidArgument { reason }) => assert!(reason.contains(needle), "{reason}"),
        other => panic!("expected a refusal mentioning {needle:?}, got {other:?}"),
    };
    invalid(
        RoiSpec::polygon(vec![p(0.0, 0.0), p(1.0, 1.0)], true),
        "at least 3 points",
    );
    invalid(RoiSpec::pencil(vec![p(0.0, 0.0)]), "at least 3 points");
    invalid(
        RoiSpec::rectangle(p(0.0, 0.0), 0.1, 5.0),
        "smaller than 0.2",
    );
    invalid(RoiSpec::oval(p(0.0, 0.0), 5.0, -0.1), "smaller than 0.2");
    invalid(RoiSpec::line(p(1.0, 1.0), p(1.1, 1.1)), "less than 0.2");
    invalid(RoiSpec::arrow(p(1.0, 1.0), p(1.0, 1.0)), "less than 0.2");
    invalid(RoiSpec::text(p(1.0, 1.0), ""), "needs a text");
    invalid(RoiSpec::point(p(f32::NAN, 1.0)), "not finite");
    invalid(
        RoiSpec::polygon(vec![p(0.0, 0.0), p(1.0, f32::INFINITY), p(2.0, 2.0)], true),
        "not finite",
    );
    // A negative size is flipped by OsiriX, and so allowed; a line that moves one way only is long enough.
    assert!(RoiSpec::rectangle(p(10.0, 10.0), -4.0, -4.0).is_ok());
    assert!(RoiSpec::line(p(1.0, 1.0), p(1.0, 5.0)).is_ok());

    // Opacity and thickness are kept in range.
    let spec = RoiSpec::point(p(1.0, 1.0))
        .unwrap()
        .opacity(3.0)
        .thickness(-2.0);
    assert_eq!(
        spec,
        RoiSpec::point(p(1.0, 1.0))
            .unwrap()
            .opacity(1.0)
            .thickness(0.0)
    );
}

#[test]
fn kinds_carry_osirix_codes() {
    for code in -1..40 {
        assert_eq!(RoiKind::from_code(code).code(), code);
    }
    assert_eq!(RoiKind::from_code(20), RoiKind::Plain);
    assert_eq!(RoiKind::from_code(15), RoiKind::Pencil);
    assert_eq!(RoiKind::from_code(99), RoiKind::Other(99));
    assert_eq!(RoiKind::Line.code(), 5);
    assert_eq!(RoiKind::Point.code(), 19);
}
