//! What the device knows of its credentials' revocation, as syncs read it from the issuers'
//! signed status lists, and the rules that keep it honest on a bad connection, in one place:
//! the list's bit alone makes a credential revoked, and a revoked one stays revoked; a list
//! that cannot be read leaves the last known state and says why; a list signed before one
//! already accepted from the same address is a replay and is refused. The hub's reason for
//! a revocation is kept only beside a credential the list says is revoked, as words to show.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::Value;

use super::error::StoreError;
use super::{db, Store};
use crate::credential;

/// Most characters of a revocation's reason the device keeps and shows.
pub const MAX_REASON_CHARS: usize = 200;

/// What the issuer's signed status list last said of a kept credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevocationState {
    /// No list has been read for it yet (never synced since it came, or it names no list).
    Unknown,
    /// Its bit was clear in the issuer's list read at `checked_at` (device time, RFC 3339).
    NotRevoked {
        /// When that list was read.
        checked_at: String,
    },
    /// Its bit was set in the issuer's list, first read so at `seen_at` (device time, RFC
    /// 3339). Final: no later list, unreadable, stale or clear, makes it good again.
    Revoked {
        /// When a list first said so.
        seen_at: String,
        /// Why, in the hub's words (display text only: the list's bit decided), when the
        /// hub gave a reason.
        reason: Option<String>,
    },
}

impl RevocationState {
    /// From the store's columns: the outcome, when it was last checked, when it was first
    /// seen revoked, and the hub's reason.
    pub(super) fn from_columns(
        outcome: &str,
        checked_at: Option<String>,
        seen_at: Option<String>,
        reason: Option<String>,
    ) -> Self {
        match (outcome, checked_at) {
            (REVOKED, checked_at) => Self::Revoked {
                seen_at: seen_at.or(checked_at).unwrap_or_default(),
                reason,
            },
            (NOT_REVOKED, Some(checked_at)) => Self::NotRevoked { checked_at },
            _ => Self::Unknown,
        }
    }
}

/// The outcomes as the `revocation` column holds them.
const NOT_REVOKED: &str = "not_revoked";
const REVOKED: &str = "revoked";

/// A kept credential whose revocation a sync checks.
#[derive(Debug, Clone, PartialEq)]
pub struct RevocationTarget {
    /// The credential's id.
    pub id: String,
    /// Its issuer's `did:key`.
    pub issuer: String,
    /// The credential as received (it names its list and its bit).
    pub credential: Value,
    /// When a list was last read for it (RFC 3339), if ever.
    pub checked_at: Option<String>,
}

/// What one credential's bit in a list that was read came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListReading {
    /// The list is the issuer's, current, and the bit is clear.
    NotRevoked,
    /// The list is the issuer's, current, and the bit is set.
    Revoked,
    /// The list could not be used for this credential (another's signature, expired,
    /// another address, …): why.
    Unusable(String),
}

/// What became of a status list a sync read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListRecorded {
    /// Taken: the readings are recorded. The ids of the credentials it showed revoked for
    /// the first time.
    Taken {
        /// Newly revoked.
        newly_revoked: Vec<String>,
    },
    /// Refused: signed before a list already accepted from the same address (a replay).
    /// The credentials keep their last known state, with the refusal as their problem.
    Older {
        /// Why, for the learner (it names the newest list's date).
        why: String,
    },
}

