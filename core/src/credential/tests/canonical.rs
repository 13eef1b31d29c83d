//! Tests of what a credential's signature covers, held to implementations that are not ours:
//! canonical N-Quads equal to jsonld.js's (typed booleans and fractions), texts whose control
//! characters canonicalisers write differently refused, and revocation lists read only where
//! they cannot be swapped on the way.

use serde_json::Value;

use super::super::{rdfc, Contexts, CredentialError};

/// The canonical N-Quads of a credential with a learner's name (`hashed`, a boolean Open
/// Badges types with its own IRI) and half an ECTS credit (`creditsAvailable`, a number with a
/// fraction) are those jsonld.js writes: `examples/microcredential-named-ects.nq` is its
/// output for the JSON beside it (`scripts/rdfc-golden`), not ours.
#[test]
fn typed_booleans_and_fractions_canonicalise_as_jsonld_js_does() {
    let document: Value =
        serde_json::from_str(include_str!("../examples/microcredential-named-ects.json"))
            .expect("json");
    let ours = rdfc::canonical_nquads(&document, Contexts::bundled()).expect("canonical");
    let golden = include_str!("../examples/microcredential-named-ects.nq");
    assert_eq!(ours.concat(), golden);
}

/// The old form (the placeholder context of the first releases) still canonicalises as
/// jsonld.js reads it with that context supplied: `examples/old-form-named-ects.nq`.
#[test]
fn the_old_form_canonicalises_as_jsonld_js_does_with_its_context_supplied() {
    let document: Value =
        serde_json::from_str(include_str!("../examples/old-form-named-ects.json")).expect("json");
    let ours = rdfc::canonical_nquads(&document, Contexts::bundled()).expect("canonical");
    assert_eq!(
        ours.concat(),
        include_str!("../examples/old-form-named-ects.nq")
    );
}

#[test]
fn revocation_lists_are_read_over_https_or_from_loopback_only() {
    use super::super::status::is_readable_status_url as readable;
    for url in [
        "https://hub.example.org/v1/status/1",
        "http://127.0.0.1:8080/v1/status/1",
        "http://localhost/v1/status/1",
        "http://[::1]:9/v1/status/1",
    ] {
        assert!(readable(url), "{url}");
    }
    for url in [
        "http://hub.example.org/v1/status/1",
        "http://192.168.1.10/v1/status/1",
        "http://127.0.0.1@evil.example/v1/status/1",
        "http://127.0.0.1.evil.example/v1/status/1",
        "ftp://127.0.0.1/list",
        "file:///etc/passwd",
    ] {
        assert!(!readable(url), "{url}");
    }
}

/// A credential from elsewhere with a tab in a text is refused before it is canonicalised, with
/// the reason: ssi-rdf would write the tab raw where RDFC-1.0 writes `\t`, so its signature
/// could verify here and not elsewhere, or the other way round.
#[test]
fn a_credential_holding_a_tab_is_refused_before_it_is_read() {
    let mut document: Value =
        serde_json::from_str(include_str!("../examples/microcredential-named-ects.json"))
            .expect("json");
    document["credentialSubject"]["achievement"]["criteria"]["narrative"] =
        "Steps:\tnominated by peers".into();
    let refused = rdfc::canonical_nquads(&document, Contexts::bundled());
    assert!(
        matches!(&refused, Err(CredentialError::Malformed(why)) if why.contains("U+0009")),
        "{refused:?}"
    );
}

