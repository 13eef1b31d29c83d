//! Single-use nonces on PostgreSQL: in an unlogged table every hub instance shares (a nonce
//! one instance issued may come back to another), bounded like SQLite's in-memory book:
//! past `MAX_OUTSTANDING` live nonces the hub answers "busy".

use std::time::Duration;

use skillpack_core::hex;

use super::PgHub;
use crate::error::HubError;
use crate::storage::rows::new_nonce;

impl PgHub {
    pub(crate) async fn issue_nonce(&self, ttl: Duration) -> Result<String, HubError> {
        let nonce = hex::encode(&new_nonce()?);
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let bound = i64::try_from(self.max_nonces).unwrap_or(i64::MAX);
        let client = self.pool.get().await?;
        client
            .execute(
                "DELETE FROM nonces WHERE expires_at < clock_timestamp()",
                &[],
            )
            .await?;
        let issued = client
            .execute(
                "INSERT INTO nonces (nonce, expires_at)
                 SELECT $1, clock_timestamp() + $2::bigint * interval '1 millisecond'
                 WHERE (SELECT count(*) FROM nonces) < $3",
                &[&nonce, &ttl_ms, &bound],
            )
            .await?;
        if issued == 0 {
            return Err(HubError::Busy("too many nonces outstanding".into()));
        }
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
