//! Storing records on SQLite, with group commit: a batch joins a queue, and whoever holds the
//! writing connection next stores every queued batch in one transaction (each in its own
//! savepoint) with one fsync. What is new and what it flags is decided by `ledger::chain`;
//! this file only looks up what it needs and writes the outcome.

use std::sync::{mpsc, MutexGuard};

use rusqlite::{params, Connection, TransactionBehavior};
use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::{
    neighbour_seqs, plan_ingest, Decision, HeldRecord, StoredLink, VerifiedRecord,
};
use skillpack_core::protocol::RecordResult;

use super::{Inner, SqliteHub, NOW};
use crate::error::HubError;
use crate::storage::rules::{record_result, stored_hash};

/// A batch of one device's records waiting for the next group commit.
pub(super) struct IngestJob {
    device: [u8; 32],
    records: Vec<VerifiedRecord>,
    reply: mpsc::SyncSender<Result<Vec<RecordResult>, String>>,
}

/// Most records stored by one group commit; the rest wait for the next.
const MAX_GROUP_RECORDS: usize = 5_000;

impl SqliteHub {
    /// Stores verified records of one device; one result per record, once they are durable.
    /// Under load, pushes that arrive during a commit share the next one instead of each
    /// waiting for its own; alone, a push commits at once.
    pub(crate) async fn ingest(
        &self,
        device: PublicKey,
        records: Vec<VerifiedRecord>,
    ) -> Result<Vec<RecordResult>, HubError> {
        self.run(move |db| db.ingest(device, records)).await
    }
}

impl Inner {
    fn ingest(
        &self,
        device: PublicKey,
        records: Vec<VerifiedRecord>,
    ) -> Result<Vec<RecordResult>, HubError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.pending_jobs().push(IngestJob {
            device: device.to_bytes(),
            records,
            reply,
        });
        let mut conn = self.lock();
        // Jobs are taken and answered under the connection lock, so either an earlier holder
        // has answered ours, or it is still queued and we store groups, oldest first, until
        // it is answered.
        loop {
            if let Ok(result) = answer.try_recv() {
                return result.map_err(HubError::Commit);
            }
            let group = take_group(&mut self.pending_jobs());
            if group.is_empty() {
                return Err(HubError::Commit("the batch was lost from the queue".into()));
            }
            commit_group(&mut conn, group);
        }
    }

    fn pending_jobs(&self) -> MutexGuard<'_, Vec<IngestJob>> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Takes queued jobs up to [`MAX_GROUP_RECORDS`] (always at least one).
fn take_group(queue: &mut Vec<IngestJob>) -> Vec<IngestJob> {
    let mut records = 0;
    let mut take = 0;
    for job in queue.iter() {
        if take > 0 && records + job.records.len() > MAX_GROUP_RECORDS {
            break;
        }
        records += job.records.len();
        take += 1;
    }
    queue.drain(..take).collect()
}

/// Stores the jobs in one transaction and answers each: a job that fails is rolled back to
/// its savepoint alone; a failed commit fails them all.
fn commit_group(conn: &mut Connection, jobs: Vec<IngestJob>) {
    let mut answers = Vec::with_capacity(jobs.len());
    let outcome = (|| -> Result<(), rusqlite::Error> {
        let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        for job in jobs {
            let savepoint = tx.savepoint()?;
            let result = store_batch(&savepoint, &job.device, job.records);
            match result {
                Ok(results) => {
                    savepoint.commit()?;
                    answers.push((job.reply, Ok(results)));
                }
                // Dropping the savepoint rolls it back.
                Err(e) => answers.push((job.reply, Err(e.to_string()))),
            }
        }
        tx.commit()
    })();
    for (reply, answer) in answers {
        let answer = match &outcome {
            Ok(()) => answer,
            Err(e) => Err(e.to_string()),
        };
        // The receiver waits for this answer; it cannot have gone.
        let _ = reply.send(answer);
    }
}

