//! The per-client response cache (moka). Series, studies and images do not change while they exist, so their
//! reads are cached by (declaration, uid), and concurrent identical cold reads share one RPC.
//!
//! # Policy
//! - Only RPCs the macro declares `cache` are cached: reads of `DicomSeries`, `DicomStudy` and `DicomImage`,
//!   and of the viewer classes only what no RPC changes while the object lives: a DCMPix's shape, spacing,
//!   origin, orientation, slice location, source file and database objects, a viewer's frame count, and an
//!   ROI volume's name and volume (both fixed when its 3D window opens). Pixels, colour modes, ROIs (every
//!   attribute of one changes), indices, frames and windows never are; nor is anything of a 3D window (its
//!   mode and window level change, its blending viewer goes when that viewer closes), nor how an ROI volume
//!   is drawn (texture, colour, opacity, factor, visibility); nor browser and top-level calls and setters.
//! - A call on a handle that is not idempotent (a setter, or an action such as a conversion, a new ROI or a
//!   close) drops every entry of that handle once it was sent, whatever its outcome. Closing a viewer does not
//!   reach the entries of its DCMPix, nor closing a 3D window those of its ROI volumes: their cached geometry,
//!   names and volumes outlive them, and their other reads are stale.
//! - An [`Import`](crate::Import) waiting for files reads each study's file count through a declaration of its
//!   own without `cache`, so neither its polls nor the user's cached counts see stale values of the other.
//! - Scalar attributes (uids, names, dates, dimensions) live until evicted by size, or by the optional
//!   [`CacheConfig::with_time_to_live`] / [`CacheConfig::with_time_to_idle`].
//! - Collections that can grow while OsiriX imports (a study's series, images and paths, a series' images and
//!   paths, the counts) are declared `cache(growable)` and expire after
//!   [`CacheConfig::with_growable_ttl`] (10 s by default). [`Client::invalidate`](crate::Client::invalidate)
//!   and [`Client::invalidate_all`](crate::Client::invalidate_all) refresh on demand.
//! - Answers that hold handles (a series' study, an image's series) expire after the growable time-to-live
//!   too: OsiriX gives an object a new uid once it has dropped it from its uid cache, so a cached handle can
//!   go stale while its object lives on ([`FromWire::HOLDS_HANDLES`](crate::FromWire::HOLDS_HANDLES); see
//!   docs/osirix-behaviour.md, *Identity*).
//! - Errors are never cached. A stale-handle answer drops every entry of that uid.
//! - An invalidation wins over every fetch that started before it: such a fetch's answer is not kept, and a
//!   read that began after the invalidation does not take it ([`fills`]).
//! - The cache belongs to one client and is shared by its clones. Uids belong to one server process, and a new
//!   connection may reach another one: the cache is dropped when the client's connection ends and when a
//!   later one opens (the connector, `client/connector.rs`).
//! - Entries are keyed by the accessor's declaration, which fixes the Rust type of the value: two declarations
//!   of one RPC (the SDK's and a user's) keep separate entries and never read each other's.
//! - Values are kept without their client ([`kept`]) and hits are served by a plain sharded map in front of
//!   moka ([`front`]); moka decides what is kept, bounds it, and coalesces identical cold reads ([`store`]).

mod config;
mod entry;
mod fills;
mod front;
mod kept;
mod store;

pub use config::{CacheConfig, CacheStats};
pub(crate) use entry::CacheKey;
pub use kept::Kept;
pub(crate) use store::{Fetched, Lookup, ResponseCache};

#[cfg(test)]
mod tests;
