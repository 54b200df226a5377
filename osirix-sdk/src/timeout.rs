//! Time limits. OsiriX applies none and serves every call on its UI thread, which a modal dialog can block for
//! ever, so the SDK bounds each attempt and each whole call by default.

use std::time::Duration;

/// Time limits of the client.
///
/// ```
/// use std::time::Duration;
/// use osirix_sdk::TimeoutConfig;
///
/// let t = TimeoutConfig::default().with_attempt(Some(Duration::from_secs(5)));
/// assert_eq!(t.attempt(), Some(Duration::from_secs(5)));
/// assert_eq!(TimeoutConfig::disabled().call(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct TimeoutConfig {
    connect: Option<Duration>,
    attempt: Option<Duration>,
    call: Option<Duration>,
}

impl Default for TimeoutConfig {
    /// Connect: 5 s. One attempt: 30 s. A whole call, retries and backoff included: 60 s.
    fn default() -> Self {
        Self {
            connect: Some(Duration::from_secs(5)),
            attempt: Some(Duration::from_secs(30)),
            call: Some(Duration::from_secs(60)),
        }
    }
}

impl TimeoutConfig {
    /// No time limits at all (as pyosirix: a blocked OsiriX then blocks the caller).
    pub fn disabled() -> Self {
        Self {
            connect: None,
            attempt: None,
            call: None,
        }
    }

    /// The limit on opening a TCP connection.
    pub fn with_connect(mut self, limit: Option<Duration>) -> Self {
        self.connect = limit;
        self
    }

    /// The limit on one attempt (one RPC on the wire).
    pub fn with_attempt(mut self, limit: Option<Duration>) -> Self {
        self.attempt = limit;
        self
    }

    /// The limit on a whole call, retries and backoff included.
    pub fn with_call(mut self, limit: Option<Duration>) -> Self {
        self.call = limit;
        self
    }

    /// The connect limit.
    pub fn connect(&self) -> Option<Duration> {
        self.connect
    }

    /// The per-attempt limit.
    pub fn attempt(&self) -> Option<Duration> {
        self.attempt
    }

    /// The whole-call limit.
    pub fn call(&self) -> Option<Duration> {
        self.call
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_as_documented() {
        let t = TimeoutConfig::default();
        assert_eq!(t.connect(), Some(Duration::from_secs(5)));
        assert_eq!(t.attempt(), Some(Duration::from_secs(30)));
        assert_eq!(t.call(), Some(Duration::from_secs(60)));
        let off = TimeoutConfig::disabled();
        assert_eq!(
            (off.connect(), off.attempt(), off.call()),
            (None, None, None)
        );
    }
}
