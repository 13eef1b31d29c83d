//! The learner's credentials through the facade: list them, hand one out as JSON or as a QR
//! payload (the shell draws the code), keep one a trainer gave as a file, and verify any
//! credential as a verifier would. Each call converts and delegates to the `Device`.

use chrono::{DateTime, Utc};

use super::error::ApiResult;
use super::types::Timestamp;
use super::Skillpack;
use crate::device::CredentialCheck;
use crate::store::HeldCredential;

/// A credential the phone keeps, as the learner's list shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CredentialView {
    /// The credential's id.
    pub id: String,
    /// What it is for (the achievement's name).
    pub achievement: String,
    /// The module it names, if any.
    pub module_id: Option<String>,
    /// The issuer's `did:key`.
    pub issuer: String,
    /// The issuer's name, as the credential gives it.
    pub issuer_name: String,
    /// Valid from.
    pub valid_from: Timestamp,
    /// Valid until, if it expires.
    pub valid_until: Option<Timestamp>,
    /// Whether its issuer is one the phone trusts (a trusted publisher, or a key one
    /// endorsed): any key may give itself any name.
    pub trusted_issuer: bool,
}

#[uniffi::export]
impl Skillpack {
    /// The credentials the phone keeps, newest first.
    pub fn credentials(&self) -> ApiResult<Vec<CredentialView>> {
        self.with(|d| Ok(d.credentials()?.into_iter().map(Into::into).collect()))
    }

    /// One kept credential as JSON, to save or share as a file.
    pub fn credential_json(&self, id: String) -> ApiResult<String> {
        self.with(|d| Ok(d.credential_json(&id)?))
    }

    /// One kept credential as the text of a single QR code (`SP2:…`), for the shell to draw.
    pub fn credential_qr(&self, id: String) -> ApiResult<String> {
        self.with(|d| Ok(d.credential_qr(&id)?))
    }

    /// Keeps a credential a trainer gave as a file (its JSON, or a QR code's text), once it
    /// verifies and is this learner's.
    pub fn add_credential(&self, text: String) -> ApiResult<CredentialView> {
        self.with(|d| Ok(d.add_credential(&text)?.into()))
    }

    /// Verifies a credential (its JSON, or a QR code's text) as any verifier would, trusting
    /// the issuers this phone trusts; `online`, also against the issuer's revocation list.
    /// A credential that fails a check is a result naming it, not an error.
    pub fn verify_credential(&self, text: String, online: bool) -> ApiResult<CredentialCheck> {
        self.with(|d| Ok(d.verify_credential(&text, online)?))
    }
}

impl From<HeldCredential> for CredentialView {
    fn from(c: HeldCredential) -> Self {
        let time = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_default()
        };
        Self {
            valid_from: time(&c.valid_from),
            valid_until: c.valid_until.as_deref().map(time),
            id: c.id,
            achievement: c.achievement,
            module_id: c.module_id,
            issuer: c.issuer,
            issuer_name: c.issuer_name,
            trusted_issuer: c.trusted_issuer,
        }
    }
}
