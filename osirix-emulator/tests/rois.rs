//! ROIs over the wire on generated demo data: NewROI for every kind with its validity rule, the ROI
//! properties and geometry RPCs, statistics, values and maps on the known phantom, deletion with its
//! eviction, the ROI lists, and property tests of flips and moves through the RPCs.

use osirix_emulator::ObjectRef;
use osirix_emulator::demo::{DemoSpec, PIXEL_SPACING, Phantom};
use osirix_emulator::proto::viewer_controller_new_roi_request::{Buffer, Color, Point2D, Rect};
use osirix_emulator::proto::{self, Empty};
use osirix_emulator::testing::*;
use osirix_emulator::{call_fails as fails, call_ok as call};
use proptest::prelude::*;

/// A viewer on series `index` (4D with `frames` > 1), opened by a person, and its handle.
async fn viewer_on(f: &mut Fixture, index: usize, frames: usize) -> proto::ViewerController {
    let images = f.emulator.catalog().series()[index].sorted_images.clone();
    let viewer = f
        .emulator
        .open_viewer(vec![images; frames], frames > 1)
        .await
        .expect("opens");
    f.emulator.bring_to_front(viewer).expect("open");
    call!(f.client, osirix_frontmost_viewer(Empty {}))
        .viewer_controller
        .expect("a viewer")
}

fn pts(pairs: &[(f32, f32)]) -> Vec<Point2D> {
    pairs.iter().map(|&(x, y)| Point2D { x, y }).collect()
}

fn rect(x: f32, y: f32, width: f32, height: f32) -> Option<Rect> {
    Some(Rect {
        origin_x: x,
        origin_y: y,
        width,
        height,
    })
}

fn request(viewer: &proto::ViewerController, itype: i32) -> proto::ViewerControllerNewRoiRequest {
    proto::ViewerControllerNewRoiRequest {
        viewer_controller: Some(viewer.clone()),
        itype,
        name: format!("roi {itype}"),
        opacity: 1.0,
        ..Default::default()
    }
}

fn mask(bits: Vec<bool>, rows: i32, columns: i32, x: i32, y: i32) -> (Option<Buffer>, i32, i32) {
    (
        Some(Buffer {
            buffer: bits,
            rows,
            columns,
        }),
        x,
        y,
    )
}

async fn new_roi(f: &mut Fixture, request: proto::ViewerControllerNewRoiRequest) -> proto::Roi {
    call!(f.client, viewer_controller_new_roi(request))
        .roi
        .expect("an ROI")
}

async fn points_of(f: &mut Fixture, roi: &proto::Roi) -> Vec<(f32, f32)> {
    call!(f.client, roi_points(roi.clone()))
        .points
        .into_iter()
        .map(|p| (p.x, p.y))
        .collect()
}

const TRIANGLE: [(f32, f32); 3] = [(10.0, 10.0), (30.0, 12.0), (20.0, 25.0)];
const FOUR: [(f32, f32); 4] = [(10.0, 10.0), (30.0, 10.0), (30.0, 30.0), (10.0, 30.0)];
const SIX: [(f32, f32); 6] = [
    (10.0, 10.0),
    (30.0, 10.0),
    (30.0, 30.0),
    (10.0, 30.0),
    (5.0, 20.0),
    (35.0, 20.0),
];

