//! Every rule about what a declaration means, checked before anything is generated. All problems of one
//! invocation are reported together, each at the tokens that caused it.

use std::collections::HashMap;

use syn::{GenericArgument, PathArguments, Type};

use crate::ast::{FieldValue, Input, Item, Owner, RpcDecl};

/// The prefix every RPC of `impl Client` carries.
pub(crate) const CLIENT_PREFIX: &str = "Osirix";

/// The OsiriX class name of a block: `wire = "..."`, else the Rust name; `Osirix` for the top-level calls.
pub(crate) fn wire_name(owner: &Owner) -> String {
    match owner {
        Owner::Class { ident, options, .. } => options
            .wire
            .as_ref()
            .map_or_else(|| ident.to_string(), |w| w.value()),
        Owner::Client => CLIENT_PREFIX.to_owned(),
    }
}

/// An OsiriX class name: ASCII letters and digits, starting with a letter (it becomes a Rust type name).
pub(crate) fn is_wire_name(value: &str) -> bool {
    value.starts_with(|c: char| c.is_ascii_alphabetic())
        && value.chars().all(|c| c.is_ascii_alphanumeric())
}

pub(crate) fn validate(input: &Input) -> syn::Result<()> {
    let mut errors = Vec::new();
    if input.items.is_empty() {
        errors.push(syn::Error::new(
            proc_macro2::Span::call_site(),
            "expected at least one `class Name { ... }` or `impl Client { ... }`",
        ));
    }
    for item in &input.items {
        validate_item(item, &mut errors);
    }
    let mut iter = errors.into_iter();
    match iter.next() {
        None => Ok(()),
        Some(mut first) => {
            iter.for_each(|e| first.combine(e));
            Err(first)
        }
    }
}

fn validate_item(item: &Item, errors: &mut Vec<syn::Error>) {
    let prefix = wire_name(&item.owner);
    let is_client = matches!(item.owner, Owner::Client);
    if let Some(e) = &item.pending {
        errors.push(e.clone());
    }
    if let Owner::Class { options, .. } = &item.owner
        && let Some(wire) = &options.wire
    {
        let value = wire.value();
        if !is_wire_name(&value) {
            errors.push(syn::Error::new_spanned(
                wire,
                "`wire` must be an OsiriX class name such as \"ROI\"",
            ));
        }
    }
    let mut accessors = HashMap::new();
    let mut rpc_names = HashMap::new();
    for rpc in &item.rpcs {
        if let Some(previous) = accessors.insert(rpc.ident.to_string(), rpc.ident.span()) {
            let mut e =
                syn::Error::new_spanned(&rpc.ident, format!("duplicate accessor `{}`", rpc.ident));
            e.combine(syn::Error::new(previous, "first declared here"));
            errors.push(e);
        }
        if let Some(span) = rpc.receiver {
            errors.push(syn::Error::new(
                span,
                "accessors take `&self` implicitly: remove the receiver",
            ));
        }
        if let Some(e) = &rpc.pending {
            errors.push(e.clone());
            continue;
        }
        let Some(options) = &rpc.options else {
            errors.push(syn::Error::new_spanned(
                &rpc.ident,
                format!("`{}` needs `#[rpc(RpcName, ...)]`", rpc.ident),
            ));
            continue;
        };
        let name = options.name.to_string();
        if rpc_names.insert(name.clone(), ()).is_some() {
            errors.push(syn::Error::new_spanned(
                &options.name,
                format!("RPC `{name}` is declared twice in this block"),
            ));
        }
        if is_wire_name(&prefix) && (!name.starts_with(&prefix) || name.len() == prefix.len()) {
            errors.push(syn::Error::new_spanned(
                &options.name,
                format!("RPC `{name}` does not belong to `{prefix}`: its RPCs are named `{prefix}<Method>`"),
            ));
        }
        validate_rpc(rpc, is_client, errors);
    }
}

