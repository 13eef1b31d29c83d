//! Exchanges through which a learner's wallet takes a credential, on SQLite: opened with an
//! entry in the audit trail, read by the SHA-256 of their id, and completed once: the
//! credential issued to the wallet, the exchange used up and the audit entry in one
//! transaction, so of two wallets racing only the first gets it.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{SqliteHub, NOW};
use crate::error::HubError;
use crate::storage::rows::{
    ExchangeCompletion, ExchangeRow, NewExchange, UnissuedPass, WalletCopy,
};
use crate::storage::rules::count;

/// How long a used or expired exchange is kept before it goes (the audit trail keeps what
/// happened).
const KEPT_AFTER_EXPIRY: i64 = 86_400;

impl SqliteHub {
    pub(crate) async fn open_exchange(
        &self,
        hash: [u8; 32],
        exchange: NewExchange,
        now: i64,
    ) -> Result<(), HubError> {
        self.run(move |db| {
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "DELETE FROM exchanges WHERE expires_at < ?1",
                [now - KEPT_AFTER_EXPIRY],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO exchanges (id_hash, credential, challenge, hub_url, asked_by,
                                            created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, {NOW}, ?6)"
                ),
                params![
                    hash.as_slice(),
                    i64::try_from(exchange.credential).unwrap_or(i64::MAX),
                    exchange.challenge,
                    exchange.hub_url,
                    exchange.asked_by,
                    exchange.expires_at
                ],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO audit (at, actor, action, detail)
                     VALUES ({NOW}, ?1, 'open_wallet_exchange', ?2)"
                ),
                params![exchange.asked_by, exchange.audit_detail()],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn exchange(&self, hash: [u8; 32]) -> Result<Option<ExchangeRow>, HubError> {
        self.run(move |db| {
            Ok(db
                .read()
                .query_row(
                    "SELECT e.credential, c.id, c.learner, c.record_id, c.issuer, e.challenge,
                            e.hub_url, e.expires_at, e.issued IS NOT NULL,
                            c.revoked_at IS NOT NULL
                     FROM exchanges e JOIN credentials c ON c.number = e.credential
                     WHERE e.id_hash = ?1",
                    [hash.as_slice()],
                    |r| {
                        Ok(ExchangeRow {
                            credential: count(r.get(0)?),
                            credential_id: r.get(1)?,
                            learner: r.get(2)?,
                            record_id: r.get(3)?,
                            issuer: count(r.get(4)?),
                            challenge: r.get(5)?,
                            hub_url: r.get(6)?,
                            expires_at: r.get(7)?,
                            used: r.get(8)?,
                            revoked: r.get(9)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    pub(crate) async fn complete_exchange(
        &self,
        hash: [u8; 32],
        copy: WalletCopy,
        now: i64,
    ) -> Result<ExchangeCompletion, HubError> {
        self.run(move |db| {
            let mut conn = db.lock();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            type Found = (i64, String, String, i64, i64, bool, bool);
            let found: Option<Found> = tx
                .query_row(
                    "SELECT e.credential, c.id, c.learner, c.issuer, e.expires_at,
                            e.issued IS NOT NULL, c.revoked_at IS NOT NULL
                     FROM exchanges e JOIN credentials c ON c.number = e.credential
                     WHERE e.id_hash = ?1",
                    [hash.as_slice()],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                        ))
                    },
                )
                .optional()?;
            let Some((original, original_id, learner, issuer, expires_at, used, revoked)) = found
            else {
                return Ok(ExchangeCompletion::Unknown);
            };
            if used {
                return Ok(ExchangeCompletion::Used);
            }
            if expires_at <= now {
                return Ok(ExchangeCompletion::Expired);
            }
            if revoked {
                return Ok(ExchangeCompletion::Revoked);
            }
            let index = i64::try_from(copy.status_index).unwrap_or(i64::MAX);
            let index_taken: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM credentials WHERE issuer = ?1 AND status_index = ?2)",
                params![issuer, index],
                |r| r.get(0),
            )?;
            if index_taken {
                return Ok(ExchangeCompletion::IndexTaken);
            }
            tx.execute(
                &format!(
                    "INSERT INTO credentials (id, learner, issuer, status_index, body, issued_at,
                                              copy_of, wallet)
                     VALUES (?1, ?2, ?3, ?4, ?5, {NOW}, ?6, ?7)"
                ),
                params![
                    copy.id,
                    learner,
                    issuer,
                    index,
                    copy.body,
                    original,
                    copy.wallet
                ],
            )?;
            let number = tx.last_insert_rowid();
            tx.execute(
                &format!(
                    "UPDATE exchanges SET wallet = ?2, issued = ?3, done_at = {NOW}
                     WHERE id_hash = ?1"
                ),
                params![hash.as_slice(), copy.wallet, number],
            )?;
            tx.execute(
                &format!(
                    "INSERT INTO audit (at, actor, action, detail)
                     VALUES ({NOW}, ?1, 'issue_to_wallet', ?2)"
                ),
                params![copy.wallet, copy.audit_detail(&original_id)],
            )?;
            tx.commit()?;
            Ok(ExchangeCompletion::Issued(count(number)))
        })
        .await
    }

    pub(crate) async fn stored_record(
        &self,
        record_id: String,
    ) -> Result<Option<UnissuedPass>, HubError> {
        self.run(move |db| {
            let found: Option<(String, Vec<u8>, String)> = db
                .read()
                .query_row(
                    "SELECT id, hash, body FROM records WHERE id = ?1",
                    [record_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            found
                .map(|(record_id, hash, body)| {
                    let hash = hash
                        .try_into()
                        .map_err(|_| HubError::Damaged("a stored record hash".into()))?;
                    Ok(UnissuedPass {
                        record_id,
                        hash,
                        body,
                    })
                })
                .transpose()
        })
        .await
    }
}
