//! A stand-in for a user's service: one function that uses the SDK.

/// How many images the OsiriX database holds, over every study and series.
///
/// # Errors
/// Any error of the calls.
pub async fn count_images(client: &osirix_sdk::Client) -> osirix_sdk::Result<u64> {
    let mut images = 0;
    for study in client.current_browser().await?.database_studies().await? {
        for series in study.series().await? {
            images += u64::from(series.number_of_images().await?);
        }
    }
    Ok(images)
}
