//! The one error type of the SDK, layered like the path a call takes: configuration, connection, timeout, gRPC
//! status, OsiriX's in-band answer, and the shape of the response. How a failure of the wire is classified
//! lives beside it, in `wire.rs`.

mod wire;

pub use wire::BoxError;
pub(crate) use wire::{ServerStart, TransportError, WireFailure, wire_failure};

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// `Result` with the SDK's [`Error`] as its default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in a call to OsiriX.
///
/// `Display` names the RPC and the layer that failed, never a handle uid, token or DICOM file path, so errors
/// can go to logs as they are (the one path shown is that of the server list, in [`Error::Discovery`]); the uid of a stale handle is available from [`Error::stale_uid`], and the underlying
/// cause from [`std::error::Error::source`]. The error is `Clone` so that every caller of a coalesced read gets
/// the same error.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client could not be built or could not open its connection.
    #[error("cannot connect to the OsiriX server: {reason}")]
    Connect {
        /// What went wrong, without the endpoint.
        reason: Cow<'static, str>,
        /// The transport's own error, when there is one.
        #[source]
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    },

    /// The peer does not speak gRPC over HTTP/2: it answered HTTP/1.1 or bytes that are no HTTP/2, or ended the
    /// connection with a GOAWAY carrying an error code. Another attempt would meet the same server, so this is
    /// never retried. `rpc` is `None` when [`ClientBuilder::connect`](crate::ClientBuilder::connect) found it.
    #[error("{}the server does not speak gRPC over HTTP/2: {reason}", rpc_prefix(.rpc))]
    Protocol {
        /// The RPC being called, if any.
        rpc: Option<&'static str>,
        /// What the server did.
        reason: Cow<'static, str>,
        /// The transport's own error.
        #[source]
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    },

    /// The TLS handshake failed: the server's certificate is not trusted or is for another name, or the server
    /// does not speak TLS. Never retried. `rpc` is `None` when
    /// [`ClientBuilder::connect`](crate::ClientBuilder::connect) found it.
    #[error("{}TLS handshake failed: {reason}", rpc_prefix(.rpc))]
    Tls {
        /// The RPC being called, if any.
        rpc: Option<&'static str>,
        /// Why (unknown issuer, name mismatch, ...), without keys, tokens or the endpoint.
        reason: Cow<'static, str>,
        /// The transport's own error.
        #[source]
        source: Option<Arc<dyn std::error::Error + Send + Sync>>,
    },

    /// The server could not be reached for this call (connection refused or dropped: gRPC `UNAVAILABLE`).
    #[error("{rpc}: the OsiriX server is unavailable")]
    Unavailable {
        /// The RPC being called.
        rpc: &'static str,
        /// The gRPC status the transport produced.
        #[source]
        source: Arc<tonic::Status>,
    },

    /// A call ran out of time: one attempt, or the whole call with its retries.
    #[error("{rpc}: timed out after {after:?} ({scope})")]
    Timeout {
        /// The RPC being called.
        rpc: &'static str,
        /// The limit that was reached.
        after: Duration,
        /// Which limit it was.
        scope: TimeoutScope,
    },

    /// The server answered with a gRPC status other than `OK` and `UNAVAILABLE` (OsiriX itself always answers
    /// `OK`, so this comes from the transport, a proxy or a server that is not OsiriX).
    #[error("{rpc}: the server answered gRPC status {code:?}")]
    Grpc {
        /// The RPC being called.
        rpc: &'static str,
        /// The gRPC status code.
        code: tonic::Code,
        /// The full gRPC status.
        #[source]
        source: Arc<tonic::Status>,
    },

    /// OsiriX answered the call with an in-band failure (`status = 0`) that the SDK does not map to a value.
    #[error("{rpc}: OsiriX reported: {message}")]
    Osirix {
        /// The RPC being called.
        rpc: &'static str,
        /// OsiriX's message, as sent.
        message: String,
    },

    /// The handle no longer names a live object on the server (`"No <Class> cached"`): the object was freed, the
    /// server restarted, or the uid was never valid. Cached values of that handle have been dropped.
    #[error("{rpc}: the {class} handle is stale (OsiriX no longer holds that object)")]
    StaleHandle {
        /// The RPC being called.
        rpc: &'static str,
        /// The OsiriX class of the handle.
        class: &'static str,
        /// The handle's uid (kept out of `Display`).
        uid: Arc<str>,
    },

    /// The server's answer does not fit the protocol: a missing payload, a negative count, an impossible date,
    /// an invalid status value, a handle without uid.
    #[error("{rpc}: malformed response: {reason}")]
    MalformedResponse {
        /// The RPC being called.
        rpc: &'static str,
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },

    /// The caller's input was rejected before anything was sent (an empty or oversized uid, a handle of another
    /// client).
    #[error("invalid argument: {reason}")]
    InvalidArgument {
        /// What is wrong with it.
        reason: Cow<'static, str>,
    },

    /// An [`Import`](crate::Import) waited `after` and the database still holds fewer new files than it was
    /// given: `seen` of `files`. OsiriX skips duplicates, missing files and files that are not DICOM without a
    /// word, so such an import never completes; or it is still running, and waiting again may see the rest.
    #[error(
        "BrowserControllerCopyFilesIfNeeded: the import was not complete after {after:?}: {seen} of {files} files \
         are in the database (OsiriX skips duplicates and files that are not DICOM without a word)"
    )]
    ImportIncomplete {
        /// The files given to the import.
        files: usize,
        /// The new files the database held at the end of the wait.
        seen: usize,
        /// How long the wait was.
        after: Duration,
    },

    /// Discovery found no server to connect to in OsiriXgrpc's server list at `path`
    /// ([`ClientBuilder::discover`](crate::ClientBuilder::discover)): the file is missing, unreadable, empty,
    /// malformed or lists no active server, or none of its active servers answered.
    #[error("cannot discover the OsiriX server from {}: {problem}", .path.display())]
    Discovery {
        /// The server list read (or, when none was found, the first place looked).
        path: Arc<Path>,
        /// What was wrong with it.
        problem: DiscoveryProblem,
    },

    /// The client was closed with [`Client::close`](crate::Client::close).
    #[error("{rpc}: the client is closed")]
    Closed {
        /// The RPC that was not sent.
        rpc: &'static str,
    },
}

