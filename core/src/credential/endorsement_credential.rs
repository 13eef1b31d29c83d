//! The provider's endorsement of a hub's issuer key as an Open Badges 3.0
//! `EndorsementCredential` (ADR 0006): signed with the provider's publisher key on the
//! trainer's own computer, embedded in `issuer.endorsement` of every credential the hub issues
//! for that provider, and checked as a credential of its own. A verifier who trusts the
//! provider's publisher key then trusts what the hub's key signs, offline, from the credential
//! alone. Unlike [`super::IssuerEndorsement`] (the own format a device learns at sync), any
//! Data Integrity verifier can check it.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Map, Value};

use super::badge::timestamp;
use super::contexts::{Contexts, CREDENTIALS_V2, OPEN_BADGES_V3};
use super::proof::{add_proof, check_proof, did_key_method, Cryptosuite, ProofOptions};
use super::CredentialError;
use crate::keys::{PublicKey, SecretKey};

/// Most endorsements one issuer profile may carry: Skillpack writes one.
pub const MAX_ENDORSEMENTS: usize = 4;

/// The longest provider name an endorsement states, in characters.
pub const MAX_PROVIDER_NAME_CHARS: usize = 200;

/// An endorsement that checked out on its own, and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedEndorsement {
    /// The key that signed it: the provider's publisher key.
    pub publisher: PublicKey,
    /// The issuer key it endorses.
    pub issuer: PublicKey,
    /// The provider's name, as the endorsement states it, if it does.
    pub provider: Option<String>,
    /// When it was signed.
    pub valid_from: DateTime<Utc>,
}

/// The `@context` of an endorsement: exactly the two published contexts (no ELM term is used).
pub fn endorsement_context() -> Value {
    json!([CREDENTIALS_V2, OPEN_BADGES_V3])
}

/// The provider whose publisher key is `publisher` endorses `issuer` to issue its credentials,
/// at `at`, under the name `provider` if given; `id_bytes` (16 random bytes) make its id, a
/// version 4 UUID. The endorsement has no end date: an
/// OB3 verifier judges an embedded endorsement when it verifies, and an expired one would make
/// every credential issued under it look bad years later.
pub fn endorse(
    publisher: &SecretKey,
    issuer: &PublicKey,
    provider: Option<&str>,
    id_bytes: [u8; 16],
    at: DateTime<Utc>,
    contexts: &Contexts,
) -> Result<Value, CredentialError> {
    let publisher_key = publisher.public_key();
    if publisher_key == *issuer {
        return Err(CredentialError::BadEndorsement(
            "a key cannot endorse itself: the issuer key is the publisher's own".into(),
        ));
    }
    let provider = provider.map(str::trim).filter(|name| !name.is_empty());
    if let Some(name) = provider {
        if name.chars().count() > MAX_PROVIDER_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(CredentialError::BadEndorsement(format!(
                "the provider's name must be one line of at most {MAX_PROVIDER_NAME_CHARS} \
                 characters"
            )));
        }
    }
    let mut profile = Map::new();
    profile.insert("id".into(), publisher_key.to_did_key().into());
    profile.insert("type".into(), json!(["Profile"]));
    if let Some(name) = provider {
        profile.insert("name".into(), name.into());
    }
    let (name, comment) = match provider {
        Some(name) => (
            format!("{name}: issuer key endorsement"),
            format!("This key issues Open Badges credentials for {name}."),
        ),
        None => (
            "Issuer key endorsement".to_owned(),
            "This key issues Open Badges credentials for the publisher whose key signed this \
             endorsement."
                .to_owned(),
        ),
    };
    let id = uuid::Builder::from_random_bytes(id_bytes).into_uuid();
    let unsigned = json!({
        "@context": endorsement_context(),
        "id": format!("urn:uuid:{id}"),
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": name,
        "issuer": Value::Object(profile),
        "validFrom": timestamp(&at),
        "credentialSubject": {
            "id": issuer.to_did_key(),
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
    });
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: timestamp(&at),
        verification_method: publisher_key.to_verification_method(),
    };
    add_proof(&unsigned, publisher, &options, contexts)
}

/// Checks `endorsement` as a credential of its own, as Open Badges 3.0 asks of an embedded
/// one: an `EndorsementCredential` under the two published contexts, its proof
/// `eddsa-rdfc-2022` by the `did:key` it names as its issuer, begun by `now` (within
/// `tolerance`), not expired, its subject an `EndorsementSubject` with a `did:key`.
/// Whose key it endorses is for the caller to compare.
pub fn check_endorsement(
    endorsement: &Value,
    now: DateTime<Utc>,
    tolerance: Duration,
    contexts: &Contexts,
) -> Result<CheckedEndorsement, CredentialError> {
    let bad = |why: &str| CredentialError::BadEndorsement(why.to_owned());
    if endorsement.get("@context") != Some(&endorsement_context()) {
        return Err(bad(
            "its @context is not exactly the VC 2.0 and Open Badges 3.0.3 contexts",
        ));
    }
    let has_type = |value: Option<&Value>, wanted: &str| {
        value
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|t| t == wanted))
    };
    if !has_type(endorsement.get("type"), "VerifiableCredential")
        || !has_type(endorsement.get("type"), "EndorsementCredential")
    {
        return Err(bad("it is not an EndorsementCredential"));
    }
    let checked = check_proof(endorsement, contexts, &did_key_method).map_err(|e| match e {
        CredentialError::BadSignature => bad("the publisher's signature does not match"),
        other => bad(&other.to_string()),
    })?;
    if checked.options.cryptosuite != Cryptosuite::EddsaRdfc2022 {
        return Err(bad("its proof is not eddsa-rdfc-2022"));
    }
    let issuer = super::verify::issuer_id(endorsement);
    if issuer != checked.key.to_did_key() {
        return Err(bad(&format!(
            "it names {issuer} as its issuer but was signed by {}",
            checked.key.to_did_key()
        )));
    }
    let date = |name: &str| -> Result<Option<DateTime<Utc>>, CredentialError> {
        endorsement
            .get(name)
            .map(|v| {
                v.as_str()
                    .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                    .map(|d| d.with_timezone(&Utc))
                    .ok_or_else(|| bad(&format!("its {name} is not a date-time")))
            })
            .transpose()
    };
    let valid_from = date("validFrom")?.ok_or_else(|| bad("it has no validFrom"))?;
    if valid_from - now > tolerance {
        return Err(bad(&format!("it is not valid before {valid_from}")));
    }
    if let Some(until) = date("validUntil")? {
        if now >= until {
            return Err(bad(&format!("it expired on {until}")));
        }
    }
    let subject = endorsement.get("credentialSubject");
    if !has_type(subject.and_then(|s| s.get("type")), "EndorsementSubject") {
        return Err(bad("its subject is not an EndorsementSubject"));
    }
    let endorsed = subject
        .and_then(|s| s.get("id"))
        .and_then(Value::as_str)
        .and_then(|id| PublicKey::parse(id).ok())
        .ok_or_else(|| bad("its subject is not a did:key"))?;
    let provider = endorsement
        .pointer("/issuer/name")
        .and_then(Value::as_str)
        .map(|name| crate::name::visible_text(name, MAX_PROVIDER_NAME_CHARS))
        .filter(|name| !name.is_empty());
    Ok(CheckedEndorsement {
        publisher: checked.key,
        issuer: endorsed,
        provider,
        valid_from,
    })
}
