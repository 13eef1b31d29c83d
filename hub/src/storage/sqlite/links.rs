//! Learners' identities linked by a trainer, and the audit trail, on SQLite: a link and its
//! audit entry are written in one transaction.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{in_scope, scope_param, SqliteHub, NOW};
use crate::error::HubError;
use crate::storage::rows::{AuditRow, LearnerLabel, LearnerLink, LinkRefusal};
use crate::storage::rules::{label_detail, link_detail};

impl SqliteHub {
    pub(crate) async fn link_learner(
        &self,
        link: LearnerLink,
    ) -> Result<Result<String, LinkRefusal>, HubError> {
        self.run(move |db| {
            if link.learner == link.person {
                return Ok(Err(LinkRefusal::SameLearner));
            }
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for did in [&link.learner, &link.person] {
                let known: Option<i64> = tx
                    .query_row(
                        "SELECT 1 FROM devices WHERE learner = ?1 LIMIT 1",
                        [did],
                        |r| r.get(0),
                    )
                    .optional()?;
                if known.is_none() {
                    return Ok(Err(LinkRefusal::UnknownLearner(did.clone())));
                }
            }
            let linked: Option<String> = tx
                .query_row(
                    "SELECT person FROM learner_links WHERE learner = ?1",
                    [&link.learner],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(person) = linked {
                return Ok(Err(LinkRefusal::AlreadyLinked {
                    learner: link.learner,
                    person,
                }));
            }
            // Links point at the first identity, never along a chain.
            let root: String = tx
                .query_row(
                    "SELECT person FROM learner_links WHERE learner = ?1",
                    [&link.person],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or_else(|| link.person.clone());
            if root == link.learner {
                return Ok(Err(LinkRefusal::WouldLoop(link.person)));
            }
            tx.execute(
                &format!(
                    "INSERT INTO learner_links (learner, person, linked_by, reason, linked_at)
                     VALUES (?1, ?2, ?3, ?4, {NOW})"
                ),
                params![link.learner, root, link.by, link.reason],
            )?;
            tx.execute(
                "UPDATE learner_links SET person = ?2 WHERE person = ?1",
                params![link.learner, root],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO audit (at, actor, action, detail)
                     VALUES ({NOW}, ?1, 'link_learner', ?2)"
                ),
                params![link.by, link_detail(&link, &root)],
            )?;
            tx.commit()?;
            Ok(Ok(root))
        })
        .await
    }

    pub(crate) async fn audit(&self) -> Result<Vec<AuditRow>, HubError> {
        self.run(|db| {
            let conn = db.read();
            let mut stmt =
                conn.prepare_cached("SELECT at, actor, action, detail FROM audit ORDER BY id")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(AuditRow {
                        at: r.get(0)?,
                        actor: r.get(1)?,
                        action: r.get(2)?,
                        detail: r.get(3)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }
}

impl SqliteHub {
    pub(crate) async fn set_learner_name(
        &self,
        learner: String,
        name: Option<String>,
    ) -> Result<(), HubError> {
        self.run(move |db| {
            db.lock().execute(
                &format!(
                    "INSERT INTO learner_names (learner, name, updated_at) VALUES (?1, ?2, {NOW})
                     ON CONFLICT (learner) DO UPDATE SET name = ?2, updated_at = {NOW}"
                ),
                params![learner, name],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn label_learner(&self, label: LearnerLabel) -> Result<bool, HubError> {
        let scope = scope_param(&label.scope)?;
        self.run(move |db| {
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let labelled = tx.execute(
                &format!(
                    "INSERT INTO learner_labels (learner, grp, label, updated_at)
                     SELECT DISTINCT learner, grp, ?2, {NOW} FROM devices
                     WHERE learner = ?1 AND {}
                     ON CONFLICT (learner, grp) DO UPDATE
                     SET label = excluded.label, updated_at = excluded.updated_at",
                    in_scope("grp", "?3")
                ),
                params![label.learner, label.label, scope],
            )?;
            if labelled == 0 {
                return Ok(false);
            }
            tx.execute(
                &format!(
                    "INSERT INTO audit (at, actor, action, detail)
                     VALUES ({NOW}, ?1, 'label_learner', ?2)"
                ),
                params![label.by, label_detail(&label)],
            )?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }
}
