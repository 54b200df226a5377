//! Shared code of the end-to-end tests (and of the benches): the fixture (a generated database served by the
//! emulator, and clients of it), the per-class tables of typed accessors, the hostile servers, and the load run.

pub mod accessors;
pub mod fixture;
pub mod hostile;
pub mod load;
pub mod modules;

pub use fixture::{
    Fixture, Served, all_series, first_image, first_series, first_study_and_series, import_source,
    phantom_dir, start,
};

/// The workspace README's examples, compiled as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme {}
