//! Attempts and results on the device. An attempt is saved as it is answered, so it
//! survives the app being killed. Submitting scores it, builds the result record, signs it
//! with the device key and chains it to the last record, all in one transaction that is
//! committed before the outcome is returned: a learner never sees a score the device could
//! lose. Records stay (they are the learner's history); unacknowledged ones form the outbox.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::error::StoreError;
use super::history::{granted_attempts, past_attempts};
use super::{db, Store};
use crate::assess::{Answer, AssessError, Attempt, Attestation, Outcome};
use crate::hash::ContentHash;
use crate::ledger::{
    record_id, record_time, verify_chain, verify_chain_after, ChainEnd, PackRef, ResultRecord,
    SignedRecord, Submission,
};

/// What a full check of the store found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    /// Records checked (signatures and chain).
    pub records: usize,
    /// Records no hub has acknowledged yet.
    pub outbox: usize,
}

impl Store {
    /// Starts the next attempt at a module at device time `now`, drawn from `seed`.
    pub fn start_attempt(
        &self,
        module_id: &str,
        now: DateTime<Utc>,
        seed: u64,
    ) -> Result<Attempt, StoreError> {
        let module = self.module(module_id)?;
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            if let Some(open) = open_attempt(tx, module_id)? {
                return Ok(open);
            }
            let granted = granted_attempts(tx, module_id)?;
            let history = past_attempts(tx, module_id)?;
            let attempt = Attempt::start(&module, granted, &history, now, seed)?;
            save_attempt(tx, &attempt, true)?;
            Ok(attempt)
        })
    }

    /// The attempt in progress at a module, if any.
    pub fn current_attempt(&self, module_id: &str) -> Result<Option<Attempt>, StoreError> {
        open_attempt(&self.lock(), module_id)
    }

    /// Records (or changes) an answer in the attempt in progress.
    pub fn answer(
        &self,
        module_id: &str,
        question_id: &str,
        answer: Answer,
        elapsed: Duration,
    ) -> Result<(), StoreError> {
        let module = self.module(module_id)?;
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            let mut attempt = open_attempt(tx, module_id)?
                .ok_or_else(|| StoreError::NoAttempt(module_id.to_owned()))?;
            attempt.answer(&module, question_id, answer, elapsed)?;
            save_attempt(tx, &attempt, false)
        })
    }

    /// Records what the learner typed into a numeric or short-text question of the attempt in
    /// progress. Text that cannot be read leaves the question unanswered (that is saved) and
    /// returns the error saying what to write.
    pub fn answer_typed(
        &self,
        module_id: &str,
        question_id: &str,
        text: &str,
        elapsed: Duration,
    ) -> Result<(), StoreError> {
        let module = self.module(module_id)?;
        let mut conn = self.lock();
        let refused = db::write(&mut conn, |tx| {
            let mut attempt = open_attempt(tx, module_id)?
                .ok_or_else(|| StoreError::NoAttempt(module_id.to_owned()))?;
            let refused = match attempt.answer_typed(&module, question_id, text, elapsed) {
                Ok(()) => None,
                Err(e @ AssessError::InvalidAnswer { .. }) => Some(e),
                Err(e) => return Err(e.into()),
            };
            save_attempt(tx, &attempt, false)?;
            Ok(refused)
        })?;
        refused.map_or(Ok(()), |e| Err(e.into()))
    }

    /// Submits the attempt in progress: scores it, writes the signed record, commits, and
    /// only then returns the outcome and the record.
    pub fn submit(
        &self,
        module_id: &str,
        now: DateTime<Utc>,
        elapsed: Duration,
        attestations: &[Attestation],
    ) -> Result<(Outcome, SignedRecord), StoreError> {
        let module = self.module(module_id)?;
        let learner = self.learner_did();
        let device = self.device_did();
        let random = crate::random::bytes::<10>()?;
        let id = record_id(now.timestamp_millis().max(0) as u64, random);
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            let mut attempt = open_attempt(tx, module_id)?
                .ok_or_else(|| StoreError::NoAttempt(module_id.to_owned()))?;
            let outcome = attempt.submit(&module, attestations, &learner, elapsed)?;
            let record = ResultRecord::assemble(
                id,
                ChainEnd(last_record(tx)?),
                Submission {
                    attempt: &attempt,
                    outcome: &outcome,
                    learner: &learner,
                    device: &device,
                    pack: pack_of_module(tx, module_id)?,
                    ended_at: now,
                    duration: elapsed,
                },
            )?;
            let signed = record.sign(&self.device)?;
            let body = String::from_utf8(signed.to_canonical_json()?)
                .map_err(|_| StoreError::Damaged("a record is not UTF-8".into()))?;
            tx.execute(
                "INSERT INTO records (seq, id, module_id, attempt, hash, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![signed.record.seq as i64, signed.record.id, module_id, attempt.number, signed.hash()?.0.as_slice(), body],
            )?;
            tx.execute(
                "UPDATE attempts SET state = ?1, ended_at = ?2, passed = ?3 WHERE module_id = ?4 AND number = ?5",
                params![to_json(&attempt)?, record_time(now), outcome.passed, module_id, attempt.number],
            )?;
            Ok((outcome, signed))
        })
    }

    /// Every record, in order: the learner's history.
    pub fn records(&self) -> Result<Vec<SignedRecord>, StoreError> {
        load_records(&self.lock(), false)
    }

    /// Every record, in order, each with whether a hub has acknowledged it: the results
    /// screen.
    pub fn results(&self) -> Result<Vec<(SignedRecord, bool)>, StoreError> {
        let conn = self.lock();
        let records = load_records(&conn, false)?;
        let mut stmt = conn.prepare_cached("SELECT acked FROM records ORDER BY seq")?;
        let acked = stmt
            .query_map([], |r| r.get::<_, bool>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(records.into_iter().zip(acked).collect())
    }

    /// Records no hub has acknowledged yet.
    pub fn outbox(&self) -> Result<Vec<SignedRecord>, StoreError> {
        load_records(&self.lock(), true)
    }

    /// Marks records as acknowledged by a hub (they stay on the device).
    pub fn acknowledge(&self, record_ids: &[String]) -> Result<usize, StoreError> {
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            let mut n = 0;
            for id in record_ids {
                n += tx.execute("UPDATE records SET acked = 1 WHERE id = ?1", [id])?;
            }
            Ok(n)
        })
    }

    /// Marks as unsent the records a hub no longer holds although it acknowledged them
    /// once (it was restored from a backup): the hub holds `held` of this device's records,
    /// the last numbered `last_seq`. When it holds fewer than the device had acknowledged,
    /// those after its last go again, or all of them when what it holds is not a prefix.
    /// Returns how many were marked.
    pub fn resend_lost(&self, held: u64, last_seq: Option<u64>) -> Result<usize, StoreError> {
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            let acked: i64 =
                tx.query_row("SELECT count(*) FROM records WHERE acked = 1", [], |r| {
                    r.get(0)
                })?;
            if held >= acked as u64 {
                return Ok(0);
            }
            // Records are numbered from 1: a prefix of n records ends at n.
            let after = match last_seq {
                Some(last) if last == held => last as i64,
                _ => 0,
            };
            Ok(tx.execute(
                "UPDATE records SET acked = 0 WHERE acked = 1 AND seq > ?1",
                [after],
            )?)
        })
    }

    /// Re-verifies every record's signature, its stored hash and the whole chain, and moves
    /// the checkpoint [`Store::check_recent`] starts from to the last record. The full check,
    /// on demand (`skillpack device check`): its cost grows with the learner's history.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let mut conn = self.lock();
        let records = load_records_from(&conn, 1)?;
        verify_chain(&records)?;
        if let Some(last) = records.last() {
            db::write(&mut conn, |tx| set_checkpoint(tx, last))?;
        }
        outbox_report(&conn, records.len())
    }

    /// Checks the records written since the last check (their stored hashes, signatures and
    /// links), starting from a checkpoint: the last record already checked, whose stored
    /// body must still hash to what it did. What opening a store costs therefore does not
    /// grow with the learner's history. A record changed before the checkpoint is found by
    /// the full [`Store::check`] (and by the hub, whose copy the chain must match).
    pub fn check_recent(&self) -> Result<CheckReport, StoreError> {
        let mut conn = self.lock();
        let checkpoint = read_checkpoint(&conn)?;
        let from = checkpoint.as_ref().map_or(1, |(seq, _)| *seq);
        let records = load_records_from(&conn, from)?;
        let newer = match &checkpoint {
            None => {
                verify_chain(&records)?;
                records.as_slice()
            }
            Some((seq, hash)) => {
                let anchor = records
                    .first()
                    .filter(|a| a.record.seq == *seq && a.hash().ok().as_ref() == Some(hash))
                    .ok_or_else(|| {
                        StoreError::Damaged(format!(
                            "record {seq} was changed or removed after it was checked"
                        ))
                    })?;
                let newer = &records[1..];
                verify_chain_after(Some(anchor), newer)?;
                newer
            }
        };
        if let Some(last) = newer.last() {
            db::write(&mut conn, |tx| set_checkpoint(tx, last))?;
        }
        outbox_report(&conn, newer.len())
    }
}

