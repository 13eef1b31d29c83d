//! Enrolment codes, registered devices, and result ingest on SQLite. Ingest stores each
//! record exactly once (by id), and checks it against its device's chain: a missing
//! predecessor is a gap, a predecessor with another hash or a second record at the same
//! number is a fork. Both are stored and flagged for the trainer, never silently refused.

use std::sync::mpsc;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use skillpack_core::hex;
use skillpack_core::keys::PublicKey;
use skillpack_core::ledger::SignedRecord;
use skillpack_core::protocol::{RecordResult, RecordStatus};

use super::sqlite::SqliteHub;
use crate::error::HubError;

/// Letters of enrolment codes: no 0/O or 1/I, easy to read out and type.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/// Why a registration was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegisterRefusal {
    /// The code does not exist, ran out of uses or expired.
    BadCode,
    /// The device is registered for another learner.
    OtherLearner,
}

/// A record already checked (signature, device, learner), ready to store.
#[derive(Debug, Clone)]
pub struct VerifiedRecord {
    /// The record.
    pub signed: SignedRecord,
    /// Its hash (what the next record points at).
    pub hash: [u8; 32],
    /// Its canonical JSON.
    pub body: String,
}

/// A stored record near another in its chain: (seq, hash, prev).
pub(super) type Neighbour = (i64, Vec<u8>, Option<Vec<u8>>);

/// The gaps and forks a record makes in its device's chain, given the stored records
/// numbered just before, at and just after it as (seq, hash, prev). Both engines use this,
/// so they flag alike.
pub(super) fn chain_flags(
    seq: u64,
    prev: Option<[u8; 32]>,
    hash: &[u8; 32],
    neighbours: &[Neighbour],
) -> Vec<(&'static str, String)> {
    let seq_i = seq as i64;
    let mut flags = Vec::new();
    if neighbours.iter().any(|(s, _, _)| *s == seq_i) {
        flags.push(("fork", format!("a second record numbered {seq}")));
    }
    if seq > 1 {
        let before: Vec<&Vec<u8>> = neighbours
            .iter()
            .filter(|(s, _, _)| *s == seq_i - 1)
            .map(|(_, h, _)| h)
            .collect();
        if before.is_empty() {
            flags.push(("gap", format!("record {} has not arrived", seq - 1)));
        } else if !before
            .iter()
            .any(|h| prev.is_some_and(|p| p.as_slice() == h.as_slice()))
        {
            flags.push(("fork", format!("does not follow record {}", seq - 1)));
        }
    }
    // A successor that arrived first (through a gap) must point at this record.
    if neighbours
        .iter()
        .any(|(s, _, p)| *s == seq_i + 1 && p.as_deref() != Some(hash.as_slice()))
    {
        flags.push(("fork", format!("record {} does not follow it", seq + 1)));
    }
    flags
}

/// The answer for a record whose id the hub already holds: the same record again is a
/// harmless duplicate; different content under the same id is refused.
pub(super) fn already_stored(id: &str, stored_hash: &[u8], hash: &[u8; 32]) -> RecordResult {
    let (status, note) = if stored_hash == hash.as_slice() {
        (RecordStatus::Duplicate, None)
    } else {
        (
            RecordStatus::Rejected,
            Some("another record already has this id".to_owned()),
        )
    };
    RecordResult {
        id: id.to_owned(),
        status,
        note,
    }
}

/// A record the hub will store, with the gaps and forks it makes in its chain.
pub(super) struct ToStore<'a> {
    /// The record.
    pub record: &'a VerifiedRecord,
    /// Its flags as (kind, detail).
    pub flags: Vec<(&'static str, String)>,
}

