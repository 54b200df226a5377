// One bad line in a block costs only itself: the other accessors of the class are generated, the bad one gets
// a stub with its signature, and every call site below compiles. The only errors are the declaration's own.
osirix_sdk::osirix_class! {
    #[osirix(wire = "DicomSeries")]
    pub class Series {
        #[rpc(DicomSeriesModality, cache)]
        pub fn modality() -> String = modality;

        #[rpc(DicomSeriesName, cahce)]
        pub fn name() -> String = name;

        #[rpc(DicomSeriesNumberOfImages, cache(growable))]
        pub fn number_of_images() -> u32 = number_of_images;

        #[rpc(DicomSeriesPaths)]
        pub fn paths() -> Vec<String> = ;

        #[rpc(DicomSeriesSeriesInstanceUID, cache)]
        pub fn series_instance_uid() -> String = series_instance_uid;
    }
}

async fn use_all(series: &Series) -> osirix_sdk::Result<()> {
    let _: String = series.modality().await?;
    let _: String = series.name().await?;
    let _: u32 = series.number_of_images().await?;
    let _: Vec<String> = series.paths().await?;
    let _: String = series.series_instance_uid().await?;
    Ok(())
}

fn main() {
    let _ = use_all;
}