fn outbox_report(conn: &Connection, checked: usize) -> Result<CheckReport, StoreError> {
    let outbox: i64 = conn.query_row("SELECT count(*) FROM records WHERE acked = 0", [], |r| {
        r.get(0)
    })?;
    Ok(CheckReport {
        records: checked,
        outbox: outbox as usize,
    })
}

fn read_checkpoint(conn: &Connection) -> Result<Option<(u64, ContentHash)>, StoreError> {
    let Some(value) = super::settings::read(conn, super::settings::key::RECORDS_CHECKED)? else {
        return Ok(None);
    };
    let damaged = || StoreError::Damaged(format!("the records' checkpoint \"{value}\""));
    let (seq, hash) = value.split_once(' ').ok_or_else(damaged)?;
    let seq: u64 = seq.parse().map_err(|_| damaged())?;
    let hash = ContentHash::from_hex(hash).ok_or_else(damaged)?;
    Ok(Some((seq, hash)))
}

fn set_checkpoint(tx: &Transaction<'_>, last: &SignedRecord) -> Result<(), StoreError> {
    let hash = last.hash()?;
    super::settings::put(
        tx,
        super::settings::key::RECORDS_CHECKED,
        &format!("{} {}", last.record.seq, hash.to_hex()),
    )
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Damaged(e.to_string()))
}

