//! Code generation only: every decision was made by `ast.rs` and `valid.rs`. Generated code reaches the SDK
//! through `::osirix_sdk::__private`, so it compiles the same inside the SDK and in a user's crate.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Path};

use crate::ast::{FieldValue, Input, Item, Owner, RpcDecl};
use crate::attr::RpcOptions;
use crate::case::prost_type_name;
use crate::valid::{is_wire_name, wire_name};

pub(crate) fn expand(input: &Input) -> TokenStream {
    input.items.iter().map(expand_item).collect()
}

/// A path in the SDK's generated protocol module for an OsiriX message name, or the user's own path.
fn proto_path(path: &Path) -> TokenStream {
    match path.get_ident() {
        Some(ident) => {
            let ty = Ident::new(&prost_type_name(&ident.to_string()), ident.span());
            quote!(::osirix_sdk::proto::#ty)
        }
        None => quote!(#path),
    }
}

fn expand_item(item: &Item) -> TokenStream {
    let wire = wire_name(&item.owner);
    let accessors: Vec<TokenStream> = item
        .rpcs
        .iter()
        .filter_map(|rpc| {
            rpc.options
                .as_ref()
                .map(|o| expand_rpc(&item.owner, &wire, rpc, o))
        })
        .collect();
    match &item.owner {
        Owner::Client => quote! {
            #[automatically_derived]
            impl ::osirix_sdk::Client {
                #(#accessors)*
            }
        },
        Owner::Class {
            docs, vis, ident, ..
        } => {
            let class_header = class_header(docs, vis, ident, &wire, &item.rpcs);
            quote! {
                #class_header
                #[automatically_derived]
                impl #ident {
                    #(#accessors)*
                }
            }
        }
    }
}

/// The handle type and its trait impls: everything a class has before its accessors.
pub(crate) fn class_header(
    docs: &[syn::Attribute],
    vis: &syn::Visibility,
    ident: &Ident,
    wire: &str,
    rpcs: &[RpcDecl],
) -> TokenStream {
    let wire_ty = Ident::new(&prost_type_name(wire), ident.span());
    let cached: Vec<String> = rpcs
        .iter()
        .filter_map(|r| r.options.as_ref())
        .filter(|o| o.cache.is_some())
        .map(|o| o.name.to_string())
        .collect();
    let from_uid_doc = format!(
        " Makes a `{wire}` handle from a uid obtained elsewhere (a log, another process, `OsirixCacheUids`).\n\n \
         Nothing is sent: a uid that names nothing on the server gives a stale-handle error on first use.\n\n \
         # Errors\n [`Error::InvalidArgument`](::osirix_sdk::Error::InvalidArgument) for an empty uid, one over \
         256 bytes, or one with control characters."
    );
    quote! {
        #(#docs)*
        #[derive(Clone)]
        #vis struct #ident {
            inner: ::osirix_sdk::__private::HandleInner,
        }

        #[automatically_derived]
        impl ::osirix_sdk::Handle for #ident {
            const CLASS: &'static str = #wire;
            type Wire = ::osirix_sdk::proto::#wire_ty;
            const CACHED_RPCS: &'static [&'static str] = &[#(#cached),*];
            fn from_inner(inner: ::osirix_sdk::__private::HandleInner) -> Self {
                Self { inner }
            }
            fn inner(&self) -> &::osirix_sdk::__private::HandleInner {
                &self.inner
            }
        }

        #[automatically_derived]
        impl ::core::cmp::PartialEq for #ident {
            fn eq(&self, other: &Self) -> bool {
                self.inner == other.inner
            }
        }

        #[automatically_derived]
        impl ::core::cmp::Eq for #ident {}

        #[automatically_derived]
        impl ::core::hash::Hash for #ident {
            fn hash<H: ::core::hash::Hasher>(&self, state: &mut H) {
                ::core::hash::Hash::hash(&self.inner, state)
            }
        }

        #[automatically_derived]
        impl ::core::fmt::Debug for #ident {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                self.inner.fmt_debug(#wire, f)
            }
        }

        #[automatically_derived]
        impl ::osirix_sdk::__private::Weigh for #ident {
            fn weigh(&self) -> usize {
                ::osirix_sdk::__private::weigh_handle(&self.inner)
            }
        }

        #[automatically_derived]
        impl #ident {
            #[doc = #from_uid_doc]
            pub fn from_uid(client: &::osirix_sdk::Client, uid: &str) -> ::osirix_sdk::Result<Self> {
                ::osirix_sdk::__private::HandleInner::from_user(client, uid).map(|inner| Self { inner })
            }

            /// The uid OsiriX knows this object by.
            pub fn uid(&self) -> &str {
                self.inner.uid()
            }

            /// The client this handle is bound to.
            pub fn client(&self) -> &::osirix_sdk::Client {
                self.inner.client()
            }
        }
    }
}

