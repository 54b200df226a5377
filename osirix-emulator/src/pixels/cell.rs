//! Where a DCMPix keeps its pixels: decoded on first use, dropped again when memory is short unless they
//! were changed.
//!
//! A [`PixCell`] knows the frame of the file its pixels come from. The first read decodes that frame (while
//! holding the cell's own lock, so concurrent readers of one DCMPix decode it once) and hands the buffer to
//! the shared [`PixelCache`], which keeps decoded buffers within a memory budget, dropping the least
//! recently used. A buffer nobody changed can always be decoded again from its file; a buffer changed by
//! SetImage, ConvertToRGB or ConvertToBW cannot, so the cell keeps it itself, outside the budget, for as
//! long as the DCMPix lives.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use super::{PixOpError, PixelBuffer, PixelError, decode_frame};

/// The default of [`crate::EmulatorBuilder::pixel_memory`]: 512 MiB of decoded, unchanged pixels.
pub const DEFAULT_PIXEL_MEMORY: usize = 512 * 1024 * 1024;

/// The frame of a file a DCMPix's pixels come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PixSource {
    /// The file.
    pub(crate) path: PathBuf,
    /// The frame, from 0.
    pub(crate) frame: u32,
}

/// What a cell holds now.
#[derive(Debug)]
enum Held {
    /// Pixels as the file has them; the cache holds the buffer while it is decoded.
    Pristine(Weak<PixelBuffer>),
    /// Pixels changed through the API, which only this cell has.
    Changed(Arc<PixelBuffer>),
}

/// The pixels of one DCMPix.
#[derive(Debug)]
pub(crate) struct PixCell {
    key: u64,
    source: PixSource,
    rgb: AtomicBool,
    held: Mutex<Held>,
    cache: Arc<PixelCache>,
}

/// Keys of cells in the cache, unique in the process.
static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

impl PixCell {
    /// A cell for the pixels of `source`, which decode to ARGB when `colour`; nothing is decoded yet.
    pub(crate) fn new(source: PixSource, colour: bool, cache: &Arc<PixelCache>) -> Arc<PixCell> {
        Arc::new(PixCell {
            key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
            source,
            rgb: AtomicBool::new(colour),
            held: Mutex::new(Held::Pristine(Weak::new())),
            cache: Arc::clone(cache),
        })
    }

    /// A new cell with the same pixels (changed ones are shared until either cell changes them again).
    pub(crate) fn duplicate(&self) -> Arc<PixCell> {
        let held = match &*self.lock() {
            Held::Changed(buffer) => Held::Changed(Arc::clone(buffer)),
            Held::Pristine(_) => Held::Pristine(Weak::new()),
        };
        Arc::new(PixCell {
            key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
            source: self.source.clone(),
            rgb: AtomicBool::new(self.is_rgb()),
            held: Mutex::new(held),
            cache: Arc::clone(&self.cache),
        })
    }

    /// Where the pixels come from.
    pub(crate) fn source(&self) -> &PixSource {
        &self.source
    }

    /// Whether the pixels are ARGB now (`DCMPixIsRGB`), known without decoding.
    pub(crate) fn is_rgb(&self) -> bool {
        self.rgb.load(Ordering::Acquire)
    }

    /// Whether the pixels are decoded or changed now (for tests of the memory bound).
    pub(crate) fn is_loaded(&self) -> bool {
        match &*self.lock() {
            Held::Changed(_) => true,
            Held::Pristine(weak) => weak.strong_count() > 0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The pixels as they are now, decoding them if needed.
    ///
    /// # Errors
    ///
    /// The [`PixelError`] of a file that cannot be read or decoded.
    pub(crate) fn read(&self) -> Result<Arc<PixelBuffer>, PixelError> {
        let mut held = self.lock();
        self.current(&mut held)
    }

    /// Changes the pixels with `change`, which either changes them and says so or refuses and leaves them
    /// as they were. Changed pixels stay with the cell from then on.
    ///
    /// # Errors
    ///
    /// The [`PixelError`] of a file that cannot be decoded (outer), or `change`'s refusal (inner).
    pub(crate) fn change<T>(
        &self,
        change: impl FnOnce(&mut PixelBuffer) -> Result<T, PixOpError>,
    ) -> Result<Result<T, PixOpError>, PixelError> {
        let mut held = self.lock();
        let mut buffer = self.current(&mut held)?;
        // Copied unless this cell holds the only reference (a changed buffer nobody is reading).
        let outcome = change(Arc::make_mut(&mut buffer));
        if outcome.is_ok() {
            if matches!(*held, Held::Pristine(_)) {
                self.cache.remove(self.key);
            }
            self.rgb.store(buffer.is_rgb(), Ordering::Release);
            *held = Held::Changed(buffer);
        }
        Ok(outcome)
    }

    /// The buffer held now, decoded into the cache if it is not there.
    fn current(&self, held: &mut Held) -> Result<Arc<PixelBuffer>, PixelError> {
        match held {
            Held::Changed(buffer) => Ok(Arc::clone(buffer)),
            Held::Pristine(weak) => {
                if let Some(buffer) = weak.upgrade() {
                    self.cache.touch(self.key);
                    return Ok(buffer);
                }
                let buffer = Arc::new(decode_frame(&self.source.path, self.source.frame)?);
                *weak = Arc::downgrade(&buffer);
                self.cache.insert(self.key, Arc::clone(&buffer));
                Ok(buffer)
            }
        }
    }
}

impl Drop for PixCell {
    fn drop(&mut self) {
        self.cache.remove(self.key);
    }
}

/// Decoded buffers nobody changed, within a memory budget, the least recently used dropped first.
#[derive(Debug)]
pub(crate) struct PixelCache {
    budget: usize,
    inner: Mutex<CacheInner>,
}

#[derive(Debug, Default)]
struct CacheInner {
    /// key → (buffer, bytes, last use).
    entries: HashMap<u64, (Arc<PixelBuffer>, usize, u64)>,
    /// last use → key.
    by_use: BTreeMap<u64, u64>,
    used: usize,
    clock: u64,
}

impl PixelCache {
    /// A cache of at most `budget` bytes of pixels (the most recent buffer is kept even if it is larger).
    pub(crate) fn new(budget: usize) -> Self {
        Self {
            budget,
            inner: Mutex::new(CacheInner::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, CacheInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The bytes of decoded pixels held now.
    pub(crate) fn used(&self) -> usize {
        self.lock().used
    }

    fn insert(&self, key: u64, buffer: Arc<PixelBuffer>) {
        let bytes = buffer.byte_size();
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        if let Some((_, old_bytes, old_use)) = inner.entries.insert(key, (buffer, bytes, now)) {
            inner.used -= old_bytes;
            inner.by_use.remove(&old_use);
        }
        inner.by_use.insert(now, key);
        inner.used += bytes;
        while inner.used > self.budget && inner.entries.len() > 1 {
            let Some((_, oldest)) = inner.by_use.pop_first() else {
                break;
            };
            if let Some((_, bytes, _)) = inner.entries.remove(&oldest) {
                inner.used -= bytes;
            }
        }
    }

    fn touch(&self, key: u64) {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let CacheInner {
            entries, by_use, ..
        } = &mut *inner;
        if let Some((_, _, last)) = entries.get_mut(&key) {
            by_use.remove(last);
            *last = now;
            by_use.insert(now, key);
        }
    }

    fn remove(&self, key: u64) {
        let mut inner = self.lock();
        if let Some((_, bytes, last)) = inner.entries.remove(&key) {
            inner.used -= bytes;
            inner.by_use.remove(&last);
        }
    }
}
