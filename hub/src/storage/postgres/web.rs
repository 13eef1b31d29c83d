//! Sign-in to the trainer's web pages on PostgreSQL, as on SQLite.

use skillpack_core::hex;

use super::{iso, PgHub};
use crate::error::HubError;
use crate::storage::rows::{PackRow, WebGrant, WebSession};
use crate::storage::rules::{count, grant_columns, grant_of, split_groups};

impl PgHub {
    pub(crate) async fn create_web_link(
        &self,
        token_hash: [u8; 32],
        grant: WebGrant,
        expires_at: i64,
    ) -> Result<(), HubError> {
        let (role, groups) = grant_columns(&grant)?;
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO web_links (token_hash, role, groups, label, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &token_hash.as_slice(),
                    &role,
                    &groups,
                    &grant.label,
                    &expires_at,
                ],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn redeem_web_link(
        &self,
        token_hash: [u8; 32],
        session_hash: [u8; 32],
        csrf: String,
        now: i64,
        session_expires_at: i64,
    ) -> Result<Option<WebSession>, HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let granted = tx
            .query_opt(
                "UPDATE web_links SET used_at = now()
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at >= $2
                 RETURNING role, groups, label",
                &[&token_hash.as_slice(), &now],
            )
            .await?;
        let Some(row) = granted else {
            return Ok(None);
        };
        let (role, groups, label): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        tx.execute(
            "INSERT INTO web_sessions (id_hash, role, groups, label, csrf, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &session_hash.as_slice(),
                &role,
                &groups,
                &label,
                &csrf,
                &session_expires_at,
            ],
        )
        .await?;
        let detail = serde_json::json!({ "role": role, "groups": groups }).to_string();
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (now(), $1, 'web_sign_in', $2)",
            &[&label, &detail],
        )
        .await?;
        tx.execute("DELETE FROM web_sessions WHERE expires_at < $1", &[&now])
            .await?;
        tx.commit().await?;
        Ok(Some(WebSession {
            grant: grant_of(&role, &groups, label)?,
            csrf,
        }))
    }

    pub(crate) async fn web_session(
        &self,
        session_hash: [u8; 32],
        now: i64,
    ) -> Result<Option<WebSession>, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT role, groups, label, csrf FROM web_sessions
                 WHERE id_hash = $1 AND expires_at >= $2",
                &[&session_hash.as_slice(), &now],
            )
            .await?;
        row.map(|r| {
            Ok(WebSession {
                grant: grant_of(r.get(0), r.get(1), r.get(2))?,
                csrf: r.get(3),
            })
        })
        .transpose()
    }

    pub(crate) async fn end_web_session(&self, session_hash: [u8; 32]) -> Result<(), HubError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "DELETE FROM web_sessions WHERE id_hash = $1",
                &[&session_hash.as_slice()],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn offer_stored(
        &self,
        hash: [u8; 32],
        group: String,
    ) -> Result<bool, HubError> {
        let client = self.pool.get().await?;
        let added = client
            .execute(
                "INSERT INTO offers (pack_hash, grp, offered_at)
                 SELECT hash, $2, now() FROM packs WHERE hash = $1
                 ON CONFLICT DO NOTHING",
                &[&hash.as_slice(), &group],
            )
            .await?;
        Ok(added > 0)
    }

    pub(crate) async fn stored_packs(&self) -> Result<Vec<PackRow>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT p.hash, p.id, p.version, p.variant, p.size, {},
                            coalesce((SELECT string_agg(grp, ',' ORDER BY grp) FROM offers o
                                      WHERE o.pack_hash = p.hash), '')
                     FROM packs p ORDER BY p.id, p.published_at",
                    iso("p.published_at")
                ),
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| PackRow {
                hash: hex::encode(&r.get::<_, Vec<u8>>(0)),
                id: r.get(1),
                version: r.get(2),
                variant: r.get(3),
                size: count(r.get(4)),
                published_at: r.get(5),
                groups: split_groups(r.get(6)),
            })
            .collect())
    }

    pub(crate) async fn module_titles(&self) -> Result<crate::storage::Titles, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                "SELECT m.module_id, (m.body::json)->>'title' FROM pack_modules m
                 JOIN packs p ON p.hash = m.pack_hash ORDER BY p.published_at, p.hash",
                &[],
            )
            .await?;
        let mut titles = crate::storage::Titles::new();
        for row in rows {
            if let Some(title) = row.get::<_, Option<String>>(1) {
                titles.insert(row.get(0), title);
            }
        }
        Ok(titles)
    }
}
