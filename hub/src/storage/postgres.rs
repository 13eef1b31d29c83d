//! The PostgreSQL implementation of the hub's storage (ADR 0001): tokio-postgres with a
//! deadpool pool that lives on a runtime of its own, so the hub's async handlers and the
//! operator's plain commands both reach it. Several hub instances can share one database:
//! ingest takes a per-device advisory lock, so two instances never race on one chain.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use skillpack_core::hex;
use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::{ResultRecord, SignedRecord};
use skillpack_core::protocol::{CatalogEntry, PublishResponse, RecordResult};
use tokio_postgres::NoTls;

use super::devices::{
    neighbour_seqs, normalize_code, plan_ingest, Neighbour, RegisterRefusal, VerifiedRecord,
};
use super::reports::{GroupRow, LearnerRow, StoredResult};
use super::NewPack;
use crate::error::HubError;

const MIGRATIONS: &[&str] = &[
    include_str!("migrations/postgres/0001_init.sql"),
    include_str!("migrations/postgres/0002_devices_and_records.sql"),
    include_str!("migrations/postgres/0003_unlogged_nonces.sql"),
];

fn pg(e: impl std::fmt::Display) -> HubError {
    HubError::Postgres(e.to_string())
}

/// The hub's PostgreSQL database.
pub struct PgHub {
    pool: Pool,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for PgHub {
    fn drop(&mut self) {
        // May be dropped inside another runtime, where a blocking shutdown would panic.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl PgHub {
    /// Connects to `url` (`postgres://…`) and brings the schema up to date.
    pub fn open(url: &str) -> Result<Self, HubError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .thread_name("hub-postgres")
            .build()
            .map_err(pg)?;
        let config: tokio_postgres::Config = url.parse().map_err(pg)?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = runtime
            .block_on(async { Pool::builder(manager).max_size(16).build() })
            .map_err(pg)?;
        let hub = Self {
            pool,
            runtime: Some(runtime),
        };
        hub.block_on(|pool| async move { migrate(&pool).await })?;
        Ok(hub)
    }

    /// The runtime the pool's connections live on.
    fn runtime(&self) -> Result<&tokio::runtime::Runtime, HubError> {
        self.runtime
            .as_ref()
            .ok_or_else(|| HubError::Task("the database is closed".into()))
    }

    /// Runs `f` on the database's runtime and waits (for plain, non-async callers).
    pub fn block_on<T, F, Fut>(&self, f: F) -> Result<T, HubError>
    where
        F: FnOnce(Pool) -> Fut,
        Fut: std::future::Future<Output = Result<T, HubError>> + Send + 'static,
        T: Send + 'static,
    {
        let runtime = self.runtime()?;
        runtime.block_on(f(self.pool.clone()))
    }

    /// Runs `f` on the database's runtime from async code.
    pub async fn spawn<T, F, Fut>(&self, f: F) -> Result<T, HubError>
    where
        F: FnOnce(Pool) -> Fut,
        Fut: std::future::Future<Output = Result<T, HubError>> + Send + 'static,
        T: Send + 'static,
    {
        let runtime = self.runtime()?;
        runtime
            .spawn(f(self.pool.clone()))
            .await
            .map_err(|e| HubError::Task(e.to_string()))?
    }
}

async fn migrate(pool: &Pool) -> Result<(), HubError> {
    let mut client = pool.get().await.map_err(pg)?;
    let tx = client.transaction().await.map_err(pg)?;
    // Several hub instances may start at once: one migrates, the others wait for it.
    tx.execute("SELECT pg_advisory_xact_lock(7301)", &[])
        .await
        .map_err(pg)?;
    tx.execute(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
        &[],
    )
    .await
    .map_err(pg)?;
    let found: i32 = tx
        .query_opt("SELECT version FROM schema_version", &[])
        .await
        .map_err(pg)?
        .map_or(0, |r| r.get(0));
    let supported = MIGRATIONS.len() as i32;
    if found > supported {
        return Err(HubError::TooNew {
            found: found as u32,
            supported: supported as u32,
        });
    }
    for step in &MIGRATIONS[found as usize..] {
        tx.batch_execute(step).await.map_err(pg)?;
    }
    tx.execute("DELETE FROM schema_version", &[])
        .await
        .map_err(pg)?;
    tx.execute(
        "INSERT INTO schema_version (version) VALUES ($1)",
        &[&supported],
    )
    .await
    .map_err(pg)?;
    tx.commit().await.map_err(pg)
}

const NOW_TEXT: &str = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

pub(super) async fn add_publisher(
    pool: Pool,
    key: PublicKey,
    name: String,
) -> Result<(), HubError> {
    let client = pool.get().await.map_err(pg)?;
    client
        .execute(
            &format!(
                "INSERT INTO publishers (public_key, name, added_at) VALUES ($1, $2, {NOW_TEXT})
                      ON CONFLICT (public_key) DO UPDATE SET name = excluded.name"
            ),
            &[&key.to_bytes().as_slice(), &name],
        )
        .await
        .map_err(pg)?;
    Ok(())
}

pub(super) async fn is_publisher(pool: Pool, key: PublicKey) -> Result<bool, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM publishers WHERE public_key = $1)",
            &[&key.to_bytes().as_slice()],
        )
        .await
        .map_err(pg)?;
    Ok(row.get(0))
}

