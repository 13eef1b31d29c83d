//! Credentials others published, checked by our verifier: W3C's `eddsa-rdfc-2022` and
//! `Ed25519Signature2020` vectors (w3c/vc-di-eddsa) reproduced byte for byte, their proofs
//! checked; and the Digital Credentials Consortium's signed Open Badges (VC 2.0 with
//! `eddsa-rdfc-2022`, and VC 1.1 with `Ed25519Signature2020`) verified whole.
//! `tests/vectors/w3c/README.md` names each file's source and commit.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{json_of, text};
use crate::credential::{
    check_proof, did_key_method, rdfc, verify, Contexts, CredentialError, CLOCK_TOLERANCE,
};
use crate::keys::PublicKey;

const W3C: &str = "w3c";
const EXAMPLES_V2: &str = "https://www.w3.org/ns/credentials/examples/v2";

/// The bundled contexts and W3C's examples context, which only these vectors name.
fn with_examples() -> Contexts {
    Contexts::bundled()
        .with(
            EXAMPLES_V2,
            &text("eddsa-jcs-2022", "credentials-examples-v2.jsonld"),
        )
        .expect("a context")
}

fn vector_key() -> PublicKey {
    let pair = json_of(W3C, "keyPair.json");
    PublicKey::parse(pair["publicKeyMultibase"].as_str().expect("key")).expect("a key")
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T00:00:00Z")
        .expect("date")
        .with_timezone(&Utc)
}

#[test]
fn w3cs_eddsa_rdfc_vector_is_reproduced_and_its_proof_checks() {
    let contexts = with_examples();
    let unsigned = json_of(W3C, "unsigned.json");
    let document = rdfc::canonical_nquads(&unsigned, &contexts).expect("canonical");
    assert_eq!(document.concat(), text(W3C, "canonDocDataInt.txt"));
    let configuration = json_of(W3C, "proofConfigDataInt.json");
    let options = rdfc::canonical_nquads(&configuration, &contexts).expect("canonical");
    assert_eq!(options.concat(), text(W3C, "proofCanonDataInt.txt"));
    let signed = json_of(W3C, "signedDataInt.json");
    let checked = check_proof(&signed, &contexts, &did_key_method).expect("the proof checks");
    assert_eq!(checked.key, vector_key());
    // A changed byte breaks it.
    let mut changed = signed.clone();
    changed["credentialSubject"]["alumniOf"] = "The School of Examples".into();
    if changed == signed {
        changed["validFrom"] = "2023-01-01T00:00:01Z".into();
    }
    assert!(matches!(
        check_proof(&changed, &contexts, &did_key_method),
        Err(CredentialError::BadSignature)
    ));
    // As a credential it is refused, by name: it is no Open Badge, and the key that signed
    // it is not its issuer's (https://vc.example/issuers/5678).
    assert!(matches!(
        verify(&signed, &[], now(), CLOCK_TOLERANCE, &contexts),
        Err(CredentialError::Malformed(_))
    ));
}

#[test]
fn w3cs_ed25519_signature_2020_vector_is_reproduced_and_its_proof_checks() {
    let contexts = with_examples();
    let signed = json_of(W3C, "signedEdSig.json");
    let mut unsigned = signed.clone();
    unsigned.as_object_mut().expect("object").remove("proof");
    let document = rdfc::canonical_nquads(&unsigned, &contexts).expect("canonical");
    assert_eq!(document.concat(), text(W3C, "canonDocEdSig.txt"));
    let configuration = json_of(W3C, "proofConfigEdSig.json");
    let options = rdfc::canonical_nquads(&configuration, &contexts).expect("canonical");
    assert_eq!(options.concat(), text(W3C, "proofCanonEdSig.txt"));
    let checked = check_proof(&signed, &contexts, &did_key_method).expect("the proof checks");
    assert_eq!(checked.key, vector_key());
    // Without the suite's context named, the proof's terms mean nothing: refused by name.
    let mut unnamed = signed.clone();
    unnamed["@context"].as_array_mut().expect("list").pop();
    assert!(matches!(
        check_proof(&unnamed, &contexts, &did_key_method),
        Err(CredentialError::BadProof(_))
    ));
}

#[test]
fn the_dccs_signed_open_badges_verify_whole_in_vc_2_and_in_vc_1_1() {
    for (file, date) in [
        (
            "dcc-v2-eddsa-rdfc-2022-openbadge.json",
            "2025-01-09T15:06:31Z",
        ),
        (
            "dcc-v1-ed25519signature2020-openbadge.json",
            "2025-01-09T15:06:31Z",
        ),
    ] {
        let credential: Value = json_of(W3C, file);
        let verified = verify(
            &credential,
            &[],
            now(),
            CLOCK_TOLERANCE,
            Contexts::bundled(),
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(verified.issuer, crate::credential::issuer_id(&credential));
        assert_eq!(crate::credential::timestamp(&verified.valid_from), date);
        assert!(!verified.trusted_issuer);
        assert!(!verified.achievement.is_empty(), "{file}");
        // One character changed: its signature no longer holds.
        let mut changed = credential.clone();
        changed["credentialSubject"]["achievement"]["name"] = "BadgE".into();
        assert!(
            matches!(
                verify(&changed, &[], now(), CLOCK_TOLERANCE, Contexts::bundled()),
                Err(CredentialError::BadSignature)
            ),
            "{file}"
        );
    }
}
