//! Schema migrations. The list is append-only and a step's version is its position plus one,
//! never typed by hand; every pending step runs in one IMMEDIATE transaction and the version
//! lands in `PRAGMA user_version`. A database newer than this code is refused, not guessed at.

use rusqlite::{Connection, TransactionBehavior};

use super::error::StoreError;

/// Every schema step, oldest first.
pub(crate) const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_init.sql")];

/// The version this code writes.
pub(crate) fn current_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// Brings the database up to the current version.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = current_version();
    if found > supported {
        return Err(StoreError::TooNew { found, supported });
    }
    if found == supported {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for step in &MIGRATIONS[found as usize..] {
        tx.execute_batch(step)?;
    }
    tx.pragma_update(None, "user_version", supported)?;
    tx.commit()?;
    Ok(())
}
