//! A worker's presentation of the credentials they hold: made with `present`, checked with
//! `verify_presentation` as a client's phone does. Each refusal is tried on a presentation
//! changed in exactly that way; the verifier that is not ours (Digital Bazaar's) checks our
//! presentations in the cli's `independent` test.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{json_of, OB3};
use crate::credential::presentation::sign_presentation;
use crate::credential::{
    add_proof, present, verify_presentation, Contexts, CredentialError, Cryptosuite,
    PresentationError, PresentationRequest, ProofOptions, VerifiedPresentation, CLOCK_TOLERANCE,
    MAX_PRESENTED,
};
use crate::keys::SecretKey;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-07T00:00:00Z")
        .expect("date")
        .with_timezone(&Utc)
}

fn issuer() -> SecretKey {
    SecretKey::from_seed(&[7; 32])
}

fn worker() -> SecretKey {
    SecretKey::from_seed(&[21; 32])
}

/// The 1EdTech vector's credential, issued by `issuer()` to `subject`, named `name`.
fn credential_for(subject: &SecretKey, name: &str) -> Value {
    let key = issuer();
    let mut unsigned = json_of(OB3, "unsigned-openbadgecredential.json");
    unsigned["issuer"]["id"] = key.public_key().to_did_key().into();
    unsigned["id"] = format!("urn:example:{}", name.replace(' ', "-").to_lowercase()).into();
    unsigned["credentialSubject"]["id"] = subject.public_key().to_did_key().into();
    unsigned["credentialSubject"]["achievement"]["name"] = name.into();
    let options = ProofOptions {
        cryptosuite: Cryptosuite::EddsaRdfc2022,
        created: "2026-11-24T10:00:00Z".into(),
        verification_method: key.public_key().to_verification_method(),
    };
    add_proof(&unsigned, &key, &options, Contexts::bundled()).expect("signs")
}

const ASKED: PresentationRequest<'static> = PresentationRequest {
    challenge: Some("c-8f2e61d0"),
    domain: Some("client-phone"),
};

fn presented(credentials: &[Value]) -> Value {
    present(&worker(), credentials, ASKED, now(), Contexts::bundled()).expect("presents")
}

fn check(
    presentation: &Value,
    request: PresentationRequest<'_>,
) -> Result<VerifiedPresentation, PresentationError> {
    verify_presentation(
        presentation,
        request,
        &[issuer().public_key()],
        now(),
        CLOCK_TOLERANCE,
        Contexts::bundled(),
        &[],
    )
}

fn two() -> Vec<Value> {
    vec![
        credential_for(&worker(), "Road safety"),
        credential_for(&worker(), "Food hygiene"),
    ]
}

#[test]
fn a_presentation_of_the_workers_credentials_verifies_and_names_each() {
    let presentation = presented(&two());
    let verified = check(&presentation, ASKED).expect("verifies");
    assert_eq!(verified.holder, worker().public_key().to_did_key());
    assert_eq!(verified.challenge.as_deref(), ASKED.challenge);
    assert_eq!(verified.domain.as_deref(), ASKED.domain);
    assert_eq!(verified.created, Some(now()));
    let names: Vec<&str> = verified
        .credentials
        .iter()
        .map(|(id, v)| {
            assert!(v.trusted_issuer);
            assert_eq!(v.subject, verified.holder);
            let _ = id;
            v.achievement.as_str()
        })
        .collect();
    assert_eq!(names, ["Road safety", "Food hygiene"]);
    assert_eq!(verified.credentials[0].0, "urn:example:road-safety");
    // Without a request, what was signed is still reported.
    let loose = check(&presentation, PresentationRequest::default()).expect("verifies");
    assert_eq!(loose.challenge.as_deref(), ASKED.challenge);
}

#[test]
fn an_answer_to_another_challenge_or_domain_is_refused() {
    let presentation = presented(&two());
    let replayed = PresentationRequest {
        challenge: Some("c-another"),
        ..ASKED
    };
    assert!(matches!(
        check(&presentation, replayed),
        Err(PresentationError::WrongChallenge)
    ));
    let elsewhere = PresentationRequest {
        domain: Some("another-phone"),
        ..ASKED
    };
    assert!(matches!(
        check(&presentation, elsewhere),
        Err(PresentationError::WrongDomain { .. })
    ));
    // Unsigned over any challenge: refused when one is asked for.
    let unasked = present(
        &worker(),
        &two(),
        PresentationRequest::default(),
        now(),
        Contexts::bundled(),
    )
    .expect("presents");
    assert!(matches!(
        check(&unasked, ASKED),
        Err(PresentationError::WrongChallenge)
    ));
}

#[test]
fn another_subjects_credential_is_refused_when_presented_and_when_checked() {
    let someone = SecretKey::from_seed(&[22; 32]);
    let theirs = credential_for(&someone, "Their badge");
    let mut mixed = two();
    mixed.push(theirs.clone());
    assert!(matches!(
        present(&worker(), &mixed, ASKED, now(), Contexts::bundled()),
        Err(PresentationError::NotTheHoldersCredential { .. })
    ));
    // Signed by the worker all the same (a presenter that does not check): still refused.
    let mut carried = two();
    carried.push(theirs);
    let mut document = presented(&two());
    document.as_object_mut().expect("object").remove("proof");
    document["verifiableCredential"] = Value::Array(carried);
    let forged =
        sign_presentation(&worker(), document, ASKED, now(), Contexts::bundled()).expect("signs");
    let refused = check(&forged, ASKED).unwrap_err();
    assert!(
        matches!(&refused, PresentationError::NotTheHoldersCredential { credential, .. }
            if credential == "urn:example:their-badge"),
        "{refused}"
    );
}

