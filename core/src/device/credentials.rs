//! The learner's credentials as the phones and the terminal drive them: list them, hand one
//! out as JSON or as a QR code's text, keep one a trainer gave as a file, and verify any
//! credential as a verifier would (offline, or online with the issuer's revocation list,
//! feature `client`). The store keeps and checks; this is where the device's clock enters,
//! and the one verifying path (`sync::check_credential`) is called with the device's trust.

use chrono::Utc;
use serde_json::Value;

use super::Device;
use crate::credential::{qr, CredentialError};
use crate::store::HeldCredential;
#[cfg(feature = "client")]
use crate::sync::{check_credential_with, RevocationStatus};
use crate::Result;

/// What verifying a credential found: valid, or the one check that failed.
#[cfg(feature = "client")]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ffi", derive(uniffi::Record))]
pub struct CredentialCheck {
    /// True when every check passed.
    pub valid: bool,
    /// The check that failed, in words, when one did (a changed credential, a wrong key,
    /// expired, not yet valid, revoked, …).
    pub problem: Option<String>,
    /// What it is for.
    pub achievement: String,
    /// The learner's `did:key`.
    pub learner: String,
    /// The issuer's `did:key`.
    pub issuer: String,
    /// The issuer's name, as the credential gives it.
    pub issuer_name: String,
    /// Whether the issuer is one this device trusts.
    pub trusted_issuer: bool,
    /// Whether revocation was checked.
    pub revocation: RevocationStatus,
}

#[cfg(feature = "client")]
impl CredentialCheck {
    fn failed(problem: &CredentialError) -> Self {
        Self {
            valid: false,
            problem: Some(problem.to_string()),
            achievement: String::new(),
            learner: String::new(),
            issuer: String::new(),
            issuer_name: String::new(),
            trusted_issuer: false,
            revocation: RevocationStatus::NotChecked {
                why: "the credential did not verify".into(),
            },
        }
    }
}

impl Device {
    /// The credentials the device keeps, newest first.
    pub fn credentials(&self) -> Result<Vec<HeldCredential>> {
        Ok(self.store.credentials()?)
    }

    /// One kept credential, as received.
    pub fn credential(&self, id: &str) -> Result<Value> {
        Ok(self.store.credential(id)?)
    }

    /// One kept credential as JSON, to save or share as a file.
    pub fn credential_json(&self, id: &str) -> Result<String> {
        serde_json::to_string_pretty(&self.credential(id)?)
            .map_err(|e| CredentialError::Malformed(e.to_string()).into())
    }

    /// One kept credential as the text of a single QR code (`SP3:…`), for a screen to draw.
    pub fn credential_qr(&self, id: &str) -> Result<String> {
        Ok(qr::to_payload(&self.credential(id)?)?)
    }

    /// Keeps a credential a trainer gave as a file (its JSON, or a QR code's text), or one
    /// published at an https link the learner scanned (feature `client`), once it verifies
    /// (as of now, within the one clock tolerance) and is this learner's.
    pub fn add_credential(&self, text: &str) -> Result<HeldCredential> {
        let trimmed = text.trim();
        let credential = if trimmed.starts_with("https://") || trimmed.starts_with("http://") {
            self.credential_at(trimmed)?
        } else {
            qr::read_text(text)?
        };
        #[cfg(feature = "client")]
        self.read_issuer_document(&credential);
        Ok(self.store.add_credential(&credential, Utc::now())?)
    }

    /// The credential published at `url`, read now.
    #[cfg(feature = "client")]
    fn credential_at(&self, url: &str) -> Result<Value> {
        Ok(crate::sync::fetch_credential(
            url,
            crate::sync::STATUS_TIMEOUT,
        )?)
    }

    /// Without the hub client a link cannot be read.
    #[cfg(not(feature = "client"))]
    fn credential_at(&self, url: &str) -> Result<Value> {
        Err(CredentialError::Malformed(format!(
            "{url} is a link: this build reads no links, give the credential's file"
        ))
        .into())
    }

    /// Reads and keeps the controller document of a `did:web` issuer the device holds none
    /// of, so that its credential verifies now and offline later. Offline, or when the
    /// document cannot be read, the issuer's key stays unknown and adding the credential
    /// says so.
    #[cfg(feature = "client")]
    fn read_issuer_document(&self, credential: &serde_json::Value) {
        let issuer = crate::credential::issuer_id(credential);
        if !issuer.starts_with("did:web:")
            || !matches!(self.store.issuer_document_read_at(issuer), Ok(None))
        {
            return;
        }
        if let Ok((document, _)) =
            crate::sync::fetch_controller_document(issuer, crate::sync::STATUS_TIMEOUT)
        {
            let _ = self.store.keep_issuer_document(&document, Utc::now());
        }
    }

    /// Verifies a credential (its JSON, or a QR code's text) as any verifier would, now,
    /// trusting the issuers this device trusts and knowing `did:web` issuers by the documents
    /// it keeps (online, one not kept is read and kept); `online`, also against the issuer's
    /// revocation list. A credential that fails a check is a result naming it, not an error.
    #[cfg(feature = "client")]
    pub fn verify_credential(&self, text: &str, online: bool) -> Result<CredentialCheck> {
        let credential = match qr::read_text(text) {
            Ok(credential) => credential,
            Err(e) => return Ok(CredentialCheck::failed(&e)),
        };
        let trusted = self.store.trusted_issuers()?;
        // A did:web issuer's document read now is kept, so the next check works offline;
        // offline, the documents kept are what the issuers' keys are known by.
        if online {
            self.read_issuer_document(&credential);
        }
        let documents = self.store.issuer_documents()?;
        Ok(
            match check_credential_with(&credential, &trusted, Utc::now(), online, &documents) {
                Ok(checked) => CredentialCheck {
                    valid: true,
                    problem: None,
                    achievement: checked.verified.achievement,
                    learner: checked.verified.subject,
                    issuer: checked.verified.issuer,
                    issuer_name: checked.verified.issuer_name,
                    trusted_issuer: checked.verified.trusted_issuer,
                    revocation: checked.revocation,
                },
                Err(e) => CredentialCheck::failed(&e),
            },
        )
    }
}
