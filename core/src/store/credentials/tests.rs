//! The learner's credentials on a real device store: verified before they are kept, listed,
//! handed out; another learner's, a changed one and a second body under a kept id refused.

use crate::credential::{self, Award, Contexts, Issuer};
use crate::store::tests::{device, now};
use crate::store::StoreError;
use crate::testing::{module_files, publisher_key, stranger_key};

#[test]
fn a_learners_credential_is_verified_kept_listed_and_handed_out_and_others_are_not_kept() {
    let dev = device();
    let issuer_key = publisher_key();
    let module = crate::module::compile(&module_files("bike-check"))
        .module
        .expect("compiles")
        .module;
    let issuer = Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    let award = |learner: String| Award {
        id: format!("urn:uuid:{}", uuid::Uuid::from_u128(learner.len() as u128)),
        module: &module,
        learner,
        learner_name: None,
        score_percent: 90,
        record: None,
        awarded: now(),
        first_awarded: None,
        valid_until: None,
        status: None,
        assessment: vec![credential::AssessmentType::PracticalObserved],
    };
    let mine = credential::issue(
        &issuer,
        &issuer_key,
        &award(dev.store.learner_did()),
        None,
        Contexts::bundled(),
    )
    .expect("issues");
    let later = now() + chrono::Duration::hours(1);
    let held = dev.store.add_credential(&mine, later).expect("kept");
    assert_eq!(held.achievement, "Checking your bike");
    assert_eq!(held.module_id.as_deref(), Some("bike-check"));
    dev.store
        .add_credential(&mine, later)
        .expect("kept once, twice asked");
    assert_eq!(dev.store.credentials().expect("list"), vec![held.clone()]);
    assert_eq!(dev.store.credential(&held.id).expect("export"), mine);

    let someone = stranger_key().public_key().to_did_key();
    let theirs = credential::issue(
        &issuer,
        &issuer_key,
        &award(someone),
        None,
        Contexts::bundled(),
    )
    .expect("issues");
    assert!(matches!(
        dev.store.add_credential(&theirs, later),
        Err(StoreError::OtherLearnersCredential)
    ));
    let mut changed = mine.clone();
    changed["credentialSubject"]["result"][0]["value"] = "100".into();
    assert!(matches!(
        dev.store.add_credential(&changed, later),
        Err(StoreError::Credential(_))
    ));
    assert_eq!(dev.store.credentials().expect("list").len(), 1);

    // The same id with another body is refused; a clock a few hours behind the issuer's
    // still keeps a fresh credential; an issuer the device does not trust is shown as such.
    let mut other_award = award(dev.store.learner_did());
    other_award.score_percent = 95;
    let same_id = credential::issue(
        &issuer,
        &issuer_key,
        &other_award,
        None,
        Contexts::bundled(),
    )
    .expect("issues");
    assert!(matches!(
        dev.store.add_credential(&same_id, later),
        Err(StoreError::CredentialIdTaken(_))
    ));
    let stranger = stranger_key();
    let mut fresh = award(dev.store.learner_did());
    fresh.id = "urn:uuid:00000000-0000-4000-8000-000000000001".into();
    let unknown =
        credential::issue(&issuer, &stranger, &fresh, None, Contexts::bundled()).expect("issues");
    let behind = now() - chrono::Duration::hours(3);
    let kept = dev
        .store
        .add_credential(&unknown, behind)
        .expect("kept despite the clock");
    assert!(!kept.trusted_issuer);
    assert!(dev
        .store
        .credentials()
        .expect("list")
        .iter()
        .any(|c| c.id == kept.id && !c.trusted_issuer));
}

#[test]
fn an_issuer_key_a_trusted_publisher_endorsed_is_trusted_and_a_strangers_endorsement_is_not_kept() {
    use crate::credential::IssuerEndorsement;
    use crate::keys::SecretKey;

    let dev = device();
    let hub_issuer = SecretKey::generate().expect("key").public_key();
    assert!(!dev
        .store
        .trusted_issuers()
        .expect("issuers")
        .contains(&hub_issuer));

    // A stranger's endorsement is checked and not kept; a forged one is refused.
    let by_stranger = IssuerEndorsement::sign(&stranger_key(), &hub_issuer).expect("signs");
    assert!(!dev.store.add_endorsement(&by_stranger).expect("checked"));
    let mut forged = IssuerEndorsement::sign(&publisher_key(), &hub_issuer).expect("signs");
    forged.issuer = stranger_key().public_key().to_did_key();
    assert!(matches!(
        dev.store.add_endorsement(&forged),
        Err(StoreError::Credential(_))
    ));
    assert_eq!(
        dev.store.trusted_issuers().expect("issuers"),
        dev.store.trusted().expect("publishers")
    );

    let endorsement = IssuerEndorsement::sign(&publisher_key(), &hub_issuer).expect("signs");
    assert!(dev.store.add_endorsement(&endorsement).expect("kept"));
    assert!(dev.store.add_endorsement(&endorsement).expect("kept again"));
    assert!(dev
        .store
        .trusted_issuers()
        .expect("issuers")
        .contains(&hub_issuer));
}

/// A hub's credential carries the provider's endorsement of its issuer key (ADR 0006): the
/// device trusts it with no endorsement learnt at sync, and keeps the endorsement so the key's
/// grants are trusted too. One endorsed by a stranger is kept as from an unknown issuer, and
/// its endorsement is not kept.
#[test]
fn a_credential_endorsed_by_a_trusted_publisher_is_trusted_from_the_credential_alone() {
    use crate::keys::SecretKey;

    let dev = device();
    let hub_key = SecretKey::generate().expect("key");
    let module = crate::module::compile(&module_files("bike-check"))
        .module
        .expect("compiles")
        .module;
    let issuer = Issuer {
        name: "Salama Riders Trust".into(),
        url: None,
        country_code: "KE".into(),
        country: "Kenya".into(),
        region: None,
    };
    let issue_endorsed_by = |publisher: &SecretKey, number: u128| {
        let award = Award {
            id: format!("urn:uuid:{}", uuid::Uuid::from_u128(number)),
            module: &module,
            learner: dev.store.learner_did(),
            learner_name: None,
            score_percent: 90,
            record: None,
            awarded: now(),
            first_awarded: None,
            valid_until: None,
            status: None,
            assessment: vec![credential::AssessmentType::AutomatedQuiz],
        };
        let endorsement = credential::endorse(
            publisher,
            &hub_key.public_key(),
            Some("Salama Riders Trust"),
            [5; 16],
            now() - chrono::Duration::days(1),
            Contexts::bundled(),
        )
        .expect("endorses");
        credential::issue(
            &issuer,
            &hub_key,
            &award,
            Some(&endorsement),
            Contexts::bundled(),
        )
        .expect("issues")
    };
    let by_stranger = issue_endorsed_by(&stranger_key(), 1);
    let held = dev.store.add_credential(&by_stranger, now()).expect("kept");
    assert!(!held.trusted_issuer);
    assert!(!dev
        .store
        .trusted_issuers()
        .expect("issuers")
        .contains(&hub_key.public_key()));

    let endorsed = issue_endorsed_by(&publisher_key(), 2);
    let held = dev.store.add_credential(&endorsed, now()).expect("kept");
    assert!(held.trusted_issuer);
    assert!(dev
        .store
        .trusted_issuers()
        .expect("issuers")
        .contains(&hub_key.public_key()));
    assert!(
        dev.store
            .credentials()
            .expect("list")
            .iter()
            .all(|c| c.trusted_issuer),
        "the key is trusted for every credential it signed, the stranger-endorsed one included"
    );
}
