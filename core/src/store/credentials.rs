//! The learner's credentials on the device: each verified before it is kept (its proof, its
//! issuer, its dates, and that it is this learner's), kept as received, listed with what
//! the last sync learned of its revocation (`revocation.rs`), and handed out offline as a
//! file or a QR code.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde_json::Value;

use super::error::StoreError;
use super::revocation::RevocationState;
use super::{db, Store};
use crate::credential::{self, Contexts, CredentialError, IssuerEndorsement};
use crate::keys::PublicKey;

/// A credential the device keeps, as the learner's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCredential {
    /// The credential's id.
    pub id: String,
    /// What it is for.
    pub achievement: String,
    /// The module it names, if any.
    pub module_id: Option<String>,
    /// The issuer's `did:key`.
    pub issuer: String,
    /// The issuer's name.
    pub issuer_name: String,
    /// Valid from.
    pub valid_from: String,
    /// Valid until, if it expires.
    pub valid_until: Option<String>,
    /// Whether its issuer is one the device trusts (any key may give itself any name: a
    /// credential from an issuer the device does not know is shown as such).
    pub trusted_issuer: bool,
    /// What the issuer's signed revocation list last said of it, and when.
    pub revocation: RevocationState,
    /// Why the latest sync could not use its revocation list, when it could not:
    /// [`HeldCredential::revocation`] is then as of its own date ("not checked since").
    pub revocation_problem: Option<String>,
}

/// The columns [`HeldCredential`] is read from, in the order [`held_credential`] reads them.
const HELD_COLUMNS: &str = "id, achievement, module_id, issuer, issuer_name, valid_from,
    valid_until, revocation, revocation_checked_at, revoked_seen_at, revocation_reason,
    revocation_problem";

/// A row of [`HELD_COLUMNS`], its issuer trusted when `trusted` names it.
fn held_credential(r: &rusqlite::Row<'_>, trusted: &[String]) -> rusqlite::Result<HeldCredential> {
    let issuer: String = r.get(3)?;
    Ok(HeldCredential {
        trusted_issuer: trusted.contains(&issuer),
        id: r.get(0)?,
        achievement: r.get(1)?,
        module_id: r.get(2)?,
        issuer,
        issuer_name: r.get(4)?,
        valid_from: r.get(5)?,
        valid_until: r.get(6)?,
        revocation: RevocationState::from_columns(
            r.get::<_, String>(7)?.as_str(),
            r.get(8)?,
            r.get(9)?,
            r.get(10)?,
        ),
        revocation_problem: r.get(11)?,
    })
}

