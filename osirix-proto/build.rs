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
