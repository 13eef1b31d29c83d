//! The learner's device: one object that the phones' facade (`api`) and the terminal
//! (`skillpack device`, `skillpack preview`) both drive, so a rule of the learner's side has
//! one home and a terminal reproduces what a phone does. It owns the store, the attempt's
//! seed and monotonic clock, the learner's credentials (`credentials`), and, with feature
//! `client`, syncing within the learner's data settings. The facade only converts; the store keeps every byte.

mod attempt;
mod badges;
mod clock;
mod credentials;
#[cfg(feature = "client")]
mod hub;
mod portfolio;
mod presentations;
mod results;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use chrono::Utc;

pub use attempt::{AttemptView, SubmitView};
pub use clock::AttemptClock;
#[cfg(feature = "client")]
pub use credentials::CredentialCheck;
pub use portfolio::{
    CredentialKind, IssuerCredentials, MilestoneProgress, PartProgress, Portfolio, PortfolioEntry,
};
pub use presentations::{
    ListedRevocation, PresentationCheck, PresentationFile, PresentedCredential, SummaryCheck,
    MAX_PRESENTATION_FILE,
};
pub use results::ResultView;

use crate::keys::backup::IdentityBackup;
use crate::store::{CatalogEntry, KeyStore, Store, StoreError};
use crate::Result;

/// The folder, inside the device's folder, where downloads wait until installed (a cut
/// download resumes from there).
const DOWNLOADS_DIR: &str = "downloads";

/// A learner's device: its store in a folder, and what it keeps while the app runs.
#[derive(Debug)]
pub struct Device {
    dir: PathBuf,
    store: Store,
    clock: AttemptClock,
}

impl Device {
    /// Opens the device in `dir`, which must hold a store ([`Device::create`] makes one):
    /// a mistyped folder is an error, never a new learner identity.
    pub fn open(dir: &Path) -> Result<Self> {
        if !Store::exists(dir) {
            return Err(StoreError::NoStore {
                dir: dir.display().to_string(),
            }
            .into());
        }
        Self::create(dir)
    }

    /// Opens the device in `dir`, making its store and keys (in files in `dir`) the first
    /// time.
    pub fn create(dir: &Path) -> Result<Self> {
        Ok(Self::with_store(dir, Store::open(dir)?))
    }

    /// Opens (or makes) the device in `dir` with its keys in `keys` (the platform's key
    /// store on a phone).
    pub fn create_with(dir: &Path, keys: &dyn KeyStore) -> Result<Self> {
        Ok(Self::with_store(dir, Store::open_with(dir, keys)?))
    }

    /// Brings the learner back on this device (a new phone) from their identity backup (its
    /// armored file, or its QR codes' texts one per line) and passphrase: the device then
    /// speaks for that learner, whose results and credentials stay theirs. Only a device
    /// with no results or registration of its own learner yet may take another
    /// ([`StoreError::IdentityInUse`]). `keys` is where the device's keys live (as given to
    /// [`Device::create_with`]; [`Store::file_keys`] for [`Device::create`]).
    pub fn restore_identity(
        &self,
        keys: &dyn KeyStore,
        backup: &str,
        passphrase: &str,
    ) -> Result<Self> {
        let learner = IdentityBackup::parse(backup)?.open(passphrase)?;
        self.store.adopt_learner(keys, &learner)?;
        Self::create_with(&self.dir, keys)
    }

    /// The device's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The learner's key sealed under `passphrase`, as a file and as QR codes, for the
    /// learner to keep off the phone.
    pub fn export_identity(&self, passphrase: &str) -> Result<IdentityBackup> {
        Ok(self.store.identity_backup(passphrase)?)
    }

    fn with_store(dir: &Path, store: Store) -> Self {
        Self {
            dir: dir.to_owned(),
            store,
            clock: AttemptClock::default(),
        }
    }

    /// The device's store: installed packs, progress, records, settings, keys.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Every installed module with where the learner stands, as of now.
    pub fn catalog(&self) -> Result<Vec<CatalogEntry>> {
        Ok(self.store.catalog(Utc::now())?)
    }

    /// Where downloads wait until installed.
    pub fn downloads_dir(&self) -> PathBuf {
        self.dir.join(DOWNLOADS_DIR)
    }
}
