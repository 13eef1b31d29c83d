//! A worker's presentation of credentials they hold: a Verifiable Presentation carrying the
//! credentials they chose (learning and work records), with one `eddsa-rdfc-2022` proof for
//! authentication by the key of their `did:key`, over the client's challenge and domain when
//! the client gave them. Whoever checks it learns that each credential verifies, that every
//! one is about the presenter, and that the presenter signed this answer to this request.
//! Remembering which challenges were given and used is the verifier's part (the device
//! store's), not this layer's.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

use super::{check_holder_proof, presentation_map, AuthProof, PresentationError, AUTHENTICATION};
use crate::credential::contexts::{Contexts, CREDENTIALS_V2};
use crate::credential::controller::ControllerDocument;
use crate::credential::proof::signing_input;
use crate::credential::{timestamp, verify_with, CredentialError, Cryptosuite, Verified};
use crate::keys::{PublicKey, SecretKey};

/// Most credentials one presentation carries: each is canonicalised again inside it, and a
/// client reads them on a phone.
pub const MAX_PRESENTED: usize = 8;

/// What the verifier asked the holder to sign over, when it asked: a presentation carried as
/// a file without a request has neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PresentationRequest<'a> {
    /// The verifier's challenge: random, given once.
    pub challenge: Option<&'a str>,
    /// The verifier's domain, if it named one.
    pub domain: Option<&'a str>,
}

/// A presentation that checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPresentation {
    /// The presenter's `did:key`: every credential is about it, and its key signed.
    pub holder: String,
    /// The challenge the presenter signed over, if any.
    pub challenge: Option<String>,
    /// The domain the presenter signed for, if any.
    pub domain: Option<String>,
    /// When the presenter says they signed it.
    pub created: Option<DateTime<Utc>>,
    /// Each credential, in the presenter's order, with its id.
    pub credentials: Vec<(String, Verified)>,
    /// The credentials as carried, in the same order (for their revocation entries).
    pub carried: Vec<Value>,
}

/// The credentials a presentation carries, as a list, within [`MAX_PRESENTED`].
fn carried(map: &Map<String, Value>) -> Result<Vec<&Value>, PresentationError> {
    let listed: Vec<&Value> = match map.get("verifiableCredential") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        Some(_) => {
            return Err(PresentationError::Malformed(
                "its credentials are not JSON objects".into(),
            ))
        }
        None => Vec::new(),
    };
    if listed.is_empty() {
        return Err(PresentationError::Malformed(
            "it carries no credentials".into(),
        ));
    }
    if listed.len() > MAX_PRESENTED {
        return Err(PresentationError::Malformed(format!(
            "it carries {} credentials; at most {MAX_PRESENTED} are read",
            listed.len()
        )));
    }
    Ok(listed)
}

/// The id a credential gives itself, or its place in the list when it has none.
fn credential_name(credential: &Value, place: usize) -> String {
    credential
        .get("id")
        .and_then(Value::as_str)
        .map_or_else(|| format!("number {}", place + 1), str::to_owned)
}

/// A presentation by `holder` of `credentials` (each about `holder`'s `did:key`, as
/// received), signed at `created` over the request's challenge and domain.
pub fn present(
    holder: &SecretKey,
    credentials: &[Value],
    request: PresentationRequest<'_>,
    created: DateTime<Utc>,
    contexts: &Contexts,
) -> Result<Value, PresentationError> {
    let did = holder.public_key().to_did_key();
    for (place, credential) in credentials.iter().enumerate() {
        let subject = credential
            .pointer("/credentialSubject/id")
            .and_then(Value::as_str)
            .unwrap_or("");
        if subject != did {
            return Err(PresentationError::NotTheHoldersCredential {
                credential: credential_name(credential, place),
                subject: subject.to_owned(),
            });
        }
    }
    let document = json!({
        "@context": [CREDENTIALS_V2],
        "type": ["VerifiablePresentation"],
        "holder": did,
        "verifiableCredential": credentials,
    });
    sign_presentation(holder, document, request, created, contexts)
}

