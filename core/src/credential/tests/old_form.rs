//! Credentials of the first releases (the placeholder context, and for a learner's name or
//! fractional credits the json-ld crate's own literals) keep verifying here, reported as the
//! old form; the second reading is never given to a credential of the current form.

use super::*;

fn sign_as_first_release(unsigned: &Value, key: &SecretKey) -> Value {
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: "2026-11-24T10:00:00Z".into(),
        verification_method: key.public_key().to_verification_method(),
    };
    let configuration = proof::proof_configuration(&options, unsigned.get("@context"));
    let input = proof::signing_input_with(
        unsigned,
        &configuration,
        Cryptosuite::EddsaRdfc2022,
        Contexts::bundled(),
        rdfc::Literals::FirstReleases,
    )
    .expect("canonical");
    let mut proof = proof::proof_configuration(&options, None);
    proof["proofValue"] = format!("z{}", bs58::encode(key.sign(&input)).into_string()).into();
    let mut signed = unsigned.clone();
    signed["proof"] = json!([proof]);
    signed
}

fn at() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_795_000_000, 0).expect("date")
}

#[test]
fn an_old_form_credential_with_a_name_and_half_a_credit_verifies_as_the_old_form() {
    let key = SecretKey::from_seed(&[9; 32]);
    let mut unsigned: Value =
        serde_json::from_str(include_str!("../examples/old-form-named-ects.json")).expect("json");
    unsigned["issuer"]["id"] = key.public_key().to_did_key().into();
    let signed = sign_as_first_release(&unsigned, &key);
    let verified =
        verify(&signed, &[], at(), CLOCK_TOLERANCE, Contexts::bundled()).expect("verifies");
    assert!(verified.old_form);
    let mut changed = signed.clone();
    changed["credentialSubject"]["achievement"]["name"] = "Safe riding, advanced".into();
    assert!(matches!(
        verify(&changed, &[], at(), CLOCK_TOLERANCE, Contexts::bundled()),
        Err(CredentialError::BadSignature)
    ));
}

#[test]
fn a_current_credential_signed_over_the_old_literals_is_refused() {
    let key = SecretKey::from_seed(&[9; 32]);
    let mut unsigned: Value =
        serde_json::from_str(include_str!("../examples/microcredential-named-ects.json"))
            .expect("json");
    unsigned["issuer"]["id"] = key.public_key().to_did_key().into();
    let signed = sign_as_first_release(&unsigned, &key);
    assert!(matches!(
        verify(&signed, &[], at(), CLOCK_TOLERANCE, Contexts::bundled()),
        Err(CredentialError::BadSignature)
    ));
    let current = add_proof(
        &unsigned,
        &key,
        &ProofOptions {
            cryptosuite: Cryptosuite::EddsaRdfc2022,
            created: "2026-11-24T10:00:00Z".into(),
            verification_method: key.public_key().to_verification_method(),
        },
        Contexts::bundled(),
    )
    .expect("signs");
    let verified =
        verify(&current, &[], at(), CLOCK_TOLERANCE, Contexts::bundled()).expect("verifies");
    assert!(!verified.old_form);
}
