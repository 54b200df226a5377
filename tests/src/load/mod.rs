//! The load and fault run, shared by the `reliability` test target (a short run) and `src/bin/load.rs` (the
//! full run, `cargo run --release -p tests --bin load`).
//!
//! A run generates a demo database, serves it with the emulator, and has `tasks` concurrent tasks make
//! `calls` SDK calls in total through one client, each picking a pseudo-random accessor of a pseudo-random
//! study, series or image from one table (`ops.rs`). Every answer is checked against the [`Catalog`] the
//! emulator was built from; every error is classified. Each call runs under an outer deadline (the client's
//! call deadline plus a margin) so that a hung call is counted as lost instead of hanging the run. Optional
//! [`FaultPlan`]s inject failures, latency spikes, dropped connections and a restart of the emulator on the same
//! address mid-run.
//!
//! Afterwards the run checks for leaks: the client is dropped and the run waits (within a deadline) for the
//! emulator's side of every connection to close and for the runtime's task count to fall back to what it was
//! before the client existed.
//!
//! By job: `config.rs` (what a run does), `ops.rs` (the RPC table: each call and its check), `run.rs` (the
//! tasks, the fault controller, the leak checks), `recorder.rs` (a layer counting what goes on the wire),
//! `report.rs` (the figures and how errors are classified).
//!
//! [`Catalog`]: osirix_emulator::Catalog

mod config;
mod ops;
mod recorder;
mod report;
mod run;

pub use config::{FaultPlan, LoadConfig};
pub use ops::expected_datetime;
pub use recorder::{RecorderLayer, Recording, WireRecorder};
pub use report::{LoadReport, describe, error_kind, established_connections, proc_status_kib};
pub use run::run;
