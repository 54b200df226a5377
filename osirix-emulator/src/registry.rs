//! The uid cache: one table from uid to live object for all nine classes, shared by every connection and
//! every listening address, like OsiriX's singleton (see docs/osirix-behaviour.md, *Identity*).
//!
//! Objects live elsewhere (the database, the scene) under internal ids; an [`ObjectRef`] names one. The
//! registry maps uid → object and object → current uid, so the same live object is always handed out with
//! the same uid and a new object gets a new one. Removing an entry (an ROI deleted, a viewer closed, or
//! [`crate::RunningEmulator::forget`]) makes the uid unknown; the object, if it lives on, gets a new uid the
//! next time an RPC returns it.
//!
//! Database objects get uids derived from a stable hash of their class, DICOM identity and generation, so a
//! restarted emulator on the same files hands out the same uids. Objects made while the emulator runs
//! (viewers, DCMPix, ROIs, 3D windows and ROI volumes) get random uids, as OsiriX gives every object.

use std::collections::HashMap;

/// Length of an OsiriX uid (`8-4-4-4-12` hex digits with hyphens).
pub(crate) const UID_LEN: usize = 36;

/// The class of an object in the cache, as OsiriX names it in `OsirixCacheObjectForUid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Class {
    /// The database browser (`BrowserController`).
    BrowserController,
    /// A study (`DicomStudy`).
    DicomStudy,
    /// A series (`DicomSeries`).
    DicomSeries,
    /// An image (`DicomImage`).
    DicomImage,
    /// A 2D viewer window (`ViewerController`).
    ViewerController,
    /// One image of a viewer, with its pixels (`DCMPix`).
    DcmPix,
    /// A region of interest drawn on a DCMPix (`ROI`).
    Roi,
    /// A 3D window (`VRController`).
    VrController,
    /// The surface of the ROIs of one name in a 3D window (`ROIVolume`).
    RoiVolume,
}

impl Class {
    /// The OsiriX class name, as sent on the wire and used in `"No <Class> cached"`.
    pub fn name(self) -> &'static str {
        match self {
            Class::BrowserController => "BrowserController",
            Class::DicomStudy => "DicomStudy",
            Class::DicomSeries => "DicomSeries",
            Class::DicomImage => "DicomImage",
            Class::ViewerController => "ViewerController",
            Class::DcmPix => "DCMPix",
            Class::Roi => "ROI",
            Class::VrController => "VRController",
            Class::RoiVolume => "ROIVolume",
        }
    }
}

/// One object the emulator knows: its class and its id.
///
/// Database objects are numbered by their index in the catalogue's slices ([`crate::Catalog::studies`]
/// and so on), which never changes: imports append. Objects of the scene (viewers, DCMPix, ROIs, 3D windows,
/// ROI volumes) have ids that are never reused while the emulator runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ObjectRef {
    /// The browser (there is exactly one).
    Browser,
    /// `Catalog::studies()[i]`.
    Study(usize),
    /// `Catalog::series()[i]`.
    Series(usize),
    /// `Catalog::images()[i]`.
    Image(usize),
    /// A 2D viewer.
    Viewer(u64),
    /// A DCMPix of a viewer.
    Pix(u64),
    /// An ROI.
    Roi(u64),
    /// A 3D window.
    VrController(u64),
    /// An ROI volume of a 3D window.
    RoiVolume(u64),
}

impl ObjectRef {
    /// The class of the object.
    pub fn class(self) -> Class {
        match self {
            ObjectRef::Browser => Class::BrowserController,
            ObjectRef::Study(_) => Class::DicomStudy,
            ObjectRef::Series(_) => Class::DicomSeries,
            ObjectRef::Image(_) => Class::DicomImage,
            ObjectRef::Viewer(_) => Class::ViewerController,
            ObjectRef::Pix(_) => Class::DcmPix,
            ObjectRef::Roi(_) => Class::Roi,
            ObjectRef::VrController(_) => Class::VrController,
            ObjectRef::RoiVolume(_) => Class::RoiVolume,
        }
    }