pub(super) async fn issue_nonce(pool: Pool, ttl_secs: u64) -> Result<String, HubError> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes).map_err(|e| HubError::Random(e.to_string()))?;
    let nonce = hex::encode(&bytes);
    let client = pool.get().await.map_err(pg)?;
    client
        .execute(
            "DELETE FROM nonces WHERE expires_at < extract(epoch from now())::bigint",
            &[],
        )
        .await
        .map_err(pg)?;
    client
        .execute(
            "INSERT INTO nonces (nonce, expires_at) VALUES ($1, extract(epoch from now())::bigint + $2)",
            &[&nonce, &(ttl_secs as i64)],
        )
        .await
        .map_err(pg)?;
    Ok(nonce)
}

pub(super) async fn consume_nonce(pool: Pool, nonce: String) -> Result<bool, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let n = client
        .execute("DELETE FROM nonces WHERE nonce = $1 AND expires_at >= extract(epoch from now())::bigint", &[&nonce])
        .await
        .map_err(pg)?;
    Ok(n == 1)
}

pub(super) async fn put_pack(pool: Pool, pack: NewPack) -> Result<PublishResponse, HubError> {
    let mut client = pool.get().await.map_err(pg)?;
    let tx = client.transaction().await.map_err(pg)?;
    let response = |created| PublishResponse {
        id: pack.id.clone(),
        version: pack.version.clone(),
        hash: hex::encode(&pack.hash),
        group: pack.group.clone(),
        created,
    };
    let modules =
        serde_json::to_string(&pack.modules).map_err(|e| HubError::Damaged(e.to_string()))?;
    let inserted = tx
        .execute(
            &format!("INSERT INTO packs (hash, id, version, grp, publisher, variant, modules, size, bytes, published_at)
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, {NOW_TEXT}) ON CONFLICT (hash) DO NOTHING"),
            &[
                &pack.hash.as_slice(),
                &pack.id,
                &pack.version,
                &pack.group,
                &pack.publisher.to_bytes().as_slice(),
                &pack.variant,
                &modules,
                &(pack.bytes.len() as i64),
                &pack.bytes,
            ],
        )
        .await
        .map_err(pg)?;
    if inserted == 0 {
        return Ok(response(false));
    }
    for (hash, offset, len) in &pack.chunks {
        tx.execute(
            "INSERT INTO chunks (hash, pack_hash, \"offset\", len) VALUES ($1, $2, $3, $4) ON CONFLICT (hash) DO NOTHING",
            &[&hash.as_slice(), &pack.hash.as_slice(), &(*offset as i64), &(*len as i64)],
        )
        .await
        .map_err(pg)?;
    }
    tx.commit().await.map_err(pg)?;
    Ok(response(true))
}

