//! Verifiable Presentations a holder signs with the key of its `did:key`. Two kinds:
//!
//! - a wallet's DID authentication (W3C VCALM, "DID Authentication"): the holder signs a
//!   verifier's challenge and domain and carries no credentials, so the verifier learns that
//!   whoever answers controls that DID ([`verify_did_authentication`]);
//! - a worker's presentation of credentials it holds, signed over the client's challenge
//!   ([`present`], [`verify_presentation`] in `presentation/credentials.rs`).
//!
//! Two proofs are read, both Ed25519 over the RDFC-1.0 canonical form of the presentation
//! and of the proof's options: `Ed25519Signature2020`, which the Learner Credential Wallet
//! signs with, and a Data Integrity `eddsa-rdfc-2022` proof. Anything else (several proofs,
//! another kind of DID) is refused by name before any canonicalisation.

use serde_json::{Map, Value};

use super::contexts::{Contexts, CREDENTIALS_V2, ED25519_SIGNATURE_2020_V1};
use super::proof::{decode_signature, did_key_method, proof_context_leads, signing_input};
use super::{CredentialError, Cryptosuite};
use crate::keys::PublicKey;

/// The proof purpose of a DID authentication.
pub const AUTHENTICATION: &str = "authentication";

/// What the verifier asked the holder to sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DidAuthRequest<'a> {
    /// The verifier's challenge: random, and used once.
    pub challenge: &'a str,
    /// The verifier's domain (its origin, `https://hub.example`).
    pub domain: &'a str,
}

/// How a DID authentication was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthProof {
    /// `Ed25519Signature2020` (the Learner Credential Wallet).
    Ed25519Signature2020,
    /// `DataIntegrityProof` with the `eddsa-rdfc-2022` cryptosuite.
    EddsaRdfc2022,
}

/// A DID authentication that checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DidAuthenticated {
    /// The holder's DID (a `did:key`), which signed.
    pub holder: String,
    /// Its key.
    pub key: PublicKey,
    /// How it signed.
    pub proof: AuthProof,
}

