//! The hub's storage: publishers, nonces, published packs and their chunks, enrolment codes,
//! devices, records and flags. Two engines behind the same methods (ADR 0001): SQLite
//! (rusqlite, WAL; reached from async code through tokio's blocking pool) by default, and
//! PostgreSQL (tokio-postgres) when one machine is not enough.

mod devices;
mod nonces;
mod postgres;
mod reports;
mod sqlite;

use std::sync::Arc;

use skillpack_core::keys::PublicKey;
use skillpack_core::module::parse_version;
use skillpack_core::protocol::{CatalogEntry, PublishResponse, RecordResult};

pub use devices::{normalize_code, RegisterRefusal, VerifiedRecord};
pub use reports::{results_csv, results_xapi, GroupRow, LearnerRow, StoredResult};
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

/// Which engine holds the data.
#[derive(Clone)]
enum Engine {
    Sqlite(Arc<SqliteHub>),
    Postgres(Arc<postgres::PgHub>),
}

/// The hub's database, shared by every request.
#[derive(Clone)]
pub struct HubDb {
    engine: Engine,
}

impl std::fmt::Debug for HubDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HubDb({})", self.engine())
    }
}

/// Runs a storage call on whichever engine holds the data: SQLite in the blocking pool,
/// PostgreSQL on its own runtime.
macro_rules! on_engine {
    ($self:ident, |$db:ident| $sqlite:expr, |$pool:ident| $pg:expr) => {
        match &$self.engine {
            Engine::Sqlite(db) => {
                let $db = Arc::clone(db);
                tokio::task::spawn_blocking(move || $sqlite)
                    .await
                    .map_err(|e| HubError::Task(e.to_string()))?
            }
            Engine::Postgres(pg) => pg.spawn(move |$pool| $pg).await,
        }
    };
}

/// The same for plain (non-async) callers: the operator's commands.
macro_rules! on_engine_blocking {
    ($self:ident, |$db:ident| $sqlite:expr, |$pool:ident| $pg:expr) => {
        match &$self.engine {
            Engine::Sqlite($db) => $sqlite,
            Engine::Postgres(pg) => pg.block_on(move |$pool| $pg),
        }
    };
}

