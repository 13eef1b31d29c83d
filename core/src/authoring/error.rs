//! Errors of the `authoring` concern: reading module folders and building packs.

use std::path::PathBuf;

use thiserror::Error;

use crate::module::Diagnostics;
use crate::pack::PackError;

/// What can stop a trainer's build.
#[derive(Debug, Error)]
pub enum AuthoringError {
    /// A file or folder could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying failure.
        source: std::io::Error,
    },
    /// A module folder is larger than any 15-minute module should be.
    #[error("{}: {what} exceeds {limit}", path.display())]
    TooLarge {
        /// The folder or file.
        path: PathBuf,
        /// What was too large.
        what: &'static str,
        /// The limit, in words.
        limit: String,
    },
    /// A file name that cannot travel in a pack (not UTF-8, or a symbolic link).
    #[error("{}: {why}", path.display())]
    BadFile {
        /// The file.
        path: PathBuf,
        /// Why it cannot be used.
        why: &'static str,
    },
    /// One or more modules have errors; each report lists every problem.
    #[error("{} module(s) have errors", .0.len())]
    Invalid(Vec<(PathBuf, Diagnostics)>),
    /// The pack options are not usable (id, version).
    #[error("{0}")]
    Options(String),
    /// Building the pack failed.
    #[error(transparent)]
    Pack(#[from] PackError),
}
