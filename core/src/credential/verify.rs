//! Verifying a credential offline, as any verifier would: the proof, that the issuer named is
//! the key that signed, the validity dates, a subject, and each endorsement of the issuer it
//! carries, checked as a credential of its own (ADR 0006); then whether the issuer is one the
//! verifier trusts, by its own key or through an endorsement by a trusted key (a credential
//! from an unknown issuer is valid, and said to be from an unknown issuer). The first check that fails is the error, by name. How far a credential
//! may be dated ahead of the verifier's clock is an argument; every verifier of ours passes
//! [`CLOCK_TOLERANCE`].

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::contexts::Contexts;
use super::controller::ControllerDocument;
use super::endorsement_credential::{check_endorsement, CheckedEndorsement};
use super::proof::{check_proof, did_key_method};
use super::CredentialError;
use crate::keys::PublicKey;

/// How far ahead of a verifier's clock a credential's validity may begin and still verify:
/// a phone's clock is often behind, and the issuer's is the one that dated it. The store
/// keeping a credential, the device checking one and the terminal's verifier all pass this
/// one, so a credential a phone kept never reads "not yet valid" on the same phone.
pub const CLOCK_TOLERANCE: Duration = Duration::hours(24);

/// Whether revocation was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revocation {
    /// Offline, or the credential names no status list: not checked.
    NotChecked,
    /// The issuer's status list was read and the credential is not revoked.
    NotRevoked,
}

/// Why the issuer of a credential is trusted, or that it is not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust {
    /// Its issuer's own key is a trusted key (a trainer's offline credential).
    Signed {
        /// The issuer's key.
        key: PublicKey,
    },
    /// Its issuer carries an endorsement, checked, by a trusted key.
    Endorsed {
        /// The trusted key that endorsed the issuer.
        publisher: PublicKey,
        /// The provider's name as the endorsement states it, if it does.
        provider: Option<String>,
    },
    /// Neither: valid, from an issuer the verifier does not know.
    Unknown {
        /// The first endorsement it carries, if any (by a key the verifier does not trust).
        endorsed_by: Option<Box<CheckedEndorsement>>,
    },
}

impl Trust {
    /// Whether the issuer is trusted, by its own key or through an endorsement.
    pub fn is_trusted(&self) -> bool {
        !matches!(self, Trust::Unknown { .. })
    }
}

/// A credential that verified, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The issuer's `did:key`.
    pub issuer: String,
    /// The issuer's name, as the credential gives it.
    pub issuer_name: String,
    /// Whether the issuer is one the verifier trusts (as [`Trust::is_trusted`]).
    pub trusted_issuer: bool,
    /// Why the issuer is trusted, or that it is not.
    pub trust: Trust,
    /// The endorsements of the issuer it carries, each checked, in its order.
    pub endorsements: Vec<CheckedEndorsement>,
    /// The subject's id (the learner's `did:key`); empty when the credential identifies its
    /// subject otherwise (a name, a hashed `identifier`).
    pub subject: String,
    /// The achievement's name.
    pub achievement: String,
    /// Valid from.
    pub valid_from: DateTime<Utc>,
    /// Valid until, if it expires.
    pub valid_until: Option<DateTime<Utc>>,
    /// Whether revocation was checked.
    pub revocation: Revocation,
    /// Whether it is in the old form of the first releases, whose terms only Skillpack can
    /// read ([`super::OLD_MICROCREDENTIAL_V1`]): valid here, refused by other verifiers.
    pub old_form: bool,
}

/// The id a credential (or any Verifiable Credential) names as its issuer: `issuer` itself
/// when it is a string, else its `id`; empty when it names none.
pub fn issuer_id(credential: &Value) -> &str {
    match credential.get("issuer") {
        Some(Value::String(id)) => id.as_str(),
        Some(profile) => profile.get("id").and_then(Value::as_str).unwrap_or(""),
        None => "",
    }
}

/// Most proofs in one credential's proof set: each costs a canonicalisation.
pub const MAX_PROOFS: usize = 4;

/// Checks every proof of `credential` (one, or a proof set of up to [`MAX_PROOFS`], each over
/// the document without the others, as Data Integrity says): each must verify, and one must
/// be the issuer's; that one is returned. Others (a co-signer, a notary) add nothing to what
/// the credential says.
fn check_proof_set(
    credential: &Value,
    issuer: &str,
    contexts: &Contexts,
    resolve: &dyn Fn(&str) -> Option<PublicKey>,
) -> Result<super::CheckedProof, CredentialError> {
    let signer_of = |checked: &super::CheckedProof| {
        checked
            .options
            .verification_method
            .split('#')
            .next()
            .unwrap_or("")
            .to_owned()
    };
    let proofs = match credential.get("proof") {
        Some(Value::Array(proofs)) if proofs.len() > 1 => proofs,
        _ => {
            let checked = check_proof(credential, contexts, resolve)?;
            let signer = signer_of(&checked);
            if issuer != signer {
                return Err(CredentialError::IssuerMismatch {
                    issuer: issuer.to_owned(),
                    signer,
                });
            }
            return Ok(checked);
        }
    };
    if proofs.len() > MAX_PROOFS {
        return Err(CredentialError::BadProof(format!(
            "{} proofs, where at most {MAX_PROOFS} are read",
            proofs.len()
        )));
    }
    let mut by_issuer = None;
    let mut signers = Vec::new();
    for proof in proofs {
        if proof.get("previousProof").is_some() {
            return Err(CredentialError::BadProof(
                "a proof chain (previousProof) is not read".into(),
            ));
        }
        let mut alone = credential.clone();
        alone["proof"] = proof.clone();
        let checked = check_proof(&alone, contexts, resolve)?;
        let signer = signer_of(&checked);
        if signer == issuer && by_issuer.is_none() {
            by_issuer = Some(checked);
        } else {
            signers.push(signer);
        }
    }
    by_issuer.ok_or_else(|| CredentialError::IssuerMismatch {
        issuer: issuer.to_owned(),
        signer: signers.join(", "),
    })
}

