//! The credential layer against the standard vectors (1EdTech's Open Badges 3.0
//! `eddsa-rdfc-2022` vector, W3C's `eddsa-jcs-2022` vectors), byte for byte, and against
//! tampering and hostile input.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::*;
use crate::hex;
use crate::keys::{PublicKey, SecretKey};

fn vectors(folder: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(folder)
}

fn text(folder: &str, file: &str) -> String {
    std::fs::read_to_string(vectors(folder).join(file)).expect("vector file")
}

fn json_of(folder: &str, file: &str) -> Value {
    serde_json::from_str(&text(folder, file)).expect("vector json")
}

fn sha256_hex(bytes: &[u8]) -> String {
    crate::hash::ContentHash::of(bytes).to_hex()
}

const OB3: &str = "ob3-eddsa-rdfc-2022";
const JCS: &str = "eddsa-jcs-2022";

fn ob3_key() -> (SecretKey, Value) {
    let keys = json_of(OB3, "keyPair-and-hashes.json");
    let private: [u8; 64] = hex::decode(keys["privateKeyHex"].as_str().expect("hex")).expect("hex");
    let seed: [u8; 32] = private[..32].try_into().expect("seed");
    (SecretKey::from_seed(&seed), keys)
}

fn ob3_options(keys: &Value) -> ProofOptions {
    ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: "2010-01-01T19:23:24Z".into(),
        verification_method: keys["id"].as_str().expect("id").into(),
    }
}

/// The vector's `https:` key, published by its controller document (our file).
fn ob3_resolver(method: &str) -> Option<PublicKey> {
    let controller = json_of(OB3, "controller-document.json");
    controller["verificationMethod"]
        .as_array()?
        .iter()
        .find(|m| m["id"] == method)
        .and_then(|m| PublicKey::parse(m["publicKeyMultibase"].as_str()?).ok())
}

#[test]
fn the_open_badges_rdfc_vector_is_reproduced_byte_for_byte() {
    let contexts = Contexts::bundled();
    let (key, keys) = ob3_key();
    assert_eq!(
        hex::encode(&key.public_key().to_bytes()),
        keys["publicKeyHex"].as_str().expect("hex")
    );
    let unsigned = json_of(OB3, "unsigned-openbadgecredential.json");
    let document = rdfc::canonical_nquads(&unsigned, contexts).expect("canonical");
    assert_eq!(document.concat(), text(OB3, "document-canon.txt"));
    let options = ob3_options(&keys);
    let configuration = proof::proof_configuration(&options, unsigned.get("@context"));
    let config = rdfc::canonical_nquads(&configuration, contexts).expect("canonical");
    assert_eq!(config.concat(), text(OB3, "proof-canon.txt"));
    assert_eq!(
        sha256_hex(document.concat().as_bytes()),
        keys["documentHashHex"].as_str().expect("hash")
    );
    assert_eq!(
        sha256_hex(config.concat().as_bytes()),
        keys["proofHashHex"].as_str().expect("hash")
    );
    let input = proof::signing_input(&unsigned, &configuration, options.cryptosuite, contexts)
        .expect("input");
    assert_eq!(
        hex::encode(&input),
        keys["dataToSignHex"].as_str().expect("hex")
    );
    let signed = add_proof(&unsigned, &key, &options, contexts).expect("signs");
    let ours = &signed["proof"][0];
    assert_eq!(ours["proofValue"], keys["proofValue"]);
    assert_eq!(
        hex::encode(&key.sign(&input)),
        keys["signatureHex"].as_str().expect("hex")
    );
    // The vector's own signed credential (its proof an object, not an array) verifies too.
    let theirs = json_of(OB3, "signed-openbadgecredential.json");
    let checked = check_proof(&theirs, contexts, &ob3_resolver).expect("verifies");
    assert_eq!(checked.key, key.public_key());
    check_proof(&signed, contexts, &ob3_resolver).expect("ours verifies");
}

