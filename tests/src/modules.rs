//! The module graph of a crate, read from its sources, and its cycles: the standing check that imports inside a
//! crate run one way.
//!
//! A crate's modules are found from its root file through its `mod` items (files and inline modules, test
//! modules included). A module depends on another when its code names an item defined there: through a `use`,
//! or a path starting with `crate`, `super`, `self` or one of its child modules, in its code or in the tokens of
//! its macro calls. Re-exports are followed to where an item is defined, so a facade (`pub use` of a child's
//! items) adds no dependency of the child on its parent. Paths to other crates are not edges. Doc comments are
//! not code.
//!
//! The paths in a `macro_rules!` body are read where the macro is called, not where it is defined: the
//! expansion's `super`, `self` and relative paths are resolved in the calling module (as rustc does), so every
//! module that calls a macro of that name depends on what the body names from there.
//!
//! Edges that a macro's expansion adds are given explicitly ([`Options::macro_paths`]): the files that call the
//! macro depend on every module its expansion names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// How to read one crate.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Other names the crate calls itself by (`extern crate self as osirix_sdk`).
    pub self_names: Vec<String>,
    /// Module paths (e.g. `classes`) whose submodules count as one module, for a group of modules that name
    /// each other's types by design (the OsiriX classes: a series names its study, a study its series).
    pub groups: Vec<String>,
    /// A macro's name and the crate paths its expansion names (e.g. `osirix_class` and `__private::call`).
    pub macro_paths: Vec<(String, Vec<String>)>,
}

/// Modules (`crate::a::b` as `a::b`, the root as `crate`) and what each depends on, with one example of the
/// reference behind each edge.
#[derive(Debug, Default)]
pub struct Graph {
    /// For each module, the modules it depends on and one reference behind each.
    pub edges: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Default)]
struct Module {
    /// Items defined here (not modules).
    items: BTreeSet<String>,
    children: BTreeSet<String>,
    /// `use` bindings: name -> the path it names, from the crate root.
    bindings: BTreeMap<String, Vec<String>>,
    /// Every reference of the module's code, as a path from the crate root, with where it came from.
    references: Vec<(Vec<String>, String)>,
    /// Macro calls by the macro's last path segment.
    macro_calls: BTreeSet<String>,
    /// `macro_rules!` defined here: name -> the paths of its body, as written, with where they came from.
    macro_bodies: BTreeMap<String, Vec<(Vec<String>, String)>>,
}

/// Reads the crate whose root file is `root`.
///
/// # Errors
/// A file that cannot be read or parsed.
pub fn read_crate(root: &Path, options: &Options) -> Result<Graph, String> {
    let mut modules = BTreeMap::new();
    let dir = root.parent().unwrap_or(Path::new(".")).to_owned();
    read_file(root, &dir, Vec::new(), &mut modules)?;
    Ok(graph(&modules, options))
}

fn module_name(path: &[String]) -> String {
    if path.is_empty() {
        "crate".to_owned()
    } else {
        path.join("::")
    }
}

