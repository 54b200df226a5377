//! What a handler gives: its response, or OsiriX's [`Failure`] that the dispatch table turns into one.

use crate::proto;
use crate::registry::Class;

/// Why a call failed: OsiriX's message, sent with status 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    message: String,
}

impl Failure {
    /// A failure with OsiriX's `message`.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// `"No <Class> cached"`.
    pub(crate) fn not_cached(class: Class) -> Self {
        Self::new(format!("No {} cached", class.name()))
    }

    /// OsiriX's message.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// The in-band status of this failure.
    pub(super) fn status(self) -> Option<proto::Status> {
        Some(proto::Status {
            status: 0,
            message: self.message,
        })
    }
}

/// What a handler gives: the response, or the failure the table turns into one.
pub(crate) type Reply<T> = Result<T, Failure>;

/// The in-band status of a successful call: status 1, no message.
pub(crate) fn success() -> Option<proto::Status> {
    Some(proto::Status {
        status: 1,
        message: String::new(),
    })
}

/// The bare `Response` of a successful setter or action.
pub(crate) fn done() -> Reply<proto::Response> {
    Ok(proto::Response { status: success() })
}
