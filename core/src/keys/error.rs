//! Errors of the `keys` concern: malformed key text, bad signatures, key files.

use thiserror::Error;

/// What can go wrong when reading, writing or using an Ed25519 key.
#[derive(Debug, Error)]
pub enum KeyError {
    /// The text is not a key in any encoding we read.
    #[error("not a key: {0}")]
    Malformed(String),
    /// The bytes decode but are not a valid Ed25519 public key.
    #[error("not a valid Ed25519 public key")]
    InvalidPublicKey,
    /// A signature did not verify under the expected key.
    #[error("signature does not verify")]
    BadSignature,
    /// The operating system's random source failed.
    #[error("no randomness available to make a key: {0}")]
    Random(String),
    /// A key file could not be read or written.
    #[error("key file {path}: {source}")]
    File {
        /// The file in question.
        path: String,
        /// The underlying I/O failure.
        source: std::io::Error,
    },
    /// A key file is larger than any key file we write.
    #[error("key file {0} is too large to be a key")]
    FileTooLarge(String),
    /// The platform's key store (Android Keystore, iOS Keychain) failed or gave a bad key.
    #[error("the platform key store: {0}")]
    Platform(String),
    /// An identity backup could not be written or read (not the passphrase: see
    /// [`KeyError::WrongPassphrase`]).
    #[error("identity backup: {0}")]
    Backup(String),
    /// The passphrase does not open the identity backup.
    #[error("the passphrase does not open this backup")]
    WrongPassphrase,
    /// The passphrase is too short to protect a backup that may be lost.
    #[error(
        "a backup's passphrase needs at least {} characters (a few words are easy to remember)",
        super::backup::MIN_PASSPHRASE_CHARS
    )]
    WeakPassphrase,
}