/// `"<rpc>: "`, or nothing for an error of no RPC.
fn rpc_prefix(rpc: &Option<&'static str>) -> String {
    rpc.map(|rpc| format!("{rpc}: ")).unwrap_or_default()
}

/// Why [`Error::Discovery`] found no server.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum DiscoveryProblem {
    /// No file at the path; `also` is the other letter case of the folder, looked in too.
    Missing {
        /// The other place looked, when there was one.
        also: Option<PathBuf>,
    },
    /// The home folder is unknown (`HOME` is not set), so the default path cannot be formed.
    NoHome,
    /// The file exists but could not be read.
    Unreadable(Arc<std::io::Error>),
    /// The file holds an empty array.
    Empty,
    /// The file is not a JSON array of `{ipaddress, port, active}` objects.
    Malformed(String),
    /// Every entry is marked `"active": "NO"`; `entries` is how many there are.
    AllInactive {
        /// The number of entries in the file.
        entries: usize,
    },
    /// None of the active servers answered: each endpoint tried, in order, with its error.
    NoneAnswered(Vec<(String, Error)>),
}

impl fmt::Display for DiscoveryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DiscoveryProblem::Missing { also: None } => f.write_str("no such file"),
            DiscoveryProblem::Missing { also: Some(also) } => {
                write!(f, "no such file, nor {}", also.display())
            }
            DiscoveryProblem::NoHome => {
                f.write_str("HOME is not set, so the server list cannot be found")
            }
            DiscoveryProblem::Unreadable(e) => write!(f, "the file cannot be read: {e}"),
            DiscoveryProblem::Empty => f.write_str("the server list is empty"),
            DiscoveryProblem::Malformed(reason) => write!(f, "malformed server list: {reason}"),
            DiscoveryProblem::AllInactive { entries } => {
                write!(f, "none of its {entries} servers is active")
            }
            DiscoveryProblem::NoneAnswered(tried) => {
                write!(f, "none of its {} active servers answered: ", tried.len())?;
                for (i, (endpoint, error)) in tried.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{endpoint} ({error})")?;
                }
                Ok(())
            }
        }
    }
}

/// Which time limit a [`Error::Timeout`] hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutScope {
    /// One attempt (one RPC on the wire).
    Attempt,
    /// The whole call, retries and backoff included.
    Call,
}

impl fmt::Display for TimeoutScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutScope::Attempt => "per-attempt timeout",
            TimeoutScope::Call => "call deadline",
        })
    }
}

