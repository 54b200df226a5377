//! The `#[osirix(...)]` option of a class and the `#[rpc(...)]` options of an accessor, with the syntax of the
//! options' values (`request = Type { field: self, field: arg }`). Unknown and repeated keys are reported all
//! at once, each at its own span. Syntax only: what the options mean is checked by `valid.rs`.

use proc_macro2::Span;
use syn::parse::ParseStream;
use syn::{Attribute, Ident, LitStr, Path, Token, braced};

/// An absent-message literal.
pub(crate) type Absent = LitStr;

/// `request = Type { field: self, field: arg }`.
pub(crate) struct RequestSpec {
    /// The `request` key, where a misuse of the option is reported.
    pub(crate) key: Span,
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

impl RequestSpec {
    fn parse_after(key: Span, input: ParseStream<'_>) -> syn::Result<Self> {
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
        Ok(RequestSpec { key, ty, fields })
    }
}

/// Options of a class.
#[derive(Default)]
pub(crate) struct ClassOptions {
    /// `wire = "ROI"`: the OsiriX class name when it differs from the Rust type name.
    pub(crate) wire: Option<LitStr>,
}

/// Options of one accessor, from its `#[rpc(Name, ...)]`.
pub(crate) struct RpcOptions {
    /// The RPC name.
    pub(crate) name: Ident,
    /// `cache` (immutable) or `cache(growable)`.
    pub(crate) cache: Option<(Span, bool)>,
    /// `idempotent`: retry a call that is not a plain getter.
    pub(crate) idempotent: Option<Span>,
    /// `absent = "..."`: in-band messages that become `None`.
    pub(crate) absent: Vec<Absent>,
    /// `request = Type { ... }`.
    pub(crate) request: Option<RequestSpec>,
    /// `response = Type`.
    pub(crate) response: Option<Path>,
}

const RPC_KEYS: &str = "`cache`, `cache(growable)`, `idempotent`, `absent = \"...\"`, `request = Type { .. }`, `response = Type`";

fn is_doc(attr: &Attribute) -> bool {
    attr.path().is_ident("doc")
}

fn combine(errors: Vec<syn::Error>) -> syn::Result<()> {
    let mut iter = errors.into_iter();
    match iter.next() {
        None => Ok(()),
        Some(mut first) => {
            for e in iter {
                first.combine(e);
            }
            Err(first)
        }
    }
}

impl ClassOptions {
    pub(crate) fn from_attrs(attrs: Vec<Attribute>) -> syn::Result<(Vec<Attribute>, Self)> {
        let mut docs = Vec::new();
        let mut options = ClassOptions::default();
        let mut errors = Vec::new();
        for attr in attrs {
            if is_doc(&attr) {
                docs.push(attr);
            } else if attr.path().is_ident("osirix") {
                let result = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("wire") {
                        if options.wire.is_some() {
                            return Err(meta.error("`wire` set more than once"));
                        }
                        options.wire = Some(meta.value()?.parse()?);
                        Ok(())
                    } else {
                        Err(meta
                            .error("unknown class option; expected `wire = \"OsiriXClassName\"`"))
                    }
                });
                if let Err(e) = result {
                    errors.push(e);
                }
            } else {
                errors.push(syn::Error::new_spanned(
                    attr,
                    "a class takes doc comments and `#[osirix(wire = \"...\")]` only",
                ));
            }
        }
        combine(errors)?;
        Ok((docs, options))
    }
}

impl RpcOptions {
    /// Splits doc comments from the one `#[rpc(...)]`; `None` options when it is missing (reported later).
    pub(crate) fn from_attrs(
        attrs: Vec<Attribute>,
        accessor: &Ident,
    ) -> syn::Result<(Vec<Attribute>, Option<Self>)> {
        let mut docs = Vec::new();
        let mut options: Option<Self> = None;
        let mut errors = Vec::new();
        for attr in attrs {
            if is_doc(&attr) {
                docs.push(attr);
            } else if attr.path().is_ident("rpc") {
                if options.is_some() {
                    errors.push(syn::Error::new_spanned(
                        &attr,
                        format!("`{accessor}` has more than one `#[rpc(...)]`"),
                    ));
                    continue;
                }
                match attr.parse_args_with(|input: ParseStream<'_>| Self::parse_body(input)) {
                    Ok((parsed, mut errs)) => {
                        options = Some(parsed);
                        errors.append(&mut errs);
                    }
                    Err(e) => errors.push(e),
                }
            } else {
                errors.push(syn::Error::new_spanned(
                    attr,
                    "an accessor takes doc comments and one `#[rpc(...)]` only",
                ));
            }
        }
        combine(errors)?;
        Ok((docs, options))
    }

    fn parse_body(input: ParseStream<'_>) -> syn::Result<(Self, Vec<syn::Error>)> {
        let name: Ident = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected the RPC name first, e.g. `#[rpc(DicomSeriesPaths)]`",
            )
        })?;
        let mut options = RpcOptions {
            name,
            cache: None,
            idempotent: None,
            absent: Vec::new(),
            request: None,
            response: None,
        };
        let mut errors = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: Ident = input.parse()?;
            let repeated =
                |what: &str| syn::Error::new_spanned(&key, format!("`{what}` set more than once"));
            match key.to_string().as_str() {
                "cache" => {
                    let mut growable = false;
                    if input.peek(syn::token::Paren) {
                        let content;
                        syn::parenthesized!(content in input);
                        let kind: Ident = content.parse()?;
                        if kind == "growable" {
                            growable = true;
                        } else {
                            errors.push(syn::Error::new_spanned(
                                kind,
                                "expected `cache` or `cache(growable)`",
                            ));
                        }
                    }
                    if options.cache.is_some() {
                        errors.push(repeated("cache"));
                    }
                    options.cache = Some((key.span(), growable));
                }
                "idempotent" => {
                    if options.idempotent.is_some() {
                        errors.push(repeated("idempotent"));
                    }
                    options.idempotent = Some(key.span());
                }
                "absent" => {
                    input.parse::<Token![=]>()?;
                    options.absent.push(input.parse()?);
                }
                "request" => {
                    input.parse::<Token![=]>()?;
                    let spec = RequestSpec::parse_after(key.span(), input)?;
                    if options.request.is_some() {
                        errors.push(repeated("request"));
                    }
                    options.request = Some(spec);
                }
                "response" => {
                    input.parse::<Token![=]>()?;
                    let path: Path = input.parse()?;
                    if options.response.is_some() {
                        errors.push(repeated("response"));
                    }
                    options.response = Some(path);
                }
                _ => {
                    errors.push(syn::Error::new_spanned(
                        &key,
                        format!("unknown rpc option `{key}`; expected {RPC_KEYS}"),
                    ));
                    // Skip the rest of this option.
                    while !input.is_empty() && !input.peek(Token![,]) {
                        input.parse::<proc_macro2::TokenTree>()?;
                    }
                }
            }
        }
        Ok((options, errors))
    }
}
