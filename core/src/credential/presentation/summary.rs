//! A presentation's summary for one QR code: what a worker's phone shows a client's phone
//! across a table, while the full presentation (too large for a code) follows by file or
//! nearby transfer. It holds the holder's key, the client's challenge and domain, when it was
//! signed, and each chosen credential's id and the SHA-256 of its canonical JSON (RFC 8785),
//! signed by the holder's key; the client checks the signature and the challenge at once,
//! then that the presentation that follows carries exactly those credentials.
//!
//! The bytes: `1` (the format), the holder's 32-byte Ed25519 key, the challenge and the domain
//! (each a length byte and UTF-8), the signing time (8 bytes, seconds since 1970, big-endian),
//! the number of credentials, then each credential's id (`0` and a length byte and UTF-8, or
//! `1` and the 16 bytes of a `urn:uuid:` id) and its 32-byte digest; then the 64-byte
//! signature over [`SIGNED_PREFIX`] and everything before it. Written in base45 (QR's
//! alphanumeric set) behind [`PREFIX`].

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::credentials::MAX_PRESENTED;
use super::PresentationError;
use crate::credential::qr::{base45_decode, base45_encode};
use crate::credential::CredentialError;
use crate::hash::ContentHash;
use crate::keys::{PublicKey, SecretKey};

/// The format byte a summary's bytes begin with.
const FORMAT: u8 = 1;
/// What a summary's QR text starts with.
pub const PREFIX: &str = "SPS1:";
/// What the holder's signature covers before the summary's bytes: no other message of ours
/// can be taken for a summary.
pub const SIGNED_PREFIX: &[u8] = b"skillpack presentation summary 1\n";
/// Most bytes of a challenge or a domain in a summary.
pub const MAX_FIELD_BYTES: usize = 128;
/// Longest summary text read: eight credentials with long ids.
pub const MAX_SUMMARY_TEXT: usize = 4096;

/// What a summary says, once its signature checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentationSummary {
    /// The holder's key (their `did:key`).
    pub holder: PublicKey,
    /// The client's challenge.
    pub challenge: String,
    /// The client's domain, if any.
    pub domain: Option<String>,
    /// When the holder signed it, by their clock.
    pub created: DateTime<Utc>,
    /// Each credential's id and the SHA-256 of its canonical JSON.
    pub credentials: Vec<(String, [u8; 32])>,
}

/// The SHA-256 of a credential's canonical JSON (RFC 8785).
pub fn canonical_digest(credential: &Value) -> Result<[u8; 32], CredentialError> {
    let canonical = crate::canonical::to_canonical_json(credential)
        .map_err(|e| CredentialError::Malformed(e.to_string()))?;
    Ok(ContentHash::of(&canonical).0)
}

fn bad(why: &str) -> PresentationError {
    PresentationError::Malformed(format!("the summary {why}"))
}

fn push_text(bytes: &mut Vec<u8>, text: &str) -> Result<(), PresentationError> {
    let len = u8::try_from(text.len())
        .ok()
        .filter(|&n| usize::from(n) <= MAX_FIELD_BYTES)
        .ok_or_else(|| bad(&format!("field is longer than {MAX_FIELD_BYTES} bytes")))?;
    bytes.push(len);
    bytes.extend_from_slice(text.as_bytes());
    Ok(())
}

/// The summary of a presentation by `holder` of `credentials` (as received) over
/// `challenge` and `domain`, signed at `created`, as QR text.
pub fn summarise(
    holder: &SecretKey,
    credentials: &[Value],
    challenge: &str,
    domain: Option<&str>,
    created: DateTime<Utc>,
) -> Result<String, PresentationError> {
    if credentials.is_empty() || credentials.len() > MAX_PRESENTED {
        return Err(bad(&format!("names 1 to {MAX_PRESENTED} credentials")));
    }
    let mut bytes = vec![FORMAT];
    bytes.extend_from_slice(&holder.public_key().to_bytes());
    push_text(&mut bytes, challenge)?;
    push_text(&mut bytes, domain.unwrap_or(""))?;
    bytes.extend_from_slice(&created.timestamp().to_be_bytes());
    bytes.push(credentials.len() as u8);
    for credential in credentials {
        let id = credential
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("names a credential without an id"))?;
        match id
            .strip_prefix("urn:uuid:")
            .and_then(|u| uuid::Uuid::parse_str(u).ok())
            .filter(|u| format!("urn:uuid:{u}") == id)
        {
            Some(uuid) => {
                bytes.push(1);
                bytes.extend_from_slice(uuid.as_bytes());
            }
            None => {
                bytes.push(0);
                push_text(&mut bytes, id)?;
            }
        }
        bytes.extend_from_slice(&canonical_digest(credential)?);
    }
    let mut signed = SIGNED_PREFIX.to_vec();
    signed.extend_from_slice(&bytes);
    bytes.extend_from_slice(&holder.sign(&signed));
    Ok(format!("{PREFIX}{}", base45_encode(&bytes)))
}