pub(super) async fn catalog(pool: Pool, group: String) -> Result<Vec<CatalogEntry>, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let rows = client
        .query("SELECT hash, id, version, size, variant, publisher, modules FROM packs WHERE grp = $1 ORDER BY id", &[&group])
        .await
        .map_err(pg)?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let publisher: Vec<u8> = row.get(5);
        let publisher: [u8; 32] = publisher
            .as_slice()
            .try_into()
            .map_err(|_| HubError::Damaged("a publisher key".into()))?;
        let publisher =
            PublicKey::from_bytes(&publisher).map_err(|e| HubError::Damaged(e.to_string()))?;
        let modules: String = row.get(6);
        let hash: Vec<u8> = row.get(0);
        let entry = CatalogEntry {
            id: row.get(1),
            version: row.get(2),
            hash: hex::encode(&hash),
            size: row.get::<_, i64>(3).max(0) as u64,
            variant: row.get(4),
            publisher: publisher.to_did_key(),
            modules: serde_json::from_str(&modules)
                .map_err(|e| HubError::Damaged(e.to_string()))?,
        };
        entries.push(entry);
    }
    Ok(super::newest_of_each(entries))
}

pub(super) async fn pack_len(pool: Pool, hash: [u8; 32]) -> Result<Option<u64>, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let row = client
        .query_opt(
            "SELECT size FROM packs WHERE hash = $1",
            &[&hash.as_slice()],
        )
        .await
        .map_err(pg)?;
    Ok(row.map(|r| r.get::<_, i64>(0).max(0) as u64))
}

pub(super) async fn pack_range(
    pool: Pool,
    hash: [u8; 32],
    start: u64,
    end: u64,
) -> Result<Vec<u8>, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let row = client
        .query_one(
            "SELECT substring(bytes from $2::int for $3::int) FROM packs WHERE hash = $1",
            &[
                &hash.as_slice(),
                &(start as i32 + 1),
                &((end - start) as i32),
            ],
        )
        .await
        .map_err(pg)?;
    Ok(row.get(0))
}

pub(super) async fn chunk(pool: Pool, hash: [u8; 32]) -> Result<Option<Vec<u8>>, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let row = client
        .query_opt(
            "SELECT substring(p.bytes from (c.\"offset\" + 1)::int for c.len::int)
             FROM chunks c JOIN packs p ON p.hash = c.pack_hash WHERE c.hash = $1",
            &[&hash.as_slice()],
        )
        .await
        .map_err(pg)?;
    Ok(row.map(|r| r.get(0)))
}

pub(super) async fn create_enrolment(
    pool: Pool,
    code: String,
    group: String,
    uses: Option<u32>,
    expires_at: Option<i64>,
) -> Result<(), HubError> {
    let client = pool.get().await.map_err(pg)?;
    client
        .execute(
            &format!("INSERT INTO enrolments (code, grp, uses_left, expires_at, created_at) VALUES ($1, $2, $3, $4, {NOW_TEXT})"),
            &[&normalize_code(&code), &group, &uses.map(i64::from), &expires_at],
        )
        .await
        .map_err(pg)?;
    Ok(())
}

pub(super) async fn register_device(
    pool: Pool,
    code: String,
    device: PublicKey,
    learner: String,
) -> Result<Result<String, RegisterRefusal>, HubError> {
    let key = device.to_bytes();
    let mut client = pool.get().await.map_err(pg)?;
    let tx = client.transaction().await.map_err(pg)?;
    if let Some(row) = tx
        .query_opt(
            "SELECT learner, grp FROM devices WHERE device_key = $1",
            &[&key.as_slice()],
        )
        .await
        .map_err(pg)?
    {
        let (known, group): (String, String) = (row.get(0), row.get(1));
        return Ok(if known == learner {
            Ok(group)
        } else {
            Err(RegisterRefusal::OtherLearner)
        });
    }
    let row = tx
        .query_opt(
            "UPDATE enrolments SET uses_left = uses_left - 1
             WHERE code = $1 AND (uses_left IS NULL OR uses_left > 0)
               AND (expires_at IS NULL OR expires_at >= extract(epoch from now())::bigint)
             RETURNING grp",
            &[&normalize_code(&code)],
        )
        .await
        .map_err(pg)?;
    let Some(row) = row else {
        return Ok(Err(RegisterRefusal::BadCode));
    };
    let group: String = row.get(0);
    tx.execute(
        &format!("INSERT INTO devices (device_key, learner, grp, registered_at) VALUES ($1, $2, $3, {NOW_TEXT})"),
        &[&key.as_slice(), &learner, &group],
    )
    .await
    .map_err(pg)?;
    tx.commit().await.map_err(pg)?;
    Ok(Ok(group))
}

