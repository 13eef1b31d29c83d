//! What a trainer reads from PostgreSQL: groups, learners with their results, every stored
//! record with its receipt time, the flagged chains and a count. Times are read out in
//! SQLite's format, so rows are identical to SQLite's.

use skillpack_core::hex;

use super::{in_scope, iso, PgHub};
use crate::error::HubError;
use crate::storage::rows::{FlagRow, GroupRow, LearnerRow, StoredResult};
use crate::storage::rules::{count, groups_sql, stored_record};
use crate::storage::{ResultQuery, Scope};

impl PgHub {
    pub(crate) async fn groups(&self, scope: Scope) -> Result<Vec<GroupRow>, HubError> {
        let client = self.pool.get().await?;
        let sql = groups_sql(
            "extract(epoch from now())::bigint",
            &in_scope("g.grp", "$1"),
        );
        let rows = client.query(&sql, &[&scope.groups()]).await?;
        Ok(rows
            .iter()
            .map(|r| GroupRow {
                group: r.get(0),
                packs: count(r.get(1)),
                devices: count(r.get(2)),
                records: count(r.get(3)),
                open_codes: count(r.get(4)),
            })
            .collect())
    }

    pub(crate) async fn learners(
        &self,
        scope: Scope,
        learner: Option<String>,
    ) -> Result<Vec<LearnerRow>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT d.learner, d.grp, d.device_key, {}, count(r.id), count(DISTINCT CASE WHEN r.passed THEN r.module END),
                            coalesce(l.person, d.learner), coalesce(lab.label, n.name)
                     FROM devices d LEFT JOIN records r ON r.device_key = d.device_key
                     LEFT JOIN learner_links l ON l.learner = d.learner
                     LEFT JOIN learner_names n ON n.learner = d.learner
                 LEFT JOIN learner_labels lab ON lab.learner = d.learner AND lab.grp = d.grp
                     WHERE {} AND ($2::text IS NULL OR d.learner = $2)
                     GROUP BY d.device_key, d.learner, d.grp, d.registered_at, l.person, lab.label, n.name
                     ORDER BY d.grp, coalesce(l.person, d.learner), d.learner",
                    iso("d.registered_at"),
                    in_scope("d.grp", "$1")
                ),
                &[&scope.groups(), &learner],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| LearnerRow {
                learner: r.get(0),
                group: r.get(1),
                device: hex::encode(&r.get::<_, Vec<u8>>(2)),
                registered_at: r.get(3),
                records: count(r.get(4)),
                passed: count(r.get(5)),
                person: r.get(6),
                name: r.get(7),
            })
            .collect())
    }

    pub(crate) async fn results(&self, query: ResultQuery) -> Result<Vec<StoredResult>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT r.body, d.grp, {}, coalesce(l.person, d.learner), coalesce(lab.label, n.name)
                     FROM records r JOIN devices d ON d.device_key = r.device_key
                     LEFT JOIN learner_links l ON l.learner = d.learner
                     LEFT JOIN learner_names n ON n.learner = d.learner
                 LEFT JOIN learner_labels lab ON lab.learner = d.learner AND lab.grp = d.grp
                     WHERE {} AND ($2::text IS NULL OR d.grp = $2)
                       AND ($3::text IS NULL OR r.learner = $3) AND ($4::text IS NULL OR r.module = $4)
                     ORDER BY r.received_at, r.id",
                    iso("r.received_at"),
                    in_scope("d.grp", "$1")
                ),
                &[
                    &query.scope.groups(),
                    &query.group,
                    &query.learner,
                    &query.module,
                ],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredResult {
                    record: stored_record(r.get(0))?,
                    group: r.get(1),
                    received_at: r.get(2),
                    person: r.get(3),
                    name: r.get(4),
                })
            })
            .collect()
    }

    pub(crate) async fn flags(
        &self,
        scope: Scope,
        learner: Option<String>,
    ) -> Result<Vec<FlagRow>, HubError> {
        let client = self.pool.get().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT f.device_key, f.seq, f.kind, f.detail
                     FROM flags f LEFT JOIN devices d ON d.device_key = f.device_key
                     WHERE {} AND ($2::text IS NULL OR d.learner = $2) ORDER BY f.id",
                    in_scope("d.grp", "$1")
                ),
                &[&scope.groups(), &learner],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| FlagRow {
                device: hex::encode(&r.get::<_, Vec<u8>>(0)),
                seq: count(r.get(1)),
                kind: r.get(2),
                detail: r.get(3),
            })
            .collect())
    }

    pub(crate) async fn record_count(&self) -> Result<u64, HubError> {
        let client = self.pool.get().await?;
        let n: i64 = client
            .query_one("SELECT count(*) FROM records", &[])
            .await?
            .get(0);
        Ok(count(n))
    }
}
