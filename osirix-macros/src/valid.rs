//! Every rule about what a declaration means, checked before anything is generated. All problems of one
//! invocation are reported together, each at the tokens that caused it, and each costs only its own
//! declaration: the verdict says, per declaration, whether to generate its accessor or a stub with its
//! signature (see `fallback.rs`).

use std::collections::HashMap;

use syn::{GenericArgument, PathArguments, Type};

use crate::ast::{Decl, Input, Item, Owner, RpcDecl};
use crate::attr::FieldValue;
use crate::naming;

/// What to generate for each block and declaration, and every error found.
pub(crate) struct Verdict {
    pub(crate) errors: Vec<syn::Error>,
    /// One per block of the input, in order.
    pub(crate) items: Vec<ItemVerdict>,
}

/// What to generate for one block.
pub(crate) struct ItemVerdict {
    /// Whether the class name is valid, so that the handle's trait impls (which name its protocol message) can
    /// be generated.
    pub(crate) handle: bool,
    /// One per declaration, in order.
    pub(crate) decls: Vec<Emit>,
}

/// What to generate for one declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Emit {
    /// The accessor.
    Accessor,
    /// A stub with the declared signature: call sites compile, and only the declaration's own errors show.
    Stub,
    /// Nothing: no signature to give a stub, or its name is already taken by an earlier declaration.
    Nothing,
}

impl Verdict {
    /// Every error as one, or `None` when the input is valid.
    pub(crate) fn error(&self) -> Option<syn::Error> {
        let mut iter = self.errors.iter().cloned();
        let mut first = iter.next()?;
        iter.for_each(|e| first.combine(e));
        Some(first)
    }
}

pub(crate) fn validate(input: &Input) -> Verdict {
    let mut errors = input.errors.clone();
    if input.items.is_empty() && input.errors.is_empty() {
        errors.push(syn::Error::new(
            proc_macro2::Span::call_site(),
            "expected at least one `class Name { ... }` or `impl Client { ... }`",
        ));
    }
    let items = input
        .items
        .iter()
        .map(|item| validate_item(item, &mut errors))
        .collect();
    Verdict { errors, items }
}

fn validate_item(item: &Item, errors: &mut Vec<syn::Error>) -> ItemVerdict {
    let class = item.owner.class_name();
    let is_client = matches!(item.owner, Owner::Client { .. });
    // A class whose own options are wrong gets stubs only: checking its RPCs against a class name that may
    // not be the intended one would add errors that are not the user's.
    let mut trusted = true;
    if let Some(e) = &item.pending {
        errors.push(e.clone());
        trusted = false;
    }
    if let Owner::Class { options, .. } = &item.owner
        && let Some(wire) = &options.wire
        && !naming::is_class_name(&wire.value())
    {
        errors.push(syn::Error::new_spanned(
            wire,
            "`wire` must be an OsiriX class name such as \"ROI\"",
        ));
        trusted = false;
    }
    let handle = naming::is_class_name(&class);
    let mut accessors = HashMap::new();
    let mut rpc_names = HashMap::new();
    let decls = item
        .decls
        .iter()
        .map(|decl| {
            let before = errors.len();
            if let Some(sig) = decl.signature() {
                if let Some(previous) = accessors.insert(sig.ident.to_string(), sig.ident.span()) {
                    let mut e = syn::Error::new_spanned(
                        &sig.ident,
                        format!("duplicate accessor `{}`", sig.ident),
                    );
                    e.combine(syn::Error::new(previous, "first declared here"));
                    errors.push(e);
                    return Emit::Nothing;
                }
                if let Some(span) = sig.receiver {
                    errors.push(syn::Error::new(
                        span,
                        "accessors take `&self` implicitly: remove the receiver",
                    ));
                }
            }
            let rpc = match decl {
                Decl::Broken { error, signature } => {
                    errors.push(error.clone());
                    return if signature.is_some() {
                        Emit::Stub
                    } else {
                        Emit::Nothing
                    };
                }
                Decl::Rpc(rpc) => rpc,
            };
            if trusted {
                validate_decl(rpc, &class, is_client, &mut rpc_names, errors);
            } else if let Some(e) = &rpc.pending {
                errors.push(e.clone());
            }
            if trusted && handle && errors.len() == before {
                Emit::Accessor
            } else {
                Emit::Stub
            }
        })
        .collect();
    ItemVerdict { handle, decls }
}

