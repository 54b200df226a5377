//! Compiles the OsiriXgrpc protocol (`../proto`) into server stubs (and a plain client for tests), with the pure-Rust
//! `protox` (no protoc). Both use the crate's lenient prost codec (`src/codec.rs`).

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
    tonic_prost_build::configure()
        // Prost, but tolerant of request strings that are not UTF-8, as OsiriX is (see src/codec.rs).
        .codec_path("crate::codec::LenientCodec")
        .build_server(true)
        .generate_default_stubs(true)
        .build_client(true)
        .compile_fds(fds)?;
    Ok(())
}
