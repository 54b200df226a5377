//! The client's TCP connector: opens connections as tonic's own would (TCP_NODELAY, DNS through tokio; tonic
//! adds TLS and the connect timeout on top), notes how each plaintext connection's server began, and drops the
//! response cache when a connection ends or a later one opens.
//!
//! Uids belong to one server process (see docs/osirix-behaviour.md, *Identity*), and a new connection may reach
//! another process on the same port (OsiriX restarted, another database): nothing cached over the old
//! connection may be served after it. A lost connection drops the cache at once, so that even a client that
//! only reads cached values asks the server again; every connection after the first drops it again, for the
//! answers that were in flight when the old one broke.
//!
//! An HTTP/2 server's first bytes are a SETTINGS frame. A server that answers HTTP/1.1 (or anything else)
//! usually closes the connection right after, and h2 then reports the broken pipe of its next write, not what
//! it read or had yet to read: the note lets a broken connection be told from a server that does not speak
//! HTTP/2. When a write fails before the server's first bytes were read, the stream reads what has already
//! come before it hands h2 the error, so that an answer is noted even when h2 would give up first.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::watch;

use crate::cache::ResponseCache;
use crate::error::ServerStart;

/// The note of how the latest connection's server began, shared by the connector and the client.
#[derive(Debug)]
pub(crate) struct ServerStartNote(watch::Sender<ServerStart>);

impl Default for ServerStartNote {
    fn default() -> Self {
        Self(watch::Sender::new(ServerStart::Unknown))
    }
}

impl ServerStartNote {
    pub(crate) fn get(&self) -> ServerStart {
        *self.0.borrow()
    }

    fn set(&self, start: ServerStart) {
        self.0.send_replace(start);
    }

    /// How the server began, once its first bytes (or the end of the connection) have come.
    pub(crate) async fn settled(&self) -> ServerStart {
        let mut start = self.0.subscribe();
        match start.wait_for(|s| *s != ServerStart::Unknown).await {
            Ok(settled) => *settled,
            // The sender is `self`: it cannot be gone.
            Err(_) => ServerStart::Unknown,
        }
    }
}

/// What the opening and the loss of a connection do to the client's cache.
#[derive(Debug, Clone)]
struct Lifecycle {
    cache: Option<ResponseCache>,
    opened: Arc<AtomicU64>,
}

impl Lifecycle {
    /// A connection opened: every one after the first may reach another server process.
    fn opened(&self) {
        if self.opened.fetch_add(1, Ordering::SeqCst) > 0 {
            self.forget("a new connection");
        }
    }

    fn forget(&self, why: &'static str) {
        if let Some(cache) = &self.cache {
            tracing::debug!(why, "dropping the response cache");
            cache.invalidate_all();
        }
    }
}

/// Opens TCP connections for tonic's channel.
#[derive(Debug, Clone)]
pub(crate) struct Connector {
    note: Arc<ServerStartNote>,
    /// Whether the connections carry plaintext HTTP/2 (else TLS, and their bytes are not looked at).
    plaintext: bool,
    lifecycle: Lifecycle,
}

impl Connector {
    /// A connector noting server starts in `note` and dropping `cache` when connections end or reopen.
    pub(crate) fn new(
        note: Arc<ServerStartNote>,
        plaintext: bool,
        cache: Option<ResponseCache>,
    ) -> Self {
        Self {
            note,
            plaintext,
            lifecycle: Lifecycle {
                cache,
                opened: Arc::new(AtomicU64::new(0)),
            },
        }
    }
}

impl tower::Service<http::Uri> for Connector {
    type Response = TokioIo<NotingStream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Self::Response>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let note = Arc::clone(&self.note);
        let plaintext = self.plaintext;
        let lifecycle = self.lifecycle.clone();
        Box::pin(async move {
            let host = uri
                .host()
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no host"))?;
            // `[::1]` in a URI is `::1` to the resolver.
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let port = uri.port_u16().unwrap_or(if plaintext { 80 } else { 443 });
            let stream = TcpStream::connect((host, port)).await?;
            stream.set_nodelay(true)?;
            note.set(ServerStart::Unknown);
            lifecycle.opened();
            Ok(TokioIo::new(NotingStream {
                inner: stream,
                note: plaintext.then_some(note),
                first: Vec::new(),
                lifecycle: Some(lifecycle),
            }))
        })
    }
}

/// A TCP stream that notes how its server began, from the first bytes it reads, and when it ends.
#[derive(Debug)]
pub(crate) struct NotingStream {
    inner: TcpStream,
    /// `None` once the start is known (or with TLS).
    note: Option<Arc<ServerStartNote>>,
    first: Vec<u8>,
    /// `None` once the connection was lost.
    lifecycle: Option<Lifecycle>,
}

impl NotingStream {
    /// The connection ended (the server closed it, or reading or writing failed): once per connection.
    fn lost(&mut self) {
        if let Some(lifecycle) = self.lifecycle.take() {
            lifecycle.forget("the connection ended");
        }
    }

    /// Notes the server's start from `new` bytes read, or from the end of the connection (`ended`).
    fn note(&mut self, new: &[u8], ended: bool) {
        if self.note.is_none() {
            return;
        }
        let start = if ended {
            Some(if self.first.is_empty() {
                ServerStart::Closed
            } else {
                ServerStart::NotHttp2
            })
        } else {
            let wanted = 9usize.saturating_sub(self.first.len());
            self.first.extend_from_slice(&new[..new.len().min(wanted)]);
            ServerStart::of(&self.first)
        };
        if let Some(start) = start
            && let Some(note) = self.note.take()
        {
            note.set(start);
        }
    }

    /// After a failed write whose server start is not known: reads what the server sent before the
    /// connection broke (a broken connection is readable at once), then hands back the write's `result`.
    fn after_failed_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        result: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if self.note.is_none() || !matches!(result, Poll::Ready(Err(_))) {
            return result;
        }
        let mut buf = [0u8; 9];
        while self.note.is_some() {
            if self.inner.poll_read_ready(cx).is_pending() {
                // Woken once readable; the write is tried again then.
                return Poll::Pending;
            }
            match self.inner.try_read(&mut buf) {
                Ok(n) => self.note(&buf[..n], n == 0),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(_) => self.note(&[], true),
            }
        }
        result
    }
}

impl AsyncRead for NotingStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let room = buf.remaining() > 0;
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        match &result {
            Poll::Ready(Ok(())) if room && buf.filled().len() == before => self.lost(),
            Poll::Ready(Err(_)) => self.lost(),
            _ => {}
        }
        if self.note.is_some() {
            match &result {
                Poll::Ready(Ok(())) => {
                    let new = buf.filled()[before..].to_vec();
                    self.note(&new, new.is_empty());
                }
                Poll::Ready(Err(_)) => self.note(&[], true),
                Poll::Pending => {}
            }
        }
        result
    }
}

impl AsyncWrite for NotingStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(result, Poll::Ready(Err(_))) {
            self.lost();
        }
        self.after_failed_write(cx, result)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(result, Poll::Ready(Err(_))) {
            self.lost();
        }
        self.after_failed_write(cx, result)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