fn read_file(
    file: &Path,
    dir: &Path,
    path: Vec<String>,
    modules: &mut BTreeMap<Vec<String>, Module>,
) -> Result<(), String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let parsed = syn::parse_file(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    read_items(&parsed.items, file, dir, path, modules)
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

fn read_items(
    items: &[syn::Item],
    file: &Path,
    dir: &Path,
    path: Vec<String>,
    modules: &mut BTreeMap<Vec<String>, Module>,
) -> Result<(), String> {
    let mut module = Module::default();
    let where_ = file.display().to_string();
    for item in items {
        match item {
            syn::Item::Mod(m) => {
                let name = m.ident.to_string();
                module.children.insert(name.clone());
                let mut child = path.clone();
                child.push(name.clone());
                match &m.content {
                    Some((_, inner)) => {
                        read_items(inner, file, &dir.join(&name), child, modules)?;
                    }
                    None => {
                        let candidates = match path_attribute(&m.attrs) {
                            Some(p) => vec![dir.join(p)],
                            None => vec![
                                dir.join(format!("{name}.rs")),
                                dir.join(&name).join("mod.rs"),
                            ],
                        };
                        if let Some(found) = candidates.into_iter().find(|c| c.exists()) {
                            let child_dir = if found.file_name().is_some_and(|f| f == "mod.rs") {
                                found.parent().unwrap_or(dir).to_owned()
                            } else {
                                dir.join(&name)
                            };
                            read_file(&found, &child_dir, child, modules)?;
                        }
                    }
                }
            }
            syn::Item::Macro(m) if m.mac.path.is_ident("macro_rules") => {
                let name = m
                    .ident
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let body = token_paths(m.mac.tokens.clone())
                    .into_iter()
                    .filter(|p| !p.absolute)
                    .map(|p| {
                        let what =
                            format!("body of `{name}!` `{}` in {where_}", p.segments.join("::"));
                        (p.segments, what)
                    })
                    .collect();
                module.macro_bodies.insert(name.clone(), body);
                module.items.insert(name);
            }
            other => {
                if let Some(name) = defined_name(other) {
                    module.items.insert(name);
                }
                let mut refs = References {
                    module: &path,
                    found: Vec::new(),
                    bindings: Vec::new(),
                    macros: BTreeSet::new(),
                    file: &where_,
                };
                refs.visit_item(other);
                module.references.extend(refs.found);
                module.bindings.extend(refs.bindings);
                module.macro_calls.extend(refs.macros);
            }
        }
    }
    modules.insert(path, module);
    Ok(())
}

fn defined_name(item: &syn::Item) -> Option<String> {
    Some(match item {
        syn::Item::Const(i) => i.ident.to_string(),
        syn::Item::Enum(i) => i.ident.to_string(),
        syn::Item::Fn(i) => i.sig.ident.to_string(),
        syn::Item::Static(i) => i.ident.to_string(),
        syn::Item::Struct(i) => i.ident.to_string(),
        syn::Item::Trait(i) => i.ident.to_string(),
        syn::Item::Type(i) => i.ident.to_string(),
        syn::Item::Union(i) => i.ident.to_string(),
        syn::Item::Macro(i) => i.ident.as_ref()?.to_string(),
        _ => return None,
    })
}

/// Collects the references of one item (and its `use` bindings, when it is a `use`).
struct References<'a> {
    module: &'a [String],
    found: Vec<(Vec<String>, String)>,
    bindings: Vec<(String, Vec<String>)>,
    macros: BTreeSet<String>,
    file: &'a str,
}

impl References<'_> {
    /// A path as written in this module, from the crate root; `None` for a path of another crate or a local
    /// name. Relative paths are kept as they are, to be resolved against the module's children and bindings.
    fn absolute(&self, segments: &[String]) -> Option<Vec<String>> {
        let first = segments.first()?;
        let mut base: Vec<String> = match first.as_str() {
            "crate" => Vec::new(),
            "self" => self.module.to_vec(),
            "super" => {
                let mut base = self.module.to_vec();
                let mut rest = segments;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                return Some(base);
            }
            _ => {
                // Relative: resolved later against the module's own names.
                let mut relative = vec!["<relative>".to_owned()];
                relative.extend(segments.iter().cloned());
                return Some(relative);
            }
        };
        base.extend(segments[1..].iter().cloned());
        Some(base)
    }

    fn add(&mut self, segments: Vec<String>, what: &str) {
        let what = format!("{what} `{}` in {}", segments.join("::"), self.file);
        self.add_described(&segments, what);
    }

    fn add_described(&mut self, segments: &[String], what: String) {
        if let Some(path) = self.absolute(segments) {
            self.found.push((path, what));
        }
    }

    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let mut full = prefix.clone();
                let name = n.ident.to_string();
                if name != "self" {
                    full.push(name.clone());
                }
                self.bind(full, name);
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                full.push(r.ident.to_string());
                self.bind(full, r.rename.to_string());
            }
            syn::UseTree::Glob(_) => self.add(prefix.clone(), "use"),
            syn::UseTree::Group(g) => {
                for item in &g.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    fn bind(&mut self, full: Vec<String>, name: String) {
        let name = if name == "self" {
            full.last().cloned().unwrap_or_default()
        } else {
            name
        };
        if let Some(path) = self.absolute(&full) {
            self.bindings.push((name, path));
        }
        self.add(full, "use");
    }

    /// The paths in a macro call's tokens: every `a :: b (:: c)*` not preceded by `::` (another crate's).
    fn macro_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        for path in token_paths(tokens) {
            if !path.absolute {
                self.add(path.segments, "macro tokens");
            }
        }
    }
}

/// A path found in a token stream.
struct TokenPath {
    /// Whether it starts with `::`.
    absolute: bool,
    segments: Vec<String>,
}

