//! Schema migrations. The list is append-only and a step's version is its position plus one,
//! never typed by hand; every pending step runs in one IMMEDIATE transaction and the version
//! lands in `PRAGMA user_version`. A database newer than this code is refused, not guessed at.

use rusqlite::{params, Connection, Transaction};

use super::error::StoreError;
use super::index::ModuleIndex;
use super::migrate::{MigrationError, Step};
use crate::module::Module;
use crate::pack::Manifest;

/// Every schema step, oldest first.
const MIGRATIONS: &[&[Step]] = &[
    &[Step::Sql(include_str!("migrations/0001_init.sql"))],
    &[
        Step::Sql(include_str!("migrations/0002_module_index_columns.sql")),
        Step::Code(index_installed_modules),
        Step::Sql(include_str!("migrations/0002_drop_copies.sql")),
    ],
];

/// The version this code writes (the tests compare databases against it).
#[cfg(test)]
pub(crate) fn current_version() -> u32 {
    MIGRATIONS.len() as u32
}

/// Brings the database up to the current version (the shared runner, [`super::migrate`]).
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    Ok(super::migrate::migrate_versions(conn, MIGRATIONS)?)
}

/// Step 2's code: each installed module's index and catalog fields, from the manifest and
/// module.json copies step 1 kept.
fn index_installed_modules(tx: &Transaction<'_>) -> Result<(), MigrationError> {
    let bad = |what: &str, e: String| MigrationError::Data(format!("{what}: {e}"));
    let rows: Vec<(String, String, String)> = tx
        .prepare(
            "SELECT m.id, m.module, p.manifest FROM modules m JOIN packs p ON p.id = m.pack_id",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = tx.prepare(
        "UPDATE modules SET title = ?2, language = ?3, minutes = ?4, lessons = ?5, contents = ?6
         WHERE id = ?1",
    )?;
    for (id, module, manifest) in rows {
        let module: Module = serde_json::from_str(&module).map_err(|e| bad(&id, e.to_string()))?;
        let manifest: Manifest =
            serde_json::from_str(&manifest).map_err(|e| bad(&id, e.to_string()))?;
        let index = ModuleIndex::of(&manifest, &id)
            .and_then(|i| i.encode())
            .map_err(|e| bad(&id, e.to_string()))?;
        update.execute(params![
            id,
            module.title,
            module.language,
            module.minutes,
            module.lessons.len() as i64,
            index
        ])?;
    }
    Ok(())
}
