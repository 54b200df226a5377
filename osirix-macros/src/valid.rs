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
        Owner::Class { ident, options, .. } => options.wire.as_ref().map_or_else(|| ident.to_string(), |w| w.value()),
        Owner::Client => CLIENT_PREFIX.to_owned(),
    }
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
    if let Owner::Class { options, .. } = &item.owner {
        if let Some(wire) = &options.wire {
            let value = wire.value();
            if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric()) {
                errors.push(syn::Error::new_spanned(wire, "`wire` must be an OsiriX class name such as \"ROI\""));
            }
        }
    }
    let mut accessors = HashMap::new();
    let mut rpc_names = HashMap::new();
    for rpc in &item.rpcs {
        if let Some(previous) = accessors.insert(rpc.ident.to_string(), rpc.ident.span()) {
            let mut e = syn::Error::new_spanned(&rpc.ident, format!("duplicate accessor `{}`", rpc.ident));
            e.combine(syn::Error::new(previous, "first declared here"));
            errors.push(e);
        }
        if let Some(span) = rpc.receiver {
            errors.push(syn::Error::new(span, "accessors take `&self` implicitly: remove the receiver"));
        }
        let Some(options) = &rpc.options else {
            errors.push(syn::Error::new_spanned(&rpc.ident, format!("`{}` needs `#[rpc(RpcName, ...)]`", rpc.ident)));
            continue;
        };
        let name = options.name.to_string();
        if rpc_names.insert(name.clone(), ()).is_some() {
            errors.push(syn::Error::new_spanned(&options.name, format!("RPC `{name}` is declared twice in this block")));
        }
        if !name.starts_with(&prefix) || name.len() == prefix.len() {
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
            errors.push(syn::Error::new(span, "top-level calls are never cached: their answers change with OsiriX's state"));
        } else if rpc.ret.is_none() {
            errors.push(syn::Error::new(span, "a setter or action cannot be cached: it returns nothing to keep"));
        } else if !rpc.args.is_empty() {
            errors.push(syn::Error::new(span, "cached RPCs take no arguments: the cache key is (RPC, handle)"));
        }
    }
    if !options.absent.is_empty() && !rpc.ret.as_ref().is_some_and(is_option) {
        let at = rpc.ret.as_ref().map_or_else(|| rpc.ident.span(), syn::spanned::Spanned::span);
        errors.push(syn::Error::new(at, "`absent = ...` needs an `Option<...>` return type: absence becomes `None`"));
    }
    if rpc.ret.is_none() {
        if let Some(field) = &rpc.field {
            errors.push(syn::Error::new_spanned(field, "an accessor without return type has no payload field"));
        }
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
