//! DID authentications held to what the wallet's libraries sign: the golden presentations in
//! `credential/examples/didauth-*.json` are written by Digital Bazaar's libraries (and, for
//! `Ed25519Signature2020`, checked to be what the Digital Credentials Consortium's forks in the
//! Learner Credential Wallet sign too) by `scripts/didauth-golden`; each check that refuses
//! one is tried on a copy changed in exactly that way.

use serde_json::{json, Value};

use super::*;
use crate::keys::SecretKey;

const ED25519_2020: &str = include_str!("../examples/didauth-ed25519-signature-2020.json");
const EDDSA_RDFC: &str = include_str!("../examples/didauth-eddsa-rdfc-2022.json");

/// The golden file's presentation and the request it answers.
fn golden(text: &str) -> (Value, String, String, String) {
    let file: Value = serde_json::from_str(text).expect("json");
    let field = |name: &str| file[name].as_str().expect(name).to_owned();
    (
        file["presentation"].clone(),
        field("challenge"),
        field("domain"),
        field("seed"),
    )
}

fn check(
    presentation: &Value,
    challenge: &str,
    domain: &str,
) -> Result<DidAuthenticated, PresentationError> {
    verify_did_authentication(
        presentation,
        DidAuthRequest { challenge, domain },
        Contexts::bundled(),
    )
}

#[test]
fn the_wallets_libraries_did_authentications_verify_and_name_the_holder() {
    for (text, kind) in [
        (ED25519_2020, AuthProof::Ed25519Signature2020),
        (EDDSA_RDFC, AuthProof::EddsaRdfc2022),
    ] {
        let (presentation, challenge, domain, seed) = golden(text);
        let seed: [u8; 32] = crate::hex::decode(&seed).expect("a 32-byte seed");
        let holder = SecretKey::from_seed(&seed).public_key();
        let checked = check(&presentation, &challenge, &domain).expect("verifies");
        assert_eq!(
            checked,
            DidAuthenticated {
                holder: holder.to_did_key(),
                key: holder,
                proof: kind
            }
        );
    }
}

#[test]
fn an_answer_to_another_challenge_or_domain_is_refused() {
    for text in [ED25519_2020, EDDSA_RDFC] {
        let (presentation, challenge, domain, _) = golden(text);
        assert!(matches!(
            check(&presentation, "another challenge", &domain),
            Err(PresentationError::WrongChallenge)
        ));
        let refused = check(&presentation, &challenge, "https://other.example").unwrap_err();
        assert!(
            matches!(&refused, PresentationError::WrongDomain { found, .. } if *found == domain),
            "{refused}"
        );
    }
}

#[test]
fn a_changed_presentation_or_proof_option_breaks_the_signature() {
    for text in [ED25519_2020, EDDSA_RDFC] {
        let (presentation, challenge, domain, _) = golden(text);
        let mut later = presentation.clone();
        later["proof"]["created"] = json!("2026-12-08T10:00:01Z");
        let mut other_value = presentation.clone();
        let value = other_value["proof"]["proofValue"]
            .as_str()
            .unwrap()
            .to_owned();
        let flipped = if value.ends_with('2') { "3" } else { "2" };
        other_value["proof"]["proofValue"] =
            json!(format!("{}{flipped}", &value[..value.len() - 1]));
        let mut with_id = presentation.clone();
        with_id["id"] = json!("urn:uuid:9f2d7c1e-0b5a-4c7e-9a41-8f6b2d3c4e5f");
        for changed in [later, other_value, with_id] {
            let refused = check(&changed, &challenge, &domain).unwrap_err();
            assert!(
                matches!(
                    refused,
                    PresentationError::BadSignature | PresentationError::Credential(_)
                ),
                "{refused}"
            );
        }
    }
}

#[test]
fn a_proof_by_another_key_than_the_holders_is_refused() {
    let (presentation, challenge, domain, _) = golden(ED25519_2020);
    let stranger = SecretKey::from_seed(&[3; 32]).public_key();
    let mut other_holder = presentation.clone();
    other_holder["holder"] = json!(stranger.to_did_key());
    let mut other_method = presentation.clone();
    other_method["proof"]["verificationMethod"] = json!(stranger.to_verification_method());
    let mut not_a_key = presentation.clone();
    not_a_key["proof"]["verificationMethod"] = json!("https://hub.example/keys/1");
    for changed in [other_holder, other_method, not_a_key] {
        assert!(
            matches!(
                check(&changed, &challenge, &domain),
                Err(PresentationError::NotHolder(_))
            ),
            "{changed}"
        );
    }
}

#[test]
fn presentations_outside_the_one_shape_are_refused_by_name() {
    let (presentation, challenge, domain, _) = golden(ED25519_2020);
    let with = |change: &dyn Fn(&mut Value)| {
        let mut changed = presentation.clone();
        change(&mut changed);
        check(&changed, &challenge, &domain).unwrap_err()
    };
    let proof = presentation["proof"].clone();
    type Change<'a> = Box<dyn Fn(&mut Value) + 'a>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|p| p["proof"] = json!([proof.clone(), proof.clone()])),
            "2 proofs",
        ),
        (
            Box::new(|p| p["verifiableCredential"] = json!([{"id": "urn:x"}])),
            "no credentials",
        ),
        (
            Box::new(|p| p["holder"] = json!("did:web:hub.example")),
            "did:key",
        ),
        (
            Box::new(|p| {
                p["holder"] = json!({"id": p["holder"].clone()});
            }),
            "written as a DID",
        ),
        (
            Box::new(|p| p["@context"] = json!(["https://www.w3.org/ns/credentials/v2"])),
            "needs its context",
        ),
        (
            Box::new(|p| p["@context"] = json!(["https://www.w3.org/2018/credentials/v1"])),
            "VC 2.0",
        ),
        (
            Box::new(|p| p["proof"]["proofPurpose"] = json!("assertionMethod")),
            "not authentication",
        ),
        (
            Box::new(|p| p["proof"]["type"] = json!("JsonWebSignature2020")),
            "JsonWebSignature2020",
        ),
        (
            Box::new(|p| p["type"] = json!(["VerifiableCredential"])),
            "VerifiablePresentation",
        ),
        (
            Box::new(|p| {
                p.as_object_mut().unwrap().remove("proof");
            }),
            "no proof",
        ),
    ];
    for (change, said) in cases {
        let refused = with(&*change);
        assert!(refused.to_string().contains(said), "{said}: {refused}");
    }
}

#[test]
fn a_presentation_too_large_to_canonicalise_is_refused_before_it_is_read() {
    let (mut presentation, challenge, domain, _) = golden(EDDSA_RDFC);
    presentation["id"] = json!(format!("urn:x:{}", "a".repeat(70_000)));
    assert!(matches!(
        check(&presentation, &challenge, &domain),
        Err(PresentationError::Credential(
            CredentialError::TooLarge { .. }
        ))
    ));
}
