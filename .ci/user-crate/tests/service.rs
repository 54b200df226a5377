use osirix_emulator::Emulator;
use osirix_emulator::demo::{DemoSpec, generate};

#[tokio::test]
async fn counts_every_image_of_a_generated_database() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let catalog = generate(dir.path(), &DemoSpec::default())?;
    let expected = catalog.images().len() as u64;
    let emulator = Emulator::builder(catalog).start("127.0.0.1:0".parse()?).await?;

    let client = osirix_sdk::Client::connect(emulator.url()).await?;
    assert_eq!(user_service::count_images(&client).await?, expected);

    emulator.shutdown().await?;
    Ok(())
}
