//! Nonces the hub checks without keeping them: a nonce is `expiry || random || MAC(secret,
//! expiry || random)`, so issuing one writes nothing and a stranger asking for millions fills
//! nothing. Checking it needs only the secret and the hub's own clock (never the device's).
//! Storage remembers a nonce only once a request signed over it verified, until it expires,
//! so a replay is refused. No I/O here: the clock and the random bytes are arguments.

use hmac::{KeyInit, Mac};
use skillpack_core::hex;

/// HMAC-SHA-256, the MAC over a nonce's expiry and random part.
type NonceMac = hmac::Hmac<hmac_sha2::Sha256>;

/// Bytes of the expiry: milliseconds since the Unix epoch, big-endian, by the hub's clock.
const EXPIRY_LEN: usize = 8;
/// Bytes of the random part: what storage remembers once the nonce is used.
pub const RANDOM_LEN: usize = 16;
/// Bytes of the MAC kept (the left half of HMAC-SHA-256, as RFC 2104 allows).
const MAC_LEN: usize = 16;
/// Bytes of a whole nonce (sent as twice as many hex digits).
pub const NONCE_LEN: usize = EXPIRY_LEN + RANDOM_LEN + MAC_LEN;

/// The hub's secret for nonces: 32 random bytes, shared by every instance of one hub.
#[derive(Clone)]
pub struct NonceKey([u8; 32]);

impl std::fmt::Debug for NonceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NonceKey(..)")
    }
}

/// A nonce whose MAC and expiry checked out; it may still have been used already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoodNonce {
    /// The random part, which names the nonce in storage.
    pub id: [u8; RANDOM_LEN],
    /// When it expires, in milliseconds since the Unix epoch by the hub's clock.
    pub expires_at_ms: i64,
}

/// Why a nonce is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NonceRefusal {
    /// Not hex of the right length.
    #[error("the nonce is not one of this hub's (wrong form)")]
    Malformed,
    /// The MAC does not match: not issued by this hub.
    #[error("the nonce was not issued by this hub")]
    Forged,
    /// Past its expiry by the hub's clock.
    #[error("the nonce expired")]
    Expired,
    /// A request signed over it was already taken.
    #[error("the nonce was already used")]
    Used,
}

impl NonceKey {
    /// A key from its 32 bytes (as storage keeps them).
    pub fn from_bytes(secret: [u8; 32]) -> Self {
        Self(secret)
    }

    fn mac(&self) -> NonceMac {
        // HMAC takes a key of any length, so this never fails.
        <NonceMac as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
    }

    /// A nonce that expires at `expires_at_ms` (hub clock), made from `random`.
    pub fn issue(&self, expires_at_ms: i64, random: [u8; RANDOM_LEN]) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        nonce[..EXPIRY_LEN].copy_from_slice(&expires_at_ms.to_be_bytes());
        nonce[EXPIRY_LEN..EXPIRY_LEN + RANDOM_LEN].copy_from_slice(&random);
        let mut mac = self.mac();
        mac.update(&nonce[..EXPIRY_LEN + RANDOM_LEN]);
        let tag = mac.finalize().into_bytes();
        nonce[EXPIRY_LEN + RANDOM_LEN..].copy_from_slice(&tag[..MAC_LEN]);
        hex::encode(&nonce)
    }

    /// Checks a nonce's form, MAC (in constant time) and expiry against `now_ms` (hub clock).
    /// Whether it was used already is storage's question.
    pub fn check(&self, nonce: &str, now_ms: i64) -> Result<GoodNonce, NonceRefusal> {
        let bytes = hex::decode::<NONCE_LEN>(nonce).ok_or(NonceRefusal::Malformed)?;
        let (signed, tag) = bytes.split_at(EXPIRY_LEN + RANDOM_LEN);
        let mut mac = self.mac();
        mac.update(signed);
        mac.verify_truncated_left(tag)
            .map_err(|_| NonceRefusal::Forged)?;
        let (expiry, random) = signed.split_at(EXPIRY_LEN);
        let expires_at_ms =
            i64::from_be_bytes(expiry.try_into().map_err(|_| NonceRefusal::Malformed)?);
        if expires_at_ms < now_ms {
            return Err(NonceRefusal::Expired);
        }
        Ok(GoodNonce {
            id: random.try_into().map_err(|_| NonceRefusal::Malformed)?,
            expires_at_ms,
        })
    }
}

/// Now by the hub's clock, in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000_000;

    #[test]
    fn a_nonce_checks_until_it_expires_by_the_hubs_clock() {
        let key = NonceKey::from_bytes([7; 32]);
        let nonce = key.issue(NOW + 300_000, [1; RANDOM_LEN]);
        assert_eq!(nonce.len(), 2 * NONCE_LEN);
        let good = key.check(&nonce, NOW).expect("fresh");
        assert_eq!(
            (good.id, good.expires_at_ms),
            ([1; RANDOM_LEN], NOW + 300_000)
        );
        assert!(
            key.check(&nonce, NOW + 300_000).is_ok(),
            "valid to the last ms"
        );
        assert_eq!(key.check(&nonce, NOW + 300_001), Err(NonceRefusal::Expired));
    }

    #[test]
    fn a_nonce_of_another_key_or_changed_in_any_byte_is_forged() {
        let key = NonceKey::from_bytes([7; 32]);
        let other = NonceKey::from_bytes([8; 32]);
        let nonce = key.issue(NOW + 1000, [1; RANDOM_LEN]);
        assert_eq!(other.check(&nonce, NOW), Err(NonceRefusal::Forged));
        let mut bytes = hex::decode::<NONCE_LEN>(&nonce).expect("hex");
        for i in 0..NONCE_LEN {
            bytes[i] ^= 1;
            let changed = hex::encode(&bytes);
            assert_eq!(
                key.check(&changed, NOW),
                Err(NonceRefusal::Forged),
                "byte {i}"
            );
            bytes[i] ^= 1;
        }
        // A later expiry cannot be written in without the key.
        bytes[..EXPIRY_LEN].copy_from_slice(&i64::MAX.to_be_bytes());
        assert_eq!(
            key.check(&hex::encode(&bytes), NOW),
            Err(NonceRefusal::Forged)
        );
        for bad in [
            "",
            "not hex",
            &nonce[2..],
            "00112233445566778899aabbccddeeff",
        ] {
            assert_eq!(key.check(bad, NOW), Err(NonceRefusal::Malformed), "{bad}");
        }
    }
}
