//! Proc-macros of `osirix-sdk`. Use them through the SDK (`osirix_sdk::osirix_class!`), which also provides
//! the runtime the generated code calls.
//!
//! The phases, one module each (imports run one way): `attr.rs` parses the options, `ast.rs` the blocks and
//! declarations (each declaration alone, so that a syntax error costs only itself), `valid.rs` checks what
//! they mean (with the naming rules of `naming.rs`) and decides per declaration whether to generate it,
//! `expand.rs` generates the handles and accessors, `fallback.rs` the stubs of declarations with errors.

mod ast;
mod attr;
mod expand;
mod fallback;
mod naming;
mod valid;

use proc_macro::TokenStream;

/// Declares OsiriX classes and their RPCs; generates a typed handle per class and a typed async accessor per
/// RPC.
///
/// # Input
/// One or more blocks:
/// - `pub class Name { ... }` generates the handle type `Name` (bound to its `Client`, `Clone + Eq + Hash +
///   Debug`, with `from_uid`, `uid` and `client`) and one accessor per declaration. The OsiriX class name is
///   `Name` unless `#[osirix(wire = "ROI")]` names it.
/// - `impl Client { ... }` generates the top-level `Osirix*` calls on `osirix_sdk::Client`; only the SDK itself
///   can use this form.
///
/// Each declaration is `#[rpc(RpcName, options...)] pub fn accessor(args) -> Type = payload;`:
/// - `RpcName` is the RPC, which must be named `<Class><Method>`.
/// - `-> Type` is what the accessor returns (without it, the accessor returns `()`, for RPCs that answer the
///   bare `Response`). The payload `Type` is made from is one response field (`= field`), several fields as a
///   tuple (`= (wl, ww)`, for `-> (f32, f32)`), or without `= ...` the whole response (dates, versions,
///   selections). `Type` implements `osirix_sdk::FromWire` for that payload: the SDK does for its values, lists,
///   tuples, dates and handles; a type of your own implements its one method, `from_wire`.
/// - The request is the handle itself (or `Empty` for `impl Client`) unless `request = Type { field: self,
///   field: arg, .. }` says how to build it from the handle and the arguments; every argument goes into one
///   field.
/// - The response is the RPC's own unless `response = Type` names another. Message names are written as OsiriX
///   spells them (`ROISetNameRequest`); the macro finds prost's Rust name.
///
/// Errors are reported at the tokens that caused them, all at once, and each costs only its own declaration:
/// the other accessors are generated as usual, and an invalid one becomes a stub with its declared signature,
/// so that its call sites still compile and only the root errors show.
///
/// # Options
/// - `cache`: the answer cannot change while the object exists; it is cached per (declaration, handle). Only
///   for getters of handle classes without arguments or `request = ...` (the request of a cached RPC is the
///   handle itself). The SDK's values and every handle can be cached; so can a type of your own, whose
///   payload the cache keeps (set `FromWire::HOLDS_HANDLES` if it holds handles).
/// - `cache(growable)`: cached, but the value can grow while OsiriX imports (collections, counts); it expires
///   after the cache's growable time-to-live. An answer that holds handles expires then even when declared
///   `cache`: OsiriX gives an object a new uid once it has dropped it from its uid cache.
/// - `absent = "message"` (repeatable): that in-band failure means "no value"; the return type must be an
///   `Option`, and the message becomes `None`.
/// - `idempotent`: retry the call on transient failures although it takes arguments or returns nothing
///   (getters without arguments are always retried; setters never, unless marked).
///
/// Every accessor checks the in-band status: `1` decodes the payload, `"No <Class> cached"` becomes a
/// stale-handle error, a declared absence becomes `None`, anything else an OsiriX error with the RPC name and
/// message, and a status other than 0 or 1 a malformed-response error.
///
/// # Example
/// ```
/// osirix_sdk::osirix_class! {
///     /// An OsiriX region of interest.
///     #[osirix(wire = "ROI")]
///     pub class Roi {
///         /// The ROI's name.
///         #[rpc(ROIName)]
///         pub fn name() -> String = name;
///
///         /// Renames the ROI.
///         #[rpc(ROISetName, request = ROISetNameRequest { roi: self, name })]
///         pub fn set_name(name: String);
///     }
/// }
///
/// async fn rename(roi: &Roi) -> osirix_sdk::Result<()> {
///     let old = roi.name().await?;
///     roi.set_name(format!("{old} (checked)")).await
/// }
/// # fn main() {}
/// ```
#[proc_macro]
pub fn osirix_class(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as ast::Input);
    let verdict = valid::validate(&input);
    let mut out = verdict
        .error()
        .map(|err| err.to_compile_error())
        .unwrap_or_default();
    out.extend(expand::expand(&input, &verdict));
    out.into()
}

/// The crate README's example, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
