//! An issuer set up without the trainer's secret key (ADR 0006): it issues nothing until the
//! provider's endorsement is given, refuses endorsements that are not for its key, and then
//! issues the passes that waited, each credential carrying the endorsement byte for byte, so
//! a verifier who trusts only the provider's publisher key trusts it.

use reqwest::StatusCode;
use serde_json::Value;
use skillpack_core::credential::{self, Contexts, Issuer, Trust};
use skillpack_core::keys::SecretKey;
use skillpack_core::ledger::PackRef;
use skillpack_core::pack::PackReader;
use skillpack_core::protocol::{
    endpoint, CredentialsRequest, CredentialsResponse, PushRequest, PushResponse,
};
use skillpack_core::testing::{
    publisher_key, record_chain_in, register_request, sample_pack, stranger_key,
};
use skillpack_hub::issuer::{attach_endorsement, set_up_issuer, EndorsementRefusal};

use super::TestHub;

fn profile() -> Issuer {
    Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    }
}

fn endorsement(publisher: &SecretKey, issuer: &skillpack_core::keys::PublicKey) -> Value {
    credential::endorse(
        publisher,
        issuer,
        Some("Salama Riders Trust"),
        skillpack_core::random::bytes().unwrap(),
        chrono::Utc::now() - chrono::Duration::minutes(1),
        Contexts::bundled(),
    )
    .unwrap()
}

#[test]
fn an_issuer_endorsed_later_issues_the_passes_that_waited_with_the_endorsement_inside() {
    let hub = TestHub::start();
    let publisher = publisher_key();
    hub.run(
        hub.db
            .add_publisher(publisher.public_key(), "trainer".into()),
    )
    .unwrap();
    let published = hub.signed_post(&publisher, &endpoint::publish("riders"), sample_pack());
    assert_eq!(published.status(), StatusCode::CREATED);
    let row = hub
        .run(set_up_issuer(
            &hub.db,
            publisher.public_key(),
            profile(),
            &hub.url,
            "operator",
        ))
        .unwrap();
    assert!(!row.is_endorsed());
    let issuer_key = SecretKey::from_seed(&row.seed).public_key();

    // A learner passes twice before the provider has endorsed the key: nothing is issued.
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
    let push = || -> PushResponse {
        let body = serde_json::to_vec(&PushRequest {
            records: record_chain_in(&device, &learner, 2, &pack_ref),
            name: None,
            grants_after: None,
        })
        .unwrap();
        hub.signed_post(&device, endpoint::RECORDS, body)
            .json()
            .unwrap()
    };
    assert_eq!(
        push().credentials,
        None,
        "no credential before the endorsement"
    );

    // Endorsements the hub must refuse, each by name.
    let attach = |e: &Value| {
        hub.run(attach_endorsement(
            &hub.db,
            e,
            chrono::Utc::now(),
            "operator",
        ))
        .unwrap()
    };
    let stranger = stranger_key();
    match attach(&endorsement(&publisher, &stranger.public_key())) {
        Err(refused @ EndorsementRefusal::OtherKey { .. }) => {
            let said = refused.to_string();
            assert!(said.contains(&stranger.public_key().to_did_key()), "{said}");
            assert!(said.contains(&issuer_key.to_did_key()), "{said}");
        }
        other => panic!("{other:?}"),
    }
    let mut tampered = endorsement(&publisher, &issuer_key);
    tampered["credentialSubject"]["endorsementComment"] = "Changed on the way.".into();
    assert!(matches!(
        attach(&tampered),
        Err(EndorsementRefusal::NotValid(_))
    ));
    assert!(matches!(
        attach(&endorsement(&stranger, &issuer_key)),
        Err(EndorsementRefusal::UnknownPublisher(_))
    ));
    hub.run(
        hub.db
            .add_publisher(stranger.public_key(), "another".into()),
    )
    .unwrap();
    assert!(matches!(
        attach(&endorsement(&stranger, &issuer_key)),
        Err(EndorsementRefusal::NoIssuer(_))
    ));
    // Dated two hours ahead of the hub's clock: the trainer's clock is wrong.
    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    let ahead = credential::endorse(
        &publisher,
        &issuer_key,
        None,
        skillpack_core::random::bytes().unwrap(),
        later,
        Contexts::bundled(),
    )
    .unwrap();
    assert!(matches!(
        attach(&ahead),
        Err(EndorsementRefusal::NotValid(_))
    ));

    let given = endorsement(&publisher, &issuer_key);
    let (row, checked) = attach(&given).expect("taken");
    assert!(row.is_endorsed());
    assert_eq!(checked.publisher, publisher.public_key());
    let audited = hub.run(hub.db.audit()).unwrap();
    assert!(audited
        .iter()
        .any(|a| a.action == "set_issuer" && a.detail.contains("endorsement credential")));

    // The passes that waited are issued as the endorsement is taken, before any push; the
    // next push tells the device, each credential carrying the endorsement as given.
    let issued_at_once = hub.run(hub.db.newest_credential(&learner)).unwrap();
    assert!(issued_at_once.is_some(), "issued when the endorsement came");
    let newest = push().credentials.expect("issued once endorsed");
    assert_eq!(Some(newest), issued_at_once);
    let body = serde_json::to_vec(&CredentialsRequest { after: 0 }).unwrap();
    let answer: CredentialsResponse = hub
        .signed_post(&device, endpoint::CREDENTIALS, body)
        .json()
        .unwrap();
    assert_eq!(
        answer.credentials.len(),
        1,
        "two passes of one module: one credential"
    );
    assert_eq!(answer.credentials[0].number, newest);
    assert!(
        answer.endorsements.is_empty(),
        "no own-format endorsement: the hub never held the trainer's key"
    );
    for issued in &answer.credentials {
        assert_eq!(
            issued.credential["issuer"]["endorsement"],
            serde_json::json!([given])
        );
        let verified = credential::verify(
            &issued.credential,
            &[publisher.public_key()],
            chrono::Utc::now(),
            credential::CLOCK_TOLERANCE,
            Contexts::bundled(),
        )
        .unwrap();
        assert_eq!(
            verified.trust,
            Trust::Endorsed {
                publisher: publisher.public_key(),
                provider: Some("Salama Riders Trust".into())
            }
        );
    }
}
