//! More attempts over HTTP: a trainer signed in to the web pages gives a learner another
//! attempt; the hub signs it with the provider's issuer key (the provider's endorsement in
//! it) and answers the learner's device's next push with it, once; a device that took more
//! than the hub holds (a restored hub) gets them all again. A forged form, or terms out of
//! range, store nothing.

use reqwest::StatusCode;
use skillpack_core::credential::Issuer;
use skillpack_core::keys::SecretKey;
use skillpack_core::ledger::PackRef;
use skillpack_core::pack::PackReader;
use skillpack_core::protocol::{endpoint, PushRequest, PushResponse};
use skillpack_core::testing::{publisher_key, record_chain_in, register_request, sample_pack};
use skillpack_hub::issuer::set_up_endorsed_issuer;
use skillpack_hub::storage::WebGrant;

use super::TestHub;

fn push(hub: &TestHub, device: &SecretKey, grants_after: Option<u64>) -> PushResponse {
    let body = serde_json::to_vec(&PushRequest {
        records: vec![],
        name: None,
        grants_after,
    })
    .unwrap();
    hub.signed_post(device, endpoint::RECORDS, body)
        .json()
        .unwrap()
}

#[test]
fn a_trainers_grant_from_the_web_page_reaches_the_learners_device_once() {
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
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    let issuer = hub
        .run(set_up_endorsed_issuer(
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
    // The learner tried the module and did not pass: a grant is for them.
    let mut tried = record_chain_in(&device, &learner, 1, &pack_ref)[0]
        .record
        .clone();
    tried.passed = false;
    let body = serde_json::to_vec(&PushRequest {
        records: vec![tried.sign(&device).unwrap()],
        name: None,
        grants_after: Some(0),
    })
    .unwrap();
    let first: PushResponse = hub
        .signed_post(&device, endpoint::RECORDS, body)
        .json()
        .unwrap();
    assert!(first.grants.is_empty());

    let trainer = hub.sign_in(WebGrant {
        operator: false,
        groups: vec!["riders".into()],
        label: "Wanjiru".into(),
    });
    let learner_page = format!("/web/learners/{learner}");
    let page = trainer.page(&learner_page);
    assert!(page.contains("None granted."), "{page}");
    let csrf = trainer.csrf(&learner_page);
    let give = |csrf: &str, attempts: &str| {
        trainer.post_form(
            &format!("{learner_page}/grants"),
            &[
                ("csrf", csrf),
                ("module", "bike-check"),
                ("attempts", attempts),
            ],
        )
    };
    assert_eq!(give("forged", "1").status(), StatusCode::FORBIDDEN);
    let too_many = give(&csrf, "11");
    assert_eq!(too_many.status(), StatusCode::BAD_REQUEST);
    assert!(too_many.text().unwrap().contains("1 to 10"));
    assert!(hub.run(hub.db.learner_grants(&learner)).unwrap().is_empty());

    assert_eq!(give(&csrf, "2").status(), StatusCode::SEE_OTHER);
    let page = trainer.page(&learner_page);
    assert!(
        page.contains("Wanjiru gave 2 more attempts at bike-check"),
        "{page}"
    );

    let answer = push(&hub, &device, Some(0));
    assert_eq!(answer.grants.len(), 1);
    let number = answer.grants[0].number;
    let checked = answer.grants[0].grant.check().expect("checks out");
    assert_eq!(checked.publisher, publisher.public_key());
    assert_eq!(checked.terms.learner, learner);
    assert_eq!(checked.terms.attempts, 2);
    assert_eq!(checked.terms.granted_by, "Wanjiru");
    let issuer_key = SecretKey::from_seed(&issuer.seed).public_key();
    assert_eq!(
        checked.terms.signer,
        issuer_key.to_did_key(),
        "the issuer key signs"
    );

    assert!(
        push(&hub, &device, Some(number)).grants.is_empty(),
        "taken once"
    );
    assert!(push(&hub, &device, None).grants.is_empty(), "not asked for");
    assert_eq!(
        push(&hub, &device, Some(number + 50)).grants.len(),
        1,
        "a device ahead of the hub gets them again"
    );
    assert!(hub
        .run(hub.db.audit())
        .unwrap()
        .iter()
        .any(|a| a.action == "grant_attempts" && a.actor == "Wanjiru"));
}

/// A rider tried a module that only the cleaners' group is offered (from a pack passed on by
/// hand): the riders' trainer, who sees the learner, cannot grant attempts at it until it is
/// offered to the riders too.
#[test]
fn a_trainer_grants_only_at_a_module_offered_to_a_group_they_train() {
    use skillpack_hub::grant::{grant_attempts, GrantRefusal, GrantRequest};
    use skillpack_hub::storage::Scope;

    let hub = TestHub::start();
    let publisher = publisher_key();
    hub.run(
        hub.db
            .add_publisher(publisher.public_key(), "trainer".into()),
    )
    .unwrap();
    let published = hub.signed_post(&publisher, &endpoint::publish("cleaners"), sample_pack());
    assert_eq!(published.status(), StatusCode::CREATED);
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let (device, learner_key) = (
        SecretKey::from_seed(&[61; 32]),
        SecretKey::from_seed(&[62; 32]),
    );
    let learner = learner_key.public_key().to_did_key();
    let register = serde_json::to_vec(&register_request(&device, &learner_key, &code)).unwrap();
    assert_eq!(
        hub.signed_post(&device, endpoint::DEVICES, register)
            .status(),
        StatusCode::CREATED
    );
    let reader = PackReader::open(std::io::Cursor::new(sample_pack())).unwrap();
    let pack_ref = PackRef {
        id: reader.manifest().pack.id.clone(),
        version: reader.manifest().pack.version.clone(),
        hash: reader.pack_hash(),
    };
    let mut tried = record_chain_in(&device, &learner, 1, &pack_ref)[0]
        .record
        .clone();
    tried.passed = false;
    let body = serde_json::to_vec(&PushRequest {
        records: vec![tried.sign(&device).unwrap()],
        name: None,
        grants_after: None,
    })
    .unwrap();
    assert_eq!(
        hub.signed_post(&device, endpoint::RECORDS, body).status(),
        StatusCode::OK
    );
    let request = |by: &str| GrantRequest {
        learner: learner.clone(),
        module_id: "bike-check".into(),
        attempts: 1,
        granted_by: by.into(),
    };
    let riders = Scope::Groups(vec!["riders".into()]);
    let refused = hub
        .run(grant_attempts(
            &hub.db,
            &riders,
            request("Wanjiru"),
            Some(&publisher),
        ))
        .unwrap();
    assert_eq!(refused, Err(GrantRefusal::NotOffered("bike-check".into())));
    // Offered to the riders too, the riders' trainer may grant.
    let offered = hub.signed_post(&publisher, &endpoint::publish("riders"), sample_pack());
    assert!(offered.status().is_success());
    let granted = hub
        .run(grant_attempts(
            &hub.db,
            &riders,
            request("Wanjiru"),
            Some(&publisher),
        ))
        .unwrap();
    assert!(granted.is_ok(), "{granted:?}");
}
