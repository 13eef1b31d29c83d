//! What the device keeps for presentations. As a worker's phone: the newest status list
//! accepted from each address, whole, so a presentation carries the issuers' signed word on
//! revocation to a client offline. As a client's phone: the challenges it gave, each
//! answered at most once and only while fresh, so a presentation copied from another
//! meeting is refused as a replay.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{params, OptionalExtension};
use serde_json::Value;

use super::error::StoreError;
use super::{db, Store};
use crate::credential::{self, Contexts, CredentialError, PresentationRequest};

/// How long a challenge the client gave may be answered: a meeting, not a day.
pub const CHALLENGE_LIFETIME: Duration = Duration::hours(1);

/// How long an answered or unanswered challenge is remembered before it is forgotten. Past
/// its lifetime it is refused anyway; this only keeps the table small.
const CHALLENGES_KEPT_FOR: Duration = Duration::days(2);

impl Store {
    /// Keeps `list`, the status list just accepted from `url` (its signature checked, its
    /// date the newest read from there), for presentations to carry. A list older than the
    /// one recorded is not kept.
    pub fn keep_status_list(&self, url: &str, list: &Value) -> Result<(), StoreError> {
        // Compared as `record_status_list` wrote it: whole seconds, UTC.
        let valid_from = list
            .get("validFrom")
            .and_then(Value::as_str)
            .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
            .map(|d| credential::timestamp(&d.with_timezone(&Utc)))
            .ok_or_else(|| CredentialError::Malformed("the list has no validFrom".into()))?;
        let body = crate::canonical::to_canonical_json(list)
            .map_err(|e| CredentialError::Malformed(e.to_string()))?;
        let body =
            String::from_utf8(body).map_err(|e| CredentialError::Malformed(e.to_string()))?;
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            tx.execute(
                "UPDATE status_lists SET body = ?2 WHERE url = ?1 AND valid_from = ?3",
                params![url, body, valid_from],
            )?;
            Ok(())
        })
    }

    /// The status list kept from `url`, if one is.
    pub fn status_list(&self, url: &str) -> Result<Option<Value>, StoreError> {
        let body: Option<Option<String>> = self
            .lock()
            .query_row("SELECT body FROM status_lists WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .optional()?;
        body.flatten()
            .map(|body| {
                serde_json::from_str(&body)
                    .map_err(|e| StoreError::Damaged(format!("status list {url}: {e}")))
            })
            .transpose()
    }

    /// A presentation by this device's learner of the kept credentials `ids` (in that order),
    /// signed at `now` over the client's request.
    pub fn present(
        &self,
        ids: &[String],
        request: PresentationRequest<'_>,
        now: DateTime<Utc>,
    ) -> Result<Value, StoreError> {
        too_many(ids)?;
        let credentials = ids
            .iter()
            .map(|id| self.credential(id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(credential::present(
            &self.learner,
            &credentials,
            request,
            now,
            Contexts::bundled(),
        )?)
    }

    /// The QR summary of the learner's presentation of the kept credentials `ids` over the
    /// client's `challenge` and `domain`, signed at `now` (`credential::presentation::summary`).
    pub fn summarise(
        &self,
        ids: &[String],
        challenge: &str,
        domain: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        too_many(ids)?;
        let credentials = ids
            .iter()
            .map(|id| self.credential(id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(credential::presentation::summary::summarise(
            &self.learner,
            &credentials,
            challenge,
            domain,
            now,
        )?)
    }

    /// Whether `challenge` is one this device gave, fresh at `now` and not answered yet (it
    /// stays so: only [`Store::use_challenge`] uses it up); the domain asked for with it.
    pub fn open_challenge(
        &self,
        challenge: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        open_domain(&self.lock(), challenge, now)
    }

    /// A new challenge for a worker to sign a presentation over, given at `now` (with the
    /// domain asked for, if any): 128 random bits.
    pub fn give_challenge(
        &self,
        domain: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        if domain.is_some_and(|d| d.len() > credential::presentation::summary::MAX_FIELD_BYTES) {
            return Err(StoreError::BadSetting(format!(
                "a domain is at most {} bytes",
                credential::presentation::summary::MAX_FIELD_BYTES
            )));
        }
        let challenge = crate::hex::encode(&crate::random::bytes::<16>()?);
        let forget_before = credential::timestamp(&(now - CHALLENGES_KEPT_FOR));
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            tx.execute(
                "DELETE FROM presentation_challenges WHERE given_at < ?1",
                [forget_before],
            )?;
            tx.execute(
                "INSERT INTO presentation_challenges (challenge, domain, given_at)
                 VALUES (?1, ?2, ?3)",
                params![challenge, domain, credential::timestamp(&now)],
            )?;
            Ok(())
        })?;
        Ok(challenge)
    }

    /// Uses up `challenge`, answered at `now`: it must be one this device gave, within
    /// [`CHALLENGE_LIFETIME`], and not answered before. Gives the domain asked for with it.
    pub fn use_challenge(
        &self,
        challenge: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            let domain = open_domain(tx, challenge, now)?;
            tx.execute(
                "UPDATE presentation_challenges SET used_at = ?2 WHERE challenge = ?1",
                params![challenge, credential::timestamp(&now)],
            )?;
            Ok(domain)
        })
    }
}

/// The domain asked for with `challenge`, when this device gave it, it is fresh at `now`
/// and no presentation answered it; else why not.
fn open_domain(
    conn: &rusqlite::Connection,
    challenge: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    let given: Option<(Option<String>, String, Option<String>)> = conn
        .query_row(
            "SELECT domain, given_at, used_at FROM presentation_challenges WHERE challenge = ?1",
            [challenge],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((domain, given_at, used_at)) = given else {
        return Err(StoreError::ChallengeNotGiven);
    };
    if let Some(used_at) = used_at {
        return Err(StoreError::ChallengeUsed(used_at));
    }
    let given = DateTime::parse_from_rfc3339(&given_at)
        .map_err(|_| StoreError::Damaged("a challenge's date".into()))?
        .with_timezone(&Utc);
    if now - given > CHALLENGE_LIFETIME {
        return Err(StoreError::ChallengeExpired(given_at));
    }
    Ok(domain)
}

/// Refuses more credentials than a presentation carries, before any is read.
fn too_many(ids: &[String]) -> Result<(), StoreError> {
    if ids.len() > credential::MAX_PRESENTED {
        return Err(credential::PresentationError::Malformed(format!(
            "{} credentials chosen; a presentation carries at most {}",
            ids.len(),
            credential::MAX_PRESENTED
        ))
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
