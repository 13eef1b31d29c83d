//! Sign-in to the trainer's web pages on SQLite: one-time links and the sessions they open,
//! kept by the hashes of their secrets.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{SqliteHub, NOW};
use crate::error::HubError;
use crate::storage::rows::{WebGrant, WebSession};
use crate::storage::rules::{grant_columns, grant_of};

impl SqliteHub {
    pub(crate) async fn create_web_link(
        &self,
        token_hash: [u8; 32],
        grant: WebGrant,
        expires_at: i64,
    ) -> Result<(), HubError> {
        self.run(move |db| {
            let (role, groups) = grant_columns(&grant)?;
            db.lock().execute(
                "INSERT INTO web_links (token_hash, role, groups, label, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![token_hash.as_slice(), role, groups, grant.label, expires_at],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn redeem_web_link(
        &self,
        token_hash: [u8; 32],
        session_hash: [u8; 32],
        csrf: String,
        now: i64,
        session_expires_at: i64,
    ) -> Result<Option<WebSession>, HubError> {
        self.run(move |db| {
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let granted: Option<(String, String, String)> = tx
                .query_row(
                    &format!(
                        "UPDATE web_links SET used_at = {NOW}
                         WHERE token_hash = ?1 AND used_at IS NULL AND expires_at >= ?2
                         RETURNING role, groups, label"
                    ),
                    params![token_hash.as_slice(), now],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let Some((role, groups, label)) = granted else {
                return Ok(None);
            };
            tx.execute(
                "INSERT INTO web_sessions (id_hash, role, groups, label, csrf, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![session_hash.as_slice(), role, groups, label, csrf, session_expires_at],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO audit (at, actor, action, detail) VALUES ({NOW}, ?1, 'web_sign_in', ?2)"
                ),
                params![label, serde_json::json!({ "role": role, "groups": groups }).to_string()],
            )?;
            tx.execute("DELETE FROM web_sessions WHERE expires_at < ?1", [now])?;
            tx.commit()?;
            Ok(Some(WebSession {
                grant: grant_of(&role, &groups, label)?,
                csrf,
            }))
        })
        .await
    }

    pub(crate) async fn web_session(
        &self,
        session_hash: [u8; 32],
        now: i64,
    ) -> Result<Option<WebSession>, HubError> {
        self.run(move |db| {
            let row: Option<(String, String, String, String)> = db
                .read()
                .query_row(
                    "SELECT role, groups, label, csrf FROM web_sessions
                     WHERE id_hash = ?1 AND expires_at >= ?2",
                    params![session_hash.as_slice(), now],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            row.map(|(role, groups, label, csrf)| {
                Ok(WebSession {
                    grant: grant_of(&role, &groups, label)?,
                    csrf,
                })
            })
            .transpose()
        })
        .await
    }

    pub(crate) async fn end_web_session(&self, session_hash: [u8; 32]) -> Result<(), HubError> {
        self.run(move |db| {
            db.lock().execute(
                "DELETE FROM web_sessions WHERE id_hash = ?1",
                [session_hash.as_slice()],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn offer_stored(
        &self,
        hash: [u8; 32],
        group: String,
    ) -> Result<bool, HubError> {
        self.run(move |db| {
            let added = db.lock().execute(
                &format!(
                    "INSERT OR IGNORE INTO offers (pack_hash, grp, offered_at)
                     SELECT hash, ?2, {NOW} FROM packs WHERE hash = ?1"
                ),
                params![hash.as_slice(), group],
            )?;
            Ok(added > 0)
        })
        .await
    }

    pub(crate) async fn stored_packs(
        &self,
    ) -> Result<Vec<crate::storage::rows::PackRow>, HubError> {
        self.run(|db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT lower(hex(p.hash)), p.id, p.version, p.variant, p.size, p.published_at,
                        coalesce((SELECT group_concat(grp, ',') FROM (SELECT grp FROM offers o
                                  WHERE o.pack_hash = p.hash ORDER BY grp)), '')
                 FROM packs p ORDER BY p.id, p.published_at",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(crate::storage::rows::PackRow {
                    hash: r.get(0)?,
                    id: r.get(1)?,
                    version: r.get(2)?,
                    variant: r.get(3)?,
                    size: crate::storage::rules::count(r.get(4)?),
                    published_at: r.get(5)?,
                    groups: crate::storage::rules::split_groups(&r.get::<_, String>(6)?),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn module_titles(&self) -> Result<crate::storage::Titles, HubError> {
        self.run(|db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT m.module_id, json_extract(m.body, '$.title') FROM pack_modules m
                 JOIN packs p ON p.hash = m.pack_hash ORDER BY p.published_at, p.rowid",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
            })?;
            let mut titles = crate::storage::Titles::new();
            for row in rows {
                if let (id, Some(title)) = row? {
                    titles.insert(id, title);
                }
            }
            Ok(titles)
        })
        .await
    }
}
