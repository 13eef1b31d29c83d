//! Data Integrity proofs with Ed25519 (W3C vc-di-eddsa): `eddsa-rdfc-2022`, what Open
//! Badges 3.0 conformance asks for, and `eddsa-jcs-2022` (RFC 8785 canonical JSON, cheap on
//! a phone). Both sign SHA-256 of the canonical proof configuration followed by SHA-256 of
//! the canonical document; they differ only in how each is made canonical. A proof is
//! written as a one-item array, as the Open Badges 3.0 JSON Schema wants.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::contexts::{Contexts, ED25519_SIGNATURE_2020_V1};
use super::rdfc::{canonical_nquads_with, Literals};
use super::CredentialError;
use crate::keys::{PublicKey, SecretKey};

/// The proof type every proof here has.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The proof type of the suite before Data Integrity, which VC 1.1 Open Badges were signed
/// with (verified, never written).
pub const ED25519_SIGNATURE_2020: &str = "Ed25519Signature2020";
/// The purpose of a credential's proof: the issuer asserts it.
pub const ASSERTION_METHOD: &str = "assertionMethod";

/// How a proof makes its inputs canonical.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cryptosuite {
    /// RDF dataset canonicalisation of the JSON-LD (Open Badges 3.0 conformance).
    EddsaRdfc2022,
    /// RFC 8785 canonical JSON.
    EddsaJcs2022,
}

impl Cryptosuite {
    /// Its name in a proof.
    pub fn name(self) -> &'static str {
        match self {
            Self::EddsaRdfc2022 => "eddsa-rdfc-2022",
            Self::EddsaJcs2022 => "eddsa-jcs-2022",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "eddsa-rdfc-2022" => Some(Self::EddsaRdfc2022),
            "eddsa-jcs-2022" => Some(Self::EddsaJcs2022),
            _ => None,
        }
    }
}

/// What a proof states besides its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofOptions {
    /// How it is made canonical.
    pub cryptosuite: Cryptosuite,
    /// When it was made (an XML Schema dateTime, as `2026-11-24T10:00:00Z`).
    pub created: String,
    /// The key that signs, as a URL (`did:key:z6Mk…#z6Mk…`).
    pub verification_method: String,
}

/// A proof that checked: which key made it, how and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedProof {
    /// The options the proof states.
    pub options: ProofOptions,
    /// The key whose signature it is.
    pub key: PublicKey,
}

/// The proof configuration: the options as a JSON-LD object under the document's context.
pub fn proof_configuration(options: &ProofOptions, context: Option<&Value>) -> Value {
    let mut config = Map::new();
    if let Some(context) = context {
        config.insert("@context".into(), context.clone());
    }
    config.insert("type".into(), PROOF_TYPE.into());
    config.insert("cryptosuite".into(), options.cryptosuite.name().into());
    config.insert("created".into(), options.created.clone().into());
    config.insert(
        "verificationMethod".into(),
        options.verification_method.clone().into(),
    );
    config.insert("proofPurpose".into(), ASSERTION_METHOD.into());
    Value::Object(config)
}

/// The bytes a proof signs: SHA-256 of the canonical configuration, then of the canonical
/// document (without its proof).
pub fn signing_input(
    document: &Value,
    configuration: &Value,
    cryptosuite: Cryptosuite,
    contexts: &Contexts,
) -> Result<[u8; 64], CredentialError> {
    signing_input_with(
        document,
        configuration,
        cryptosuite,
        contexts,
        Literals::JsonLdApi,
    )
}

