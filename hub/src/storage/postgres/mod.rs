//! The PostgreSQL engine (ADR 0001), for when one machine is not enough: tokio-postgres
//! through a deadpool pool, async all the way (the operator's commands bring their own
//! runtime). Several hub instances can share one database: migrations and each device's
//! ingest take advisory locks, and the nonce secret and used nonces are shared tables.

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

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::NoTls;

use crate::error::HubError;

/// Every schema step, oldest first; a step's version is its position plus one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_devices_and_records.sql"),
    include_str!("migrations/0003_unlogged_nonces.sql"),
    include_str!("migrations/0004_times_as_timestamps.sql"),
    include_str!("migrations/0005_nonces_by_mac_and_packs_in_parts.sql"),
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

/// The advisory lock migrations hold: several instances may start at once.
const MIGRATION_LOCK: i64 = 7301;

/// The SQL condition that `column` names a group in the scope bound at `param` (a `text[]`,
/// `Scope::groups`): every group when it is NULL.
fn in_scope(column: &str, param: &str) -> String {
    format!("({param}::text[] IS NULL OR {column} = ANY({param}::text[]))")
}

/// A `timestamptz` column read out as SQLite stores times (ISO 8601 UTC, milliseconds).
fn iso(column: &str) -> String {
    format!("to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")
}

/// The hub's PostgreSQL database; cheap to clone.
#[derive(Clone)]
pub struct PgHub {
    pool: Pool,
    /// When to sweep expired used nonces.
    sweeps: std::sync::Arc<nonces::SweepCount>,
}

impl PgHub {
    /// How the connection pool stands.
    pub(crate) fn pool_figures(&self) -> crate::metrics::PoolFigures {
        let status = self.pool.status();
        crate::metrics::PoolFigures {
            max_size: status.max_size,
            size: status.size,
            available: status.available,
            waiting: status.waiting,
        }
    }

    /// Connects to `url` (`postgres://…`) and brings the schema up to date.
    pub(super) async fn open(url: &str) -> Result<Self, HubError> {
        let config: tokio_postgres::Config = url.parse()?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager).max_size(16).build()?;
        let hub = Self {
            pool,
            sweeps: std::sync::Arc::default(),
        };
        hub.migrate().await?;
        Ok(hub)
    }

    /// The same runner as SQLite's (`skillpack_core::store::migrate`), in PostgreSQL's terms:
    /// every pending step in one transaction, under an advisory lock, the version in
    /// `schema_version`; a database newer than the code is refused.
    async fn migrate(&self) -> Result<(), HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
            &[],
        )
        .await?;
        let found: i32 = tx
            .query_opt("SELECT version FROM schema_version", &[])
            .await?
            .map_or(0, |r| r.get(0));
        let found = u32::try_from(found).unwrap_or(0);
        let supported = u32::try_from(MIGRATIONS.len()).unwrap_or(u32::MAX);
        if found > supported {
            return Err(HubError::TooNew { found, supported });
        }
        if found == supported {
            return Ok(());
        }
        for step in MIGRATIONS.iter().skip(found as usize) {
            tx.batch_execute(step).await?;
        }
        tx.execute("DELETE FROM schema_version", &[]).await?;
        let version = i32::try_from(supported).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&version],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The schema version the database is at.
    pub(super) async fn schema_version(&self) -> Result<u32, HubError> {
        let client = self.pool.get().await?;
        let found: i32 = client
            .query_one("SELECT version FROM schema_version", &[])
            .await?
            .get(0);
        Ok(u32::try_from(found).unwrap_or(0))
    }
}
