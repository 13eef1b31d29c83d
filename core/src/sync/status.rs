//! Reading an issuer's revocation list over the network, for a verifier that is online: one
//! bounded GET of the URL the credential names, under a deadline, then the core's check
//! ([`crate::credential::status::check_status`]). Offline, a verifier reports revocation as
//! not checked; it never fails a credential for want of a network.

use std::io::Read;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::SyncError;
use crate::credential::status::{check_status, revocation_entry, MAX_STATUS_LIST_CREDENTIAL_BYTES};
use crate::credential::{Contexts, CredentialError, Revocation};

/// What checking a credential's revocation came to.
#[derive(Debug)]
pub enum RevocationCheck {
    /// The list was read: the credential is not revoked, or names no list.
    Checked(Revocation),
    /// The list could not be read (offline, the issuer's server down): not checked.
    NotChecked(String),
    /// The list was read and says the credential is revoked, or the list is not usable.
    Failed(CredentialError),
}

/// Checks a verified credential from `issuer` (its `did:key`) against the status list it
/// names, fetched now within `timeout`.
pub fn check_revocation_online(
    credential: &Value,
    issuer: &str,
    now: DateTime<Utc>,
    timeout: Duration,
) -> RevocationCheck {
    let url = match revocation_entry(credential) {
        Ok(Some((url, _))) => url,
        Ok(None) => return RevocationCheck::Checked(Revocation::NotChecked),
        Err(e) => return RevocationCheck::Failed(e),
    };
    let list = match fetch_status_list(&url, timeout) {
        Ok(list) => list,
        Err(e) => return RevocationCheck::NotChecked(e.to_string()),
    };
    match check_status(credential, issuer, &list, now, Contexts::bundled()) {
        Ok(revocation) => RevocationCheck::Checked(revocation),
        Err(e) => RevocationCheck::Failed(e),
    }
}

/// The status list credential at `url` (http or https), at most
/// [`MAX_STATUS_LIST_CREDENTIAL_BYTES`], read within `timeout`.
pub fn fetch_status_list(url: &str, timeout: Duration) -> Result<Value, SyncError> {
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(SyncError::BadAnswer(format!(
            "the status list's address is not a web address: {url}"
        )));
    }
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .build()
        .map_err(|e| SyncError::Offline(e.to_string()))?;
    let response = client
        .get(url)
        .send()
        .map_err(|e| SyncError::Offline(e.to_string()))?;
    if !response.status().is_success() {
        return Err(SyncError::Offline(format!(
            "the status list's server answered {}",
            response.status()
        )));
    }
    let mut body = Vec::new();
    response
        .take(MAX_STATUS_LIST_CREDENTIAL_BYTES + 1)
        .read_to_end(&mut body)
        .map_err(|e| SyncError::Offline(e.to_string()))?;
    if body.len() as u64 > MAX_STATUS_LIST_CREDENTIAL_BYTES {
        return Err(SyncError::BadAnswer("the status list is too large".into()));
    }
    serde_json::from_slice(&body).map_err(|e| SyncError::BadAnswer(e.to_string()))
}
