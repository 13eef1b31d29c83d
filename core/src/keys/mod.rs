//! Ed25519 keys: publishers sign packs with them (and, later, devices sign results and
//! assessors sign attestations). This module owns their text encodings (multibase
//! `did:key`, the same form credentials use) and the short fingerprint people compare.
//! It does no I/O except [`SecretKey::generate`], which reads the OS random source;
//! key files are in [`file`].

pub mod backup;
mod error;
pub mod file;

use std::fmt;

use ed25519_dalek::Signer;
use sha2::{Digest, Sha256};

pub use error::KeyError;

/// Multicodec prefix of an Ed25519 public key (`ed25519-pub`, 0xed, as a varint).
const ED25519_PUB_CODEC: [u8; 2] = [0xed, 0x01];
/// Multicodec prefix of an Ed25519 private key seed (`ed25519-priv`, 0x1300, as a varint).
const ED25519_PRIV_CODEC: [u8; 2] = [0x80, 0x26];
/// The `did:key` method prefix.
const DID_KEY_PREFIX: &str = "did:key:";

/// A 64-byte Ed25519 signature.
pub type SignatureBytes = [u8; 64];

/// An Ed25519 public key: a publisher, a device or an assessor.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(ed25519_dalek::VerifyingKey);

impl PublicKey {
    /// Reads a raw 32-byte public key; refuses points that are not valid keys.
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        ed25519_dalek::VerifyingKey::from_bytes(bytes)
            .map(Self)
            .map_err(|_| KeyError::InvalidPublicKey)
    }

    /// The raw 32 bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The short fingerprint people read aloud or compare on screen.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::of(&self.to_bytes())
    }

    /// The multibase form (`z6Mk…`), as in a Multikey `publicKeyMultibase`.
    pub fn to_multibase(&self) -> String {
        multibase_encode(ED25519_PUB_CODEC, &self.to_bytes())
    }

    /// The `did:key` identifier of this key.
    pub fn to_did_key(&self) -> String {
        format!("{DID_KEY_PREFIX}{}", self.to_multibase())
    }

    /// This key as a `did:key` verification method (`did:key:z6Mk…#z6Mk…`): how a Data
    /// Integrity proof names the key that made it.
    pub fn to_verification_method(&self) -> String {
        format!("{}#{}", self.to_did_key(), self.to_multibase())
    }

    /// Parses a `did:key:z6Mk…` or a bare `z6Mk…` multibase key.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let multibase = text.strip_prefix(DID_KEY_PREFIX).unwrap_or(text);
        let multibase = multibase.split('#').next().unwrap_or(multibase);
        let bytes = multibase_decode(ED25519_PUB_CODEC, multibase)?;
        Self::from_bytes(&bytes)
    }

    /// Checks `signature` over `message` (strict Ed25519: no malleable signatures).
    pub fn verify(&self, message: &[u8], signature: &SignatureBytes) -> Result<(), KeyError> {
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        self.0
            .verify_strict(message, &signature)
            .map_err(|_| KeyError::BadSignature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_did_key())
    }
}

/// An Ed25519 secret key. The key held inside is wiped from memory when it is dropped
/// (copies made to write it out, such as its multibase text, are the caller's to drop).
pub struct SecretKey(ed25519_dalek::SigningKey);

impl SecretKey {
    /// Makes a new key from the operating system's random source.
    pub fn generate() -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(Self::from_seed(&seed))
    }

    /// Makes the key for a 32-byte seed (deterministic: tests and vectors use it).
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self(ed25519_dalek::SigningKey::from_bytes(seed))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.verifying_key())
    }

    /// Signs `message`.
    pub fn sign(&self, message: &[u8]) -> SignatureBytes {
        self.0.sign(message).to_bytes()
    }

    /// The multibase form (`z3u2…`), as in a Multikey `secretKeyMultibase`.
    pub fn to_multibase(&self) -> String {
        multibase_encode(ED25519_PRIV_CODEC, self.0.as_bytes())
    }

    /// The 32-byte seed, for a platform key store that keeps it (a copy: the caller drops it).
    pub fn to_seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// Parses the multibase form written by [`SecretKey::to_multibase`].
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let seed = multibase_decode(ED25519_PRIV_CODEC, text.trim())?;
        Ok(Self::from_seed(&seed))
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretKey(public {})", self.public_key().fingerprint())
    }
}

