//! Compiles the OsiriXgrpc protocol (`../proto`) into server stubs (and a plain client for tests), with the pure-Rust
//! `protox` (no protoc). Both use the crate's lenient prost codec (`src/codec.rs`). Also writes the sorted names
//! of the service's methods (`rpc_names.rs`), which the call counters use as their keys.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = "../proto";
    println!("cargo:rerun-if-changed={dir}");
    let files: Vec<_> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    let protos: Vec<_> = files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "proto"))
        .collect();
    let fds = protox::compile(&protos, [dir])?;
    let mut names: Vec<&str> = fds
        .file
        .iter()
        .filter(|f| f.package() == "osirixgrpc")
        .flat_map(|f| &f.service)
        .filter(|s| s.name() == "OsiriXService")
        .flat_map(|s| &s.method)
        .map(|m| m.name())
        .collect();
    names.sort_unstable();
    let list: String = names.iter().map(|n| format!("    {n:?},\n")).collect();
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?).join("rpc_names.rs");
    std::fs::write(
        out,
        format!(
            "/// Every method of `osirixgrpc.OsiriXService`, sorted.\npub(crate) const RPC_NAMES: [&str; {}] = [\n{list}];\n",
            names.len()
        ),
    )?;
    tonic_prost_build::configure()
        // Prost, but tolerant of request strings that are not UTF-8, as OsiriX is (see src/codec.rs).
        .codec_path("crate::codec::LenientCodec")
        .build_server(true)
        .generate_default_stubs(true)
        .build_client(true)
        .compile_fds(fds)?;
    Ok(())
}
