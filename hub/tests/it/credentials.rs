//! Credentials over HTTP: a passing record pushed to a hub whose provider has an issuer earns
//! a credential, announced in the push's answer and fetched a page at a time by its device
//! only; the provider's revocation list is public, signed, and changes when the operator
//! revokes one. Strangers, unbound devices and malformed requests are refused by name.

use reqwest::StatusCode;
use skillpack_core::credential::status::check_status;
use skillpack_core::credential::{self, Contexts, CredentialError, Issuer, Revocation};
use skillpack_core::keys::SecretKey;
use skillpack_core::ledger::PackRef;
use skillpack_core::pack::PackReader;
use skillpack_core::protocol::{
    endpoint, CredentialsRequest, CredentialsResponse, ErrorResponse, PushRequest, PushResponse,
};
use skillpack_core::testing::{publisher_key, record_chain_in, register_request, sample_pack};
use skillpack_hub::issuer::set_up_endorsed_issuer;
use skillpack_hub::storage::WebGrant;

use super::TestHub;

fn profile() -> Issuer {
    Issuer {
        name: "Salama Riders Trust".into(),
        url: Some("https://salama-riders.example".into()),
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    }
}

fn take(hub: &TestHub, device: &SecretKey, after: u64) -> reqwest::blocking::Response {
    let body = serde_json::to_vec(&CredentialsRequest { after }).unwrap();
    hub.signed_post(device, endpoint::CREDENTIALS, body)
}

fn code_of(response: reqwest::blocking::Response) -> String {
    response.json::<ErrorResponse>().unwrap().error.code
}