/// `document`, a presentation without a proof, signed by `holder` at `created` over the
/// request's challenge and domain, whatever it carries ([`present`] checks that first).
pub(crate) fn sign_presentation(
    holder: &SecretKey,
    document: Value,
    request: PresentationRequest<'_>,
    created: DateTime<Utc>,
    contexts: &Contexts,
) -> Result<Value, PresentationError> {
    carried(presentation_map(&document)?)?;
    let mut options = Map::new();
    options.insert("type".into(), "DataIntegrityProof".into());
    options.insert(
        "cryptosuite".into(),
        Cryptosuite::EddsaRdfc2022.name().into(),
    );
    options.insert("created".into(), timestamp(&created).into());
    options.insert(
        "verificationMethod".into(),
        holder.public_key().to_verification_method().into(),
    );
    options.insert("proofPurpose".into(), AUTHENTICATION.into());
    if let Some(challenge) = request.challenge {
        options.insert("challenge".into(), challenge.into());
    }
    if let Some(domain) = request.domain {
        options.insert("domain".into(), domain.into());
    }
    let mut configuration = options.clone();
    configuration.insert("@context".into(), document["@context"].clone());
    let input = signing_input(
        &document,
        &Value::Object(configuration),
        Cryptosuite::EddsaRdfc2022,
        contexts,
    )?;
    options.insert(
        "proofValue".into(),
        format!("z{}", bs58::encode(holder.sign(&input)).into_string()).into(),
    );
    let mut signed = document;
    signed["proof"] = Value::Object(options);
    Ok(signed)
}

/// Checks `presentation` at `now`: the presenter's one proof (for authentication, by the key
/// of the holder's `did:key`, over the presentation as it is), the request's challenge and
/// domain when it gives them, and each credential it carries, verified as [`verify_with`]
/// does (trusting `trusted`, reading `documents` for issuers that are not a `did:key`) and
/// about the holder. The first check that fails is the error.
pub fn verify_presentation(
    presentation: &Value,
    request: PresentationRequest<'_>,
    trusted: &[PublicKey],
    now: DateTime<Utc>,
    tolerance: Duration,
    contexts: &Contexts,
    documents: &[ControllerDocument],
) -> Result<VerifiedPresentation, PresentationError> {
    let map = presentation_map(presentation)?;
    let listed = carried(map)?;
    let signed = check_holder_proof(map, contexts)?;
    if signed.proof != AuthProof::EddsaRdfc2022 {
        return Err(PresentationError::UnsupportedProof(
            "a presentation of credentials is signed with eddsa-rdfc-2022".into(),
        ));
    }
    if let Some(challenge) = request.challenge {
        if signed.challenge.as_deref() != Some(challenge) {
            return Err(PresentationError::WrongChallenge);
        }
    }
    if let Some(domain) = request.domain {
        if signed.domain.as_deref() != Some(domain) {
            return Err(PresentationError::WrongDomain {
                found: signed.domain.unwrap_or_default(),
                expected: domain.to_owned(),
            });
        }
    }
    let mut credentials = Vec::with_capacity(listed.len());
    let carried: Vec<Value> = listed.iter().map(|c| (*c).clone()).collect();
    for (place, credential) in listed.into_iter().enumerate() {
        let name = credential_name(credential, place);
        let verified = verify_with(credential, trusted, now, tolerance, contexts, documents)
            .map_err(|why| PresentationError::CredentialRefused {
                credential: name.clone(),
                why,
            })?;
        if verified.subject != signed.holder {
            return Err(PresentationError::NotTheHoldersCredential {
                credential: name,
                subject: verified.subject,
            });
        }
        credentials.push((name, verified));
    }
    let created = map
        .get("proof")
        .and_then(|p| p.get("created").or_else(|| p.pointer("/0/created")))
        .and_then(Value::as_str)
        .map(|text| {
            DateTime::parse_from_rfc3339(text)
                .map(|d| d.with_timezone(&Utc))
                .map_err(|_| CredentialError::Malformed("the proof's created is not a date".into()))
        })
        .transpose()?;
    Ok(VerifiedPresentation {
        holder: signed.holder,
        challenge: signed.challenge,
        domain: signed.domain,
        created,
        credentials,
        carried,
    })
}

/// The credentials `presentation` carries (one, or a list), within [`MAX_PRESENTED`]: what
/// a summary is matched against.
pub(crate) fn carried_by(presentation: &Value) -> Result<Vec<&Value>, PresentationError> {
    carried(presentation_map(presentation)?)
}
