//! A learner's past at a module, as the attempt policy needs it: the finished attempts (on
//! this device and on the learner's other devices) and the attempts trainers granted. Read here once for the catalog, the attempt's start and
//! the sync's wait for a grant; what they allow is decided by `assess::attempts_left` alone.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::error::StoreError;
use super::Store;
use crate::assess::{attempts_left, AttemptsLeft, PastAttempt};

impl Store {
    /// Attempts the learner may still start at an installed module: its own, plus those
    /// granted, less those used.
    pub fn attempts_left(&self, module_id: &str) -> Result<AttemptsLeft, StoreError> {
        let module = self.module(module_id)?;
        let conn = self.lock();
        let granted = granted_attempts(&conn, module_id)?;
        let history = past_attempts(&conn, module_id)?;
        Ok(attempts_left(&module.assessment, granted, &history))
    }
}

/// The finished attempts at a module, this device's and those the learner made on their
/// other devices (`elsewhere`), by number then time.
pub(super) fn past_attempts(
    conn: &Connection,
    module_id: &str,
) -> Result<Vec<PastAttempt>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT number, ended_at, passed FROM attempts
         WHERE module_id = ?1 AND ended_at IS NOT NULL
         UNION ALL
         SELECT number, ended_at, passed FROM attempts_elsewhere WHERE module_id = ?1
         ORDER BY 1, 2",
    )?;
    let rows = stmt
        .query_map([module_id], |r| {
            Ok((
                r.get::<_, u32>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(number, ended_at, passed)| {
            let ended_at = DateTime::parse_from_rfc3339(&ended_at)
                .map_err(|_| StoreError::Damaged(format!("attempt {number} has a bad end time")))?
                .with_timezone(&Utc);
            Ok(PastAttempt {
                number,
                ended_at,
                passed,
            })
        })
        .collect()
}

/// Attempts granted for `module_id` by the publisher of the pack it is installed from.
pub(super) fn granted_attempts(conn: &Connection, module_id: &str) -> Result<u32, StoreError> {
    let granted: Option<i64> = conn
        .query_row(
            "SELECT sum(g.attempts) FROM attempt_grants g
             JOIN modules m ON m.id = g.module_id
             JOIN packs p ON p.id = m.pack_id AND p.publisher = g.publisher
             WHERE g.module_id = ?1",
            [module_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(u32::try_from(granted.unwrap_or(0).max(0)).unwrap_or(u32::MAX))
}
