//! Code generation only: every decision was made by `ast.rs` and `valid.rs`. Generated code reaches the SDK
//! through `::osirix_sdk::__private`, so it compiles the same inside the SDK and in a user's crate, and spans
//! the code that can fail to type-check with the user's tokens, so that rustc's errors point there.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Ident, Path};

use crate::ast::{Decl, Input, Item, Owner, Payload, RpcDecl};
use crate::attr::{FieldValue, RpcOptions};
use crate::fallback;
use crate::naming;
use crate::valid::{Emit, ItemVerdict, Verdict};

pub(crate) fn expand(input: &Input, verdict: &Verdict) -> TokenStream {
    input
        .items
        .iter()
        .zip(&verdict.items)
        .map(|(item, verdict)| expand_item(item, verdict))
        .collect()
}

/// A name of the protocol module for an OsiriX message name, spanned at the user's token that named it.
fn proto_ident(name: &str, at: Span) -> Ident {
    Ident::new(name, at)
}

/// A path in the SDK's protocol module for an OsiriX message name, or the user's own path.
fn proto_path(path: &Path) -> TokenStream {
    match path.get_ident() {
        Some(ident) => {
            let ty = proto_ident(&naming::prost_type_name(&ident.to_string()), ident.span());
            quote!(::osirix_sdk::proto::#ty)
        }
        None => quote!(#path),
    }
}

fn expand_item(item: &Item, verdict: &ItemVerdict) -> TokenStream {
    let class = item.owner.class_name();
    let accessors: Vec<TokenStream> = item
        .decls
        .iter()
        .zip(&verdict.decls)
        .filter_map(|(decl, emit)| match (emit, decl) {
            (Emit::Accessor, Decl::Rpc(rpc)) => rpc
                .options
                .as_ref()
                .map(|options| accessor(&item.owner, &class, rpc, options)),
            (Emit::Stub, decl) => decl.signature().map(fallback::stub),
            _ => None,
        })
        .collect();
    match &item.owner {
        Owner::Client {
            impl_span,
            client,
            body,
        } => {
            // The whole impl spanned at the user's `impl Client { ... }`, where rustc reports an `impl` outside
            // the SDK.
            let impl_token = quote_spanned!(*impl_span=> impl);
            let client = quote_spanned!(client.span()=> ::osirix_sdk::Client);
            let mut block = proc_macro2::Group::new(
                proc_macro2::Delimiter::Brace,
                accessors.into_iter().collect(),
            );
            block.set_span(*body);
            quote!(#impl_token #client #block)
        }
        Owner::Class {
            docs, vis, ident, ..
        } => {
            let header = class_header(docs, vis, ident, &class, verdict.handle);
            quote! {
                #header
                impl #ident {
                    #(#accessors)*
                }
            }
        }
    }
}

/// The handle type and its trait impls: everything a class has before its accessors. The impls that name the
/// class's protocol message (`Handle`, `FromWire`) only when the class name is valid.
fn class_header(
    docs: &[syn::Attribute],
    vis: &syn::Visibility,
    ident: &Ident,
    class: &str,
    handle: bool,
) -> TokenStream {
    let from_uid_doc = format!(
        " Makes a `{class}` handle from a uid obtained elsewhere (a log, another process, `OsirixCacheUids`).\n\n \
         Nothing is sent: a uid that names nothing on the server gives a stale-handle error on first use.\n\n \
         # Errors\n [`Error::InvalidArgument`](::osirix_sdk::Error::InvalidArgument) for an empty uid, one over \
         256 bytes, or one with control characters."
    );
    let handle_impls = handle.then(|| handle_impls(ident, class));
    quote! {
        #(#docs)*
        #[derive(Clone)]
        #vis struct #ident {
            inner: ::osirix_sdk::__private::HandleInner,
        }

        #handle_impls

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
                self.inner.fmt_debug(#class, f)
            }
        }

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

/// `Handle`, and `FromWire` from the class's handle message: repeated (a list, none repeated) and singular
/// (required).
fn handle_impls(ident: &Ident, class: &str) -> TokenStream {
    let wire_ty = proto_ident(&naming::prost_type_name(class), ident.span());
    let wire = quote!(::osirix_sdk::proto::#wire_ty);
    let kept = quote! {
        fn weigh(&self) -> usize {
            ::osirix_sdk::__private::handles::weigh(self)
        }
        const HOLDS_HANDLES: bool = true;
        const __KEEPS_VALUE: bool = true;
        fn __keep(&self) -> ::osirix_sdk::__private::Kept {
            ::osirix_sdk::__private::handles::keep(self)
        }
        fn __restore(
            kept: &::osirix_sdk::__private::Kept,
            client: &::osirix_sdk::Client,
        ) -> ::core::option::Option<Self> {
            ::osirix_sdk::__private::handles::restore(kept, client)
        }
    };
    quote! {
        #[automatically_derived]
        impl ::osirix_sdk::Handle for #ident {
            const CLASS: &'static str = #class;
            type Wire = #wire;
            fn from_inner(inner: ::osirix_sdk::__private::HandleInner) -> Self {
                Self { inner }
            }
            fn inner(&self) -> &::osirix_sdk::__private::HandleInner {
                &self.inner
            }
        }

        #[automatically_derived]
        impl ::osirix_sdk::FromWire<#wire> for #ident {
            fn from_wire(
                wire: #wire,
                client: &::osirix_sdk::Client,
            ) -> ::core::result::Result<Self, ::osirix_sdk::Malformed> {
                ::osirix_sdk::__private::handles::from_wire(wire, client)
            }
            #kept
            fn __check_list(items: &[Self]) -> ::core::result::Result<(), ::osirix_sdk::Malformed> {
                ::osirix_sdk::__private::handles::check_unique(items)
            }
        }

        #[automatically_derived]
        impl ::osirix_sdk::FromWire<::core::option::Option<#wire>> for #ident {
            fn from_wire(
                wire: ::core::option::Option<#wire>,
                client: &::osirix_sdk::Client,
            ) -> ::core::result::Result<Self, ::osirix_sdk::Malformed> {
                ::osirix_sdk::__private::handles::from_required(wire, client)
            }
            #kept
        }
    }
}