#[test]
fn the_w3c_jcs_vectors_are_reproduced_byte_for_byte() {
    let contexts = Contexts::bundled();
    let pair = json_of(JCS, "keyPair.json");
    let key = SecretKey::parse(pair["privateKeyMultibase"].as_str().expect("key")).expect("key");
    assert_eq!(
        key.public_key().to_multibase(),
        pair["publicKeyMultibase"].as_str().expect("key")
    );
    let unsigned = json_of(JCS, "unsigned.json");
    let canonical = crate::canonical::to_canonical_json(&unsigned).expect("jcs");
    assert_eq!(
        String::from_utf8(canonical.clone()).expect("utf-8"),
        text(JCS, "canonDocJCS.txt")
    );
    assert_eq!(sha256_hex(&canonical), text(JCS, "docHashJCS.txt").trim());
    let config = json_of(JCS, "proofConfigJCS.json");
    let canonical_config = crate::canonical::to_canonical_json(&config).expect("jcs");
    assert_eq!(
        String::from_utf8(canonical_config.clone()).expect("utf-8"),
        text(JCS, "proofCanonJCS.txt")
    );
    assert_eq!(
        sha256_hex(&canonical_config),
        text(JCS, "proofHashJCS.txt").trim()
    );
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaJcs2022,
        created: config["created"].as_str().expect("created").into(),
        verification_method: config["verificationMethod"].as_str().expect("vm").into(),
    };
    let input =
        proof::signing_input(&unsigned, &config, options.cryptosuite, contexts).expect("input");
    assert_eq!(hex::encode(&input), text(JCS, "combinedHashJCS.txt").trim());
    let signature = key.sign(&input);
    assert_eq!(hex::encode(&signature), text(JCS, "sigHexJCS.txt").trim());
    let signed = add_proof(&unsigned, &key, &options, contexts).expect("signs");
    assert_eq!(
        signed["proof"][0]["proofValue"].as_str().expect("value"),
        text(JCS, "sigBTC58JCS.txt").trim()
    );
    let theirs = json_of(JCS, "signedJCS.json");
    let checked = check_proof(&theirs, contexts, &did_key_method).expect("verifies");
    assert_eq!(checked.key, key.public_key());
}

#[test]
fn a_proof_whose_context_does_not_lead_the_documents_is_refused_and_created_is_optional() {
    let contexts = Contexts::bundled();
    let theirs = json_of(JCS, "signedJCS.json");
    // The W3C's signed example states the proof's @context, and it leads the document's.
    assert!(
        theirs["proof"].get("@context").is_some() || theirs["proof"][0].get("@context").is_some()
    );
    let mut moved = theirs.clone();
    let proof = if moved["proof"].is_array() {
        &mut moved["proof"][0]
    } else {
        &mut moved["proof"]
    };
    proof["@context"] = json!(["https://www.w3.org/ns/credentials/examples/v2"]);
    assert!(matches!(
        check_proof(&moved, contexts, &did_key_method),
        Err(CredentialError::BadProof(why)) if why.contains("@context")
    ));

    // A proof signed without `created` verifies without it, and not with one added.
    let key = SecretKey::from_seed(&[9; 32]);
    let (sample, _) = signed_sample(Cryptosuite::EddsaJcs2022);
    let mut unsigned = sample.clone();
    unsigned.as_object_mut().expect("object").remove("proof");
    let mut config = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": key.public_key().to_verification_method(),
        "proofPurpose": "assertionMethod",
        "@context": unsigned["@context"].clone(),
    });
    let input = proof::signing_input(&unsigned, &config, Cryptosuite::EddsaJcs2022, contexts)
        .expect("input");
    let signature = key.sign(&input);
    config.as_object_mut().expect("object").remove("@context");
    config["proofValue"] = format!("z{}", bs58::encode(signature).into_string()).into();
    let mut signed = unsigned.clone();
    signed["proof"] = json!([config]);
    let checked = check_proof(&signed, contexts, &did_key_method).expect("verifies");
    assert_eq!(checked.options.created, "");
    signed["proof"][0]["created"] = "2026-01-01T00:00:00Z".into();
    assert!(matches!(
        check_proof(&signed, contexts, &did_key_method),
        Err(CredentialError::BadSignature)
    ));
}

fn signed_sample(cryptosuite: Cryptosuite) -> (Value, SecretKey) {
    let key = SecretKey::from_seed(&[7; 32]);
    let did = key.public_key().to_did_key();
    let options = ProofOptions {
        cryptosuite,
        created: "2026-11-24T10:00:00Z".into(),
        verification_method: format!("{did}#{}", key.public_key().to_multibase()),
    };
    let mut unsigned = json_of(OB3, "unsigned-openbadgecredential.json");
    unsigned["issuer"]["id"] = did.into();
    let signed = add_proof(&unsigned, &key, &options, Contexts::bundled()).expect("signs");
    (signed, key)
}

