//! The generated OsiriXgrpc messages, server trait and a plain client (package `osirixgrpc`).
#![allow(
    missing_docs,
    unreachable_pub,
    missing_debug_implementations,
    clippy::all,
    rust_2018_idioms
)]

tonic::include_proto!("osirixgrpc");
