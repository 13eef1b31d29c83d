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
    // The operator sets up the issuer with the provider's public key only; it issues nothing
    // until the trainer, on their own computer, endorses the key it prints.
    let set_up = ok(
        d,
        &[
            "hub",
            "issuer",
            "--db",
            &db,
            "--publisher",
            public,
            "--issuer",
            "issuer.toml",
            "--hub-url",
            &url,
        ],
    );
    assert!(set_up.contains("/v1/status/1"), "{set_up}");
    assert!(set_up.contains("not endorsed yet"), "{set_up}");
    assert!(set_up.contains("skillpack issuer endorse"), "{set_up}");
    let issuer_did = set_up
        .lines()
        .find_map(|l| l.trim().strip_prefix("issuer key:"))
        .and_then(|l| l.split_whitespace().next())
        .expect("the issuer key")
        .to_owned();
    assert_eq!(
        ok(d, &["hub", "issuer", "--db", &db, "--publisher", public]),
        set_up
            .lines()
            .skip_while(|l| !l.starts_with("issuer 1 "))
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
        "asked again, the same issuer, the same state"
    );
    let own = std::fs::read_to_string(public).unwrap();
    let own_did = own.lines().last().unwrap().trim();
    for wrong in [
        own_did,
        "did:key:z6MkNotAKey",
        "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ] {
        let refused = skillpack(
            d,
            &[
                "issuer", "endorse", "--key", key, "--issuer", wrong, "-o", "e.json",
            ],
        );
        assert!(!refused.status.success(), "{wrong}: {}", text(&refused));
    }
    let endorsed = ok(
        d,
        &[
            "issuer",
            "endorse",
            "--key",
            key,
            "--issuer",
            &issuer_did,
            "--name",
            "Salama Riders Trust",
            "-o",
            "endorsement.json",
        ],
    );
    let issuer_fingerprint = set_up
        .lines()
        .find_map(|l| l.split("(fingerprint ").nth(1))
        .and_then(|l| l.strip_suffix(')'))
        .expect("the issuer key's fingerprint");
    assert!(endorsed.contains(issuer_fingerprint), "{endorsed}");
    let taken = ok(
        d,
        &[
            "hub",
            "issuer",
            "--db",
            &db,
            "--endorsement",
            "endorsement.json",
        ],
    );
    assert!(
        taken.contains("took the endorsement") && taken.contains("credentials carry"),
        "{taken}"
    );
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

    assert_eq!(
        mine["issuer"]["endorsement"][0],
        serde_json::from_slice::<serde_json::Value>(
            &std::fs::read(d.join("endorsement.json")).unwrap()
        )
        .unwrap(),
        "the trainer's endorsement, inside the credential"
    );
    let checked = ok(d, &["credential", "verify", "mine.json"]);
    assert!(
        checked.contains("revocation checked: not revoked")
            && checked.contains("(Salama Riders Trust): give --trust with that publisher's key"),
        "{checked}"
    );
    // The verifier knows only the provider's publisher key: trusted through the endorsement.
    let publisher_fingerprint = endorsed
        .split("signed by your key ")
        .nth(1)
        .and_then(|l| l.lines().next())
        .expect("the publisher's fingerprint")
        .to_owned();
    let trusted = ok(d, &["credential", "verify", "mine.json", "--trust", public]);
    assert!(
        trusted.contains(&format!(
            "trusted: Salama Riders Trust, endorsed by {publisher_fingerprint}"
        )),
        "{trusted}"
    );
    let stranger = assets().join("keys/demo-assessor.pub");
    let out = skillpack(
        d,
        &[
            "credential",
            "verify",
            "mine.json",
            "--trust",
            stranger.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(5), "{}", text(&out));
    assert!(
        text(&out).contains(&format!(
            "not trusted: endorsed by {publisher_fingerprint} (Salama Riders Trust), a key \
             --trust does not name"
        )),
        "{}",
        text(&out)
    );
    let json: serde_json::Value = serde_json::from_str(&ok(
        d,
        &[
            "credential",
            "verify",
            "mine.json",
            "--trust",
            public,
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(json["trust"]["by"], "endorsed");
    assert_eq!(json["trust"]["fingerprint"], publisher_fingerprint.as_str());
    assert_eq!(json["endorsements"][0]["name"], "Salama Riders Trust");
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
