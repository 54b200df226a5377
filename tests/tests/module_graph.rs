//! Imports inside each crate of the workspace run one way: the module graph of every crate, read from its
//! sources by `tests::modules`, has no cycle.

use std::path::{Path, PathBuf};

use tests::modules::{Graph, Options, expansion_paths, read_crate};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_owned()
}

#[track_caller]
fn assert_acyclic(name: &str, graph: &Graph) {
    let cycles = graph.cycles();
    assert!(
        cycles.is_empty(),
        "{name} has module cycles:\n{}",
        cycles
            .iter()
            .map(|c| c.join("\n"))
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

/// The SDK, with the edges of `osirix_class!`'s expansion (read from the macro crate's generator) added to
/// every file that calls it. The class modules form one node: the OsiriX classes name each other's handle types
/// (a series its study, a study its series), one file per class.
#[test]
fn the_sdk_has_no_module_cycle() {
    let root = workspace();
    let expansion = expansion_paths(
        &[
            root.join("osirix-macros/src/expand.rs"),
            root.join("osirix-macros/src/fallback.rs"),
        ],
        "osirix_sdk",
    )
    .expect("the macro's generator");
    assert!(
        expansion.iter().any(|p| p == "__private::call_cached"),
        "{expansion:?}"
    );
    let options = Options {
        self_names: vec!["osirix_sdk".into()],
        groups: vec!["classes".into()],
        macro_paths: vec![("osirix_class".into(), expansion)],
    };
    let graph = read_crate(&root.join("osirix-sdk/src/lib.rs"), &options).expect("the SDK");
    // The graph is the crate's: its modules are there and the call path depends on the client, not back.
    for module in [
        "call::cached",
        "cache::store",
        "client::state",
        "error::wire",
        "value",
    ] {
        assert!(
            graph.edges.contains_key(module),
            "{module}: {:?}",
            graph.edges.keys()
        );
    }
    assert!(graph.edges["call::attempt"].contains_key("client::state"));
    assert!(!graph.edges["client::state"].contains_key("call::attempt"));
    assert!(
        graph.edges["classes"].contains_key("call::cached"),
        "the expansion counts"
    );
    assert_acyclic("osirix-sdk", &graph);
}

#[test]
fn the_macro_crate_has_no_module_cycle() {
    let graph = read_crate(
        &workspace().join("osirix-macros/src/lib.rs"),
        &Options::default(),
    )
    .expect("the macro crate");
    assert!(graph.edges["ast"].contains_key("attr"));
    assert!(!graph.edges["attr"].contains_key("ast"));
    assert_acyclic("osirix-macros", &graph);
}

#[test]
fn the_internal_crates_have_no_module_cycle() {
    for (name, root) in [
        ("osirix-proto", "osirix-proto/src/lib.rs"),
        ("tests", "tests/src/lib.rs"),
        ("benches", "benches/src/lib.rs"),
    ] {
        let graph = read_crate(&workspace().join(root), &Options::default()).expect(name);
        assert_acyclic(name, &graph);
    }
}

#[test]
fn the_emulator_has_no_module_cycle() {
    let graph = read_crate(
        &workspace().join("osirix-emulator/src/lib.rs"),
        &Options {
            self_names: vec!["osirix_emulator".into()],
            ..Options::default()
        },
    )
    .expect("the emulator");
    assert!(
        graph.edges.contains_key("scene"),
        "{:?}",
        graph.edges.keys()
    );
    assert_acyclic("osirix-emulator", &graph);
}

#[test]
fn the_command_line_tool_has_no_module_cycle() {
    let graph = read_crate(
        &workspace().join("osirix-cli/src/main.rs"),
        &Options::default(),
    )
    .expect("the osirix command");
    for module in ["commands", "exit", "output", "resolve"] {
        assert!(
            graph.edges.contains_key(module),
            "{module}: {:?}",
            graph.edges.keys()
        );
    }
    assert_acyclic("osirix-cli", &graph);
}
