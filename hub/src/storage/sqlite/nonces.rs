//! Used nonces and the nonce secret on SQLite, both in memory: a hub on SQLite is one process,
//! so nothing needs sharing, and writing a nonce would cost a synchronous commit per signed
//! request under the one write lock every ingest needs. The secret is drawn anew at each
//! start, so a restart, which forgets the used nonces, also voids every nonce issued before
//! it: nothing can be replayed across a restart (a device gets `bad_nonce` and fetches anew).

use std::collections::HashMap;
use std::sync::Mutex;

use super::SqliteHub;
use crate::error::HubError;
use crate::nonce::{GoodNonce, RANDOM_LEN};

/// Nonces used by verified requests, until each expires (about 60 bytes each). Only signed
/// requests that verified add to it, each at most once per nonce, and each entry leaves when
/// its nonce expires, so its size follows the rate of signed requests, not of strangers.
#[derive(Debug, Default)]
pub(super) struct UsedNonces {
    inner: Mutex<Used>,
}

#[derive(Debug, Default)]
struct Used {
    expiry: HashMap<[u8; RANDOM_LEN], i64>,
    /// Expired entries are swept when the map reaches this size (amortised over uses).
    sweep_at: usize,
}

impl SqliteHub {
    /// This process's nonce secret, drawn at open.
    pub(crate) async fn nonce_secret(&self) -> Result<[u8; 32], HubError> {
        Ok(self.inner.nonce_secret)
    }

    /// Remembers a checked nonce as used; false if it was used already.
    pub(crate) async fn remember_nonce(
        &self,
        nonce: GoodNonce,
        now_ms: i64,
    ) -> Result<bool, HubError> {
        Ok(self.inner.used_nonces.remember(nonce, now_ms))
    }

    /// How many used nonces are remembered (expired ones may linger until the next sweep).
    pub(crate) async fn stored_nonces(&self) -> Result<u64, HubError> {
        Ok(self.inner.used_nonces.len())
    }
}

impl UsedNonces {
    fn remember(&self, nonce: GoodNonce, now_ms: i64) -> bool {
        let mut used = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if used.expiry.len() >= used.sweep_at {
            used.expiry.retain(|_, expires| *expires >= now_ms);
            used.sweep_at = (used.expiry.len() * 2).max(1024);
        }
        used.expiry.insert(nonce.id, nonce.expires_at_ms).is_none()
    }

    fn len(&self) -> u64 {
        let used = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        u64::try_from(used.expiry.len()).unwrap_or(u64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(i: u32) -> [u8; RANDOM_LEN] {
        let mut id = [0u8; RANDOM_LEN];
        id[..4].copy_from_slice(&i.to_be_bytes());
        id
    }

    #[test]
    fn a_nonce_is_remembered_once_and_expired_ones_are_swept_as_others_are_used() {
        let used = UsedNonces::default();
        for i in 0..3000 {
            assert!(used.remember(
                GoodNonce {
                    id: id(i),
                    expires_at_ms: 10
                },
                0
            ));
        }
        assert!(
            !used.remember(
                GoodNonce {
                    id: id(0),
                    expires_at_ms: 10
                },
                0
            ),
            "used"
        );
        for i in 3000..4200 {
            assert!(used.remember(
                GoodNonce {
                    id: id(i),
                    expires_at_ms: 100
                },
                50
            ));
        }
        assert_eq!(used.len(), 1200, "the 3000 expired ones were swept");
    }
}