fn validate_rpc(rpc: &RpcDecl, is_client: bool, errors: &mut Vec<syn::Error>) {
    let Some(options) = &rpc.options else { return };
    if let Some((span, _)) = options.cache {
        if is_client {
            errors.push(syn::Error::new(
                span,
                "top-level calls are never cached: their answers change with OsiriX's state",
            ));
        } else if rpc.ret.is_none() {
            errors.push(syn::Error::new(
                span,
                "a setter or action cannot be cached: it returns nothing to keep",
            ));
        } else if !rpc.args.is_empty() {
            errors.push(syn::Error::new(
                span,
                "cached RPCs take no arguments: the cache key is (RPC, handle)",
            ));
        }
    }
    if !options.absent.is_empty() && !rpc.ret.as_ref().is_some_and(is_option) {
        let at = rpc
            .ret
            .as_ref()
            .map_or_else(|| rpc.ident.span(), syn::spanned::Spanned::span);
        errors.push(syn::Error::new(
            at,
            "`absent = ...` needs an `Option<...>` return type: absence becomes `None`",
        ));
    }
    if rpc.ret.is_none()
        && let Some(field) = &rpc.field
    {
        errors.push(syn::Error::new_spanned(
            field,
            "an accessor without return type has no payload field",
        ));
    }
    match &options.request {
        None if !rpc.args.is_empty() => errors.push(syn::Error::new_spanned(
            &rpc.args[0].ident,
            "arguments need `request = Type { field: arg, .. }` in `#[rpc(...)]` to say where they go",
        )),
        None => {}
        Some(request) => {
            let mut used = HashMap::new();
            for (field, value) in &request.fields {
                match value {
                    FieldValue::SelfHandle(span) if is_client => {
                        errors.push(syn::Error::new(*span, "top-level calls have no handle: `self` cannot go in the request"));
                    }
                    FieldValue::SelfHandle(_) => {}
                    FieldValue::Arg(arg) => {
                        if !rpc.args.iter().any(|a| a.ident == *arg) {
                            errors.push(syn::Error::new_spanned(arg, format!("`{arg}` is not an argument of `{}`", rpc.ident)));
                        }
                        if used.insert(arg.to_string(), ()).is_some() {
                            errors.push(syn::Error::new_spanned(field, format!("argument `{arg}` is used twice")));
                        }
                    }
                }
            }
            for arg in &rpc.args {
                if !used.contains_key(&arg.ident.to_string()) {
                    errors.push(syn::Error::new_spanned(&arg.ident, format!("argument `{}` goes into no request field", arg.ident)));
                }
            }
        }
    }
}

/// True for `Option<T>` (by its last path segment).
fn is_option(ty: &Type) -> bool {
    let Type::Path(path) = ty else { return false };
    path.path.segments.last().is_some_and(|seg| {
        seg.ident == "Option"
            && matches!(&seg.arguments, PathArguments::AngleBracketed(args) if matches!(args.args.first(), Some(GenericArgument::Type(_))))
    })
}

#[cfg(test)]
mod tests {
    use super::{is_option, validate};
    use crate::ast::Input;