#[tokio::test]
async fn new_roi_builds_every_kind_and_refuses_the_invalid() {
    let mut f = Fixture::demo().await;
    let v = viewer_on(&mut f, 0, 1).await;
    // (itype, how the request is filled, the number of points ROIPoints gives)
    let valid: Vec<(i32, proto::ViewerControllerNewRoiRequest, usize)> = vec![
        (
            5,
            proto::ViewerControllerNewRoiRequest {
                points: pts(&[(1.0, 1.0), (10.0, 10.0)]),
                ..request(&v, 5)
            },
            2,
        ),
        (
            6,
            proto::ViewerControllerNewRoiRequest {
                rectangle: rect(10.0, 10.0, 20.0, 10.0),
                ..request(&v, 6)
            },
            4,
        ),
        (
            9,
            proto::ViewerControllerNewRoiRequest {
                rectangle: rect(30.0, 30.0, 5.0, 4.0),
                ..request(&v, 9)
            },
            200,
        ),
        (
            10,
            proto::ViewerControllerNewRoiRequest {
                points: pts(&TRIANGLE),
                ..request(&v, 10)
            },
            3,
        ),
        (
            11,
            proto::ViewerControllerNewRoiRequest {
                points: pts(&TRIANGLE),
                ..request(&v, 11)
            },
            3,
        ),
        (
            12,
            proto::ViewerControllerNewRoiRequest {
                points: pts(&TRIANGLE),
                ..request(&v, 12)
            },
            3,
        ),
        (
            13,
            proto::ViewerControllerNewRoiRequest {
                rectangle: rect(5.0, 5.0, 0.0, 0.0),
                name: "text".into(),
                ..request(&v, 13)
            },
            0,
        ),
        (
            14,
            proto::ViewerControllerNewRoiRequest {
                points: pts(&[(20.0, 20.0), (2.0, 2.0)]),
                ..request(&v, 14)
            },
            2,
        ),
        (
            15,
            proto::ViewerControllerNewRoiRequest {
                points: pts(&TRIANGLE),
                ..request(&v, 15)
            },
            3,
        ),
        (
            19,
            proto::ViewerControllerNewRoiRequest {
                rectangle: rect(5.0, 6.0, 0.0, 0.0),
                ..request(&v, 19)
            },
            1,
        ),
        (24, request(&v, 24), 0),
        (
            26,
            proto::ViewerControllerNewRoiRequest {
                points: pts(&FOUR),
                ..request(&v, 26)
            },
            4,
        ),
        (
            27,
            proto::ViewerControllerNewRoiRequest {
                points: pts(&FOUR),
                ..request(&v, 27)
            },
            4,
        ),
        (
            29,
            proto::ViewerControllerNewRoiRequest {
                points: pts(&SIX),
                ..request(&v, 29)
            },
            6,
        ),
        (
            31,
            proto::ViewerControllerNewRoiRequest {
                rectangle: rect(30.0, 30.0, 5.0, 4.0),
                ..request(&v, 31)
            },
            200,
        ),
    ];
    for (itype, req, count) in valid {
        let name = req.name.clone();
        let roi = new_roi(&mut f, req).await;
        assert_eq!(call!(f.client, roii_type(roi.clone())).itype, itype);
        assert_eq!(call!(f.client, roi_name(roi.clone())).name, name);
        assert_eq!(points_of(&mut f, &roi).await.len(), count, "itype {itype}");
    }
    let (buffer, x, y) = mask(vec![true; 4], 2, 2, 3, 4);
    let plain = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            buffer,
            buffer_position_x: x,
            buffer_position_y: y,
            ..request(&v, 20)
        },
    )
    .await;
    assert_eq!(call!(f.client, roii_type(plain.clone())).itype, 20);
    assert_eq!(
        points_of(&mut f, &plain).await,
        [(3.0, 4.0), (5.0, 4.0), (5.0, 6.0), (3.0, 6.0)]
    );
    // The rectangle's corners, the point's point.
    let corners = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            rectangle: rect(10.0, 10.0, -4.0, 6.0),
            ..request(&v, 6)
        },
    )
    .await;
    assert_eq!(
        points_of(&mut f, &corners).await,
        [(6.0, 10.0), (6.0, 16.0), (10.0, 16.0), (10.0, 10.0)]
    );

    let invalid: Vec<proto::ViewerControllerNewRoiRequest> = vec![
        proto::ViewerControllerNewRoiRequest {
            points: pts(&TRIANGLE),
            ..request(&v, 0)
        },
        proto::ViewerControllerNewRoiRequest {
            points: pts(&TRIANGLE),
            ..request(&v, 7)
        },
        proto::ViewerControllerNewRoiRequest {
            rectangle: rect(1.0, 1.0, 5.0, 5.0),
            ..request(&v, 30)
        },
        proto::ViewerControllerNewRoiRequest {
            points: pts(&TRIANGLE),
            ..request(&v, -1)
        },
        proto::ViewerControllerNewRoiRequest {
            points: pts(&[(1.0, 1.0)]),
            ..request(&v, 5)
        },
        proto::ViewerControllerNewRoiRequest {
            points: pts(&[(1.0, 1.0), (1.1, 1.1)]),
            ..request(&v, 14)
        },
        proto::ViewerControllerNewRoiRequest {
            points: pts(&TRIANGLE[..2]),
            ..request(&v, 11)
        },
        proto::ViewerControllerNewRoiRequest {
            points: pts(&TRIANGLE),
            ..request(&v, 26)
        },
        proto::ViewerControllerNewRoiRequest {
            points: pts(&SIX[..5]),
            ..request(&v, 29)
        },
        proto::ViewerControllerNewRoiRequest {
            rectangle: rect(1.0, 1.0, 0.1, 5.0),
            ..request(&v, 6)
        },
        proto::ViewerControllerNewRoiRequest {
            rectangle: rect(1.0, 1.0, 5.0, 0.0),
            ..request(&v, 9)
        },
        proto::ViewerControllerNewRoiRequest {
            rectangle: rect(1.0, 1.0, 5.0, 5.0),
            name: String::new(),
            ..request(&v, 13)
        },
        proto::ViewerControllerNewRoiRequest {
            buffer: mask(vec![true; 5], 2, 2, 0, 0).0,
            ..request(&v, 20)
        },
        proto::ViewerControllerNewRoiRequest {
            buffer: mask(vec![false; 4], 2, 2, 0, 0).0,
            ..request(&v, 20)
        },
        request(&v, 20),
    ];
    for req in invalid {
        let itype = req.itype;
        let reply = f
            .client
            .viewer_controller_new_roi(req)
            .await
            .expect("answers")
            .into_inner();
        assert_failed(&reply.status, "Could not create ROI");
        assert!(reply.roi.is_none(), "itype {itype}");
    }
    // Where OsiriX is undefined (idx out of range), the emulator says why; movie_idx is clamped.
    let n = DemoSpec::DEFAULT.images_per_series;
    fails!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            points: pts(&TRIANGLE),
            idx: n as i32,
            ..request(&v, 11)
        }),
        &format!("Could not create ROI: index {n} is out of range (the frame has {n} slices)")
    );
    let clamped = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            points: pts(&TRIANGLE),
            movie_idx: 9,
            idx: 1,
            ..request(&v, 11)
        },
    )
    .await;
    let slices = call!(
        f.client,
        viewer_controller_roi_list(proto::ViewerControllerRoiListRequest {
            viewer_controller: Some(v.clone()),
            movie_idx: 0
        })
    );
    assert_eq!(slices.roi_slices[1].rois, vec![clamped]);
    fails!(
        f.client,
        viewer_controller_new_roi(proto::ViewerControllerNewRoiRequest {
            viewer_controller: None,
            ..request(&v, 11)
        }),
        "No ViewerController cached"
    );
}

