//! Credentials that carry the provider's endorsement of their issuer (ADR 0006): the
//! endorsement and the credential holding it canonicalise as jsonld.js does (the golden files
//! are its output, `scripts/rdfc-golden`), the guard admits a nested `@context` only there,
//! and a verifier trusts the issuer through an endorsement only when every check holds.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::super::*;
use crate::keys::{PublicKey, SecretKey};

/// The publisher key that signed `examples/issuer-endorsement.json`.
fn example_publisher() -> SecretKey {
    SecretKey::from_seed(&[7; 32])
}

fn example(file: &str) -> Value {
    let text = match file {
        "issuer-endorsement" => include_str!("../examples/issuer-endorsement.json"),
        "microcredential-endorsed" => include_str!("../examples/microcredential-endorsed.json"),
        _ => unreachable!("no such example"),
    };
    serde_json::from_str(text).expect("json")
}

fn at() -> DateTime<Utc> {
    "2026-12-01T10:00:00Z".parse().expect("date")
}

#[test]
fn an_endorsement_signed_by_the_publisher_verifies_and_names_both_keys() {
    let endorsement = example("issuer-endorsement");
    let ours = rdfc::canonical_nquads(&endorsement, Contexts::bundled()).expect("canonical");
    assert_eq!(
        ours.concat(),
        include_str!("../examples/issuer-endorsement.nq")
    );
    let checked = check_endorsement(&endorsement, at(), CLOCK_TOLERANCE, Contexts::bundled())
        .expect("checks");
    assert_eq!(checked.publisher, example_publisher().public_key());
    assert_eq!(
        checked.issuer.to_did_key(),
        endorsement["credentialSubject"]["id"]
    );
    assert_eq!(checked.provider.as_deref(), Some("Salama Riders Trust"));
}

/// The riskiest part in Rust: a credential inside a credential, with its own `@context`, its
/// proof a named graph, and its subject merged into the issuer's node.
#[test]
fn an_endorsed_credential_canonicalises_as_jsonld_js_does() {
    let document = example("microcredential-endorsed");
    let ours = rdfc::canonical_nquads(&document, Contexts::bundled()).expect("canonical");
    let golden = include_str!("../examples/microcredential-endorsed.nq");
    assert_eq!(ours.concat(), golden);
    assert_eq!(ours.len(), 116);
    let proof_graph = golden
        .lines()
        .find(|l| l.contains("<https://w3id.org/security#proof>"))
        .and_then(|l| l.split(' ').nth(2))
        .expect("the endorsement's proof");
    let in_graph = golden
        .lines()
        .filter(|l| l.ends_with(&format!(" {proof_graph} .")) && !l.contains("#proof>"))
        .count();
    assert_eq!(
        in_graph, 6,
        "the nested proof is a named graph of its six statements"
    );
}

#[test]
fn a_nested_context_is_accepted_only_as_an_endorsements_two_published_urls() {
    let document = example("microcredential-endorsed");
    let refused = |changed: Value, why: &str| {
        let result = rdfc::canonical_nquads(&changed, Contexts::bundled());
        assert!(
            matches!(
                &result,
                Err(CredentialError::Malformed(_) | CredentialError::TooLarge { .. })
            ),
            "{why}: {result:?}"
        );
    };
    let mut inline = document.clone();
    inline["issuer"]["endorsement"][0]["@context"] =
        json!([CREDENTIALS_V2, OPEN_BADGES_V3, {"name": "http://example.org/name"}]);
    refused(inline, "an inline map in an endorsement");
    let mut other_url = document.clone();
    other_url["issuer"]["endorsement"][0]["@context"] =
        json!([CREDENTIALS_V2, OPEN_BADGES_EXTENSIONS]);
    refused(other_url, "another URL");
    let mut elsewhere = document.clone();
    elsewhere["credentialSubject"]["achievement"]["@context"] = json!([CREDENTIALS_V2]);
    refused(elsewhere, "a @context in the achievement");
    let mut on_issuer = document.clone();
    on_issuer["issuer"]["@context"] = json!([CREDENTIALS_V2, OPEN_BADGES_V3]);
    refused(on_issuer, "a @context on the issuer itself");
    let mut not_a_list = document.clone();
    not_a_list["issuer"]["endorsement"] = document["issuer"]["endorsement"][0].clone();
    refused(not_a_list, "an endorsement not in a list");
    let mut five = document.clone();
    let one = document["issuer"]["endorsement"][0].clone();
    five["issuer"]["endorsement"] = Value::Array(vec![one; MAX_ENDORSEMENTS + 1]);
    refused(five, "five endorsements");
}

/// What a test credential needs: the hub's issuer key, the provider's publisher key, a stranger.
struct Keys {
    issuer: SecretKey,
    publisher: SecretKey,
    stranger: SecretKey,
}

fn keys() -> Keys {
    Keys {
        issuer: SecretKey::from_seed(&[21; 32]),
        publisher: SecretKey::from_seed(&[22; 32]),
        stranger: SecretKey::from_seed(&[23; 32]),
    }
}

