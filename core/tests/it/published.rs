//! Credentials others published, verified on a device as a phone verifies any credential
//! shown to it, offline: the DCC's signed Open Badges (VC 2.0 `eddsa-rdfc-2022`, VC 1.1
//! `Ed25519Signature2020`), and 1EdTech's vector once the phone keeps its issuer's document;
//! W3C's proof vectors are refused by name (no Open Badge). Sources: `tests/vectors/*/README.md`.
#![cfg(feature = "client")]

use std::path::Path;

use skillpack_core::device::Device;

fn vector(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/vectors")
            .join(path),
    )
    .unwrap()
}

#[test]
fn published_open_badges_verify_on_a_device_offline() {
    let dir = tempfile::tempdir().unwrap();
    let phone = Device::create(dir.path()).unwrap();
    for file in [
        "w3c/dcc-v2-eddsa-rdfc-2022-openbadge.json",
        "w3c/dcc-v1-ed25519signature2020-openbadge.json",
    ] {
        let checked = phone.verify_credential(&vector(file), false).unwrap();
        assert!(checked.valid, "{file}: {checked:?}");
        assert!(
            !checked.trusted_issuer,
            "no one trusts the DCC's test issuer here"
        );
        // One character changed: not valid, by name.
        let changed = phone
            .verify_credential(&vector(file).replacen("Badge", "BadgE", 1), false)
            .unwrap();
        assert!(!changed.valid, "{file}");
    }
    // 1EdTech's vector names an https issuer: unknown until the phone keeps its document.
    let signed = vector("ob3-eddsa-rdfc-2022/signed-openbadgecredential.json");
    let unknown = phone.verify_credential(&signed, false).unwrap();
    assert!(!unknown.valid && unknown.problem.unwrap().contains("key"));
    let document: serde_json::Value =
        serde_json::from_str(&vector("ob3-eddsa-rdfc-2022/controller-document.json")).unwrap();
    phone
        .store()
        .keep_issuer_document(&document, chrono::Utc::now())
        .unwrap();
    let known = phone.verify_credential(&signed, false).unwrap();
    assert!(known.valid, "{known:?}");
    assert_eq!(known.issuer, "https://example.edu/issuers/565049");
    // W3C's vectors test a proof alone: no Open Badge, and not signed by their issuer.
    let w3c = phone
        .verify_credential(&vector("w3c/signedDataInt.json"), false)
        .unwrap();
    assert!(!w3c.valid);
    assert!(w3c
        .problem
        .unwrap()
        .contains("not an Open Badges 3.0 credential"));
}
