//! What a trainer reads from SQLite: groups, learners with their results, every stored record
//! with its receipt time, the flagged chains and a count. Rows come out as `rows` defines
//! them, identical to PostgreSQL's.

use rusqlite::params;

use super::SqliteHub;
use crate::error::HubError;
use crate::storage::rows::{
    count, groups_sql, stored_record, FlagRow, GroupRow, LearnerRow, StoredResult,
};

impl SqliteHub {
    pub(crate) async fn groups(&self) -> Result<Vec<GroupRow>, HubError> {
        self.run(|db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(&groups_sql("unixepoch()"))?;
            let rows = stmt
                .query_map([], |r| {
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

    pub(crate) async fn learners(&self) -> Result<Vec<LearnerRow>, HubError> {
        self.run(|db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT d.learner, d.grp, lower(hex(d.device_key)), d.registered_at,
                        count(r.id), count(DISTINCT CASE WHEN r.passed = 1 THEN r.module END),
                        coalesce(l.person, d.learner), coalesce(n.label, n.name)
                 FROM devices d LEFT JOIN records r ON r.device_key = d.device_key
                 LEFT JOIN learner_links l ON l.learner = d.learner
                 LEFT JOIN learner_names n ON n.learner = d.learner
                 GROUP BY d.device_key ORDER BY d.grp, coalesce(l.person, d.learner), d.learner",
            )?;
            let rows = stmt
                .query_map([], |r| {
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

    pub(crate) async fn results(
        &self,
        group: Option<String>,
    ) -> Result<Vec<StoredResult>, HubError> {
        self.run(move |db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT r.body, d.grp, r.received_at, coalesce(l.person, d.learner),
                        coalesce(n.label, n.name)
                 FROM records r JOIN devices d ON d.device_key = r.device_key
                 LEFT JOIN learner_links l ON l.learner = d.learner
                 LEFT JOIN learner_names n ON n.learner = d.learner
                 WHERE ?1 IS NULL OR d.grp = ?1 ORDER BY r.received_at, r.id",
            )?;
            let rows = stmt
                .query_map(params![group], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                    ))
                })?
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

    pub(crate) async fn flags(&self) -> Result<Vec<FlagRow>, HubError> {
        self.run(|db| {
            let conn = db.read();
            let mut stmt = conn.prepare_cached(
                "SELECT lower(hex(device_key)), seq, kind, detail FROM flags ORDER BY id",
            )?;
            let rows = stmt
                .query_map([], |r| {
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