fn open_attempt(conn: &Connection, module_id: &str) -> Result<Option<Attempt>, StoreError> {
    let state: Option<String> = conn
        .query_row(
            "SELECT state FROM attempts WHERE module_id = ?1 AND ended_at IS NULL ORDER BY number DESC LIMIT 1",
            [module_id],
            |r| r.get(0),
        )
        .optional()?;
    state
        .map(|s| {
            serde_json::from_str(&s)
                .map_err(|e| StoreError::Damaged(format!("a saved attempt: {e}")))
        })
        .transpose()
}

fn save_attempt(tx: &Transaction<'_>, attempt: &Attempt, new: bool) -> Result<(), StoreError> {
    let json = to_json(attempt)?;
    if new {
        tx.execute(
            "INSERT INTO attempts (module_id, number, state) VALUES (?1, ?2, ?3)",
            params![attempt.module_id, attempt.number, json],
        )?;
    } else {
        tx.execute(
            "UPDATE attempts SET state = ?1 WHERE module_id = ?2 AND number = ?3",
            params![json, attempt.module_id, attempt.number],
        )?;
    }
    Ok(())
}

/// The pack a module was installed from, as a record names it.
fn pack_of_module(conn: &Connection, module_id: &str) -> Result<PackRef, StoreError> {
    let (id, version, hash): (String, String, Vec<u8>) = conn.query_row(
        "SELECT p.id, p.version, p.hash FROM packs p JOIN modules m ON m.pack_id = p.id WHERE m.id = ?1",
        [module_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let hash = ContentHash(
        hash.as_slice()
            .try_into()
            .map_err(|_| StoreError::Damaged("a pack hash".into()))?,
    );
    Ok(PackRef { id, version, hash })
}

fn last_record(conn: &Connection) -> Result<Option<(u64, ContentHash)>, StoreError> {
    let row: Option<(i64, Vec<u8>)> = conn
        .query_row(
            "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(seq, hash)| {
        let hash = hash
            .as_slice()
            .try_into()
            .map_err(|_| StoreError::Damaged(format!("record {seq}'s hash")))?;
        Ok((seq as u64, ContentHash(hash)))
    })
    .transpose()
}

/// Loads records in order, checking each row's stored hash against its body (an edited row
/// shows here even before signatures are checked).
fn load_records(conn: &Connection, outbox_only: bool) -> Result<Vec<SignedRecord>, StoreError> {
    query_records(conn, 1, outbox_only)
}

/// The records numbered `from` and after, in order, each checked against its stored hash.
fn load_records_from(conn: &Connection, from: u64) -> Result<Vec<SignedRecord>, StoreError> {
    query_records(conn, from, false)
}

fn query_records(
    conn: &Connection,
    from: u64,
    outbox_only: bool,
) -> Result<Vec<SignedRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, hash, body FROM records WHERE seq >= ?1 AND (?2 = 0 OR acked = 0)
         ORDER BY seq",
    )?;
    let rows = stmt
        .query_map(
            params![i64::try_from(from).unwrap_or(i64::MAX), outbox_only],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(seq, hash, body)| {
            let damaged =
                || StoreError::Damaged(format!("record {seq} was changed after it was written"));
            if ContentHash::of(body.as_bytes()).0.as_slice() != hash.as_slice() {
                return Err(damaged());
            }
            let signed: SignedRecord = serde_json::from_str(&body).map_err(|_| damaged())?;
            if signed.record.seq != seq as u64 {
                return Err(damaged());
            }
            Ok(signed)
        })
        .collect()
}
