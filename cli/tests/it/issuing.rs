//! Credentials the hub issues, end to end as real processes over loopback: a provider sets up
//! its issuer on the hub, a learner passes a module offline and syncs, the device takes the
//! credential the hub issued (trusted through the provider's endorsement), hands it out, a
//! verifier checks it online against the provider's revocation list, and once the operator
//! revokes it, the verifier says so, by that reason, and the learner's device says so first,
//! with the reason, after one sync, and keeps saying so with the hub gone; offline a verifier
//! says revocation was not checked.

use skillpack_core::authoring::load_modules;
use skillpack_core::testing::right_answers;

use super::{assets, ok, skillpack, text, Hub};

#[test]
fn a_passing_result_earns_a_hub_credential_the_device_keeps_and_revocation_reaches_verifiers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let hub = Hub::start(d);
    let (url, db) = (hub.url.clone(), hub.db.clone());
    let (key, public) = (
        assets().join("keys/demo-publisher.key"),
        assets().join("keys/demo-publisher.pub"),
    );
    let (key, public) = (key.to_str().unwrap(), public.to_str().unwrap());
    let src = assets().join("modules/mobile-money-scams");
    ok(
        d,
        &[
            "build",
            src.to_str().unwrap(),
            "--key",
            key,
            "-o",
            "scams.skillpack",
        ],
    );
    ok(d, &["hub", "add-publisher", "--db", &db, public]);
    std::fs::write(
        d.join("issuer.toml"),
        "name = \"Salama Riders Trust\"\nurl = \"https://salama-riders.example\"\n\
         country_code = \"KE\"\ncountry = \"Kenya\"\n",
    )
    .unwrap();
    let set_up = ok(
        d,
        &[
            "hub",
            "issuer",
            "--db",
            &db,
            "--key",
            key,
            "--issuer",
            "issuer.toml",
            "--hub-url",
            &url,
        ],
    );
    assert!(set_up.contains("/v1/status/1"), "{set_up}");
    ok(
        d,
        &[
            "publish",
            "--hub",
            &url,
            "--key",
            key,
            "scams.skillpack",
            "--group",
            "riders",
        ],
    );
    let code = ok(d, &["hub", "enrol", "--db", &db, "--group", "riders"])
        .trim()
        .to_owned();
    ok(
        d,
        &["device", "init", "--store", "phone", "--trust", public],
    );
    ok(
        d,
        &[
            "device", "register", "--store", "phone", "--hub", &url, "--code", &code,
        ],
    );
    let first = ok(d, &["device", "sync", "--store", "phone"]);
    assert!(!first.contains("credential"), "{first}");

    // A pass earns one credential, taken at the sync that sends the result.
    let module = load_modules(&[src]).unwrap().remove(0).compiled.module;
    std::fs::write(
        d.join("right.json"),
        serde_json::to_vec(&right_answers(&module)).unwrap(),
    )
    .unwrap();
    let taken = ok(
        d,
        &[
            "device",
            "take",
            "--store",
            "phone",
            "mobile-money-scams",
            "--answers",
            "right.json",
            "--json",
        ],
    );
    assert!(
        taken.contains("\"passed\": true") || taken.contains("\"passed\":true"),
        "{taken}"
    );
    let synced = ok(d, &["device", "sync", "--store", "phone"]);
    assert!(synced.contains("received a new credential"), "{synced}");
    let again = ok(d, &["device", "sync", "--store", "phone"]);
    assert!(!again.contains("credential"), "taken once: {again}");

    let held: serde_json::Value = serde_json::from_str(&ok(
        d,
        &["device", "credentials", "--store", "phone", "--json"],
    ))
    .unwrap();
    let held = held.as_array().unwrap();
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(held[0]["trusted_issuer"], true, "endorsed by the publisher");
    assert_eq!(held[0]["module"], "mobile-money-scams");
    assert_eq!(
        held[0]["revocation"]["state"], "not_revoked",
        "checked at the sync that took it: {held:?}"
    );
    let id = held[0]["id"].as_str().unwrap().to_owned();
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
            "mine.json",
        ],
    );
    let mine: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("mine.json")).unwrap()).unwrap();
    assert_eq!(mine["issuer"]["name"], "Salama Riders Trust");
    assert!(mine["evidence"][0]["narrative"]
        .as_str()
        .unwrap()
        .contains("mobile-money-scams"));
    assert_eq!(
        mine["credentialStatus"]["statusListCredential"],
        format!("{url}/v1/status/1")
    );

    let checked = ok(d, &["credential", "verify", "mine.json"]);
    assert!(
        checked.contains("revocation checked: not revoked"),
        "{checked}"
    );
    let listed = ok(d, &["hub", "credentials", "--db", &db]);
    assert!(listed.contains(&id) && listed.contains("valid"), "{listed}");

    ok(
        d,
        &[
            "hub",
            "revoke",
            "--db",
            &db,
            &id,
            "--reason",
            "the assessment was taken by someone else",
            "--by",
            "Wanjiru",
        ],
    );
    let audit = ok(d, &["hub", "audit", "--db", &db]);
    assert!(
        audit.contains("Wanjiru revoke_credential") && audit.contains("taken by someone else"),
        "{audit}"
    );
    let synced = ok(d, &["device", "sync", "--store", "phone"]);
    assert!(
        synced.starts_with("REVOKED: Spotting mobile-money scams (urn:uuid:")
            && synced.contains("): the assessment was taken by someone else"),
        "{synced}"
    );
    let listed = ok(d, &["device", "credentials", "--store", "phone"]);
    assert!(
        listed.starts_with("REVOKED: the assessment was taken by someone else  urn:uuid:"),
        "{listed}"
    );
    let held: serde_json::Value = serde_json::from_str(&ok(
        d,
        &["device", "credentials", "--store", "phone", "--json"],
    ))
    .unwrap();
    assert_eq!(held[0]["revocation"]["state"], "revoked");
    assert_eq!(
        held[0]["revocation"]["reason"],
        "the assessment was taken by someone else"
    );
    let revoked = skillpack(d, &["credential", "verify", "mine.json"]);
    assert_eq!(revoked.status.code(), Some(3), "{}", text(&revoked));
    assert!(text(&revoked).starts_with("REVOKED"), "{}", text(&revoked));
    // Offline nothing can say it was revoked: never a plain "valid", and an exit code of its
    // own.
    let out = skillpack(d, &["credential", "verify", "mine.json", "--offline"]);
    let offline = text(&out);
    assert_eq!(out.status.code(), Some(4), "{offline}");
    assert!(
        offline.starts_with("valid, but NOT checked for revocation (offline)")
            && offline.contains("revocation not checked (offline)"),
        "{offline}"
    );
    let listed = ok(d, &["hub", "credentials", "--db", &db]);
    assert!(listed.contains("revoked"), "{listed}");
    let unknown = skillpack(
        d,
        &[
            "hub",
            "revoke",
            "--db",
            &db,
            "urn:uuid:00000000-0000-4000-8000-000000000000",
            "--reason",
            "none",
            "--by",
            "W",
        ],
    );
    assert!(!unknown.status.success());

    // With the hub gone, a verifier is told revocation was not checked, and why; the
    // learner's device still shows what it learned.
    drop(hub);
    let listed = ok(d, &["device", "credentials", "--store", "phone"]);
    assert!(listed.starts_with("REVOKED: "), "{listed}");
    let gone = skillpack(d, &["credential", "verify", "mine.json"]);
    assert_eq!(gone.status.code(), Some(4), "{}", text(&gone));
    assert!(
        text(&gone).contains("revocation not checked"),
        "{}",
        text(&gone)
    );
}