/// Every path of two segments or more in `tokens`, groups included.
fn token_paths(tokens: proc_macro2::TokenStream) -> Vec<TokenPath> {
    #[derive(PartialEq)]
    enum Tok {
        Colons,
        Ident(String),
        Other,
    }
    fn flat(tokens: proc_macro2::TokenStream, out: &mut Vec<Tok>) {
        let mut previous_colon = false;
        for token in tokens {
            match token {
                proc_macro2::TokenTree::Group(g) => {
                    out.push(Tok::Other);
                    flat(g.stream(), out);
                    out.push(Tok::Other);
                    previous_colon = false;
                }
                proc_macro2::TokenTree::Punct(p) if p.as_char() == ':' => {
                    if previous_colon {
                        out.pop();
                        out.push(Tok::Colons);
                        previous_colon = false;
                    } else {
                        out.push(Tok::Other);
                        previous_colon = p.spacing() == proc_macro2::Spacing::Joint;
                    }
                }
                proc_macro2::TokenTree::Ident(id) => {
                    out.push(Tok::Ident(id.to_string()));
                    previous_colon = false;
                }
                _ => {
                    out.push(Tok::Other);
                    previous_colon = false;
                }
            }
        }
    }
    let mut toks = Vec::new();
    flat(tokens, &mut toks);
    let mut paths = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let absolute = toks[i] == Tok::Colons;
        let start = if absolute { i + 1 } else { i };
        let mut segments = Vec::new();
        let mut j = start;
        while let Some(Tok::Ident(name)) = toks.get(j) {
            segments.push(name.clone());
            if toks.get(j + 1) == Some(&Tok::Colons) {
                j += 2;
            } else {
                j += 1;
                break;
            }
        }
        let preceded = start > 0 && !absolute && toks[start - 1] == Tok::Colons;
        if segments.len() > 1 || (absolute && !segments.is_empty()) {
            if !preceded {
                paths.push(TokenPath { absolute, segments });
            }
            i = j;
        } else {
            i += 1;
        }
    }
    paths
}

impl<'ast> Visit<'ast> for References<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_item_mod(&mut self, _: &'ast syn::ItemMod) {
        // Inline modules inside items (a module in a function) are not modules of the graph; none are used.
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_none() && segments.len() > 1 {
            self.add(segments, "path");
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if let Some(last) = mac.path.segments.last() {
            self.macros.insert(last.ident.to_string());
        }
        self.visit_path(&mac.path);
        self.macro_tokens(mac.tokens.clone());
    }

    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {
        // Doc comments and attributes are not code.
    }
}

/// The module where what `path` names is defined (following `use` bindings); `None` when it leaves the crate.
fn resolve(
    modules: &BTreeMap<Vec<String>, Module>,
    from: &[String],
    path: &[String],
    self_names: &[String],
    depth: usize,
) -> Option<Vec<String>> {
    if depth > 16 {
        return None;
    }
    let (mut at, rest): (Vec<String>, &[String]) =
        if path.first().is_some_and(|s| s == "<relative>") {
            let first = path.get(1)?;
            if self_names.contains(first) {
                (Vec::new(), &path[2..])
            } else {
                (from.to_vec(), &path[1..])
            }
        } else {
            (Vec::new(), path)
        };
    for (i, segment) in rest.iter().enumerate() {
        let module = modules.get(&at)?;
        if module.children.contains(segment) {
            at.push(segment.clone());
            continue;
        }
        if let Some(target) = module.bindings.get(segment) {
            let mut next = target.clone();
            next.extend(rest[i + 1..].iter().cloned());
            return resolve(modules, &at, &next, self_names, depth + 1);
        }
        if module.items.contains(segment) {
            return Some(at);
        }
        // A name this module does not know: another crate, a prelude name, a method or an enum variant.
        return if i == 0 && path.first().is_some_and(|s| s == "<relative>") {
            None
        } else {
            Some(at)
        };
    }
    Some(at)
}

fn graph(modules: &BTreeMap<Vec<String>, Module>, options: &Options) -> Graph {
    let group_of = |path: &[String]| -> String {
        let name = module_name(path);
        for group in &options.groups {
            if name == *group || name.starts_with(&format!("{group}::")) {
                return group.clone();
            }
        }
        name
    };
    let bodies: BTreeMap<&String, &Vec<(Vec<String>, String)>> = modules
        .values()
        .flat_map(|m| m.macro_bodies.iter())
        .collect();
    let mut out = Graph::default();
    for (path, module) in modules {
        let from = group_of(path);
        out.edges.entry(from.clone()).or_default();
        let mut references = module.references.clone();
        let mut expanded = References {
            module: path,
            found: Vec::new(),
            bindings: Vec::new(),
            macros: BTreeSet::new(),
            file: "",
        };
        for (name, body) in &bodies {
            if module.macro_calls.contains(*name) {
                for (segments, what) in *body {
                    expanded.add_described(segments, what.clone());
                }
            }
        }
        references.extend(expanded.found);
        for (mac, expansion) in &options.macro_paths {
            if module.macro_calls.contains(mac) {
                for target in expansion {
                    let segments: Vec<String> = target.split("::").map(str::to_owned).collect();
                    references.push((segments, format!("expansion of `{mac}!`")));
                }
            }
        }
        for (reference, what) in references {
            let Some(target) = resolve(modules, path, &reference, &options.self_names, 0) else {
                continue;
            };
            let to = group_of(&target);
            if to != from {
                out.edges
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert(what);
            }
        }
    }
    out
}