/// A change made to a signed credential.
type Edit = Box<dyn Fn(&mut Value)>;

#[test]
fn any_changed_field_breaks_either_proof() {
    let contexts = Contexts::bundled();
    for suite in [Cryptosuite::EddsaRdfc2022, Cryptosuite::EddsaJcs2022] {
        let (signed, _) = signed_sample(suite);
        check_proof(&signed, contexts, &did_key_method).expect("verifies");
        let edits: [(&str, Edit); 5] = [
            ("name", Box::new(|c| c["name"] = "Leadership Badge".into())),
            (
                "validFrom",
                Box::new(|c| c["validFrom"] = "2011-01-01T00:00:00Z".into()),
            ),
            (
                "subject",
                Box::new(|c| c["credentialSubject"]["id"] = "did:example:someone-else".into()),
            ),
            (
                "narrative",
                Box::new(|c| {
                    c["credentialSubject"]["achievement"]["criteria"]["narrative"] =
                        "Anyone.".into()
                }),
            ),
            (
                "created",
                Box::new(|c| c["proof"][0]["created"] = "2026-11-25T10:00:00Z".into()),
            ),
        ];
        for (what, edit) in edits {
            let mut tampered = signed.clone();
            edit(&mut tampered);
            assert!(
                matches!(
                    check_proof(&tampered, contexts, &did_key_method),
                    Err(CredentialError::BadSignature)
                ),
                "{what} changed under {suite:?}"
            );
        }
    }
}

#[test]
fn a_proof_by_another_key_or_an_unknown_key_is_refused_by_name() {
    let contexts = Contexts::bundled();
    let (mut signed, _) = signed_sample(Cryptosuite::EddsaRdfc2022);
    let other = SecretKey::from_seed(&[8; 32]).public_key();
    let claimed = other.to_verification_method();
    signed["proof"][0]["verificationMethod"] = claimed.into();
    assert!(matches!(
        check_proof(&signed, contexts, &did_key_method),
        Err(CredentialError::BadSignature)
    ));
    signed["proof"][0]["verificationMethod"] = "https://example.org/keys#1".into();
    assert!(matches!(
        check_proof(&signed, contexts, &did_key_method),
        Err(CredentialError::UnknownKey(_))
    ));
}

#[test]
fn undefined_terms_and_contexts_not_bundled_are_refused_not_dropped() {
    let contexts = Contexts::bundled();
    let mut unsigned = json_of(OB3, "unsigned-openbadgecredential.json");
    unsigned["favouriteColour"] = "green".into();
    assert!(matches!(
        rdfc::canonical_nquads(&unsigned, contexts),
        Err(CredentialError::JsonLd(_))
    ));
    let mut unsigned = json_of(OB3, "unsigned-openbadgecredential.json");
    unsigned["@context"][1] = "https://evil.example/context.json".into();
    assert!(matches!(
        rdfc::canonical_nquads(&unsigned, contexts),
        Err(CredentialError::JsonLd(_))
    ));
}

#[test]
fn hostile_shapes_are_refused_before_canonicalisation() {
    let contexts = Contexts::bundled();
    let base = json_of(OB3, "unsigned-openbadgecredential.json");
    let mut named_blank = base.clone();
    named_blank["credentialSubject"]["achievement"]["criteria"]["id"] = "_:b0".into();
    assert!(matches!(
        rdfc::canonical_nquads(&named_blank, contexts),
        Err(CredentialError::Malformed(_))
    ));
    let mut alike = base.clone();
    alike["credentialSubject"]["achievement"]["alignment"] = Value::Array(
        (0..12)
            .map(|i| {
                json!({"type": ["Alignment"], "targetName": "Same", "targetUrl": "https://example.org/same",
                       "targetDescription": "", "extra": {"n": i}})
            })
            .collect(),
    );
    assert!(matches!(
        rdfc::canonical_nquads(&alike, contexts),
        Err(CredentialError::TooLarge {
            what: "objects alike in one list",
            ..
        })
    ));
    let mut huge = base.clone();
    huge["name"] = "x".repeat(rdfc::MAX_DOCUMENT_LEN).into();
    assert!(matches!(
        rdfc::canonical_nquads(&huge, contexts),
        Err(CredentialError::TooLarge {
            what: "the document",
            ..
        })
    ));
    let mut deep = json!("bottom");
    for _ in 0..40 {
        deep = json!({ "type": ["Alignment"], "x": deep });
    }
    let mut nested = base;
    nested["credentialSubject"]["deep"] = deep;
    assert!(matches!(
        rdfc::canonical_nquads(&nested, contexts),
        Err(CredentialError::TooLarge {
            what: "the nesting",
            ..
        })
    ));
}

