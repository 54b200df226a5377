//! A tower layer recording what the SDK puts on the wire: attempts (retries included), `authorization` headers
//! and request paths.

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use osirix_sdk::{BoxError, HttpService};
use tonic::body::Body;
use tower::{Layer, Service};

/// Counts the HTTP requests (attempts, retries included) the SDK sends and records their `authorization`
/// headers; install it with [`WireRecorder::layer`] on [`osirix_sdk::ClientBuilder::layer`].
#[derive(Debug, Default)]
pub struct WireRecorder {
    attempts: AtomicU64,
    authorization: Mutex<HashSet<String>>,
    paths: Mutex<HashSet<String>>,
}

impl WireRecorder {
    /// A new recorder.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The layer to pass to `ClientBuilder::layer`.
    pub fn layer(self: &Arc<Self>) -> RecorderLayer {
        RecorderLayer {
            recorder: self.clone(),
        }
    }

    /// HTTP requests sent so far.
    pub fn attempts(&self) -> u64 {
        self.attempts.load(Ordering::Relaxed)
    }

    /// The distinct `authorization` header values sent ("" for requests without one).
    pub fn authorizations(&self) -> HashSet<String> {
        self.authorization
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The distinct request paths sent.
    pub fn paths(&self) -> HashSet<String> {
        self.paths
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// The tower layer of a [`WireRecorder`].
#[derive(Debug, Clone)]
pub struct RecorderLayer {
    recorder: Arc<WireRecorder>,
}

impl Layer<HttpService> for RecorderLayer {
    type Service = Recording;

    fn layer(&self, inner: HttpService) -> Recording {
        Recording {
            inner,
            recorder: self.recorder.clone(),
        }
    }
}

/// The service of a [`RecorderLayer`].
#[derive(Clone)]
pub struct Recording {
    inner: HttpService,
    recorder: Arc<WireRecorder>,
}

impl fmt::Debug for Recording {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recording").finish_non_exhaustive()
    }
}

impl Service<http::Request<Body>> for Recording {
    type Response = http::Response<Body>;
    type Error = BoxError;
    type Future = <HttpService as Service<http::Request<Body>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let recorder = &self.recorder;
        recorder.attempts.fetch_add(1, Ordering::Relaxed);
        let authorization = request
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap_or("<not ascii>").to_owned());
        {
            let mut seen = recorder
                .authorization
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let value = authorization.unwrap_or_default();
            if !seen.contains(&value) {
                seen.insert(value);
            }
        }
        {
            let mut paths = recorder
                .paths
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !paths.contains(request.uri().path()) {
                paths.insert(request.uri().path().to_owned());
            }
        }
        self.inner.call(request)
    }
}
