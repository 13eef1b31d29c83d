//! The learner's device: one SQLite database per device holding installed packs (their
//! chunks shared across packs), progress, attempts, signed result records (the outbox is the
//! part no hub has acknowledged) and settings, plus the device and learner keys through a
//! [`KeyStore`]. Opening checks the schema and the records written since the last check.

mod content;
mod credentials;
mod db;
mod elsewhere;
mod error;
mod grants;
mod history;
mod index;
mod install;
mod issuer_documents;
mod keystore;
mod library;
pub mod migrate;
mod presentations;
mod results;
mod revocation;
mod schema;
mod settings;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};

pub use credentials::HeldCredential;
pub use elsewhere::HistoryTaken;
pub use error::StoreError;
pub use grants::HeldGrant;
pub use install::{InstallReport, InstalledPack};
pub use keystore::{FileKeyStore, KeyStore};
pub use library::{CatalogEntry, LessonContent, MediaItem, ModuleState};
pub use presentations::CHALLENGE_LIFETIME;
pub use results::CheckReport;
pub use revocation::{
    ListReading, ListRecorded, RevocationState, RevocationTarget, MAX_REASON_CHARS,
};
pub use settings::{CachedCatalog, LearnerSettings, Registration};

use crate::keys::{PublicKey, SecretKey};

/// The folder (inside the store folder) where [`FileKeyStore`] keeps keys by default.
pub const KEYS_DIR: &str = "keys";

/// A module read from its pack: its description, and where its files live.
struct OpenModule {
    module: crate::module::Module,
    index: index::ModuleIndex,
}

/// How many parsed modules a store keeps at hand (the one being studied, and a few more).
const KEPT_MODULES: usize = 4;

/// An open device store.
pub struct Store {
    conn: Mutex<Connection>,
    /// Prepared dictionaries of the packs read last, so a lesson read does not prepare one.
    dictionaries: content::Dictionaries,
    /// Modules read last, parsed.
    modules: content::Recent<String, OpenModule>,
    device: SecretKey,
    learner: SecretKey,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("device", &self.device.public_key())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Whether `dir` holds a store (its database file).
    pub fn exists(dir: &Path) -> bool {
        dir.join(db::DB_FILE).is_file()
    }