/// The rules of one syntactically valid declaration of a block of `class`.
fn validate_decl(
    rpc: &RpcDecl,
    class: &str,
    is_client: bool,
    rpc_names: &mut HashMap<String, ()>,
    errors: &mut Vec<syn::Error>,
) {
    if let Some(e) = &rpc.pending {
        errors.push(e.clone());
        return;
    }
    let Some(options) = &rpc.options else {
        errors.push(syn::Error::new_spanned(
            &rpc.sig.ident,
            format!("`{}` needs `#[rpc(RpcName, ...)]`", rpc.sig.ident),
        ));
        return;
    };
    let name = options.name.to_string();
    if rpc_names.insert(name.clone(), ()).is_some() {
        errors.push(syn::Error::new_spanned(
            &options.name,
            format!("RPC `{name}` is declared twice in this block"),
        ));
    }
    if naming::is_class_name(class) && naming::method_of(&name, class).is_none() {
        errors.push(syn::Error::new_spanned(
            &options.name,
            format!(
                "RPC `{name}` does not belong to `{class}`: its RPCs are named `{class}<Method>`"
            ),
        ));
    }
    validate_rpc(rpc, is_client, errors);
}

fn validate_rpc(rpc: &RpcDecl, is_client: bool, errors: &mut Vec<syn::Error>) {
    let Some(options) = &rpc.options else { return };
    let sig = &rpc.sig;
    if let Some((span, _)) = options.cache {
        if is_client {
            errors.push(syn::Error::new(
                span,
                "top-level calls are never cached: their answers change with OsiriX's state",
            ));
        } else if sig.ret.is_none() {
            errors.push(syn::Error::new(
                span,
                "a setter or action cannot be cached: it returns nothing to keep",
            ));
        } else if !sig.args.is_empty() {
            errors.push(syn::Error::new(
                span,
                "cached RPCs take no arguments: the cache key is (RPC, handle)",
            ));
        } else if let Some(request) = &options.request {
            errors.push(syn::Error::new(
                request.key,
                "a cached RPC sends the handle itself (the cache key is (RPC, handle)): remove `request = ...`, or `cache`",
            ));
        }
    }
    if !options.absent.is_empty() && !sig.ret.as_ref().is_some_and(is_option) {
        errors.push(syn::Error::new(
            sig.ret_span(),
            "`absent = ...` needs an `Option<...>` return type: absence becomes `None`",
        ));
    }
    if sig.ret.is_none()
        && let Some(payload) = &rpc.payload
    {
        errors.push(syn::Error::new(
            payload.span(),
            "an accessor without return type has no payload field",
        ));
    }
    match &options.request {
        None if !sig.args.is_empty() => errors.push(syn::Error::new_spanned(
            &sig.args[0].ident,
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
                        if !sig.args.iter().any(|a| a.ident == *arg) {
                            errors.push(syn::Error::new_spanned(arg, format!("`{arg}` is not an argument of `{}`", sig.ident)));
                        }
                        if used.insert(arg.to_string(), ()).is_some() {
                            errors.push(syn::Error::new_spanned(field, format!("argument `{arg}` is used twice")));
                        }
                    }
                }
            }
            for arg in &sig.args {
                if !used.contains_key(&arg.ident.to_string()) {
                    errors.push(syn::Error::new_spanned(&arg.ident, format!("argument `{}` goes into no request field", arg.ident)));
                }
            }
        }
    }
}

/// True for `Option<T>` (by its last path segment).
pub(crate) fn is_option(ty: &Type) -> bool {
    let Type::Path(path) = ty else { return false };
    path.path.segments.last().is_some_and(|seg| {
        seg.ident == "Option"
            && matches!(&seg.arguments, PathArguments::AngleBracketed(args) if matches!(args.args.first(), Some(GenericArgument::Type(_))))
    })
}

#[cfg(test)]
mod tests {
    use super::{Emit, is_option, validate};
    use crate::ast::Input;

    fn input(src: &str) -> Input {
        match syn::parse_str(src) {
            Ok(input) => input,
            Err(e) => panic!("`{src}` does not parse: {e}"),
        }
    }

    /// Parses `src` and returns every error (syntax and validation), one string each.
    fn errors(src: &str) -> Vec<String> {
        validate(&input(src))
            .errors
            .into_iter()
            .flat_map(|e| e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>())
            .collect()
    }

    /// What is generated for each declaration of the first block of `src`.
    fn emits(src: &str) -> Vec<Emit> {
        validate(&input(src)).items.remove(0).decls
    }