/// The poison credential found by a hostile tester: alignments that say the same thing in
/// different JSON shapes (a value alone or in a one-item list), which the guard on the JSON's
/// shape counts as different. Nine of them under the achievement took ssi-rdf's URDNA2015
/// 26 s; the canonicaliser with a budget needs one step each. Under two alike results, where
/// telling them apart means trying every order, six need 52,056 steps of the 100,000 budget,
/// and seven or more are refused by the budget itself, whatever their shapes.
#[test]
fn alike_blank_nodes_in_different_json_shapes_are_refused_by_the_work_budget() {
    let document: Value =
        serde_json::from_str(include_str!("../examples/microcredential-named-ects.json"))
            .expect("json");
    let flat = |count: usize| {
        let nested = crate::testing::poisoned(&document, count);
        let mut poisoned = document.clone();
        poisoned["credentialSubject"]["achievement"]["alignment"] =
            nested["credentialSubject"]["result"][0]["alignment"].clone();
        poisoned
    };
    let nested = |count: usize| crate::testing::poisoned(&document, count);
    rdfc::canonical_nquads(&flat(9), Contexts::bundled()).expect("nine alike leaves are cheap");
    rdfc::canonical_nquads(&nested(6), Contexts::bundled()).expect("six alike canonicalise");
    for count in [7, 9, 12] {
        let refused = rdfc::canonical_nquads(&nested(count), Contexts::bundled());
        assert!(
            matches!(&refused, Err(CredentialError::TooCostly { limit: 100_000 })),
            "{count}: {refused:?}"
        );
    }
}

/// A status list that names another signer than the credential's issuer is refused on that
/// one field, before anything of it is canonicalised: its proof is not even read (here it is
/// garbage, and the list holds nine alike blank nodes besides).
#[test]
fn a_status_list_from_another_signer_is_refused_before_it_is_read() {
    use crate::keys::SecretKey;

    let issuer = SecretKey::from_seed(&[31; 32]).public_key().to_did_key();
    let stranger = SecretKey::from_seed(&[32; 32]).public_key();
    let credential = serde_json::json!({
        "credentialStatus": {
            "id": "https://hub.example/v1/status/1#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": "https://hub.example/v1/status/1"
        }
    });
    let alike: Vec<Value> = (0..9)
        .map(|_| serde_json::json!({"type": "Thing"}))
        .collect();
    let list = serde_json::json!({
        "id": "https://hub.example/v1/status/1",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "credentialSubject": {"things": alike},
        "proof": [{"verificationMethod": stranger.to_verification_method(), "proofValue": "z1"}]
    });
    let refused = super::super::status::check_status(
        &credential,
        &issuer,
        &list,
        chrono::Utc::now(),
        Contexts::bundled(),
    );
    assert!(
        matches!(&refused, Err(CredentialError::BadStatusList(why)) if why.contains("another key")),
        "{refused:?}"
    );
}

/// Found by the credential fuzz target: an id whose percent-escape is not UTF-8
/// (`urn:uuid:…-8%c5-…`) made the JSON-LD stack panic as it hashed the IRI. It is refused by
/// name before expansion; an escape that is UTF-8 (`caf%C3%A9`) is read as before.
#[test]
fn an_address_whose_percent_escapes_are_not_utf8_is_refused_not_a_panic() {
    let document: Value =
        serde_json::from_str(include_str!("../examples/microcredential-named-ects.json"))
            .expect("json");
    let with_id = |id: &str| {
        let mut changed = document.clone();
        changed["id"] = id.into();
        changed
    };
    let refused = rdfc::canonical_nquads(
        &with_id("urn:uuid:78824450-cbb4-8%c5-909d-0b0408cf7f81"),
        Contexts::bundled(),
    );
    assert!(
        matches!(&refused, Err(CredentialError::Malformed(why)) if why.contains("percent-escapes")),
        "{refused:?}"
    );
    rdfc::canonical_nquads(
        &with_id("https://example.org/caf%C3%A9"),
        Contexts::bundled(),
    )
    .expect("a UTF-8 escape is read");
}

/// A credential naming the Open Badges 3.0 context as published in July 2023 (3.0.2, bundled
/// beside 3.0.3) canonicalises as jsonld.js canonicalises it (`scripts/rdfc-golden`): with
/// that context's own terms (its `achievement` is `vocab.html#achievement-0`), not 3.0.3's.
#[test]
fn an_earlier_open_badges_context_canonicalises_as_jsonld_js_does() {
    let document: Value =
        serde_json::from_str(include_str!("../examples/ob-context-3.0.2.json")).expect("json");
    let golden = include_str!("../examples/ob-context-3.0.2.nq");
    let ours = rdfc::canonical_nquads(&document, Contexts::bundled()).expect("canonical");
    assert_eq!(ours.concat(), golden);
    assert!(golden.contains("vocab.html#achievement-0>"));
}