    /// Opens (or creates) the store in `dir` with keys in files beside it (`dir/keys`).
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(dir, &Self::file_keys(dir))
    }

    /// The key store [`Store::open`] uses for the store in `dir`: files in `dir/keys`.
    pub fn file_keys(dir: &Path) -> FileKeyStore {
        FileKeyStore::new(dir.join(KEYS_DIR))
    }

    /// Opens (or creates) the store in `dir`, keeping keys in `keys`. On first open it makes
    /// the device key and the learner key. It then checks the records written since the last
    /// check ([`Store::check_recent`]), so opening costs the same after years of results.
    pub fn open_with(dir: &Path, keys: &dyn KeyStore) -> Result<Self, StoreError> {
        let mut conn = db::open(dir)?;
        let device = load_or_make(keys, "device")?;
        let learner = load_or_make(keys, &settings::learner_key_name(&conn)?)?;
        db::write(&mut conn, |tx| {
            for (name, key) in [("device", &device), ("learner", &learner)] {
                let did = key.public_key().to_did_key();
                let stored: Option<String> = tx
                    .query_row("SELECT did FROM identity WHERE name = ?1", [name], |r| {
                        r.get(0)
                    })
                    .optional()?;
                match stored {
                    None => {
                        tx.execute(
                            "INSERT INTO identity (name, did) VALUES (?1, ?2)",
                            params![name, did],
                        )?;
                    }
                    Some(s) if s != did => {
                        return Err(StoreError::Damaged(format!(
                            "the {name} key does not match the one this store was made with"
                        )))
                    }
                    Some(_) => {}
                }
            }
            Ok(())
        })?;
        let store = Self {
            conn: Mutex::new(conn),
            dictionaries: content::Dictionaries::default(),
            modules: content::Recent::new(KEPT_MODULES),
            device,
            learner,
        };
        store.check_recent()?;
        Ok(store)
    }

    /// Makes `learner` (restored from the learner's backup) this device's learner, in place of
    /// the identity the store was made with. Only a store that has not yet spoken for that
    /// identity may change it: no results and no registration with a hub. The new key goes
    /// into `keys` under a name of its own (a key store never overwrites), and the store
    /// must be opened again to use it.
    pub fn adopt_learner(
        &self,
        keys: &dyn KeyStore,
        learner: &SecretKey,
    ) -> Result<(), StoreError> {
        let did = learner.public_key().to_did_key();
        if did == self.learner_did() {
            return Ok(());
        }
        let mut conn = self.lock();
        let records: i64 = conn.query_row("SELECT count(*) FROM records", [], |r| r.get(0))?;
        let attempts: i64 = conn.query_row("SELECT count(*) FROM attempts", [], |r| r.get(0))?;
        if records + attempts > 0 || settings::is_registered(&conn)? {
            return Err(StoreError::IdentityInUse);
        }
        let name = format!("learner-{}", learner.public_key().fingerprint());
        match keys.load(&name)? {
            Some(stored) if stored.public_key() == learner.public_key() => {}
            Some(_) => {
                return Err(StoreError::Damaged(format!(
                    "the key store holds another key under {name}"
                )))
            }
            None => keys.save(&name, learner)?,
        }
        db::write(&mut conn, |tx| {
            tx.execute(
                "UPDATE identity SET did = ?1 WHERE name = 'learner'",
                [&did],
            )?;
            settings::set_learner_key_name(tx, &name)
        })
    }

    /// The learner's key sealed under `passphrase`, for the learner to keep off the phone.
    pub fn identity_backup(
        &self,
        passphrase: &str,
    ) -> Result<crate::keys::backup::IdentityBackup, StoreError> {
        Ok(crate::keys::backup::IdentityBackup::seal(
            &self.learner,
            passphrase,
        )?)
    }

    /// The learner's `did:key`: who results and credentials are about.
    pub fn learner_did(&self) -> String {
        self.learner.public_key().to_did_key()
    }

    /// The device's `did:key`: who signs the results.
    pub fn device_did(&self) -> String {
        self.device.public_key().to_did_key()
    }

    /// Signs a request to the hub with the device key (which never leaves the store).
    pub fn sign_request(
        &self,
        parts: &crate::protocol::RequestParts<'_>,
        nonce: &str,
        created: i64,
    ) -> crate::protocol::SignatureHeaders {
        crate::protocol::sign_request(parts, &self.device, nonce, created)
    }

    /// The installed packs: id, version and the publisher each is installed from.
    pub fn installed_packs(&self) -> Result<Vec<InstalledPack>, StoreError> {
        let conn = self.lock();
        let mut stmt =
            conn.prepare_cached("SELECT id, version, publisher FROM packs ORDER BY id")?;
        let rows: Vec<(String, String, Vec<u8>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, version, publisher)| {
                let key: [u8; 32] = publisher
                    .try_into()
                    .map_err(|_| StoreError::Damaged(format!("the publisher of pack {id}")))?;
                Ok(InstalledPack {
                    publisher: PublicKey::from_bytes(&key)?,
                    id,
                    version,
                })
            })
            .collect()
    }

    /// Trusts the publisher who signed the pack at `pack` (after the learner has seen its
    /// fingerprint); returns that fingerprint.
    pub fn trust_publisher_of(&self, pack: &Path, label: &str) -> Result<String, StoreError> {
        let publisher = crate::pack::PackReader::open_path(pack)?.publisher();
        self.trust(&publisher, label)?;
        Ok(publisher.fingerprint().to_string())
    }

    /// Trusts `key` as a publisher, under a label for people (its fingerprint when the
    /// label is blank).
    pub fn trust(&self, key: &PublicKey, label: &str) -> Result<(), StoreError> {
        let fingerprint = key.fingerprint().to_string();
        let label = match label.trim() {
            "" => fingerprint.as_str(),
            label => label,
        };
        self.lock().execute(
            "INSERT INTO trusted_publishers (public_key, label) VALUES (?1, ?2)
             ON CONFLICT (public_key) DO UPDATE SET label = excluded.label",
            params![key.to_bytes().as_slice(), label],
        )?;
        Ok(())
    }

    /// The trusted publishers.
    pub fn trusted(&self) -> Result<Vec<PublicKey>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached("SELECT public_key FROM trusted_publishers")?;
        let keys = stmt
            .query_map([], |r| r.get::<_, Vec<u8>>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        keys.iter()
            .map(|k| {
                let bytes: [u8; 32] = k
                    .as_slice()
                    .try_into()
                    .map_err(|_| StoreError::Damaged("a trusted key is not 32 bytes".into()))?;
                Ok(PublicKey::from_bytes(&bytes)?)
            })
            .collect()
    }

    /// The connection. A panic while it was held poisons nothing that matters: SQLite rolled
    /// back any transaction the panic interrupted.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn load_or_make(keys: &dyn KeyStore, name: &str) -> Result<SecretKey, StoreError> {
    if let Some(key) = keys.load(name)? {
        return Ok(key);
    }
    let key = SecretKey::generate()?;
    keys.save(name, &key)?;
    Ok(key)
}

#[cfg(test)]
mod tests;
