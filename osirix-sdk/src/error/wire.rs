//! Telling apart what went wrong on the wire, from the error chain of a failed call or connection: a broken
//! connection (worth another attempt), a peer that does not speak gRPC over HTTP/2, or a failed TLS handshake
//! (neither of which another attempt would change). The transport and the connector report what they saw in
//! the two types defined here ([`TransportError`], [`ServerStart`]); the classification reads them.

use std::borrow::Cow;
use std::error::Error as StdError;

/// Errors of the HTTP service under the calls, boxed.
pub type BoxError = Box<dyn StdError + Send + Sync>;

/// The transport's error. A named type rather than a boxed trait object, which keeps the futures of calls
/// provably `Send` (rustc cannot see through `Into<Box<dyn Error>>` bounds in async code), and lets the
/// classification tell an error of the connection from an answer of the server.
#[derive(Debug)]
pub(crate) struct TransportError(pub(crate) BoxError);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

/// How the server of the latest connection began, as the client's connector saw its first bytes.
///
/// An HTTP/2 server's first bytes are a SETTINGS frame. A server that answers HTTP/1.1 (or anything else)
/// usually closes the connection right after, and h2 then reports the broken pipe of its next write, not what
/// it read: this is what tells a broken connection from a server that does not speak HTTP/2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ServerStart {
    /// Nothing read yet (or the endpoint uses TLS, whose bytes say nothing of HTTP/2).
    Unknown,
    /// Its first bytes are an HTTP/2 SETTINGS frame.
    Http2,
    /// It answered `HTTP/1.x`.
    Http1,
    /// Its first bytes are neither.
    NotHttp2,
    /// The connection ended before the server sent anything.
    Closed,
}

impl ServerStart {
    /// What the first bytes of a server's answer say, once there are enough of them; `None` while they could
    /// still be either.
    pub(crate) fn of(first: &[u8]) -> Option<Self> {
        if first.first() == Some(&b'H') {
            return (first.len() >= 5 || !b"HTTP/".starts_with(first)).then(|| {
                if first.starts_with(b"HTTP/") {
                    ServerStart::Http1
                } else {
                    ServerStart::NotHttp2
                }
            });
        }
        // A SETTINGS frame header: a 24-bit length (a few settings, so the first byte is 0), type 4, no flags
        // (not an ACK), stream 0.
        let pattern: [Option<u8>; 9] = [
            Some(0),
            None,
            None,
            Some(4),
            Some(0),
            Some(0),
            Some(0),
            Some(0),
            Some(0),
        ];
        let fits = first
            .iter()
            .zip(pattern)
            .all(|(byte, expected)| expected.is_none_or(|e| e == *byte));
        match (fits, first.len() >= pattern.len()) {
            (false, _) => Some(ServerStart::NotHttp2),
            (true, true) => Some(ServerStart::Http2),
            (true, false) => None,
        }
    }
}

/// A failure of the connection, as opposed to an answer the server sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WireFailure {
    /// The connection could not be opened or broke: refused, reset, closed, a graceful GOAWAY, a refused
    /// stream.
    Broken,
    /// The peer answered HTTP/1.1 or bytes that are no HTTP/2, or ended the connection with an error code.
    Protocol(Cow<'static, str>),
    /// The TLS handshake failed, for this reason.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    Tls(Cow<'static, str>),
}

/// What went wrong on the wire, if the error (a status the client made, a transport error) came from the
/// connection; `None` for an answer of the server. `start` is how the latest connection's server began.
pub(crate) fn wire_failure(
    error: &(dyn StdError + 'static),
    start: ServerStart,
) -> Option<WireFailure> {
    let broken = || match start {
        ServerStart::Http1 => WireFailure::Protocol("it answered HTTP/1.1".into()),
        ServerStart::NotHttp2 => WireFailure::Protocol("its answer is not HTTP/2".into()),
        ServerStart::Unknown | ServerStart::Http2 | ServerStart::Closed => WireFailure::Broken,
    };
    let mut from_transport = false;
    let mut next = Some(error);
    while let Some(err) = next {
        #[cfg(feature = "tls")]
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(WireFailure::Tls(tls_reason(tls)));
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            // An I/O error's `source` skips the error it wraps: look at that one directly.
            #[cfg(feature = "tls")]
            if let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
                return Some(WireFailure::Tls(tls_reason(tls)));
            }
            #[cfg(not(feature = "tls"))]
            let _ = io;
            return Some(broken());
        }
        if let Some(h2) = err.downcast_ref::<h2::Error>() {
            if h2.is_io() {
                return Some(broken());
            }
            return match h2.reason() {
                Some(h2::Reason::NO_ERROR | h2::Reason::REFUSED_STREAM) => {
                    Some(WireFailure::Broken)
                }
                Some(reason) if h2.is_go_away() && h2.is_remote() => Some(WireFailure::Protocol(
                    format!("it ended the connection with GOAWAY {reason:?}").into(),
                )),
                // h2 found the answer broke HTTP/2; how the server began says more, when it is known.
                Some(reason) if h2.is_go_away() => Some(match start {
                    ServerStart::Http1 | ServerStart::NotHttp2 => broken(),
                    _ => WireFailure::Protocol(
                        format!("its answer broke HTTP/2 ({reason:?})").into(),
                    ),
                }),
                // A stream the server reset: its answer to this call.
                _ => None,
            };
        }
        from_transport |= err.is::<TransportError>() || err.is::<tonic::transport::Error>();
        next = err.source();
    }
    from_transport.then(broken)
}

