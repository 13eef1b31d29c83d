//! The one SQLite migration runner, shared by the device store and the hub's SQLite engine.
//! A list of steps is append-only and a step's version is its position plus one, never typed
//! by hand; every pending step runs in one IMMEDIATE transaction and the version lands in
//! `PRAGMA user_version`. A database newer than the code is refused, not guessed at.

use rusqlite::{Connection, TransactionBehavior};
use thiserror::Error;

/// Why a database could not be brought up to date.
#[derive(Debug, Error)]
pub enum MigrationError {
    /// SQLite failed (the steps already run in this call are rolled back).
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by newer code.
    #[error("the database is at schema {found}, newer than this code's {supported}")]
    TooNew {
        /// Version found.
        found: u32,
        /// Newest version this code knows (the number of steps).
        supported: u32,
    },
}

/// Brings the database up to `migrations.len()`, running the steps it has not run yet.
pub fn migrate(conn: &mut Connection, migrations: &[&str]) -> Result<(), MigrationError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = u32::try_from(migrations.len()).unwrap_or(u32::MAX);
    if found > supported {
        return Err(MigrationError::TooNew { found, supported });
    }
    if found == supported {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for step in migrations.iter().skip(found as usize) {
        tx.execute_batch(step)?;
    }
    tx.pragma_update(None, "user_version", supported)?;
    tx.commit()?;
    Ok(())
}