    /// Parses `src` (which must be syntactically valid) and returns the validation errors, one string each.
    fn errors(src: &str) -> Vec<String> {
        let input: Input = match syn::parse_str(src) {
            Ok(input) => input,
            Err(e) => panic!("`{src}` does not parse: {e}"),
        };
        match validate(&input) {
            Ok(()) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    /// Every validation error of `src`, one per line.
    fn all_errors(src: &str) -> String {
        errors(src).join("\n")
    }

    /// The error of an input that does not even parse (syntax, unknown or repeated options).
    fn parse_error(src: &str) -> String {
        match syn::parse_str::<Input>(src) {
            Ok(_) => panic!("`{src}` parses"),
            Err(e) => e.to_string(),
        }
    }

    /// Asserts exactly one validation error, containing `expected`.
    #[track_caller]
    fn rejects(src: &str, expected: &str) {
        let errors = errors(src);
        assert_eq!(
            errors.len(),
            1,
            "expected one error containing {expected:?}, got {errors:?}"
        );
        assert!(
            errors[0].contains(expected),
            "expected an error containing {expected:?}, got {errors:?}"
        );
    }

    /// A class `Roi` (wire `ROI`) around one declaration.
    fn roi(decl: &str) -> String {
        format!("#[osirix(wire = \"ROI\")] pub class Roi {{ {decl} }}")
    }

    #[test]
    fn accepts_every_form_the_sdk_uses() {
        let input: Input = syn::parse_quote! {
            /// A series.
            pub class DicomSeries {
                /// Paths.
                #[rpc(DicomSeriesPaths, cache(growable))]
                pub fn paths() -> Vec<String> = paths;

                #[rpc(DicomSeriesNextSeries, cache(growable), absent = "No next series", absent = "Nothing")]
                pub fn next_series() -> Option<DicomSeries> = next_series;

                #[rpc(DicomSeriesStudy, cache)]
                pub fn study() -> DicomStudy = study;

                #[rpc(DicomSeriesDate, cache,)]
                pub fn date() -> chrono::NaiveDateTime;
            }

            #[osirix(wire = "ROI")]
            pub class Roi {
                #[rpc(ROISetName, request = ROISetNameRequest { roi: self, name })]
                pub fn set_name(name: String);

                #[rpc(ROIName, idempotent, response = osirix_sdk::proto::RoiNameResponse)]
                pub(crate) fn name() -> String = name;
            }

            #[osirix(wire = "ViewerController")]
            pub class Viewer {
                #[rpc(ViewerControllerPixList, request = ViewerControllerPixListRequest { viewer_controller: self, movie_idx: frame })]
                pub fn pix_list(frame: i32) -> Vec<DcmPix> = pix;

                #[rpc(ViewerControllerNeedsDisplayUpdate)]
                fn needs_display_update();
            }

            impl Client {
                #[rpc(OsirixVersion)]
                pub fn version() -> Version;

                #[rpc(OsirixFrontmostViewer, absent = "No ViewerController active")]
                pub fn frontmost_viewer() -> Option<ViewerController> = viewer_controller;

                #[rpc(OsirixCacheObjectForUid, idempotent, request = OsirixCacheObjectForUidRequest { uid })]
                pub fn server_cache_object_type(uid: String) -> String = object_type;
            }
        };
        assert_eq!(input.items.len(), 4);
        assert_eq!(input.items[0].rpcs.len(), 4);
        if let Err(e) = validate(&input) {
            panic!(
                "rejected: {:?}",
                e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn the_class_name_is_the_rpc_prefix_unless_wire_names_it() {
        assert!(errors("pub class DicomStudy { #[rpc(DicomStudyPaths)] pub fn paths() -> Vec<String> = paths; }").is_empty());
        rejects(
            "pub class Roi { #[rpc(ROIName)] pub fn name() -> String = name; }",
            "RPC `ROIName` does not belong to `Roi`: its RPCs are named `Roi<Method>`",
        );
        rejects(
            "pub class DicomSeries { #[rpc(DicomStudyPaths)] pub fn paths() -> Vec<String> = paths; }",
            "does not belong to `DicomSeries`",
        );
        // The class name alone is not an RPC.
        rejects(
            &roi("#[rpc(ROI)] pub fn nothing() -> String = name;"),
            "does not belong to `ROI`",
        );
        rejects(
            "impl Client { #[rpc(ROIName)] pub fn name() -> String = name; }",
            "does not belong to `Osirix`",
        );
    }

    #[test]
    fn rejects_a_duplicate_accessor_at_both_declarations() {
        let errors = errors(&roi(
            "#[rpc(ROIName)] pub fn name() -> String = name; #[rpc(ROIArea)] pub fn name() -> f32 = area;",
        ));
        assert_eq!(errors, ["duplicate accessor `name`", "first declared here"]);
    }

    #[test]
    fn rejects_an_rpc_declared_twice() {
        rejects(
            &roi(
                "#[rpc(ROIName)] pub fn name() -> String = name; #[rpc(ROIName)] pub fn label() -> String = name;",
            ),
            "RPC `ROIName` is declared twice in this block",
        );
    }

    #[test]
    fn the_same_accessor_in_two_classes_is_fine() {
        let src = format!(
            "{} pub class DicomSeries {{ #[rpc(DicomSeriesName)] pub fn name() -> String = name; }}",
            roi("#[rpc(ROIName)] pub fn name() -> String = name;")
        );
        assert!(errors(&src).is_empty());
    }

    #[test]
    fn rejects_an_explicit_receiver() {
        rejects(
            &roi("#[rpc(ROIName)] pub fn name(&self) -> String = name;"),
            "remove the receiver",
        );
        rejects(
            &roi("#[rpc(ROIName)] pub fn name(self) -> String = name;"),
            "remove the receiver",
        );
    }

    #[test]
    fn rejects_a_declaration_without_rpc_attribute() {
        rejects(
            &roi("/// Docs only.\npub fn name() -> String = name;"),
            "`name` needs `#[rpc(RpcName, ...)]`",
        );
    }

    #[test]
    fn cache_is_only_for_argument_free_getters_of_handles() {
        rejects(
            &roi(
                "#[rpc(ROISetName, cache, request = ROISetNameRequest { roi: self, name })] pub fn set_name(name: String);",
            ),
            "a setter or action cannot be cached",
        );
        rejects(
            "pub class ViewerController { #[rpc(ViewerControllerPixList, cache(growable), request = ViewerControllerPixListRequest { viewer_controller: self, movie_idx })] pub fn pix_list(movie_idx: i32) -> Vec<DcmPix> = pix; }",
            "cached RPCs take no arguments",
        );
        rejects(
            "impl Client { #[rpc(OsirixCacheUids, cache)] pub fn uids() -> Vec<String> = uids; }",
            "top-level calls are never cached",
        );
    }

    #[test]
    fn absent_needs_an_option() {
        rejects(
            &roi("#[rpc(ROIName, absent = \"No name\")] pub fn name() -> String = name;"),
            "needs an `Option<...>` return type",
        );
        rejects(
            &roi("#[rpc(ROIDelete, absent = \"Gone\")] pub fn delete();"),
            "needs an `Option<...>` return type",
        );
        assert!(errors(&roi("#[rpc(ROIName, absent = \"No name\")] pub fn name() -> std::option::Option<String> = name;")).is_empty());
    }

    #[test]
    fn a_payload_field_needs_a_return_type() {
        rejects(
            &roi("#[rpc(ROIDelete)] pub fn delete() = name;"),
            "an accessor without return type has no payload field",
        );
    }

    #[test]
    fn every_argument_goes_into_exactly_one_request_field() {
        rejects(
            &roi("#[rpc(ROISetName)] pub fn set_name(name: String);"),
            "arguments need `request = Type { field: arg, .. }`",
        );
        rejects(
            &roi(
                "#[rpc(ROISetName, request = ROISetNameRequest { roi: self })] pub fn set_name(name: String);",
            ),
            "argument `name` goes into no request field",
        );
        rejects(
            &roi(
                "#[rpc(ROISetName, request = ROISetNameRequest { roi: self, name, label })] pub fn set_name(name: String);",
            ),
            "`label` is not an argument of `set_name`",
        );
        rejects(
            "pub class ViewerController { #[rpc(ViewerControllerSetWLWW, request = ViewerControllerSetWLWWRequest { viewer_controller: self, wl: level, ww: level })] pub fn set_wlww(level: f32); }",
            "argument `level` is used twice",
        );
        // A renamed argument is used once, under the field's name.
        assert!(errors(&roi("#[rpc(ROISetName, request = ROISetNameRequest { roi: self, name: new_name })] pub fn set_name(new_name: String);")).is_empty());
    }

    #[test]
    fn top_level_requests_have_no_handle() {
        rejects(
            "impl Client { #[rpc(OsirixCacheObjectForUid, request = OsirixCacheObjectForUidRequest { uid: self })] pub fn object_type() -> String = object_type; }",
            "top-level calls have no handle",
        );
    }

    #[test]
    fn rejects_wire_names_that_are_not_class_names() {
        rejects(
            "#[osirix(wire = \"\")] pub class Roi {}",
            "`wire` must be an OsiriX class name",
        );
        rejects(
            "#[osirix(wire = \"Dicom Series\")] pub class Series {}",
            "`wire` must be an OsiriX class name",
        );
        assert!(errors("#[osirix(wire = \"VRController\")] pub class Vr {}").is_empty());
    }

    #[test]
    fn rejects_an_empty_invocation() {
        rejects(
            "",
            "expected at least one `class Name { ... }` or `impl Client { ... }`",
        );
    }

    #[test]
    fn accumulates_every_error_of_an_invocation_in_source_order() {
        let src = format!(
            "{} #[osirix(wire = \"DicomStudy\")] pub class Study {{ #[rpc(DicomStudyPatientID, absent = \"x\")] pub fn patient_id() -> String = patient_id; }}",
            roi(
                "#[rpc(ROISetName, cache, request = ROISetNameRequest { roi: self, name })] pub fn set_name(name: String); pub fn area() -> f32 = area;"
            )
        );
        let errors = errors(&src);
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("cannot be cached"), "{errors:?}");
        assert!(
            errors[1].contains("`area` needs `#[rpc(RpcName, ...)]`"),
            "{errors:?}"
        );
        assert!(
            errors[2].contains("needs an `Option<...>` return type"),
            "{errors:?}"
        );
    }

    #[test]
    fn option_errors_are_reported_with_the_others() {
        assert!(
            all_errors(&roi(
                "#[rpc(ROIName, cachd)] pub fn name() -> String = name;"
            ))
            .contains("unknown rpc option `cachd`")
        );
        assert!(
            all_errors(&roi(
                "#[rpc(ROIName, cache, cache)] pub fn name() -> String = name;"
            ))
            .contains("`cache` set more than once")
        );
        assert!(
            all_errors(&roi(
                "#[rpc(ROIName, cache(forever))] pub fn name() -> String = name;"
            ))
            .contains("expected `cache` or `cache(growable)`")
        );
        assert!(
            all_errors(&roi(
                "#[rpc(ROIName, idempotent, idempotent)] pub fn name() -> String = name;"
            ))
            .contains("`idempotent` set more than once")
        );
        assert!(
            all_errors(&roi("#[rpc()] pub fn name() -> String = name;"))
                .contains("expected the RPC name first")
        );
        assert!(
            all_errors(&roi(
                "#[rpc(ROIName)] #[rpc(ROIName)] pub fn name() -> String = name;"
            ))
            .contains("`name` has more than one `#[rpc(...)]`")
        );
        assert!(
            all_errors(&roi(
                "#[inline] #[rpc(ROIName)] pub fn name() -> String = name;"
            ))
            .contains("an accessor takes doc comments and one `#[rpc(...)]` only")
        );
        assert!(
            all_errors("#[osirix(wrie = \"ROI\")] pub class Roi {}")
                .contains("unknown class option")
        );
        assert!(
            all_errors("#[osirix(wire = \"ROI\", wire = \"ROI\")] pub class Roi {}")
                .contains("`wire` set more than once")
        );
        assert!(
            all_errors("#[derive(Debug)] pub class Roi {}")
                .contains("a class takes doc comments and `#[osirix(wire = \"...\")]` only")
        );
    }

    #[test]
    fn an_option_error_does_not_hide_the_other_problems() {
        let messages = errors(&roi(
            "#[rpc(ROIName, cachd)] pub fn name() -> String = name;\n\
             #[rpc(ROIArea)] pub fn name() -> f32 = area;",
        ));
        assert_eq!(
            messages.len(),
            3,
            "the option, the duplicate and where it was first declared: {messages:?}"
        );
        assert!(messages[0].contains("`cachd`"), "{messages:?}");
        assert!(
            messages[1].contains("duplicate accessor `name`"),
            "{messages:?}"
        );
    }

    #[test]
    fn unknown_options_are_all_reported_at_once() {
        let messages = errors(&roi(
            "#[rpc(ROIName, cachd, idempotnt = 1, cache)] pub fn name() -> String = name;",
        ));
        assert_eq!(messages.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("`cachd`") && messages[1].contains("`idempotnt`"),
            "{messages:?}"
        );
    }

    #[test]
    fn rejects_blocks_that_are_not_classes() {
        assert!(
            parse_error("#[rpc(ROIName)] pub fn name() -> String = name;")
                .contains("expected `class Name { ... }` or `impl Client { ... }`")
        );
        assert!(
            parse_error("pub struct Roi {}")
                .contains("expected `class Name { ... }` or `impl Client { ... }`")
        );
        assert!(
            parse_error("impl Osirix {}")
                .contains("only `impl Client { ... }` takes top-level calls")
        );
        assert!(
            parse_error("/// Docs.\nimpl Client {}").contains("`impl Client` takes no attributes")
        );
    }

    #[test]
    fn option_is_recognised_by_its_last_segment() {
        let option = |src: &str| is_option(&syn::parse_str(src).expect("a type"));
        assert!(option("Option<u32>"));
        assert!(option("std::option::Option<Vec<DicomSeries>>"));
        assert!(option("::core::option::Option<String>"));
        assert!(!option("Option"));
        assert!(!option("Vec<Option<u32>>"));
        assert!(!option("&Option<u32>"));
        assert!(!option("(Option<u32>,)"));
    }
}