/// Decides, for a batch of one device's records in chain order, which are new (and the flags
/// each raises) and which the hub already holds, from two lookups made for the whole batch:
/// the stored records with the batch's ids as (id, hash), and the device's stored records
/// numbered next to the batch's (see [`neighbour_seqs`]). Records earlier in the batch count
/// as stored for the later ones, so a batch links up with itself. Both engines use this, so
/// they answer alike. One result per record, in order.
pub(super) fn plan_ingest<'a>(
    records: &'a [VerifiedRecord],
    stored: &[(String, Vec<u8>)],
    mut neighbours: Vec<Neighbour>,
) -> (Vec<RecordResult>, Vec<ToStore<'a>>) {
    let mut results = Vec::with_capacity(records.len());
    let mut new: Vec<ToStore<'a>> = Vec::with_capacity(records.len());
    for r in records {
        let rec = &r.signed.record;
        let held = stored
            .iter()
            .find(|(id, _)| *id == rec.id)
            .map(|(_, hash)| hash.as_slice())
            .or_else(|| {
                new.iter()
                    .find(|n| n.record.signed.record.id == rec.id)
                    .map(|n| n.record.hash.as_slice())
            });
        if let Some(held) = held {
            results.push(already_stored(&rec.id, held, &r.hash));
            continue;
        }
        let flags = chain_flags(rec.seq, rec.prev.map(|p| p.0), &r.hash, &neighbours);
        neighbours.push((
            rec.seq as i64,
            r.hash.to_vec(),
            rec.prev.map(|p| p.0.to_vec()),
        ));
        results.push(RecordResult {
            id: rec.id.clone(),
            status: RecordStatus::Accepted,
            note: flag_note(&flags),
        });
        new.push(ToStore { record: r, flags });
    }
    (results, new)
}

/// The numbers whose stored records [`plan_ingest`] needs: each record's own, the one
/// before and the one after.
pub(super) fn neighbour_seqs(records: &[VerifiedRecord]) -> Vec<i64> {
    let mut seqs: Vec<i64> = records
        .iter()
        .flat_map(|r| {
            let seq = r.signed.record.seq as i64;
            [seq.saturating_sub(1), seq, seq.saturating_add(1)]
        })
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    seqs
}

