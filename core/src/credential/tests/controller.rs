//! Issuers known by their controller document: 1EdTech's signed Open Badges 3.0 test vector,
//! whose issuer is an https address, verifies whole (proof, issuer, dates) with the document
//! that lists its key, and not without it, nor with a document that does not allow the key
//! to sign credentials or belongs to another issuer.

use serde_json::Value;

use super::{json_of, OB3};
use crate::credential::{verify_with, Contexts, ControllerDocument, CredentialError, Trust};

fn controller() -> Value {
    json_of(OB3, "controller-document.json")
}

fn check(documents: &[ControllerDocument]) -> Result<crate::credential::Verified, CredentialError> {
    let signed = json_of(OB3, "signed-openbadgecredential.json");
    let key = ControllerDocument::from_value(&controller())
        .expect("the document reads")
        .signers[0]
        .1;
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T00:00:00Z")
        .expect("date")
        .with_timezone(&chrono::Utc);
    verify_with(
        &signed,
        &[key],
        now,
        crate::credential::CLOCK_TOLERANCE,
        Contexts::bundled(),
        documents,
    )
}

#[test]
fn the_open_badges_vector_verifies_whole_with_its_issuers_controller_document() {
    let document = ControllerDocument::parse(controller().to_string().as_bytes()).expect("reads");
    assert_eq!(document.id, "https://example.edu/issuers/565049");
    let verified = check(&[document]).expect("1EdTech's vector verifies");
    assert_eq!(verified.issuer, "https://example.edu/issuers/565049");
    assert!(matches!(verified.trust, Trust::Signed { .. }));

    // Without the document, the key is not known.
    assert!(
        matches!(check(&[]), Err(CredentialError::UnknownKey(_))),
        "{:?}",
        check(&[])
    );

    // A document that lists the key but does not allow it to sign credentials.
    let mut not_asserting = controller();
    not_asserting["assertionMethod"] = serde_json::json!([]);
    assert!(ControllerDocument::from_value(&not_asserting).is_err());

    // Another issuer's document listing the same key: the signer is not the issuer.
    let elsewhere: Value = serde_json::from_str(&controller().to_string().replace(
        "https://example.edu/issuers/565049",
        "https://other.example/issuer",
    ))
    .expect("json");
    let other = ControllerDocument::from_value(&elsewhere).expect("reads");
    assert!(
        matches!(check(&[other]), Err(CredentialError::UnknownKey(_))),
        "the vector's method is the example issuer's, which this document is not"
    );
}

#[test]
fn a_did_web_is_read_from_the_address_it_names() {
    use crate::credential::did_web_url;
    assert_eq!(
        did_web_url("did:web:example.org").as_deref(),
        Some("https://example.org/.well-known/did.json")
    );
    assert_eq!(
        did_web_url("did:web:example.org%3A8443:issuers:7").as_deref(),
        Some("https://example.org:8443/issuers/7/did.json")
    );
    assert_eq!(
        did_web_url("did:web:127.0.0.1%3A8080").as_deref(),
        Some("http://127.0.0.1:8080/.well-known/did.json"),
        "plain http on this machine's loopback only"
    );
    for odd in [
        "did:key:z6Mk",
        "did:web:",
        "did:web:exa mple.org",
        "did:web:a.org:..%2F",
    ] {
        assert_eq!(did_web_url(odd), None, "{odd}");
    }
}