/// [`signing_input`], with native values made literals the way `literals` says.
pub(super) fn signing_input_with(
    document: &Value,
    configuration: &Value,
    cryptosuite: Cryptosuite,
    contexts: &Contexts,
    literals: Literals,
) -> Result<[u8; 64], CredentialError> {
    let hash = |value: &Value| -> Result<[u8; 32], CredentialError> {
        let mut hasher = Sha256::new();
        match cryptosuite {
            Cryptosuite::EddsaRdfc2022 => {
                for line in canonical_nquads_with(value, contexts, literals)? {
                    hasher.update(line.as_bytes());
                }
            }
            Cryptosuite::EddsaJcs2022 => hasher.update(
                crate::canonical::to_canonical_json(value)
                    .map_err(|e| CredentialError::Malformed(e.to_string()))?,
            ),
        }
        Ok(hasher.finalize().into())
    };
    let mut input = [0u8; 64];
    input[..32].copy_from_slice(&hash(configuration)?);
    input[32..].copy_from_slice(&hash(document)?);
    Ok(input)
}

/// `document` (a JSON object without a proof) with a proof by `key` added.
pub fn add_proof(
    document: &Value,
    key: &SecretKey,
    options: &ProofOptions,
    contexts: &Contexts,
) -> Result<Value, CredentialError> {
    let Value::Object(map) = document else {
        return Err(CredentialError::Malformed(
            "a credential is a JSON object".into(),
        ));
    };
    if map.contains_key("proof") {
        return Err(CredentialError::Malformed(
            "the document already has a proof".into(),
        ));
    }
    let configuration = proof_configuration(options, map.get("@context"));
    let input = signing_input(document, &configuration, options.cryptosuite, contexts)?;
    let signature = key.sign(&input);
    let Value::Object(mut proof) = proof_configuration(options, None) else {
        return Err(CredentialError::Malformed(
            "the proof is not an object".into(),
        ));
    };
    proof.insert(
        "proofValue".into(),
        format!("z{}", bs58::encode(signature).into_string()).into(),
    );
    let mut signed = map.clone();
    signed.insert("proof".into(), Value::Array(vec![Value::Object(proof)]));
    Ok(Value::Object(signed))
}

/// Checks the one proof of `signed`, finding the key with `resolve` (given the proof's
/// verification method; `did:key` methods resolve with [`did_key_method`]).
pub fn check_proof(
    signed: &Value,
    contexts: &Contexts,
    resolve: &dyn Fn(&str) -> Option<PublicKey>,
) -> Result<CheckedProof, CredentialError> {
    let Value::Object(map) = signed else {
        return Err(CredentialError::Malformed(
            "a credential is a JSON object".into(),
        ));
    };
    let proof = match map.get("proof") {
        Some(Value::Array(proofs)) if proofs.len() == 1 => &proofs[0],
        Some(Value::Array(proofs)) => {
            return Err(CredentialError::BadProof(format!(
                "{} proofs, where one is expected",
                proofs.len()
            )))
        }
        Some(proof @ Value::Object(_)) => proof,
        _ => return Err(CredentialError::BadProof("there is no proof".into())),
    };
    let field = |name: &str| -> Result<&str, CredentialError> {
        proof
            .get(name)
            .and_then(Value::as_str)
            .ok_or_else(|| CredentialError::BadProof(format!("the proof has no {name}")))
    };
    let cryptosuite = match field("type")? {
        PROOF_TYPE => Cryptosuite::from_name(field("cryptosuite")?).ok_or_else(|| {
            CredentialError::BadProof(format!(
                "the cryptosuite {} is not known",
                field("cryptosuite").unwrap_or("")
            ))
        })?,
        // The suite before Data Integrity: the same RDFC-1.0, SHA-256 and Ed25519 over the
        // document and the proof's options, its terms defined by its own context, which the
        // credential must name.
        ED25519_SIGNATURE_2020 => {
            let named = match map.get("@context") {
                Some(Value::Array(list)) => list.iter().any(|c| c == ED25519_SIGNATURE_2020_V1),
                _ => false,
            };
            if !named || proof.get("cryptosuite").is_some() {
                return Err(CredentialError::BadProof(format!(
                    "an Ed25519Signature2020 proof needs the credential to name its context \
                     {ED25519_SIGNATURE_2020_V1}, and has no cryptosuite"
                )));
            }
            Cryptosuite::EddsaRdfc2022
        }
        other => {
            return Err(CredentialError::BadProof(format!(
                "a proof of type {other} is not known"
            )))
        }
    };
    if field("proofPurpose")? != ASSERTION_METHOD {
        return Err(CredentialError::BadProof(
            "the proof's purpose is not assertionMethod".into(),
        ));
    }
    // `created` is optional in a Data Integrity proof; when absent it is absent from the
    // configuration that was signed too.
    let created = match proof.get("created") {
        None => String::new(),
        Some(_) => field("created")?.to_owned(),
    };
    let options = ProofOptions {
        cryptosuite,
        created,
        verification_method: field("verificationMethod")?.to_owned(),
    };
    let key = resolve(&options.verification_method)
        .ok_or_else(|| CredentialError::UnknownKey(options.verification_method.clone()))?;
    let signature = decode_signature(field("proofValue")?)?;
    let mut document = map.clone();
    document.remove("proof");
    let document = Value::Object(document);
    proof_context_leads(proof, &document)?;
    let mut configuration = proof.clone();
    if let Value::Object(c) = &mut configuration {
        c.remove("proofValue");
        if let Some(context) = document.get("@context") {
            c.insert("@context".into(), context.clone());
        }
    }
    let input = signing_input(&document, &configuration, cryptosuite, contexts)?;
    if key.verify(&input, &signature).is_err()
        && !signed_by_first_release(
            &document,
            &configuration,
            &options,
            contexts,
            &key,
            &signature,
        )?
    {
        return Err(CredentialError::BadSignature);
    }
    Ok(CheckedProof { options, key })
}

