//! What stands in for an accessor whose declaration has errors: a stub with the declared signature, so that its
//! call sites still type-check and the user sees only the declaration's own errors, not a "no method" error at
//! every use. The stub never runs: the invocation's errors fail the build.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ast::Signature;

pub(crate) fn stub(sig: &Signature) -> TokenStream {
    let Signature {
        vis, ident, args, ..
    } = sig;
    let unit: syn::Type = syn::parse_quote!(());
    let ret = sig.ret.as_ref().unwrap_or(&unit);
    let args = args.iter().map(|a| {
        let (ident, ty) = (&a.ident, &a.ty);
        quote!(#ident: #ty)
    });
    quote! {
        #[allow(unused_variables, dead_code, clippy::unused_async)]
        #vis async fn #ident(&self, #(#args),*) -> ::osirix_sdk::Result<#ret> {
            ::core::unreachable!("the declaration of this accessor has errors")
        }
    }
}
