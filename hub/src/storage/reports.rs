//! What a trainer reads from the hub: learners with their devices and results, every
//! stored record with its receipt time, and the flagged chains.

use rusqlite::params;
use skillpack_core::ledger::SignedRecord;

use super::sqlite::SqliteHub;
use crate::error::HubError;

/// A learner's device and how it is doing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LearnerRow {
    /// The learner's `did:key`.
    pub learner: String,
    /// The group.
    pub group: String,
    /// The device's public key, hex.
    pub device: String,
    /// When it registered (hub time).
    pub registered_at: String,
    /// Records received.
    pub records: u64,
    /// Of which passed.
    pub passed: u64,
}

/// A group of learners: what is offered to it and who is in it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GroupRow {
    /// The group's name.
    pub group: String,
    /// Packs published to it (every version).
    pub packs: u64,
    /// Devices registered in it.
    pub devices: u64,
    /// Records its devices have sent.
    pub records: u64,
    /// Enrolment codes for it that can still be used.
    pub open_codes: u64,
}

/// Every group any pack, device or enrolment code names, with its counts. The same query on
/// both engines but for how each spells "now".
pub(super) fn groups_sql(now: &str) -> String {
    format!(
        "SELECT g.grp,
            (SELECT count(*) FROM packs p WHERE p.grp = g.grp),
            (SELECT count(*) FROM devices d WHERE d.grp = g.grp),
            (SELECT count(*) FROM records r JOIN devices d ON d.device_key = r.device_key
             WHERE d.grp = g.grp),
            (SELECT count(*) FROM enrolments e WHERE e.grp = g.grp
             AND (e.uses_left IS NULL OR e.uses_left > 0)
             AND (e.expires_at IS NULL OR e.expires_at >= {now}))
         FROM (SELECT grp FROM packs UNION SELECT grp FROM devices UNION SELECT grp FROM enrolments) g
         ORDER BY g.grp"
    )
}

/// A stored record with what the hub knows about it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResult {
    /// The signed record.
    pub record: SignedRecord,
    /// The device's group.
    pub group: String,
    /// When the hub received it (hub time, RFC 3339).
    pub received_at: String,
}

impl SqliteHub {
    pub(super) fn groups(&self) -> Result<Vec<GroupRow>, HubError> {
        let conn = self.read();
        let mut stmt = conn.prepare_cached(&groups_sql("unixepoch()"))?;
        let count = |r: &rusqlite::Row<'_>, i| r.get::<_, i64>(i).map(|n| n.max(0) as u64);
        let rows = stmt
            .query_map([], |r| {
                Ok(GroupRow {
                    group: r.get(0)?,
                    packs: count(r, 1)?,
                    devices: count(r, 2)?,
                    records: count(r, 3)?,
                    open_codes: count(r, 4)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    pub(super) fn learners(&self) -> Result<Vec<LearnerRow>, HubError> {
        let conn = self.read();
        let mut stmt = conn.prepare_cached(
            "SELECT d.learner, d.grp, hex(d.device_key), d.registered_at,
                    count(r.id), coalesce(sum(r.passed), 0)
             FROM devices d LEFT JOIN records r ON r.device_key = d.device_key
             GROUP BY d.device_key ORDER BY d.grp, d.learner",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(LearnerRow {
                    learner: r.get(0)?,
                    group: r.get(1)?,
                    device: r.get::<_, String>(2)?.to_lowercase(),
                    registered_at: r.get(3)?,
                    records: r.get::<_, i64>(4)?.max(0) as u64,
                    passed: r.get::<_, i64>(5)?.max(0) as u64,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    pub(super) fn results(&self, group: Option<&str>) -> Result<Vec<StoredResult>, HubError> {
        let conn = self.read();
        let mut stmt = conn.prepare_cached(
            "SELECT r.body, d.grp, r.received_at FROM records r JOIN devices d ON d.device_key = r.device_key
             WHERE ?1 IS NULL OR d.grp = ?1 ORDER BY r.received_at, r.id",
        )?;
        let rows = stmt
            .query_map(params![group], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<Vec<(String, String, String)>, _>>()?;
        rows.into_iter()
            .map(|(body, group, received_at)| {
                let record = serde_json::from_str(&body)
                    .map_err(|e| HubError::Damaged(format!("a stored record: {e}")))?;
                Ok(StoredResult {
                    record,
                    group,
                    received_at,
                })
            })
            .collect()
    }
}

/// Results as CSV (RFC 4180), one line per record after a header.
pub fn results_csv(results: &[StoredResult]) -> String {
    let points = |milli: u32| (f64::from(milli) / 1000.0).to_string();
    let mut out = String::from(
        "record_id,received_at,group,learner,device,module,module_version,attempt,score,max_score,passed,started_at,ended_at,duration_ms\n",
    );
    for r in results {
        let rec = &r.record.record;
        let fields = [
            rec.id.clone(),
            r.received_at.clone(),
            r.group.clone(),
            rec.learner.clone(),
            rec.device.clone(),
            rec.module.clone(),
            rec.module_version.clone(),
            rec.attempt.to_string(),
            points(rec.score),
            points(rec.max_score),
            rec.passed.to_string(),
            rec.started_at.clone(),
            rec.ended_at.clone(),
            rec.duration_ms.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// Results as xAPI statements, one JSON object per line.
pub fn results_xapi(results: &[StoredResult], home_page: &str) -> String {
    let mut out = String::new();
    for r in results {
        let statement =
            skillpack_core::ledger::to_xapi(&r.record.record, home_page, Some(&r.received_at));
        out.push_str(&statement.to_string());
        out.push('\n');
    }
    out
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}
