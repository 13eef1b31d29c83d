//! Used nonces and the nonce secret on PostgreSQL, shared by every hub instance on the
//! database (a nonce one instance issued may come back to another). The secret is made once,
//! by whichever instance opens the database first. A used nonce is one row until it expires;
//! expired rows are swept every [`SWEEP_EVERY`]th use, amortised as before (counting on every
//! issue cost 10-15% of the records per second on the ingest bench, 2026-11-24, 2 cores).

use std::sync::atomic::{AtomicUsize, Ordering};

use super::PgHub;
use crate::error::HubError;
use crate::nonce::GoodNonce;
use crate::storage::rules::random_bytes;

/// Uses between two sweeps of expired nonces.
const SWEEP_EVERY: usize = 64;

/// Counts uses, to sweep now and then.
#[derive(Debug, Default)]
pub(super) struct SweepCount(AtomicUsize);

impl PgHub {
    /// The hub's nonce secret: made once, then read by every instance.
    pub(crate) async fn nonce_secret(&self) -> Result<[u8; 32], HubError> {
        let candidate = random_bytes::<32>()?;
        let client = self.pool.get().await?;
        client
            .execute(
                "INSERT INTO hub_secrets (name, secret) VALUES ('nonce', $1)
                 ON CONFLICT (name) DO NOTHING",
                &[&candidate.as_slice()],
            )
            .await?;
        let secret: Vec<u8> = client
            .query_one("SELECT secret FROM hub_secrets WHERE name = 'nonce'", &[])
            .await?
            .get(0);
        secret
            .try_into()
            .map_err(|_| HubError::Damaged("the nonce secret is not 32 bytes".into()))
    }

    /// Remembers a checked nonce as used; false if it was used already.
    pub(crate) async fn remember_nonce(
        &self,
        nonce: GoodNonce,
        forget_before_ms: i64,
    ) -> Result<bool, HubError> {
        let client = self.pool.get().await?;
        if self.sweeps.0.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == 0 {
            client
                .execute(
                    "DELETE FROM used_nonces WHERE expires_at < $1",
                    &[&forget_before_ms],
                )
                .await?;
        }
        let inserted = client
            .execute(
                "INSERT INTO used_nonces (id, expires_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
                &[&nonce.id.as_slice(), &nonce.expires_at_ms],
            )
            .await?;
        Ok(inserted == 1)
    }

    /// How many used nonces are remembered (expired ones may linger until the next sweep).
    pub(crate) async fn stored_nonces(&self) -> Result<u64, HubError> {
        let client = self.pool.get().await?;
        let count: i64 = client
            .query_one("SELECT count(*) FROM used_nonces", &[])
            .await?
            .get(0);
        Ok(u64::try_from(count).unwrap_or(0))
    }
}