#[test]
fn every_bundled_context_is_served() {
    let contexts = Contexts::bundled();
    for url in [
        CREDENTIALS_V2,
        OPEN_BADGES_V3,
        OPEN_BADGES_EXTENSIONS,
        OLD_MICROCREDENTIAL_V1,
    ]
    .into_iter()
    .chain(crate::credential::contexts::OPEN_BADGES_V3_EARLIER)
    {
        assert!(contexts.knows(url), "{url}");
    }
    assert!(
        elm_terms().get("volumeOfLearning").is_some(),
        "the inline context parses"
    );
}

/// The Open Badges 3.0 JSON Schema (plain-JSON variant), compiled once.
fn ob3_schema() -> jsonschema::Validator {
    let schema = json_of("ob3", "ob_v3p0_achievementcredential_schema.json");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft201909)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

/// Every way `credential` fails the Open Badges 3.0 schema.
fn schema_errors(credential: &Value) -> Vec<String> {
    ob3_schema()
        .iter_errors(credential)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect()
}

#[test]
fn the_schema_check_accepts_the_specification_examples_and_catches_a_broken_one() {
    for example in [
        "example-basic-openbadgecredential.json",
        "example-complete-openbadgecredential.json",
    ] {
        assert_eq!(
            schema_errors(&json_of("ob3", example)),
            Vec::<String>::new(),
            "{example}"
        );
    }
    let mut broken = json_of("ob3", "example-basic-openbadgecredential.json");
    broken.as_object_mut().expect("object").remove("issuer");
    assert!(
        !schema_errors(&broken).is_empty(),
        "a credential without an issuer"
    );
}

#[test]
fn the_micro_credential_example_expands_whole_signs_verifies_and_fits_the_schema() {
    let contexts = Contexts::bundled();
    let example: Value =
        serde_json::from_str(include_str!("examples/microcredential-unsigned.json")).expect("json");
    let quads = rdfc::canonical_nquads(&example, contexts).expect("every term defined");
    let text = quads.concat();
    for iri in [
        "http://data.europa.eu/snb/model/elm/volumeOfLearning",
        "http://data.europa.eu/snb/model/elm/provenBy",
        "http://data.europa.eu/snb/assessment/b1b68f6735",
        "http://data.europa.eu/snb/model/elm/mode",
        "http://data.europa.eu/snb/learning-assessment/920fbb3cbe",
        "http://data.europa.eu/snb/model/elm/additionalNote",
    ] {
        assert!(text.contains(iri), "{iri} reaches the signed form");
    }
    assert!(!text.contains(".example/ns"), "no placeholder vocabulary");
    let key = SecretKey::from_seed(&[9; 32]);
    let mut unsigned = example;
    unsigned["issuer"]["id"] = key.public_key().to_did_key().into();
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: "2026-11-24T10:00:00Z".into(),
        verification_method: key.public_key().to_verification_method(),
    };
    let signed = add_proof(&unsigned, &key, &options, contexts).expect("signs");
    check_proof(&signed, contexts, &did_key_method).expect("verifies");
    assert_eq!(schema_errors(&signed), Vec::<String>::new());
}

mod issued {
    use chrono::{DateTime, Duration, Utc};

    use super::*;
    use crate::module::{compile, Module, Participation, SkillAlignment};

