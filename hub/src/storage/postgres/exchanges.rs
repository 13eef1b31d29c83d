//! Exchanges through which a learner's wallet takes a credential, on PostgreSQL, as on SQLite:
//! the exchange's row is locked while it completes, so of two wallets racing (on one hub
//! instance or two) only the first gets the credential.

use super::PgHub;
use crate::error::HubError;
use crate::storage::rows::{
    ExchangeCompletion, ExchangeRow, NewExchange, UnissuedPass, WalletCopy,
};
use crate::storage::rules::count;

/// How long a used or expired exchange is kept before it goes (the audit trail keeps what
/// happened).
const KEPT_AFTER_EXPIRY: i64 = 86_400;

impl PgHub {
    pub(crate) async fn open_exchange(
        &self,
        hash: [u8; 32],
        exchange: NewExchange,
        now: i64,
    ) -> Result<(), HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM exchanges WHERE expires_at < $1",
            &[&(now - KEPT_AFTER_EXPIRY)],
        )
        .await?;
        tx.execute(
            "INSERT INTO exchanges (id_hash, credential, challenge, hub_url, asked_by, created_at,
                                    expires_at)
             VALUES ($1, $2, $3, $4, $5, now(), $6)",
            &[
                &hash.as_slice(),
                &i64::try_from(exchange.credential).unwrap_or(i64::MAX),
                &exchange.challenge,
                &exchange.hub_url,
                &exchange.asked_by,
                &exchange.expires_at,
            ],
        )
        .await?;
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail)
             VALUES (now(), $1, 'open_wallet_exchange', $2)",
            &[&exchange.asked_by, &exchange.audit_detail()],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(crate) async fn exchange(&self, hash: [u8; 32]) -> Result<Option<ExchangeRow>, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT e.credential, c.id, c.learner, c.record_id, c.issuer, e.challenge,
                        e.hub_url, e.expires_at, e.issued IS NOT NULL, c.revoked_at IS NOT NULL
                 FROM exchanges e JOIN credentials c ON c.number = e.credential
                 WHERE e.id_hash = $1",
                &[&hash.as_slice()],
            )
            .await?;
        Ok(row.map(|r| ExchangeRow {
            credential: count(r.get(0)),
            credential_id: r.get(1),
            learner: r.get(2),
            record_id: r.get(3),
            issuer: count(r.get(4)),
            challenge: r.get(5),
            hub_url: r.get(6),
            expires_at: r.get(7),
            used: r.get(8),
            revoked: r.get(9),
        }))
    }

    pub(crate) async fn complete_exchange(
        &self,
        hash: [u8; 32],
        copy: WalletCopy,
        now: i64,
    ) -> Result<ExchangeCompletion, HubError> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let Some(found) = tx
            .query_opt(
                "SELECT e.credential, c.id, c.learner, c.issuer, e.expires_at,
                        e.issued IS NOT NULL, c.revoked_at IS NOT NULL
                 FROM exchanges e JOIN credentials c ON c.number = e.credential
                 WHERE e.id_hash = $1 FOR UPDATE OF e",
                &[&hash.as_slice()],
            )
            .await?
        else {
            return Ok(ExchangeCompletion::Unknown);
        };
        let (original, original_id, learner, issuer): (i64, String, String, i64) =
            (found.get(0), found.get(1), found.get(2), found.get(3));
        if found.get::<_, bool>(5) {
            return Ok(ExchangeCompletion::Used);
        }
        if found.get::<_, i64>(4) <= now {
            return Ok(ExchangeCompletion::Expired);
        }
        if found.get::<_, bool>(6) {
            return Ok(ExchangeCompletion::Revoked);
        }
        let stored = tx
            .query_opt(
                "INSERT INTO credentials (id, learner, issuer, status_index, body, issued_at,
                                          copy_of, wallet)
                 VALUES ($1, $2, $3, $4, $5, now(), $6, $7)
                 ON CONFLICT DO NOTHING RETURNING number",
                &[
                    &copy.id,
                    &learner,
                    &issuer,
                    &i64::try_from(copy.status_index).unwrap_or(i64::MAX),
                    &copy.body,
                    &original,
                    &copy.wallet,
                ],
            )
            .await?;
        let Some(stored) = stored else {
            return Ok(ExchangeCompletion::IndexTaken);
        };
        let number: i64 = stored.get(0);
        tx.execute(
            "UPDATE exchanges SET wallet = $2, issued = $3, done_at = now() WHERE id_hash = $1",
            &[&hash.as_slice(), &copy.wallet, &number],
        )
        .await?;
        tx.execute(
            "INSERT INTO audit (at, actor, action, detail)
             VALUES (now(), $1, 'issue_to_wallet', $2)",
            &[&copy.wallet, &copy.audit_detail(&original_id)],
        )
        .await?;
        tx.commit().await?;
        Ok(ExchangeCompletion::Issued(count(number)))
    }

    pub(crate) async fn stored_record(
        &self,
        record_id: String,
    ) -> Result<Option<UnissuedPass>, HubError> {
        let client = self.pool.get().await?;
        let row = client
            .query_opt(
                "SELECT id, hash, body FROM records WHERE id = $1",
                &[&record_id],
            )
            .await?;
        row.map(|r| {
            let hash: Vec<u8> = r.get(1);
            Ok(UnissuedPass {
                record_id: r.get(0),
                hash: hash
                    .try_into()
                    .map_err(|_| HubError::Damaged("a stored record hash".into()))?,
                body: r.get(2),
            })
        })
        .transpose()
    }
}
