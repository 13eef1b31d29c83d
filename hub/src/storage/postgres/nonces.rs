//! Single-use nonces on PostgreSQL: in an unlogged table every hub instance shares (a nonce
//! one instance issued may come back to another), bounded like SQLite's in-memory book:
//! past `MAX_OUTSTANDING` live nonces the hub answers "busy". Sweeping and counting scan the
//! table, so they are amortised (see [`NonceCheck`]): measured on the ingest bench, counting
//! on every issue cost 10-15% of the records per second (2026-11-24, 2 cores).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use skillpack_core::hex;

use super::PgHub;
use crate::error::HubError;
use crate::storage::rows::new_nonce;

impl PgHub {
    pub(crate) async fn issue_nonce(&self, ttl: Duration) -> Result<String, HubError> {
        let nonce = hex::encode(&new_nonce()?);
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let client = self.pool.get().await?;
        if self.nonces.due() {
            client
                .execute(
                    "DELETE FROM nonces WHERE expires_at < clock_timestamp()",
                    &[],
                )
                .await?;
            let outstanding: i64 = client
                .query_one("SELECT count(*) FROM nonces", &[])
                .await?
                .get(0);
            let outstanding = usize::try_from(outstanding).unwrap_or(usize::MAX);
            if !self.nonces.counted(outstanding, self.max_nonces) {
                return Err(HubError::Busy("too many nonces outstanding".into()));
            }
        }
        client
            .execute(
                "INSERT INTO nonces (nonce, expires_at)
                 VALUES ($1, clock_timestamp() + $2::bigint * interval '1 millisecond')",
                &[&nonce, &ttl_ms],
            )
            .await?;
        Ok(nonce)
    }

    pub(crate) async fn consume_nonce(&self, nonce: String) -> Result<bool, HubError> {
        let client = self.pool.get().await?;
        let used = client
            .execute(
                "DELETE FROM nonces WHERE nonce = $1 AND expires_at >= clock_timestamp()",
                &[&nonce],
            )
            .await?;
        Ok(used == 1)
    }
}

/// When an instance sweeps expired nonces and counts the rest: on every [`Self::EVERY`]th
/// issue, and on every issue once the table is within that many of the bound, so one
/// instance never passes the bound (several sharing a database may pass it by less than
/// `EVERY` each: the bound protects memory, it is not a quota).
#[derive(Debug, Default)]
pub(super) struct NonceCheck {
    issued: AtomicUsize,
    near_full: AtomicBool,
}

impl NonceCheck {
    /// Issues between two sweeps while the table is far from full.
    const EVERY: usize = 64;

    /// True when this issue should sweep and count first.
    fn due(&self) -> bool {
        self.issued.fetch_add(1, Ordering::Relaxed) % Self::EVERY == 0
            || self.near_full.load(Ordering::Relaxed)
    }

    /// Records a count of `outstanding` live nonces; false when no more may be issued.
    fn counted(&self, outstanding: usize, bound: usize) -> bool {
        self.near_full.store(
            outstanding.saturating_add(Self::EVERY) >= bound,
            Ordering::Relaxed,
        );
        outstanding < bound
    }
}
