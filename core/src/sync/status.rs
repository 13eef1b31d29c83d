//! Verifying a credential as a verifier does, online or not: the core's offline checks
//! ([`credential::verify`] with the one [`CLOCK_TOLERANCE`]), then, online, one bounded GET of
//! the revocation list the credential names under one deadline ([`STATUS_TIMEOUT`]) and the
//! core's check ([`crate::credential::status::check_status`]). The one path of the phone
//! (through the `Device`), the terminal's verifier and the demo. Offline, revocation is
//! reported as not checked; a credential never fails for want of a network.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Deadline, SyncError};
use crate::credential::status::{
    check_status_with, is_readable_status_url, revocation_entry, MAX_STATUS_LIST_CREDENTIAL_BYTES,
};
use crate::credential::{self, Contexts, CredentialError, Revocation, Verified, CLOCK_TOLERANCE};
use crate::keys::PublicKey;

/// How long a verifier waits for an issuer's revocation list before calling it not checked.
pub const STATUS_TIMEOUT: Duration = Duration::from_secs(10);

/// Whether a verified credential's revocation was checked, and how it came out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Enum))]
pub enum RevocationStatus {
    /// Read from the issuer's list: not revoked.
    NotRevoked,
    /// Not checked: offline, the list could not be read, or the credential names none.
    NotChecked {
        /// Why, for the screen.
        why: String,
    },
}

impl fmt::Display for RevocationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RevocationStatus::NotRevoked => f.write_str("checked: not revoked"),
            RevocationStatus::NotChecked { why } => write!(f, "not checked ({why})"),
        }
    }
}

/// A credential that verified, and whether its revocation was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCredential {
    /// What it says.
    pub verified: Verified,
    /// Whether its revocation was checked, and how it came out.
    pub revocation: RevocationStatus,
}

/// Verifies `credential` at `now` as any verifier would, trusting the issuers in `trusted`;
/// when `online`, also against the revocation list it names, read within
/// [`STATUS_TIMEOUT`]. The error is the one check that failed (a revoked credential's too).
pub fn check_credential(
    credential: &Value,
    trusted: &[PublicKey],
    now: DateTime<Utc>,
    online: bool,
) -> Result<CheckedCredential, CredentialError> {
    check_credential_with(credential, trusted, now, online, &[])
}

/// [`check_credential`], with the controller documents the verifier read of issuers that are
/// not a `did:key` ([`credential::verify_with`]).
pub fn check_credential_with(
    credential: &Value,
    trusted: &[PublicKey],
    now: DateTime<Utc>,
    online: bool,
    documents: &[credential::ControllerDocument],
) -> Result<CheckedCredential, CredentialError> {
    let contexts = Contexts::bundled();
    let mut documents = documents.to_vec();
    if online {
        // A did:web issuer whose document the verifier did not bring: read it now.
        let issuer = credential::issuer_id(credential);
        if issuer.starts_with("did:web:") && !documents.iter().any(|d| d.id == issuer) {
            if let Ok((_, document)) = fetch_controller_document(issuer, STATUS_TIMEOUT) {
                documents.push(document);
            }
        }
    }
    let verified = credential::verify_with(
        credential,
        trusted,
        now,
        CLOCK_TOLERANCE,
        contexts,
        &documents,
    )?;
    let revocation = if online {
        revocation_online(credential, &verified.issuer, now, &documents)?
    } else {
        not_checked("offline")
    };
    Ok(CheckedCredential {
        verified,
        revocation,
    })
}

/// Checks a verified credential from `issuer` (its `did:key`) against the status list it
/// names, fetched now.
fn revocation_online(
    credential: &Value,
    issuer: &str,
    now: DateTime<Utc>,
    documents: &[credential::ControllerDocument],
) -> Result<RevocationStatus, CredentialError> {
    let no_list = || not_checked("the credential names no revocation list");
    let Some((url, _)) = revocation_entry(credential)? else {
        return Ok(no_list());
    };
    let list = match fetch_status_list(&url, STATUS_TIMEOUT) {
        Ok(list) => list,
        Err(e) => return Ok(not_checked(&e.to_string())),
    };
    // A list that cannot be used (expired, replayed, another's) leaves revocation unknown:
    // said so, never taken as "not revoked", and never as the credential being invalid.
    match check_status_with(
        credential,
        issuer,
        &list,
        now,
        Contexts::bundled(),
        documents,
    ) {
        Ok(Revocation::NotRevoked) => Ok(RevocationStatus::NotRevoked),
        Ok(Revocation::NotChecked) => Ok(no_list()),
        Err(CredentialError::BadStatusList(why)) => Ok(not_checked(&why)),
        Err(e) => Err(e),
    }
}