    /// Whether the object belongs to the database (browser, studies, series, images), whose uids are
    /// derived from DICOM identities, rather than to the scene.
    pub(crate) fn is_database(self) -> bool {
        matches!(
            self,
            ObjectRef::Browser | ObjectRef::Study(_) | ObjectRef::Series(_) | ObjectRef::Image(_)
        )
    }
}

/// FNV-1a over 128 bits: stable across runs, platforms and Rust versions (unlike `DefaultHasher`).
fn fnv1a_128(parts: &[&[u8]]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    let mut hash = OFFSET;
    for part in parts {
        for &byte in *part {
            hash ^= u128::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
        // Separator, so that ("ab", "c") and ("a", "bc") differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(PRIME);
    }
    hash
}

/// An upper-case v4 UUID made from 128 bits (the version and variant bits are overwritten).
fn uid_from_bits(bits: u128) -> String {
    let uuid = uuid::Builder::from_random_bytes(bits.to_be_bytes()).into_uuid();
    let mut text = uuid.hyphenated().to_string();
    text.make_ascii_uppercase();
    text
}

/// The uid of a database object: an upper-case v4 UUID built from a hash of class, identity and generation.
pub(crate) fn derive_uid(class: Class, identity: &str, generation: u32) -> String {
    let hash = fnv1a_128(&[
        class.name().as_bytes(),
        identity.as_bytes(),
        &generation.to_le_bytes(),
    ]);
    // FNV's low bits mix poorly; fold the halves so every output byte depends on all input bytes.
    uid_from_bits(hash ^ (hash >> 64).rotate_left(17) ^ (hash << 64))
}

/// A random uid, as OsiriX's `[[NSUUID UUID] UUIDString]` gives every new object.
pub(crate) fn random_uid() -> String {
    uid_from_bits(fastrand::u128(..))
}

/// The uid table of one running emulator.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    /// uid → object.
    by_uid: HashMap<String, ObjectRef>,
    /// object → its current uid.
    current: HashMap<ObjectRef, String>,
    /// object → the generation of its last derived uid (database objects handed out again after a removal).
    generations: HashMap<ObjectRef, u32>,
}

impl Registry {
    /// Registers `uid` as the current uid of `object` (a database object's first uid). Does nothing if the
    /// object already has one or the uid is taken.
    pub(crate) fn insert(&mut self, object: ObjectRef, uid: String) {
        if self.current.contains_key(&object) || self.by_uid.contains_key(&uid) {
            return;
        }
        self.by_uid.insert(uid.clone(), object);
        self.current.insert(object, uid);
    }

    /// The object a uid stands for, whatever its class; `None` for unknown or removed uids.
    pub(crate) fn lookup(&self, uid: &str) -> Option<ObjectRef> {
        if uid.len() != UID_LEN {
            return None;
        }
        self.by_uid.get(uid).copied()
    }

    /// The object a uid stands for if it is of `class`. OsiriX never checks a uid's class (and misbehaves
    /// on another one); the emulator answers `"No <Class> cached"`.
    pub(crate) fn resolve(&self, uid: &str, class: Class) -> Option<ObjectRef> {
        self.lookup(uid).filter(|object| object.class() == class)
    }

    /// The current uid of an object, without registering it.
    pub(crate) fn current(&self, object: ObjectRef) -> Option<&str> {
        self.current.get(&object).map(String::as_str)
    }

    /// The uid to hand out for `object`: its current one, or a new one registered now. `derived` makes a
    /// database object's uid of a generation; scene objects get random uids.
    pub(crate) fn hand_out(
        &mut self,
        object: ObjectRef,
        derived: impl Fn(u32) -> String,
    ) -> String {
        if let Some(uid) = self.current.get(&object) {
            return uid.clone();
        }
        let uid = loop {
            let candidate = if object.is_database() {
                let generation = self.generations.entry(object).or_insert(0);
                *generation = generation.wrapping_add(1);
                derived(*generation)
            } else {
                random_uid()
            };
            if !self.by_uid.contains_key(&candidate) {
                break candidate;
            }
        };
        self.by_uid.insert(uid.clone(), object);
        self.current.insert(object, uid.clone());
        uid
    }

