//! The SQLite implementation of the hub's storage: one connection behind a mutex (SQLite
//! writes one at a time anyway), WAL, `synchronous = FULL`, migrations as on the device.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use skillpack_core::hex;
use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{CatalogEntry, PublishResponse};

use super::devices::{take_group, IngestJob};
use super::nonces::NonceBook;
use super::NewPack;
use crate::error::HubError;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_devices_and_records.sql"),
    include_str!("migrations/0003_nonces_in_memory.sql"),
];

/// How many read-only connections a hub keeps open.
const READERS: usize = 4;

/// Spreads readers that must wait over the connections.
static NEXT_READER: AtomicUsize = AtomicUsize::new(0);

/// The hub's SQLite database.
pub struct SqliteHub {
    /// The one connection that writes.
    conn: Mutex<Connection>,
    /// Read-only connections: in WAL mode reads go on beside a write, so a device looking up
    /// the catalog or its registration never waits behind a commit's fsync.
    readers: Vec<Mutex<Connection>>,
    nonces: NonceBook,
    /// Batches waiting for the next group commit (see `ingest`).
    pending: Mutex<Vec<IngestJob>>,
}

impl SqliteHub {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, HubError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| HubError::Damaged(e.to_string()))?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let supported = MIGRATIONS.len() as u32;
        if found > supported {
            return Err(HubError::TooNew { found, supported });
        }
        if found < supported {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for step in &MIGRATIONS[found as usize..] {
                tx.execute_batch(step)?;
            }
            tx.pragma_update(None, "user_version", supported)?;
            tx.commit()?;
        }
        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                reader.busy_timeout(std::time::Duration::from_secs(10))?;
                Ok(Mutex::new(reader))
            })
            .collect::<Result<_, HubError>>()?;
        Ok(Self {
            conn: Mutex::new(conn),
            readers,
            nonces: NonceBook::default(),
            pending: Mutex::new(Vec::new()),
        })
    }

    pub(super) fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A read-only connection: the first one free, else the next in turn.
    pub(super) fn read(&self) -> MutexGuard<'_, Connection> {
        for reader in &self.readers {
            if let Ok(conn) = reader.try_lock() {
                return conn;
            }
        }
        let turn = NEXT_READER.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        self.readers[turn]
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn queue_ingest(&self, job: IngestJob) {
        self.pending_jobs().push(job);
    }

    pub(super) fn take_ingest_jobs(&self) -> Vec<IngestJob> {
        take_group(&mut self.pending_jobs())
    }

    fn pending_jobs(&self) -> MutexGuard<'_, Vec<IngestJob>> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn add_publisher(&self, key: &PublicKey, name: &str) -> Result<(), HubError> {
        self.lock().execute(
            "INSERT INTO publishers (public_key, name, added_at) VALUES (?1, ?2, datetime('now'))
             ON CONFLICT (public_key) DO UPDATE SET name = excluded.name",
            params![key.to_bytes().as_slice(), name],
        )?;
        Ok(())
    }

    pub(super) fn is_publisher(&self, key: &PublicKey) -> Result<bool, HubError> {
        Ok(self.read().query_row(
            "SELECT EXISTS (SELECT 1 FROM publishers WHERE public_key = ?1)",
            [key.to_bytes().as_slice()],
            |r| r.get(0),
        )?)
    }

    pub(super) fn issue_nonce(&self, ttl_secs: u64) -> Result<String, HubError> {
        self.nonces.issue(std::time::Duration::from_secs(ttl_secs))
    }

    pub(super) fn consume_nonce(&self, nonce: &str) -> Result<bool, HubError> {
        Ok(self.nonces.consume(nonce))
    }

    pub(super) fn put_pack(&self, pack: &NewPack) -> Result<PublishResponse, HubError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let response = |created| PublishResponse {
            id: pack.id.clone(),
            version: pack.version.clone(),
            hash: hex::encode(&pack.hash),
            group: pack.group.clone(),
            created,
        };
        let have: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM packs WHERE hash = ?1)",
            [pack.hash.as_slice()],
            |r| r.get(0),
        )?;
        if have {
            return Ok(response(false));
        }
        let modules =
            serde_json::to_string(&pack.modules).map_err(|e| HubError::Damaged(e.to_string()))?;
        tx.execute(
            "INSERT INTO packs (hash, id, version, grp, publisher, variant, modules, size, bytes, published_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, datetime('now'))",
            params![
                pack.hash.as_slice(),
                pack.id,
                pack.version,
                pack.group,
                pack.publisher.to_bytes().as_slice(),
                pack.variant,
                modules,
                pack.bytes.len() as i64,
                pack.bytes
            ],
        )?;
        for (hash, offset, len) in &pack.chunks {
            tx.execute(
                "INSERT OR IGNORE INTO chunks (hash, pack_hash, offset, len) VALUES (?1, ?2, ?3, ?4)",
                params![hash.as_slice(), pack.hash.as_slice(), *offset as i64, *len as i64],
            )?;
        }
        tx.commit()?;
        Ok(response(true))
    }

    pub(super) fn catalog(&self, group: &str) -> Result<Vec<CatalogEntry>, HubError> {
        let conn = self.read();
        let mut stmt = conn.prepare_cached(
            "SELECT hash, id, version, size, variant, publisher, modules FROM packs WHERE grp = ?1 ORDER BY id",
        )?;
        let rows = stmt
            .query_map([group], |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Vec<u8>>(5)?,
                    r.get::<_, String>(6)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let mut entries = Vec::with_capacity(rows.len());
        for (hash, id, version, size, variant, publisher, modules) in rows {
            let publisher: [u8; 32] = publisher
                .as_slice()
                .try_into()
                .map_err(|_| HubError::Damaged("a publisher key".into()))?;
            let publisher =
                PublicKey::from_bytes(&publisher).map_err(|e| HubError::Damaged(e.to_string()))?;
            let entry = CatalogEntry {
                id,
                version,
                hash: hex::encode(&hash),
                size: size.max(0) as u64,
                variant,
                publisher: publisher.to_did_key(),
                modules: serde_json::from_str(&modules)
                    .map_err(|e| HubError::Damaged(e.to_string()))?,
            };
            entries.push(entry);
        }
        Ok(super::newest_of_each(entries))
    }

    pub(super) fn pack_len(&self, hash: &[u8; 32]) -> Result<Option<u64>, HubError> {
        let len: Option<i64> = self
            .read()
            .query_row(
                "SELECT size FROM packs WHERE hash = ?1",
                [hash.as_slice()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(len.map(|l| l.max(0) as u64))
    }

    pub(super) fn pack_range(
        &self,
        hash: &[u8; 32],
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, HubError> {
        // substr is 1-based; it reads only the requested bytes of the blob.
        Ok(self.read().query_row(
            "SELECT substr(bytes, ?2, ?3) FROM packs WHERE hash = ?1",
            params![hash.as_slice(), start as i64 + 1, (end - start) as i64],
            |r| r.get(0),
        )?)
    }

    pub(super) fn chunk(&self, hash: &[u8; 32]) -> Result<Option<Vec<u8>>, HubError> {
        Ok(self
            .read()
            .query_row(
                "SELECT substr(p.bytes, c.offset + 1, c.len) FROM chunks c JOIN packs p ON p.hash = c.pack_hash
                 WHERE c.hash = ?1",
                [hash.as_slice()],
                |r| r.get(0),
            )
            .optional()?)
    }
}
