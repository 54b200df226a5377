//! Compiles the OsiriXgrpc protocol (`proto/`) with the pure-Rust `protox` (no protoc on the machine).
//!
//! Two passes over one descriptor set: the messages and the client (plain prost codec), then the server trait
//! alone, which reuses those messages and decodes requests with the lenient codec of `src/lenient.rs`. The
//! encoded descriptor set is kept too, for gRPC server reflection.

use std::path::PathBuf;

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = "proto";
    println!("cargo:rerun-if-changed={dir}");
    let mut protos: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    protos.retain(|p| p.extension().is_some_and(|e| e == "proto"));
    protos.sort();
    let fds = protox::compile(&protos, [dir])?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("osirixgrpc.bin"), fds.encode_to_vec())?;
    std::fs::write(out.join("methods.rs"), methods(&fds))?;

    tonic_prost_build::configure()
        .build_server(false)
        .build_client(true)
        .client_mod_attribute("osirixgrpc", r#"#[cfg(feature = "client")]"#)
        .compile_fds(fds.clone())?;

    let server = out.join("server");
    std::fs::create_dir_all(&server)?;
    tonic_prost_build::configure()
        .out_dir(&server)
        .extern_path(".osirixgrpc", "crate")
        .codec_path("crate::lenient::LenientCodec")
        .build_client(false)
        .build_server(true)
        .generate_default_stubs(true)
        .compile_fds(fds)?;
    Ok(())
}

/// The sorted method names of `osirixgrpc.OsiriXService`, as a Rust constant.
fn methods(fds: &prost_types::FileDescriptorSet) -> String {
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
    format!(
        "/// Every method of `osirixgrpc.OsiriXService` (all unary), sorted by name.\npub const METHODS: [&str; {}] = [\n{list}];\n",
        names.len()
    )
}
