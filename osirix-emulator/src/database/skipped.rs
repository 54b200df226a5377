//! [`SkippedFile`]: a file left out of the database, shared by the scan that finds it and the catalogue
//! that lists it.

use std::path::PathBuf;

/// A file the database left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SkippedFile {
    /// The file, as found under the folder read or as given to an import.
    pub path: PathBuf,
    /// Why it was left out (not DICOM, refused by the structural check, unreadable, incomplete, a duplicate).
    pub reason: String,
}

impl SkippedFile {
    pub(crate) fn new(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