#[tokio::test]
async fn colour_opacity_thickness_and_name() {
    let mut f = Fixture::demo().await;
    let v = viewer_on(&mut f, 0, 1).await;
    let roi = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            points: pts(&TRIANGLE),
            color: Some(Color {
                r: 300,
                g: -4,
                b: 128,
            }),
            opacity: 1.5,
            thickness: -2.0,
            ..request(&v, 11)
        },
    )
    .await;
    let c = call!(f.client, roi_color(roi.clone()));
    assert_eq!((c.r, c.g, c.b), (255, 0, 128));
    // NewROI keeps opacity and thickness as sent; ROISetOpacity clamps, ROISetThickness does not.
    assert_eq!(call!(f.client, roi_opacity(roi.clone())).opacity, 1.5);
    assert_eq!(call!(f.client, roi_thickness(roi.clone())).thickness, -2.0);
    let r = Some(roi.clone());
    call!(
        f.client,
        roi_set_opacity(proto::RoiSetOpacityRequest {
            roi: r.clone(),
            opacity: 7.0
        })
    );
    assert_eq!(call!(f.client, roi_opacity(roi.clone())).opacity, 1.0);
    call!(
        f.client,
        roi_set_opacity(proto::RoiSetOpacityRequest {
            roi: r.clone(),
            opacity: -1.0
        })
    );
    assert_eq!(call!(f.client, roi_opacity(roi.clone())).opacity, 0.0);
    call!(
        f.client,
        roi_set_thickness(proto::RoiSetThicknessRequest {
            roi: r.clone(),
            thickness: 99.0
        })
    );
    assert_eq!(call!(f.client, roi_thickness(roi.clone())).thickness, 99.0);
    call!(
        f.client,
        roi_set_color(proto::RoiSetColorRequest {
            roi: r.clone(),
            r: 1,
            g: 2,
            b: 1000
        })
    );
    let c = call!(f.client, roi_color(roi.clone()));
    assert_eq!((c.r, c.g, c.b), (1, 2, 255));
    // An unset colour is black; an unset opacity is 0.
    let bare = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            points: pts(&TRIANGLE),
            opacity: 0.0,
            ..request(&v, 15)
        },
    )
    .await;
    let c = call!(f.client, roi_color(bare.clone()));
    assert_eq!(
        (c.r, c.g, c.b, call!(f.client, roi_opacity(bare)).opacity),
        (0, 0, 0, 0.0)
    );
    // Names over 256 characters are cut, except a text's.
    let long = "é".repeat(300);
    call!(
        f.client,
        roi_set_name(proto::RoiSetNameRequest {
            roi: r.clone(),
            name: long.clone()
        })
    );
    assert_eq!(
        call!(f.client, roi_name(roi.clone())).name.chars().count(),
        256
    );
    let text = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            rectangle: rect(1.0, 1.0, 0.0, 0.0),
            name: long.clone(),
            ..request(&v, 13)
        },
    )
    .await;
    assert_eq!(call!(f.client, roi_name(text)).name, long);
}

