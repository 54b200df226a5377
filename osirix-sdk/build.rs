//! Compiles the OsiriXgrpc protocol (`../proto`) into client stubs, with the pure-Rust `protox` (no protoc).

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
        .build_server(false)
        .build_client(true)
        .compile_fds(fds)?;
    Ok(())
}