/// Verifies `credential` at `now`, trusting the keys in `trusted` (and issuers they endorse);
/// a validity that begins at most `tolerance` after `now` counts as begun (the verifier's
/// clock may be behind). An endorsement of the issuer that does not check out, or that
/// endorses another key, makes the credential not valid, as Open Badges 3.0 says.
pub fn verify(
    credential: &Value,
    trusted: &[PublicKey],
    now: DateTime<Utc>,
    tolerance: Duration,
    contexts: &Contexts,
) -> Result<Verified, CredentialError> {
    verify_with(credential, trusted, now, tolerance, contexts, &[])
}

/// [`verify`], with the controller documents of issuers that are not a `did:key` (a
/// `did:web`, an https address) the verifier read: a proof by a key one of them allows to
/// sign credentials checks out, and the credential's issuer must be that document's id.
pub fn verify_with(
    credential: &Value,
    trusted: &[PublicKey],
    now: DateTime<Utc>,
    tolerance: Duration,
    contexts: &Contexts,
    documents: &[ControllerDocument],
) -> Result<Verified, CredentialError> {
    let types = credential.get("type").and_then(Value::as_array);
    let is = |t: &str| types.is_some_and(|ts| ts.iter().any(|v| v == t));
    if !is("VerifiableCredential") || !(is("OpenBadgeCredential") || is("AchievementCredential")) {
        return Err(CredentialError::Malformed(
            "not an Open Badges 3.0 credential".into(),
        ));
    }
    let resolve = |method: &str| {
        did_key_method(method).or_else(|| documents.iter().find_map(|d| d.signer(method)))
    };
    let issuer = issuer_id(credential);
    let checked = check_proof_set(credential, issuer, contexts, &resolve)?;
    let date = |name: &str| -> Result<Option<DateTime<Utc>>, CredentialError> {
        credential
            .get(name)
            .map(|v| {
                v.as_str()
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|d| d.with_timezone(&Utc))
                    .ok_or_else(|| CredentialError::Malformed(format!("{name} is not a date-time")))
            })
            .transpose()
    };
    // VC 1.1 names the same two dates otherwise.
    let vc1 = credential.pointer("/@context/0").and_then(Value::as_str)
        == Some(super::contexts::CREDENTIALS_V1);
    let (from, until) = if vc1 {
        ("issuanceDate", "expirationDate")
    } else {
        ("validFrom", "validUntil")
    };
    let valid_from = date(from)?
        .ok_or_else(|| CredentialError::Malformed(format!("the credential has no {from}")))?;
    if valid_from - now > tolerance {
        return Err(CredentialError::NotYetValid(valid_from));
    }
    let valid_until = date(until)?;
    if let Some(until) = valid_until {
        if now >= until {
            return Err(CredentialError::Expired(until));
        }
    }
    // Open Badges lets a subject go without an id (named, or by a hashed `identifier`): such a
    // credential verifies, and is no one's to present or keep as their own by DID.
    let subject = match credential.get("credentialSubject") {
        Some(Value::Object(subject)) => subject.get("id").and_then(Value::as_str).unwrap_or(""),
        _ => return Err(CredentialError::NoSubject),
    };
    let endorsements = endorsements_of(credential, &checked.key, now, tolerance, contexts)?;
    let trust = if trusted.contains(&checked.key) {
        Trust::Signed { key: checked.key }
    } else if let Some(by) = endorsements.iter().find(|e| trusted.contains(&e.publisher)) {
        Trust::Endorsed {
            publisher: by.publisher,
            provider: by.provider.clone(),
        }
    } else {
        Trust::Unknown {
            endorsed_by: endorsements.first().cloned().map(Box::new),
        }
    };
    Ok(Verified {
        issuer: issuer.to_owned(),
        issuer_name: credential
            .pointer("/issuer/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        trusted_issuer: trust.is_trusted(),
        trust,
        endorsements,
        subject: subject.to_owned(),
        achievement: credential
            .pointer("/credentialSubject/achievement/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned(),
        valid_from,
        valid_until,
        revocation: Revocation::NotChecked,
        old_form: super::contexts::is_old_form(credential),
    })
}

/// Each endorsement in `issuer.endorsement`, checked as a credential of its own, and each
/// endorsing `signer`, the key that signed the credential.
fn endorsements_of(
    credential: &Value,
    signer: &PublicKey,
    now: DateTime<Utc>,
    tolerance: Duration,
    contexts: &Contexts,
) -> Result<Vec<CheckedEndorsement>, CredentialError> {
    let Some(listed) = credential.pointer("/issuer/endorsement") else {
        return Ok(Vec::new());
    };
    let Value::Array(listed) = listed else {
        return Err(CredentialError::BadEndorsement(
            "the issuer's endorsements are not a list".into(),
        ));
    };
    listed
        .iter()
        .map(|endorsement| {
            let checked = check_endorsement(endorsement, now, tolerance, contexts)?;
            if checked.issuer != *signer {
                return Err(CredentialError::BadEndorsement(format!(
                    "it endorses {}, not {}, the key that signed the credential",
                    checked.issuer.to_did_key(),
                    signer.to_did_key()
                )));
            }
            Ok(checked)
        })
        .collect()
}