fn expand_rpc(owner: &Owner, wire: &str, rpc: &RpcDecl, options: &RpcOptions) -> TokenStream {
    let name = options.name.to_string();
    let path = format!("/osirixgrpc.OsiriXService/{name}");
    let is_client = matches!(owner, Owner::Client);
    let ident = &rpc.ident;
    let vis = &rpc.vis;
    let docs = &rpc.docs;
    let unit: syn::Type = syn::parse_quote!(());
    let ret = rpc.ret.as_ref().unwrap_or(&unit);
    let caching = match options.cache {
        None => quote!(Never),
        Some((_, false)) => quote!(Immutable),
        Some((_, true)) => quote!(Growable),
    };
    let idempotent = rpc.args.is_empty() && rpc.ret.is_some() || options.idempotent.is_some();
    let absent = &options.absent;
    let stale = if is_client {
        String::new()
    } else {
        format!("No {wire} cached")
    };
    let class = if is_client {
        String::new()
    } else {
        wire.to_owned()
    };
    // A `static` cannot name `Self`: use the class's own name.
    let class_cached = match owner {
        Owner::Client => quote!(&[]),
        Owner::Class { ident, .. } => quote!(<#ident as ::osirix_sdk::Handle>::CACHED_RPCS),
    };

    let response = match (&options.response, rpc.ret.is_some()) {
        (Some(path), _) => proto_path(path),
        (None, true) => {
            let ty = format_ident!(
                "{}Response",
                prost_type_name(&name),
                span = options.name.span()
            );
            quote!(::osirix_sdk::proto::#ty)
        }
        (None, false) => quote!(::osirix_sdk::proto::Response),
    };
    let split = match (&rpc.field, rpc.ret.is_some()) {
        (Some(field), _) => quote_spanned!(field.span()=> |r: #response| (r.status, r.#field)),
        (None, true) => quote!(|mut r: #response| (r.status.take(), r)),
        (None, false) => quote!(|r: #response| (r.status, ())),
    };
    let absent_fn = if options.absent.is_empty() {
        quote!(::core::option::Option::None)
    } else {
        quote_spanned!(ret.span()=> ::core::option::Option::Some(<#ret as ::osirix_sdk::__private::Absent>::absent))
    };
    let args = rpc.args.iter().map(|a| {
        let (ident, ty) = (&a.ident, &a.ty);
        quote!(#ident: #ty)
    });

    let client_expr = if is_client {
        quote!(self)
    } else {
        quote!(self.inner.client())
    };
    let uid_expr = if is_client {
        quote!(::core::option::Option::None)
    } else {
        quote!(::core::option::Option::Some(self.inner.uid()))
    };
    let request = match &options.request {
        Some(spec) => {
            let ty = proto_path(&spec.ty);
            let fields = spec.fields.iter().map(|(field, value)| {
                let value = match value {
                    FieldValue::SelfHandle(span) => quote_spanned!(*span=> self),
                    FieldValue::Arg(arg) => quote!(#arg),
                };
                quote_spanned! {field.span()=>
                    #field: ::osirix_sdk::__private::IntoWire::into_wire(#value, #client_expr)?
                }
            });
            quote!(#ty { #(#fields,)* })
        }
        None if is_client => quote!(::osirix_sdk::proto::Empty {}),
        None => quote!(
            <<Self as ::osirix_sdk::Handle>::Wire as ::osirix_sdk::__private::WireHandle>::from_uid(
                ::std::string::String::from(self.inner.uid().as_ref())
            )
        ),
    };

    let body = if options.cache.is_some() {
        quote_spanned! {ret.span()=>
            ::osirix_sdk::__private::call_cached::<Self, #response, _, _>(self, &RPC, #split, #absent_fn).await
        }
    } else {
        quote_spanned! {ret.span()=>
            let request = #request;
            ::osirix_sdk::__private::call::<_, #response, _, _>(#client_expr, #uid_expr, &RPC, request, #split, #absent_fn).await
        }
    };

    let mut doc = format!(" Calls `{name}`");
    doc.push_str(match options.cache {
        None => ".",
        Some((_, false)) => "; the answer is cached (it cannot change while the object exists).",
        Some((_, true)) => "; the answer is cached for the growable time-to-live (it can grow while OsiriX imports).",
    });
    if idempotent {
        doc.push_str(" Retried on transient failures.");
    } else {
        doc.push_str(" Never retried (not idempotent).");
    }
    let mut errors = String::from(" # Errors\n");
    if !is_client {
        errors.push_str(&format!(
            " [`Error::StaleHandle`](::osirix_sdk::Error::StaleHandle) when OsiriX no longer holds the {wire}; "
        ));
    } else {
        errors.push(' ');
    }
    errors.push_str(
        "[`Error::Osirix`](::osirix_sdk::Error::Osirix) for any other in-band failure; the transport, timeout \
         and malformed-response errors of every call.",
    );
    let absent_doc = if options.absent.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = options
            .absent
            .iter()
            .map(|a| format!("`{:?}`", a.value()))
            .collect();
        format!(" `None` when OsiriX answers {}.", list.join(" or "))
    };
    let separator = if docs.is_empty() {
        quote!()
    } else {
        quote!(#[doc = ""])
    };

    quote! {
        #(#docs)*
        #separator
        #[doc = #doc]
        #[doc = #absent_doc]
        #[doc = ""]
        #[doc = #errors]
        #vis async fn #ident(&self, #(#args),*) -> ::osirix_sdk::Result<#ret> {
            static RPC: ::osirix_sdk::__private::Rpc = ::osirix_sdk::__private::Rpc {
                name: #name,
                path: #path,
                class: #class,
                stale: #stale,
                absent: &[#(#absent),*],
                caching: ::osirix_sdk::__private::Caching::#caching,
                idempotent: #idempotent,
                class_cached: #class_cached,
            };
            #body
        }
    }
}

/// What is still emitted when validation fails: the handle types, so that code naming them does not add a
/// cascade of "cannot find type" errors to the real one.
pub(crate) fn fallback(input: &Input) -> TokenStream {
    input
        .items
        .iter()
        .filter_map(|item| match &item.owner {
            Owner::Class {
                docs, vis, ident, ..
            } => {
                let wire = wire_name(&item.owner);
                is_wire_name(&wire).then(|| class_header(docs, vis, ident, &wire, &[]))
            }
            Owner::Client => None,
        })
        .collect()
}
