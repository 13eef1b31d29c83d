//! Two trainers, one learner in both their groups (a rider who also cleans, a phone in each
//! group). Each trainer acts only on what their own groups see: every form of the trainer's
//! pages is tried by the riders' trainer on what belongs to the cleaners, and refused without
//! a change, while the cleaners' trainer may do the same.

use reqwest::StatusCode;
use skillpack_core::keys::SecretKey;
use skillpack_core::ledger::PackRef;
use skillpack_core::pack::PackReader;
use skillpack_core::protocol::{endpoint, CredentialsRequest, CredentialsResponse, PushRequest};
use skillpack_core::testing::{publisher_key, record_chain_in, register_request, sample_pack};
use skillpack_hub::issuer::set_up_endorsed_issuer;
use skillpack_hub::storage::WebGrant;

use super::TestHub;

/// The hub, the learner, their cleaners' phone's key and the credential it earned.
struct Site {
    hub: TestHub,
    learner: String,
    cleaners_phone: SecretKey,
    riders_phone: SecretKey,
    credential: String,
    pack_hash: String,
}

/// A pack offered to the cleaners only; the learner registers a phone in each group, and
/// passes the cleaners' module on the cleaners' phone, which earns a credential.
fn site() -> Site {
    let hub = TestHub::start();
    let publisher = publisher_key();
    hub.run(
        hub.db
            .add_publisher(publisher.public_key(), "trainer".into()),
    )
    .unwrap();
    let published = hub.signed_post(&publisher, &endpoint::publish("cleaners"), sample_pack());
    assert_eq!(published.status(), StatusCode::CREATED);
    let issuer = skillpack_core::credential::Issuer {
        name: "Salama Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    hub.run(set_up_endorsed_issuer(
        &hub.db, &publisher, issuer, &hub.url,
    ))
    .unwrap();
    let learner_key = SecretKey::from_seed(&[71; 32]);
    let learner = learner_key.public_key().to_did_key();
    let (riders_phone, cleaners_phone) = (
        SecretKey::from_seed(&[72; 32]),
        SecretKey::from_seed(&[73; 32]),
    );
    for (phone, group) in [(&riders_phone, "riders"), (&cleaners_phone, "cleaners")] {
        let code = hub.run(hub.db.create_enrolment(group, None, None)).unwrap();
        let register = serde_json::to_vec(&register_request(phone, &learner_key, &code)).unwrap();
        assert_eq!(
            hub.signed_post(phone, endpoint::DEVICES, register).status(),
            StatusCode::CREATED
        );
    }
    let reader = PackReader::open(std::io::Cursor::new(sample_pack())).unwrap();
    let pack_ref = PackRef {
        id: reader.manifest().pack.id.clone(),
        version: reader.manifest().pack.version.clone(),
        hash: reader.pack_hash(),
    };
    let records = record_chain_in(&cleaners_phone, &learner, 1, &pack_ref);
    let body = serde_json::to_vec(&PushRequest {
        records,
        name: None,
        grants_after: None,
    })
    .unwrap();
    assert!(hub
        .signed_post(&cleaners_phone, endpoint::RECORDS, body)
        .status()
        .is_success());
    let asked = serde_json::to_vec(&CredentialsRequest { after: 0 }).unwrap();
    let taken: CredentialsResponse = hub
        .signed_post(&cleaners_phone, endpoint::CREDENTIALS, asked)
        .json()
        .unwrap();
    let credential = taken.credentials[0].credential["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Site {
        hub,
        learner,
        cleaners_phone,
        riders_phone,
        credential,
        pack_hash: skillpack_core::hex::encode(&reader.pack_hash().0),
    }
}

fn trainer_of(hub: &TestHub, group: &str, label: &str) -> super::support::WebVisit {
    hub.sign_in(WebGrant {
        operator: false,
        groups: vec![group.into()],
        label: label.into(),
    })
}

