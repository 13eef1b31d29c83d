//! Errors of the `pack` concern. Every way a pack file can be wrong has its own variant
//! naming what is wrong, so `skillpack verify` and the apps can say it plainly.

use thiserror::Error;

use crate::keys::Fingerprint;
use crate::module::UnsoundModule;

/// What can go wrong reading, verifying or writing a pack.
#[derive(Debug, Error)]
pub enum PackError {
    /// The file does not start with the pack magic bytes.
    #[error("not a Skillpack pack (the file does not start with the pack signature bytes)")]
    NotAPack,
    /// A pack format this reader does not know.
    #[error(
        "pack format {major}.{minor} is not supported (this app reads formats 1.x and 2.x); update the app"
    )]
    UnsupportedVersion {
        /// The major version in the file.
        major: u16,
        /// The minor version in the file.
        minor: u16,
    },
    /// Header flags this reader does not know.
    #[error("the pack uses features this app does not know (flags {0:#x})")]
    UnknownFlags(u32),
    /// The file ends before the sizes in its header say it should.
    #[error("the pack is truncated: expected {expected} bytes, found {found}")]
    Truncated {
        /// Bytes the header accounts for.
        expected: u64,
        /// Bytes in the file.
        found: u64,
    },
    /// Bytes follow the last chunk.
    #[error("the pack has {0} unexpected bytes after its end")]
    TrailingBytes(u64),
    /// A length or count is beyond the format's limits.
    #[error("{what} is {value}, above the limit of {limit}")]
    LimitExceeded {
        /// What was too large.
        what: &'static str,
        /// The value found.
        value: u64,
        /// The limit.
        limit: u64,
    },
    /// The publisher's signature over the manifest does not verify.
    #[error("the publisher signature does not match: the pack was changed or damaged")]
    BadSignature,
    /// The publisher key in the header is not a valid Ed25519 key.
    #[error("the publisher key in the pack is not a valid key")]
    BadPublisherKey,
    /// The pack verifies but its publisher is not in the trust list.
    #[error("the pack is signed by an untrusted publisher (fingerprint {0})")]
    Untrusted(Fingerprint),
    /// The manifest could not be decompressed or parsed.
    #[error("the manifest is damaged: {0}")]
    BadManifest(String),
    /// The manifest is well-formed but inconsistent (paths, offsets, references).
    #[error("the manifest is invalid: {0}")]
    InvalidManifest(String),
    /// A chunk's bytes do not match the hash the manifest gives.
    #[error("chunk {index} is damaged (its hash does not match the manifest)")]
    ChunkHashMismatch {
        /// The chunk's position in the manifest.
        index: usize,
    },
    /// The bytes are a good pack, but not the one asked for (a download named by hash).
    #[error("the file is another pack than the one asked for (its hash is {found})")]
    NotTheOneAsked {
        /// The hash of what arrived.
        found: crate::hash::ContentHash,
    },
    /// A chunk does not decompress to the size the manifest gives.
    #[error("chunk {index} is damaged: {reason}")]
    BadChunk {
        /// The chunk's position in the manifest.
        index: usize,
        /// What went wrong.
        reason: String,
    },
    /// An entry's bytes do not match its hash.
    #[error("entry {path} is damaged (its hash does not match the manifest)")]
    EntryHashMismatch {
        /// The entry's path.
        path: String,
    },
    /// No chunk has this index.
    #[error("the pack has no chunk {0}")]
    NoSuchChunk(usize),
    /// No entry has this path.
    #[error("the pack has no entry {0}")]
    NoSuchEntry(String),
    /// A module's `module.json` verifies but is not a module this app reads.
    #[error("module {module} cannot be read: {detail}")]
    BadModule {
        /// The module.
        module: String,
        /// What is wrong with it.
        detail: String,
    },
    /// A module breaks a rule no device installs past (points, draws, pass mark, duplicate
    /// question ids, options), whoever signed it.
    #[error("module {module} cannot be installed: {why}")]
    Unsound {
        /// The module.
        module: String,
        /// The rule it breaks.
        why: UnsoundModule,
    },
    /// The pack being written is not valid (empty, duplicate paths, bad path).
    #[error("cannot build the pack: {0}")]
    Build(String),
    /// Compressing failed (zstd refused the input or ran out of memory).
    #[error("compression failed: {0}")]
    Compress(std::io::Error),
    /// The operation was cancelled by the caller.
    #[error("cancelled")]
    Cancelled,
    /// Reading or writing the file failed.
    #[error("pack I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl PackError {
    pub(crate) fn limit(what: &'static str, value: u64, limit: u64) -> Self {
        Self::LimitExceeded { what, value, limit }
    }
}
