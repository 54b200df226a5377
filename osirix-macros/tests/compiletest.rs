//! Compile tests of `osirix_class!`, built as a user crate would build them (through `osirix_sdk::osirix_class`).
//!
//! - `tests/pass/*.rs` must compile: new classes declared outside the SDK, every option, and code using the
//!   generated accessors with their declared types.
//! - `tests/ui/*.rs` must fail with exactly the diagnostic in the `.stderr` beside each file; every file is named
//!   after its diagnostic.
//!
//! After an intended change of a diagnostic (or of rustc's rendering), regenerate the expected output with
//!
//! ```text
//! TRYBUILD=overwrite cargo test -p osirix-macros --test compiletest
//! ```
//!
//! and read the diff of `tests/ui/*.stderr` before committing it: each error must still point at the user's
//! tokens that caused it.

#[test]
fn compiletest() {
    let t = trybuild::TestCases::new();
    t.pass("tests/pass/*.rs");
    t.compile_fail("tests/ui/*.rs");
}
