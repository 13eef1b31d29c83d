//! Learners' identities linked by a trainer, and the audit trail, on PostgreSQL: a link and
//! its audit entry are written in one transaction.

use super::{in_scope, iso, PgHub};
use crate::error::HubError;
use crate::storage::rows::{AuditRow, LearnerLabel, LearnerLink, LinkRefusal};
use crate::storage::rules::{label_detail, link_detail};

impl PgHub {
    pub(crate) async fn link_learner(
        &self,
        link: LearnerLink,
    ) -> Result<Result<String, LinkRefusal>, HubError> {
        if link.learner == link.person {
            return Ok(Err(LinkRefusal::SameLearner));
        }
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        // One link at a time, so two trainers cannot make a loop between them.
        tx.execute("LOCK TABLE learner_links IN EXCLUSIVE MODE", &[])
            .await?;
        for did in [&link.learner, &link.person] {
            let known = tx
                .query_opt("SELECT 1 FROM devices WHERE learner = $1 LIMIT 1", &[did])
                .await?;
            if known.is_none() {
                return Ok(Err(LinkRefusal::UnknownLearner(did.clone())));
            }
        }
        let linked = tx
            .query_opt(
                "SELECT person FROM learner_links WHERE learner = $1",
                &[&link.learner],
            )
            .await?;
        if let Some(row) = linked {
            return Ok(Err(LinkRefusal::AlreadyLinked {
                learner: link.learner,
                person: row.get(0),
            }));
        }
        // Links point at the first identity, never along a chain.
        let root: String = tx
            .query_opt(
                "SELECT person FROM learner_links WHERE learner = $1",
                &[&link.person],
            )
            .await?
            .map_or_else(|| link.person.clone(), |r| r.get(0));
        if root == link.learner {
            return Ok(Err(LinkRefusal::WouldLoop(link.person)));
        }
        tx.execute(
            "INSERT INTO learner_links (learner, person, linked_by, reason, linked_at)
             VALUES ($1, $2, $3, $4, now())",
            &[&link.learner, &root, &link.by, &link.reason],
        )
        .await?;
        tx.execute(
            "UPDATE learner_links SET person = $2 WHERE person = $1",
            &[&link.learner, &root],
        )
        .await?;
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (now(), $1, 'link_learner', $2)",
            &[&link.by, &link_detail(&link, &root)],
        )
        .await?;
        tx.commit().await?;
        Ok(Ok(root))
    }

    pub(crate) async fn audit(&self) -> Result<Vec<AuditRow>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {}, actor, action, detail FROM audit ORDER BY id",
                    iso("at")
                ),
                &[],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuditRow {
                at: r.get(0),
                actor: r.get(1),
                action: r.get(2),
                detail: r.get(3),
            })
            .collect())
    }
}

impl PgHub {
    pub(crate) async fn set_learner_name(
        &self,
        learner: String,
        name: Option<String>,
    ) -> Result<(), HubError> {
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO learner_names (learner, name, updated_at) VALUES ($1, $2, now())
                 ON CONFLICT (learner) DO UPDATE SET name = $2, updated_at = now()",
                &[&learner, &name],
            )
            .await?;
        Ok(())
    }

    pub(crate) async fn label_learner(&self, label: LearnerLabel) -> Result<bool, HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let labelled = tx
            .execute(
                &format!(
                    "INSERT INTO learner_labels (learner, grp, label, updated_at)
                     SELECT DISTINCT learner, grp, $2, now() FROM devices
                     WHERE learner = $1 AND {}
                     ON CONFLICT (learner, grp) DO UPDATE
                     SET label = excluded.label, updated_at = excluded.updated_at",
                    in_scope("grp", "$3")
                ),
                &[&label.learner, &label.label, &label.scope.groups()],
            )
            .await?;
        if labelled == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail) VALUES (now(), $1, 'label_learner', $2)",
            &[&label.by, &label_detail(&label)],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