/// A credential signed by `key` whose issuer carries `endorsement` as given (not checked
/// first, as `issue` would).
fn signed_with(key: &SecretKey, endorsement: Option<Value>) -> Value {
    let module = crate::module::compile(&crate::testing::module_files("bike-check"))
        .module
        .expect("compiles")
        .module;
    let award = Award {
        id: "urn:uuid:5d0c1f8a-7a43-4f0e-8f59-1c0b5b0f2e11".into(),
        module: &module,
        learner: SecretKey::from_seed(&[3; 32]).public_key().to_did_key(),
        learner_name: None,
        score_percent: 90,
        record: None,
        awarded: at(),
        first_awarded: None,
        valid_until: None,
        status: None,
        assessment: vec![AssessmentType::AutomatedQuiz],
    };
    let issuer = Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    let mut unsigned = unsigned_credential(&issuer, &key.public_key(), &award);
    if let Some(endorsement) = endorsement {
        unsigned["issuer"]["endorsement"] = json!([endorsement]);
    }
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: timestamp(&at()),
        verification_method: key.public_key().to_verification_method(),
    };
    add_proof(&unsigned, key, &options, Contexts::bundled()).expect("signs")
}

fn endorsement_by(publisher: &SecretKey, issuer: &PublicKey) -> Value {
    let signed = at() - Duration::days(3);
    endorse(
        publisher,
        issuer,
        Some("Salama Riders Trust"),
        [9; 16],
        signed,
        Contexts::bundled(),
    )
    .expect("endorses")
}

/// `endorsement` changed by `change`, then signed again by `publisher`: a proper signature
/// over something our verifier must still refuse.
fn resigned(endorsement: &Value, publisher: &SecretKey, change: impl Fn(&mut Value)) -> Value {
    let mut unsigned = endorsement.clone();
    unsigned.as_object_mut().expect("object").remove("proof");
    change(&mut unsigned);
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: timestamp(&at()),
        verification_method: publisher.public_key().to_verification_method(),
    };
    add_proof(&unsigned, publisher, &options, Contexts::bundled()).expect("signs")
}

fn verify_trusting(credential: &Value, trusted: &[PublicKey]) -> Result<Verified, CredentialError> {
    verify(
        credential,
        trusted,
        at(),
        CLOCK_TOLERANCE,
        Contexts::bundled(),
    )
}

#[test]
fn an_issuer_endorsed_by_a_trusted_publisher_is_trusted_and_otherwise_only_valid() {
    let k = keys();
    let endorsement = endorsement_by(&k.publisher, &k.issuer.public_key());
    let credential = signed_with(&k.issuer, Some(endorsement));
    let trusted = verify_trusting(&credential, &[k.publisher.public_key()]).expect("valid");
    assert!(trusted.trusted_issuer);
    assert_eq!(
        trusted.trust,
        Trust::Endorsed {
            publisher: k.publisher.public_key(),
            provider: Some("Salama Riders Trust".into())
        }
    );
    assert_eq!(trusted.endorsements.len(), 1);
    let unknown = verify_trusting(&credential, &[k.stranger.public_key()]).expect("valid");
    assert!(!unknown.trusted_issuer);
    match &unknown.trust {
        Trust::Unknown {
            endorsed_by: Some(by),
        } => assert_eq!(by.publisher, k.publisher.public_key()),
        other => panic!("{other:?}"),
    }
    // A stranger's endorsement is a valid statement by a key nobody trusts: valid, untrusted.
    let by_stranger = signed_with(
        &k.issuer,
        Some(endorsement_by(&k.stranger, &k.issuer.public_key())),
    );
    let verified = verify_trusting(&by_stranger, &[k.publisher.public_key()]).expect("valid");
    assert!(!verified.trusted_issuer);
    // A trainer's own offline credential is trusted by its signature alone.
    let own = signed_with(&k.publisher, None);
    let verified = verify_trusting(&own, &[k.publisher.public_key()]).expect("valid");
    assert_eq!(
        verified.trust,
        Trust::Signed {
            key: k.publisher.public_key()
        }
    );
    assert!(verified.endorsements.is_empty());
}

#[test]
fn an_endorsement_changed_after_the_credential_was_signed_breaks_the_credentials_proof() {
    let k = keys();
    let endorsement = endorsement_by(&k.publisher, &k.issuer.public_key());
    let mut credential = signed_with(&k.issuer, Some(endorsement));
    credential["issuer"]["endorsement"][0]["credentialSubject"]["endorsementComment"] =
        "This key issues Open Badges credentials for Salama Riders Trusts.".into();
    let refused = verify_trusting(&credential, &[k.publisher.public_key()]);
    assert!(
        matches!(refused, Err(CredentialError::BadSignature)),
        "{refused:?}"
    );
}