impl Graph {
    /// Every cycle, as the modules of each strongly connected component of more than one module, with the
    /// references inside it.
    pub fn cycles(&self) -> Vec<Vec<String>> {
        let nodes: Vec<&String> = self.edges.keys().collect();
        let index_of: BTreeMap<&String, usize> =
            nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let mut tarjan = Tarjan {
            graph: self,
            index_of: &index_of,
            nodes: &nodes,
            next: 0,
            index: vec![None; nodes.len()],
            low: vec![0; nodes.len()],
            stack: Vec::new(),
            on_stack: vec![false; nodes.len()],
            components: Vec::new(),
        };
        for v in 0..nodes.len() {
            if tarjan.index[v].is_none() {
                tarjan.connect(v);
            }
        }
        tarjan
            .components
            .into_iter()
            .filter(|c| c.len() > 1)
            .map(|component| {
                let members: BTreeSet<&String> = component.iter().map(|&i| nodes[i]).collect();
                let mut lines = Vec::new();
                for from in &members {
                    for (to, what) in &self.edges[*from] {
                        if members.contains(to) {
                            lines.push(format!("{from} -> {to} ({what})"));
                        }
                    }
                }
                lines
            })
            .collect()
    }
}

struct Tarjan<'a> {
    graph: &'a Graph,
    index_of: &'a BTreeMap<&'a String, usize>,
    nodes: &'a [&'a String],
    next: usize,
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    stack: Vec<usize>,
    on_stack: Vec<bool>,
    components: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    fn connect(&mut self, v: usize) {
        self.index[v] = Some(self.next);
        self.low[v] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        let targets: Vec<usize> = self.graph.edges[self.nodes[v]]
            .keys()
            .filter_map(|to| self.index_of.get(to).copied())
            .collect();
        for w in targets {
            match self.index[w] {
                None => {
                    self.connect(w);
                    self.low[v] = self.low[v].min(self.low[w]);
                }
                Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                Some(_) => {}
            }
        }
        if Some(self.low[v]) == self.index[v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

/// The crate paths a macro's expansion names, read from the files that generate it: every `::<crate>::a::b`
/// in them, as `a::b`.
///
/// # Errors
/// A file that cannot be read or tokenized.
pub fn expansion_paths(files: &[PathBuf], crate_name: &str) -> Result<Vec<String>, String> {
    let mut paths = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let tokens: proc_macro2::TokenStream = text
            .parse()
            .map_err(|e| format!("{}: {e:?}", file.display()))?;
        for path in token_paths(tokens) {
            if path.absolute && path.segments.first().is_some_and(|s| s == crate_name) {
                paths.insert(path.segments[1..].join("::"));
            }
        }
    }
    paths.remove("");
    Ok(paths.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `files` (path, text) under a temporary folder and reads the crate rooted at `lib.rs`.
    fn graph_of(files: &[(&str, &str)], options: &Options) -> Graph {
        let dir = tempfile::tempdir().expect("temporary folder");
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
            std::fs::write(path, text).expect("a file");
        }
        read_crate(&dir.path().join("lib.rs"), options).expect("reads")
    }

    #[test]
    fn a_cycle_through_a_use_and_a_path_is_found() {
        let graph = graph_of(
            &[
                ("lib.rs", "mod a; mod b; pub use a::A;"),
                ("a.rs", "use crate::b::B; pub struct A(B);"),
                (
                    "b.rs",
                    "pub struct B; impl B { fn f() -> crate::A { todo!() } }",
                ),
            ],
            &Options::default(),
        );
        let cycles = graph.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(
            cycles[0].iter().any(|l| l.starts_with("a -> b")),
            "{cycles:?}"
        );
        assert!(
            cycles[0].iter().any(|l| l.starts_with("b -> a")),
            "re-export followed: {cycles:?}"
        );
    }

    #[test]
    fn a_facade_and_its_children_make_no_cycle() {
        let graph = graph_of(
            &[
                ("lib.rs", "mod m; pub use m::{X, Y};"),
                ("m/mod.rs", "mod x; mod y; pub use x::X; pub use y::Y;"),
                ("m/x.rs", "use super::Y; pub struct X(Y);"),
                ("m/y.rs", "pub struct Y;"),
            ],
            &Options::default(),
        );
        assert!(graph.cycles().is_empty(), "{:?}", graph.cycles());
        assert!(graph.edges["m::x"].contains_key("m::y"));
    }

    #[test]
    fn a_child_using_its_parents_own_item_cycles_with_the_parent() {
        let graph = graph_of(
            &[
                ("lib.rs", "mod m;"),
                (
                    "m/mod.rs",
                    "mod x; pub struct Shared; fn f() -> x::X { todo!() }",
                ),
                ("m/x.rs", "pub struct X(super::Shared);"),
            ],
            &Options::default(),
        );
        assert_eq!(graph.cycles().len(), 1, "{:?}", graph.edges);
    }

    #[test]
    fn macro_tokens_self_names_groups_and_expansions_count() {
        let files = [
            (
                "lib.rs",
                "extern crate self as me; mod g; mod rt; mod user;",
            ),
            ("g/mod.rs", "mod a; mod b;"),
            ("g/a.rs", "pub struct A(crate::g::b::B);"),
            ("g/b.rs", "pub struct B(crate::g::a::A);"),
            (
                "rt.rs",
                "pub fn call() { println!(\"{:?}\", me::user::f()); }",
            ),
            ("user.rs", "pub fn f() {} fn g() { the_macro! { x } }"),
        ];
        let options = Options {
            self_names: vec!["me".into()],
            groups: vec!["g".into()],
            macro_paths: vec![("the_macro".into(), vec!["rt::call".into()])],
        };
        let graph = graph_of(&files, &options);
        assert!(graph.edges.contains_key("g") && !graph.edges.contains_key("g::a"));
        let cycles = graph.cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(
            cycles[0]
                .iter()
                .any(|l| l.contains("expansion of `the_macro!`")),
            "{cycles:?}"
        );
        assert!(
            cycles[0]
                .iter()
                .any(|l| l.contains("macro tokens `me::user::f`")),
            "{cycles:?}"
        );
    }

    #[test]
    fn a_macro_rules_body_is_read_where_it_is_called() {
        // `super::Shared` in the parent's macro names the parent's item from the child that calls it, not the
        // crate root from the parent.
        let files = [
            ("lib.rs", "mod m; mod n; pub struct Root;"),
            (
                "m/mod.rs",
                "macro_rules! make { () => { fn f() -> super::Shared { todo!() } }; }
                 mod shared; mod x; pub use shared::Shared; fn g() -> x::X { todo!() }",
            ),
            ("m/shared.rs", "pub struct Shared;"),
            ("m/x.rs", "pub struct X; make!();"),
            ("n.rs", "fn h() -> crate::m::Shared { todo!() }"),
        ];
        let graph = graph_of(&files, &Options::default());
        assert!(graph.cycles().is_empty(), "{:?}", graph.cycles());
        assert!(
            graph.edges["m::x"].contains_key("m::shared"),
            "{:?}",
            graph.edges
        );
        assert!(!graph.edges["m"].contains_key("crate"), "{:?}", graph.edges);
        // Called from a module whose parent is the one it names, the body cycles like written code would.
        let files = [
            ("lib.rs", "mod m;"),
            (
                "m/mod.rs",
                "macro_rules! make { () => { fn f() -> super::Shared { todo!() } }; }
                 mod x; pub struct Shared; fn g() -> x::X { todo!() }",
            ),
            ("m/x.rs", "pub struct X; make!();"),
        ];
        let cycles = graph_of(&files, &Options::default()).cycles();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert!(
            cycles[0].iter().any(|l| l.contains("body of `make!`")),
            "{cycles:?}"
        );
    }

    #[test]
    fn expansion_paths_are_the_crates_absolute_paths() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let file = dir.path().join("expand.rs");
        std::fs::write(
            &file,
            "fn f() -> TokenStream { quote!(::me::__private::call::<_, #r>(x); ::me::Result<::core::option::Option<u8>>; ::me::a :: b) }",
        )
        .expect("a file");
        assert_eq!(
            expansion_paths(&[file], "me").expect("reads"),
            ["Result", "__private::call", "a::b"]
        );
    }
}
