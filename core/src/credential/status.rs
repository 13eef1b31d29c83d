//! Revocation through a W3C Bitstring Status List: an issuer publishes one signed
//! `BitstringStatusListCredential` whose list holds a bit per credential it issued, set when
//! the credential is revoked; each credential names its list and its bit. This file builds
//! the list (the hub's side) and checks a credential against one (any verifier's side,
//! online: offline, revocation is reported as not checked).

use std::io::{Read, Write};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{json, Value};

use super::badge::{timestamp, Issuer};
use super::contexts::{Contexts, CREDENTIALS_V2};
use super::proof::{add_proof, check_proof, did_key_method, Cryptosuite, ProofOptions};
use super::verify::Revocation;
use super::CredentialError;
use crate::keys::SecretKey;

/// Bits in a list: the specification's minimum, so one credential's bit hides among many
/// (herd privacy); 16 KiB before compression.
pub const STATUS_LIST_BITS: u64 = 131_072;

/// Largest list a verifier inflates (a hostile list server could send a GZIP bomb).
const MAX_LIST_BYTES: u64 = 2 << 20;

/// Largest status list credential a verifier reads.
pub const MAX_STATUS_LIST_CREDENTIAL_BYTES: u64 = 256 << 10;

/// How long a signed list holds (`validUntil`): a list is fresh for a day, so a list from
/// before a revocation, replayed by whoever stands between the verifier and the issuer, is
/// refused a day after it was signed at the latest. The hub signs a new one well before.
pub const STATUS_LIST_LIFETIME: chrono::Duration = chrono::Duration::days(1);

/// The purpose the hub's lists serve.
const REVOCATION: &str = "revocation";

fn bad(why: impl Into<String>) -> CredentialError {
    CredentialError::BadStatusList(why.into())
}

/// The encoded list (`u` + base64url of the GZIP of the bits, index 0 the first byte's
/// highest bit) with the bits at `revoked` set.
pub fn encode_list(revoked: &[u64]) -> Result<String, CredentialError> {
    let mut bits = vec![0u8; (STATUS_LIST_BITS / 8) as usize];
    for &index in revoked {
        if index >= STATUS_LIST_BITS {
            return Err(bad(format!("index {index} is outside the list")));
        }
        bits[(index / 8) as usize] |= 0x80 >> (index % 8);
    }
    let mut gzip = GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(&bits)
        .and_then(|()| gzip.finish())
        .map(|zipped| format!("u{}", URL_SAFE_NO_PAD.encode(zipped)))
        .map_err(|e| bad(e.to_string()))
}

/// The bits of an encoded list, refusing one that inflates past [`MAX_LIST_BYTES`].
pub fn decode_list(encoded: &str) -> Result<Vec<u8>, CredentialError> {
    let text = encoded
        .strip_prefix('u')
        .ok_or_else(|| bad("the list is not multibase base64url"))?;
    let zipped = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| bad("the list is not base64url"))?;
    let mut bits = Vec::new();
    GzDecoder::new(zipped.as_slice())
        .take(MAX_LIST_BYTES + 1)
        .read_to_end(&mut bits)
        .map_err(|_| bad("the list is not GZIP"))?;
    if bits.len() as u64 > MAX_LIST_BYTES {
        return Err(bad("the list inflates past its limit"));
    }
    Ok(bits)
}

/// The issuer's status list credential at `url`, signed now with `eddsa-rdfc-2022`, valid
/// for [`STATUS_LIST_LIFETIME`].
pub fn status_list_credential(
    issuer: &Issuer,
    key: &SecretKey,
    url: &str,
    revoked: &[u64],
    now: DateTime<Utc>,
    contexts: &Contexts,
) -> Result<Value, CredentialError> {
    let public = key.public_key();
    // Under the VC context alone, an issuer has an id and a name (a website is Open Badges'
    // term, and strict expansion refuses terms the context does not define).
    let profile = json!({"id": public.to_did_key(), "name": issuer.name});
    let unsigned = json!({
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": profile,
        "validFrom": timestamp(&now),
        "validUntil": timestamp(&(now + STATUS_LIST_LIFETIME)),
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": REVOCATION,
            "encodedList": encode_list(revoked)?
        }
    });
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: timestamp(&now),
        verification_method: public.to_verification_method(),
    };
    add_proof(&unsigned, key, &options, contexts)
}

/// Whether a verifier reads a status list from `url`: over https, or over plain http only
/// from this machine's own loopback (a hub tried out on one computer, and the tests). A list
/// fetched over plain http from anywhere else could be swapped or replayed by anyone on the
/// way, so it is not read, and the credential's revocation stays "not checked".
pub fn is_readable_status_url(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().map(|h| format!("[{h}]")),
        None => authority.split(':').next().map(str::to_owned),
    };
    matches!(host.as_deref(), Some("127.0.0.1" | "localhost" | "[::1]"))
}

/// The `credentialStatus` of a credential whose revocation is bit `index` of the status list
/// at `list`: a `BitstringStatusListEntry` for revocation.
pub fn revocation_entry_value(list: &str, index: u64) -> Value {
    serde_json::json!({"id": format!("{list}#{index}"),
           "type": "BitstringStatusListEntry", "statusPurpose": REVOCATION,
           "statusListIndex": index.to_string(),
           "statusListCredential": list})
}