    /// Every validation error of `src`, one per line.
    fn all_errors(src: &str) -> String {
        errors(src).join("\n")
    }

    /// The errors of the blocks of `src` that do not parse at all.
    fn parse_error(src: &str) -> String {
        let input = input(src);
        assert!(!input.errors.is_empty(), "`{src}` parses");
        input
            .errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
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
        assert_eq!(input.items[0].decls.len(), 4);
        let verdict = validate(&input);
        if let Some(e) = verdict.error() {
            panic!(
                "rejected: {:?}",
                e.into_iter().map(|e| e.to_string()).collect::<Vec<_>>()
            );
        }
        assert!(
            verdict
                .items
                .iter()
                .all(|item| item.handle && item.decls.iter().all(|emit| *emit == Emit::Accessor))
        );
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
    fn one_bad_declaration_costs_only_itself() {
        let src = roi("#[rpc(ROIName)] pub fn name() -> String = name;\n\
             #[rpc(ROIArea, cachd)] pub fn area() -> f32 = area;\n\
             #[rpc(ROIColor)] pub fn color() -> Rgb;\n\
             #[rpc(ROIOpacity)] pub fn opacity() -> = opacity;\n\
             pub fn thickness() -> f32 = thickness;\n\
             #[rpc(ROIName)] pub fn name() -> String = name;\n\
             #[rpc(ROIPix)] pub fn pix() -> DcmPix = pix;");
        assert_eq!(
            emits(&src),
            [
                Emit::Accessor,
                Emit::Stub,
                Emit::Accessor,
                Emit::Nothing,
                Emit::Stub,
                Emit::Nothing,
                Emit::Accessor
            ],
            "{:?}",
            errors(&src)
        );
        let errors = errors(&src);
        assert_eq!(errors.len(), 5, "{errors:?}");
        assert!(errors[0].contains("`cachd`"), "{errors:?}");
        assert!(
            errors[1].contains("expected one of"),
            "a syntax error: {errors:?}"
        );
        assert!(errors[2].contains("`thickness` needs `#[rpc"), "{errors:?}");
        assert!(
            errors[3].contains("duplicate accessor `name`"),
            "{errors:?}"
        );
        // A declaration without its `;` is reported at its last token, and the block goes on.
        let src = roi("#[rpc(ROIName)] pub fn name() -> String = name");
        assert_eq!(emits(&src), [Emit::Stub]);
        assert!(all_errors(&src).contains("expected `;` after the declaration"));
    }

    #[test]
    fn a_block_that_does_not_parse_leaves_the_others() {
        let src = "pub struct Roi {} pub class DicomSeries { #[rpc(DicomSeriesName)] pub fn name() -> String = name; }";
        let input = input(src);
        assert_eq!(input.errors.len(), 1);
        assert_eq!(input.items.len(), 1, "the class after the bad block");
        assert_eq!(validate(&input).items[0].decls, [Emit::Accessor]);
    }

    #[test]
    fn a_class_with_bad_options_gets_stubs_without_more_errors() {
        let src = "#[osirix(wrie = \"ROI\")] pub class Roi { #[rpc(ROIName)] pub fn name() -> String = name; }";
        assert_eq!(errors(src).len(), 1, "{:?}", errors(src));
        assert_eq!(emits(src), [Emit::Stub]);
        let src = "#[osirix(wire = \"R O I\")] pub class Roi { #[rpc(ROIName)] pub fn name() -> String = name; }";
        assert_eq!(errors(src).len(), 1, "{:?}", errors(src));
        assert!(!validate(&input(src)).items[0].handle);
    }

    #[test]
    fn a_cached_rpc_sends_the_handle_itself() {
        rejects(
            "pub class ViewerController { #[rpc(ViewerControllerPixList, cache, request = ViewerControllerPixListRequest { viewer_controller: self })] pub fn pix_list() -> Vec<DcmPix> = pix; }",
            "a cached RPC sends the handle itself",
        );
    }

    #[test]
    fn a_payload_of_several_fields_is_a_tuple() {
        assert!(errors("pub class ViewerController { #[rpc(ViewerControllerWLWW)] pub fn wlww() -> (f32, f32) = (wl, ww); }").is_empty());
        assert!(
            all_errors("pub class ViewerController { #[rpc(ViewerControllerWLWW)] pub fn wl() -> f32 = (wl); }")
                .contains("a tuple payload names at least two fields")
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