pub(super) async fn register_relayed(
    pool: Pool,
    device: PublicKey,
    learner: String,
    group: String,
) -> Result<Result<(), RegisterRefusal>, HubError> {
    let key = device.to_bytes();
    let client = pool.get().await.map_err(pg)?;
    client
        .execute(
            &format!("INSERT INTO devices (device_key, learner, grp, registered_at) VALUES ($1, $2, $3, {NOW_TEXT})
                      ON CONFLICT (device_key) DO NOTHING"),
            &[&key.as_slice(), &learner, &group],
        )
        .await
        .map_err(pg)?;
    let known: String = client
        .query_one(
            "SELECT learner FROM devices WHERE device_key = $1",
            &[&key.as_slice()],
        )
        .await
        .map_err(pg)?
        .get(0);
    Ok(if known == learner {
        Ok(())
    } else {
        Err(RegisterRefusal::OtherLearner)
    })
}

pub(super) async fn device(
    pool: Pool,
    device: PublicKey,
) -> Result<Option<(String, String)>, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let row = client
        .query_opt(
            "SELECT learner, grp FROM devices WHERE device_key = $1",
            &[&device.to_bytes().as_slice()],
        )
        .await
        .map_err(pg)?;
    Ok(row.map(|r| (r.get(0), r.get(1))))
}

pub(super) async fn ingest(
    pool: Pool,
    device: PublicKey,
    mut records: Vec<VerifiedRecord>,
) -> Result<Vec<RecordResult>, HubError> {
    let key = device.to_bytes();
    let mut client = pool.get().await.map_err(pg)?;
    let tx = client.transaction().await.map_err(pg)?;
    // One chain at a time across every hub instance sharing this database.
    let lock = i64::from_le_bytes(key[..8].try_into().unwrap_or_default());
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock])
        .await
        .map_err(pg)?;
    records.sort_by_key(|r| r.signed.record.seq);
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r.signed.record.id.as_str())
        .collect();
    let stored: Vec<(String, Vec<u8>)> = tx
        .query("SELECT id, hash FROM records WHERE id = ANY($1)", &[&ids])
        .await
        .map_err(pg)?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let neighbours: Vec<Neighbour> = tx
        .query(
            "SELECT seq, hash, prev FROM records WHERE device_key = $1 AND seq = ANY($2)",
            &[&key.as_slice(), &neighbour_seqs(&records)],
        )
        .await
        .map_err(pg)?
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2)))
        .collect();
    let (results, new) = plan_ingest(&records, &stored, neighbours);
    // Every new record in one statement, column by column.
    let text = |f: fn(&ResultRecord) -> &str| -> Vec<&str> {
        new.iter().map(|n| f(&n.record.signed.record)).collect()
    };
    let ids = text(|r| &r.id);
    let learners = text(|r| &r.learner);
    let modules = text(|r| &r.module);
    let bodies: Vec<&str> = new.iter().map(|n| n.record.body.as_str()).collect();
    let seqs: Vec<i64> = new
        .iter()
        .map(|n| n.record.signed.record.seq as i64)
        .collect();
    let hashes: Vec<&[u8]> = new.iter().map(|n| n.record.hash.as_slice()).collect();
    let prevs: Vec<Option<Vec<u8>>> = new
        .iter()
        .map(|n| n.record.signed.record.prev.map(|p| p.0.to_vec()))
        .collect();
    let passed: Vec<bool> = new.iter().map(|n| n.record.signed.record.passed).collect();
    let scores: Vec<i64> = new
        .iter()
        .map(|n| i64::from(n.record.signed.record.score))
        .collect();
    let max_scores: Vec<i64> = new
        .iter()
        .map(|n| i64::from(n.record.signed.record.max_score))
        .collect();
    tx.execute(
        &format!(
            "INSERT INTO records (id, device_key, seq, hash, prev, learner, module, passed, score, max_score, body, received_at)
             SELECT id, $2, seq, hash, prev, learner, module, passed, score, max_score, body, {NOW_TEXT}
             FROM UNNEST($1::text[], $3::bigint[], $4::bytea[], $5::bytea[], $6::text[], $7::text[], $8::bool[], $9::bigint[], $10::bigint[], $11::text[])
               AS r(id, seq, hash, prev, learner, module, passed, score, max_score, body)"
        ),
        &[
            &ids,
            &key.as_slice(),
            &seqs,
            &hashes,
            &prevs,
            &learners,
            &modules,
            &passed,
            &scores,
            &max_scores,
            &bodies,
        ],
    )
    .await
    .map_err(pg)?;
    for n in &new {
        let rec = &n.record.signed.record;
        for (kind, detail) in &n.flags {
            tx.execute(
                &format!("INSERT INTO flags (device_key, seq, kind, record_id, detail, flagged_at) VALUES ($1, $2, $3, $4, $5, {NOW_TEXT})"),
                &[&key.as_slice(), &(rec.seq as i64), kind, &rec.id, detail],
            )
            .await
            .map_err(pg)?;
        }
    }
    tx.commit().await.map_err(pg)?;
    Ok(results)
}

