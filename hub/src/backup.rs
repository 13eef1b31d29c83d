//! Backups of an SQLite hub that restore. A hub's database is in WAL mode: a plain copy of
//! its file while it runs misses what is still in the log (a `cp hub.db` of a busy hub held
//! the schema and none of its results). This copies it page by page with SQLite's online
//! backup API, which sees every committed transaction, while the hub goes on serving; writes
//! that land during the copy make SQLite restart it, so what is written is one consistent
//! moment. The copy is written beside its destination and renamed into place only once it is
//! whole and its integrity check passes, so a cut backup never looks like a good one. A
//! PostgreSQL hub is backed up with `pg_dump` (docs/operations.md).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::HubError;

/// Pages copied between pauses: a busy hub's writers get the lock between steps.
const PAGES_PER_STEP: std::os::raw::c_int = 1024;
/// The pause between steps.
const PAUSE: Duration = Duration::from_millis(5);

/// What a backup holds, counted in the copy itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    /// Where it was written.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The schema version it is at.
    pub schema_version: u32,
    /// Result records it holds.
    pub records: u64,
    /// Packs it holds.
    pub packs: u64,
    /// Credentials it holds.
    pub credentials: u64,
}

/// Copies the SQLite hub database at `db` to `out`, which must not exist yet; gives what the
/// copy holds. Runs while the hub serves.
pub fn backup_sqlite(db: &Path, out: &Path) -> Result<BackupSummary, HubError> {
    if !db.is_file() {
        return Err(HubError::NoDatabase(db.display().to_string()));
    }
    if out.exists() {
        return Err(HubError::Io(std::io::Error::new(
            std::io::ErrorKind::AlreadyExists,
            format!(
                "{} exists already: a backup never overwrites",
                out.display()
            ),
        )));
    }
    let source = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    source.busy_timeout(Duration::from_secs(30))?;
    let mut partial_name = out.as_os_str().to_owned();
    partial_name.push(".partial");
    let partial = PathBuf::from(partial_name);
    let _ = std::fs::remove_file(&partial);
    let copied = (|| -> Result<BackupSummary, HubError> {
        let mut copy = Connection::open(&partial)?;
        {
            let backup = rusqlite::backup::Backup::new(&source, &mut copy)?;
            backup.run_to_completion(PAGES_PER_STEP, PAUSE, None)?;
        }
        // The copy is a database of its own: no log beside it.
        copy.pragma_update(None, "journal_mode", "DELETE")?;
        let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(HubError::Damaged(format!(
                "the copy's integrity check: {check}"
            )));
        }
        let count = |table: &str| -> Result<u64, HubError> {
            let n: i64 =
                copy.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        let schema_version: i64 = copy.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let summary = BackupSummary {
            path: out.to_owned(),
            bytes: 0,
            schema_version: u32::try_from(schema_version).unwrap_or(0),
            records: count("records")?,
            packs: count("packs")?,
            credentials: count("credentials")?,
        };
        drop(copy);
        Ok(summary)
    })();
    let mut summary = match copied {
        Ok(summary) => summary,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, out)?;
    summary.bytes = std::fs::metadata(out)?.len();
    Ok(summary)
}
