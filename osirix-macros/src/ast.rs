//! The macro's input, parsed into a small IR. Only syntax is checked here, and a syntax error costs only its own
//! declaration (or block): the body of a block is cut at its top-level `;`s and each declaration parsed alone,
//! so the others are still generated. Every rule about what the declarations mean lives in `valid.rs`.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::discouraged::Speculative;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Token, Type, Visibility, braced, parenthesized};

use crate::attr::{ClassOptions, RpcOptions};
use crate::naming;

/// Everything inside `osirix_class! { ... }`.
pub(crate) struct Input {
    pub(crate) items: Vec<Item>,
    /// Blocks that did not parse at all, each skipped up to its closing brace.
    pub(crate) errors: Vec<syn::Error>,
}

/// One `class Name { ... }` or `impl Client { ... }` block.
pub(crate) struct Item {
    pub(crate) owner: Owner,
    pub(crate) decls: Vec<Decl>,
    /// Errors in the class's own options, reported with every other problem by `valid.rs`.
    pub(crate) pending: Option<syn::Error>,
}

/// What the accessors of a block are generated on.
pub(crate) enum Owner {
    /// A handle class: a new handle type and its accessors.
    Class {
        docs: Vec<Attribute>,
        vis: Visibility,
        ident: Ident,
        options: ClassOptions,
    },
    /// The top-level `Osirix*` calls, generated on `Client`; the spans of the user's `impl Client { ... }`.
    Client {
        impl_span: Span,
        client: Ident,
        body: Span,
    },
}

/// One declaration of a block.
pub(crate) enum Decl {
    /// `#[rpc(...)] pub fn name(args) -> Type = payload;`, syntactically valid.
    Rpc(Box<RpcDecl>),
    /// A declaration that does not parse; its signature when that much of it does.
    Broken {
        error: syn::Error,
        signature: Option<Box<Signature>>,
    },
}

/// The Rust signature of an accessor: what a stub keeps of an invalid declaration.
pub(crate) struct Signature {
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    /// An explicit `self` receiver, which accessors must not have.
    pub(crate) receiver: Option<Span>,
    pub(crate) args: Vec<Arg>,
    pub(crate) ret: Option<Type>,
}

/// `#[rpc(...)] pub fn name(args) -> Type = payload;`
pub(crate) struct RpcDecl {
    pub(crate) docs: Vec<Attribute>,
    pub(crate) options: Option<RpcOptions>,
    pub(crate) sig: Signature,
    pub(crate) payload: Option<Payload>,
    /// Errors in the `#[rpc(...)]` options, reported with every other problem by `valid.rs`.
    pub(crate) pending: Option<syn::Error>,
}

/// One argument, `name: Type`.
pub(crate) struct Arg {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
}

/// What `= ...` names in the response.
pub(crate) enum Payload {
    /// `= field`: one field.
    Field(Ident),
    /// `= (a, b, ...)`: several fields, as a tuple.
    Fields(Vec<Ident>),
}

impl Owner {
    /// The OsiriX class a block's RPCs belong to: `wire = "..."`, else the Rust name; `Osirix` for the
    /// top-level calls.
    pub(crate) fn class_name(&self) -> String {
        match self {
            Owner::Class { ident, options, .. } => naming::class_name(ident, options.wire.as_ref()),
            Owner::Client { .. } => naming::CLIENT_PREFIX.to_owned(),
        }
    }
}

impl Decl {
    /// The accessor's signature, when the declaration has one.
    pub(crate) fn signature(&self) -> Option<&Signature> {
        match self {
            Decl::Rpc(rpc) => Some(&rpc.sig),
            Decl::Broken { signature, .. } => signature.as_deref(),
        }
    }
}

impl Payload {
    /// The tokens the payload was written with.
    pub(crate) fn span(&self) -> Span {
        match self {
            Payload::Field(field) => field.span(),
            Payload::Fields(fields) => fields.first().map_or_else(Span::call_site, Ident::span),
        }
    }
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut items = Vec::new();
        let mut errors = Vec::new();
        while !input.is_empty() {
            let fork = input.fork();
            match fork.parse::<Item>() {
                Ok(item) => {
                    input.advance_to(&fork);
                    items.push(item);
                }
                Err(e) => {
                    errors.push(e);
                    skip_past_block(input)?;
                }
            }
        }
        Ok(Input { items, errors })
    }
}

/// Skips a block that does not parse: everything up to and including the next `{ ... }`.
fn skip_past_block(input: ParseStream<'_>) -> syn::Result<()> {
    while !input.is_empty() {
        if let TokenTree::Group(group) = input.parse::<TokenTree>()?
            && group.delimiter() == proc_macro2::Delimiter::Brace
        {
            break;
        }
    }
    Ok(())
}

