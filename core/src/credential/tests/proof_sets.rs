//! Proof sets: a credential signed by its issuer and by another key (a co-signer, a notary),
//! each proof over the document without the others, as Data Integrity says. Every proof must
//! verify and one must be the issuer's; a set with none by the issuer, a changed proof, a
//! chain or more proofs than are read are refused by name.

use serde_json::Value;

use super::signed_sample;
use crate::credential::{
    add_proof, verify, Contexts, CredentialError, Cryptosuite, ProofOptions, Trust,
};
use crate::keys::SecretKey;

/// A proof over `unsigned` by `key`.
fn proof_by(unsigned: &Value, key: &SecretKey) -> Value {
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: "2026-11-25T10:00:00Z".into(),
        verification_method: key.public_key().to_verification_method(),
    };
    // A proof alone, as one member of a set (a signer writes a set of one).
    add_proof(unsigned, key, &options, Contexts::bundled()).expect("signs")["proof"][0].clone()
}

fn check(
    credential: &Value,
    trusted: &SecretKey,
) -> Result<crate::credential::Verified, CredentialError> {
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T00:00:00Z")
        .expect("date")
        .with_timezone(&chrono::Utc);
    verify(
        credential,
        &[trusted.public_key()],
        now,
        crate::credential::CLOCK_TOLERANCE,
        Contexts::bundled(),
    )
}

#[test]
fn a_proof_set_verifies_when_every_proof_does_and_one_is_the_issuers() {
    let (signed, issuer) = signed_sample(Cryptosuite::EddsaRdfc2022);
    let mut unsigned = signed.clone();
    unsigned.as_object_mut().expect("object").remove("proof");
    let issuers_proof = signed["proof"][0].clone();
    let notary = SecretKey::from_seed(&[91; 32]);
    let set = |proofs: Vec<Value>| {
        let mut credential = unsigned.clone();
        credential["proof"] = Value::Array(proofs);
        credential
    };

    // The issuer's proof and a notary's, in either order.
    for proofs in [
        vec![issuers_proof.clone(), proof_by(&unsigned, &notary)],
        vec![proof_by(&unsigned, &notary), issuers_proof.clone()],
    ] {
        let verified = check(&set(proofs), &issuer).expect("verifies");
        assert!(matches!(verified.trust, Trust::Signed { key } if key == issuer.public_key()));
    }

    // A changed proof in the set fails the credential.
    let mut changed = proof_by(&unsigned, &notary);
    changed["created"] = "2026-11-26T10:00:00Z".into();
    let refused = check(&set(vec![issuers_proof.clone(), changed]), &issuer);
    assert!(
        matches!(refused, Err(CredentialError::BadSignature)),
        "{refused:?}"
    );

    // No proof by the issuer: the notary's word is not the issuer's.
    let other = SecretKey::from_seed(&[92; 32]);
    let refused = check(
        &set(vec![
            proof_by(&unsigned, &notary),
            proof_by(&unsigned, &other),
        ]),
        &issuer,
    );
    assert!(
        matches!(refused, Err(CredentialError::IssuerMismatch { .. })),
        "{refused:?}"
    );

    // A chain, and more proofs than are read.
    let mut chained = proof_by(&unsigned, &notary);
    chained["previousProof"] = "urn:uuid:1".into();
    let refused = check(&set(vec![issuers_proof.clone(), chained]), &issuer);
    assert!(
        matches!(refused, Err(CredentialError::BadProof(_))),
        "{refused:?}"
    );
    let many = vec![issuers_proof; 5];
    assert!(matches!(
        check(&set(many), &issuer),
        Err(CredentialError::BadProof(_))
    ));
}
