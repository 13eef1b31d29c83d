//! Into the learner's wallet in one scan: a scripted wallet on loopback takes a learner's
//! credential through the hub's VC-API exchange (W3C VCALM), opened by the learner's device or
//! by a trainer on the learner's page, and verifies what it gets: the same achievement and
//! evidence, its own DID as the subject, its own revocation bit, revoked with the learner's.
//! Every way in which an exchange is refused is tried: another challenge, another domain,
//! another key than the holder's, expired, used, replayed, too large, malformed.

mod wallet;

use reqwest::StatusCode;
use serde_json::{json, Value};
use skillpack_core::credential::status::check_status;
use skillpack_core::credential::{self, Contexts, Issuer, Revocation};
use skillpack_core::keys::SecretKey;
use skillpack_core::ledger::PackRef;
use skillpack_core::pack::PackReader;
use skillpack_core::protocol::{
    endpoint, CredentialsRequest, CredentialsResponse, ErrorResponse, PushRequest,
    WalletExchangeRequest, WalletExchangeResponse,
};
use skillpack_core::testing::{publisher_key, record_chain_in, register_request, sample_pack};
use skillpack_hub::issuer::set_up_endorsed_issuer;
use skillpack_hub::storage::{CredentialRevocation, WebGrant};

use self::wallet::{Suite, Wallet};
use super::TestHub;

/// A hub whose provider issued a credential to a learner for one passing record.
struct Passed {
    hub: TestHub,
    device: SecretKey,
    learner: String,
    credential: Value,
}

