//! What the end-to-end tests of the binary share: a served demo database and an SDK client of it, a viewer to
//! look at, and reading JSON fields.

use osirix_emulator::testing::Fixture;
use osirix_sdk::{Client, ViewerController};
use serde_json::Value;

/// The demo database (3 studies × 2 series × 5 images), served, with an SDK client of it.
pub(crate) async fn served() -> (Fixture, Client, String) {
    let fixture = Fixture::demo().await;
    let url = fixture.emulator.url();
    let client = Client::connect(url.clone())
        .await
        .expect("the SDK connects");
    (fixture, client, url)
}

/// A viewer opened on the first series of the first study.
pub(crate) async fn open_viewer(client: &Client) -> ViewerController {
    let browser = client.current_browser().await.expect("browser");
    let study = browser.database_studies().await.expect("studies").remove(0);
    let series = study.series().await.expect("series").remove(0);
    browser.open_viewer(&series).await.expect("a viewer opens")
}

/// The string field `key` of `value`.
pub(crate) fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is a string in {value}"))
}