/// A short, human-comparable digest of a public key: the first 12 bytes of its SHA-256,
/// written as six groups of four hex digits (`3f2a-91bc-04de-77a1-c0ff-ee12`).
///
/// 96 bits is far beyond what anyone can brute-force to imitate a given key, and short
/// enough for a learner to compare with what a trainer reads out.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 12]);

impl Fingerprint {
    fn of(public_key: &[u8; 32]) -> Self {
        let digest = Sha256::digest(public_key);
        let mut out = [0u8; 12];
        out.copy_from_slice(&digest[..12]);
        Self(out)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, pair) in self.0.chunks(2).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            write!(f, "{:02x}{:02x}", pair[0], pair[1])?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

fn multibase_encode(codec: [u8; 2], key: &[u8; 32]) -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&codec);
    bytes.extend_from_slice(key);
    format!("z{}", bs58::encode(bytes).into_string())
}

fn multibase_decode(codec: [u8; 2], text: &str) -> Result<[u8; 32], KeyError> {
    // A 34-byte value is at most 47 base58 characters; refuse anything much longer before
    // decoding (the 64 allows for surrounding slack, never for a larger key).
    let body = text
        .strip_prefix('z')
        .filter(|b| b.len() <= 64)
        .ok_or_else(|| KeyError::Malformed("expected a base58btc multibase key (z…)".into()))?;
    let bytes = bs58::decode(body)
        .into_vec()
        .map_err(|e| KeyError::Malformed(e.to_string()))?;
    let key = bytes
        .strip_prefix(&codec)
        .ok_or_else(|| KeyError::Malformed("not an Ed25519 key of the expected kind".into()))?;
    key.try_into()
        .map_err(|_| KeyError::Malformed(format!("key is {} bytes, expected 32", key.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    // From the W3C vc-di-eddsa test vectors (shared/vectors/eddsa-jcs-2022/keyPair.json).
    const VECTOR_PUBLIC: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    const VECTOR_SECRET: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";

    #[test]
    fn multibase_keys_match_the_w3c_vector() {
        let secret = SecretKey::parse(VECTOR_SECRET).expect("vector secret parses");
        assert_eq!(secret.public_key().to_multibase(), VECTOR_PUBLIC);
        assert_eq!(secret.to_multibase(), VECTOR_SECRET);
        let public = PublicKey::parse(&format!("did:key:{VECTOR_PUBLIC}")).expect("did parses");
        assert_eq!(public, secret.public_key());
    }

    #[test]
    fn signatures_verify_only_for_their_message_and_key() {
        let a = SecretKey::from_seed(&[1; 32]);
        let b = SecretKey::from_seed(&[2; 32]);
        let sig = a.sign(b"hello");
        assert!(a.public_key().verify(b"hello", &sig).is_ok());
        assert!(a.public_key().verify(b"hellO", &sig).is_err());
        assert!(b.public_key().verify(b"hello", &sig).is_err());
    }

    #[test]
    fn fingerprint_has_six_groups() {
        let fp = SecretKey::from_seed(&[7; 32])
            .public_key()
            .fingerprint()
            .to_string();
        assert_eq!(fp.len(), 29);
        assert_eq!(fp.split('-').count(), 6);
    }

    #[test]
    fn malformed_keys_are_errors() {
        for bad in [
            "",
            "z",
            "did:key:",
            "abc",
            "z6Mk",
            &"z".repeat(500),
            VECTOR_SECRET,
        ] {
            assert!(PublicKey::parse(bad).is_err(), "{bad:?} should not parse");
        }
        assert!(SecretKey::parse(VECTOR_PUBLIC).is_err());
    }
}