/// Whether a credential of the old form carries a signature over the canonical form
/// Skillpack's first releases wrote, which differs from the JSON-LD API's for a learner's
/// name (a boolean) and fractional credits: such credentials keep verifying here, as the old
/// form (`contexts::is_old_form`); no other credential gets this second reading.
fn signed_by_first_release(
    document: &Value,
    configuration: &Value,
    options: &ProofOptions,
    contexts: &Contexts,
    key: &PublicKey,
    signature: &[u8; 64],
) -> Result<bool, CredentialError> {
    if options.cryptosuite != Cryptosuite::EddsaRdfc2022 || !super::contexts::is_old_form(document)
    {
        return Ok(false);
    }
    let input = signing_input_with(
        document,
        configuration,
        options.cryptosuite,
        contexts,
        Literals::FirstReleases,
    )?;
    Ok(key.verify(&input, signature).is_ok())
}

/// A proof that states its own `@context` is checked against the document's, as the
/// cryptosuites ask: the document's list must start with the proof's, in the same order. (The
/// configuration is then signed under the document's context.)
pub(super) fn proof_context_leads(proof: &Value, document: &Value) -> Result<(), CredentialError> {
    let Some(stated) = proof.get("@context") else {
        return Ok(());
    };
    let as_list = |v: &Value| match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    };
    let stated = as_list(stated);
    let document = document.get("@context").map(as_list).unwrap_or_default();
    if document.len() < stated.len() || document[..stated.len()] != stated[..] {
        return Err(CredentialError::BadProof(
            "the proof's @context is not where the credential's begins".into(),
        ));
    }
    Ok(())
}

/// The key of a `did:key:z6Mk…#z6Mk…` verification method (the fragment must name the
/// same key), or `None` for any other kind of method.
pub fn did_key_method(method: &str) -> Option<PublicKey> {
    let did = method.strip_prefix("did:key:")?.split('#').next()?;
    let key = PublicKey::parse(did).ok()?;
    (key.to_verification_method() == method).then_some(key)
}

pub(super) fn decode_signature(proof_value: &str) -> Result<[u8; 64], CredentialError> {
    let bad = || CredentialError::BadProof("the proofValue is not a base58btc signature".into());
    let text = proof_value.strip_prefix('z').ok_or_else(bad)?;
    if text.len() > 100 {
        return Err(bad());
    }
    let bytes = bs58::decode(text).into_vec().map_err(|_| bad())?;
    bytes.try_into().map_err(|_| bad())
}