#[test]
fn a_trainer_acts_only_on_what_their_own_groups_see() {
    let site = site();
    let hub = &site.hub;
    let riders = trainer_of(hub, "riders", "Wanjiru");
    let cleaners = trainer_of(hub, "cleaners", "Achieng");
    let csrf = riders.csrf("/web/packs");
    let learner_page = format!("/web/learners/{}", site.learner);

    // The packs page: the cleaners' pack is not the riders' trainer's to see or offer.
    assert!(!riders.page("/web/packs").contains(&site.pack_hash));
    assert!(cleaners.page("/web/packs").contains(&site.pack_hash));
    let offer = format!("/web/packs/{}/offer", site.pack_hash);
    let refused = riders.post_form(&offer, &[("csrf", &csrf), ("group", "riders")]);
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    let withdraw = format!("/web/packs/{}/withdraw", site.pack_hash);
    let refused = riders.post_form(&withdraw, &[("csrf", &csrf), ("group", "cleaners")]);
    assert!(refused.status().is_client_error(), "{}", refused.status());
    let offered = hub.run(hub.db.stored_packs()).unwrap();
    assert_eq!(offered[0].groups, ["cleaners"], "nothing changed");

    // Attempts at the cleaners' module: refused to the riders' trainer.
    let grant = format!("{learner_page}/grants");
    let refused = riders.post_form(
        &grant,
        &[("csrf", &csrf), ("module", "bike-check"), ("attempts", "1")],
    );
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(hub
        .run(hub.db.learner_grants(&site.learner))
        .unwrap()
        .is_empty());

    // The credential earned in the cleaners' group: not the riders' trainer's to revoke.
    let revoke = format!("{learner_page}/credentials/revoke");
    let form = [
        ("csrf", csrf.as_str()),
        ("id", site.credential.as_str()),
        ("reason", "a mistake"),
    ];
    assert_eq!(
        riders.post_form(&revoke, &form).status(),
        StatusCode::NOT_FOUND
    );
    let issued = hub
        .run(hub.db.issued_credentials(Some(&site.learner)))
        .unwrap();
    assert!(issued.iter().all(|c| c.revoked_at.is_none()));

    // The cleaners' phone: not the riders' trainer's to retire; their own phone is.
    let retire = format!("{learner_page}/devices/retire");
    let theirs = skillpack_core::hex::encode(&site.cleaners_phone.public_key().to_bytes());
    let form = [
        ("csrf", csrf.as_str()),
        ("device", theirs.as_str()),
        ("reason", "lost"),
    ];
    assert_eq!(
        riders.post_form(&retire, &form).status(),
        StatusCode::NOT_FOUND
    );
    let known = hub
        .run(hub.db.device(site.cleaners_phone.public_key()))
        .unwrap()
        .unwrap();
    assert!(known.retired.is_none());
    let own = skillpack_core::hex::encode(&site.riders_phone.public_key().to_bytes());
    let form = [
        ("csrf", csrf.as_str()),
        ("device", own.as_str()),
        ("reason", "lost"),
    ];
    assert_eq!(
        riders.post_form(&retire, &form).status(),
        StatusCode::SEE_OTHER
    );

    // The cleaners' codes: not the riders' trainer's to make or revoke.
    let refused = riders.post_form("/web/codes", &[("csrf", &csrf), ("group", "cleaners")]);
    assert!(refused.status().is_client_error(), "{}", refused.status());

    // Labels: each trainer's is their group's own.
    let label = |visit: &super::support::WebVisit, text: &str| {
        let csrf = visit.csrf(&learner_page);
        let form = [("csrf", csrf.as_str()), ("label", text)];
        let labelled = visit.post_form(&format!("{learner_page}/label"), &form);
        assert_eq!(labelled.status(), StatusCode::SEE_OTHER);
    };
    label(&riders, "Achieng (Tuesday riders)");
    label(&cleaners, "Achieng O. (cleaning crew 3)");
    assert!(riders
        .page(&learner_page)
        .contains("Achieng (Tuesday riders)"));
    let seen_by_cleaners = cleaners.page(&learner_page);
    assert!(seen_by_cleaners.contains("Achieng O. (cleaning crew 3)"));
    assert!(
        !seen_by_cleaners.contains("Tuesday riders"),
        "{seen_by_cleaners}"
    );

    // What the cleaners' trainer may do, they can.
    let csrf = cleaners.csrf("/web/packs");
    let form = [
        ("csrf", csrf.as_str()),
        ("id", site.credential.as_str()),
        ("reason", "a mistake"),
    ];
    assert_eq!(
        cleaners.post_form(&revoke, &form).status(),
        StatusCode::SEE_OTHER
    );
    let form = [("csrf", csrf.as_str()), ("group", "cleaners")];
    assert_eq!(
        cleaners.post_form(&withdraw, &form).status(),
        StatusCode::SEE_OTHER
    );
}
