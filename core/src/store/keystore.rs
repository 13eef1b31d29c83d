//! Where the device's and learner's secret keys live. The shells plug in the Android
//! Keystore or the iOS Keychain through [`KeyStore`]; the default keeps each key in a file
//! only its owner can read, beside the database.

use std::path::PathBuf;

use crate::keys::file::{read_secret, write_pair, KeyPairPaths};
use crate::keys::{KeyError, SecretKey};

/// A place to keep secret keys by name (`device`, `learner`).
pub trait KeyStore: Send + Sync {
    /// The key stored under `name`, if any.
    fn load(&self, name: &str) -> Result<Option<SecretKey>, KeyError>;
    /// Stores a new key under `name` (never overwriting one).
    fn save(&self, name: &str, key: &SecretKey) -> Result<(), KeyError>;
}

/// Keys in files (`NAME.key`, mode 0600, and `NAME.pub`) in one folder.
#[derive(Debug, Clone)]
pub struct FileKeyStore {
    dir: PathBuf,
}

impl FileKeyStore {
    /// Keys kept in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn paths(&self, name: &str) -> KeyPairPaths {
        KeyPairPaths::for_base(&self.dir.join(name))
    }
}

impl KeyStore for FileKeyStore {
    fn load(&self, name: &str) -> Result<Option<SecretKey>, KeyError> {
        let paths = self.paths(name);
        if !paths.secret.exists() {
            return Ok(None);
        }
        read_secret(&paths.secret).map(Some)
    }

    fn save(&self, name: &str, key: &SecretKey) -> Result<(), KeyError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| KeyError::File {
            path: self.dir.display().to_string(),
            source,
        })?;
        write_pair(key, &self.paths(name))
    }
}
