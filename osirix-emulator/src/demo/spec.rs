//! [`DemoSpec`]: the size and seed of a demo database, read by the generator and by the phantom it draws.

/// The size of a demo database and the seed of its values.
///
/// Build one from [`DemoSpec::DEFAULT`] so that fields added later keep their defaults:
///
/// ```
/// use osirix_emulator::demo::DemoSpec;
///
/// const SPEC: DemoSpec = DemoSpec { studies: 10, image_size: 32, ..DemoSpec::DEFAULT };
/// assert_eq!(SPEC.series_per_study, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DemoSpec {
    /// Number of studies (one patient each).
    pub studies: usize,
    /// Number of series in each study.
    pub series_per_study: usize,
    /// Number of images (files) in each series.
    pub images_per_series: usize,
    /// Seed of every generated value; the same seed gives the same files and uids.
    pub seed: u64,
    /// Rows and columns of every image (at least [`DemoSpec::MIN_IMAGE_SIZE`]); the [`Phantom`](super::Phantom) scales
    /// with it.
    pub image_size: u16,
    /// Adds one study after the others with a colour series and a multi-frame series (off by default);
    /// see [the module documentation](super).
    pub colour_and_multi_frame: bool,
}

impl DemoSpec {
    /// 3 studies × 2 series × 5 images of 64 × 64 pixels, seed 1, no colour or multi-frame study.
    pub const DEFAULT: DemoSpec = DemoSpec {
        studies: 3,
        series_per_study: 2,
        images_per_series: 5,
        seed: 1,
        image_size: 64,
        colour_and_multi_frame: false,
    };

    /// The smallest [`DemoSpec::image_size`]: the phantom's shapes need an eighth of the image.
    pub const MIN_IMAGE_SIZE: u16 = 8;
}

impl Default for DemoSpec {
    /// [`DemoSpec::DEFAULT`]: 3 studies × 2 series × 5 images of 64 × 64 pixels, seed 1, no colour or
    /// multi-frame study.
    fn default() -> Self {
        DemoSpec::DEFAULT
    }
}