impl Parse for Item {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let mut pending = None;
        let owner = if input.peek(Token![impl]) {
            let impl_token: Token![impl] = input.parse()?;
            let target: Ident = input.parse()?;
            if target != "Client" {
                return Err(syn::Error::new_spanned(
                    target,
                    "only `impl Client { ... }` takes top-level calls",
                ));
            }
            if let Some(attr) = attrs.first() {
                return Err(syn::Error::new_spanned(
                    attr,
                    "`impl Client` takes no attributes",
                ));
            }
            Owner::Client {
                impl_span: impl_token.span,
                client: target,
                body: Span::call_site(),
            }
        } else {
            let vis: Visibility = input.parse()?;
            let keyword: Ident = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected `class Name { ... }` or `impl Client { ... }`",
                )
            })?;
            if keyword != "class" {
                return Err(syn::Error::new_spanned(
                    keyword,
                    "expected `class Name { ... }` or `impl Client { ... }`",
                ));
            }
            let ident: Ident = input.parse()?;
            let (docs, options) = match ClassOptions::from_attrs(attrs) {
                Ok(parsed) => parsed,
                Err(e) => {
                    pending = Some(e);
                    (Vec::new(), ClassOptions::default())
                }
            };
            Owner::Class {
                docs,
                vis,
                ident,
                options,
            }
        };
        let body;
        let brace = braced!(body in input);
        let mut owner = owner;
        if let Owner::Client { body, .. } = &mut owner {
            *body = brace.span.join();
        }
        let tokens: TokenStream = body.parse()?;
        let decls = split_declarations(tokens)
            .into_iter()
            .map(parse_decl)
            .collect();
        Ok(Item {
            owner,
            decls,
            pending,
        })
    }
}

/// Cuts a block's body after each top-level `;`; what follows the last one is a declaration without its `;`.
fn split_declarations(tokens: TokenStream) -> Vec<TokenStream> {
    let mut decls = Vec::new();
    let mut current = Vec::new();
    for token in tokens {
        let end = matches!(&token, TokenTree::Punct(p) if p.as_char() == ';');
        current.push(token);
        if end {
            decls.push(current.drain(..).collect());
        }
    }
    if !current.is_empty() {
        decls.push(current.into_iter().collect());
    }
    decls
}

/// Parses one declaration alone, so that its errors cost nothing to the others.
fn parse_decl(tokens: TokenStream) -> Decl {
    let ends_with_semicolon = matches!(
        tokens.clone().into_iter().last(),
        Some(TokenTree::Punct(p)) if p.as_char() == ';'
    );
    let result = if ends_with_semicolon {
        syn::parse2::<RpcDecl>(tokens.clone())
    } else {
        let at = tokens
            .clone()
            .into_iter()
            .last()
            .map_or_else(Span::call_site, |t| t.span());
        Err(syn::Error::new(at, "expected `;` after the declaration"))
    };
    match result {
        Ok(decl) => Decl::Rpc(Box::new(decl)),
        Err(error) => Decl::Broken {
            error,
            signature: syn::parse2::<SignatureOnly>(tokens)
                .ok()
                .map(|s| Box::new(s.0)),
        },
    }
}

/// A signature and whatever follows it, for the stub of a declaration that does not parse.
struct SignatureOnly(Signature);

impl Parse for SignatureOnly {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let _ = input.call(Attribute::parse_outer)?;
        let signature = input.parse()?;
        let _ = input.parse::<TokenStream>()?;
        Ok(SignatureOnly(signature))
    }
}

impl Parse for Signature {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let vis: Visibility = input.parse()?;
        input.parse::<Token![fn]>()?;
        let ident: Ident = input.parse()?;
        let content;
        parenthesized!(content in input);
        let mut receiver = None;
        if content.peek(Token![&]) || content.peek(Token![self]) {
            let _ = content.parse::<Option<Token![&]>>()?;
            let _ = content.parse::<Option<Token![mut]>>()?;
            let token: Token![self] = content.parse()?;
            receiver = Some(token.span);
            let _ = content.parse::<Option<Token![,]>>()?;
        }
        let args = Punctuated::<Arg, Token![,]>::parse_terminated(&content)?
            .into_iter()
            .collect();
        let ret = if input.peek(Token![->]) {
            input.parse::<Token![->]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(Signature {
            vis,
            ident,
            receiver,
            args,
            ret,
        })
    }
}

impl Parse for RpcDecl {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let sig: Signature = input.parse()?;
        let payload = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        input.parse::<Token![;]>()?;
        let (docs, options, pending) = match RpcOptions::from_attrs(attrs, &sig.ident) {
            Ok((docs, options)) => (docs, options, None),
            Err(e) => (Vec::new(), None, Some(e)),
        };
        Ok(RpcDecl {
            docs,
            options,
            sig,
            payload,
            pending,
        })
    }
}

impl Parse for Payload {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(syn::token::Paren) {
            let content;
            let parens = parenthesized!(content in input);
            let fields: Vec<Ident> = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?
                .into_iter()
                .collect();
            if fields.len() < 2 {
                return Err(syn::Error::new(
                    parens.span.join(),
                    "a tuple payload names at least two fields, e.g. `= (wl, ww)`; one field is `= field`",
                ));
            }
            Ok(Payload::Fields(fields))
        } else {
            Ok(Payload::Field(input.parse()?))
        }
    }
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let ident = input.parse()?;
        input.parse::<Token![:]>()?;
        let ty = input.parse()?;
        Ok(Arg { ident, ty })
    }
}

impl Signature {
    /// The span of the return type, or of the accessor's name when it has none.
    pub(crate) fn ret_span(&self) -> Span {
        self.ret
            .as_ref()
            .map_or_else(|| self.ident.span(), Spanned::span)
    }
}
