//! Single-use nonces kept in memory, for a hub on SQLite (one process by nature). A nonce
//! only has to outlive the request it was fetched for, so it is not worth an fsync: keeping
//! them in the database cost two synchronous commits per signed request, under the one
//! write lock every ingest needs. A restart forgets them; a device then fetches a new one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use skillpack_core::hex;

use super::SqliteHub;
use crate::error::HubError;
use crate::storage::rows::new_nonce;
#[cfg(test)]
use crate::storage::rows::MAX_OUTSTANDING;

/// Outstanding nonces and when each expires, at most `bound` of them (about 80 bytes each).
#[derive(Debug)]
pub(super) struct NonceBook {
    inner: Mutex<Book>,
    bound: usize,
}

#[derive(Debug, Default)]
struct Book {
    expiry: HashMap<[u8; 16], Instant>,
    /// Expired entries are swept when the book reaches this size (amortised over issues).
    sweep_at: usize,
}

impl SqliteHub {
    /// A new single-use nonce valid for `ttl`: in memory, so not on the blocking pool.
    pub(crate) async fn issue_nonce(&self, ttl: Duration) -> Result<String, HubError> {
        self.inner.nonces.issue(ttl)
    }

    /// Uses up a nonce; false if it was never issued, already used or expired.
    pub(crate) async fn consume_nonce(&self, nonce: String) -> Result<bool, HubError> {
        Ok(self.inner.nonces.consume(&nonce))
    }
}

impl NonceBook {
    /// An empty book that holds at most `bound` nonces.
    pub(super) fn new(bound: usize) -> Self {
        Self {
            inner: Mutex::default(),
            bound,
        }
    }

    /// A new single-use nonce valid for `ttl`, as 32 hex digits.
    pub(super) fn issue(&self, ttl: Duration) -> Result<String, HubError> {
        let bytes = new_nonce()?;
        let now = Instant::now();
        let mut book = self.lock();
        if book.expiry.len() >= book.sweep_at {
            book.expiry.retain(|_, expires| *expires >= now);
            book.sweep_at = (book.expiry.len() * 2).clamp(1024.min(self.bound), self.bound);
        }
        if book.expiry.len() >= self.bound {
            return Err(HubError::Busy("too many nonces outstanding".into()));
        }
        book.expiry.insert(bytes, now + ttl);
        Ok(hex::encode(&bytes))
    }

    /// Uses up a nonce; false if it was never issued, already used or expired.
    pub(super) fn consume(&self, nonce: &str) -> bool {
        let Some(bytes) = hex::decode::<16>(nonce) else {
            return false;
        };
        self.lock()
            .expiry
            .remove(&bytes)
            .is_some_and(|expires| expires >= Instant::now())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Book> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nonce_works_once_and_only_until_it_expires() {
        let book = NonceBook::new(MAX_OUTSTANDING);
        let nonce = book.issue(Duration::from_secs(60)).expect("issues");
        assert_eq!(nonce.len(), 32);
        assert!(book.consume(&nonce));
        assert!(!book.consume(&nonce), "single use");
        assert!(
            !book.consume("00112233445566778899aabbccddeeff"),
            "never issued"
        );
        assert!(!book.consume("not hex"));
        let short = book.issue(Duration::ZERO).expect("issues");
        std::thread::sleep(Duration::from_millis(2));
        assert!(!book.consume(&short), "expired");
    }

    #[test]
    fn expired_nonces_are_swept_and_the_book_is_bounded() {
        let book = NonceBook::new(MAX_OUTSTANDING);
        for _ in 0..5000 {
            book.issue(Duration::ZERO).expect("issues");
        }
        std::thread::sleep(Duration::from_millis(2));
        book.issue(Duration::from_secs(60)).expect("issues");
        assert!(
            book.lock().expiry.len() < 2100,
            "expired ones swept as it grew"
        );
        for _ in 0..MAX_OUTSTANDING {
            if book.issue(Duration::from_secs(60)).is_err() {
                break;
            }
        }
        assert!(matches!(
            book.issue(Duration::from_secs(60)),
            Err(HubError::Busy(_))
        ));
        assert_eq!(book.lock().expiry.len(), MAX_OUTSTANDING);
    }
}