#[tokio::test]
async fn areas_centroids_and_transforms() {
    let mut f = Fixture::demo().await;
    let v = viewer_on(&mut f, 0, 1).await;
    let cm2 = |px: f64| px * PIXEL_SPACING * PIXEL_SPACING / 100.0;
    let rectangle = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            rectangle: rect(10.0, 10.0, 20.0, 10.0),
            ..request(&v, 6)
        },
    )
    .await;
    assert!(
        (f64::from(call!(f.client, roi_area(rectangle.clone())).area) - cm2(200.0)).abs() < 1e-6
    );
    let c = call!(f.client, roi_centroid(rectangle.clone()));
    assert_eq!(
        (c.x, c.y),
        (10.0, 10.0),
        "a rectangle's centroid is its corner"
    );
    let oval = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            rectangle: rect(30.0, 30.0, 5.0, 4.0),
            ..request(&v, 9)
        },
    )
    .await;
    assert!(
        (f64::from(call!(f.client, roi_area(oval.clone())).area)
            - cm2(std::f64::consts::PI * 20.0))
        .abs()
            < 1e-6
    );
    let c = call!(f.client, roi_centroid(oval.clone()));
    assert_eq!((c.x, c.y), (30.0, 30.0), "an oval's is its centre");
    let line = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            points: pts(&[(1.0, 1.0), (10.0, 10.0)]),
            ..request(&v, 5)
        },
    )
    .await;
    assert_eq!(call!(f.client, roi_area(line)).area, 0.0);

    // Flipping a rectangle turns it into a closed polygon for good.
    call!(f.client, roi_flip_vertically(rectangle.clone()));
    assert_eq!(call!(f.client, roii_type(rectangle.clone())).itype, 11);
    assert_eq!(
        points_of(&mut f, &rectangle).await,
        [(10.0, 20.0), (10.0, 10.0), (30.0, 10.0), (30.0, 20.0)]
    );
    // Its area stays that of the rectangle (the conversion turns its spline off).
    assert!(
        (f64::from(call!(f.client, roi_area(rectangle.clone())).area) - cm2(200.0)).abs() < 1e-6
    );
    // SetPoints is ignored by ovals and points, and replaces a polygon's points.
    call!(
        f.client,
        roi_set_points(proto::RoiSetPointsRequest {
            roi: Some(oval.clone()),
            points: Vec::new()
        })
    );
    assert_eq!(points_of(&mut f, &oval).await.len(), 200);
    let square: Vec<proto::roi_set_points_request::Point2D> = FOUR
        .iter()
        .map(|&(x, y)| proto::roi_set_points_request::Point2D { x, y })
        .collect();
    call!(
        f.client,
        roi_set_points(proto::RoiSetPointsRequest {
            roi: Some(rectangle.clone()),
            points: square
        })
    );
    assert_eq!(points_of(&mut f, &rectangle).await, FOUR);
    call!(
        f.client,
        roi_move(proto::RoiMoveRequest {
            roi: Some(rectangle.clone()),
            columns: 0.5,
            rows: -1.0
        })
    );
    assert_eq!(
        points_of(&mut f, &rectangle).await,
        [(10.5, 9.0), (30.5, 9.0), (30.5, 29.0), (10.5, 29.0)]
    );
    call!(
        f.client,
        roi_rotate(proto::RoiRotateRequest {
            roi: Some(rectangle.clone()),
            degrees: 180.0,
            x: 20.5,
            y: 19.0
        })
    );
    let turned = points_of(&mut f, &rectangle).await;
    for (got, expected) in turned
        .iter()
        .zip([(30.5, 29.0), (10.5, 29.0), (10.5, 9.0), (30.5, 9.0)])
    {
        assert!(
            (got.0 - expected.0).abs() < 1e-4 && (got.1 - expected.1).abs() < 1e-4,
            "{turned:?}"
        );
    }
    // ROIPix is the DCMPix of its slice.
    let pix = f.pix_list(&v, 0).await;
    assert_eq!(
        call!(f.client, roi_pix(rectangle)).pix,
        Some(pix[0].clone())
    );
}

