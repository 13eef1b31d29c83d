//! The hub's storage: publishers, nonces, published packs and where their chunks are. This
//! first implementation is SQLite (rusqlite, WAL), reached from the async handlers through
//! tokio's blocking pool; PostgreSQL joins it behind the same methods (ADR 0001).

mod devices;
mod reports;
mod sqlite;

use std::sync::Arc;

use skillpack_core::keys::PublicKey;
use skillpack_core::protocol::{CatalogEntry, PublishResponse};

pub use devices::{normalize_code, RegisterRefusal, VerifiedRecord};
pub use reports::{LearnerRow, StoredResult};
pub use sqlite::SqliteHub;

use crate::error::HubError;

/// What the hub needs to store a verified pack.
#[derive(Debug, Clone)]
pub struct NewPack {
    /// SHA-256 of the pack's signed part.
    pub hash: [u8; 32],
    /// Pack id.
    pub id: String,
    /// Pack version.
    pub version: String,
    /// Group offered to.
    pub group: String,
    /// Publisher key.
    pub publisher: PublicKey,
    /// Media variant.
    pub variant: String,
    /// Module ids.
    pub modules: Vec<String>,
    /// The whole file.
    pub bytes: Vec<u8>,
    /// Each chunk's stored hash, offset in the file and length.
    pub chunks: Vec<([u8; 32], u64, u64)>,
}

/// The hub's database, shared by every request.
#[derive(Clone)]
pub struct HubDb {
    sqlite: Arc<SqliteHub>,
}

impl std::fmt::Debug for HubDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HubDb(sqlite)")
    }
}

impl HubDb {
    /// Opens the database at `url` (`sqlite://PATH`), creating and migrating it as needed.
    pub fn open(url: &str) -> Result<Self, HubError> {
        let path = url
            .strip_prefix("sqlite://")
            .ok_or_else(|| HubError::BadDatabaseUrl(url.to_owned()))?;
        Ok(Self {
            sqlite: Arc::new(SqliteHub::open(std::path::Path::new(path))?),
        })
    }

    /// The engine's name, for the health endpoint.
    pub fn engine(&self) -> &'static str {
        "sqlite"
    }

    /// Runs a blocking storage call off the async threads.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&SqliteHub) -> Result<T, HubError> + Send + 'static,
    ) -> Result<T, HubError> {
        let db = Arc::clone(&self.sqlite);
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .map_err(|e| HubError::Task(e.to_string()))?
    }

    /// Registers a publisher (the operator's command).
    pub fn add_publisher(&self, key: &PublicKey, name: &str) -> Result<(), HubError> {
        self.sqlite.add_publisher(key, name)
    }

    /// True when the key belongs to a registered publisher.
    pub async fn is_publisher(&self, key: PublicKey) -> Result<bool, HubError> {
        self.run(move |db| db.is_publisher(&key)).await
    }

    /// A new single-use nonce valid for `ttl_secs`.
    pub async fn issue_nonce(&self, ttl_secs: u64) -> Result<String, HubError> {
        self.run(move |db| db.issue_nonce(ttl_secs)).await
    }

    /// Uses up a nonce; false if it was never issued, already used or expired.
    pub async fn consume_nonce(&self, nonce: String) -> Result<bool, HubError> {
        self.run(move |db| db.consume_nonce(&nonce)).await
    }

    /// Stores a verified pack (idempotent by hash).
    pub async fn put_pack(&self, pack: NewPack) -> Result<PublishResponse, HubError> {
        self.run(move |db| db.put_pack(&pack)).await
    }

    /// The newest version of each pack offered to `group`.
    pub async fn catalog(&self, group: String) -> Result<Vec<CatalogEntry>, HubError> {
        self.run(move |db| db.catalog(&group)).await
    }

    /// A pack's length, if the hub has it.
    pub async fn pack_len(&self, hash: [u8; 32]) -> Result<Option<u64>, HubError> {
        self.run(move |db| db.pack_len(&hash)).await
    }

    /// Bytes `start..end` of a pack.
    pub async fn pack_range(
        &self,
        hash: [u8; 32],
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, HubError> {
        self.run(move |db| db.pack_range(&hash, start, end)).await
    }

    /// A new enrolment code for `group` (optionally limited in uses and time).
    pub fn create_enrolment(
        &self,
        group: &str,
        uses: Option<u32>,
        expires_at: Option<i64>,
    ) -> Result<String, HubError> {
        self.sqlite.create_enrolment(group, uses, expires_at)
    }

    /// Registers a device with a code; the group, or why not.
    pub async fn register_device(
        &self,
        code: String,
        device: PublicKey,
        learner: String,
    ) -> Result<Result<String, RegisterRefusal>, HubError> {
        self.run(move |db| db.register_device(&code, &device, &learner))
            .await
    }

    /// Registers a device whose records arrive in a relay bundle (the importer vouches).
    pub async fn register_relayed(
        &self,
        device: PublicKey,
        learner: String,
        group: String,
    ) -> Result<Result<(), RegisterRefusal>, HubError> {
        self.run(move |db| db.register_relayed(&device, &learner, &group))
            .await
    }

    /// A registered device's learner and group.
    pub async fn device(&self, device: PublicKey) -> Result<Option<(String, String)>, HubError> {
        self.run(move |db| db.device(&device)).await
    }

    /// Stores verified records of one device; one result per record, in chain order.
    pub async fn ingest(
        &self,
        device: PublicKey,
        records: Vec<VerifiedRecord>,
    ) -> Result<Vec<skillpack_core::protocol::RecordResult>, HubError> {
        self.run(move |db| db.ingest(&device, records)).await
    }

    /// Every registered device with its learner and results.
    pub fn learners(&self) -> Result<Vec<LearnerRow>, HubError> {
        self.sqlite.learners()
    }

    /// Every stored record (of one group, if given), in the order received.
    pub fn results(&self, group: Option<&str>) -> Result<Vec<StoredResult>, HubError> {
        self.sqlite.results(group)
    }

    /// How many records the hub holds.
    pub fn record_count(&self) -> Result<u64, HubError> {
        self.sqlite.record_count()
    }

    /// Gaps and forks flagged so far: (device key hex, seq, kind, detail).
    pub fn flags(&self) -> Result<Vec<(String, u64, String, String)>, HubError> {
        self.sqlite.flags()
    }

    /// A chunk's stored bytes by its hash.
    pub async fn chunk(&self, hash: [u8; 32]) -> Result<Option<Vec<u8>>, HubError> {
        self.run(move |db| db.chunk(&hash)).await
    }
}
