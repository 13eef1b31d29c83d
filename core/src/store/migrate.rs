//! The one SQLite migration runner, shared by the device store and the hub's SQLite engine.
//! A list of steps is append-only and a step's version is its position plus one, never typed
//! by hand; every pending step runs in one IMMEDIATE transaction and the version lands in
//! `PRAGMA user_version`. A database newer than the code is refused, not guessed at. A step
//! is SQL, or code where SQL cannot do the job (compressing, parsing), in the same
//! transaction.

use rusqlite::{Connection, Transaction, TransactionBehavior};
use thiserror::Error;

/// Why a database could not be brought up to date.
#[derive(Debug, Error)]
pub enum MigrationError {
    /// SQLite failed (the steps already run in this call are rolled back).
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A step's code found data it cannot carry over.
    #[error("moving the data over: {0}")]
    Data(String),
    /// The database was written by newer code.
    #[error("the database is at schema {found}, newer than this code's {supported}")]
    TooNew {
        /// Version found.
        found: u32,
        /// Newest version this code knows (the number of steps).
        supported: u32,
    },
}

/// One schema step.
pub enum Step {
    /// SQL statements.
    Sql(&'static str),
    /// Code, for what SQL cannot do.
    Code(fn(&Transaction<'_>) -> Result<(), MigrationError>),
}

/// Brings the database up to `migrations.len()`, running the SQL steps it has not run yet.
pub fn migrate(conn: &mut Connection, migrations: &[&'static str]) -> Result<(), MigrationError> {
    let steps: Vec<Step> = migrations.iter().map(|sql| Step::Sql(sql)).collect();
    let versions: Vec<&[Step]> = steps.iter().map(std::slice::from_ref).collect();
    migrate_versions(conn, &versions)
}

/// Brings the database up to `versions.len()`, where a version is made of one or more steps
/// (SQL, code, SQL…) run in order.
pub fn migrate_versions(conn: &mut Connection, versions: &[&[Step]]) -> Result<(), MigrationError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = u32::try_from(versions.len()).unwrap_or(u32::MAX);
    if found > supported {
        return Err(MigrationError::TooNew { found, supported });
    }
    if found == supported {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for step in versions.iter().skip(found as usize).flat_map(|v| v.iter()) {
        match step {
            Step::Sql(sql) => tx.execute_batch(sql)?,
            Step::Code(run) => run(&tx)?,
        }
    }
    tx.pragma_update(None, "user_version", supported)?;
    tx.commit()?;
    Ok(())
}
