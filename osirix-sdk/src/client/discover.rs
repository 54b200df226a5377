//! Discovery: finding OsiriXgrpc's server list, reading it, and connecting to the first active server that
//! answers.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::builder::ClientBuilder;
use super::state::Client;
use crate::error::{DiscoveryProblem, Error, Result};

/// The environment variable that, when set and not empty, names the server list to read instead of the
/// default place.
pub const SERVER_CONFIGS_ENV: &str = "OSIRIX_SERVER_CONFIGS";

/// Where OsiriXgrpc saves its servers, under the home folder. The plugin writes `OsiriXGRPC`; pyosirix looks
/// in `OsirixGRPC`, and both spellings exist on disk, so both are looked for, in this order.
const DEFAULT_DIRS: [&str; 2] = [
    "Library/Application Support/OsiriXGRPC",
    "Library/Application Support/OsirixGRPC",
];

/// The file's name in those folders.
const FILE_NAME: &str = "server_configs.json";

/// One entry of the server list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEntry {
    /// The `ipaddress` field, as written (OsiriX accepts only `127.0.0.1`).
    pub address: String,
    /// The `port` field (a string in the file), parsed.
    pub port: u16,
    /// Whether `active` is `"YES"`.
    pub active: bool,
}

impl ServerEntry {
    /// The plaintext endpoint of the entry (`http://ADDRESS:PORT`; an IPv6 address in brackets). OsiriX
    /// speaks plaintext only, so the list carries no scheme.
    pub fn endpoint(&self) -> String {
        if self.address.contains(':') && !self.address.starts_with('[') {
            format!("http://[{}]:{}", self.address, self.port)
        } else {
            format!("http://{}:{}", self.address, self.port)
        }
    }
}

/// Finds the server list: the path in `env` (the value of [`SERVER_CONFIGS_ENV`]) when it is set and not
/// empty, else `server_configs.json` under `home` in the first of `OsiriXGRPC` and `OsirixGRPC` that holds
/// one. [`ClientBuilder::discover`] calls it with the process's environment; it takes them as arguments so
/// that the lookup can be tested without touching process-global state.
///
/// # Errors
/// [`Error::Discovery`] with [`DiscoveryProblem::NoHome`] when `env` is unset and `home` is `None`, and
/// [`DiscoveryProblem::Missing`] (naming both places) when neither default file exists. A path from `env` is
/// returned whether it exists or not; reading it reports a missing file.
pub fn locate_server_configs(env: Option<&OsStr>, home: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = env.filter(|value| !value.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    let Some(home) = home else {
        return Err(discovery(
            Path::new("~").join(DEFAULT_DIRS[0]).join(FILE_NAME),
            DiscoveryProblem::NoHome,
        ));
    };
    let [first, second] = DEFAULT_DIRS.map(|dir| home.join(dir).join(FILE_NAME));
    for path in [&first, &second] {
        if path.is_file() {
            return Ok(path.clone());
        }
    }
    Err(discovery(
        first,
        DiscoveryProblem::Missing { also: Some(second) },
    ))
}

/// Reads and parses the server list at `path`.
///
/// # Errors
/// [`Error::Discovery`]: [`DiscoveryProblem::Missing`], [`DiscoveryProblem::Unreadable`],
/// [`DiscoveryProblem::Empty`] or [`DiscoveryProblem::Malformed`].
pub fn read_server_configs(path: &Path) -> Result<Vec<ServerEntry>> {
    let text = std::fs::read(path).map_err(|e| {
        let problem = if e.kind() == std::io::ErrorKind::NotFound {
            DiscoveryProblem::Missing { also: None }
        } else {
            DiscoveryProblem::Unreadable(Arc::new(e))
        };
        discovery(path.to_owned(), problem)
    })?;
    parse_server_configs(&text).map_err(|problem| discovery(path.to_owned(), problem))
}

/// Parses the text of a server list: a JSON array of `{"ipaddress", "port", "active"}` objects, the port a
/// string (a number is accepted too) and `active` `"YES"` or `"NO"` (in any case). Other keys are ignored.
fn parse_server_configs(text: &[u8]) -> Result<Vec<ServerEntry>, DiscoveryProblem> {
    let malformed = |reason: String| DiscoveryProblem::Malformed(reason);
    let value: serde_json::Value =
        serde_json::from_slice(text).map_err(|e| malformed(format!("not JSON: {e}")))?;
    let serde_json::Value::Array(items) = value else {
        return Err(malformed("not a JSON array".into()));
    };
    if items.is_empty() {
        return Err(DiscoveryProblem::Empty);
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            parse_entry(item).map_err(|reason| malformed(format!("entry {i}: {reason}")))
        })
        .collect()
}