#[test]
fn a_changed_byte_anywhere_breaks_the_presenters_signature() {
    let presentation = presented(&two());
    let mut changed_name = presentation.clone();
    changed_name["verifiableCredential"][0]["credentialSubject"]["achievement"]["name"] =
        "Road safetY".into();
    let mut changed_challenge = presentation.clone();
    changed_challenge["proof"]["challenge"] = "c-8f2e61d1".into();
    let mut changed_date = presentation.clone();
    changed_date["proof"]["created"] = "2026-12-07T00:00:01Z".into();
    for changed in [changed_name, changed_date] {
        assert!(matches!(
            check(&changed, ASKED),
            Err(PresentationError::BadSignature)
        ));
    }
    let loose = PresentationRequest {
        challenge: Some("c-8f2e61d1"),
        ..ASKED
    };
    assert!(matches!(
        check(&changed_challenge, loose),
        Err(PresentationError::BadSignature)
    ));
}

#[test]
fn a_credential_that_does_not_verify_is_named_even_under_a_good_presenters_signature() {
    let mut broken = two();
    broken[1]["credentialSubject"]["achievement"]["name"] = "Food hygienE".into();
    // `present` carries what it is given; the worker's signature covers the change.
    let presentation = presented(&broken);
    let refused = check(&presentation, ASKED).unwrap_err();
    assert!(
        matches!(&refused, PresentationError::CredentialRefused { credential, why: CredentialError::BadSignature }
            if credential == "urn:example:food-hygiene"),
        "{refused}"
    );
}

#[test]
fn presentations_outside_the_bounds_are_refused_by_name() {
    let many: Vec<Value> = (0..=MAX_PRESENTED)
        .map(|n| credential_for(&worker(), &format!("Badge {n}")))
        .collect();
    assert!(matches!(
        present(&worker(), &many, ASKED, now(), Contexts::bundled()),
        Err(PresentationError::Malformed(_))
    ));
    assert!(matches!(
        present(&worker(), &[], ASKED, now(), Contexts::bundled()),
        Err(PresentationError::Malformed(_))
    ));
    let mut not_a_list = presented(&two());
    not_a_list["verifiableCredential"] = "urn:example:road-safety".into();
    assert!(matches!(
        check(&not_a_list, ASKED),
        Err(PresentationError::Malformed(_))
    ));
    let mut jcs = presented(&two());
    jcs["proof"]["cryptosuite"] = "eddsa-jcs-2022".into();
    assert!(matches!(
        check(&jcs, ASKED),
        Err(PresentationError::UnsupportedProof(_))
    ));
}

mod summary {
    use super::*;
    use crate::credential::presentation::summary::{read_summary, summarise, PREFIX};
    use crate::credential::qr::{base45_decode, base45_encode};

    fn four() -> Vec<Value> {
        ["Road safety", "Food hygiene", "First aid", "Customer care"]
            .iter()
            .map(|name| credential_for(&worker(), name))
            .collect()
    }

    #[test]
    fn a_summary_names_the_presentation_that_follows_and_nothing_else() {
        let credentials = four();
        let text = summarise(
            &worker(),
            &credentials,
            "c-8f2e61d0",
            Some("client-phone"),
            now(),
        )
        .expect("summarises");
        let summary = read_summary(&text).expect("reads");
        assert_eq!(summary.holder, worker().public_key());
        assert_eq!(summary.challenge, "c-8f2e61d0");
        assert_eq!(summary.domain.as_deref(), Some("client-phone"));
        assert_eq!(summary.created, now());
        assert_eq!(summary.credentials.len(), 4);
        assert_eq!(summary.credentials[0].0, "urn:example:road-safety");
        let presented =
            present(&worker(), &credentials, ASKED, now(), Contexts::bundled()).expect("presents");
        summary.matches(&presented).expect("the one announced");
        // Another order, one fewer, or another challenge: not the one announced.
        let mut reordered = credentials.clone();
        reordered.swap(0, 1);
        let mut fewer = credentials.clone();
        fewer.pop();
        for other in [
            present(&worker(), &reordered, ASKED, now(), Contexts::bundled()),
            present(&worker(), &fewer, ASKED, now(), Contexts::bundled()),
            present(
                &worker(),
                &credentials,
                PresentationRequest {
                    challenge: Some("c-another"),
                    ..ASKED
                },
                now(),
                Contexts::bundled(),
            ),
        ] {
            assert!(summary.matches(&other.expect("presents")).is_err());
        }
    }

    #[test]
    fn a_changed_cut_or_foreign_summary_is_refused() {
        let text = summarise(&worker(), &four(), "c-1", None, now()).expect("summarises");
        let mut bytes = base45_decode(text.strip_prefix(PREFIX).expect("prefix")).expect("base45");
        // One bit of the challenge flipped: the holder's signature no longer holds.
        bytes[34] ^= 1;
        let flipped = format!("{PREFIX}{}", base45_encode(&bytes));
        assert!(matches!(
            read_summary(&flipped),
            Err(PresentationError::BadSignature)
        ));
        bytes[34] ^= 1;
        let cut = format!("{PREFIX}{}", base45_encode(&bytes[..bytes.len() - 70]));
        assert!(matches!(
            read_summary(&cut),
            Err(PresentationError::Malformed(_))
        ));
        assert!(read_summary(&text.replacen(PREFIX, "SP3:", 1)).is_err());
        assert!(read_summary(&"A".repeat(5000)).is_err());
        let nine: Vec<Value> = (0..9)
            .map(|n| credential_for(&worker(), &format!("Badge {n}")))
            .collect();
        assert!(summarise(&worker(), &nine, "c-1", None, now()).is_err());
    }
}
