//! The macro's input, parsed into a small IR. Only syntax is checked here; every rule about what the
//! declarations mean lives in `valid.rs`.

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, LitStr, Path, Token, Type, Visibility, braced, parenthesized};

use crate::attr::{ClassOptions, RpcOptions};

/// Everything inside `osirix_class! { ... }`.
pub(crate) struct Input {
    pub(crate) items: Vec<Item>,
}

/// One `class Name { ... }` or `impl Client { ... }` block.
pub(crate) struct Item {
    pub(crate) owner: Owner,
    pub(crate) rpcs: Vec<RpcDecl>,
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
    /// The top-level `Osirix*` calls, generated on `Client`.
    Client,
}

/// `#[rpc(...)] pub fn name(args) -> Type = field;`
pub(crate) struct RpcDecl {
    pub(crate) docs: Vec<Attribute>,
    pub(crate) options: Option<RpcOptions>,
    pub(crate) vis: Visibility,
    pub(crate) ident: Ident,
    pub(crate) receiver: Option<Span>,
    pub(crate) args: Vec<Arg>,
    pub(crate) ret: Option<Type>,
    pub(crate) field: Option<Ident>,
    /// Errors in the `#[rpc(...)]` options, reported with every other problem by `valid.rs`.
    pub(crate) pending: Option<syn::Error>,
}

/// One argument, `name: Type`.
pub(crate) struct Arg {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
}

/// `request = Type { field: self, field: arg }`.
pub(crate) struct RequestSpec {
    pub(crate) ty: Path,
    pub(crate) fields: Vec<(Ident, FieldValue)>,
}

/// The value of one request field.
pub(crate) enum FieldValue {
    /// The handle the accessor is called on.
    SelfHandle(Span),
    /// An argument of the accessor.
    Arg(Ident),
}

/// An absent-message literal.
pub(crate) type Absent = LitStr;

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut items = Vec::new();
        while !input.is_empty() {
            items.push(input.parse()?);
        }
        Ok(Input { items })
    }
}

impl Parse for Item {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let mut pending = None;
        let owner = if input.peek(Token![impl]) {
            input.parse::<Token![impl]>()?;
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
            Owner::Client
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
        braced!(body in input);
        let mut rpcs = Vec::new();
        while !body.is_empty() {
            rpcs.push(body.parse()?);
        }
        Ok(Item {
            owner,
            rpcs,
            pending,
        })
    }
}

impl Parse for RpcDecl {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![fn]>()?;
        let ident: Ident = input.parse()?;
        let content;
        parenthesized!(content in input);
        let mut receiver = None;
        let mut args = Vec::new();
        if content.peek(Token![&]) || content.peek(Token![self]) {
            let _ = content.parse::<Option<Token![&]>>()?;
            let _ = content.parse::<Option<Token![mut]>>()?;
            let token: Token![self] = content.parse()?;
            receiver = Some(token.span);
            let _ = content.parse::<Option<Token![,]>>()?;
        }
        let parsed = Punctuated::<Arg, Token![,]>::parse_terminated(&content)?;
        args.extend(parsed);
        let ret = if input.peek(Token![->]) {
            input.parse::<Token![->]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        let field = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        input.parse::<Token![;]>()?;
        let (docs, options, pending) = match RpcOptions::from_attrs(attrs, &ident) {
            Ok((docs, options)) => (docs, options, None),
            Err(e) => (Vec::new(), None, Some(e)),
        };
        Ok(RpcDecl {
            pending,
            docs,
            options,
            vis,
            ident,
            receiver,
            args,
            ret,
            field,
        })
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

impl Parse for RequestSpec {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let ty: Path = input.parse()?;
        let content;
        braced!(content in input);
        let mut fields = Vec::new();
        while !content.is_empty() {
            let name: Ident = content.parse()?;
            let value = if content.peek(Token![:]) {
                content.parse::<Token![:]>()?;
                if content.peek(Token![self]) {
                    let token: Token![self] = content.parse()?;
                    FieldValue::SelfHandle(token.span)
                } else {
                    FieldValue::Arg(content.parse()?)
                }
            } else {
                FieldValue::Arg(name.clone())
            };
            fields.push((name, value));
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        Ok(RequestSpec { ty, fields })
    }
}
