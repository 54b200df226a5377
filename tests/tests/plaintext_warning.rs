//! The warning a client logs when it will send plaintext off the host: it depends on the scheme actually used,
//! and loopback names (any case, IPv4-mapped IPv6 too) do not get it. In a test binary of its own: tracing's
//! callsite interest is process-wide, and tests running beside this one with no subscriber could disable the
//! warning's callsite.

use std::sync::{Arc, Mutex};

use osirix_sdk::Client;
use osirix_sdk::tonic::transport::ClientTlsConfig;

/// Everything logged while `f` runs, as text.
fn logged(f: impl FnOnce()) -> String {
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Capture {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    let bytes = capture.0.lock().expect("lock").clone();
    String::from_utf8(bytes).expect("text")
}

/// Whether building a lazy client of `url` (with TLS settings or not) logs the plaintext warning.
fn warns(url: &str, tls: bool) -> bool {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let _inside = runtime.enter();
    let log = logged(|| {
        let mut builder = Client::builder(url);
        if tls {
            builder = builder.tls(ClientTlsConfig::new().domain_name("osirix.example"));
        }
        let _ = builder.connect_lazy();
    });
    log.contains("plaintext")
}

#[test]
fn loopback_endpoints_do_not_warn() {
    for url in [
        "http://127.0.0.1:50051",
        "http://127.8.9.10:50051",
        "http://localhost:50051",
        "http://LOCALHOST:50051",
        "http://LocalHost:50051",
        "http://[::1]:50051",
        "http://[::ffff:127.0.0.1]:50051",
    ] {
        assert!(!warns(url, false), "{url}");
    }
}

#[test]
fn plaintext_to_another_host_warns() {
    for url in [
        "http://10.1.2.3:50051",
        "http://osirix.example:50051",
        "http://[::ffff:10.1.2.3]:50051",
        "http://[2001:db8::1]:50051",
    ] {
        assert!(warns(url, false), "{url}");
    }
}

#[test]
fn the_warning_follows_the_scheme_not_the_tls_settings() {
    // TLS settings with an http:// endpoint are refused at build time; nothing is sent, nothing warned.
    assert!(!warns("http://10.1.2.3:50051", true));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let _inside = runtime.enter();
    assert!(
        Client::builder("http://10.1.2.3:50051")
            .tls(ClientTlsConfig::new())
            .connect_lazy()
            .is_err()
    );
    // An https:// endpoint is encrypted, with or without explicit settings.
    assert!(!warns("https://10.1.2.3:50051", true));
    assert!(!warns("https://10.1.2.3:50051", false));
}