/// Why a TLS handshake failed, in words that hold no key, token or endpoint.
#[cfg(feature = "tls")]
fn tls_reason(error: &rustls::Error) -> Cow<'static, str> {
    use rustls::CertificateError as Cert;
    match error {
        rustls::Error::InvalidCertificate(cert) => match cert {
            Cert::UnknownIssuer => {
                "the server's certificate is not signed by an authority the client trusts (unknown issuer)"
            }
            Cert::NotValidForName | Cert::NotValidForNameContext { .. } => {
                "the server's certificate is for another name than the one asked for (name mismatch)"
            }
            Cert::Expired | Cert::ExpiredContext { .. } => "the server's certificate has expired",
            Cert::NotValidYet | Cert::NotValidYetContext { .. } => {
                "the server's certificate is not valid yet"
            }
            Cert::Revoked => "the server's certificate is revoked",
            Cert::BadSignature => "the server's certificate has a bad signature",
            _ => "the server's certificate was rejected",
        }
        .into(),
        rustls::Error::InvalidMessage(_)
        | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => {
            "the server does not answer in TLS (a plaintext server wants an http:// endpoint)".into()
        }
        rustls::Error::AlertReceived(alert) => {
            format!("the server refused the handshake (alert {alert:?})").into()
        }
        rustls::Error::NoCertificatesPresented => "the server presented no certificate".into(),
        rustls::Error::PeerIncompatible(_) => {
            "the server offers no TLS version or cipher suite the client accepts".into()
        }
        _ => "the handshake failed".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_bytes_tell_http2_from_the_rest() {
        let settings = [0, 0, 18, 4, 0, 0, 0, 0, 0];
        assert_eq!(ServerStart::of(&settings), Some(ServerStart::Http2));
        assert_eq!(ServerStart::of(&settings[..4]), None);
        assert_eq!(ServerStart::of(b"HTT"), None);
        assert_eq!(ServerStart::of(b"HTTP/1.1 400"), Some(ServerStart::Http1));
        assert_eq!(ServerStart::of(b"HELLO"), Some(ServerStart::NotHttp2));
        assert_eq!(ServerStart::of(b"HX"), Some(ServerStart::NotHttp2));
        // A SETTINGS ACK, a DATA frame, a TLS alert: not how an HTTP/2 server begins.
        assert_eq!(
            ServerStart::of(&[0, 0, 0, 4, 1, 0, 0, 0, 0]),
            Some(ServerStart::NotHttp2)
        );
        assert_eq!(ServerStart::of(&[0, 0, 5, 0]), Some(ServerStart::NotHttp2));
        assert_eq!(ServerStart::of(&[0x15, 3, 3]), Some(ServerStart::NotHttp2));
    }

    fn status_from(err: impl StdError + Send + Sync + 'static) -> tonic::Status {
        tonic::Status::from_error(Box::new(err))
    }

    fn of(status: &tonic::Status, start: ServerStart) -> Option<WireFailure> {
        wire_failure(status, start)
    }

    #[test]
    fn a_broken_connection_is_broken_unless_the_server_began_as_no_http2_server() {
        // (h2's own connection-lost errors cannot be built outside h2; the dropped-connection load tests meet them.)
        let broken = status_from(std::io::Error::new(
            std::io::ErrorKind::BrokenPipe,
            "stream closed",
        ));
        assert_eq!(of(&broken, ServerStart::Unknown), Some(WireFailure::Broken));
        assert_eq!(of(&broken, ServerStart::Http2), Some(WireFailure::Broken));
        assert!(matches!(
            of(&broken, ServerStart::Http1),
            Some(WireFailure::Protocol(r)) if r.contains("HTTP/1.1")
        ));
        assert!(matches!(
            of(&broken, ServerStart::NotHttp2),
            Some(WireFailure::Protocol(_))
        ));
        let refused = status_from(h2::Error::from(h2::Reason::REFUSED_STREAM));
        assert_eq!(of(&refused, ServerStart::Http2), Some(WireFailure::Broken));
    }

    #[cfg(feature = "tls")]
    #[test]
    fn tls_errors_say_why() {
        let tls =
            |e: rustls::Error| status_from(std::io::Error::new(std::io::ErrorKind::InvalidData, e));
        let unknown = tls(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        ));
        assert!(matches!(
            of(&unknown, ServerStart::Unknown),
            Some(WireFailure::Tls(r)) if r.contains("unknown issuer")
        ));
        let name = tls(rustls::Error::InvalidCertificate(
            rustls::CertificateError::NotValidForName,
        ));
        assert!(matches!(
            of(&name, ServerStart::Unknown),
            Some(WireFailure::Tls(r)) if r.contains("name mismatch")
        ));
    }

    #[test]
    fn what_the_server_said_is_no_wire_failure() {
        for status in [
            tonic::Status::unknown("server error"),
            tonic::Status::unavailable("busy"),
            status_from(h2::Error::from(h2::Reason::INTERNAL_ERROR)),
        ] {
            assert_eq!(of(&status, ServerStart::Http2), None, "{status:?}");
            assert_eq!(of(&status, ServerStart::Http1), None, "{status:?}");
        }
    }
}
