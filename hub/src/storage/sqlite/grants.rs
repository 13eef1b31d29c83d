//! Grants of more attempts on SQLite: numbered as stored, each audited, read by the
//! learner's devices after the newest they took.

use rusqlite::{params, TransactionBehavior};

use super::{SqliteHub, NOW};
use crate::error::HubError;
use crate::storage::rows::{AttemptGrantRow, HeldGrantRow, NewAttemptGrant};
use crate::storage::rules::count;

impl SqliteHub {
    pub(crate) async fn add_grant(&self, grant: NewAttemptGrant) -> Result<u64, HubError> {
        self.run(move |db| {
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO attempt_grants
                   (id, learner, module_id, attempts, granted_by, granted_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    grant.id,
                    grant.learner,
                    grant.module_id,
                    grant.attempts,
                    grant.granted_by,
                    grant.granted_at,
                    grant.body
                ],
            )?;
            let number = tx.last_insert_rowid();
            tx.execute(
                &format!(
                    "INSERT INTO audit (at, actor, action, detail)
                     VALUES ({NOW}, ?1, 'grant_attempts', ?2)"
                ),
                params![grant.granted_by, grant.audit_detail()],
            )?;
            tx.commit()?;
            Ok(count(number))
        })
        .await
    }

    pub(crate) async fn grants_after(
        &self,
        learner: String,
        after: u64,
        limit: u32,
    ) -> Result<Vec<HeldGrantRow>, HubError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT number, body FROM attempt_grants WHERE learner = ?1 AND number > ?2
                 ORDER BY number LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![learner, after, limit], |r| {
                Ok(HeldGrantRow {
                    number: count(r.get(0)?),
                    body: r.get(1)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn learner_grants(
        &self,
        learner: String,
    ) -> Result<Vec<AttemptGrantRow>, HubError> {
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT number, module_id, attempts, granted_by, granted_at FROM attempt_grants
                 WHERE learner = ?1 ORDER BY number",
            )?;
            let rows = stmt.query_map([learner], |r| {
                Ok(AttemptGrantRow {
                    number: count(r.get(0)?),
                    module_id: r.get(1)?,
                    attempts: r.get(2)?,
                    granted_by: r.get(3)?,
                    granted_at: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }
}