    fn module() -> Module {
        let mut module = compile(&crate::testing::module_files("bike-check"))
            .module
            .expect("compiles")
            .module;
        module.skills.push(SkillAlignment {
            uri: "http://data.europa.eu/esco/skill/4cde32b5-fc2f-4257-a8b9-5b15a67ee3e5".into(),
            label: "protect the health of others".into(),
        });
        module.recognition.eqf_level = Some(2);
        module.recognition.ects_hundredths = Some(50);
        module.recognition.participation = vec![Participation::OfflineOnPhone];
        module
    }

    fn issuer() -> Issuer {
        Issuer {
            name: "Salama Riders Trust".into(),
            url: Some("https://salama-riders.example".into()),
            country_code: "KE".into(),
            country: "Kenya".into(),
            region: None,
        }
    }

    fn awarded() -> DateTime<Utc> {
        DateTime::from_timestamp(1_795_000_000, 0).expect("date")
    }

    fn issue_one(key: &SecretKey, valid_until: Option<DateTime<Utc>>) -> Value {
        let module = module();
        let learner = SecretKey::from_seed(&[3; 32]).public_key().to_did_key();
        let award = Award {
            id: "urn:uuid:0b7f9c1e-3d4a-4f3e-9c1d-2a6b8e5f7d10".into(),
            module: &module,
            learner,
            learner_name: Some("Achieng Otieno".into()),
            score_percent: 88,
            record: Some(RecordRef {
                id: "01936f4e-2c1a-7b3d-9e8f-0a1b2c3d4e5f".into(),
                hash: crate::hash::ContentHash::of(b"the signed record"),
            }),
            awarded: awarded(),
            first_awarded: None,
            valid_until,
            status: Some(StatusEntry {
                list: "https://hub.example/v1/status/1".into(),
                index: 42,
            }),
            assessment: vec![AssessmentType::AutomatedQuiz],
        };
        issue(&issuer(), key, &award, None, Contexts::bundled()).expect("issues")
    }

    /// A tab a trainer pasted into a summary is a space in the credential: canonicalisers
    /// write tabs differently (W3C rdf-canon test060), and what is signed must verify in all.
    #[test]
    fn a_tab_in_a_modules_text_is_a_space_in_its_credential_which_verifies() {
        let key = SecretKey::from_seed(&[5; 32]);
        let mut module = module();
        module.summary = Some("Check\tyour brakes\u{7}.".into());
        let award = Award {
            id: "urn:uuid:0b7f9c1e-3d4a-4f3e-9c1d-2a6b8e5f7d10".into(),
            module: &module,
            learner: SecretKey::from_seed(&[3; 32]).public_key().to_did_key(),
            learner_name: None,
            score_percent: 88,
            record: None,
            awarded: awarded(),
            first_awarded: None,
            valid_until: None,
            status: None,
            assessment: vec![AssessmentType::AutomatedQuiz],
        };
        let credential = issue(&issuer(), &key, &award, None, Contexts::bundled()).expect("issues");
        assert_eq!(
            credential["credentialSubject"]["achievement"]["description"],
            "Check your brakes ."
        );
        verify(
            &credential,
            &[key.public_key()],
            awarded(),
            CLOCK_TOLERANCE,
            Contexts::bundled(),
        )
        .expect("verifies");
    }

