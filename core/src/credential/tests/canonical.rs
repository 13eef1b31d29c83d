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