/// Statistics by the definitions OsiriX's tests pin: population deviation, N − 1 moments.
fn expected_stats(values: &[f64]) -> [f64; 7] {
    let n = values.len() as f64;
    let total: f64 = values.iter().sum();
    let mean = total / n;
    let central = |k: i32| values.iter().map(|v| (v - mean).powi(k)).sum::<f64>();
    let (m2, m3, m4) = (
        central(2) / (n - 1.0),
        central(3) / (n - 1.0),
        central(4) / (n - 1.0),
    );
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    [
        mean,
        total,
        (central(2) / n).sqrt(),
        min,
        max,
        m3 / m2.powf(1.5),
        m4 / (m2 * m2) - 3.0,
    ]
}

#[tokio::test]
async fn statistics_values_and_maps_on_the_phantom() {
    let spec = DemoSpec::DEFAULT;
    let mut f = Fixture::demo().await;
    let index = f
        .emulator
        .catalog()
        .series()
        .iter()
        .position(|s| s.modality == "CT")
        .expect("a CT series");
    let v = viewer_on(&mut f, index, 1).await;
    let pix = f.pix_list(&v, 0).await.remove(0);
    let image = call!(f.client, dcm_pix_dicom_image(pix.clone()))
        .dicom_image
        .expect("an image");
    let record = f
        .emulator
        .catalog()
        .image_by_uid(&image.osirixrpc_uid)
        .expect("a record")
        .clone();
    let phantom = Phantom::for_image(&spec, &record).expect("a demo slice");
    let square = phantom.square();
    // A mask over the square and the background column left of it: 16 × 17 pixels.
    let (left, top) = (square.column as i32 - 1, square.row as i32);
    let side = square.side as i32;
    let (buffer, x, y) = mask(
        vec![true; (side * (side + 1)) as usize],
        side,
        side + 1,
        left,
        top,
    );
    let roi = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            buffer,
            buffer_position_x: x,
            buffer_position_y: y,
            ..request(&v, 20)
        },
    )
    .await;
    let values = call!(
        f.client,
        dcm_pix_roi_values(proto::DcmPixRoiValuesRequest {
            pix: Some(pix.clone()),
            roi: Some(roi.clone())
        })
    );
    let n = (side * (side + 1)) as usize;
    assert_eq!(values.values.len(), n);
    // Row by row, left to right, at the mask's pixels.
    for (k, ((value, row), column)) in values
        .values
        .iter()
        .zip(&values.row_indices)
        .zip(&values.column_indices)
        .enumerate()
    {
        let k = k as i32;
        assert_eq!(
            (*row, *column),
            (top + k / (side + 1), left + k % (side + 1))
        );
        assert_eq!(*value, phantom.value_at(*column as u32, *row as u32));
    }
    let expected: Vec<f64> = values.values.iter().map(|&v| f64::from(v)).collect();
    assert_eq!(
        expected.iter().filter(|&&v| v == 100.0).count(),
        side as usize
    );
    let stats = call!(
        f.client,
        dcm_pix_compute_roi(proto::DcmPixComputeRoiRequest {
            pix: Some(pix.clone()),
            roi: Some(roi.clone())
        })
    );
    let got = [
        stats.mean,
        stats.total,
        stats.std_dev,
        stats.min,
        stats.max,
        stats.skewness,
        stats.kurtosis,
    ];
    for (g, e) in got.iter().zip(expected_stats(&expected)) {
        assert!(
            (f64::from(*g) - e).abs() <= 1e-4 * e.abs().max(1.0),
            "{got:?}"
        );
    }
    assert_eq!((stats.min, stats.max), (100.0, 1000.0));
    let map = call!(
        f.client,
        dcm_pix_get_map_from_roi(proto::DcmPixGetMapFromRoiRequest {
            pix: Some(pix.clone()),
            roi: Some(roi.clone())
        })
    );
    assert_eq!((map.rows, map.columns, map.map.len()), (64, 64, 64 * 64));
    for (i, &set) in map.map.iter().enumerate() {
        let (row, column) = ((i / 64) as i32, (i % 64) as i32);
        let inside = (top..top + side).contains(&row) && (left..=left + side).contains(&column);
        assert_eq!(set, inside, "pixel ({column}, {row})");
    }
    // A tROI has no map; a line has no values.
    let rectangle = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            rectangle: rect(1.0, 1.0, 4.0, 4.0),
            ..request(&v, 6)
        },
    )
    .await;
    fails!(
        f.client,
        dcm_pix_get_map_from_roi(proto::DcmPixGetMapFromRoiRequest {
            pix: Some(pix.clone()),
            roi: Some(rectangle)
        }),
        "Invalid ROI"
    );
    let line = new_roi(
        &mut f,
        proto::ViewerControllerNewRoiRequest {
            points: pts(&[(1.0, 1.0), (10.0, 10.0)]),
            ..request(&v, 5)
        },
    )
    .await;
    let empty = call!(
        f.client,
        dcm_pix_roi_values(proto::DcmPixRoiValuesRequest {
            pix: Some(pix.clone()),
            roi: Some(line.clone())
        })
    );
    assert!(
        empty.values.is_empty() && empty.row_indices.is_empty() && empty.column_indices.is_empty()
    );
    let zeros = call!(
        f.client,
        dcm_pix_compute_roi(proto::DcmPixComputeRoiRequest {
            pix: Some(pix.clone()),
            roi: Some(line)
        })
    );
    assert_eq!(
        (zeros.mean, zeros.total, zeros.min, zeros.max),
        (0.0, 0.0, 0.0, 0.0)
    );
    // The failures, in OsiriX's order: the DCMPix first, then the ROI.
    fails!(
        f.client,
        dcm_pix_compute_roi(proto::DcmPixComputeRoiRequest {
            pix: None,
            roi: None
        }),
        "No DCMPix cached"
    );
    fails!(
        f.client,
        dcm_pix_compute_roi(proto::DcmPixComputeRoiRequest {
            pix: Some(pix.clone()),
            roi: None
        }),
        "No ROI cached"
    );
    fails!(
        f.client,
        dcm_pix_roi_values(proto::DcmPixRoiValuesRequest {
            pix: Some(pix.clone()),
            roi: None
        }),
        "No ROI cached"
    );
    fails!(
        f.client,
        dcm_pix_get_map_from_roi(proto::DcmPixGetMapFromRoiRequest {
            pix: Some(pix.clone()),
            roi: None
        }),
        "No ROI cached"
    );
}