/// Stores one device's batch inside the group's transaction.
fn store_batch(
    tx: &Connection,
    key: &[u8; 32],
    mut records: Vec<VerifiedRecord>,
) -> Result<Vec<RecordResult>, HubError> {
    // In chain order, so a batch that carries a record and its predecessor links up.
    records.sort_by_key(|r| r.signed.record.seq);
    let ids: Vec<&str> = records
        .iter()
        .map(|r| r.signed.record.id.as_str())
        .collect();
    let ids = json(&ids)?;
    let seqs = json(&neighbour_seqs(&records))?;
    let held = tx
        .prepare_cached(
            "SELECT id, hash FROM records WHERE id IN (SELECT value FROM json_each(?1))",
        )?
        .query_map([&ids], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|(id, hash)| {
            Ok(HeldRecord {
                id,
                hash: stored_hash(&hash)?,
            })
        })
        .collect::<Result<Vec<_>, HubError>>()?;
    let neighbours = tx
        .prepare_cached(
            "SELECT seq, hash, prev FROM records
             WHERE device_key = ?1 AND seq IN (SELECT value FROM json_each(?2))",
        )?
        .query_map(params![key.as_slice(), seqs], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, Vec<u8>>(1)?,
                row.get::<_, Option<Vec<u8>>>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .map(|(seq, hash, prev)| {
            Ok(StoredLink {
                seq: u64::try_from(seq).unwrap_or(0),
                hash: stored_hash(&hash)?,
                prev: prev.as_deref().map(stored_hash).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, HubError>>()?;
    let plan = plan_ingest(&records, &held, neighbours);
    for planned in &plan {
        let Decision::Store(flags) = &planned.decision else {
            continue;
        };
        let (r, rec) = (planned.record, &planned.record.signed.record);
        let seq = i64::try_from(rec.seq).unwrap_or(i64::MAX);
        tx.prepare_cached(&format!(
            "INSERT INTO records (id, device_key, seq, hash, prev, learner, module, passed, score, max_score, body, attempt, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, {NOW})"
        ))?
        .execute(params![
            rec.id,
            key.as_slice(),
            seq,
            r.hash.0.as_slice(),
            rec.prev.map(|p| p.0.to_vec()),
            rec.learner,
            rec.module,
            rec.passed,
            rec.score,
            rec.max_score,
            r.canonical,
            rec.attempt
        ])?;
        for flag in flags {
            tx.prepare_cached(&format!(
                "INSERT INTO flags (device_key, seq, kind, record_id, detail, flagged_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, {NOW})"
            ))?
            .execute(params![
                key.as_slice(),
                seq,
                flag.kind(),
                rec.id,
                flag.to_string()
            ])?;
        }
        // The same attempt number at the same module from another device of the learner
        // (two phones used offline at once): stored, and flagged for the trainer. No ORDER
        // BY: SQLite would then walk the learner's records in id order rather than look the
        // attempt up by its index.
        tx.prepare_cached(&format!(
            "INSERT INTO flags (device_key, seq, kind, record_id, detail, flagged_at)
             SELECT ?1, ?2, 'attempt', ?3,
                    'attempt ' || ?4 || ' at ' || ?5 || ' was also made on another device (record ' || o.id || ')',
                    {NOW}
             FROM records o
             WHERE o.learner = ?6 AND o.module = ?5 AND o.attempt = ?4 AND o.device_key != ?1
             LIMIT 1"
        ))?
        .execute(params![
            key.as_slice(),
            seq,
            rec.id,
            rec.attempt,
            rec.module,
            rec.learner
        ])?;
    }
    Ok(plan.iter().map(record_result).collect())
}

/// A list as JSON, for `json_each`.
fn json<T: serde::Serialize>(list: &[T]) -> Result<String, HubError> {
    serde_json::to_string(list).map_err(|e| HubError::Encoding(e.to_string()))
}