    #[test]
    fn an_issued_credential_states_the_micro_credential_elements_fits_the_schema_and_verifies() {
        let key = SecretKey::from_seed(&[5; 32]);
        let credential = issue_one(&key, None);
        assert_eq!(schema_errors(&credential), Vec::<String>::new());
        let achievement = &credential["credentialSubject"]["achievement"];
        assert_eq!(achievement["achievementType"], "MicroCredential");
        assert_eq!(achievement["volumeOfLearning"], "PT10M");
        assert_eq!(achievement["creditsAvailable"], 0.5);
        assert_eq!(
            achievement["creditPoint"],
            json!([{"type": ["CreditPoint"], "framework": "ECTS", "point": "0.5"}])
        );
        assert_eq!(achievement["mode"], json!(["online"]));
        assert_eq!(
            achievement["provenBy"],
            json!([{"type": ["LearningAssessmentSpecification"], "dcType": "quiz"}])
        );
        assert_eq!(
            achievement["additionalNote"][0]["subject"],
            "quality-assurance"
        );
        assert_eq!(credential["@context"][2], *elm_terms());
        assert_eq!(credential["issuer"]["address"]["addressCountryCode"], "KE");
        assert!(achievement["alignment"]
            .as_array()
            .expect("alignments")
            .iter()
            .any(|a| a["targetUrl"] == "http://data.europa.eu/snb/eqf/2"));
        let quads = rdfc::canonical_nquads(&credential, Contexts::bundled())
            .expect("every term defined")
            .concat();
        assert!(quads.contains("http://data.europa.eu/snb/model/elm/noteLiteral"));
        assert!(
            !quads.contains("skillpack.example"),
            "no placeholder vocabulary"
        );
        let now = awarded() + Duration::days(1);
        let verified = verify(
            &credential,
            &[key.public_key()],
            now,
            Duration::zero(),
            Contexts::bundled(),
        )
        .expect("verifies");
        assert!(verified.trusted_issuer);
        assert_eq!(verified.revocation, Revocation::NotChecked);
        assert_eq!(verified.achievement, "Checking your bike");
        let stranger =
            verify(&credential, &[], now, Duration::zero(), Contexts::bundled()).expect("verifies");
        assert!(!stranger.trusted_issuer, "valid, from an unknown issuer");
        let payload = qr::to_payload(&credential).expect("fits one QR code");
        // What a version 40 QR code holds in alphanumeric mode at error correction M.
        assert!(payload.len() <= 3391, "{} characters", payload.len());
        let back = qr::from_payload(&payload).expect("reads back");
        verify(
            &back,
            &[key.public_key()],
            now,
            Duration::zero(),
            Contexts::bundled(),
        )
        .expect("still verifies");
    }

    #[test]
    fn each_failure_has_its_own_reason() {
        let contexts = Contexts::bundled();
        let key = SecretKey::from_seed(&[5; 32]);
        let now = awarded() + Duration::days(1);
        let trusted = [key.public_key()];
        let mut changed = issue_one(&key, None);
        changed["credentialSubject"]["result"][0]["value"] = "100".into();
        assert!(matches!(
            verify(&changed, &trusted, now, Duration::zero(), contexts),
            Err(CredentialError::BadSignature)
        ));
        let expiring = issue_one(&key, Some(awarded() + Duration::days(365)));
        verify(&expiring, &trusted, now, Duration::zero(), contexts).expect("valid for now");
        assert!(matches!(
            verify(
                &expiring,
                &trusted,
                awarded() + Duration::days(400),
                Duration::zero(),
                contexts
            ),
            Err(CredentialError::Expired(_))
        ));
        assert!(matches!(
            verify(
                &expiring,
                &trusted,
                awarded() - Duration::days(1),
                Duration::zero(),
                contexts
            ),
            Err(CredentialError::NotYetValid(_))
        ));
        // Signed by another key than the issuer it names.
        let other = SecretKey::from_seed(&[6; 32]);
        let mut unsigned = issue_one(&key, None);
        unsigned.as_object_mut().expect("object").remove("proof");
        let options = ProofOptions {
            cryptosuite: Cryptosuite::EddsaRdfc2022,
            created: timestamp(&awarded()),
            verification_method: other.public_key().to_verification_method(),
        };
        let forged = add_proof(&unsigned, &other, &options, contexts).expect("signs");
        assert!(matches!(
            verify(&forged, &trusted, now, Duration::zero(), contexts),
            Err(CredentialError::IssuerMismatch { .. })
        ));
    }

