//! The emulator's error type.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why building a catalogue or running the emulator failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The DICOM folder itself could not be read (single bad files are skipped, not errors).
    #[error("cannot read the folder {}", path.display())]
    Folder {
        /// The folder.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
    /// A demo database was asked for with values it cannot have.
    #[error("invalid demo database: {0}")]
    DemoSpec(String),
    /// A demo database file or folder could not be written.
    #[error("cannot write the demo file {}", path.display())]
    DemoWrite {
        /// The file or folder.
        path: PathBuf,
        /// The failure.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The listening socket could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The requested address.
        addr: SocketAddr,
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
    /// The server list could not be written ([`RunningEmulator::write_server_configs`](crate::RunningEmulator::write_server_configs)).
    #[error("cannot write the server list {}", path.display())]
    ServerConfigs {
        /// The file.
        path: PathBuf,
        /// The I/O failure.
        #[source]
        source: std::io::Error,
    },
    /// The listener's local address could not be read.
    #[error("cannot read the listening address")]
    LocalAddr(#[source] std::io::Error),
    /// The server's TLS configuration was rejected.
    #[cfg(feature = "tls")]
    #[error("invalid TLS configuration")]
    Tls(#[source] tonic::transport::Error),
    /// The gRPC server stopped with an error.
    #[error("the gRPC server failed")]
    Server(#[source] tonic::transport::Error),
    /// An import was asked of a database that has no folder to copy files into.
    #[error("the database is read-only: give the emulator a database folder to import into")]
    ReadOnly,
    /// The server reflection service could not be built from the protocol's descriptors.
    #[error("cannot build the reflection service: {0}")]
    Reflection(String),
    /// The emulator refused a screen action, with the message it would answer over gRPC.
    #[error("refused: {0}")]
    Refused(String),
    /// An object given to the control API is not live (or not of the kind the action needs).
    #[error("no such object: {0:?}")]
    NoSuchObject(crate::ObjectRef),
    /// A uid given to the control API is not in the cache, or not of the expected class.
    #[error("uid {uid:?} is not a cached {class}")]
    UnknownUid {
        /// The uid.
        uid: String,
        /// The class it should have had.
        class: &'static str,
    },
}