#[tokio::test]
async fn deleting_lists_and_selection() {
    let mut f = Fixture::demo().await;
    let v = viewer_on(&mut f, 0, 2).await;
    let on = |frame: i32, idx: i32, name: &str| proto::ViewerControllerNewRoiRequest {
        points: pts(&TRIANGLE),
        movie_idx: frame,
        idx,
        name: name.into(),
        ..request(&v, 11)
    };
    let a = new_roi(&mut f, on(0, 0, "a")).await;
    let b = new_roi(&mut f, on(0, 0, "b")).await;
    let c = new_roi(&mut f, on(0, 0, "a")).await;
    let d = new_roi(&mut f, on(1, 2, "a")).await;
    let list = |movie_idx| proto::ViewerControllerRoiListRequest {
        viewer_controller: Some(v.clone()),
        movie_idx,
    };
    assert_eq!(
        call!(f.client, viewer_controller_roi_list(list(0))).roi_slices[0].rois,
        vec![a.clone(), b.clone(), c.clone()]
    );
    assert_eq!(
        call!(f.client, viewer_controller_roi_list(list(1))).roi_slices[2].rois,
        vec![d.clone()]
    );
    let named = |movie_idx, in_4d| proto::ViewerControllerRoIsWithNameRequest {
        viewer_controller: Some(v.clone()),
        name: "a".into(),
        movie_idx,
        in_4d,
    };
    assert_eq!(
        call!(f.client, viewer_controller_ro_is_with_name(named(7, true))).rois,
        vec![a.clone(), c.clone(), d.clone()]
    );
    assert_eq!(
        call!(f.client, viewer_controller_ro_is_with_name(named(1, false))).rois,
        vec![d.clone()]
    );
    fails!(
        f.client,
        viewer_controller_ro_is_with_name(named(2, false)),
        "Movie index 2 is out of range: the viewer has 2 frame(s)"
    );

    // Selection: the selected ROIs of the current frame and slice.
    assert!(
        call!(f.client, viewer_controller_selected_ro_is(v.clone()))
            .rois
            .is_empty()
    );
    let object = |roi: &proto::Roi| f.emulator.lookup(&roi.osirixrpc_uid).expect("cached");
    let (oa, oc, od) = (object(&a), object(&c), object(&d));
    f.emulator.select_rois(&[oa, oc, od]).expect("live ROIs");
    call!(
        f.client,
        viewer_controller_set_idx(proto::ViewerControllerSetIdxRequest {
            viewer_controller: Some(v.clone()),
            idx: 0
        })
    );
    assert_eq!(
        call!(f.client, viewer_controller_selected_ro_is(v.clone())).rois,
        vec![a.clone(), c.clone()]
    );
    f.emulator.select_rois(&[oc]).expect("live");
    assert_eq!(
        call!(f.client, viewer_controller_selected_ro_is(v.clone())).rois,
        vec![c.clone()]
    );
    assert!(f.emulator.select_rois(&[ObjectRef::Roi(u64::MAX)]).is_err());

    // Deleting leaves the slice and the cache; the others keep their uids.
    call!(f.client, roi_delete(b.clone()));
    assert_eq!(
        call!(f.client, viewer_controller_roi_list(list(0))).roi_slices[0].rois,
        vec![a.clone(), c.clone()]
    );
    assert_all_not_cached(
        &statuses(&mut f.client, osirix_emulator::Class::Roi, &b.osirixrpc_uid).await,
        osirix_emulator::Class::Roi,
    );
    assert!(
        !call!(f.client, osirix_cache_uids(Empty {}))
            .uids
            .contains(&b.osirixrpc_uid)
    );
    call!(f.client, roi_name(a));
}

