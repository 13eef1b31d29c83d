//! The SQLite engine (the default: one file, no setup): one connection that writes behind a
//! mutex (SQLite writes one at a time anyway) and a few read-only ones beside it, WAL,
//! `synchronous = FULL`, migrations through the device store's runner. rusqlite blocks, so
//! every call runs on tokio's blocking pool through [`SqliteHub::run`].

mod credentials;
mod devices;
mod exchanges;
mod grants;
mod ingest;
mod links;
mod nonces;
mod packs;
mod reports;
mod web;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OpenFlags};
use skillpack_core::store::migrate::migrate;

use self::ingest::IngestJob;
use self::nonces::UsedNonces;
use crate::error::HubError;
use crate::storage::Scope;

/// Every schema step, oldest first; a step's version is its position plus one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_devices_and_records.sql"),
    include_str!("migrations/0003_nonces_in_memory.sql"),
    include_str!("migrations/0004_times_in_one_format.sql"),
    include_str!("migrations/0005_pack_bytes_apart.sql"),
    include_str!("migrations/0006_bindings_links_audit.sql"),
    include_str!("migrations/0007_credentials.sql"),
    include_str!("migrations/0008_offers.sql"),
    include_str!("migrations/0009_learner_names.sql"),
    include_str!("migrations/0010_web_sign_in.sql"),
    include_str!("migrations/0011_attempt_grants.sql"),
    include_str!("migrations/0012_wallet_exchanges.sql"),
    include_str!("migrations/0013_endorsement_credentials.sql"),
    include_str!("migrations/0014_one_credential_per_achievement.sql"),
    include_str!("migrations/0015_retired_devices.sql"),
    include_str!("migrations/0016_records_by_learner.sql"),
    include_str!("migrations/0017_labels_per_group.sql"),
    include_str!("migrations/0018_packs_in_a_store.sql"),
    include_str!("migrations/0019_catalog_generation.sql"),
    include_str!("migrations/0020_records_by_attempt.sql"),
];

/// Now, as every time the hub writes reads (ISO 8601 UTC with milliseconds).
pub(super) const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// The SQL condition that `column` names a group in the scope bound at `param` (see
/// [`scope_param`]): every group when it is NULL.
pub(super) fn in_scope(column: &str, param: &str) -> String {
    format!("({param} IS NULL OR {column} IN (SELECT value FROM json_each({param})))")
}

/// A scope as the parameter [`in_scope`] reads: NULL for every group, else a JSON array.
pub(super) fn scope_param(scope: &Scope) -> Result<Option<String>, HubError> {
    scope
        .groups()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| HubError::Encoding(e.to_string()))
}

/// How many read-only connections a hub keeps open.
const READERS: usize = 4;

/// Spreads readers that must wait over the connections.
static NEXT_READER: AtomicUsize = AtomicUsize::new(0);

/// The hub's SQLite database; cheap to clone.
#[derive(Clone)]
pub struct SqliteHub {
    inner: Arc<Inner>,
}

/// The connections and the in-memory state.
pub(super) struct Inner {
    /// The one connection that writes.
    conn: Mutex<Connection>,
    /// Read-only connections: in WAL mode reads go on beside a write, so a device looking up
    /// the catalog or its registration never waits behind a commit's fsync.
    readers: Vec<Mutex<Connection>>,
    /// Nonces used by verified requests (see `nonces`).
    used_nonces: UsedNonces,
    /// This process's nonce secret, drawn at open.
    nonce_secret: [u8; 32],
    /// Batches waiting for the next group commit (see `ingest`).
    pending: Mutex<Vec<IngestJob>>,
}

impl SqliteHub {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub(super) async fn open(path: &Path) -> Result<Self, HubError> {
        let path = path.to_owned();
        let inner = tokio::task::spawn_blocking(move || Inner::open(&path)).await??;
        Ok(Self {
            inner: Arc::new(inner),
        })
    }

    /// Runs `f` on the blocking pool: rusqlite calls block.
    pub(super) async fn run<T, F>(&self, f: F) -> Result<T, HubError>
    where
        F: FnOnce(&Inner) -> Result<T, HubError> + Send + 'static,
        T: Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || f(&inner)).await?
    }

    /// The schema version the database is at.
    pub(super) async fn schema_version(&self) -> Result<u32, HubError> {
        self.run(|db| {
            Ok(db
                .read()
                .query_row("PRAGMA user_version", [], |r| r.get(0))?)
        })
        .await
    }
}

impl Inner {
    fn open(path: &Path) -> Result<Self, HubError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        migrate(&mut conn, MIGRATIONS)?;
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
            used_nonces: UsedNonces::default(),
            nonce_secret: crate::storage::rules::random_bytes()?,
            pending: Mutex::new(Vec::new()),
        })
    }

    /// The connection that writes.
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
        let turn = NEXT_READER.fetch_add(1, Ordering::Relaxed) % self.readers.len().max(1);
        match self.readers.get(turn) {
            Some(reader) => reader
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
            None => self.lock(),
        }
    }
}
