//! A result record: what happened in one submitted attempt, signed by the device key and
//! chained to the record before it. Encoded as RFC 8785 canonical JSON, so the phone, the
//! hub and any other verifier hash and check exactly the same bytes.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::LedgerError;
use crate::assess::{Answer, Attestation};
use crate::canonical::{canonical_hash, signing_input};
use crate::hash::ContentHash;
use crate::hex;
use crate::keys::{PublicKey, SecretKey};

/// Domain separation for record signatures.
const CONTEXT: &[u8] = b"skillpack result record v1\0";

/// The pack an attempt was taken from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackRef {
    /// Pack id.
    pub id: String,
    /// Pack version.
    pub version: String,
    /// SHA-256 of the pack's signed part (header and stored manifest), which covers the
    /// whole pack: it names the exact bytes the learner studied.
    pub hash: ContentHash,
}

/// One question's response as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// The question id.
    pub question: String,
    /// The answer, if one was given.
    pub answer: Option<Answer>,
    /// Milli-points it earned.
    pub score: u32,
}

/// What a device states about one submitted attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultRecord {
    /// UUIDv7: unique, and sortable by creation time.
    pub id: String,
    /// 1 for the device's first record, then +1 for each.
    pub seq: u64,
    /// Hash of the previous signed record; `None` for the first.
    pub prev: Option<ContentHash>,
    /// The learner (`did:key`).
    pub learner: String,
    /// The device key that signs (`did:key`).
    pub device: String,
    /// The pack.
    pub pack: PackRef,
    /// The module id.
    pub module: String,
    /// The module version.
    pub module_version: String,
    /// Attempt number at this module (1 for the first).
    pub attempt: u32,
    /// Device time at the start (RFC 3339, milliseconds, UTC).
    pub started_at: String,
    /// Device time at submission.
    pub ended_at: String,
    /// Monotonic time the attempt took, in milliseconds: right even when the clock is not.
    pub duration_ms: u64,
    /// Milli-points earned.
    pub score: u32,
    /// Milli-points possible.
    pub max_score: u32,
    /// Whether it passed.
    pub passed: bool,
    /// Every question of the attempt, in the order shown.
    pub responses: Vec<Response>,
    /// Attestations that scored practical checklists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attestations: Vec<Attestation>,
    /// SHA-256 of the canonical JSON of `responses`.
    pub responses_digest: ContentHash,
}

/// A record and its device signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedRecord {
    /// The record.
    pub record: ResultRecord,
    /// Ed25519 signature over the record's canonical JSON, lowercase hex.
    pub signature: String,
}

/// A device time as records write it.
pub fn record_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The digest of a list of responses.
pub fn responses_digest(responses: &[Response]) -> Result<ContentHash, LedgerError> {
    canonical_hash(responses).map_err(|e| LedgerError::Encoding(e.to_string()))
}

/// A UUIDv7 from a Unix time in milliseconds and 10 random bytes (passed in: the ledger
/// does no I/O).
pub fn record_id(unix_ms: u64, random: [u8; 10]) -> String {
    uuid::Builder::from_unix_timestamp_millis(unix_ms, &random)
        .into_uuid()
        .to_string()
}

impl ResultRecord {
    /// The score in whole percent of the points, rounded down (so 69.9% never reads as a
    /// pass mark of 70); 0 when the attempt had no points to earn.
    pub fn percent(&self) -> u32 {
        (u64::from(self.score) * 100)
            .checked_div(u64::from(self.max_score))
            .map_or(0, |p| u32::try_from(p).unwrap_or(u32::MAX))
    }

    /// Signs the record with the device key.
    pub fn sign(self, device: &SecretKey) -> Result<SignedRecord, LedgerError> {
        let message =
            signing_input(CONTEXT, &self).map_err(|e| LedgerError::Encoding(e.to_string()))?;
        Ok(SignedRecord {
            signature: hex::encode(&device.sign(&message)),
            record: self,
        })
    }
}

impl SignedRecord {
    /// Checks the signature (under the record's own device key) and the responses digest.
    pub fn verify(&self) -> Result<(), LedgerError> {
        let seq = self.record.seq;
        let key =
            PublicKey::parse(&self.record.device).map_err(|_| LedgerError::BadDeviceKey { seq })?;
        if responses_digest(&self.record.responses)? != self.record.responses_digest {
            return Err(LedgerError::BadDigest { seq });
        }
        let signature =
            hex::decode::<64>(&self.signature).ok_or(LedgerError::BadSignature { seq })?;
        let message = signing_input(CONTEXT, &self.record)
            .map_err(|e| LedgerError::Encoding(e.to_string()))?;
        key.verify(&message, &signature)
            .map_err(|_| LedgerError::BadSignature { seq })
    }

    /// The exact bytes the device signed (context and canonical JSON of the record), for
    /// verifiers that check many signatures at once.
    pub fn signing_message(&self) -> Result<Vec<u8>, LedgerError> {
        signing_input(CONTEXT, &self.record).map_err(|e| LedgerError::Encoding(e.to_string()))
    }

    /// The hash the next record points at: SHA-256 of this signed record's canonical JSON.
    pub fn hash(&self) -> Result<ContentHash, LedgerError> {
        canonical_hash(self).map_err(|e| LedgerError::Encoding(e.to_string()))
    }

    /// The canonical JSON of the signed record (what is stored and sent).
    pub fn to_canonical_json(&self) -> Result<Vec<u8>, LedgerError> {
        crate::canonical::to_canonical_json(self).map_err(|e| LedgerError::Encoding(e.to_string()))
    }
}