/// One accessor: its `static` declaration, and the call through the cached or uncached path.
fn accessor(owner: &Owner, class: &str, rpc: &RpcDecl, options: &RpcOptions) -> TokenStream {
    let name = options.name.to_string();
    let path = naming::rpc_path(&name);
    let is_client = matches!(owner, Owner::Client { .. });
    let sig = &rpc.sig;
    let (ident, vis, docs) = (&sig.ident, &sig.vis, &rpc.docs);
    let unit: syn::Type = syn::parse_quote!(());
    let ret = sig.ret.as_ref().unwrap_or(&unit);
    let caching = match options.cache {
        None => quote!(Never),
        Some((_, false)) => quote!(Immutable),
        Some((_, true)) => quote!(Growable),
    };
    let idempotent = sig.args.is_empty() && sig.ret.is_some() || options.idempotent.is_some();
    let absent = &options.absent;
    let (stale, rpc_class) = if is_client {
        (String::new(), String::new())
    } else {
        (naming::stale_message(class), class.to_owned())
    };

    // The SDK names every RPC's response after the RPC: an unknown name is reported at the user's token, with
    // rustc's suggestion of a similarly named RPC.
    let rpc_name = &options.name;
    let response = match &options.response {
        Some(path) => proto_path(path),
        None => quote!(::osirix_sdk::__private::responses::#rpc_name),
    };
    let split = match (&rpc.payload, sig.ret.is_some()) {
        (Some(Payload::Field(field)), _) => {
            quote_spanned!(field.span()=> |r: #response| (r.status, r.#field))
        }
        (Some(Payload::Fields(fields)), _) => {
            quote!(|r: #response| (r.status, (#(r.#fields,)*)))
        }
        (None, true) => quote!(|mut r: #response| (r.status.take(), r)),
        (None, false) => quote!(|r: #response| (r.status, ())),
    };
    // `valid.rs` checked that a declared absence comes with an `Option` return type.
    let absent_fn = if options.absent.is_empty() {
        quote!(::core::option::Option::None)
    } else {
        quote_spanned!(ret.span()=> ::core::option::Option::Some(|| ::core::option::Option::None))
    };
    let args = sig.args.iter().map(|a| {
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

    let doc = accessor_doc(&name, options, idempotent);
    let errors = errors_doc(if is_client { "" } else { class });
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
                class: #rpc_class,
                stale: #stale,
                absent: &[#(#absent),*],
                caching: ::osirix_sdk::__private::Caching::#caching,
                idempotent: #idempotent,
            };
            #body
        }
    }
}

/// The generated sentence of an accessor's docs: the RPC, its caching and its retries.
fn accessor_doc(name: &str, options: &RpcOptions, idempotent: bool) -> String {
    let mut doc = format!(" Calls `{name}`");
    doc.push_str(match options.cache {
        None => ".",
        Some((_, false)) => "; the answer is cached (it cannot change while the object exists).",
        Some((_, true)) => {
            "; the answer is cached for the growable time-to-live (it can grow while OsiriX imports)."
        }
    });
    if idempotent {
        doc.push_str(" Retried on transient failures.");
    } else {
        doc.push_str(" Never retried (not idempotent).");
    }
    doc
}

/// The `# Errors` section of an accessor of `class` (empty for the top-level calls).
fn errors_doc(class: &str) -> String {
    let mut errors = String::from(" # Errors\n ");
    if !class.is_empty() {
        errors.push_str(&format!(
            "[`Error::StaleHandle`](::osirix_sdk::Error::StaleHandle) when OsiriX no longer holds the {class}; "
        ));
    }
    errors.push_str(
        "[`Error::Osirix`](::osirix_sdk::Error::Osirix) for any other in-band failure; the transport, timeout \
         and malformed-response errors of every call.",
    );
    errors
}
