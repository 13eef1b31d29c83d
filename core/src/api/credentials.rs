//! The learner's credentials through the facade: list them (each with what the last sync read
//! of its revocation), hand one out as JSON or as a QR payload (the shell draws the code),
//! keep one a trainer gave as a file, verify any credential as a verifier would, and present
//! chosen ones to a client, whose phone checks the presentation offline. Each
//! call converts and delegates to the `Device`.

use chrono::{DateTime, Utc};

use super::error::ApiResult;
use super::types::Timestamp;
use super::Skillpack;
use crate::device::{CredentialCheck, Portfolio, PresentationCheck, SummaryCheck};
use crate::store::{HeldCredential, RevocationState};

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
    /// What the issuer's signed revocation list last said of it, and when. Show a revoked
    /// credential as revoked, with the reason, before anything else about it.
    pub revocation: RevocationView,
    /// Why the latest sync could not use its revocation list, when it could not: then
    /// `revocation` is as of its own date ("not checked since …").
    pub revocation_problem: Option<String>,
}

/// What the phone knows of a kept credential's revocation, from its issuer's signed list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum RevocationView {
    /// No list has been read for it yet (no sync since it came, or it names no list).
    Unknown,
    /// Its issuer's list, read at `checked_at`, did not revoke it.
    NotRevoked {
        /// When that list was read (the phone's clock).
        checked_at: Timestamp,
    },
    /// Its issuer's list revoked it (first read so at `seen_at`, the phone's clock). It
    /// stays revoked.
    Revoked {
        /// When the phone first read it revoked.
        seen_at: Timestamp,
        /// Why, in the hub's words (words to show: the issuer's list decided), if given.
        reason: Option<String>,
    },
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

    /// One kept credential as the text of a single QR code (`SP3:…`), for the shell to draw.
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

    /// The learner's portfolio: every kept credential grouped by issuer (with its kind,
    /// trust and revocation), and the installed pathways' milestones with progress.
    pub fn portfolio(&self) -> ApiResult<Portfolio> {
        self.with(|d| Ok(d.portfolio()?))
    }

    /// A new challenge for the client's phone to show a worker (as text or a QR code), with
    /// the domain it names itself by, if any: a presentation answering it is accepted once,
    /// within the hour.
    pub fn presentation_challenge(&self, domain: Option<String>) -> ApiResult<String> {
        self.with(|d| Ok(d.presentation_challenge(domain.as_deref())?))
    }

    /// The learner's presentation of the kept credentials `ids` (the learner chose them, in
    /// this order), signed over the client's `challenge` and `domain` when given: a file to
    /// share, carrying the signed revocation lists the phone holds for them.
    pub fn present_credentials(
        &self,
        ids: Vec<String>,
        challenge: Option<String>,
        domain: Option<String>,
    ) -> ApiResult<String> {
        self.with(|d| Ok(d.present(&ids, challenge.as_deref(), domain.as_deref())?))
    }

    /// The QR text of a summary of the learner's presentation of `ids` over the client's
    /// `challenge` (and `domain`), for the client's phone to scan while the full
    /// presentation (`present_credentials`, same challenge) follows by file or nearby share.
    pub fn presentation_summary(
        &self,
        ids: Vec<String>,
        challenge: String,
        domain: Option<String>,
    ) -> ApiResult<String> {
        self.with(|d| Ok(d.presentation_summary(&ids, &challenge, domain.as_deref())?))
    }

    /// What a scanned presentation summary says, checked at once (signature, and a challenge
    /// of this phone still open); the challenge is used up only by the full presentation.
    pub fn check_presentation_summary(&self, text: String) -> ApiResult<SummaryCheck> {
        self.with(|d| Ok(d.check_presentation_summary(&text)?))
    }

    /// Checks the full presentation that follows a scanned summary: as
    /// `verify_presentation` with a challenge required, and that it carries exactly the
    /// credentials the summary named.
    pub fn verify_presentation_with_summary(
        &self,
        summary: String,
        text: String,
    ) -> ApiResult<PresentationCheck> {
        self.with(|d| Ok(d.verify_presentation_with_summary(&summary, &text)?))
    }

    /// Checks a presentation a worker shared, offline, as the client's phone: every
    /// credential, that each is the presenter's, the presenter's signature, and (with
    /// `require_challenge`) that it answers a challenge this phone gave, once. A
    /// presentation that fails a check is a result naming it, not an error.
    pub fn verify_presentation(
        &self,
        text: String,
        require_challenge: bool,
    ) -> ApiResult<PresentationCheck> {
        self.with(|d| Ok(d.verify_presentation(&text, require_challenge)?))
    }
}

/// A time the store keeps as RFC 3339 text (the epoch if it were ever damaged).
fn time(text: &str) -> Timestamp {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

impl From<HeldCredential> for CredentialView {
    fn from(c: HeldCredential) -> Self {
        Self {
            valid_from: time(&c.valid_from),
            valid_until: c.valid_until.as_deref().map(time),
            id: c.id,
            achievement: c.achievement,
            module_id: c.module_id,
            issuer: c.issuer,
            issuer_name: c.issuer_name,
            trusted_issuer: c.trusted_issuer,
            revocation: c.revocation.into(),
            revocation_problem: c.revocation_problem,
        }
    }
}

impl From<RevocationState> for RevocationView {
    fn from(state: RevocationState) -> Self {
        match state {
            RevocationState::Unknown => Self::Unknown,
            RevocationState::NotRevoked { checked_at } => Self::NotRevoked {
                checked_at: time(&checked_at),
            },
            RevocationState::Revoked { seen_at, reason } => Self::Revoked {
                seen_at: time(&seen_at),
                reason,
            },
        }
    }
}
