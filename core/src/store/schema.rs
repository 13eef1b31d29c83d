//! Schema migrations. The list is append-only and a step's version is its position plus one,
//! never typed by hand; every pending step runs in one IMMEDIATE transaction and the version
//! lands in `PRAGMA user_version`. A database newer than this code is refused, not guessed at.

use rusqlite::Connection;

use super::error::StoreError;

/// Every schema step, oldest first.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_init.sql"),
    include_str!("migrations/0002_entries.sql"),
];

/// The version this code writes (the tests compare databases against it).
#[cfg(test)]
pub(crate) fn current_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// Brings the database up to the current version (the shared runner, [`super::migrate`]).
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    Ok(super::migrate::migrate(conn, MIGRATIONS)?)
}
