//! The QR payloads: base45 as RFC 9285 writes it, a credential through the current format
//! and still verifying, codes of the earlier formats (`SP1`, `SP2`) still read, and a
//! credential carrying the provider's endorsement in one code.

use serde_json::Value;

use super::super::*;
use super::signed_sample;

#[test]
fn base45_matches_rfc_9285_and_refuses_what_is_not_base45() {
    for (bytes, text) in [
        (&b"AB"[..], "BB8"),
        (b"Hello!!", "%69 VD92EX0"),
        (b"base-45", "UJCLQE7W581"),
        (b"ietf!", "QED8WEX0"),
        (b"", ""),
    ] {
        assert_eq!(qr::base45_encode(bytes), text);
        assert_eq!(qr::base45_decode(text).expect("decodes"), bytes);
    }
    for bad in ["GGW", "ZZZ", "a", "BB8A", "::"] {
        assert!(qr::base45_decode(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_credential_goes_through_a_qr_payload_and_still_verifies() {
    let contexts = Contexts::bundled();
    let (signed, key) = signed_sample(Cryptosuite::EddsaRdfc2022);
    let payload = qr::to_payload(&signed).expect("fits");
    assert!(payload.starts_with(qr::PREFIX));
    assert!(
        payload
            .bytes()
            .all(|c| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&c)),
        "only QR's alphanumeric characters"
    );
    let back = qr::from_payload(&payload).expect("reads back");
    assert_eq!(back, signed);
    let checked = check_proof(&back, contexts, &did_key_method).expect("verifies");
    assert_eq!(checked.key, key.public_key());
    for bad in [
        "",
        "SP1:",
        "SP2:",
        "SP2:ABC",
        "SP3:ABC",
        "SP1:%%%",
        "SP2:a lower case",
    ] {
        assert!(qr::from_payload(bad).is_err(), "{bad:?}");
    }
    for prefix in ["SP1:", "SP2:", "SP3:"] {
        let long = format!("{prefix}{}", "0".repeat(qr::MAX_PAYLOAD_LEN));
        assert!(matches!(
            qr::from_payload(&long),
            Err(CredentialError::TooLarge { .. })
        ));
    }
}

/// A QR code of the first format (`SP1:`, printed before `SP2:`) still reads: this payload
/// was written by the zstd command-line tool with the first format's dictionary, not by us.
#[test]
fn a_qr_code_of_the_first_format_still_reads_and_verifies() {
    let payload = include_str!("../examples/sp1-payload.txt");
    let expected: Value =
        serde_json::from_str(include_str!("../examples/sp1-credential.json")).expect("json");
    let back = qr::read_text(payload).expect("reads");
    assert_eq!(back, expected);
    check_proof(&back, Contexts::bundled(), &did_key_method).expect("verifies");
    let again = qr::to_payload(&back).expect("fits");
    assert!(again.starts_with("SP3:"), "written in the current format");
    assert!(
        again.len() * 10 < payload.trim().len() * 7,
        "SP3 {} characters against SP1 {}",
        again.len(),
        payload.trim().len()
    );
}

/// A QR code of the second format (`SP2:`, whose dictionary knew no endorsement) still reads
/// and verifies: this payload was written by the `SP2` writer before `SP3`.
#[test]
fn a_qr_code_of_the_second_format_still_reads_and_verifies() {
    let payload = include_str!("../examples/sp2-payload.txt");
    assert!(payload.starts_with("SP2:"));
    let expected: Value =
        serde_json::from_str(include_str!("../examples/sp1-credential.json")).expect("json");
    let back = qr::read_text(payload).expect("reads");
    assert_eq!(back, expected);
    check_proof(&back, Contexts::bundled(), &did_key_method).expect("verifies");
}

/// A credential carrying the provider's endorsement round-trips through `SP3` and still
/// verifies, its endorsement included, and costs fewer characters than under `SP2`'s
/// dictionary, which knew no endorsement.
#[test]
fn an_endorsed_credential_round_trips_in_one_qr_code() {
    let document: Value =
        serde_json::from_str(include_str!("../examples/microcredential-endorsed.json"))
            .expect("json");
    let payload = qr::to_payload(&document).expect("fits");
    assert!(payload.starts_with("SP3:"));
    assert_eq!(qr::from_payload(&payload).expect("reads"), document);
    let endorsement = &document["issuer"]["endorsement"][0];
    let checked = check_endorsement(
        endorsement,
        chrono::Utc::now(),
        CLOCK_TOLERANCE,
        Contexts::bundled(),
    )
    .expect("its endorsement checks after the round trip");
    assert_eq!(checked.issuer.to_did_key(), document["issuer"]["id"]);
    let without: Value = {
        let mut d = document.clone();
        d["issuer"]
            .as_object_mut()
            .expect("issuer")
            .remove("endorsement");
        d
    };
    let cost = payload.len() - qr::to_payload(&without).expect("fits").len();
    assert!(
        cost < 300,
        "the endorsement costs {cost} characters in a QR code with SP3's dictionary"
    );
}
