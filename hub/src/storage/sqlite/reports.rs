//! What a trainer reads from SQLite: groups, learners with their results, every stored record
//! with its receipt time, the flagged chains and a count. Rows come out as `rows` defines
//! them, identical to PostgreSQL's.

use rusqlite::params;

use super::{in_scope, scope_param, SqliteHub};
use crate::error::HubError;
use crate::storage::rows::{FlagRow, GroupRow, LearnerRow, StoredResult};
use crate::storage::rules::{count, groups_sql, stored_record};
use crate::storage::{ResultQuery, Scope};

impl SqliteHub {
    pub(crate) async fn groups(&self, scope: Scope) -> Result<Vec<GroupRow>, HubError> {
        let scope = scope_param(&scope)?;
        self.run(move |db| {
            let conn = db.read();
            let mut stmt =
                conn.prepare_cached(&groups_sql("unixepoch()", &in_scope("g.grp", "?1")))?;
            let rows = stmt
                .query_map([scope], |r| {
                    Ok(GroupRow {
                        group: r.get(0)?,
                        packs: count(r.get(1)?),
                        devices: count(r.get(2)?),
                        records: count(r.get(3)?),
                        open_codes: count(r.get(4)?),
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub(crate) async fn learners(
        &self,
        scope: Scope,
        learner: Option<String>,
    ) -> Result<Vec<LearnerRow>, HubError> {
        let scope = scope_param(&scope)?;
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT d.learner, d.grp, lower(hex(d.device_key)), d.registered_at,
                        count(r.id), count(DISTINCT CASE WHEN r.passed = 1 THEN r.module END),
                        coalesce(l.person, d.learner), coalesce(lab.label, n.name)
                 FROM devices d LEFT JOIN records r ON r.device_key = d.device_key
                 LEFT JOIN learner_links l ON l.learner = d.learner
                 LEFT JOIN learner_names n ON n.learner = d.learner
                 LEFT JOIN learner_labels lab ON lab.learner = d.learner AND lab.grp = d.grp
                 WHERE {} AND (?2 IS NULL OR d.learner = ?2)
                 GROUP BY d.device_key ORDER BY d.grp, coalesce(l.person, d.learner), d.learner",
                in_scope("d.grp", "?1")
            ))?;
            let rows = stmt
                .query_map(params![scope, learner], |r| {
                    Ok(LearnerRow {
                        learner: r.get(0)?,
                        group: r.get(1)?,
                        device: r.get(2)?,
                        registered_at: r.get(3)?,
                        records: count(r.get(4)?),
                        passed: count(r.get(5)?),
                        person: r.get(6)?,
                        name: r.get(7)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub(crate) async fn results(&self, query: ResultQuery) -> Result<Vec<StoredResult>, HubError> {
        let scope = scope_param(&query.scope)?;
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT r.body, d.grp, r.received_at, coalesce(l.person, d.learner),
                        coalesce(lab.label, n.name)
                 FROM records r JOIN devices d ON d.device_key = r.device_key
                 LEFT JOIN learner_links l ON l.learner = d.learner
                 LEFT JOIN learner_names n ON n.learner = d.learner
                 LEFT JOIN learner_labels lab ON lab.learner = d.learner AND lab.grp = d.grp
                 WHERE {} AND (?2 IS NULL OR d.grp = ?2) AND (?3 IS NULL OR r.learner = ?3)
                   AND (?4 IS NULL OR r.module = ?4)
                 ORDER BY r.received_at, r.id",
                in_scope("d.grp", "?1")
            ))?;
            let rows = stmt
                .query_map(
                    params![scope, query.group, query.learner, query.module],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                        ))
                    },
                )?
                .collect::<Result<Vec<(String, String, String, String, Option<String>)>, _>>()?;
            rows.into_iter()
                .map(|(body, group, received_at, person, name)| {
                    Ok(StoredResult {
                        record: stored_record(&body)?,
                        group,
                        person,
                        received_at,
                        name,
                    })
                })
                .collect()
        })
        .await
    }

    pub(crate) async fn flags(
        &self,
        scope: Scope,
        learner: Option<String>,
    ) -> Result<Vec<FlagRow>, HubError> {
        let scope = scope_param(&scope)?;
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT lower(hex(f.device_key)), f.seq, f.kind, f.detail
                 FROM flags f LEFT JOIN devices d ON d.device_key = f.device_key
                 WHERE {} AND (?2 IS NULL OR d.learner = ?2) ORDER BY f.id",
                in_scope("d.grp", "?1")
            ))?;
            let rows = stmt
                .query_map(params![scope, learner], |r| {
                    Ok(FlagRow {
                        device: r.get(0)?,
                        seq: count(r.get(1)?),
                        kind: r.get(2)?,
                        detail: r.get(3)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    pub(crate) async fn record_count(&self) -> Result<u64, HubError> {
        self.run(|db| {
            let n: i64 = db
                .read()
                .query_row("SELECT count(*) FROM records", [], |r| r.get(0))?;
            Ok(count(n))
        })
        .await
    }
}