/// Each endorsement that fails a check of its own makes a properly signed credential not
/// valid, with the reason named: Digital Bazaar's and DCC's libraries call these valid.
#[test]
fn an_embedded_endorsement_that_fails_its_own_checks_makes_the_credential_not_valid() {
    let k = keys();
    let issuer = k.issuer.public_key();
    let good = endorsement_by(&k.publisher, &issuer);
    let mut forged = good.clone();
    forged["credentialSubject"]["endorsementComment"] = "Changed before the hub signed.".into();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("forged", forged, "signature does not match"),
        (
            "misdirected",
            endorsement_by(&k.publisher, &k.stranger.public_key()),
            "not ",
        ),
        (
            "not an EndorsementCredential",
            resigned(&good, &k.publisher, |e| {
                e["type"] = json!(["VerifiableCredential", "OpenBadgeCredential"])
            }),
            "not an EndorsementCredential",
        ),
        (
            "its issuer not its signer",
            resigned(&good, &k.publisher, |e| {
                e["issuer"]["id"] = k.stranger.public_key().to_did_key().into()
            }),
            "was signed by",
        ),
        (
            "expired",
            resigned(&good, &k.publisher, |e| {
                e["validUntil"] = timestamp(&(at() - Duration::hours(1))).into()
            }),
            "expired",
        ),
        (
            "dated ahead",
            resigned(&good, &k.publisher, |e| {
                e["validFrom"] = timestamp(&(at() + CLOCK_TOLERANCE + Duration::hours(1))).into()
            }),
            "not valid before",
        ),
        (
            "its subject not typed",
            resigned(&good, &k.publisher, |e| {
                e["credentialSubject"] = json!({"id": e["credentialSubject"]["id"].clone(),
                                                "type": ["Profile"]})
            }),
            "EndorsementSubject",
        ),
    ];
    for (case, endorsement, why) in cases {
        let credential = signed_with(&k.issuer, Some(endorsement));
        let refused = verify_trusting(&credential, &[k.publisher.public_key()]);
        assert!(
            matches!(&refused, Err(CredentialError::BadEndorsement(reason)) if reason.contains(why)),
            "{case}: {refused:?}"
        );
    }
}

#[test]
fn issue_embeds_an_endorsement_of_its_key_and_refuses_one_of_another() {
    let k = keys();
    let module = crate::module::compile(&crate::testing::module_files("bike-check"))
        .module
        .expect("compiles")
        .module;
    let award = Award {
        id: "urn:uuid:5d0c1f8a-7a43-4f0e-8f59-1c0b5b0f2e12".into(),
        module: &module,
        learner: SecretKey::from_seed(&[3; 32]).public_key().to_did_key(),
        learner_name: None,
        score_percent: 90,
        record: None,
        awarded: at(),
        first_awarded: None,
        valid_until: None,
        status: None,
        assessment: vec![AssessmentType::AutomatedQuiz],
    };
    let issuer = Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    let endorsement = endorsement_by(&k.publisher, &k.issuer.public_key());
    let issued = issue(
        &issuer,
        &k.issuer,
        &award,
        Some(&endorsement),
        Contexts::bundled(),
    )
    .expect("issues");
    assert_eq!(issued["issuer"]["endorsement"], json!([endorsement]));
    assert!(
        verify_trusting(&issued, &[k.publisher.public_key()])
            .expect("valid")
            .trusted_issuer
    );
    let others = endorsement_by(&k.publisher, &k.stranger.public_key());
    let refused = issue(
        &issuer,
        &k.issuer,
        &award,
        Some(&others),
        Contexts::bundled(),
    );
    assert!(
        matches!(refused, Err(CredentialError::BadEndorsement(_))),
        "{refused:?}"
    );
}

#[test]
fn a_key_cannot_endorse_itself_and_a_name_is_one_short_line() {
    let k = keys();
    let own = endorse(
        &k.publisher,
        &k.publisher.public_key(),
        None,
        [9; 16],
        at(),
        Contexts::bundled(),
    );
    assert!(matches!(own, Err(CredentialError::BadEndorsement(_))));
    let long = "x".repeat(MAX_PROVIDER_NAME_CHARS + 1);
    for name in [long.as_str(), "Salama\nRiders"] {
        let refused = endorse(
            &k.publisher,
            &k.issuer.public_key(),
            Some(name),
            [9; 16],
            at(),
            Contexts::bundled(),
        );
        assert!(matches!(refused, Err(CredentialError::BadEndorsement(_))));
    }
    let unnamed = endorse(
        &k.publisher,
        &k.issuer.public_key(),
        None,
        [9; 16],
        at(),
        Contexts::bundled(),
    )
    .expect("endorses");
    assert_eq!(unnamed["name"], "Issuer key endorsement");
    assert!(unnamed["issuer"].get("name").is_none());
    let checked =
        check_endorsement(&unnamed, at(), CLOCK_TOLERANCE, Contexts::bundled()).expect("checks");
    assert_eq!(checked.provider, None);
}
