//! Connects with `Client::discover()` (the server list from `OSIRIX_SERVER_CONFIGS` or under `HOME`) and prints
//! the server's version; prints the error and exits with status 1 when discovery fails. The discovery tests
//! run it so that the environment is the child's own, never changed in the test process.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match osirix_sdk::Client::discover().await {
        Ok(client) => match client.version().await {
            Ok(version) => {
                println!("version {}", version.version);
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("{error}");
                ExitCode::FAILURE
            }
        },
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
