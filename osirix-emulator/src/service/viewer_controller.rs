//! The 27 `ViewerController*` RPCs (see docs/osirix-behaviour.md, *Viewers*). Every one first resolves
//! its viewer ("No ViewerController cached").

use super::reply::{Failure, Reply, done, success};
use super::viewer_frames::{is_volumic_frame, viewer_window};
use super::vr_controller::{NoVrWindow, open_vr_window};
use crate::pixels::Window;
use crate::proto;
use crate::proto::viewer_controller_roi_list_response::RoiSlice;
use crate::registry::ObjectRef;
use crate::roi::{Buffer, NewRoi, Point, Rect, Shape, Spacing};
use crate::scene::{RenderingMode, Roi, Viewer};
use crate::state::{State, World};

type ViewerHandle = proto::ViewerController;

/// The handle in a request's `viewer_controller` field (an unset field is an empty, unknown uid).
fn handle(field: Option<ViewerHandle>) -> ViewerHandle {
    field.unwrap_or_default()
}

pub(super) fn close_viewer(state: &State, viewer: ViewerHandle) -> Reply<proto::Response> {
    let mut world = state.world();
    let (id, _) = world.viewer(&viewer)?;
    world.close_viewer(id);
    done()
}

pub(super) fn pix_list(
    state: &State,
    request: proto::ViewerControllerPixListRequest,
) -> Reply<proto::ViewerControllerPixListResponse> {
    let mut world = state.world();
    let (_, viewer) = world.viewer(&handle(request.viewer_controller))?;
    let frame = viewer.clamp_frame(request.movie_idx);
    let pixes: Vec<ObjectRef> = viewer
        .frame(frame)
        .iter()
        .map(|s| ObjectRef::Pix(s.pix))
        .collect();
    Ok(proto::ViewerControllerPixListResponse {
        status: success(),
        pix: world.handles(pixes),
    })
}

pub(super) fn needs_display_update(state: &State, viewer: ViewerHandle) -> Reply<proto::Response> {
    state.world().viewer(&viewer)?;
    done()
}

pub(super) fn roi_list(
    state: &State,
    request: proto::ViewerControllerRoiListRequest,
) -> Reply<proto::ViewerControllerRoiListResponse> {
    let mut world = state.world();
    let (_, viewer) = world.viewer(&handle(request.viewer_controller))?;
    let frame = viewer.clamp_frame(request.movie_idx);
    let slices: Vec<Vec<ObjectRef>> = viewer
        .frame(frame)
        .iter()
        .map(|s| s.rois.iter().map(|&r| ObjectRef::Roi(r)).collect())
        .collect();
    Ok(proto::ViewerControllerRoiListResponse {
        status: success(),
        roi_slices: slices
            .into_iter()
            .map(|rois| RoiSlice {
                rois: world.handles(rois),
            })
            .collect(),
    })
}

