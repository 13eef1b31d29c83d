//! Throwaway PostgreSQL databases for the tests and benchmarks that run the hub on
//! PostgreSQL: each gets a fresh, empty database on the cluster `SKILLPACK_TEST_POSTGRES`
//! names (`scripts/with-postgres` starts one). Only with the `testing` feature.

use thiserror::Error;

/// The variable that names the administrator's URL of the test cluster.
pub const CLUSTER_VAR: &str = "SKILLPACK_TEST_POSTGRES";

/// Why a throwaway database could not be made or used.
#[derive(Debug, Error)]
pub enum TestDatabaseError {
    /// No cluster is named.
    #[error("{CLUSTER_VAR} must name a PostgreSQL cluster (scripts/with-postgres starts one)")]
    NoCluster,
    /// The cluster refused.
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    /// No runtime to talk to it, or no randomness for a name.
    #[error("{0}")]
    Local(String),
}

/// A new, empty database on the test cluster, named `<prefix>_<random>`; returns its URL.
pub fn fresh_postgres_database(prefix: &str) -> Result<String, TestDatabaseError> {
    let admin = std::env::var(CLUSTER_VAR).map_err(|_| TestDatabaseError::NoCluster)?;
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| TestDatabaseError::Local(e.to_string()))?;
    let name = format!("{prefix}_{}", skillpack_core::hex::encode(&bytes));
    postgres_admin(&admin, &format!("CREATE DATABASE {name}"))?;
    let base = admin
        .rsplit_once('/')
        .map_or(admin.as_str(), |(base, _)| base);
    Ok(format!("{base}/{name}"))
}

/// Runs SQL on the PostgreSQL database at `url`, outside any hub, as an administrator would.
/// Call it from a thread without a tokio runtime (it runs one of its own).
pub fn postgres_admin(url: &str, sql: &str) -> Result<(), TestDatabaseError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| TestDatabaseError::Local(e.to_string()))?;
    runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        client.batch_execute(sql).await?;
        Ok(())
    })
}

/// The variable `scripts/with-s3` sets to its bucket (`s3://packs`), with the `AWS_*`
/// variables that reach it.
pub const S3_VAR: &str = "SKILLPACK_TEST_S3";

/// Where a test's hub keeps packs: under a prefix of its own in the test bucket when
/// `SKILLPACK_TEST_S3` names one (`scripts/with-s3`), else in `dir`'s `packs` folder (never
/// the working folder, where a PostgreSQL hub keeps them by default).
pub fn test_pack_store(
    dir: &std::path::Path,
) -> Result<crate::pack_store::PacksAt, TestDatabaseError> {
    let Ok(bucket) = std::env::var(S3_VAR) else {
        return Ok(crate::pack_store::PacksAt::Folder(dir.join("packs")));
    };
    let mut bytes = [0u8; 8];
    getrandom::getrandom(&mut bytes).map_err(|e| TestDatabaseError::Local(e.to_string()))?;
    let at = format!("{bucket}/test-{}", skillpack_core::hex::encode(&bytes));
    crate::pack_store::PacksAt::parse(&at).map_err(|e| TestDatabaseError::Local(e.to_string()))
}
