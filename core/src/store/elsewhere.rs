//! The learner's attempts on their other devices: a phone restored from a backup, or a second
//! phone. The hub hands back the learner's own signed records (`POST /v1/history`); each is
//! kept only when its device's signature holds and the learner's own key bound that device,
//! so a hub cannot invent an attempt or a pass. Kept attempts count with this device's own
//! (`history::past_attempts`): a restore gives back no attempt.

use rusqlite::params;

use super::error::StoreError;
use super::settings::{key, put};
use super::{db, Store};
use crate::ledger::LedgerError;
use crate::protocol::HistoryRecord;

/// What taking one record of the learner's other devices came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HistoryTaken {
    /// Kept now.
    Kept,
    /// Kept before (nothing changed).
    Known,
}

impl Store {
    /// Checks and keeps one record of another device of this learner's: the device's
    /// signature, the learner's binding of that device, and that it is this learner's and not
    /// this device's own. Anything else is refused with the reason, and nothing is kept.
    pub fn add_history(&self, item: &HistoryRecord) -> Result<HistoryTaken, StoreError> {
        let signed = &item.record;
        let record = &signed.record;
        let learner = self.learner_did();
        if record.learner != learner {
            return Err(LedgerError::BindingMismatch("learner").into());
        }
        if record.device == self.device_did() {
            return Err(LedgerError::BindingMismatch("device").into());
        }
        signed.verify()?;
        item.binding.check(&record.device, &learner)?;
        chrono::DateTime::parse_from_rfc3339(&record.ended_at).map_err(|_| {
            LedgerError::Encoding(format!("record {} has a bad end time", record.id))
        })?;
        let body = String::from_utf8(signed.to_canonical_json()?)
            .map_err(|e| LedgerError::Encoding(e.to_string()))?;
        let mut conn = self.lock();
        let added = db::write(&mut conn, |tx| {
            Ok(tx.execute(
                "INSERT INTO attempts_elsewhere (record_id, device, module_id, number, ended_at,
                     passed, score, max_score, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (record_id) DO NOTHING",
                params![
                    record.id,
                    record.device,
                    record.module,
                    record.attempt,
                    record.ended_at,
                    record.passed,
                    record.score,
                    record.max_score,
                    body
                ],
            )?)
        })?;
        Ok(if added == 1 {
            HistoryTaken::Kept
        } else {
            HistoryTaken::Known
        })
    }

    /// The records of the learner's other devices the device keeps, as signed.
    pub fn history_records(&self) -> Result<Vec<crate::ledger::SignedRecord>, StoreError> {
        let bodies: Vec<String> = {
            let conn = self.lock();
            let mut stmt = conn.prepare("SELECT body FROM attempts_elsewhere ORDER BY ended_at")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        bodies
            .iter()
            .map(|body| {
                serde_json::from_str(body)
                    .map_err(|e| StoreError::Damaged(format!("a record of another device: {e}")))
            })
            .collect()
    }

    /// How many records of the learner's other devices the device keeps.
    pub fn history_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .lock()
            .query_row("SELECT count(*) FROM attempts_elsewhere", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The id of the last record of the learner's other devices the hub handed over (kept or
    /// refused), where the next page starts.
    pub fn history_after(&self) -> Result<Option<String>, StoreError> {
        self.setting(key::HISTORY_AFTER)
    }

    /// Remembers where the next page of the learner's other devices' records starts.
    pub fn set_history_after(&self, id: &str) -> Result<(), StoreError> {
        let mut conn = self.lock();
        db::write(&mut conn, |tx| put(tx, key::HISTORY_AFTER, id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SecretKey;
    use crate::ledger::DeviceBinding;
    use crate::store::tests::device;
    use crate::testing::record_chain;

    /// A record of another device of `learner`, bound by `binder`.
    fn item(device: &SecretKey, learner: &str, binder: &SecretKey) -> HistoryRecord {
        HistoryRecord {
            record: record_chain(device, learner, 1).remove(0),
            binding: DeviceBinding::sign(binder, &device.public_key()).expect("binds"),
        }
    }

    #[test]
    fn only_the_learners_own_records_from_devices_they_bound_are_kept_once() {
        let dev = device();
        let learner = dev.store.learner_did();
        let learner_key = &dev.store.learner;
        let other_phone = SecretKey::from_seed(&[71; 32]);
        let good = item(&other_phone, &learner, learner_key);
        assert_eq!(
            dev.store.add_history(&good).expect("kept"),
            HistoryTaken::Kept
        );
        assert_eq!(
            dev.store.add_history(&good).expect("known"),
            HistoryTaken::Known
        );

        let stranger = SecretKey::from_seed(&[72; 32]);
        let someone_else = stranger.public_key().to_did_key();
        let mut tampered = item(&SecretKey::from_seed(&[73; 32]), &learner, learner_key);
        tampered.record.record.passed = !tampered.record.record.passed;
        for refused in [
            // Another learner's record, bound by that learner.
            item(&SecretKey::from_seed(&[74; 32]), &someone_else, &stranger),
            // This learner's name on a device a stranger bound: a hub's invention.
            item(&SecretKey::from_seed(&[75; 32]), &learner, &stranger),
            // Changed after it was signed.
            tampered,
        ] {
            assert!(
                matches!(dev.store.add_history(&refused), Err(StoreError::Ledger(_))),
                "{refused:?}"
            );
        }
        assert_eq!(dev.store.history_count().expect("count"), 1);
    }
}