impl Store {
    /// Keeps a publisher's endorsement of an issuer key, when the device trusts the publisher
    /// and its signature checks out: credentials that key signs are then from a trusted
    /// issuer. False when the publisher is not one the device trusts (nothing is kept).
    pub fn add_endorsement(&self, endorsement: &IssuerEndorsement) -> Result<bool, StoreError> {
        let endorsed = endorsement.check()?;
        if !self.trusted()?.contains(&endorsed.publisher) {
            return Ok(false);
        }
        let body = serde_json::to_vec(endorsement)
            .map_err(|e| CredentialError::Malformed(e.to_string()))?;
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            tx.execute(
                "INSERT INTO issuer_endorsements (issuer, publisher, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (issuer) DO UPDATE SET publisher = ?2, body = ?3",
                params![
                    endorsement.issuer,
                    endorsed.publisher.to_bytes().to_vec(),
                    body
                ],
            )?;
            Ok(())
        })?;
        Ok(true)
    }

    /// The keys whose credentials the device trusts: its trusted publishers, and the issuer
    /// keys they endorsed (an endorsement counts only while its publisher is trusted).
    pub fn trusted_issuers(&self) -> Result<Vec<PublicKey>, StoreError> {
        let mut trusted = self.trusted()?;
        let endorsed: Vec<(String, Vec<u8>)> = {
            let conn = self.lock();
            let mut stmt = conn.prepare("SELECT issuer, publisher FROM issuer_endorsements")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        for (issuer, publisher) in endorsed {
            let publisher_trusted = <[u8; 32]>::try_from(publisher.as_slice())
                .ok()
                .and_then(|bytes| PublicKey::from_bytes(&bytes).ok())
                .is_some_and(|p| trusted.contains(&p));
            if publisher_trusted {
                let issuer = PublicKey::parse(&issuer)
                    .map_err(|_| StoreError::Damaged("an endorsed issuer key".into()))?;
                trusted.push(issuer);
            }
        }
        Ok(trusted)
    }

    /// Verifies `credential` and keeps it, if it is this learner's; keeping one already kept
    /// changes nothing. Issuers are checked against [`Store::trusted_issuers`], the dates
    /// within [`credential::CLOCK_TOLERANCE`] of `now`, as every verifier of ours does.
    pub fn add_credential(
        &self,
        credential: &Value,
        now: DateTime<Utc>,
    ) -> Result<HeldCredential, StoreError> {
        let trusted = self.trusted_issuers()?;
        let verified = credential::verify_with(
            credential,
            &trusted,
            now,
            credential::CLOCK_TOLERANCE,
            Contexts::bundled(),
            &self.issuer_documents()?,
        )?;
        if verified.subject != self.learner_did() {
            return Err(StoreError::OtherLearnersCredential);
        }
        let id = credential
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| CredentialError::Malformed("the credential has no id".into()))?;
        let body = crate::canonical::to_canonical_json(credential)
            .map_err(|e| CredentialError::Malformed(e.to_string()))?;
        let module_id = credential
            .pointer("/credentialSubject/achievement/humanCode")
            .and_then(Value::as_str);
        // The endorsements it carries by publishers the device trusts, kept as received: the
        // issuer key is then trusted for the grants it signs too (ADR 0006).
        let publishers = self.trusted()?;
        let mut endorsements = Vec::new();
        for (checked, embedded) in verified.endorsements.iter().zip(
            credential
                .pointer("/issuer/endorsement")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        ) {
            if publishers.contains(&checked.publisher) {
                let body = crate::canonical::to_canonical_json(embedded)
                    .map_err(|e| CredentialError::Malformed(e.to_string()))?;
                endorsements.push((checked.issuer.to_did_key(), checked.publisher, body));
            }
        }
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            let kept: Option<Vec<u8>> = tx
                .query_row("SELECT body FROM credentials WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .optional()?;
            if kept.is_some_and(|kept| kept != body) {
                return Err(StoreError::CredentialIdTaken(id.to_owned()));
            }
            tx.execute(
                "INSERT OR IGNORE INTO credentials (id, achievement, module_id, issuer,
                 issuer_name, valid_from, valid_until, received_at, body)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    id,
                    verified.achievement,
                    module_id,
                    verified.issuer,
                    verified.issuer_name,
                    credential::timestamp(&verified.valid_from),
                    verified.valid_until.as_ref().map(credential::timestamp),
                    credential::timestamp(&now),
                    body
                ],
            )?;
            for (issuer, publisher, body) in &endorsements {
                tx.execute(
                    "INSERT INTO issuer_endorsements (issuer, publisher, body) VALUES (?1, ?2, ?3)
                     ON CONFLICT (issuer) DO UPDATE SET publisher = ?2, body = ?3",
                    params![issuer, publisher.to_bytes().to_vec(), body],
                )?;
            }
            Ok(())
        })?;
        drop(conn);
        // As kept: one kept before keeps what syncs learned of its revocation.
        self.held_credential(id, &self.trusted_issuers()?)
    }

    /// One kept credential as the list shows it.
    fn held_credential(
        &self,
        id: &str,
        trusted: &[PublicKey],
    ) -> Result<HeldCredential, StoreError> {
        let trusted: Vec<String> = trusted.iter().map(|k| k.to_did_key()).collect();
        let conn = self.lock();
        let held = conn
            .query_row(
                &format!("SELECT {HELD_COLUMNS} FROM credentials WHERE id = ?1"),
                [id],
                |r| held_credential(r, &trusted),
            )
            .optional()?;
        held.ok_or_else(|| StoreError::NotInstalled {
            what: "credential",
            id: id.to_owned(),
        })
    }

    /// The credentials the device keeps, newest first.
    pub fn credentials(&self) -> Result<Vec<HeldCredential>, StoreError> {
        let trusted: Vec<String> = self
            .trusted_issuers()?
            .iter()
            .map(|k| k.to_did_key())
            .collect();
        let conn = self.lock();
        let mut stmt = conn.prepare(&format!(
            "SELECT {HELD_COLUMNS} FROM credentials ORDER BY valid_from DESC, id"
        ))?;
        let rows = stmt.query_map([], |r| held_credential(r, &trusted))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One kept credential, as received.
    pub fn credential(&self, id: &str) -> Result<Value, StoreError> {
        let body: Option<Vec<u8>> = self
            .lock()
            .query_row("SELECT body FROM credentials WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?;
        let body = body.ok_or_else(|| StoreError::NotInstalled {
            what: "credential",
            id: id.to_owned(),
        })?;
        serde_json::from_slice(&body)
            .map_err(|e| StoreError::Damaged(format!("credential {id}: {e}")))
    }
}

#[cfg(test)]
mod tests;
