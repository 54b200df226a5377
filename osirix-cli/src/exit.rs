//! Exit codes, and the one error type of the command: what failed, why, and the exit code that says which
//! kind of failure it was.

use std::fmt;

/// The process's exit code. `osirix --help` and the crate README list them; clap exits with 2 by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// The command did what it was asked.
    Ok = 0,
    /// Any failure without a code of its own.
    Failure = 1,
    /// Nothing answered: a connect that failed, discovery that found no server, a server gone unavailable.
    Connect = 3,
    /// An unknown study, series or viewer uid, no frontmost viewer, or a watched viewer that closed.
    NotFound = 4,
    /// An import wait that timed out, or ended with fewer files than it was given.
    ImportIncomplete = 5,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// The exit code of an SDK error, from its variant (never from its message).
fn exit_of(error: &osirix_sdk::Error) -> Exit {
    use osirix_sdk::Error;
    match error {
        Error::Connect { .. }
        | Error::Discovery { .. }
        | Error::Unavailable { .. }
        | Error::Protocol { .. }
        | Error::Tls { .. } => Exit::Connect,
        // A uid OsiriX does not hold (never valid, or freed since it was printed).
        Error::StaleHandle { .. } => Exit::NotFound,
        Error::ImportIncomplete { .. } => Exit::ImportIncomplete,
        _ => Exit::Failure,
    }
}

/// A failed command: `<what>: <why>` on one line, and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    what: String,
    why: String,
    exit: Exit,
}

impl Failure {
    /// A failure of the command itself (not of a call), with its exit code.
    pub(crate) fn new(what: impl Into<String>, why: impl fmt::Display, exit: Exit) -> Self {
        Failure {
            what: what.into(),
            why: why.to_string(),
            exit,
        }
    }

    /// A failed call of `what`, with the exit code its error's kind gives.
    pub(crate) fn of_sdk(what: &str, error: &osirix_sdk::Error) -> Self {
        Failure::new(what, error, exit_of(error))
    }

    /// An unknown uid, or nothing to act on: exit code 4.
    pub(crate) fn not_found(what: impl Into<String>, why: impl fmt::Display) -> Self {
        Failure::new(what, why, Exit::NotFound)
    }

    /// The exit code to end with.
    pub(crate) fn exit(&self) -> Exit {
        self.exit
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.why)
    }
}

/// Puts what was being done in front of an SDK error: `client.studies().await.context("listing studies")`.
pub(crate) trait Context<T> {
    /// The error as a [`Failure`] of `what`.
    fn context(self, what: &str) -> Result<T, Failure>;
}

impl<T> Context<T> for Result<T, osirix_sdk::Error> {
    fn context(self, what: &str) -> Result<T, Failure> {
        self.map_err(|error| Failure::of_sdk(what, &error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn sdk_errors_map_to_their_exit_codes() {
        let connect = osirix_sdk::Error::Connect {
            reason: "refused".into(),
            source: None,
        };
        let incomplete = osirix_sdk::Error::ImportIncomplete {
            files: 2,
            seen: 0,
            after: Duration::from_secs(1),
        };
        let stale = osirix_sdk::Error::StaleHandle {
            rpc: "DicomStudySeries",
            class: "DicomStudy",
            uid: "x".into(),
        };
        let osirix = osirix_sdk::Error::Osirix {
            rpc: "DicomStudySeries",
            message: "no".into(),
        };
        assert_eq!(exit_of(&connect), Exit::Connect);
        assert_eq!(exit_of(&incomplete), Exit::ImportIncomplete);
        assert_eq!(exit_of(&stale), Exit::NotFound);
        assert_eq!(exit_of(&osirix), Exit::Failure);
    }

    #[test]
    fn a_failure_is_one_line_of_what_and_why() {
        let failure: Result<(), _> = Err(osirix_sdk::Error::Connect {
            reason: "refused".into(),
            source: None,
        });
        let failure = failure
            .context("connecting to http://127.0.0.1:1")
            .unwrap_err();
        assert_eq!(
            failure.to_string(),
            "connecting to http://127.0.0.1:1: cannot connect to the OsiriX server: refused"
        );
        assert_eq!(failure.exit(), Exit::Connect);
    }
}