/// The note of an accepted record: the kinds of flag it raised, if any (`gap`, `fork`).
pub(super) fn flag_note(flags: &[(&'static str, String)]) -> Option<String> {
    (!flags.is_empty()).then(|| flags.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(","))
}

/// A new enrolment code: 12 letters and digits, shown grouped as `XXXX-XXXX-XXXX`.
pub(super) fn new_code() -> Result<String, HubError> {
    let mut bytes = [0u8; 12];
    getrandom::getrandom(&mut bytes).map_err(|e| HubError::Random(e.to_string()))?;
    let code: String = bytes
        .iter()
        .map(|b| CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char)
        .collect();
    Ok(format!("{}-{}-{}", &code[..4], &code[4..8], &code[8..]))
}

/// Normalises a typed code: upper case, no spaces or hyphens.
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// A batch of one device's records waiting for the next group commit.
pub(super) struct IngestJob {
    device: [u8; 32],
    records: Vec<VerifiedRecord>,
    reply: mpsc::SyncSender<Result<Vec<RecordResult>, String>>,
}

/// Most records stored by one group commit; the rest wait for the next.
const MAX_GROUP_RECORDS: usize = 5_000;

/// Takes queued jobs up to [`MAX_GROUP_RECORDS`] (always at least one).
pub(super) fn take_group(queue: &mut Vec<IngestJob>) -> Vec<IngestJob> {
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
    let ids = serde_json::to_string(
        &records
            .iter()
            .map(|r| r.signed.record.id.as_str())
            .collect::<Vec<_>>(),
    )
    .map_err(|e| HubError::Damaged(e.to_string()))?;
    let seqs = serde_json::to_string(&neighbour_seqs(&records))
        .map_err(|e| HubError::Damaged(e.to_string()))?;
    let stored: Vec<(String, Vec<u8>)> = tx
        .prepare_cached(
            "SELECT id, hash FROM records WHERE id IN (SELECT value FROM json_each(?1))",
        )?
        .query_map([&ids], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let neighbours: Vec<Neighbour> = tx
        .prepare_cached(
            "SELECT seq, hash, prev FROM records
             WHERE device_key = ?1 AND seq IN (SELECT value FROM json_each(?2))",
        )?
        .query_map(params![key.as_slice(), seqs], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let (results, new) = plan_ingest(&records, &stored, neighbours);
    for ToStore { record: r, flags } in &new {
        let rec = &r.signed.record;
        let seq = rec.seq as i64;
        tx.prepare_cached(
            "INSERT INTO records (id, device_key, seq, hash, prev, learner, module, passed, score, max_score, body, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
        )?
        .execute(params![
            rec.id,
            key.as_slice(),
            seq,
            r.hash.as_slice(),
            rec.prev.map(|p| p.0.to_vec()),
            rec.learner,
            rec.module,
            rec.passed,
            rec.score,
            rec.max_score,
            r.body
        ])?;
        for (kind, detail) in flags {
            tx.prepare_cached(
                "INSERT INTO flags (device_key, seq, kind, record_id, detail, flagged_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, datetime('now'))",
            )?
            .execute(params![key.as_slice(), seq, kind, rec.id, detail])?;
        }
    }
    Ok(results)
}

impl SqliteHub {
    pub(super) fn create_enrolment(
        &self,
        code: &str,
        group: &str,
        uses: Option<u32>,
        expires_at: Option<i64>,
    ) -> Result<(), HubError> {
        self.lock().execute(
            "INSERT INTO enrolments (code, grp, uses_left, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, datetime('now'))",
            params![normalize_code(code), group, uses, expires_at],
        )?;
        Ok(())
    }

    pub(super) fn register_device(
        &self,
        code: &str,
        device: &PublicKey,
        learner: &str,
    ) -> Result<Result<String, RegisterRefusal>, HubError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let existing: Option<(String, String)> = tx
            .query_row(
                "SELECT learner, grp FROM devices WHERE device_key = ?1",
                [device.to_bytes().as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((known, group)) = existing {
            return Ok(if known == learner {
                Ok(group)
            } else {
                Err(RegisterRefusal::OtherLearner)
            });
        }
        let group: Option<String> = tx
            .query_row(
                "UPDATE enrolments SET uses_left = uses_left - 1
                 WHERE code = ?1 AND (uses_left IS NULL OR uses_left > 0) AND (expires_at IS NULL OR expires_at >= unixepoch())
                 RETURNING grp",
                [normalize_code(code)],
                |r| r.get(0),
            )
            .optional()?;
        let Some(group) = group else {
            return Ok(Err(RegisterRefusal::BadCode));
        };
        tx.execute(
            "INSERT INTO devices (device_key, learner, grp, registered_at) VALUES (?1, ?2, ?3, datetime('now'))",
            params![device.to_bytes().as_slice(), learner, group],
        )?;
        tx.commit()?;
        Ok(Ok(group))
    }

    /// Registers a device whose records a trainer carried, in `group`, unless known.
    pub(super) fn register_relayed(
        &self,
        device: &PublicKey,
        learner: &str,
        group: &str,
    ) -> Result<Result<(), RegisterRefusal>, HubError> {
        let conn = self.lock();
        let known: Option<String> = conn
            .query_row(
                "SELECT learner FROM devices WHERE device_key = ?1",
                [device.to_bytes().as_slice()],
                |r| r.get(0),
            )
            .optional()?;
        match known {
            Some(l) if l != learner => Ok(Err(RegisterRefusal::OtherLearner)),
            Some(_) => Ok(Ok(())),
            None => {
                conn.execute(
                    "INSERT INTO devices (device_key, learner, grp, registered_at) VALUES (?1, ?2, ?3, datetime('now'))",
                    params![device.to_bytes().as_slice(), learner, group],
                )?;
                Ok(Ok(()))
            }
        }
    }

    pub(super) fn device(&self, device: &PublicKey) -> Result<Option<(String, String)>, HubError> {
        Ok(self
            .read()
            .query_row(
                "SELECT learner, grp FROM devices WHERE device_key = ?1",
                [device.to_bytes().as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Stores verified records of one device; one result per record, once they are durable.
    ///
    /// Group commit: the batch joins a queue, and whoever holds the connection next stores
    /// every queued batch in one transaction (each in its own savepoint) with one fsync. Under
    /// load, pushes that arrive during a commit share the next one instead of each waiting
    /// for its own; alone, a push commits at once as before.
    pub(super) fn ingest(
        &self,
        device: &PublicKey,
        records: Vec<VerifiedRecord>,
    ) -> Result<Vec<RecordResult>, HubError> {
        let (reply, answer) = mpsc::sync_channel(1);
        self.queue_ingest(IngestJob {
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
            let group = self.take_ingest_jobs();
            if group.is_empty() {
                return Err(HubError::Commit("the batch was lost from the queue".into()));
            }
            commit_group(&mut conn, group);
        }
    }

    /// How many records the hub holds (tests and the trainer's view).
    pub(super) fn record_count(&self) -> Result<u64, HubError> {
        let n: i64 = self
            .read()
            .query_row("SELECT count(*) FROM records", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Flags as (device fingerprint hex, seq, kind, detail).
    pub(super) fn flags(&self) -> Result<Vec<(String, u64, String, String)>, HubError> {
        let conn = self.read();
        let mut stmt =
            conn.prepare_cached("SELECT device_key, seq, kind, detail FROM flags ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    hex::encode(&r.get::<_, Vec<u8>>(0)?),
                    r.get::<_, i64>(1)? as u64,
                    r.get(2)?,
                    r.get(3)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use skillpack_core::keys::SecretKey;
    use skillpack_core::ledger::verify_many;
    use skillpack_core::testing::record_chain;

    fn verified(records: Vec<SignedRecord>) -> Vec<VerifiedRecord> {
        let checked = verify_many(&records);
        records
            .into_iter()
            .zip(checked)
            .map(|(signed, v)| {
                let v = v.expect("verifies");
                VerifiedRecord {
                    signed,
                    hash: v.hash.0,
                    body: String::from_utf8(v.canonical).expect("utf8"),
                }
            })
            .collect()
    }

    fn stored(r: &VerifiedRecord) -> Neighbour {
        let rec = &r.signed.record;
        (
            rec.seq as i64,
            r.hash.to_vec(),
            rec.prev.map(|p| p.0.to_vec()),
        )
    }

    #[test]
    fn a_batch_links_up_with_itself_and_with_what_is_stored() {
        let key = SecretKey::from_seed(&[3; 32]);
        let chain = verified(record_chain(&key, "did:key:z6MkLearner", 6));
        // 1-2 stored; the batch brings 3-6.
        let (results, new) = plan_ingest(&chain[2..], &[], vec![stored(&chain[1])]);
        assert_eq!(new.len(), 4);
        assert!(results
            .iter()
            .all(|r| r.status == RecordStatus::Accepted && r.note.is_none()));
        assert_eq!(neighbour_seqs(&chain[2..]), vec![2, 3, 4, 5, 6, 7]);
    }

    #[test]
    fn repeats_inside_a_batch_or_in_the_store_are_stored_once() {
        let key = SecretKey::from_seed(&[4; 32]);
        let chain = verified(record_chain(&key, "did:key:z6MkLearner", 3));
        let batch = [chain[0].clone(), chain[1].clone(), chain[1].clone()];
        let held = [(chain[0].signed.record.id.clone(), chain[0].hash.to_vec())];
        let (results, new) = plan_ingest(&batch, &held, vec![stored(&chain[0])]);
        let statuses: Vec<_> = results.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            vec![
                RecordStatus::Duplicate,
                RecordStatus::Accepted,
                RecordStatus::Duplicate
            ]
        );
        assert_eq!(new.len(), 1);
        // The same id with other content is refused, not stored.
        let mut forged = chain[2].clone();
        forged.hash = [9; 32];
        let batch = [chain[2].clone(), forged];
        let (results, new) = plan_ingest(&batch, &[], vec![stored(&chain[1])]);
        assert_eq!(results[1].status, RecordStatus::Rejected);
        assert_eq!(new.len(), 1);
    }

    #[test]
    fn gaps_and_forks_are_flagged_in_a_batch() {
        let key = SecretKey::from_seed(&[5; 32]);
        let chain = verified(record_chain(&key, "did:key:z6MkLearner", 5));
        let other = verified(record_chain(
            &SecretKey::from_seed(&[6; 32]),
            "did:key:z6MkLearner",
            2,
        ));
        // Records 1-2 stored, 3 missing; a second record numbered 2 arrives.
        let batch = [other[1].clone(), chain[3].clone(), chain[4].clone()];
        let (results, new) = plan_ingest(&batch, &[], vec![stored(&chain[0]), stored(&chain[1])]);
        assert_eq!(new.len(), 3);
        let notes: Vec<_> = results.iter().map(|r| r.note.as_deref()).collect();
        assert_eq!(notes, vec![Some("fork,fork"), Some("gap"), None]);
    }
}
