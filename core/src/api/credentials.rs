//! The learner's credentials through the facade: list them, hand one out as JSON or as a QR
//! payload (the shell draws the code), keep one a trainer gave as a file, and verify any
//! credential as a verifier would (offline, or online with the issuer's revocation list).

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::error::ApiResult;
use super::types::Timestamp;
use super::Skillpack;
use crate::credential::{self, qr, Contexts, CredentialError, Revocation};
use crate::store::HeldCredential;
use crate::sync::{check_revocation_online, RevocationCheck};

/// How long a verification waits for the issuer's revocation list before calling it not
/// checked.
const STATUS_TIMEOUT: Duration = Duration::from_secs(10);

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

/// Whether a credential's revocation was checked, and how it came out.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum RevocationView {
    /// Read from the issuer's list: not revoked.
    NotRevoked,
    /// Not checked: offline, the list could not be read, or the credential names none.
    NotChecked {
        /// Why, for the screen.
        why: String,
    },
}

/// What verifying a credential found: valid, or the one check that failed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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
    /// Whether the issuer is one this phone trusts.
    pub trusted_issuer: bool,
    /// Whether revocation was checked.
    pub revocation: RevocationView,
}

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
            revocation: RevocationView::NotChecked {
                why: "the credential did not verify".into(),
            },
        }
    }
}

#[uniffi::export]
impl Skillpack {
    /// The credentials the phone keeps, newest first.
    pub fn credentials(&self) -> ApiResult<Vec<CredentialView>> {
        self.with(|d| {
            Ok(d.store()
                .credentials()?
                .into_iter()
                .map(CredentialView::from)
                .collect())
        })
    }

    /// One kept credential as JSON, to save or share as a file.
    pub fn credential_json(&self, id: String) -> ApiResult<String> {
        self.with(|d| {
            let credential = d.store().credential(&id)?;
            serde_json::to_string_pretty(&credential)
                .map_err(|e| CredentialError::Malformed(e.to_string()).into())
        })
    }

    /// One kept credential as the text of a single QR code (`SP1:…`), for the shell to draw.
    pub fn credential_qr(&self, id: String) -> ApiResult<String> {
        self.with(|d| Ok(qr::to_payload(&d.store().credential(&id)?)?))
    }

    /// Keeps a credential a trainer gave as a file (its JSON, or a QR code's text), once it
    /// verifies and is this learner's.
    pub fn add_credential(&self, text: String) -> ApiResult<CredentialView> {
        self.with(|d| {
            let credential = parse(&text)?;
            Ok(d.store().add_credential(&credential, Utc::now())?.into())
        })
    }

    /// Verifies a credential (its JSON, or a QR code's text) as any verifier would, trusting
    /// the issuers this phone trusts; `online`, also against the issuer's revocation list.
    /// A credential that fails a check is a result naming it, not an error.
    pub fn verify_credential(&self, text: String, online: bool) -> ApiResult<CredentialCheck> {
        self.with(|d| {
            let credential = match parse(&text) {
                Ok(credential) => credential,
                Err(e) => return Ok(CredentialCheck::failed(&e)),
            };
            let trusted = d.store().trusted_issuers()?;
            let now = Utc::now();
            let verified = match credential::verify(&credential, &trusted, now, Contexts::bundled())
            {
                Ok(verified) => verified,
                Err(e) => return Ok(CredentialCheck::failed(&e)),
            };
            let revocation = if online {
                match check_revocation_online(&credential, &verified.issuer, now, STATUS_TIMEOUT) {
                    RevocationCheck::Checked(Revocation::NotRevoked) => RevocationView::NotRevoked,
                    RevocationCheck::Checked(Revocation::NotChecked) => {
                        RevocationView::NotChecked {
                            why: "the credential names no revocation list".into(),
                        }
                    }
                    RevocationCheck::NotChecked(why) => RevocationView::NotChecked { why },
                    RevocationCheck::Failed(e) => return Ok(CredentialCheck::failed(&e)),
                }
            } else {
                RevocationView::NotChecked {
                    why: "offline".into(),
                }
            };
            Ok(CredentialCheck {
                valid: true,
                problem: None,
                achievement: verified.achievement,
                learner: verified.subject,
                issuer: verified.issuer,
                issuer_name: verified.issuer_name,
                trusted_issuer: verified.trusted_issuer,
                revocation,
            })
        })
    }
}

/// A credential from its JSON or from a QR code's text, bounded before parsing.
fn parse(text: &str) -> Result<serde_json::Value, CredentialError> {
    let text = text.trim();
    if text.starts_with(qr::PREFIX) {
        return qr::from_payload(text);
    }
    credential::json::parse(text.as_bytes())
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