/// One entry, or what is wrong with it.
fn parse_entry(item: &serde_json::Value) -> Result<ServerEntry, String> {
    let serde_json::Value::Object(fields) = item else {
        return Err("not an object".into());
    };
    let string = |key: &str| match fields.get(key) {
        Some(serde_json::Value::String(text)) => Ok(text.trim()),
        Some(_) => Err(format!("`{key}` is not a string")),
        None => Err(format!("no `{key}`")),
    };
    let address = string("ipaddress")?;
    if address.is_empty() {
        return Err("`ipaddress` is empty".into());
    }
    let port = match fields.get("port") {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => string("port")?.to_owned(),
    };
    let port = port
        .parse::<u16>()
        .ok()
        .filter(|&p| p != 0)
        .ok_or_else(|| format!("`port` {port:?} is not a port number (1 to 65535)"))?;
    let active = match string("active")? {
        a if a.eq_ignore_ascii_case("YES") => true,
        a if a.eq_ignore_ascii_case("NO") => false,
        other => return Err(format!("`active` is {other:?}, not \"YES\" or \"NO\"")),
    };
    Ok(ServerEntry {
        address: address.to_owned(),
        port,
        active,
    })
}

fn discovery(path: PathBuf, problem: DiscoveryProblem) -> Error {
    Error::Discovery {
        path: path.into(),
        problem,
    }
}

impl ClientBuilder {
    /// Finds OsiriX by itself: reads OsiriXgrpc's server list (the path in `OSIRIX_SERVER_CONFIGS` when it is
    /// set, else `~/Library/Application Support/OsiriXGRPC/server_configs.json` or its `OsirixGRPC` spelling;
    /// see [`locate_server_configs`]) and connects, as [`ClientBuilder::connect`] does, to the first active
    /// entry that answers, in the file's order. Every other setting of the builder applies; an endpoint given
    /// to [`Client::builder`] is ignored. Start from [`ClientBuilder::default`].
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use osirix_sdk::ClientBuilder;
    ///
    /// # async fn demo() -> osirix_sdk::Result<()> {
    /// let client = ClientBuilder::default()
    ///     .connect_timeout(Some(Duration::from_secs(1)))
    ///     .discover()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Discovery`] naming the path and the problem: no file, an unreadable, empty or malformed one,
    /// no active entry, or none that answered (each endpoint tried, with its error).
    pub async fn discover(self) -> Result<Client> {
        let env = std::env::var_os(SERVER_CONFIGS_ENV);
        let home = std::env::home_dir();
        let path = locate_server_configs(env.as_deref(), home.as_deref())?;
        self.discover_from(&path).await
    }

    /// [`ClientBuilder::discover`] with the server list at `path`, whatever the environment says.
    ///
    /// # Errors
    /// As [`ClientBuilder::discover`].
    pub async fn discover_from(self, path: impl AsRef<Path>) -> Result<Client> {
        let path = path.as_ref();
        let entries = read_server_configs(path)?;
        let mut tried = Vec::new();
        for entry in entries.iter().filter(|entry| entry.active) {
            let endpoint = entry.endpoint();
            match self.handshake(&endpoint).await {
                Ok((channel, note, cache)) => {
                    tracing::debug!(%endpoint, "discovered the OsiriX server");
                    return Ok(self.finish(channel, note, cache));
                }
                Err(error) => tried.push((endpoint, error)),
            }
        }
        let problem = if tried.is_empty() {
            DiscoveryProblem::AllInactive {
                entries: entries.len(),
            }
        } else {
            DiscoveryProblem::NoneAnswered(tried)
        };
        Err(discovery(path.to_owned(), problem))
    }
}

impl Client {
    /// Finds OsiriX by its server list and connects with the default settings: [`ClientBuilder::discover`].
    ///
    /// # Errors
    /// As [`ClientBuilder::discover`].
    pub async fn discover() -> Result<Self> {
        ClientBuilder::default().discover().await
    }

