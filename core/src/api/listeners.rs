//! Callbacks the shells implement: where the device keys live (Android Keystore, iOS
//! Keychain), and progress with cancellation for long calls. A callback that throws becomes
//! `SkillpackError::Internal` for the call that made it, never a crash.

use std::sync::Arc;

use super::error::SkillpackError;
use crate::keys::{KeyError, SecretKey};
use crate::progress::Progress;
use crate::store::KeyStore as CoreKeyStore;

/// Keeps the device's secret keys (32-byte Ed25519 seeds) in the platform's protected
/// storage. The core asks for a key by name and saves a new one only when there is none.
#[uniffi::export(with_foreign)]
pub trait PlatformKeyStore: Send + Sync {
    /// The seed stored under `name`, or null if there is none.
    fn load(&self, name: String) -> Result<Option<Vec<u8>>, SkillpackError>;
    /// Stores a new seed under `name`.
    fn save(&self, name: String, seed: Vec<u8>) -> Result<(), SkillpackError>;
}

/// Hears how a long call is going, and may cancel it.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    /// `done` of `total` units (records, then bytes); called often, so keep it cheap.
    fn on_progress(&self, done: u64, total: u64);
    /// True to stop the call as soon as it safely can (it ends with `Cancelled`).
    fn is_cancelled(&self) -> bool;
}

/// The shell's key store as the core's.
pub(super) struct ShellKeys(pub Arc<dyn PlatformKeyStore>);

impl CoreKeyStore for ShellKeys {
    fn load(&self, name: &str) -> Result<Option<SecretKey>, KeyError> {
        let seed = self
            .0
            .load(name.to_owned())
            .map_err(|e| KeyError::Platform(e.to_string()))?;
        seed.map(|seed| {
            let seed: [u8; 32] = seed.as_slice().try_into().map_err(|_| {
                KeyError::Platform(format!("key {name}: {} bytes, not 32", seed.len()))
            })?;
            Ok(SecretKey::from_seed(&seed))
        })
        .transpose()
    }

    fn save(&self, name: &str, key: &SecretKey) -> Result<(), KeyError> {
        self.0
            .save(name.to_owned(), key.to_seed().to_vec())
            .map_err(|e| KeyError::Platform(e.to_string()))
    }
}

/// The shell's listener as the core's progress.
pub(super) struct ShellProgress(pub Option<Arc<dyn ProgressListener>>);

impl Progress for ShellProgress {
    fn on_progress(&self, done: u64, total: u64) {
        if let Some(listener) = &self.0 {
            listener.on_progress(done, total);
        }
    }

    fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|l| l.is_cancelled())
    }
}