#[test]
fn flips_twice_and_moves_back_are_identities_over_the_wire() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let (f, v) = runtime.block_on(async {
        let mut f = Fixture::demo().await;
        let v = viewer_on(&mut f, 0, 1).await;
        (f, v)
    });
    let vertices = prop::collection::vec((-100.0f32..200.0, -100.0f32..200.0), 3..12);
    let kind = prop::sample::select(vec![10, 11, 15, 26, 27, 29]);
    let offsets = (-50.0f32..50.0, -50.0f32..50.0);
    let f = tokio::sync::Mutex::new(f);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(24));
    runner
        .run(
            &(vertices, kind, offsets, any::<bool>()),
            |(vertices, itype, (dx, dy), vertical)| {
                runtime.block_on(async {
                    let mut guard = f.lock().await;
                    let f = &mut *guard;
                    let mut vertices = vertices;
                    vertices.resize(vertices.len().max(6), (1.0, 2.0));
                    let roi = new_roi(
                        f,
                        proto::ViewerControllerNewRoiRequest {
                            points: pts(&vertices),
                            ..request(&v, itype)
                        },
                    )
                    .await;
                    let before = points_of(f, &roi).await;
                    let near = |a: &[(f32, f32)], b: &[(f32, f32)]| {
                        a.len() == b.len()
                            && a.iter()
                                .zip(b)
                                .all(|(p, q)| (p.0 - q.0).abs() < 1e-3 && (p.1 - q.1).abs() < 1e-3)
                    };
                    for _ in 0..2 {
                        if vertical {
                            call!(f.client, roi_flip_vertically(roi.clone()));
                        } else {
                            call!(f.client, roi_flip_horizontally(roi.clone()));
                        }
                    }
                    let flipped = points_of(f, &roi).await;
                    prop_assert!(near(&flipped, &before), "{flipped:?} vs {before:?}");
                    call!(
                        f.client,
                        roi_move(proto::RoiMoveRequest {
                            roi: Some(roi.clone()),
                            columns: dx,
                            rows: dy
                        })
                    );
                    call!(
                        f.client,
                        roi_move(proto::RoiMoveRequest {
                            roi: Some(roi.clone()),
                            columns: -dx,
                            rows: -dy
                        })
                    );
                    let moved = points_of(f, &roi).await;
                    prop_assert!(near(&moved, &before), "{moved:?} vs {before:?}");
                    call!(f.client, roi_delete(roi));
                    Ok(())
                })
            },
        )
        .expect("the properties hold");
}
