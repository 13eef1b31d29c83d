//! Used nonces and the nonce secret on SQLite, both in memory: a hub on SQLite is one process,
//! so nothing needs sharing, and writing a nonce would cost a synchronous commit per signed
//! request under the one write lock every ingest needs. The secret is drawn anew at each
//! start, so a restart, which forgets the used nonces, also voids every nonce issued before
//! it: nothing can be replayed across a restart (a device gets `bad_nonce` and fetches anew).

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use super::SqliteHub;
use crate::error::HubError;
use crate::nonce::{GoodNonce, RANDOM_LEN};

/// Nonces used by verified requests, until each expires (about 80 bytes each). Only signed
/// requests that verified add to it, each at most once per nonce, and each entry leaves when
/// its nonce expires, so its size follows the rate of signed requests, not of strangers; and
/// it never holds more than [`MAX_USED_NONCES`]: past it, the entries that expire soonest
/// leave first. (Anyone may sign a registration with a key of their own, so enough addresses
/// at their full rate could otherwise grow it without bound. Forgetting a nonce early lets a
/// request be replayed only by whoever saw it on the wire, which TLS prevents.)
#[derive(Debug)]
pub(super) struct UsedNonces {
    inner: Mutex<Used>,
    max: usize,
}

/// Most used nonces remembered: about 80 MB, five minutes of 3,300 signed requests a second.
pub(super) const MAX_USED_NONCES: usize = 1_000_000;

impl Default for UsedNonces {
    fn default() -> Self {
        Self::with_max(MAX_USED_NONCES)
    }
}

#[derive(Debug, Default)]
struct Used {
    expiry: HashMap<[u8; RANDOM_LEN], i64>,
    /// The same nonces in the order they were used, which is close to the order they expire
    /// (each expires a fixed time after it was issued).
    order: VecDeque<(i64, [u8; RANDOM_LEN])>,
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
        forget_before_ms: i64,
    ) -> Result<bool, HubError> {
        Ok(self.inner.used_nonces.remember(nonce, forget_before_ms))
    }

    /// How many used nonces are remembered (expired ones may linger until the next sweep).
    pub(crate) async fn stored_nonces(&self) -> Result<u64, HubError> {
        Ok(self.inner.used_nonces.len())
    }
}

impl UsedNonces {
    fn with_max(max: usize) -> Self {
        Self {
            inner: Mutex::default(),
            max: max.max(1),
        }
    }

    fn remember(&self, nonce: GoodNonce, now_ms: i64) -> bool {
        let mut used = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let max = self.max;
        let Used { expiry, order } = &mut *used;
        // Those expired at the front leave; past the bound, the front leaves whatever it is.
        while let Some(&(expires, id)) = order.front() {
            if expires >= now_ms && expiry.len() < max {
                break;
            }
            order.pop_front();
            expiry.remove(&id);
        }
        if expiry.contains_key(&nonce.id) {
            return false;
        }
        expiry.insert(nonce.id, nonce.expires_at_ms);
        order.push_back((nonce.expires_at_ms, nonce.id));
        true
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

    #[test]
    fn past_the_bound_the_nonces_that_expire_soonest_are_forgotten_first() {
        let used = UsedNonces::with_max(100);
        for i in 0..250 {
            let nonce = GoodNonce {
                id: id(i),
                expires_at_ms: 1_000 + i64::from(i),
            };
            assert!(used.remember(nonce, 0));
        }
        assert_eq!(used.len(), 100);
        let newest = GoodNonce {
            id: id(249),
            expires_at_ms: 1_249,
        };
        assert!(!used.remember(newest, 0), "a recent one is still known");
    }
}
