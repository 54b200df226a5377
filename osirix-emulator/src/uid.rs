//! The emulator's object cache: OsiriX-style uids for the browser, studies, series and images.
//!
//! OsiriX hands out a random upper-case v4 UUID per live object and keeps it while the object lives (spec
//! §2.7). The emulator makes the same shape of uid, but derives it from a stable hash of the class and the
//! DICOM identity, so a restarted emulator on the same catalogue hands out the same uids. [`crate::RunningEmulator::forget`]
//! drops an entry like OsiriX does when an object goes away; the object then gets a new uid (the next
//! generation of the hash) the next time an RPC returns it.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

/// Length of an OsiriX uid (`8-4-4-4-12` hex digits with hyphens).
pub(crate) const UID_LEN: usize = 36;

/// The class of an object in the cache, as OsiriX names it in `OsirixCacheObjectForUid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// The database browser (`BrowserController`).
    BrowserController,
    /// A study (`DicomStudy`).
    DicomStudy,
    /// A series (`DicomSeries`).
    DicomSeries,
    /// An image (`DicomImage`).
    DicomImage,
}

impl Class {
    /// The OsiriX class name, as sent on the wire and used in `"No <Class> cached"`.
    pub fn name(self) -> &'static str {
        match self {
            Class::BrowserController => "BrowserController",
            Class::DicomStudy => "DicomStudy",
            Class::DicomSeries => "DicomSeries",
            Class::DicomImage => "DicomImage",
        }
    }
}

/// One object of the catalogue: its class and its index in the catalogue's slice of that class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectRef {
    /// The browser (there is exactly one).
    Browser,
    /// `Catalog::studies()[i]`.
    Study(usize),
    /// `Catalog::series()[i]`.
    Series(usize),
    /// `Catalog::images()[i]`.
    Image(usize),
}