fn not_checked(why: &str) -> RevocationStatus {
    RevocationStatus::NotChecked {
        why: why.to_owned(),
    }
}

/// The status list credential at `url` (https, or http on loopback:
/// [`is_readable_status_url`]), at most [`MAX_STATUS_LIST_CREDENTIAL_BYTES`], all of it
/// within `timeout` (a server that sends a byte now and then is left at the deadline, as one
/// that sends nothing is). Redirects are followed only to such addresses.
pub fn fetch_status_list(url: &str, timeout: Duration) -> Result<Value, SyncError> {
    if !is_readable_status_url(url) {
        return Err(SyncError::BadAnswer(format!(
            "the status list's address is not https: {url}"
        )));
    }
    let body = fetch_bounded(
        url,
        MAX_STATUS_LIST_CREDENTIAL_BYTES,
        timeout,
        "the status list",
    )?;
    if body.len() as u64 > MAX_STATUS_LIST_CREDENTIAL_BYTES {
        return Err(SyncError::BadAnswer("the status list is too large".into()));
    }
    serde_json::from_slice(&body).map_err(|e| SyncError::BadAnswer(e.to_string()))
}

/// The controller document of the `did:web` issuer `did`, read from where it publishes it
/// ([`credential::did_web_url`]) under the bounds of a status list: redirects only to https or
/// loopback, 64 KiB, the whole of it within `timeout`; it must be that DID's. The document as
/// read, and what a verifier takes from it.
pub fn fetch_controller_document(
    did: &str,
    timeout: Duration,
) -> Result<(Value, credential::ControllerDocument), SyncError> {
    let url = credential::did_web_url(did)
        .ok_or_else(|| SyncError::BadAnswer(format!("{did} is not a did:web this reads")))?;
    let limit = credential::MAX_CONTROLLER_DOCUMENT_BYTES as u64;
    let body = fetch_bounded(&url, limit, timeout, "the issuer's document")?;
    let read = credential::json::parse(&body).map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    let document = credential::ControllerDocument::from_value(&read)
        .map_err(|e| SyncError::BadAnswer(e.to_string()))?;
    if document.id != did {
        return Err(SyncError::BadAnswer(format!(
            "the document at {url} is {}'s, not {did}'s",
            document.id
        )));
    }
    Ok((read, document))
}

/// A credential published at `url` (a link a learner scanned or pasted): https, or http on
/// loopback, its JSON or a Skillpack QR payload, at most a credential's largest size, the
/// whole of it within `timeout`, redirects only to such addresses.
pub fn fetch_credential(url: &str, timeout: Duration) -> Result<Value, SyncError> {
    if !is_readable_status_url(url) {
        return Err(SyncError::BadAnswer(format!(
            "the credential's address is not https: {url}"
        )));
    }
    let limit = credential::rdfc::MAX_DOCUMENT_LEN as u64;
    let body = fetch_bounded(url, limit, timeout, "the credential")?;
    if body.len() as u64 > limit {
        return Err(SyncError::BadAnswer("the credential is too large".into()));
    }
    let text = String::from_utf8(body)
        .map_err(|_| SyncError::BadAnswer("the credential is not UTF-8 text".into()))?;
    credential::qr::read_text(&text).map_err(|e| SyncError::BadAnswer(e.to_string()))
}

/// The body at `url` (`what` it is, for messages): one GET following redirects only to
/// https or loopback, at most one byte past `limit`, all of it within `timeout`.
fn fetch_bounded(
    url: &str,
    limit: u64,
    timeout: Duration,
    what: &str,
) -> Result<Vec<u8>, SyncError> {
    let deadline = Deadline::after(timeout);
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(readable_redirects())
        .build()
        .map_err(|e| SyncError::Offline(e.to_string()))?;
    let response = client
        .get(url)
        .send()
        .map_err(|e| SyncError::Offline(e.to_string()))?;
    if !response.status().is_success() {
        return Err(SyncError::Offline(format!(
            "{what}'s server answered {}",
            response.status()
        )));
    }
    super::http::read_by(response, limit, deadline).ok_or_else(|| {
        SyncError::Offline(format!(
            "{what} did not arrive within {} s",
            timeout.as_secs()
        ))
    })?
}

/// Redirects a client follows: at most three, each to an address a status list may be read
/// from (https, or http on this machine's loopback), so no answer can send the phone to a
/// plain-http or private address.
pub(super) fn readable_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        if attempt.previous().len() >= 3 {
            attempt.error("more than three redirects")
        } else if is_readable_status_url(attempt.url().as_str()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}