/// What [`verify_many`] gives for a record that verifies; admission turns it into a
/// [`VerifiedRecord`](super::VerifiedRecord), the one form a holder stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    /// The canonical JSON of the signed record (what [`SignedRecord::to_canonical_json`]
    /// gives, made here from the bytes that were verified rather than encoded again).
    pub(crate) canonical: Vec<u8>,
    /// SHA-256 of `canonical`: the hash the next record points at.
    pub(crate) hash: ContentHash,
}

/// What one signature check needs: the signed message, the signature and the key.
type BatchItem = (
    Vec<u8>,
    ed25519_dalek::Signature,
    ed25519_dalek::VerifyingKey,
);

/// Verifies many records at once, as a hub does with a pushed batch: digests one by one,
/// then every signature in one Ed25519 batch verification (several times faster than one by
/// one); only if the batch fails are they checked one by one to name the bad ones. Each
/// device key is decoded once, and each record encoded once. One result per record, in
/// order.
pub(crate) fn verify_many(records: &[SignedRecord]) -> Vec<Result<Checked, LedgerError>> {
    let mut keys: Vec<(&str, Option<ed25519_dalek::VerifyingKey>)> = Vec::new();
    let prepared: Vec<Result<BatchItem, LedgerError>> = records
        .iter()
        .map(|signed| prepare_batch_item(signed, &mut keys))
        .collect();
    let ok: Vec<_> = prepared.iter().filter_map(|p| p.as_ref().ok()).collect();
    let messages: Vec<&[u8]> = ok.iter().map(|(m, _, _)| m.as_slice()).collect();
    let signatures: Vec<_> = ok.iter().map(|(_, s, _)| *s).collect();
    let batch_keys: Vec<_> = ok.iter().map(|(_, _, k)| *k).collect();
    let batch_ok = ed25519_dalek::verify_batch(&messages, &signatures, &batch_keys).is_ok();
    records
        .iter()
        .zip(prepared)
        .map(|(record, prepared)| {
            let (message, _, _) = prepared?;
            if !batch_ok {
                record.verify()?;
            }
            let canonical = signed_canonical(&message[CONTEXT.len()..], &record.signature);
            let hash = ContentHash(Sha256::digest(&canonical).into());
            Ok(Checked { canonical, hash })
        })
        .collect()
}

/// The canonical JSON of a signed record from its record's canonical JSON: the two members
/// `record` and `signature`, already in canonical order. A test holds it equal to encoding
/// the whole [`SignedRecord`].
fn signed_canonical(record: &[u8], signature: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(record.len() + signature.len() + 28);
    out.extend_from_slice(b"{\"record\":");
    out.extend_from_slice(record);
    out.extend_from_slice(b",\"signature\":");
    crate::canonical::write_string(&mut out, signature);
    out.push(b'}');
    out
}

fn prepare_batch_item<'a>(
    signed: &'a SignedRecord,
    keys: &mut Vec<(&'a str, Option<ed25519_dalek::VerifyingKey>)>,
) -> Result<BatchItem, LedgerError> {
    let seq = signed.record.seq;
    if responses_digest(&signed.record.responses)? != signed.record.responses_digest {
        return Err(LedgerError::BadDigest { seq });
    }
    let device = signed.record.device.as_str();
    let key = match keys.iter().find(|(d, _)| *d == device) {
        Some((_, key)) => *key,
        None => {
            let key = PublicKey::parse(device)
                .ok()
                .and_then(|k| ed25519_dalek::VerifyingKey::from_bytes(&k.to_bytes()).ok());
            keys.push((device, key));
            key
        }
    }
    .ok_or(LedgerError::BadDeviceKey { seq })?;
    let signature =
        hex::decode::<64>(&signed.signature).ok_or(LedgerError::BadSignature { seq })?;
    Ok((
        signed.signing_message()?,
        ed25519_dalek::Signature::from_bytes(&signature),
        key,
    ))
}

/// Checks a device's records in order: each verifies, the numbers run 1, 2, 3… without a
/// gap, every record points at the hash of the one before, and one device signed them all.
pub fn verify_chain(records: &[SignedRecord]) -> Result<(), LedgerError> {
    verify_chain_after(None, records)
}

/// Checks records that continue a chain from `anchor`, a record already checked (or from the
/// start when `None`): the same rules as [`verify_chain`], with the numbers running on from
/// the anchor's and the first record pointing at the anchor's hash. The anchor itself is
/// not verified again, which is what lets a store check only what came after its last check.
pub fn verify_chain_after(
    anchor: Option<&SignedRecord>,
    records: &[SignedRecord],
) -> Result<(), LedgerError> {
    let mut previous = anchor;
    let first = anchor.map_or(1, |a| a.record.seq.saturating_add(1));
    for (i, signed) in records.iter().enumerate() {
        let record = &signed.record;
        let expected = first.saturating_add(i as u64);
        if record.seq != expected {
            return Err(LedgerError::Gap {
                expected,
                found: record.seq,
            });
        }
        signed.verify()?;
        match previous {
            None if record.prev.is_some() => {
                return Err(LedgerError::BrokenLink { seq: record.seq })
            }
            Some(p) if p.record.device != record.device => {
                return Err(LedgerError::OtherDevice { seq: record.seq })
            }
            Some(p) if record.prev != Some(p.hash()?) => {
                return Err(LedgerError::BrokenLink { seq: record.seq })
            }
            _ => {}
        }
        previous = Some(signed);
    }
    Ok(())
}