impl Error {
    /// The RPC the error belongs to, when it belongs to one.
    pub fn rpc(&self) -> Option<&'static str> {
        match self {
            Error::Unavailable { rpc, .. }
            | Error::Timeout { rpc, .. }
            | Error::Grpc { rpc, .. }
            | Error::Osirix { rpc, .. }
            | Error::StaleHandle { rpc, .. }
            | Error::MalformedResponse { rpc, .. }
            | Error::Closed { rpc } => Some(rpc),
            Error::ImportIncomplete { .. } => Some("BrowserControllerCopyFilesIfNeeded"),
            Error::Protocol { rpc, .. } | Error::Tls { rpc, .. } => *rpc,
            Error::Connect { .. } | Error::InvalidArgument { .. } | Error::Discovery { .. } => None,
        }
    }

    /// True when the handle no longer names a live object on the server.
    pub fn is_stale_handle(&self) -> bool {
        matches!(self, Error::StaleHandle { .. })
    }

    /// The uid of the stale handle, for a [`Error::StaleHandle`].
    pub fn stale_uid(&self) -> Option<&str> {
        match self {
            Error::StaleHandle { uid, .. } => Some(uid),
            _ => None,
        }
    }

    /// True when a time limit was reached: a call's, or an [`Import`](crate::Import)'s wait
    /// ([`Error::ImportIncomplete`]).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. } | Error::ImportIncomplete { .. })
    }

    /// True when the server could not be reached (at connect time or for a call).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Error::Unavailable { .. } | Error::Connect { .. })
    }

    /// True when the peer does not speak gRPC over HTTP/2 ([`Error::Protocol`]).
    pub fn is_protocol_error(&self) -> bool {
        matches!(self, Error::Protocol { .. })
    }

    /// True when the TLS handshake failed ([`Error::Tls`]).
    pub fn is_tls_error(&self) -> bool {
        matches!(self, Error::Tls { .. })
    }

    /// True when OsiriX answered with an in-band failure.
    pub fn is_osirix(&self) -> bool {
        matches!(self, Error::Osirix { .. })
    }

    /// True when the server's answer did not fit the protocol.
    pub fn is_malformed(&self) -> bool {
        matches!(self, Error::MalformedResponse { .. })
    }

    /// The gRPC status code behind the error, when there is one.
    pub fn grpc_code(&self) -> Option<tonic::Code> {
        match self {
            Error::Unavailable { .. } => Some(tonic::Code::Unavailable),
            Error::Grpc { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Maps a gRPC status from the transport onto the SDK's layers; `start` is how the latest connection's
    /// server began. A status the client made from a broken connection (refused, reset, closed mid-answer, a
    /// graceful GOAWAY) is `Unavailable` whatever code tonic gave it, so it is retried like the server's own
    /// `UNAVAILABLE`; one made from a peer that does not speak HTTP/2 or a failed TLS handshake is `Protocol`
    /// or `Tls`, never retried.
    pub(crate) fn from_status(
        rpc: &'static str,
        status: tonic::Status,
        start: ServerStart,
    ) -> Self {
        match wire_failure(&status, start) {
            Some(WireFailure::Protocol(reason)) => Error::Protocol {
                rpc: Some(rpc),
                reason,
                source: Some(Arc::new(status)),
            },
            Some(WireFailure::Tls(reason)) => Error::Tls {
                rpc: Some(rpc),
                reason,
                source: Some(Arc::new(status)),
            },
            Some(WireFailure::Broken) => Error::Unavailable {
                rpc,
                source: Arc::new(status),
            },
            None if status.code() == tonic::Code::Unavailable => Error::Unavailable {
                rpc,
                source: Arc::new(status),
            },
            None => Error::Grpc {
                rpc,
                code: status.code(),
                source: Arc::new(status),
            },
        }
    }

    pub(crate) fn malformed(rpc: &'static str, reason: impl Into<Cow<'static, str>>) -> Self {
        Error::MalformedResponse {
            rpc,
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid(reason: impl Into<Cow<'static, str>>) -> Self {
        Error::InvalidArgument {
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_the_rpc_and_hides_the_uid() {
        let err = Error::StaleHandle {
            rpc: "DicomSeriesPaths",
            class: "DicomSeries",
            uid: "SECRET-UID".into(),
        };
        let text = err.to_string();
        assert!(text.starts_with("DicomSeriesPaths: "), "{text}");
        assert!(!text.contains("SECRET-UID"), "{text}");
        assert_eq!(err.stale_uid(), Some("SECRET-UID"));
        assert!(err.is_stale_handle());
    }

    #[test]
    fn unavailable_status_maps_to_its_own_variant() {
        let from = |status| Error::from_status("OsirixVersion", status, ServerStart::Http2);
        let err = from(tonic::Status::unavailable("refused"));
        assert!(err.is_unavailable());
        assert_eq!(err.grpc_code(), Some(tonic::Code::Unavailable));
        let err = from(tonic::Status::internal("boom"));
        assert_eq!(err.grpc_code(), Some(tonic::Code::Internal));
        // A connection lost under the call is UNAVAILABLE whatever code tonic made up for it.
        let lost = || std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        let err = from(tonic::Status::from_error(Box::new(lost())));
        assert!(err.is_unavailable());
        assert_eq!(err.rpc(), Some("OsirixVersion"));
        // Unless the server began with something that is no HTTP/2: then no attempt will do better.
        let err = Error::from_status(
            "OsirixVersion",
            tonic::Status::from_error(Box::new(lost())),
            ServerStart::Http1,
        );
        assert!(err.is_protocol_error() && !err.is_unavailable(), "{err:?}");
        assert_eq!(err.grpc_code(), None);
        assert_eq!(
            err.to_string(),
            "OsirixVersion: the server does not speak gRPC over HTTP/2: it answered HTTP/1.1"
        );
    }

    #[test]
    fn errors_are_send_sync_and_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }
}