/// A reader over a summary's bytes that says what is missing.
struct Bytes<'a>(&'a [u8]);

impl<'a> Bytes<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PresentationError> {
        if self.0.len() < n {
            return Err(bad("is cut short"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, PresentationError> {
        Ok(self.take(1)?[0])
    }

    fn text(&mut self) -> Result<String, PresentationError> {
        let len = usize::from(self.byte()?);
        if len > MAX_FIELD_BYTES {
            return Err(bad(&format!(
                "field is longer than {MAX_FIELD_BYTES} bytes"
            )));
        }
        String::from_utf8(self.take(len)?.to_vec()).map_err(|_| bad("holds text that is not UTF-8"))
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PresentationError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
}

/// Reads and checks a summary's QR text: its form, bounds and the holder's signature.
pub fn read_summary(text: &str) -> Result<PresentationSummary, PresentationError> {
    let text = text.trim();
    if text.len() > MAX_SUMMARY_TEXT {
        return Err(bad(&format!(
            "is longer than {MAX_SUMMARY_TEXT} characters"
        )));
    }
    let body = text
        .strip_prefix(PREFIX)
        .ok_or_else(|| bad(&format!("does not start with {PREFIX}")))?;
    let all = base45_decode(body)?;
    if all.len() < 64 {
        return Err(bad("is cut short"));
    }
    let (signed_part, signature) = all.split_at(all.len() - 64);
    let mut reader = Bytes(signed_part);
    if reader.byte()? != FORMAT {
        return Err(bad("is of a format this app does not read"));
    }
    let holder = PublicKey::from_bytes(&reader.array::<32>()?)
        .map_err(|_| bad("names no valid holder key"))?;
    let challenge = reader.text()?;
    let domain = Some(reader.text()?).filter(|d| !d.is_empty());
    let seconds = i64::from_be_bytes(reader.array::<8>()?);
    let created = DateTime::from_timestamp(seconds, 0).ok_or_else(|| bad("has no valid date"))?;
    let count = usize::from(reader.byte()?);
    if count == 0 || count > MAX_PRESENTED {
        return Err(bad(&format!("names 1 to {MAX_PRESENTED} credentials")));
    }
    let mut credentials = Vec::with_capacity(count);
    for _ in 0..count {
        let id = match reader.byte()? {
            1 => format!("urn:uuid:{}", uuid::Uuid::from_bytes(reader.array::<16>()?)),
            0 => reader.text()?,
            _ => return Err(bad("names a credential in a form this app does not read")),
        };
        credentials.push((id, reader.array::<32>()?));
    }
    if !reader.0.is_empty() {
        return Err(bad("has bytes after its last credential"));
    }
    let mut message = SIGNED_PREFIX.to_vec();
    message.extend_from_slice(signed_part);
    let signature: [u8; 64] = signature.try_into().map_err(|_| bad("has no signature"))?;
    holder
        .verify(&message, &signature)
        .map_err(|_| PresentationError::BadSignature)?;
    Ok(PresentationSummary {
        holder,
        challenge,
        domain,
        created,
        credentials,
    })
}

impl PresentationSummary {
    /// Whether `presentation` (checked on its own already) is the one this summary announced:
    /// the same holder, challenge and domain, and exactly the credentials named, by id and
    /// digest, in the same order.
    pub fn matches(&self, presentation: &Value) -> Result<(), PresentationError> {
        let differs = |what: &str| bad(&format!("and the presentation differ: {what}"));
        if presentation.get("holder").and_then(Value::as_str)
            != Some(self.holder.to_did_key().as_str())
        {
            return Err(differs("another holder"));
        }
        let proof = presentation
            .get("proof")
            .map(|p| p.get(0).unwrap_or(p))
            .ok_or_else(|| differs("no proof"))?;
        if proof.get("challenge").and_then(Value::as_str) != Some(self.challenge.as_str()) {
            return Err(differs("another challenge"));
        }
        if proof.get("domain").and_then(Value::as_str) != self.domain.as_deref() {
            return Err(differs("another domain"));
        }
        let carried = super::carried_by(presentation)?;
        if carried.len() != self.credentials.len() {
            return Err(differs("another number of credentials"));
        }
        for (credential, (id, digest)) in carried.iter().zip(&self.credentials) {
            if credential.get("id").and_then(Value::as_str) != Some(id.as_str())
                || canonical_digest(credential)? != *digest
            {
                return Err(differs(&format!("the credential {id}")));
            }
        }
        Ok(())
    }
}
