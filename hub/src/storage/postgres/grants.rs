//! Grants of more attempts on PostgreSQL, as on SQLite: numbered as stored, each audited,
//! read by the learner's devices after the newest they took.

use super::{iso, PgHub};
use crate::error::HubError;
use crate::storage::rows::{AttemptGrantRow, HeldGrantRow, NewAttemptGrant};
use crate::storage::rules::count;

impl PgHub {
    pub(crate) async fn add_grant(&self, grant: NewAttemptGrant) -> Result<u64, HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let attempts = i32::try_from(grant.attempts).unwrap_or(i32::MAX);
        let row = tx
            .query_one(
                "INSERT INTO attempt_grants
                   (id, learner, module_id, attempts, granted_by, granted_at, body)
                 VALUES ($1, $2, $3, $4, $5, $6::text::timestamptz, $7) RETURNING number",
                &[
                    &grant.id,
                    &grant.learner,
                    &grant.module_id,
                    &attempts,
                    &grant.granted_by,
                    &grant.granted_at,
                    &grant.body,
                ],
            )
            .await?;
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail)
             VALUES (now(), $1, 'grant_attempts', $2)",
            &[&grant.granted_by, &grant.audit_detail()],
        )
        .await?;
        tx.commit().await?;
        Ok(count(row.get(0)))
    }

    pub(crate) async fn grants_after(
        &self,
        learner: String,
        after: u64,
        limit: u32,
    ) -> Result<Vec<HeldGrantRow>, HubError> {
        let client = self.pool.get().await?;
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = client
            .query(
                "SELECT number, body FROM attempt_grants WHERE learner = $1 AND number > $2
                 ORDER BY number LIMIT $3",
                &[&learner, &after, &i64::from(limit)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| HeldGrantRow {
                number: count(r.get(0)),
                body: r.get(1),
            })
            .collect())
    }

    pub(crate) async fn learner_grants(
        &self,
        learner: String,
    ) -> Result<Vec<AttemptGrantRow>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT number, module_id, attempts, granted_by, {} FROM attempt_grants
                     WHERE learner = $1 ORDER BY number",
                    iso("granted_at")
                ),
                &[&learner],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| AttemptGrantRow {
                number: count(r.get(0)),
                module_id: r.get(1),
                attempts: u32::try_from(r.get::<_, i32>(2)).unwrap_or(0),
                granted_by: r.get(3),
                granted_at: r.get(4),
            })
            .collect())
    }
}