impl Store {
    /// Every kept credential, with its issuer and body, for a sync to check its revocation.
    pub fn revocation_targets(&self) -> Result<Vec<RevocationTarget>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, issuer, body, revocation_checked_at FROM credentials ORDER BY id",
        )?;
        let rows: Vec<(String, String, Vec<u8>, Option<String>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(id, issuer, body, checked_at)| {
                let credential = serde_json::from_slice(&body)
                    .map_err(|e| StoreError::Damaged(format!("credential {id}: {e}")))?;
                Ok(RevocationTarget {
                    id,
                    issuer,
                    credential,
                    checked_at,
                })
            })
            .collect()
    }

    /// Records what the status list at `url`, signed as valid from `valid_from`, said of the
    /// credentials that name it, read at `now`, in one transaction. A list signed before the
    /// newest one accepted from `url` is refused as a replay: nothing it says is recorded.
    /// A credential seen revoked stays revoked whatever a later list says.
    pub fn record_status_list(
        &self,
        url: &str,
        valid_from: DateTime<Utc>,
        readings: &[(String, ListReading)],
        now: DateTime<Utc>,
    ) -> Result<ListRecorded, StoreError> {
        let now = credential::timestamp(&now);
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            if let Some(newest) = newest_list(tx, url)? {
                if valid_from < newest {
                    let newest = credential::timestamp(&newest);
                    let why = format!(
                        "the list offered was signed before one already read (valid from \
                         {newest}): an old list, replayed"
                    );
                    for (id, _) in readings {
                        set_problem(tx, id, &why)?;
                    }
                    return Ok(ListRecorded::Older { why });
                }
            }
            let mut newly_revoked = Vec::new();
            let mut taken = false;
            for (id, reading) in readings {
                match reading {
                    ListReading::NotRevoked => {
                        taken = true;
                        // A revoked credential stays so: the outcome changes only from
                        // unknown or not revoked.
                        tx.execute(
                            "UPDATE credentials SET revocation_checked_at = ?2,
                             revocation_problem = NULL,
                             revocation = CASE revocation WHEN 'revoked' THEN 'revoked'
                                          ELSE 'not_revoked' END
                             WHERE id = ?1",
                            params![id, now],
                        )?;
                    }
                    ListReading::Revoked => {
                        taken = true;
                        let changed = tx.execute(
                            "UPDATE credentials SET revocation = 'revoked', revoked_seen_at = ?2
                             WHERE id = ?1 AND revocation != 'revoked'",
                            params![id, now],
                        )?;
                        tx.execute(
                            "UPDATE credentials SET revocation_checked_at = ?2,
                             revocation_problem = NULL WHERE id = ?1",
                            params![id, now],
                        )?;
                        if changed > 0 {
                            newly_revoked.push(id.clone());
                        }
                    }
                    ListReading::Unusable(why) => set_problem(tx, id, why)?,
                }
            }
            // Only a list that was the issuer's for some credential (its signature checked
            // out) moves the newest date: a forged one cannot push later lists out.
            if taken {
                tx.execute(
                    "INSERT INTO status_lists (url, valid_from, read_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (url) DO UPDATE SET valid_from = ?2, read_at = ?3",
                    params![url, credential::timestamp(&valid_from), now],
                )?;
            }
            Ok(ListRecorded::Taken { newly_revoked })
        })
    }

    /// Records that the revocation of the credentials `ids` could not be checked now, and
    /// why (their list unreachable, unreadable, or none named): what was known stays.
    pub fn record_revocation_unchecked(&self, ids: &[String], why: &str) -> Result<(), StoreError> {
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            for id in ids {
                set_problem(tx, id, why)?;
            }
            Ok(())
        })
    }

    /// Whether a credential the lists say is revoked still waits for the hub's reason (the
    /// hub was not asked since it was seen revoked).
    pub fn revocation_reasons_wanted(&self) -> Result<bool, StoreError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT 1 FROM credentials WHERE revocation = 'revoked'
                 AND revocation_reason IS NULL AND revocation_reason_asked = 0 LIMIT 1",
                [],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Keeps the hub's reasons (`(credential id, reason)`) for credentials the lists say are
    /// revoked, as display text (one line, at most [`MAX_REASON_CHARS`] characters); a
    /// reason for any other credential is not kept, since only the issuer's signed list says
    /// what is revoked. Every revoked credential then counts as asked about.
    pub fn set_revocation_reasons(&self, reasons: &[(String, String)]) -> Result<(), StoreError> {
        let mut conn = self.lock();
        db::write(&mut conn, |tx| {
            for (id, reason) in reasons {
                let reason = crate::name::visible_text(reason, MAX_REASON_CHARS);
                if reason.is_empty() {
                    continue;
                }
                tx.execute(
                    "UPDATE credentials SET revocation_reason = ?2
                     WHERE id = ?1 AND revocation = 'revoked'",
                    params![id, reason],
                )?;
            }
            tx.execute(
                "UPDATE credentials SET revocation_reason_asked = 1 WHERE revocation = 'revoked'",
                [],
            )?;
            Ok(())
        })
    }
}

/// The `validFrom` of the newest list accepted from `url`, if any.
fn newest_list(tx: &Transaction<'_>, url: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
    let stored: Option<String> = tx
        .query_row(
            "SELECT valid_from FROM status_lists WHERE url = ?1",
            [url],
            |r| r.get(0),
        )
        .optional()?;
    stored
        .map(|s| {
            DateTime::parse_from_rfc3339(&s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| StoreError::Damaged(format!("the date of the list at {url}")))
        })
        .transpose()
}

fn set_problem(tx: &Transaction<'_>, id: &str, why: &str) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE credentials SET revocation_problem = ?2 WHERE id = ?1",
        params![id, crate::name::visible_text(why, 500)],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests;
