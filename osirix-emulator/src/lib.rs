//! emulator
pub mod proto {
    #![allow(missing_docs, unreachable_pub, missing_debug_implementations, clippy::all)]
    tonic::include_proto!("osirixgrpc");
}
