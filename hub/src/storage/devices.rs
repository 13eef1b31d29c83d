//! Enrolment codes, registered devices, and result ingest on SQLite. Ingest stores each
//! record exactly once (by id), and checks it against its device's chain: a missing
//! predecessor is a gap, a predecessor with another hash or a second record at the same
//! number is a fork. Both are stored and flagged for the trainer, never silently refused.

use rusqlite::{params, OptionalExtension, TransactionBehavior};
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
            .lock()
            .query_row(
                "SELECT learner, grp FROM devices WHERE device_key = ?1",
                [device.to_bytes().as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }

    /// Stores verified records of one device in one transaction; one result per record.
    pub(super) fn ingest(
        &self,
        device: &PublicKey,
        mut records: Vec<VerifiedRecord>,
    ) -> Result<Vec<RecordResult>, HubError> {
        let key = device.to_bytes();
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // In chain order, so a batch that carries a record and its predecessor links up.
        records.sort_by_key(|r| r.signed.record.seq);
        let mut results = Vec::with_capacity(records.len());
        for r in &records {
            let rec = &r.signed.record;
            let result = |status, note: Option<String>| RecordResult {
                id: rec.id.clone(),
                status,
                note,
            };
            let stored: Option<Vec<u8>> = tx
                .prepare_cached("SELECT hash FROM records WHERE id = ?1")?
                .query_row([&rec.id], |row| row.get(0))
                .optional()?;
            if let Some(stored) = stored {
                results.push(already_stored(&rec.id, &stored, &r.hash));
                continue;
            }
            // The records numbered just before, at and just after this one, in one query.
            let neighbours: Vec<Neighbour> = tx
                .prepare_cached(
                    "SELECT seq, hash, prev FROM records
                     WHERE device_key = ?1 AND seq BETWEEN ?2 - 1 AND ?2 + 1",
                )?
                .query_map(params![key.as_slice(), rec.seq as i64], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?
                .collect::<Result<_, _>>()?;
            let seq = rec.seq as i64;
            let flags = chain_flags(rec.seq, rec.prev.map(|p| p.0), &r.hash, &neighbours);
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
            for (kind, detail) in &flags {
                tx.prepare_cached(
                    "INSERT INTO flags (device_key, seq, kind, record_id, detail, flagged_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, datetime('now'))",
                )?
                .execute(params![key.as_slice(), seq, kind, rec.id, detail])?;
            }
            results.push(result(RecordStatus::Accepted, flag_note(&flags)));
        }
        tx.commit()?;
        Ok(results)
    }

    /// How many records the hub holds (tests and the trainer's view).
    pub(super) fn record_count(&self) -> Result<u64, HubError> {
        let n: i64 = self
            .lock()
            .query_row("SELECT count(*) FROM records", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Flags as (device fingerprint hex, seq, kind, detail).
    pub(super) fn flags(&self) -> Result<Vec<(String, u64, String, String)>, HubError> {
        let conn = self.lock();
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