    /// Connects with the default settings to the first active server of the list at `path` that answers:
    /// [`ClientBuilder::discover_from`].
    ///
    /// # Errors
    /// As [`ClientBuilder::discover`].
    pub async fn discover_from(path: impl AsRef<Path>) -> Result<Self> {
        ClientBuilder::default().discover_from(path).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<ServerEntry>, DiscoveryProblem> {
        parse_server_configs(text.as_bytes())
    }

    #[test]
    fn entries_parse_in_order() {
        let entries = parse(
            r#"[{"ipaddress": "127.0.0.1", "port": "50001", "active": "NO"},
                {"ipaddress": "127.0.0.1", "port": 50003, "active": "yes", "name": "extra"},
                {"ipaddress": "::1", "port": "50051", "active": "YES"}]"#,
        )
        .expect("valid");
        assert_eq!(
            entries,
            [
                ServerEntry {
                    address: "127.0.0.1".into(),
                    port: 50001,
                    active: false
                },
                ServerEntry {
                    address: "127.0.0.1".into(),
                    port: 50003,
                    active: true
                },
                ServerEntry {
                    address: "::1".into(),
                    port: 50051,
                    active: true
                },
            ]
        );
        assert_eq!(entries[0].endpoint(), "http://127.0.0.1:50001");
        assert_eq!(entries[2].endpoint(), "http://[::1]:50051");
    }

    #[test]
    fn bad_lists_say_what_is_wrong() {
        assert!(matches!(parse("[]"), Err(DiscoveryProblem::Empty)));
        assert!(matches!(parse("  [ ] "), Err(DiscoveryProblem::Empty)));
        for (text, says) in [
            ("", "not JSON"),
            ("[{", "not JSON"),
            ("{}", "not a JSON array"),
            ("[1]", "entry 0: not an object"),
            (r#"[{"port": "1", "active": "YES"}]"#, "no `ipaddress`"),
            (
                r#"[{"ipaddress": "", "port": "1", "active": "YES"}]"#,
                "`ipaddress` is empty",
            ),
            (
                r#"[{"ipaddress": 7, "port": "1", "active": "YES"}]"#,
                "`ipaddress` is not a string",
            ),
            (r#"[{"ipaddress": "h", "active": "YES"}]"#, "no `port`"),
            (
                r#"[{"ipaddress": "h", "port": "0", "active": "YES"}]"#,
                "not a port number",
            ),
            (
                r#"[{"ipaddress": "h", "port": "65536", "active": "YES"}]"#,
                "not a port number",
            ),
            (
                r#"[{"ipaddress": "h", "port": "x", "active": "YES"}]"#,
                "not a port number",
            ),
            (
                r#"[{"ipaddress": "h", "port": -1, "active": "YES"}]"#,
                "not a port number",
            ),
            (r#"[{"ipaddress": "h", "port": "1"}]"#, "no `active`"),
            (
                r#"[{"ipaddress": "h", "port": "1", "active": true}]"#,
                "`active` is not a string",
            ),
            (
                r#"[{"ipaddress": "h", "port": "1", "active": "maybe"}]"#,
                "not \"YES\" or \"NO\"",
            ),
            (
                r#"[{"ipaddress": "h", "port": "1", "active": "NO"}, 2]"#,
                "entry 1: not an object",
            ),
        ] {
            match parse(text) {
                Err(DiscoveryProblem::Malformed(reason)) => {
                    assert!(reason.contains(says), "{text}: {reason}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn the_environment_overrides_the_default_place() {
        let home = Path::new("/nonexistent-home");
        assert_eq!(
            locate_server_configs(Some(OsStr::new("/x/list.json")), Some(home)).expect("env"),
            Path::new("/x/list.json")
        );
        // An empty variable counts as unset; so does no variable.
        for env in [Some(OsStr::new("")), None] {
            let err = locate_server_configs(env, Some(home)).expect_err("nothing there");
            let text = err.to_string();
            assert!(
                text.contains(
                    "/nonexistent-home/Library/Application Support/OsiriXGRPC/server_configs.json"
                ) && text.contains("OsirixGRPC/server_configs.json"),
                "{text}"
            );
        }
        let err = locate_server_configs(None, None).expect_err("no home");
        assert!(
            matches!(
                &err,
                Error::Discovery {
                    problem: DiscoveryProblem::NoHome,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn either_letter_case_of_the_folder_is_found() {
        let home = std::env::temp_dir().join(format!("osirix-discover-{}", std::process::id()));
        for dir in DEFAULT_DIRS.iter().rev() {
            let _ = std::fs::remove_dir_all(&home);
            let folder = home.join(dir);
            std::fs::create_dir_all(&folder).expect("mkdir");
            std::fs::write(folder.join(FILE_NAME), "[]").expect("write");
            // On a case-insensitive file system both spellings name the same folder: either answer is right.
            let found = locate_server_configs(None, Some(&home)).expect("found");
            assert!(found.is_file() && found.ends_with(FILE_NAME), "{found:?}");
            assert!(
                DEFAULT_DIRS
                    .iter()
                    .any(|d| found == home.join(d).join(FILE_NAME)),
                "{found:?}"
            );
        }
        let _ = std::fs::remove_dir_all(&home);
    }
}
