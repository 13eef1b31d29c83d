//! Opening the device database and writing to it. One connection, WAL, `synchronous = FULL`
//! (a result record must survive a power cut the moment its outcome is shown), foreign keys
//! on, and incremental vacuum so uninstalling a pack gives the space back. Every multi-step
//! write goes through [`write`]: commit on `Ok`, roll back on `Err`.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use super::error::StoreError;
use super::schema::migrate;

/// Bytes per database page in stores made by this code.
const PAGE_SIZE: u32 = 1024;

/// The database file inside a store folder.
pub(crate) const DB_FILE: &str = "skillpack.db";

/// Opens (or creates) the database in `dir` and brings its schema up to date. A file that
/// SQLite finds damaged is renamed aside and reported, never deleted.
pub(crate) fn open(dir: &Path) -> Result<Connection, StoreError> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(DB_FILE);
    match open_and_prepare(&path) {
        Err(StoreError::Sqlite(e)) if is_corruption(&e) => Err(move_aside(&path)?),
        other => other,
    }
}

fn open_and_prepare(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
    let mut conn = Connection::open_with_flags(path, flags)?;
    // page_size and auto_vacuum only take effect before the first table exists; harmless
    // afterwards. Small pages waste less of a phone's storage at the end of each stored chunk
    // (half a page on average): with 4 KiB pages a store took 1.3 times its packs' size.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Reading the schema makes SQLite look at the file: a damaged one fails here.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })?;
    migrate(&mut conn)?;
    Ok(conn)
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// Renames a damaged database (and its WAL) aside; returns the error that says where.
fn move_aside(path: &Path) -> Result<StoreError, StoreError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let target = PathBuf::from(format!("{}.damaged-{stamp}", path.display()));
    std::fs::rename(path, &target)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::rename(&side, format!("{}{suffix}", target.display()))?;
        }
    }
    Ok(StoreError::Corrupt {
        moved_to: target.display().to_string(),
    })
}

/// Runs `f` in one IMMEDIATE transaction: committed on `Ok`, rolled back on `Err`.
pub(crate) fn write<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = f(&tx)?;
    tx.commit()?;
    Ok(out)
}