#[test]
fn a_pass_earns_a_credential_its_device_alone_fetches_and_revocation_changes_the_public_list() {
    let hub = TestHub::start();
    let publisher = publisher_key();
    hub.run(
        hub.db
            .add_publisher(publisher.public_key(), "trainer".into()),
    )
    .unwrap();
    let published = hub.signed_post(&publisher, &endpoint::publish("riders"), sample_pack());
    assert_eq!(published.status(), StatusCode::CREATED);
    let issuer = hub
        .run(set_up_endorsed_issuer(
            &hub.db,
            &publisher,
            profile(),
            &hub.url,
        ))
        .unwrap();
    assert_eq!(
        issuer.status_list,
        format!("{}/v1/status/{}", hub.url, issuer.id)
    );

    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let (device, learner_key) = (
        SecretKey::from_seed(&[41; 32]),
        SecretKey::from_seed(&[42; 32]),
    );
    let learner = learner_key.public_key().to_did_key();
    let register = serde_json::to_vec(&register_request(&device, &learner_key, &code)).unwrap();
    assert_eq!(
        hub.signed_post(&device, endpoint::DEVICES, register)
            .status(),
        StatusCode::CREATED
    );
    let pack = sample_pack();
    let reader = PackReader::open(std::io::Cursor::new(&pack)).unwrap();
    let pack_ref = PackRef {
        id: reader.manifest().pack.id.clone(),
        version: reader.manifest().pack.version.clone(),
        hash: reader.pack_hash(),
    };
    let records = record_chain_in(&device, &learner, 2, &pack_ref);
    let body = serde_json::to_vec(&PushRequest {
        records,
        name: None,
        grants_after: None,
    })
    .unwrap();
    let pushed: PushResponse = hub
        .signed_post(&device, endpoint::RECORDS, body)
        .json()
        .unwrap();
    let newest = pushed.credentials.expect("announced in the push's answer");

    let answer: CredentialsResponse = take(&hub, &device, 0).json().unwrap();
    assert_eq!(
        answer.credentials.len(),
        1,
        "two passes of one module: one credential per achievement"
    );
    assert!(!answer.more);
    assert_eq!(answer.credentials[0].number, newest);
    assert_eq!(answer.endorsements.len(), 1, "one issuer, endorsed once");
    let endorsed = answer.endorsements[0].check().unwrap();
    assert_eq!(endorsed.publisher, publisher.public_key());
    let now = chrono::Utc::now();
    let first = &answer.credentials[0].credential;
    let tolerance = credential::CLOCK_TOLERANCE;
    let verified = credential::verify(
        first,
        &[endorsed.issuer],
        now,
        tolerance,
        Contexts::bundled(),
    )
    .unwrap();
    assert!(verified.trusted_issuer);
    assert_eq!(verified.subject, learner);
    let after: CredentialsResponse = take(&hub, &device, newest).json().unwrap();
    assert!(after.credentials.is_empty());

    // Pushing the same records again issues nothing more.
    let records = record_chain_in(&device, &learner, 2, &pack_ref);
    let body = serde_json::to_vec(&PushRequest {
        records,
        name: None,
        grants_after: None,
    })
    .unwrap();
    let again: PushResponse = hub
        .signed_post(&device, endpoint::RECORDS, body)
        .json()
        .unwrap();
    assert_eq!(again.credentials, Some(newest));

    // The list is public and signed by the issuer; a revocation sets the credential's bit.
    let list_url = first["credentialStatus"]["statusListCredential"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = |url: &str| -> serde_json::Value {
        let response = reqwest::blocking::get(url).unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().unwrap()
    };
    let clear = list(&list_url);
    assert_eq!(
        check_status(first, &verified.issuer, &clear, now, Contexts::bundled()).unwrap(),
        Revocation::NotRevoked
    );
    // A trainer of the learner's group revokes it from the learner's page, with a reason.
    let id = first["id"].as_str().unwrap();
    let trainer = hub.sign_in(WebGrant {
        operator: false,
        groups: vec!["riders".into()],
        label: "Wanjiru".into(),
    });
    let learner_page = format!("/web/learners/{learner}");
    let csrf = trainer.csrf(&learner_page);
    let revoke = |csrf: &str, id: &str, reason: &str| {
        trainer
            .post_form(
                &format!("{learner_page}/credentials/revoke"),
                &[("csrf", csrf), ("id", id), ("reason", reason)],
            )
            .status()
    };
    assert_eq!(revoke("forged", id, "a mistake"), StatusCode::FORBIDDEN);
    assert_eq!(revoke(&csrf, id, "  "), StatusCode::BAD_REQUEST, "a reason");
    assert_eq!(
        revoke(&csrf, "urn:uuid:00000000-0000-4000-8000-000000000000", "x"),
        StatusCode::NOT_FOUND,
        "not one of this learner's"
    );
    let revocations = || {
        hub.run(hub.db.audit())
            .unwrap()
            .into_iter()
            .filter(|a| a.action == "revoke_credential")
            .count()
    };
    assert_eq!(revocations(), 0, "nothing revoked by a refused form");
    assert_eq!(revoke(&csrf, id, "a mistake"), StatusCode::SEE_OTHER);
    assert_eq!(revocations(), 1);
    let audit = hub.run(hub.db.audit()).unwrap();
    assert!(
        audit.iter().any(|a| a.action == "revoke_credential"
            && a.actor == "Wanjiru"
            && a.detail.contains("a mistake")),
        "{audit:?}"
    );
    let page = trainer.page(&learner_page);
    assert!(
        page.contains("revoked") && page.contains("a mistake"),
        "{page}"
    );
    let revoked = list(&list_url);
    assert!(matches!(
        check_status(first, &verified.issuer, &revoked, now, Contexts::bundled()),
        Err(CredentialError::Revoked)
    ));
    // Another learner's credential from the same issuer: its bit is not set.
    let (other_device, other_key) = (
        SecretKey::from_seed(&[43; 32]),
        SecretKey::from_seed(&[44; 32]),
    );
    let other_learner = other_key.public_key().to_did_key();
    let register = serde_json::to_vec(&register_request(&other_device, &other_key, &code)).unwrap();
    assert_eq!(
        hub.signed_post(&other_device, endpoint::DEVICES, register)
            .status(),
        StatusCode::CREATED
    );
    let body = serde_json::to_vec(&PushRequest {
        records: record_chain_in(&other_device, &other_learner, 1, &pack_ref),
        name: None,
        grants_after: None,
    })
    .unwrap();
    let _: PushResponse = hub
        .signed_post(&other_device, endpoint::RECORDS, body)
        .json()
        .unwrap();
    let theirs: CredentialsResponse = take(&hub, &other_device, 0).json().unwrap();
    let second = &theirs.credentials[0].credential;
    let revoked = list(&list_url);
    assert_eq!(
        check_status(second, &verified.issuer, &revoked, now, Contexts::bundled()).unwrap(),
        Revocation::NotRevoked,
        "only the revoked one's bit is set"
    );

    // The learner's page hands each credential out baked into a badge image, the credential
    // inside as issued; only for a learner the trainer sees, and only the learner's own.
    let number = answer.credentials[0].number;
    let badge = trainer.get(&format!("{learner_page}/credentials/{number}/badge.png"));
    assert_eq!(badge.status(), StatusCode::OK);
    assert_eq!(badge.headers()["content-type"], "image/png");
    let baked = credential::baked::unbake(&badge.bytes().unwrap()).unwrap();
    assert_eq!(&baked, first);
    assert!(
        page.contains(&format!("/credentials/{number}/badge.png")),
        "{page}"
    );
    for missing in [
        format!("{learner_page}/credentials/999/badge.png"),
        format!("{learner_page}/credentials/0/badge.png"),
        format!("/web/learners/did:key:z6MkNobody/credentials/{number}/badge.png"),
    ] {
        assert_eq!(
            trainer.get(&missing).status(),
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }
    let other = hub.sign_in(WebGrant {
        operator: false,
        groups: vec!["cleaners".into()],
        label: "Otieno".into(),
    });
    assert_eq!(
        other
            .get(&format!("{learner_page}/credentials/{number}/badge.png"))
            .status(),
        StatusCode::NOT_FOUND,
        "a trainer of another group"
    );
    for missing in ["/v1/status/999", "/v1/status/one", "/v1/status/-1"] {
        let response = reqwest::blocking::get(format!("{}{missing}", hub.url)).unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}

#[test]
fn strangers_and_malformed_requests_get_no_credentials() {
    let hub = TestHub::start();
    let stranger = SecretKey::from_seed(&[43; 32]);
    let refused = take(&hub, &stranger, 0);
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(code_of(refused), "unknown_device");

    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let (device, learner_key) = (
        SecretKey::from_seed(&[44; 32]),
        SecretKey::from_seed(&[45; 32]),
    );
    let register = serde_json::to_vec(&register_request(&device, &learner_key, &code)).unwrap();
    hub.signed_post(&device, endpoint::DEVICES, register);
    for body in [
        &b"{}"[..],
        b"{\"after\": -1}",
        b"{\"after\": 1, \"learner\": \"did:key:z6MkSomeoneElse\"}",
        b"not json",
    ] {
        let response = hub.signed_post(&device, endpoint::CREDENTIALS, body.to_vec());
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body:?}");
        assert_eq!(code_of(response), "bad_json");
    }
    let nothing: CredentialsResponse = take(&hub, &device, 0).json().unwrap();
    assert!(nothing.credentials.is_empty() && nothing.endorsements.is_empty());
    let unsigned = reqwest::blocking::Client::new()
        .post(format!("{}{}", hub.url, endpoint::CREDENTIALS))
        .body("{\"after\":0}")
        .send()
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
}