/// Where a credential's revocation bit lives: the status list credential's URL and the bit.
/// `None` when the credential names no revocation list (it cannot be revoked).
pub fn revocation_entry(credential: &Value) -> Result<Option<(String, u64)>, CredentialError> {
    let entries = match credential.get("credentialStatus") {
        None => return Ok(None),
        Some(Value::Array(entries)) => entries.iter().collect::<Vec<_>>(),
        Some(entry) => vec![entry],
    };
    let Some(entry) = entries.into_iter().find(|e| {
        e.get("type").and_then(Value::as_str) == Some("BitstringStatusListEntry")
            && e.get("statusPurpose").and_then(Value::as_str) == Some(REVOCATION)
    }) else {
        return Ok(None);
    };
    let url = entry
        .get("statusListCredential")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("the status entry names no list"))?;
    let index = entry
        .get("statusListIndex")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or_else(|| bad("the status entry's index is not a number"))?;
    Ok(Some((url.to_owned(), index)))
}

/// Checks `credential` (already verified, from `issuer`, a `did:key`) against its issuer's
/// status list credential `list`, fetched from the URL the credential names: the list must
/// be that URL's, signed by the same issuer, current at `now`, for revocation
/// ([`check_list`]). A revoked credential is [`CredentialError::Revoked`].
pub fn check_status(
    credential: &Value,
    issuer: &str,
    list: &Value,
    now: DateTime<Utc>,
    contexts: &Contexts,
) -> Result<Revocation, CredentialError> {
    check_status_with(credential, issuer, list, now, contexts, &[])
}

/// [`check_status`] for an issuer that may be known by its controller document
/// ([`check_list_with`]).
pub fn check_status_with(
    credential: &Value,
    issuer: &str,
    list: &Value,
    now: DateTime<Utc>,
    contexts: &Contexts,
    documents: &[super::ControllerDocument],
) -> Result<Revocation, CredentialError> {
    let Some((url, index)) = revocation_entry(credential)? else {
        return Ok(Revocation::NotChecked);
    };
    check_list_with(list, &url, issuer, now, contexts, documents)?.revocation_at(index)
}

/// A status list whose address, signer, proof, dates and purpose checked out: its bits.
/// Checked once, it answers for every credential of its issuer that names it.
#[derive(Debug, Clone)]
pub struct CheckedList {
    bits: Vec<u8>,
}

impl CheckedList {
    /// Whether the credential at `index` of the list is revoked ([`CredentialError::Revoked`]).
    pub fn revocation_at(&self, index: u64) -> Result<Revocation, CredentialError> {
        let byte = usize::try_from(index / 8)
            .ok()
            .and_then(|i| self.bits.get(i))
            .ok_or_else(|| bad(format!("index {index} is outside the list")))?;
        if byte & (0x80 >> (index % 8)) != 0 {
            return Err(CredentialError::Revoked);
        }
        Ok(Revocation::NotRevoked)
    }
}

/// Checks `list`, read from `url`, as the status list of `issuer` (a `did:key`) at `now`: it
/// is that URL's, a Bitstring Status List for revocation, signed by the issuer (the signer
/// compared before anything is canonicalised), and current. Every failure is
/// [`CredentialError::BadStatusList`]: a list that cannot be used says nothing of the
/// credentials that name it.
pub fn check_list(
    list: &Value,
    url: &str,
    issuer: &str,
    now: DateTime<Utc>,
    contexts: &Contexts,
) -> Result<CheckedList, CredentialError> {
    check_list_with(list, url, issuer, now, contexts, &[])
}

/// [`check_list`] for an issuer that may be known by its controller document (a `did:web`):
/// the list's signer must then be a key `documents` lists under that issuer's id.
pub fn check_list_with(
    list: &Value,
    url: &str,
    issuer: &str,
    now: DateTime<Utc>,
    contexts: &Contexts,
    documents: &[super::ControllerDocument],
) -> Result<CheckedList, CredentialError> {
    if list.get("id").and_then(Value::as_str) != Some(url) {
        return Err(bad("the list is not the one the credential names"));
    }
    let types = list.get("type").and_then(Value::as_array);
    if !types.is_some_and(|t| t.iter().any(|v| v == "BitstringStatusListCredential")) {
        return Err(bad("not a Bitstring Status List credential"));
    }
    // The signer is compared before anything is canonicalised: a list from anyone else is
    // refused at the cost of reading one field.
    let issuer_key = || bad("the list is signed by another key than the credential's issuer");
    let resolve = |method: &str| {
        did_key_method(method)
            .filter(|key| key.to_did_key() == issuer)
            .or_else(|| {
                documents
                    .iter()
                    .filter(|d| d.id == issuer)
                    .find_map(|d| d.signer(method))
            })
    };
    let stated = list
        .pointer("/proof/0/verificationMethod")
        .or_else(|| list.pointer("/proof/verificationMethod"))
        .and_then(Value::as_str)
        .ok_or_else(|| bad("the list has no proof"))?;
    if resolve(stated).is_none() {
        return Err(issuer_key());
    }
    // `resolve` gives only the issuer's keys, so a proof that checks is the issuer's.
    check_proof(list, contexts, &resolve)
        .map_err(|e| bad(format!("the list's proof does not check: {e}")))?;
    // A list that says nothing of how long it holds could be replayed for ever.
    let until = list
        .get("validUntil")
        .ok_or_else(|| bad("the list does not say until when it holds (no validUntil)"))?
        .as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .ok_or_else(|| bad("the list's validUntil is not a date-time"))?;
    if now >= until {
        return Err(bad("the list has expired: an old list, or a replayed one"));
    }
    let subject = list
        .get("credentialSubject")
        .ok_or_else(|| bad("the list has no subject"))?;
    if subject.get("statusPurpose").and_then(Value::as_str) != Some(REVOCATION) {
        return Err(bad("the list is not for revocation"));
    }
    let bits = decode_list(
        subject
            .get("encodedList")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("the list has no encodedList"))?,
    )?;
    Ok(CheckedList { bits })
}