impl HubDb {
    /// Opens the database at `url` (`sqlite://PATH` or `postgres://…`), creating and migrating
    /// it as needed.
    pub fn open(url: &str) -> Result<Self, HubError> {
        let engine = if let Some(path) = url.strip_prefix("sqlite://") {
            Engine::Sqlite(Arc::new(SqliteHub::open(std::path::Path::new(path))?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Engine::Postgres(Arc::new(postgres::PgHub::open(url)?))
        } else {
            return Err(HubError::BadDatabaseUrl(url.to_owned()));
        };
        Ok(Self { engine })
    }

    /// The engine's name, for the health endpoint.
    pub fn engine(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite(_) => "sqlite",
            Engine::Postgres(_) => "postgres",
        }
    }

    /// Registers a publisher (the operator's command).
    pub fn add_publisher(&self, key: &PublicKey, name: &str) -> Result<(), HubError> {
        let (key, name) = (*key, name.to_owned());
        on_engine_blocking!(self, |db| db.add_publisher(&key, &name), |pool| {
            postgres::add_publisher(pool, key, name)
        })
    }

    /// True when the key belongs to a registered publisher.
    pub async fn is_publisher(&self, key: PublicKey) -> Result<bool, HubError> {
        on_engine!(self, |db| db.is_publisher(&key), |pool| {
            postgres::is_publisher(pool, key)
        })
    }

    /// A new single-use nonce valid for `ttl_secs`.
    pub async fn issue_nonce(&self, ttl_secs: u64) -> Result<String, HubError> {
        match &self.engine {
            // In memory: no need for the blocking pool.
            Engine::Sqlite(db) => db.issue_nonce(ttl_secs),
            Engine::Postgres(pg) => {
                pg.spawn(move |pool| postgres::issue_nonce(pool, ttl_secs))
                    .await
            }
        }
    }

    /// Uses up a nonce; false if it was never issued, already used or expired.
    pub async fn consume_nonce(&self, nonce: String) -> Result<bool, HubError> {
        match &self.engine {
            Engine::Sqlite(db) => db.consume_nonce(&nonce),
            Engine::Postgres(pg) => {
                pg.spawn(move |pool| postgres::consume_nonce(pool, nonce))
                    .await
            }
        }
    }

    /// Stores a verified pack (idempotent by hash).
    pub async fn put_pack(&self, pack: NewPack) -> Result<PublishResponse, HubError> {
        on_engine!(self, |db| db.put_pack(&pack), |pool| postgres::put_pack(
            pool, pack
        ))
    }

    /// The newest version of each pack offered to `group`.
    pub async fn catalog(&self, group: String) -> Result<Vec<CatalogEntry>, HubError> {
        on_engine!(self, |db| db.catalog(&group), |pool| postgres::catalog(
            pool, group
        ))
    }

    /// A pack's length, if the hub has it.
    pub async fn pack_len(&self, hash: [u8; 32]) -> Result<Option<u64>, HubError> {
        on_engine!(self, |db| db.pack_len(&hash), |pool| postgres::pack_len(
            pool, hash
        ))
    }

    /// Bytes `start..end` of a pack.
    pub async fn pack_range(
        &self,
        hash: [u8; 32],
        start: u64,
        end: u64,
    ) -> Result<Vec<u8>, HubError> {
        on_engine!(self, |db| db.pack_range(&hash, start, end), |pool| {
            postgres::pack_range(pool, hash, start, end)
        })
    }

    /// A chunk's stored bytes by its hash.
    pub async fn chunk(&self, hash: [u8; 32]) -> Result<Option<Vec<u8>>, HubError> {
        on_engine!(self, |db| db.chunk(&hash), |pool| postgres::chunk(
            pool, hash
        ))
    }

    /// A new enrolment code for `group` (optionally limited in uses and time).
    pub fn create_enrolment(
        &self,
        group: &str,
        uses: Option<u32>,
        expires_at: Option<i64>,
    ) -> Result<String, HubError> {
        let code = devices::new_code()?;
        let (stored, group) = (code.clone(), group.to_owned());
        on_engine_blocking!(
            self,
            |db| db.create_enrolment(&stored, &group, uses, expires_at),
            |pool| postgres::create_enrolment(pool, stored, group, uses, expires_at)
        )?;
        Ok(code)
    }

    /// Registers a device with a code; the group, or why not.
    pub async fn register_device(
        &self,
        code: String,
        device: PublicKey,
        learner: String,
    ) -> Result<Result<String, RegisterRefusal>, HubError> {
        on_engine!(
            self,
            |db| db.register_device(&code, &device, &learner),
            |pool| postgres::register_device(pool, code, device, learner)
        )
    }

    /// Registers a device whose records arrive in a relay bundle (the importer vouches).
    pub async fn register_relayed(
        &self,
        device: PublicKey,
        learner: String,
        group: String,
    ) -> Result<Result<(), RegisterRefusal>, HubError> {
        on_engine!(
            self,
            |db| db.register_relayed(&device, &learner, &group),
            |pool| postgres::register_relayed(pool, device, learner, group)
        )
    }

    /// A registered device's learner and group.
    pub async fn device(&self, device: PublicKey) -> Result<Option<(String, String)>, HubError> {
        on_engine!(self, |db| db.device(&device), |pool| postgres::device(
            pool, device
        ))
    }

    /// Stores verified records of one device; one result per record, in chain order.
    pub async fn ingest(
        &self,
        device: PublicKey,
        records: Vec<VerifiedRecord>,
    ) -> Result<Vec<RecordResult>, HubError> {
        on_engine!(self, |db| db.ingest(&device, records), |pool| {
            postgres::ingest(pool, device, records)
        })
    }

    /// Every group with what is offered to it and who is in it.
    pub fn groups(&self) -> Result<Vec<GroupRow>, HubError> {
        on_engine_blocking!(self, |db| db.groups(), |pool| postgres::groups(pool))
    }

    /// [`HubDb::groups`] from async code (the operator's HTTP view).
    pub async fn groups_async(&self) -> Result<Vec<GroupRow>, HubError> {
        on_engine!(self, |db| db.groups(), |pool| postgres::groups(pool))
    }

    /// Every registered device with its learner and results.
    pub fn learners(&self) -> Result<Vec<LearnerRow>, HubError> {
        on_engine_blocking!(self, |db| db.learners(), |pool| postgres::learners(pool))
    }

    /// Every stored record (of one group, if given), in the order received.
    pub fn results(&self, group: Option<&str>) -> Result<Vec<StoredResult>, HubError> {
        let group = group.map(str::to_owned);
        on_engine_blocking!(self, |db| db.results(group.as_deref()), |pool| {
            postgres::results(pool, group)
        })
    }

    /// [`HubDb::learners`] from async code (the operator's HTTP view).
    pub async fn learners_async(&self) -> Result<Vec<LearnerRow>, HubError> {
        on_engine!(self, |db| db.learners(), |pool| postgres::learners(pool))
    }

    /// [`HubDb::results`] from async code.
    pub async fn results_async(
        &self,
        group: Option<String>,
    ) -> Result<Vec<StoredResult>, HubError> {
        on_engine!(self, |db| db.results(group.as_deref()), |pool| {
            postgres::results(pool, group)
        })
    }

    /// [`HubDb::flags`] from async code.
    pub async fn flags_async(&self) -> Result<Vec<(String, u64, String, String)>, HubError> {
        on_engine!(self, |db| db.flags(), |pool| postgres::flags(pool))
    }

    /// How many records the hub holds.
    pub fn record_count(&self) -> Result<u64, HubError> {
        on_engine_blocking!(self, |db| db.record_count(), |pool| postgres::record_count(
            pool
        ))
    }

    /// Gaps and forks flagged so far: (device key hex, seq, kind, detail).
    pub fn flags(&self) -> Result<Vec<(String, u64, String, String)>, HubError> {
        on_engine_blocking!(self, |db| db.flags(), |pool| postgres::flags(pool))
    }
}

/// The catalog a group sees: of every pack, the newest version in each variant (`full`,
/// `low`, `text`), so each device can take the one its learner's media setting asks for.
fn newest_of_each(entries: Vec<CatalogEntry>) -> Vec<CatalogEntry> {
    let mut newest: Vec<CatalogEntry> = Vec::new();
    for entry in entries {
        let same = newest
            .iter_mut()
            .find(|e| e.id == entry.id && e.variant == entry.variant);
        match same {
            Some(current) if parse_version(&entry.version) > parse_version(&current.version) => {
                *current = entry
            }
            Some(_) => {}
            None => newest.push(entry),
        }
    }
    newest
}
