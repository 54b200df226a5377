//! `osirix`: OsiriX's database, viewers and ROIs at a terminal, through OsiriXgrpc and `osirix-sdk`.
//!
//! Where things live, leaves first: `exit.rs` (exit codes and the one error type), `output.rs` (tables and
//! JSON), `npy.rs` (the `.npy` writer), `progress.rs` (the progress bar on stderr), `seconds.rs` (durations),
//! `connect.rs` (the client, from `--addr` or discovery), `resolve.rs` (a uid on the command line to a
//! handle), and `commands/`, one module per subcommand. This file parses the command line, runs the command
//! on a runtime and turns its outcome into an exit code.

mod commands;
mod connect;
mod exit;
mod npy;
mod output;
mod progress;
mod resolve;
mod seconds;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::exit::Exit;

/// The exit codes, as `osirix --help` shows them after the options.
const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  any other failure
  2  bad usage (unknown command or option, bad value)
  3  cannot connect: nothing answers at --addr, discovery found no server, or the server became unavailable
  4  not found: an unknown study, series or viewer uid, no frontmost viewer, or the viewer of
     `watch rois` closed
  5  an import wait that timed out or came up short (`import --wait`)

Without --addr, the server is found through OsiriXgrpc's server list: the file named by
OSIRIX_SERVER_CONFIGS, else ~/Library/Application Support/OsiriXGRPC/server_configs.json.";

/// Reads OsiriX's database, viewers and ROIs over OsiriXgrpc, and imports files into it.
#[derive(Debug, Parser)]
#[command(name = "osirix", version, after_help = AFTER_HELP)]
struct Cli {
    /// The OsiriXgrpc server, e.g. http://127.0.0.1:50051 [default: found by discovery].
    #[arg(long, global = true, value_name = "URL")]
    addr: Option<String>,

    /// Machine output: one JSON document on stdout instead of a table.
    #[arg(long, global = true)]
    json: bool,

    /// The limit, in seconds, on connecting and on each call to OsiriX (`import --wait` waits for its files
    /// as long as `--wait-timeout` says) [default: the SDK's, 5 s to connect and 60 s a call].
    #[arg(long, global = true, value_name = "SECS", value_parser = seconds::parse)]
    timeout: Option<Duration>,

    #[command(subcommand)]
    command: commands::Command,
}

fn main() -> ExitCode {
    // clap prints its own usage errors and exits with 2 (0 for --help and --version).
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("osirix: starting the async runtime: {e}");
            return Exit::Failure.into();
        }
    };
    let settings = connect::Settings {
        addr: cli.addr,
        timeout: cli.timeout,
    };
    let output = output::Format::from_json_flag(cli.json);
    match runtime.block_on(commands::run(cli.command, &settings, output)) {
        Ok(()) => Exit::Ok.into(),
        Err(failure) => {
            eprintln!("osirix: {failure}");
            failure.exit().into()
        }
    }
}
