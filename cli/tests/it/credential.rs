//! `skillpack credential`: a trainer issues a credential offline for a practical task, and a
//! verifier checks it from its file and from its QR code, offline, with the reason when a
//! changed or foreign credential fails.

use std::path::Path;

use crate::{ok, skillpack, text};

fn did_of(dir: &Path, public: &str) -> String {
    let text = std::fs::read_to_string(dir.join(public)).unwrap();
    text.split_whitespace()
        .find_map(|w| {
            w.trim_end_matches(['.', ',', ')'])
                .strip_prefix("did:key:")
                .map(|k| format!("did:key:{k}"))
        })
        .unwrap()
}

/// A trainer's key pair and issuer description in `d`.
fn trainer(d: &Path) {
    ok(d, &["keys", "new", "--out", "trainer"]);
    std::fs::write(
        d.join("issuer.toml"),
        "name = \"Salama Riders Trust\"\ncountry_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
}

/// `skillpack credential issue` for the sample module safe-riding to `learner`, with the
/// trainer's key and `more` arguments.
fn issue(d: &Path, learner: &str, more: &[&str]) -> std::process::Output {
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/modules/safe-riding");
    let mut args = vec![
        "credential",
        "issue",
        "--key",
        "trainer.key",
        "--issuer",
        "issuer.toml",
        "--module",
        module.to_str().unwrap(),
        "--learner",
        learner,
    ];
    args.extend_from_slice(more);
    skillpack(d, &args)
}

#[test]
fn a_credential_issued_offline_verifies_from_its_file_and_its_qr_code_and_a_changed_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    trainer(d);
    ok(d, &["keys", "new", "--out", "learner"]);
    let learner = did_of(d, "learner.pub");
    let issued = issue(
        d,
        &learner,
        &["--score", "90", "-o", "cred.json", "--qr", "cred.png"],
    );
    assert!(issued.status.success(), "{}", text(&issued));
    assert!(
        text(&issued).contains("error correction"),
        "{}",
        text(&issued)
    );
    ok(d, &["credential", "qr", "cred.json", "-o", "cred.svg"]);
    assert!(std::fs::read_to_string(d.join("cred.svg"))
        .unwrap()
        .starts_with("<?xml"));

    let verified = ok(
        d,
        &[
            "credential",
            "verify",
            "cred.json",
            "--trust",
            "trainer.pub",
        ],
    );
    assert!(
        verified.contains("valid: Safe riding") && verified.contains("a trusted issuer"),
        "{verified}"
    );
    let from_qr: serde_json::Value = serde_json::from_str(&ok(
        d,
        &["credential", "verify", "--qr", "cred.png", "--json"],
    ))
    .unwrap();
    assert_eq!(from_qr["valid"], true, "{from_qr}");
    assert_eq!(from_qr["trusted_issuer"], false);
    assert_eq!(
        from_qr["revocation"],
        "not checked (the credential names no revocation list)"
    );

    let mut changed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("cred.json")).unwrap()).unwrap();
    changed["credentialSubject"]["result"][0]["value"] = "100".into();
    std::fs::write(
        d.join("changed.json"),
        serde_json::to_vec(&changed).unwrap(),
    )
    .unwrap();
    let out = skillpack(d, &["credential", "verify", "changed.json"]);
    assert!(!out.status.success());
    assert!(
        text(&out).contains("not valid: the signature does not match"),
        "{}",
        text(&out)
    );

    let below = issue(d, &learner, &["--score", "40", "-o", "no.json"]);
    assert!(!below.status.success() && text(&below).contains("below the module's pass mark"));
    assert!(!d.join("no.json").exists());
}

#[test]
fn a_learner_keeps_a_credential_given_as_a_file_lists_it_and_hands_it_out_as_a_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    trainer(d);
    let init = ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "phone",
            "--trust",
            "trainer.pub",
        ],
    );
    let learner = init
        .split_whitespace()
        .find(|w| w.starts_with("did:key:"))
        .unwrap()
        .to_owned();
    let issued = issue(d, &learner, &["-o", "cred.json"]);
    assert!(issued.status.success(), "{}", text(&issued));
    assert!(ok(d, &["device", "credentials", "--store", "phone"]).contains("no credentials yet"));
    let kept = ok(
        d,
        &[
            "device",
            "credential",
            "add",
            "--store",
            "phone",
            "cred.json",
        ],
    );
    assert!(kept.contains("kept Safe riding"), "{kept}");
    let listed: serde_json::Value = serde_json::from_str(&ok(
        d,
        &["device", "credentials", "--store", "phone", "--json"],
    ))
    .unwrap();
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed[0]["module"], "safe-riding");
    ok(
        d,
        &[
            "device",
            "credential",
            "export",
            "--store",
            "phone",
            &id,
            "-o",
            "out.json",
            "--qr",
            "out.png",
        ],
    );
    let verified = ok(
        d,
        &[
            "credential",
            "verify",
            "--qr",
            "out.png",
            "--trust",
            "trainer.pub",
        ],
    );
    assert!(verified.contains("a trusted issuer"), "{verified}");
    // Someone else's credential is not kept.
    ok(
        d,
        &[
            "device",
            "init",
            "--store",
            "other-phone",
            "--trust",
            "trainer.pub",
        ],
    );
    let refused = skillpack(
        d,
        &[
            "device",
            "credential",
            "add",
            "--store",
            "other-phone",
            "cred.json",
        ],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("another learner"),
        "{}",
        text(&refused)
    );
}