impl ObjectRef {
    /// The class of the object.
    pub fn class(self) -> Class {
        match self {
            ObjectRef::Browser => Class::BrowserController,
            ObjectRef::Study(_) => Class::DicomStudy,
            ObjectRef::Series(_) => Class::DicomSeries,
            ObjectRef::Image(_) => Class::DicomImage,
        }
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

/// The uid of an object: an upper-case v4 UUID built from a hash of class, identity and generation.
pub(crate) fn derive_uid(class: Class, identity: &str, generation: u32) -> String {
    let hash = fnv1a_128(&[
        class.name().as_bytes(),
        identity.as_bytes(),
        &generation.to_le_bytes(),
    ]);
    // FNV's low bits mix poorly; fold the halves so every output byte depends on all input bytes.
    let mixed = hash ^ (hash >> 64).rotate_left(17) ^ (hash << 64);
    let uuid = uuid::Builder::from_random_bytes(mixed.to_be_bytes()).into_uuid();
    let mut text = uuid.hyphenated().to_string();
    text.make_ascii_uppercase();
    text
}

/// The mutable state of the cache.
#[derive(Debug, Default)]
struct Inner {
    /// uid → flat index.
    by_uid: HashMap<String, usize>,
    /// flat index → current uid (None once forgotten and not handed out since).
    current: Vec<Option<String>>,
    /// flat index → generation of the current or next uid.
    generation: Vec<u32>,
}

/// The uid cache of one running emulator (shared by all its connections, like OsiriX's singleton).
#[derive(Debug)]
pub(crate) struct Registry {
    identities: Vec<String>,
    studies: usize,
    series: usize,
    inner: RwLock<Inner>,
}

impl Registry {
    /// Builds a registry with every object registered under its generation-0 uid.
    ///
    /// `identities` holds the browser, then the studies, series and images, in catalogue order; the
    /// uids come from the catalogue records so that both always agree.
    pub(crate) fn new(
        identities: Vec<String>,
        uids: Vec<String>,
        studies: usize,
        series: usize,
    ) -> Self {
        let mut inner = Inner {
            by_uid: HashMap::with_capacity(uids.len()),
            current: Vec::with_capacity(uids.len()),
            generation: vec![0; uids.len()],
        };
        for (i, uid) in uids.into_iter().enumerate() {
            inner.by_uid.insert(uid.clone(), i);
            inner.current.push(Some(uid));
        }
        Self {
            identities,
            studies,
            series,
            inner: RwLock::new(inner),
        }
    }

    fn flat(&self, obj: ObjectRef) -> usize {
        match obj {
            ObjectRef::Browser => 0,
            ObjectRef::Study(i) => 1 + i,
            ObjectRef::Series(i) => 1 + self.studies + i,
            ObjectRef::Image(i) => 1 + self.studies + self.series + i,
        }
    }

    fn object(&self, flat: usize) -> ObjectRef {
        if flat == 0 {
            ObjectRef::Browser
        } else if flat <= self.studies {
            ObjectRef::Study(flat - 1)
        } else if flat <= self.studies + self.series {
            ObjectRef::Series(flat - 1 - self.studies)
        } else {
            ObjectRef::Image(flat - 1 - self.studies - self.series)
        }
    }

    fn class_of(&self, flat: usize) -> Class {
        self.object(flat).class()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// The object a uid stands for, whatever its class; `None` for unknown or forgotten uids.
    pub(crate) fn lookup(&self, uid: &str) -> Option<ObjectRef> {
        if uid.len() != UID_LEN {
            return None;
        }
        self.read().by_uid.get(uid).map(|&flat| self.object(flat))
    }

    /// The object a uid stands for if it is of `class` (OsiriX would misbehave on another class, Q13;
    /// the emulator answers `"No <Class> cached"`).
    pub(crate) fn resolve(&self, uid: &str, class: Class) -> Option<ObjectRef> {
        self.lookup(uid).filter(|obj| obj.class() == class)
    }

    /// The current uid of an object, without registering it again.
    pub(crate) fn current(&self, obj: ObjectRef) -> Option<String> {
        let flat = self.flat(obj);
        self.read().current.get(flat).cloned().flatten()
    }

    /// The uid to hand out for an object, registering a new one if it was forgotten.
    pub(crate) fn hand_out(&self, obj: ObjectRef) -> String {
        self.hand_out_all(std::iter::once(obj))
            .pop()
            .unwrap_or_default()
    }

    /// The uids to hand out for several objects, in order (one lock for the whole list).
    pub(crate) fn hand_out_all(
        &self,
        objs: impl IntoIterator<Item = ObjectRef> + Clone,
    ) -> Vec<String> {
        {
            let inner = self.read();
            let found: Option<Vec<String>> = objs
                .clone()
                .into_iter()
                .map(|o| inner.current.get(self.flat(o)).cloned().flatten())
                .collect();
            if let Some(found) = found {
                return found;
            }
        }
        let mut inner = self.write();
        objs.into_iter()
            .map(|o| self.register(&mut inner, self.flat(o)))
            .collect()
    }

    fn register(&self, inner: &mut Inner, flat: usize) -> String {
        if let Some(Some(uid)) = inner.current.get(flat) {
            return uid.clone();
        }
        let class = self.class_of(flat);
        let identity = self
            .identities
            .get(flat)
            .map(String::as_str)
            .unwrap_or_default();
        loop {
            let Some(generation) = inner.generation.get_mut(flat) else {
                return String::new();
            };
            *generation = generation.wrapping_add(1);
            let uid = derive_uid(class, identity, *generation);
            if !inner.by_uid.contains_key(&uid) {
                inner.by_uid.insert(uid.clone(), flat);
                if let Some(slot) = inner.current.get_mut(flat) {
                    *slot = Some(uid.clone());
                }
                return uid;
            }
        }
    }

    /// Drops a uid from the cache; `true` if it was cached.
    pub(crate) fn forget(&self, uid: &str) -> bool {
        let mut inner = self.write();
        let Some(flat) = inner.by_uid.remove(uid) else {
            return false;
        };
        if let Some(slot) = inner.current.get_mut(flat) {
            *slot = None;
        }
        true
    }

    /// Every uid in the cache, in arbitrary (hash) order, like OsiriX's map table.
    pub(crate) fn all(&self) -> Vec<String> {
        self.read().by_uid.keys().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_look_like_nsuuid() {
        let uid = derive_uid(Class::DicomStudy, "1.2.3", 0);
        assert_eq!(uid.len(), UID_LEN);
        assert_eq!(uid, uid.to_ascii_uppercase());
        let parsed = uuid::Uuid::parse_str(&uid).expect("uuid");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(parsed.get_variant(), uuid::Variant::RFC4122);
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
    }

    fn registry() -> Registry {
        let ids: Vec<String> = ["b", "s", "r", "i"].iter().map(|s| s.to_string()).collect();
        let classes = [
            Class::BrowserController,
            Class::DicomStudy,
            Class::DicomSeries,
            Class::DicomImage,
        ];
        let uids = ids
            .iter()
            .zip(classes)
            .map(|(id, c)| derive_uid(c, id, 0))
            .collect();
        Registry::new(ids, uids, 1, 1)
    }

    #[test]
    fn forget_then_hand_out_gives_a_new_uid() {
        let reg = registry();
        let old = reg.hand_out(ObjectRef::Series(0));
        assert_eq!(
            reg.resolve(&old, Class::DicomSeries),
            Some(ObjectRef::Series(0))
        );
        assert_eq!(reg.resolve(&old, Class::DicomStudy), None);
        assert!(reg.forget(&old));
        assert!(!reg.forget(&old));
        assert_eq!(reg.resolve(&old, Class::DicomSeries), None);
        assert_eq!(reg.current(ObjectRef::Series(0)), None);
        let new = reg.hand_out(ObjectRef::Series(0));
        assert_ne!(old, new);
        assert_eq!(
            reg.resolve(&new, Class::DicomSeries),
            Some(ObjectRef::Series(0))
        );
        assert_eq!(reg.hand_out(ObjectRef::Series(0)), new);
        assert_eq!(reg.all().len(), 4);
    }
}