pub(super) async fn record_count(pool: Pool) -> Result<u64, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let n: i64 = client
        .query_one("SELECT count(*) FROM records", &[])
        .await
        .map_err(pg)?
        .get(0);
    Ok(n.max(0) as u64)
}

pub(super) async fn flags(pool: Pool) -> Result<Vec<(String, u64, String, String)>, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let rows = client
        .query(
            "SELECT device_key, seq, kind, detail FROM flags ORDER BY id",
            &[],
        )
        .await
        .map_err(pg)?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                hex::encode(&r.get::<_, Vec<u8>>(0)),
                r.get::<_, i64>(1).max(0) as u64,
                r.get(2),
                r.get(3),
            )
        })
        .collect())
}

pub(super) async fn groups(pool: Pool) -> Result<Vec<GroupRow>, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let rows = client
        .query(
            &super::reports::groups_sql("extract(epoch from now())::bigint"),
            &[],
        )
        .await
        .map_err(pg)?;
    let count = |r: &tokio_postgres::Row, i| r.get::<_, i64>(i).max(0) as u64;
    Ok(rows
        .iter()
        .map(|r| GroupRow {
            group: r.get(0),
            packs: count(r, 1),
            devices: count(r, 2),
            records: count(r, 3),
            open_codes: count(r, 4),
        })
        .collect())
}

pub(super) async fn learners(pool: Pool) -> Result<Vec<LearnerRow>, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let rows = client
        .query(
            "SELECT d.learner, d.grp, d.device_key, d.registered_at, count(r.id), coalesce(sum(r.passed::int), 0)
             FROM devices d LEFT JOIN records r ON r.device_key = d.device_key
             GROUP BY d.device_key, d.learner, d.grp, d.registered_at ORDER BY d.grp, d.learner",
            &[],
        )
        .await
        .map_err(pg)?;
    Ok(rows
        .iter()
        .map(|r| LearnerRow {
            learner: r.get(0),
            group: r.get(1),
            device: hex::encode(&r.get::<_, Vec<u8>>(2)),
            registered_at: r.get(3),
            records: r.get::<_, i64>(4).max(0) as u64,
            passed: r.get::<_, i64>(5).max(0) as u64,
        })
        .collect())
}

pub(super) async fn results(
    pool: Pool,
    group: Option<String>,
) -> Result<Vec<StoredResult>, HubError> {
    let client = pool.get().await.map_err(pg)?;
    let rows = client
        .query(
            "SELECT r.body, d.grp, r.received_at FROM records r JOIN devices d ON d.device_key = r.device_key
             WHERE $1::text IS NULL OR d.grp = $1 ORDER BY r.received_at, r.id",
            &[&group],
        )
        .await
        .map_err(pg)?;
    rows.iter()
        .map(|r| {
            let body: String = r.get(0);
            let record: SignedRecord = serde_json::from_str(&body)
                .map_err(|e| HubError::Damaged(format!("a stored record: {e}")))?;
            Ok(StoredResult {
                record,
                group: r.get(1),
                received_at: r.get(2),
            })
        })
        .collect()
}