fn passed() -> Passed {
    let hub = TestHub::start();
    let publisher = publisher_key();
    hub.run(
        hub.db
            .add_publisher(publisher.public_key(), "trainer".into()),
    )
    .unwrap();
    let published = hub.signed_post(&publisher, &endpoint::publish("riders"), sample_pack());
    assert_eq!(published.status(), StatusCode::CREATED);
    let profile = Issuer {
        name: "Salama Riders Trust".into(),
        url: Some("https://salama-riders.example".into()),
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    hub.run(set_up_endorsed_issuer(
        &hub.db, &publisher, profile, &hub.url,
    ))
    .unwrap();
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let (device, learner_key) = (
        SecretKey::from_seed(&[51; 32]),
        SecretKey::from_seed(&[52; 32]),
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
    let body = serde_json::to_vec(&PushRequest {
        records: record_chain_in(&device, &learner, 1, &pack_ref),
        name: None,
        grants_after: None,
    })
    .unwrap();
    assert_eq!(
        hub.signed_post(&device, endpoint::RECORDS, body).status(),
        StatusCode::OK
    );
    let credential = held(&hub, &device).remove(0);
    Passed {
        hub,
        device,
        learner,
        credential,
    }
}

/// The credentials the learner's device takes from the hub.
fn held(hub: &TestHub, device: &SecretKey) -> Vec<Value> {
    let body = serde_json::to_vec(&CredentialsRequest { after: 0 }).unwrap();
    let answer: CredentialsResponse = hub
        .signed_post(device, endpoint::CREDENTIALS, body)
        .json()
        .unwrap();
    answer
        .credentials
        .into_iter()
        .map(|c| c.credential)
        .collect()
}

impl Passed {
    /// The learner's device opens an exchange for its credential: the interaction URL.
    fn open_from_device(&self) -> String {
        let body = serde_json::to_vec(&WalletExchangeRequest {
            credential: self.credential["id"].as_str().unwrap().into(),
        })
        .unwrap();
        let response = self
            .hub
            .signed_post(&self.device, endpoint::EXCHANGES, body);
        assert_eq!(response.status(), StatusCode::CREATED);
        let opened: WalletExchangeResponse = response.json().unwrap();
        assert_eq!(opened.expires_in, 600);
        opened.interaction_url
    }

    /// The exchange URL and the request of an exchange begun by `wallet`.
    fn begin(&self, wallet: &Wallet, interaction_url: &str) -> (String, Value) {
        let protocols: Value = wallet.read_interaction(interaction_url).json().unwrap();
        let exchange = protocols["protocols"]["vcapi"].as_str().unwrap().to_owned();
        let response = wallet.post(&exchange, &json!({}));
        assert_eq!(response.status(), StatusCode::OK);
        let answer: Value = response.json().unwrap();
        (exchange, answer["verifiablePresentationRequest"].clone())
    }
}

fn error_code(response: reqwest::blocking::Response) -> (StatusCode, String) {
    let status = response.status();
    (status, response.json::<ErrorResponse>().unwrap().error.code)
}

/// Verifies a credential as any verifier would, trusting its issuer.
fn verify(credential: &Value, issuer: &str) -> credential::Verified {
    let issuer = skillpack_core::keys::PublicKey::parse(issuer).unwrap();
    credential::verify(
        credential,
        &[issuer],
        chrono::Utc::now(),
        credential::CLOCK_TOLERANCE,
        Contexts::bundled(),
    )
    .unwrap()
}

/// The credential's revocation, read from its issuer's list on the hub.
fn revocation(credential: &Value, issuer: &str) -> Result<Revocation, credential::CredentialError> {
    let url = credential["credentialStatus"]["statusListCredential"]
        .as_str()
        .unwrap();
    let list: Value = reqwest::blocking::get(url).unwrap().json().unwrap();
    check_status(
        credential,
        issuer,
        &list,
        chrono::Utc::now(),
        Contexts::bundled(),
    )
}

#[test]
fn the_scripted_wallet_signs_as_the_wallets_libraries_do() {
    for (golden, suite) in [
        (
            include_str!(
                "../../../../core/src/credential/examples/didauth-ed25519-signature-2020.json"
            ),
            Suite::Ed25519Signature2020,
        ),
        (
            include_str!("../../../../core/src/credential/examples/didauth-eddsa-rdfc-2022.json"),
            Suite::EddsaRdfc2022,
        ),
    ] {
        let golden: Value = serde_json::from_str(golden).unwrap();
        let field = |name: &str| golden[name].as_str().unwrap();
        let seed = skillpack_core::hex::decode::<32>(field("seed")).unwrap();
        let ours = Wallet::new(seed).did_authentication(
            suite,
            field("challenge"),
            field("domain"),
            field("created"),
        );
        assert_eq!(ours, golden["presentation"], "{suite:?}");
    }
}

#[test]
fn a_scripted_wallet_takes_a_credential_through_the_exchange_and_verifies_it() {
    let passed = passed();
    let hub = &passed.hub;
    let interaction = passed.open_from_device();
    assert!(
        interaction.starts_with(&format!("{}/v1/interactions/", hub.url))
            && interaction.ends_with("?iuv=1"),
        "{interaction}"
    );

    let wallet = Wallet::new([61; 32]);
    let (exchange, request) = passed.begin(&wallet, &interaction);
    assert!(exchange.starts_with(&format!("{}/v1/exchanges/", hub.url)));
    assert_eq!(request["domain"], hub.url.as_str(), "the hub's origin");
    assert_eq!(
        request["query"][0]["acceptedMethods"],
        json!([{"method": "key"}])
    );
    assert_eq!(request["challenge"].as_str().unwrap().len(), 32);
    // A second on, so the copy's signing time differs from the learner's award (dates are
    // written to the second) and its awardedDate is seen to be the learner's, not now.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let presentation = wallet.did_authentication(
        Suite::Ed25519Signature2020,
        request["challenge"].as_str().unwrap(),
        request["domain"].as_str().unwrap(),
        &wallet::now(),
    );
    let response = wallet.post(
        &exchange,
        &json!({ "verifiablePresentation": presentation }),
    );
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().unwrap();
    let presented = &answer["verifiablePresentation"];
    assert_eq!(presented["type"], json!(["VerifiablePresentation"]));
    let taken = presented["verifiableCredential"][0].clone();

    // The wallet verifies it: signed by the learner's issuer, its subject the wallet's DID.
    let issuer = passed.credential["issuer"]["id"].as_str().unwrap();
    let verified = verify(&taken, issuer);
    assert_eq!(verified.subject, wallet.did());
    assert_eq!(verified.issuer, issuer);
    assert_ne!(
        taken["id"], passed.credential["id"],
        "a credential of its own"
    );
    assert_eq!(
        taken["credentialSubject"]["achievement"],
        passed.credential["credentialSubject"]["achievement"],
        "the same achievement"
    );
    assert_eq!(
        taken["evidence"], passed.credential["evidence"],
        "the same evidence"
    );
    assert_eq!(
        taken["awardedDate"], passed.credential["awardedDate"],
        "awarded when the learner's was, whenever it reached the wallet"
    );
    assert_ne!(
        taken["validFrom"], passed.credential["validFrom"],
        "signed when it reached the wallet"
    );
    assert_ne!(
        taken["credentialStatus"]["statusListIndex"],
        passed.credential["credentialStatus"]["statusListIndex"],
        "a status bit of its own"
    );
    assert_eq!(revocation(&taken, issuer).unwrap(), Revocation::NotRevoked);

    // The copy is the wallet's: the learner's device is not handed it.
    assert_eq!(held(hub, &passed.device), vec![passed.credential.clone()]);
    // Both steps are in the audit trail.
    let audit = hub.run(hub.db.audit()).unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .map(|a| (a.action.as_str(), a.actor.as_str()))
        .collect();
    let device_did = passed.device.public_key().to_did_key();
    assert!(actions.contains(&("open_wallet_exchange", &format!("device {device_did}"))));
    assert!(
        actions.contains(&("issue_to_wallet", wallet.did().as_str())),
        "{actions:?}"
    );

    // Revoking the learner's credential revokes the wallet's too.
    let revoked = hub
        .run(hub.db.revoke_credential(CredentialRevocation {
            id: passed.credential["id"].as_str().unwrap().into(),
            reason: "issued in error".into(),
            by: "Wanjiru".into(),
        }))
        .unwrap();
    assert_eq!(revoked, Some(true));
    assert!(matches!(
        revocation(&taken, issuer),
        Err(credential::CredentialError::Revoked)
    ));
}

#[test]
fn a_trainer_shows_the_code_on_the_learners_page_and_a_data_integrity_wallet_takes_it() {
    let passed = passed();
    let hub = &passed.hub;
    let trainer = hub.sign_in(WebGrant {
        operator: false,
        groups: vec!["riders".into()],
        label: "Wanjiru".into(),
    });
    let page = format!("/web/learners/{}", passed.learner);
    let csrf = trainer.csrf(&page);
    assert!(trainer.page(&page).contains("Send to a wallet"));
    let id = passed.credential["id"].as_str().unwrap();
    let shown = trainer.post_form(
        &format!("{page}/credentials/wallet"),
        &[("csrf", &csrf), ("id", id)],
    );
    assert_eq!(shown.status(), StatusCode::OK);
    let html = shown.text().unwrap();
    assert!(html.contains("<svg"), "a QR code");
    let interaction = html
        .split("id=\"interaction\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .replace("&#x3f;", "?")
        .replace("&#x3d;", "=")
        .replace("&amp;", "&");
    assert!(interaction.ends_with("?iuv=1"), "{interaction}");

    // A browser that opens the link is told to use a wallet; it names nobody.
    let page_for_people = reqwest::blocking::get(&interaction)
        .unwrap()
        .text()
        .unwrap();
    assert!(page_for_people.contains("wallet") && !page_for_people.contains(&passed.learner));

    let wallet = Wallet::new([62; 32]);
    let taken = wallet.take(&interaction, Suite::EddsaRdfc2022);
    let verified = verify(&taken, passed.credential["issuer"]["id"].as_str().unwrap());
    assert_eq!(verified.subject, wallet.did());
    let audit = hub.run(hub.db.audit()).unwrap();
    assert!(audit
        .iter()
        .any(|a| a.action == "open_wallet_exchange" && a.actor == "Wanjiru"));
    // The learner's page lists the copy, without a form to hand it on again.
    let after = trainer.page(&page);
    assert!(
        after.contains(&format!("a copy in the wallet {}", wallet.did())),
        "{after}"
    );
    assert_eq!(after.matches("Send to a wallet").count(), 1);
    // And a credential of another learner is not found from this page.
    let refused = trainer.post_form(
        &format!("{page}/credentials/wallet"),
        &[
            ("csrf", &csrf),
            ("id", "urn:uuid:00000000-0000-4000-8000-000000000000"),
        ],
    );
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
}

#[test]
fn a_wrong_challenge_domain_or_key_is_refused_and_the_exchange_stays_open_for_the_right_one() {
    let passed = passed();
    let interaction = passed.open_from_device();
    let wallet = Wallet::new([63; 32]);
    let (exchange, request) = passed.begin(&wallet, &interaction);
    let (challenge, domain) = (
        request["challenge"].as_str().unwrap(),
        request["domain"].as_str().unwrap(),
    );
    let answer = |presentation: Value| {
        error_code(wallet.post(
            &exchange,
            &json!({ "verifiablePresentation": presentation }),
        ))
    };
    let created = wallet::now();
    let suite = Suite::Ed25519Signature2020;
    assert_eq!(
        answer(wallet.did_authentication(
            suite,
            "0123456789abcdef0123456789abcdef",
            domain,
            &created
        )),
        (StatusCode::FORBIDDEN, "wrong_challenge".into())
    );
    assert_eq!(
        answer(wallet.did_authentication(suite, challenge, "https://evil.example", &created)),
        (StatusCode::FORBIDDEN, "wrong_domain".into())
    );
    let thief = SecretKey::from_seed(&[64; 32]);
    assert_eq!(
        answer(wallet.sign_as(&thief, suite, challenge, domain, &created)),
        (StatusCode::FORBIDDEN, "not_holders_key".into())
    );
    let mut changed = wallet.did_authentication(suite, challenge, domain, &created);
    changed["proof"]["created"] = json!("2020-01-01T00:00:00Z");
    assert_eq!(answer(changed), (StatusCode::FORBIDDEN, "bad_proof".into()));
    let mut two = wallet.did_authentication(suite, challenge, domain, &created);
    two["proof"] = json!([two["proof"].clone(), two["proof"].clone()]);
    assert_eq!(
        answer(two),
        (StatusCode::BAD_REQUEST, "bad_presentation".into())
    );

    // None of that used the exchange up: the right answer still takes the credential.
    let right = wallet.did_authentication(suite, challenge, domain, &created);
    let message = json!({ "verifiablePresentation": right });
    assert_eq!(wallet.post(&exchange, &message).status(), StatusCode::OK);

    // Then it is used: the same answer replayed, a new beginning, its interaction URL.
    assert_eq!(
        error_code(wallet.post(&exchange, &message)),
        (StatusCode::CONFLICT, "exchange_used".into())
    );
    assert_eq!(
        error_code(wallet.post(&exchange, &json!({}))),
        (StatusCode::CONFLICT, "exchange_used".into())
    );
    assert_eq!(
        error_code(wallet.read_interaction(&interaction)),
        (StatusCode::CONFLICT, "exchange_used".into())
    );
    // A second wallet gets nothing from it either.
    let other = Wallet::new([65; 32]);
    let theirs = other.did_authentication(suite, challenge, domain, &created);
    assert_eq!(
        error_code(other.post(&exchange, &json!({ "verifiablePresentation": theirs }))),
        (StatusCode::CONFLICT, "exchange_used".into())
    );
}

#[test]
fn an_expired_exchange_or_a_revoked_credential_is_refused_politely() {
    let passed = passed();
    let hub = &passed.hub;
    let wallet = Wallet::new([66; 32]);
    let interaction = passed.open_from_device();
    let (exchange, request) = passed.begin(&wallet, &interaction);
    hub.sql("UPDATE exchanges SET expires_at = 0");
    let presentation = wallet.did_authentication(
        Suite::Ed25519Signature2020,
        request["challenge"].as_str().unwrap(),
        request["domain"].as_str().unwrap(),
        &wallet::now(),
    );
    let response = wallet.post(
        &exchange,
        &json!({ "verifiablePresentation": presentation }),
    );
    let status = response.status();
    let error: ErrorResponse = response.json().unwrap();
    assert_eq!(
        (status, error.error.code.as_str()),
        (StatusCode::GONE, "exchange_expired")
    );
    assert!(
        error.error.message.contains("ask for a new one"),
        "{}",
        error.error.message
    );
    assert_eq!(
        error_code(wallet.read_interaction(&interaction)),
        (StatusCode::GONE, "exchange_expired".into())
    );

    // Revoked after the exchange was opened: refused; revoked before: no exchange opens.
    let interaction = passed.open_from_device();
    let (exchange, _) = passed.begin(&wallet, &interaction);
    let id = passed.credential["id"].as_str().unwrap();
    hub.run(hub.db.revoke_credential(CredentialRevocation {
        id: id.into(),
        reason: "issued in error".into(),
        by: "Wanjiru".into(),
    }))
    .unwrap();
    assert_eq!(
        error_code(wallet.post(&exchange, &json!({}))),
        (StatusCode::CONFLICT, "revoked".into())
    );
    let body = serde_json::to_vec(&WalletExchangeRequest {
        credential: id.into(),
    })
    .unwrap();
    assert_eq!(
        error_code(hub.signed_post(&passed.device, endpoint::EXCHANGES, body)),
        (StatusCode::CONFLICT, "revoked".into())
    );
}

#[test]
fn bodies_out_of_bounds_and_strangers_are_refused_with_a_json_error() {
    let passed = passed();
    let hub = &passed.hub;
    let wallet = Wallet::new([67; 32]);
    let interaction = passed.open_from_device();
    let (exchange, _) = passed.begin(&wallet, &interaction);
    let raw = |body: Vec<u8>| {
        error_code(
            reqwest::blocking::Client::new()
                .post(&exchange)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .unwrap(),
        )
    };
    let huge = format!(
        "{{\"verifiablePresentation\": {{\"id\": \"{}\"}}}}",
        "a".repeat(70_000)
    );
    assert_eq!(
        raw(huge.into_bytes()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large".into())
    );
    assert_eq!(
        raw(b"{\"verifiablePresentation\": 1, \"verifiablePresentation\": 2}".to_vec()).1,
        "bad_json"
    );
    assert_eq!(raw(b"{\"zcap\": []}".to_vec()).1, "bad_json");
    assert_eq!(raw(b"not json".to_vec()).1, "bad_json");
    assert_eq!(
        raw(serde_json::to_vec(
            &json!({"verifiablePresentation": {"type": "VerifiablePresentation"}})
        )
        .unwrap()),
        (StatusCode::BAD_REQUEST, "bad_presentation".into())
    );

    // An exchange no one opened, or an id the hub never makes.
    for id in ["0123456789abcdef0123456789abcdef", "nope"] {
        let url = format!("{}{}", hub.url, endpoint::exchange(id));
        assert_eq!(
            error_code(wallet.post(&url, &json!({}))),
            (StatusCode::NOT_FOUND, "no_such_exchange".into())
        );
    }
    // An interaction URL read without its version.
    let unversioned = interaction.trim_end_matches("?iuv=1");
    assert_eq!(
        error_code(wallet.read_interaction(unversioned)),
        (StatusCode::BAD_REQUEST, "bad_query".into())
    );

    // A device asks only for its own learner's credentials; a stranger's device for none.
    let body = |id: &str| {
        serde_json::to_vec(&WalletExchangeRequest {
            credential: id.into(),
        })
        .unwrap()
    };
    assert_eq!(
        error_code(hub.signed_post(
            &passed.device,
            endpoint::EXCHANGES,
            body("urn:uuid:not-theirs")
        )),
        (StatusCode::NOT_FOUND, "no_such_credential".into())
    );
    let stranger = SecretKey::from_seed(&[68; 32]);
    let id = passed.credential["id"].as_str().unwrap();
    assert_eq!(
        error_code(hub.signed_post(&stranger, endpoint::EXCHANGES, body(id))),
        (StatusCode::FORBIDDEN, "unknown_device".into())
    );
    assert_eq!(
        error_code(hub.signed_post(
            &passed.device,
            endpoint::EXCHANGES,
            b"{\"credential\": 1}".to_vec()
        ))
        .1,
        "bad_json"
    );
}
