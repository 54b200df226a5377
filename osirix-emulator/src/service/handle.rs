//! The nine handle messages and the one way every handler resolves them.

use super::reply::Failure;
use crate::proto;
use crate::registry::{Class, ObjectRef};
use crate::scene::{Pix, Roi, RoiVolume, Viewer, VrWindow};
use crate::state::World;

/// A handle message: one `osirixrpc_uid` naming an object of one class.
pub(crate) trait Handle: Sized {
    /// The class the handle names.
    const CLASS: Class;
    /// The uid.
    fn uid(&self) -> &str;
    /// The handle of `uid`.
    fn from_uid(osirixrpc_uid: String) -> Self;
}

macro_rules! handles {
    ($($ty:ident => $class:ident),* $(,)?) => {$(
        impl Handle for proto::$ty {
            const CLASS: Class = Class::$class;
            fn uid(&self) -> &str {
                &self.osirixrpc_uid
            }
            fn from_uid(osirixrpc_uid: String) -> Self {
                Self { osirixrpc_uid }
            }
        }
    )*};
}

handles! {
    BrowserController => BrowserController,
    DicomStudy => DicomStudy,
    DicomSeries => DicomSeries,
    DicomImage => DicomImage,
    ViewerController => ViewerController,
    DcmPix => DcmPix,
    Roi => Roi,
    VrController => VrController,
    RoiVolume => RoiVolume,
}

impl World {
    /// The live object a handle names, if it is of the handle's class; else `"No <Class> cached"` (an
    /// unknown, empty, removed or other-class uid alike).
    pub(crate) fn resolve<H: Handle>(&self, handle: &H) -> Result<ObjectRef, Failure> {
        self.resolve_as(handle, Failure::not_cached(H::CLASS))
    }

    /// [`World::resolve`] with another failure for an unresolved handle (a second handle of a request,
    /// such as the fixed viewer of a resample).
    pub(crate) fn resolve_as<H: Handle>(
        &self,
        handle: &H,
        failure: Failure,
    ) -> Result<ObjectRef, Failure> {
        self.registry
            .resolve(handle.uid(), H::CLASS)
            .filter(|&object| self.is_live(object))
            .ok_or(failure)
    }

    /// A resolved handle's database index (a study, series or image), or `None` for the browser and
    /// scene objects.
    pub(crate) fn resolve_index<H: Handle>(&self, handle: &H) -> Result<usize, Failure> {
        match self.resolve(handle)? {
            ObjectRef::Study(i) | ObjectRef::Series(i) | ObjectRef::Image(i) => Ok(i),
            _ => Err(Failure::not_cached(H::CLASS)),
        }
    }

    /// A resolved handle's scene id (a viewer, DCMPix, ROI, 3D window or ROI volume).
    pub(crate) fn resolve_id<H: Handle>(&self, handle: &H) -> Result<u64, Failure> {
        self.resolve_id_as(handle, Failure::not_cached(H::CLASS))
    }

    /// [`World::resolve_id`] with another failure for an unresolved handle.
    pub(crate) fn resolve_id_as<H: Handle>(
        &self,
        handle: &H,
        failure: Failure,
    ) -> Result<u64, Failure> {
        match self.resolve_as(handle, failure.clone())? {
            ObjectRef::Viewer(id)
            | ObjectRef::Pix(id)
            | ObjectRef::Roi(id)
            | ObjectRef::VrController(id)
            | ObjectRef::RoiVolume(id) => Ok(id),
            _ => Err(failure),
        }
    }

    /// The handle to send for `object`, registering it if it has no uid yet.
    pub(crate) fn handle<H: Handle>(&mut self, object: ObjectRef) -> H {
        H::from_uid(self.hand_out(object))
    }

    /// The handles to send for several objects, in order.
    pub(crate) fn handles<H: Handle>(
        &mut self,
        objects: impl IntoIterator<Item = ObjectRef>,
    ) -> Vec<H> {
        objects.into_iter().map(|o| self.handle(o)).collect()
    }

    /// The viewer a handle names, with its id.
    pub(crate) fn viewer(
        &self,
        handle: &proto::ViewerController,
    ) -> Result<(u64, &Viewer), Failure> {
        self.viewer_as(handle, Failure::not_cached(Class::ViewerController))
    }

    /// [`World::viewer`] with another failure for an unresolved handle.
    pub(crate) fn viewer_as(
        &self,
        handle: &proto::ViewerController,
        failure: Failure,
    ) -> Result<(u64, &Viewer), Failure> {
        let id = self.resolve_id_as(handle, failure.clone())?;
        self.scene.viewer(id).map(|v| (id, v)).ok_or(failure)
    }

    /// The DCMPix a handle names, with its id.
    pub(crate) fn pix(&self, handle: &proto::DcmPix) -> Result<(u64, &Pix), Failure> {
        let id = self.resolve_id(handle)?;
        self.scene
            .pix(id)
            .map(|p| (id, p))
            .ok_or_else(|| Failure::not_cached(Class::DcmPix))
    }

    /// The 3D window a handle names, with its id.
    pub(crate) fn vr(&self, handle: &proto::VrController) -> Result<(u64, &VrWindow), Failure> {
        let id = self.resolve_id(handle)?;
        self.scene
            .vr(id)
            .map(|w| (id, w))
            .ok_or_else(|| Failure::not_cached(Class::VrController))
    }

    /// The ROI volume a handle names, with its id.
    pub(crate) fn roi_volume(
        &self,
        handle: &proto::RoiVolume,
    ) -> Result<(u64, &RoiVolume), Failure> {
        let id = self.resolve_id(handle)?;
        self.scene
            .roi_volume(id)
            .map(|v| (id, v))
            .ok_or_else(|| Failure::not_cached(Class::RoiVolume))
    }

    /// The ROI a handle names, with its id.
    pub(crate) fn roi(&self, handle: &proto::Roi) -> Result<(u64, &Roi), Failure> {
        let id = self.resolve_id(handle)?;
        self.scene
            .roi(id)
            .map(|r| (id, r))
            .ok_or_else(|| Failure::not_cached(Class::Roi))
    }
}
