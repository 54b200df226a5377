//! The state every handler, every import and the control API share: one lock over the world (database
//! snapshot, uid table, scene, browser selection), so each call sees and leaves a consistent state.
//!
//! Lock order: the world first, then a DCMPix's pixel cell, then the pixel cache. Nothing slow happens under
//! the world lock: pixels are decoded in their cell after it is released, and an import builds its next
//! database snapshot off the lock and only swaps it in under it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::database::Catalog;
use crate::import::Importer;
use crate::pixels::PixelCache;
use crate::registry::{ObjectRef, Registry, derive_uid};
use crate::scene::Scene;

/// The browser's selection: series and studies in selection order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Selection {
    pub(crate) series: Vec<usize>,
    pub(crate) studies: Vec<usize>,
}

/// Everything that changes while the emulator runs, under one lock.
#[derive(Debug)]
pub(crate) struct World {
    /// The current database snapshot.
    pub(crate) catalog: Arc<Catalog>,
    /// The uid table.
    pub(crate) registry: Registry,
    /// The windows and what they show.
    pub(crate) scene: Scene,
    /// The browser's selection.
    pub(crate) selection: Selection,
}

impl World {
    /// A world over `catalog` with every database object registered under its first uid.
    fn new(catalog: Arc<Catalog>) -> Self {
        let mut registry = Registry::default();
        for (object, uid) in catalog.objects_since(None) {
            registry.insert(object, uid);
        }
        Self {
            catalog,
            registry,
            scene: Scene::default(),
            selection: Selection::default(),
        }
    }

    /// The uid to hand out for `object`: its current one, or a new one (a database object's next derived
    /// uid, a random one for anything else).
    pub(crate) fn hand_out(&mut self, object: ObjectRef) -> String {
        let catalog = &self.catalog;
        self.registry.hand_out(object, |generation| {
            let identity = catalog.identity(object).unwrap_or_default();
            derive_uid(object.class(), &identity, generation)
        })
    }

    /// Whether `object` exists now (a database record of the snapshot, or a live object of the scene).
    pub(crate) fn is_live(&self, object: ObjectRef) -> bool {
        let catalog = &self.catalog;
        match object {
            ObjectRef::Browser => true,
            ObjectRef::Study(i) => i < catalog.studies().len(),
            ObjectRef::Series(i) => i < catalog.series().len(),
            ObjectRef::Image(i) => i < catalog.images().len(),
            _ => self.scene.contains(object),
        }
    }

    /// Swaps in the next database snapshot and registers its new objects under their first uids; gives
    /// the indices of the studies it added.
    pub(crate) fn publish(&mut self, next: Arc<Catalog>) -> std::ops::Range<usize> {
        for (object, uid) in next.objects_since(Some(&self.catalog)) {
            self.registry.insert(object, uid);
        }
        let added = self.catalog.studies().len()..next.studies().len();
        self.catalog = next;
        added
    }

    /// Removes objects from the uid table, in order, as OsiriX's removal events do.
    pub(crate) fn evict(&mut self, objects: impl IntoIterator<Item = ObjectRef>) {
        for object in objects {
            self.registry.evict(object);
        }
    }

    /// Removes the uids of objects that are gone without an eviction of their own (the ROI volumes of a
    /// closed 3D window). OsiriX purges such dead keys after each removal event; objects freed during an
    /// event are still alive at its purge, so their keys stay until the next one.
    fn purge_dead(&mut self) {
        let dead: Vec<ObjectRef> = self
            .registry
            .objects()
            .filter(|&object| !self.is_live(object))
            .collect();
        self.evict(dead);
    }

    /// Closes a 2D viewer, as its close button or `ViewerControllerCloseViewer` does: its DCMPix, ROIs, the
    /// viewer and its 3D windows leave the cache (see [`Scene::close_viewer`]).
    pub(crate) fn close_viewer(&mut self, id: u64) {
        self.purge_dead();
        let gone = self.scene.close_viewer(id);
        self.evict(gone);
    }

    /// Closes a 3D window: its VRController leaves the cache; its ROI volumes become dead keys.
    pub(crate) fn close_vr(&mut self, id: u64) {
        self.purge_dead();
        let gone = self.scene.close_vr(id);
        self.evict(gone);
    }

    /// Deletes an ROI: it leaves its slice and the cache.
    pub(crate) fn delete_roi(&mut self, id: u64) {
        self.purge_dead();
        if self.scene.delete_roi(id) {
            self.evict([ObjectRef::Roi(id)]);
        }
    }
}

/// The shared state of one running emulator.
#[derive(Debug)]
pub(crate) struct State {
    world: Mutex<World>,
    /// The catalogue the emulator started with.
    pub(crate) initial: Arc<Catalog>,
    /// `OsirixVersion`'s version string.
    pub(crate) version: String,
    /// `OsirixVersion`'s bundle name.
    pub(crate) bundle_name: String,
    /// Where imports go, and their progress.
    pub(crate) imports: Importer,
    /// The decoded pixels nobody changed, within a memory budget.
    pub(crate) pixels: Arc<PixelCache>,
}

impl State {
    /// A fresh state: every database object cached under its first uid, no window open, nothing selected.
    pub(crate) fn new(
        catalog: Arc<Catalog>,
        version: String,
        bundle_name: String,
        imports: Importer,
        pixels: PixelCache,
    ) -> Self {
        Self {
            world: Mutex::new(World::new(Arc::clone(&catalog))),
            initial: catalog,
            version,
            bundle_name,
            imports,
            pixels: Arc::new(pixels),
        }
    }

    /// The world, locked. Keep the guard for as short as possible and never across an await or I/O.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current database snapshot.
    pub(crate) fn catalog(&self) -> Arc<Catalog> {
        Arc::clone(&self.world().catalog)
    }
}
