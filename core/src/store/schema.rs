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
    &[Step::Sql(include_str!("migrations/0003_module_parts.sql"))],
    &[Step::Sql(include_str!("migrations/0004_credentials.sql"))],
    &[Step::Sql(include_str!(
        "migrations/0005_issuer_endorsements.sql"
    ))],
    &[Step::Sql(include_str!(
        "migrations/0006_attempt_grants.sql"
    ))],
    &[Step::Sql(include_str!(
        "migrations/0007_revocation_checks.sql"
    ))],
    &[Step::Sql(include_str!(
        "migrations/0008_take_credentials_again.sql"
    ))],
    &[Step::Sql(include_str!(
        "migrations/0009_attempts_elsewhere.sql"
    ))],
    &[Step::Sql(include_str!(
        "migrations/0010_issuer_documents.sql"
    ))],
    &[Step::Sql(include_str!("migrations/0011_presentations.sql"))],
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
/// module.json copies step 1 kept, one pack at a time. A pack whose copies cannot be carried
/// over is removed (the learner's progress, attempts and records stay, as on any uninstall),
/// so the store still opens and the next sync installs the pack again.
fn index_installed_modules(tx: &Transaction<'_>) -> Result<(), MigrationError> {
    let packs: Vec<String> = tx
        .prepare("SELECT id FROM packs ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for pack in packs {
        if index_pack(tx, &pack)?.is_err() {
            tx.execute("DELETE FROM packs WHERE id = ?1", [&pack])?;
        }
    }
    tx.execute(
        "DELETE FROM chunks WHERE hash NOT IN (SELECT chunk_hash FROM pack_chunks)",
        [],
    )?;
    Ok(())
}

/// Indexes the modules of one pack; the inner error says why its copies could not be
/// carried over.
fn index_pack(tx: &Transaction<'_>, pack: &str) -> Result<Result<(), String>, MigrationError> {
    let manifest: String =
        tx.query_row("SELECT manifest FROM packs WHERE id = ?1", [pack], |r| {
            r.get(0)
        })?;
    let indexes = match serde_json::from_str::<Manifest>(&manifest)
        .map_err(|e| e.to_string())
        .and_then(|m| ModuleIndex::all_of(&m).map_err(|e| e.to_string()))
    {
        Ok(indexes) => indexes,
        Err(why) => return Ok(Err(why)),
    };
    let modules: Vec<(String, String)> = tx
        .prepare("SELECT id, module FROM modules WHERE pack_id = ?1")?
        .query_map([pack], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = tx.prepare(
        "UPDATE modules SET title = ?2, language = ?3, minutes = ?4, lessons = ?5, contents = ?6
         WHERE id = ?1",
    )?;
    for (id, module) in modules {
        let module: Module = match serde_json::from_str(&module) {
            Ok(module) => module,
            Err(e) => return Ok(Err(e.to_string())),
        };
        let index = match indexes.get(&id).map(ModuleIndex::encode) {
            Some(Ok(index)) => index,
            Some(Err(e)) => return Ok(Err(e.to_string())),
            None => return Ok(Err(format!("module {id} is not in its manifest"))),
        };
        update.execute(params![
            id,
            module.title,
            module.language,
            module.minutes,
            module.lessons.len() as i64,
            index
        ])?;
    }
    Ok(Ok(()))
}