    /// Removes a uid; `true` if it was registered. The object, if it lives on, gets a new uid next time.
    pub(crate) fn forget(&mut self, uid: &str) -> bool {
        let Some(object) = self.by_uid.remove(uid) else {
            return false;
        };
        if self
            .current
            .get(&object)
            .is_some_and(|current| current == uid)
        {
            self.current.remove(&object);
        }
        true
    }

    /// Removes an object's entry, as OsiriX's removal events do; `true` if it had one.
    pub(crate) fn evict(&mut self, object: ObjectRef) -> bool {
        let Some(uid) = self.current.remove(&object) else {
            return false;
        };
        self.by_uid.remove(&uid);
        true
    }

    /// Every object that has a uid, once each.
    pub(crate) fn objects(&self) -> impl Iterator<Item = ObjectRef> + '_ {
        self.current.keys().copied()
    }

    /// Every uid in the table, in arbitrary (hash) order, like OsiriX's map table.
    pub(crate) fn uids(&self) -> Vec<String> {
        self.by_uid.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_look_like_nsuuid() {
        for uid in [derive_uid(Class::DicomStudy, "1.2.3", 0), random_uid()] {
            assert_eq!(uid.len(), UID_LEN);
            assert_eq!(uid, uid.to_ascii_uppercase());
            let parsed = uuid::Uuid::parse_str(&uid).expect("uuid");
            assert_eq!(parsed.get_version_num(), 4);
            assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
        }
    }

    #[test]
    fn uids_are_stable_and_distinct() {
        assert_eq!(
            derive_uid(Class::DicomStudy, "1.2.3", 0),
            derive_uid(Class::DicomStudy, "1.2.3", 0)
        );
        assert_ne!(
            derive_uid(Class::DicomStudy, "1.2.3", 0),
            derive_uid(Class::DicomSeries, "1.2.3", 0)
        );
        assert_ne!(
            derive_uid(Class::DicomStudy, "1.2.3", 0),
            derive_uid(Class::DicomStudy, "1.2.3", 1)
        );
        assert_ne!(
            derive_uid(Class::DicomStudy, "1.2.3", 0),
            derive_uid(Class::DicomStudy, "1.2.4", 0)
        );
        assert_ne!(random_uid(), random_uid());
    }

    fn derived(generation: u32) -> String {
        derive_uid(Class::DicomSeries, "s", generation)
    }

    #[test]
    fn forget_then_hand_out_gives_a_new_uid() {
        let mut reg = Registry::default();
        reg.insert(ObjectRef::Series(0), derived(0));
        let old = reg.hand_out(ObjectRef::Series(0), derived);
        assert_eq!(old, derived(0));
        assert_eq!(
            reg.resolve(&old, Class::DicomSeries),
            Some(ObjectRef::Series(0))
        );
        assert_eq!(reg.resolve(&old, Class::DicomStudy), None);
        assert!(reg.forget(&old));
        assert!(!reg.forget(&old));
        assert_eq!(reg.resolve(&old, Class::DicomSeries), None);
        assert_eq!(reg.current(ObjectRef::Series(0)), None);
        let new = reg.hand_out(ObjectRef::Series(0), derived);
        assert_eq!(new, derived(1));
        assert_eq!(reg.hand_out(ObjectRef::Series(0), derived), new);
        assert_eq!(reg.uids(), vec![new]);
    }

    #[test]
    fn scene_objects_get_random_uids_and_lose_them_on_eviction() {
        let mut reg = Registry::default();
        let roi = ObjectRef::Roi(7);
        let first = reg.hand_out(roi, |_| unreachable!("scene uids are not derived"));
        assert_eq!(reg.hand_out(roi, |_| String::new()), first);
        assert_eq!(reg.resolve(&first, Class::Roi), Some(roi));
        assert!(reg.evict(roi));
        assert!(!reg.evict(roi));
        assert_eq!(reg.lookup(&first), None);
        let second = reg.hand_out(roi, |_| String::new());
        assert_ne!(first, second);
        assert_eq!(reg.uids().len(), 1);
    }
}