/// Why a holder's presentation was refused.
#[derive(Debug, thiserror::Error)]
pub enum PresentationError {
    /// Not a presentation this verifier reads.
    #[error("not a DID authentication: {0}")]
    Malformed(String),
    /// The holder is not an Ed25519 `did:key`, the only DIDs read here.
    #[error("the holder {0:?} is not a did:key of an Ed25519 key")]
    UnsupportedHolder(String),
    /// A proof of a kind this verifier does not check.
    #[error("the proof is not one accepted here: {0}")]
    UnsupportedProof(String),
    /// Signed over another challenge (or none): an answer to another request, or a replay.
    #[error("the proof does not answer this challenge")]
    WrongChallenge,
    /// Signed for another verifier's domain (or none).
    #[error("the proof is for the domain {found:?}, not {expected:?}")]
    WrongDomain {
        /// The domain in the proof (empty when there is none).
        found: String,
        /// The domain asked for.
        expected: String,
    },
    /// Signed by a key that is not the holder's.
    #[error("the proof is signed by {0}, which is not the holder's key")]
    NotHolder(String),
    /// The signature does not match the presentation and its options.
    #[error("the signature does not match: the presentation was changed or signed otherwise")]
    BadSignature,
    /// A credential it carries is not about the holder: the worker presents only their own.
    #[error("the credential {credential} is about {subject}, not the holder")]
    NotTheHoldersCredential {
        /// The credential's id.
        credential: String,
        /// Whom it is about.
        subject: String,
    },
    /// A credential it carries did not verify.
    #[error("the credential {credential} does not verify: {why}")]
    CredentialRefused {
        /// The credential's id (or its place in the list, when it has none).
        credential: String,
        /// Why.
        why: CredentialError,
    },
    /// Canonicalisation refused it (too large, undefined terms, a context not bundled).
    #[error(transparent)]
    Credential(#[from] CredentialError),
}

/// Checks `presentation`, a holder's answer to `request`: one proof, for authentication, over
/// this challenge and domain, by the key of the holder's `did:key`. Gives the holder.
pub fn verify_did_authentication(
    presentation: &Value,
    request: DidAuthRequest<'_>,
    contexts: &Contexts,
) -> Result<DidAuthenticated, PresentationError> {
    let map = presentation_map(presentation)?;
    if map.contains_key("verifiableCredential") {
        return Err(malformed("a DID authentication carries no credentials"));
    }
    let signed = check_holder_proof(map, contexts)?;
    if signed.challenge.as_deref() != Some(request.challenge) {
        return Err(PresentationError::WrongChallenge);
    }
    if signed.domain.as_deref() != Some(request.domain) {
        return Err(PresentationError::WrongDomain {
            found: signed.domain.unwrap_or_default(),
            expected: request.domain.to_owned(),
        });
    }
    Ok(DidAuthenticated {
        holder: signed.holder,
        key: signed.key,
        proof: signed.proof,
    })
}

/// A presentation's one proof that checked out, and what it was signed over.
pub(crate) struct HolderSigned {
    /// The holder's `did:key`.
    pub holder: String,
    /// Its key, which signed.
    pub key: PublicKey,
    /// How it signed.
    pub proof: AuthProof,
    /// The challenge signed, if any.
    pub challenge: Option<String>,
    /// The domain signed, if any.
    pub domain: Option<String>,
}

fn malformed(why: &str) -> PresentationError {
    PresentationError::Malformed(why.to_owned())
}

/// `presentation` as an object, once its context and type are a VC 2.0 presentation's.
fn presentation_map(presentation: &Value) -> Result<&Map<String, Value>, PresentationError> {
    let Value::Object(map) = presentation else {
        return Err(malformed("a presentation is a JSON object"));
    };
    let context = listed(map.get("@context"));
    if context.first().and_then(|c| c.as_str()) != Some(CREDENTIALS_V2) {
        return Err(malformed(
            "a presentation's @context begins with the VC 2.0 context",
        ));
    }
    if !listed(map.get("type")).contains(&&Value::from("VerifiablePresentation")) {
        return Err(malformed("its type is not VerifiablePresentation"));
    }
    Ok(map)
}

/// Checks the one proof of a presentation: for authentication, by the key of the holder's
/// `did:key`, over the presentation as it is (credentials included) and the proof's options.
fn check_holder_proof(
    map: &Map<String, Value>,
    contexts: &Contexts,
) -> Result<HolderSigned, PresentationError> {
    let context = listed(map.get("@context"));
    let holder = match map.get("holder") {
        Some(Value::String(holder)) => holder.as_str(),
        Some(_) => return Err(malformed("the holder is written as a DID")),
        None => return Err(malformed("it names no holder")),
    };
    let holder_key = PublicKey::parse(holder)
        .map_err(|_| PresentationError::UnsupportedHolder(holder.into()))?;
    let proof = match map.get("proof") {
        Some(proof @ Value::Object(_)) => proof,
        Some(Value::Array(proofs)) if proofs.len() == 1 => &proofs[0],
        Some(Value::Array(proofs)) => {
            return Err(PresentationError::Malformed(format!(
                "{} proofs, where one is expected",
                proofs.len()
            )))
        }
        _ => return Err(malformed("it has no proof")),
    };
    let text = |name: &str| proof.get(name).and_then(Value::as_str);
    let kind = match (text("type"), text("cryptosuite")) {
        (Some("Ed25519Signature2020"), None) => {
            if !context.contains(&&Value::from(ED25519_SIGNATURE_2020_V1)) {
                return Err(PresentationError::UnsupportedProof(format!(
                    "an Ed25519Signature2020 proof needs its context {ED25519_SIGNATURE_2020_V1}"
                )));
            }
            AuthProof::Ed25519Signature2020
        }
        (Some("DataIntegrityProof"), Some("eddsa-rdfc-2022")) => AuthProof::EddsaRdfc2022,
        (kind, suite) => {
            return Err(PresentationError::UnsupportedProof(format!(
                "{} {}: only Ed25519Signature2020 and DataIntegrityProof eddsa-rdfc-2022 are",
                kind.unwrap_or("a proof without a type"),
                suite.unwrap_or("")
            )))
        }
    };
    if text("proofPurpose") != Some(AUTHENTICATION) {
        return Err(PresentationError::UnsupportedProof(
            "its purpose is not authentication".into(),
        ));
    }
    let method = text("verificationMethod").unwrap_or("");
    let key = did_key_method(method).ok_or_else(|| PresentationError::NotHolder(method.into()))?;
    if key != holder_key {
        return Err(PresentationError::NotHolder(method.into()));
    }
    let signature = decode_signature(text("proofValue").unwrap_or(""))?;
    let mut document = map.clone();
    document.remove("proof");
    let document = Value::Object(document);
    proof_context_leads(proof, &document)?;
    // The options signed are the proof without its value, under the presentation's context
    // (jsonld-signatures' `canonizeProof`, and the Data Integrity proof configuration).
    let mut configuration = proof.clone();
    if let Value::Object(options) = &mut configuration {
        options.remove("proofValue");
        if let Some(context) = document.get("@context") {
            options.insert("@context".into(), context.clone());
        }
    }
    let input = signing_input(
        &document,
        &configuration,
        Cryptosuite::EddsaRdfc2022,
        contexts,
    )?;
    key.verify(&input, &signature)
        .map_err(|_| PresentationError::BadSignature)?;
    Ok(HolderSigned {
        holder: holder.to_owned(),
        key,
        proof: kind,
        challenge: text("challenge").map(str::to_owned),
        domain: text("domain").map(str::to_owned),
    })
}

/// A JSON-LD value that may be one item or a list, as a list.
fn listed(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

mod credentials;
pub mod summary;
#[cfg(test)]
mod tests;

pub(crate) use credentials::carried_by;
#[cfg(any(test, feature = "testing"))]
pub(crate) use credentials::sign_presentation;
pub use credentials::{
    present, verify_presentation, PresentationRequest, VerifiedPresentation, MAX_PRESENTED,
};