pub(super) fn cur_dcm(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerCurDcmResponse> {
    let mut world = state.world();
    let (_, viewer) = world.viewer(&viewer)?;
    let pix = viewer
        .current()
        .ok_or_else(|| Failure::new("The viewer shows no image"))?
        .pix;
    Ok(proto::ViewerControllerCurDcmResponse {
        status: success(),
        pix: Some(world.handle(ObjectRef::Pix(pix))),
    })
}

pub(super) fn rois_with_name(
    state: &State,
    request: proto::ViewerControllerRoIsWithNameRequest,
) -> Reply<proto::ViewerControllerRoIsWithNameResponse> {
    let mut world = state.world();
    let (_, viewer) = world.viewer(&handle(request.viewer_controller))?;
    let frames: Vec<usize> = if request.in_4d {
        (0..viewer.frame_count()).collect()
    } else {
        // OsiriX does not check this index (undefined); the emulator refuses it.
        let frame = usize::try_from(request.movie_idx)
            .ok()
            .filter(|&f| f < viewer.frame_count())
            .ok_or_else(|| {
                Failure::new(format!(
                    "Movie index {} is out of range: the viewer has {} frame(s)",
                    request.movie_idx,
                    viewer.frame_count()
                ))
            })?;
        vec![frame]
    };
    let matches: Vec<ObjectRef> = frames
        .into_iter()
        .flat_map(|f| viewer.frame(f).iter().flat_map(|s| s.rois.iter().copied()))
        .filter(|&r| {
            world
                .scene
                .roi(r)
                .is_some_and(|roi| roi.name() == request.name)
        })
        .map(ObjectRef::Roi)
        .collect();
    Ok(proto::ViewerControllerRoIsWithNameResponse {
        status: success(),
        rois: world.handles(matches),
    })
}

pub(super) fn selected_rois(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerSelectedRoIsResponse> {
    let mut world = state.world();
    let (_, viewer) = world.viewer(&viewer)?;
    let selected: Vec<ObjectRef> = viewer
        .current()
        .map(|s| s.rois.as_slice())
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|&r| world.scene.roi(r).is_some_and(|roi| roi.selected))
        .map(ObjectRef::Roi)
        .collect();
    Ok(proto::ViewerControllerSelectedRoIsResponse {
        status: success(),
        rois: world.handles(selected),
    })
}

pub(super) fn is_data_volumic(
    state: &State,
    request: proto::ViewerControllerIsDataVolumicRequest,
) -> Reply<proto::ViewerControllerIsDataVolumicResponse> {
    let world = state.world();
    let (_, viewer) = world.viewer(&handle(request.viewer_controller))?;
    let is_volumic = if request.in_4d {
        (0..viewer.frame_count()).all(|f| is_volumic_frame(&world, viewer, f))
    } else {
        is_volumic_frame(&world, viewer, viewer.movie_idx)
    };
    Ok(proto::ViewerControllerIsDataVolumicResponse {
        status: success(),
        is_volumic,
    })
}

pub(super) fn copy_viewer_window(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerCopyViewerWindowResponse> {
    let mut world = state.world();
    let (id, _) = world.viewer(&viewer)?;
    let copy = world
        .scene
        .copy_viewer(id)
        .ok_or_else(|| Failure::new("Could not generate new viewer"))?;
    Ok(proto::ViewerControllerCopyViewerWindowResponse {
        status: success(),
        viewer_controller: Some(world.handle(ObjectRef::Viewer(copy))),
    })
}

/// How close two geometries must be for the emulator to resample one onto the other, in mm (and for the
/// direction cosines, unitless).
const SAME_GEOMETRY: f64 = 1e-3;

/// Whether every slice of `moving` has the geometry of the same slice of `fixed` (same frame 0 length,
/// matrix, spacing, origin and orientation).
fn same_geometry(world: &World, moving: &Viewer, fixed: &Viewer) -> bool {
    let (a, b) = (moving.frame(0), fixed.frame(0));
    a.len() == b.len()
        && a.iter().zip(b).all(|(m, f)| {
            let (Some(m), Some(f)) = (world.scene.pix(m.pix), world.scene.pix(f.pix)) else {
                return false;
            };
            let (m, f) = (&m.geometry, &f.geometry);
            let close =
                |x: &[f64], y: &[f64]| x.iter().zip(y).all(|(p, q)| (p - q).abs() <= SAME_GEOMETRY);
            (m.rows, m.columns) == (f.rows, f.columns)
                && close(&[m.spacing_x, m.spacing_y], &[f.spacing_x, f.spacing_y])
                && close(&m.origin, &f.origin)
                && close(&m.row_direction, &f.row_direction)
                && close(&m.column_direction, &f.column_direction)
        })
}

/// The study of a viewer's first image.
fn study_of(world: &World, viewer: &Viewer) -> Option<usize> {
    let pix = world.scene.pix(viewer.frame(0).first()?.pix)?;
    Some(world.catalog.images().get(pix.image)?.study)
}

pub(super) fn resample_viewer_controller(
    state: &State,
    request: proto::ViewerControllerResampleViewerControllerRequest,
) -> Reply<proto::ViewerControllerResampleViewerControllerResponse> {
    let mut world = state.world();
    let (moving_id, moving) = world.viewer(&handle(request.viewer_controller))?;
    let (_, fixed) = world.viewer_as(
        &handle(request.fixed_viewer_controller),
        Failure::new("No fixed ViewerController cached"),
    )?;
    // OsiriX shows this alert and returns no viewer (undefined over gRPC); the emulator answers it.
    if study_of(&world, moving) != study_of(&world, fixed) {
        return Err(Failure::new(
            "Resampling is only available for series in the SAME study.",
        ));
    }
    if !same_geometry(&world, moving, fixed) {
        return Err(Failure::new(
            "The emulator resamples only onto identical geometry (the same slices, matrix, spacing, \
             position and orientation); these viewers differ",
        ));
    }
    let resampled = world
        .scene
        .copy_viewer(moving_id)
        .ok_or_else(|| Failure::new("Could not generate new viewer"))?;
    // The moving viewer closes, as pyosirix documents and the upstream suites rely on (no viewer is left
    // open after their cleanup).
    world.close_viewer(moving_id);
    Ok(proto::ViewerControllerResampleViewerControllerResponse {
        status: success(),
        resampled_viewer: Some(world.handle(ObjectRef::Viewer(resampled))),
    })
}

pub(super) fn blending_controller(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerBlendingControllerResponse> {
    let mut world = state.world();
    let (_, viewer) = world.viewer(&viewer)?;
    let fusion = viewer
        .fusion
        .filter(|&f| world.scene.viewer(f).is_some())
        .ok_or_else(|| Failure::new("No blending controller active"))?;
    Ok(proto::ViewerControllerBlendingControllerResponse {
        status: success(),
        blending_viewer: Some(world.handle(ObjectRef::Viewer(fusion))),
    })
}

/// The 3D windows built on the viewer, front to back (every one the emulator opens is a VR or MIP
/// window).
pub(super) fn vr_controllers(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerVrControllersResponse> {
    let mut world = state.world();
    let (id, _) = world.viewer(&viewer)?;
    let windows = world.scene.vr_windows_of(id);
    Ok(proto::ViewerControllerVrControllersResponse {
        status: success(),
        vr_controllers: world.handles(windows.into_iter().map(ObjectRef::VrController)),
    })
}

pub(super) fn title(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerTitleResponse> {
    let world = state.world();
    let (_, viewer) = world.viewer(&viewer)?;
    Ok(proto::ViewerControllerTitleResponse {
        status: success(),
        title: viewer.title.clone(),
    })
}

pub(super) fn modality(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerModalityResponse> {
    let world = state.world();
    let (_, viewer) = world.viewer(&viewer)?;
    let modality = viewer
        .current()
        .and_then(|s| world.scene.pix(s.pix))
        .and_then(|p| world.catalog.images().get(p.image))
        .and_then(|i| world.catalog.series().get(i.series))
        .map(|s| s.modality.clone())
        .ok_or_else(|| Failure::new("The viewer shows no image"))?;
    Ok(proto::ViewerControllerModalityResponse {
        status: success(),
        modality,
    })
}

pub(super) fn movie_idx(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerMovieIdxResponse> {
    let world = state.world();
    let (_, viewer) = world.viewer(&viewer)?;
    Ok(proto::ViewerControllerMovieIdxResponse {
        status: success(),
        movie_idx: index(viewer.movie_idx),
    })
}

/// An index as the wire's int32.
fn index(value: usize) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

pub(super) fn set_movie_idx(
    state: &State,
    request: proto::ViewerControllerSetMovieIdxRequest,
) -> Reply<proto::Response> {
    let mut world = state.world();
    let (id, _) = world.viewer(&handle(request.viewer_controller))?;
    if let Some(viewer) = world.scene.viewer_mut(id) {
        viewer
            .set_movie_idx(request.movie_idx)
            .map_err(|e| Failure::new(e.to_string()))?;
    }
    done()
}

pub(super) fn max_movie_idx(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerMaxMovieIdxResponse> {
    let world = state.world();
    let (_, viewer) = world.viewer(&viewer)?;
    Ok(proto::ViewerControllerMaxMovieIdxResponse {
        status: success(),
        max_movie_idx: index(viewer.frame_count()),
    })
}

pub(super) fn idx(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerIdxResponse> {
    let world = state.world();
    let (_, viewer) = world.viewer(&viewer)?;
    Ok(proto::ViewerControllerIdxResponse {
        status: success(),
        idx: index(viewer.idx),
    })
}

pub(super) fn set_idx(
    state: &State,
    request: proto::ViewerControllerSetIdxRequest,
) -> Reply<proto::Response> {
    let mut world = state.world();
    let (id, _) = world.viewer(&handle(request.viewer_controller))?;
    if let Some(viewer) = world.scene.viewer_mut(id) {
        viewer
            .set_idx(request.idx)
            .map_err(|e| Failure::new(e.to_string()))?;
    }
    done()
}

pub(super) fn displayed_idx(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerDisplayedIdxResponse> {
    let world = state.world();
    let (_, viewer) = world.viewer(&viewer)?;
    Ok(proto::ViewerControllerDisplayedIdxResponse {
        status: success(),
        displayed_idx: index(viewer.displayed_idx()),
    })
}

pub(super) fn set_displayed_idx(
    state: &State,
    request: proto::ViewerControllerSetDisplayedIdxRequest,
) -> Reply<proto::Response> {
    let mut world = state.world();
    let (id, _) = world.viewer(&handle(request.viewer_controller))?;
    if let Some(viewer) = world.scene.viewer_mut(id) {
        viewer
            .set_displayed_idx(request.displayed_idx)
            .map_err(|e| Failure::new(e.to_string()))?;
    }
    done()
}

pub(super) fn flipped_data(
    state: &State,
    viewer: ViewerHandle,
) -> Reply<proto::ViewerControllerFlippedDataResponse> {
    let world = state.world();
    let (_, viewer) = world.viewer(&viewer)?;
    Ok(proto::ViewerControllerFlippedDataResponse {
        status: success(),
        flipped_data: viewer.flipped,
    })
}

pub(super) fn wlww(
    state: &State,
    handle: ViewerHandle,
) -> Reply<proto::ViewerControllerWlwwResponse> {
    let (id, _) = state.world().viewer(&handle)?;
    let window = viewer_window(state, id)?;
    Ok(proto::ViewerControllerWlwwResponse {
        status: success(),
        wl: window.level,
        ww: window.width,
    })
}

pub(super) fn set_wlww(
    state: &State,
    request: proto::ViewerControllerSetWlwwRequest,
) -> Reply<proto::Response> {
    let mut world = state.world();
    let (id, _) = world.viewer(&handle(request.viewer_controller))?;
    if let Some(viewer) = world.scene.viewer_mut(id) {
        viewer.window = Some(Window {
            level: request.wl,
            width: request.ww,
        });
    }
    done()
}

/// `ViewerControllerOpenVRViewerForMode`: the mode must be exactly `"VR"` or `"MIP"`; the viewer's 3D
/// window is reused (switched to the mode) or opened, and brought to the front. A viewer OsiriX opens no
/// 3D window on (data that is not volumic) gets `"Could not find opened VR window"`.
pub(super) fn open_vr_viewer_for_mode(
    state: &State,
    request: proto::ViewerControllerOpenVrViewerForModeRequest,
) -> Reply<proto::ViewerControllerOpenVrViewerForModeResponse> {
    let (id, _) = state.world().viewer(&handle(request.viewer_controller))?;
    let mode =
        RenderingMode::parse(&request.mode).ok_or_else(|| Failure::new("Unavailable mode"))?;
    let vr = open_vr_window(state, id, mode).map_err(|why| match why {
        NoVrWindow::Failure(failure) => failure,
        NoVrWindow::Refused(reason) => {
            tracing::info!(%reason, "no 3D window opened");
            Failure::new("Could not find opened VR window")
        }
    })?;
    Ok(proto::ViewerControllerOpenVrViewerForModeResponse {
        status: success(),
        vr_controller: Some(state.world().handle(ObjectRef::VrController(vr))),
    })
}

pub(super) fn fuse_with_viewer(
    state: &State,
    request: proto::ViewerControllerFuseWithViewerRequest,
) -> Reply<proto::Response> {
    let mut world = state.world();
    let (base, _) = world.viewer(&handle(request.viewer_controller))?;
    let (fusion, _) = world.viewer_as(
        &handle(request.fusion_viewer_controller),
        Failure::new("No fusion ViewerController cached"),
    )?;
    // Fusing a viewer with itself does nothing; a new partner replaces the old one.
    if fusion != base
        && let Some(viewer) = world.scene.viewer_mut(base)
    {
        viewer.fusion = Some(fusion);
    }
    done()
}

/// `ViewerControllerNewROI`: builds the ROI from the request's group of fields with OsiriX's validity
/// rules and the current DCMPix's spacing, and appends it to `roiList[movie_idx][idx]` (see
/// docs/osirix-behaviour.md, *ROIs*).
pub(super) fn new_roi(
    state: &State,
    request: proto::ViewerControllerNewRoiRequest,
) -> Reply<proto::ViewerControllerNewRoiResponse> {
    let mut world = state.world();
    let (id, viewer) = world.viewer(&handle(request.viewer_controller.clone()))?;
    // The spacing of the slice on screen, not of slice `idx`.
    let spacing = viewer
        .current()
        .and_then(|s| world.scene.pix(s.pix))
        .map_or(Spacing::new(1.0, 1.0), |p| p.spacing());
    let points: Vec<Point> = request
        .points
        .iter()
        .map(|p| Point::from_f32(p.x, p.y))
        .collect();
    let rectangle = request.rectangle.map_or(Rect::default(), |r| {
        Rect::new(
            f64::from(r.origin_x),
            f64::from(r.origin_y),
            f64::from(r.width),
            f64::from(r.height),
        )
    });
    let buffer = request.buffer.as_ref();
    let shape = Shape::create(&NewRoi {
        itype: request.itype,
        name: &request.name,
        points: &points,
        rectangle,
        buffer: Buffer {
            bits: buffer.map_or(&[][..], |b| b.buffer.as_slice()),
            rows: buffer.map_or(0, |b| b.rows),
            columns: buffer.map_or(0, |b| b.columns),
            position_x: request.buffer_position_x,
            position_y: request.buffer_position_y,
        },
        spacing,
    })
    .ok_or_else(|| Failure::new(COULD_NOT_CREATE_ROI))?;
    let frame = viewer.clamp_frame(request.movie_idx);
    let slices = viewer.frame(frame).len();
    // OsiriX does not check `idx` (undefined); the emulator refuses it.
    let slice = usize::try_from(request.idx)
        .ok()
        .filter(|&i| i < slices)
        .ok_or_else(|| {
            Failure::new(format!(
                "{COULD_NOT_CREATE_ROI}: index {} is out of range (the frame has {slices} slices)",
                request.idx
            ))
        })?;
    let colour = request.color.map_or([0; 3], |c| [c.r, c.g, c.b]);
    let roi = world
        .scene
        .add_roi(id, frame, slice, |pix| {
            let mut roi = Roi::new(id, frame, slice, pix, shape, &request.name);
            roi.set_colour(colour);
            roi.opacity = request.opacity;
            roi.thickness = request.thickness;
            roi
        })
        .ok_or_else(|| Failure::new(COULD_NOT_CREATE_ROI))?;
    Ok(proto::ViewerControllerNewRoiResponse {
        status: success(),
        roi: Some(world.handle(ObjectRef::Roi(roi))),
    })
}

/// OsiriX's message when NewROI builds nothing.
const COULD_NOT_CREATE_ROI: &str = "Could not create ROI";