    #[test]
    fn a_revoked_credential_fails_by_its_own_reason_and_only_its_issuers_list_counts() {
        use crate::credential::status::{
            check_status, decode_list, encode_list, status_list_credential, STATUS_LIST_BITS,
        };
        let contexts = Contexts::bundled();
        let key = SecretKey::from_seed(&[5; 32]);
        let issuer_did = key.public_key().to_did_key();
        let credential = issue_one(&key, None);
        let url = "https://hub.example/v1/status/1";
        let now = awarded() + Duration::days(1);
        let list = |key: &SecretKey, revoked: &[u64]| {
            status_list_credential(&issuer(), key, url, revoked, now, contexts).expect("signs")
        };

        let clear = list(&key, &[41, 43]);
        assert_eq!(schema_errors(&credential), Vec::<String>::new());
        assert_eq!(
            check_status(&credential, &issuer_did, &clear, now, contexts).expect("checks"),
            Revocation::NotRevoked
        );
        let revoked = list(&key, &[42]);
        assert!(matches!(
            check_status(&credential, &issuer_did, &revoked, now, contexts),
            Err(CredentialError::Revoked)
        ));
        // Another key's list, a list changed after signing, another URL's list: not used.
        let by_stranger = list(&SecretKey::from_seed(&[6; 32]), &[]);
        let mut changed = revoked.clone();
        changed["credentialSubject"]["encodedList"] = encode_list(&[]).expect("encodes").into();
        let mut elsewhere = clear.clone();
        elsewhere["id"] = "https://elsewhere.example/list".into();
        // Each is the list's fault, never the credential's: a list changed after signing
        // leaves revocation unknown, it does not make the credential invalid.
        for bad in [by_stranger, elsewhere, changed] {
            assert!(matches!(
                check_status(&credential, &issuer_did, &bad, now, contexts),
                Err(CredentialError::BadStatusList(_))
            ));
        }

        // The bits: index 0 is the first byte's highest bit; the list is the minimum size.
        let bits = decode_list(&encode_list(&[0, 9]).expect("encodes")).expect("decodes");
        assert_eq!(bits.len() as u64, STATUS_LIST_BITS / 8);
        assert_eq!((bits[0], bits[1]), (0x80, 0x40));
        assert!(encode_list(&[STATUS_LIST_BITS]).is_err());
        // A GZIP bomb is refused, not inflated.
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gzip, &vec![0u8; 8 << 20]).expect("zips");
        let bomb = format!(
            "u{}",
            base64::Engine::encode(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                gzip.finish().expect("zips")
            )
        );
        assert!(matches!(
            decode_list(&bomb),
            Err(CredentialError::BadStatusList(_))
        ));
    }
}

#[test]
fn shapes_that_could_hide_a_field_or_slow_canonicalisation_are_refused_by_the_guard() {
    let contexts = Contexts::bundled();
    let base = json_of(OB3, "unsigned-openbadgecredential.json");
    let refused = |edit: &dyn Fn(&mut Value)| {
        let mut doc = base.clone();
        edit(&mut doc);
        matches!(
            rdfc::canonical_nquads(&doc, contexts),
            Err(CredentialError::Malformed(_))
        )
    };
    // validUntil moved where a reader of the JSON would not look, the graph unchanged.
    assert!(refused(
        &|d| d["@nest"] = json!({"validUntil": "2011-01-01T00:00:00Z"})
    ));
    assert!(refused(&|d| d
        ["https://www.w3.org/2018/credentials#validUntil"] =
        json!({"@value": "2011-01-01T00:00:00Z"})));
    assert!(refused(
        &|d| d["@context"] = json!([CREDENTIALS_V2, {"x": "@id"}])
    ));
    assert!(refused(
        &|d| d["credentialSubject"]["achievement"]["criteria"]["@index"] = "1".into()
    ));
    assert!(refused(&|d| d["evidence"] = json!(["_:b0", "_:b1"])));
    assert!(refused(&|d| d["credentialSubject"]["achievement"]
        ["alignment"] =
        json!([[{"type": ["Alignment"]}]])));
    rdfc::canonical_nquads(&base, contexts).expect("the plain shape passes");
}

#[test]
fn whole_numbers_sign_the_same_whether_written_1_or_1_0() {
    let contexts = Contexts::bundled();
    let key = SecretKey::from_seed(&[9; 32]);
    let mut unsigned: Value =
        serde_json::from_str(include_str!("examples/microcredential-unsigned.json")).expect("json");
    unsigned["issuer"]["id"] = key.public_key().to_did_key().into();
    unsigned["credentialSubject"]["achievement"]["creditsAvailable"] = json!(1.0);
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: "2026-11-24T10:00:00Z".into(),
        verification_method: key.public_key().to_verification_method(),
    };
    let signed = add_proof(&unsigned, &key, &options, contexts).expect("signs");
    let back = qr::from_payload(&qr::to_payload(&signed).expect("fits")).expect("reads");
    check_proof(&back, contexts, &did_key_method).expect("verifies after the canonical JSON");
}

mod canonical;
mod controller;
mod milestones;
mod presenting;
mod proof_sets;
mod published;
mod work_records;

mod baked;
mod endorsed;
mod eu_elements;
mod old_form;
mod qr_payloads;
