//! More attempts a trainer granted the learner. A grant is kept only when its signature
//! checks out, it is this learner's, and a publisher the device trusts stands behind it; it
//! counts for the module of that id installed from that publisher. A module allows its own
//! attempts plus every attempt granted for it.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::error::StoreError;
use super::settings::{key, put, read};
use super::{db, Store};
use crate::ledger::{AttemptGrant, LedgerError};

/// A grant the device keeps, as the learner sees it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct HeldGrant {
    /// The module it is for.
    pub module_id: String,
    /// How many more attempts it gives.
    pub attempts: u32,
    /// The trainer who granted them.
    pub granted_by: String,
    /// When (the hub's clock, RFC 3339).
    pub granted_at: String,
}

impl Store {
    /// Checks `grant` and keeps it; gives it as the learner sees it, or `None` when it was
    /// kept already (the same grant taken twice counts once).
    pub fn add_grant(
        &self,
        grant: &AttemptGrant,
        now: DateTime<Utc>,
    ) -> Result<Option<HeldGrant>, StoreError> {
        let checked = grant.check()?;
        let refused = |why: &str| StoreError::Ledger(LedgerError::BadGrant(why.to_owned()));
        if checked.terms.learner != self.learner_did() {
            return Err(refused("it is for another learner"));
        }
        if !self.trusted()?.contains(&checked.publisher) {
            return Err(refused("its publisher is not one this device trusts"));
        }
        let body = serde_json::to_vec(grant).map_err(|e| refused(&e.to_string()))?;
        let t = &checked.terms;
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            let added = tx.execute(
                "INSERT INTO attempt_grants
                   (id, publisher, module_id, attempts, granted_by, granted_at, received_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (id) DO NOTHING",
                params![
                    t.id,
                    checked.publisher.to_bytes().to_vec(),
                    t.module,
                    t.attempts,
                    t.granted_by,
                    t.granted_at,
                    now.to_rfc3339(),
                    body
                ],
            )?;
            Ok((added == 1).then(|| HeldGrant {
                module_id: t.module.clone(),
                attempts: t.attempts,
                granted_by: t.granted_by.clone(),
                granted_at: t.granted_at.clone(),
            }))
        })
    }

    /// The grants kept, newest first.
    pub fn grants(&self) -> Result<Vec<HeldGrant>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare(
            "SELECT module_id, attempts, granted_by, granted_at FROM attempt_grants
             ORDER BY granted_at DESC, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(HeldGrant {
                module_id: r.get(0)?,
                attempts: r.get(1)?,
                granted_by: r.get(2)?,
                granted_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The number of the newest grant taken from the hub (0 for none).
    pub fn grants_taken(&self) -> Result<u64, StoreError> {
        Ok(read(&self.lock(), key::GRANTS_TAKEN)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Remembers the number of the newest grant taken from the hub.
    pub fn set_grants_taken(&self, number: u64) -> Result<(), StoreError> {
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            put(tx, key::GRANTS_TAKEN, &number.to_string())
        })
    }

    /// Whether some installed module has no attempt left and none passed: the learner waits
    /// for a grant, so a sync asks the hub even with nothing to send.
    pub fn awaits_grant(&self) -> Result<bool, StoreError> {
        let ids: Vec<String> = {
            let conn = self.lock();
            let mut stmt = conn.prepare(
                "SELECT DISTINCT module_id FROM attempts a WHERE ended_at IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM attempts p WHERE p.module_id = a.module_id
                                 AND p.passed = 1)",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<Result<_, _>>()?
        };
        for id in ids {
            match self.attempts_left(&id) {
                Ok(left) if left.none_left() => return Ok(true),
                Ok(_) | Err(StoreError::NotInstalled { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::AttemptsLeft;
    use crate::keys::SecretKey;
    use crate::ledger::GrantTerms;
    use crate::store::tests::{device, now};
    use crate::testing::{publisher_key, sample_pack, stranger_key};

    fn grant(learner: &str, publisher: &SecretKey, attempts: u32) -> AttemptGrant {
        let terms = GrantTerms::new(
            crate::random::bytes().expect("random"),
            learner,
            &publisher.public_key(),
            "bike-check",
            attempts,
            "Wanjiru",
            now(),
        )
        .expect("terms");
        AttemptGrant::sign(terms, publisher, None).expect("signs")
    }

    #[test]
    fn a_trusted_publishers_grant_to_this_learner_adds_attempts_once() {
        let dev = device();
        let pack = dev.path.parent().expect("dir").join("bike.skillpack");
        std::fs::write(&pack, sample_pack()).expect("write");
        dev.store.install(&pack).expect("installs");
        let allowed = dev
            .store
            .module("bike-check")
            .expect("module")
            .assessment
            .attempts;
        let me = dev.store.learner_did();

        let two = grant(&me, &publisher_key(), 2);
        assert!(dev.store.add_grant(&two, now()).expect("kept").is_some());
        assert!(
            dev.store.add_grant(&two, now()).expect("once").is_none(),
            "counted once"
        );
        let with = dev.store.attempts_left("bike-check").expect("module");
        let plus_two = AttemptsLeft::Limited {
            left: allowed + 2,
            allowed: allowed + 2,
        };
        assert_eq!(with, plus_two);
        let entry = dev.store.catalog(now()).expect("catalog");
        assert_eq!(entry[0].attempts_granted, 2);
        assert_eq!(dev.store.grants().expect("grants")[0].granted_by, "Wanjiru");

        let someone_else = SecretKey::from_seed(&[77; 32]).public_key().to_did_key();
        let theirs = dev
            .store
            .add_grant(&grant(&someone_else, &publisher_key(), 1), now());
        assert!(
            matches!(&theirs, Err(StoreError::Ledger(LedgerError::BadGrant(why))) if why.contains("another learner")),
            "{theirs:?}"
        );
        let strangers = dev.store.add_grant(&grant(&me, &stranger_key(), 5), now());
        assert!(
            matches!(&strangers, Err(StoreError::Ledger(LedgerError::BadGrant(why))) if why.contains("trusts")),
            "{strangers:?}"
        );
        let with = dev.store.attempts_left("bike-check").expect("module");
        assert_eq!(with, plus_two, "nothing else counted");
    }
}
