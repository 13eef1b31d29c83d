//! What syncs learn of the kept credentials' revocation, on a real device store: a revoked
//! credential stays revoked, an unreadable or replayed list leaves the last known state with
//! the reason, and the hub's words are kept only beside a credential its list revoked. And a
//! store written at version 6, before any of this, opens with its credentials unchecked.

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;

use super::{ListReading, ListRecorded, RevocationState, MAX_REASON_CHARS};
use crate::credential::{self, Award, Contexts, Issuer, StatusEntry};
use crate::store::tests::{device, now};
use crate::store::{HeldCredential, Store};
use crate::testing::{module_files, publisher_key};

const LIST: &str = "https://hub.example.org/v1/status/1";

/// A credential for `learner` naming bit `index` of [`LIST`], signed by the fixture publisher.
fn issued(learner: String, index: u64) -> serde_json::Value {
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
    let award = Award {
        id: format!("urn:uuid:{}", uuid::Uuid::from_u128(u128::from(index) + 1)),
        module: &module,
        learner,
        learner_name: None,
        score_percent: 90,
        record: None,
        awarded: now(),
        first_awarded: None,
        valid_until: None,
        status: Some(StatusEntry {
            list: LIST.into(),
            index,
        }),
        assessment: vec![credential::AssessmentType::AutomatedQuiz],
    };
    credential::issue(&issuer, &publisher_key(), &award, None, Contexts::bundled()).expect("issues")
}

fn held(store: &Store, id: &str) -> HeldCredential {
    store
        .credentials()
        .expect("list")
        .into_iter()
        .find(|c| c.id == id)
        .expect("kept")
}

fn at(hours: i64) -> DateTime<Utc> {
    now() + Duration::hours(hours)
}

fn reading(id: &str, reading: ListReading) -> Vec<(String, ListReading)> {
    vec![(id.to_owned(), reading)]
}

#[test]
fn a_revoked_credential_stays_revoked_whatever_later_lists_say_or_fail_to_say() {
    let dev = device();
    let kept = dev
        .store
        .add_credential(&issued(dev.store.learner_did(), 7), at(0))
        .expect("kept");
    assert_eq!(kept.revocation, RevocationState::Unknown);
    assert_eq!(kept.revocation_problem, None);
    let id = kept.id.as_str();

    let clear = dev
        .store
        .record_status_list(LIST, at(1), &reading(id, ListReading::NotRevoked), at(1))
        .expect("recorded");
    assert_eq!(
        clear,
        ListRecorded::Taken {
            newly_revoked: vec![]
        }
    );
    assert_eq!(
        held(&dev.store, id).revocation,
        RevocationState::NotRevoked {
            checked_at: credential::timestamp(&at(1))
        }
    );

    let set = dev
        .store
        .record_status_list(LIST, at(2), &reading(id, ListReading::Revoked), at(2))
        .expect("recorded");
    assert_eq!(
        set,
        ListRecorded::Taken {
            newly_revoked: vec![id.to_owned()]
        }
    );
    let revoked = RevocationState::Revoked {
        seen_at: credential::timestamp(&at(2)),
        reason: None,
    };
    assert_eq!(held(&dev.store, id).revocation, revoked);
    let again = dev
        .store
        .record_status_list(LIST, at(3), &reading(id, ListReading::Revoked), at(3))
        .expect("recorded");
    assert_eq!(
        again,
        ListRecorded::Taken {
            newly_revoked: vec![]
        },
        "once"
    );

    // A later list with the bit clear (an issuer's mistake, or a list from elsewhere) does
    // not undo a revocation; nor does a list that cannot be read.
    dev.store
        .record_status_list(LIST, at(4), &reading(id, ListReading::NotRevoked), at(4))
        .expect("recorded");
    assert_eq!(held(&dev.store, id).revocation, revoked);
    dev.store
        .record_revocation_unchecked(&[id.to_owned()], "the hub cannot be reached")
        .expect("recorded");
    let now_held = held(&dev.store, id);
    assert_eq!(now_held.revocation, revoked);
    assert_eq!(
        now_held.revocation_problem.as_deref(),
        Some("the hub cannot be reached")
    );
    let expired = "the list has expired: an old list, or a replayed one".to_owned();
    dev.store
        .record_status_list(
            LIST,
            at(5),
            &reading(id, ListReading::Unusable(expired.clone())),
            at(5),
        )
        .expect("recorded");
    assert_eq!(held(&dev.store, id).revocation, revoked);
    assert_eq!(held(&dev.store, id).revocation_problem, Some(expired));
}

#[test]
fn an_unreadable_list_leaves_the_last_known_state_and_a_good_read_clears_the_problem() {
    let dev = device();
    let id = dev
        .store
        .add_credential(&issued(dev.store.learner_did(), 3), at(0))
        .expect("kept")
        .id;
    dev.store
        .record_revocation_unchecked(std::slice::from_ref(&id), "offline")
        .expect("recorded");
    let never = held(&dev.store, &id);
    assert_eq!(never.revocation, RevocationState::Unknown, "never checked");
    assert_eq!(never.revocation_problem.as_deref(), Some("offline"));

    dev.store
        .record_status_list(LIST, at(1), &reading(&id, ListReading::NotRevoked), at(1))
        .expect("recorded");
    assert_eq!(held(&dev.store, &id).revocation_problem, None);
    dev.store
        .record_revocation_unchecked(std::slice::from_ref(&id), "the list's server answered 503")
        .expect("recorded");
    let stale = held(&dev.store, &id);
    assert_eq!(
        stale.revocation,
        RevocationState::NotRevoked {
            checked_at: credential::timestamp(&at(1))
        },
        "not checked since the last good read"
    );
    assert!(stale.revocation_problem.is_some_and(|p| p.contains("503")));
}

#[test]
fn a_list_signed_before_the_newest_one_read_from_its_address_is_refused_as_a_replay() {
    let dev = device();
    let id = dev
        .store
        .add_credential(&issued(dev.store.learner_did(), 5), at(0))
        .expect("kept")
        .id;
    dev.store
        .record_status_list(LIST, at(2), &reading(&id, ListReading::NotRevoked), at(2))
        .expect("recorded");
    let replayed = dev
        .store
        .record_status_list(LIST, at(1), &reading(&id, ListReading::Revoked), at(3))
        .expect("recorded");
    let ListRecorded::Older { why } = replayed else {
        panic!("refused: {replayed:?}");
    };
    assert!(why.contains(&credential::timestamp(&at(2))), "{why}");
    let after = held(&dev.store, &id);
    assert_eq!(
        after.revocation,
        RevocationState::NotRevoked {
            checked_at: credential::timestamp(&at(2))
        },
        "nothing an older list says is taken"
    );
    assert!(after
        .revocation_problem
        .is_some_and(|p| p.contains("replayed")));

    // The same list again (the hub keeps a list signed for an hour) is not older.
    let same = dev
        .store
        .record_status_list(LIST, at(2), &reading(&id, ListReading::NotRevoked), at(4))
        .expect("recorded");
    assert_eq!(
        same,
        ListRecorded::Taken {
            newly_revoked: vec![]
        }
    );
    // A list whose signature did not check out for any credential moves nothing: a forged
    // list dated far ahead cannot make the issuer's real lists look old.
    dev.store
        .record_status_list(
            LIST,
            at(1000),
            &reading(&id, ListReading::Unusable("signed by another key".into())),
            at(5),
        )
        .expect("recorded");
    let next = dev
        .store
        .record_status_list(LIST, at(6), &reading(&id, ListReading::Revoked), at(6))
        .expect("recorded");
    assert_eq!(
        next,
        ListRecorded::Taken {
            newly_revoked: vec![id.clone()]
        }
    );
}

#[test]
fn the_hubs_reason_is_kept_as_one_line_only_beside_a_credential_its_list_revoked() {
    let dev = device();
    let learner = dev.store.learner_did();
    let revoked = dev
        .store
        .add_credential(&issued(learner.clone(), 1), at(0))
        .expect("kept")
        .id;
    let standing = dev
        .store
        .add_credential(&issued(learner, 2), at(0))
        .expect("kept")
        .id;
    assert!(!dev.store.revocation_reasons_wanted().expect("read"));
    let readings = vec![
        (revoked.clone(), ListReading::Revoked),
        (standing.clone(), ListReading::NotRevoked),
    ];
    dev.store
        .record_status_list(LIST, at(1), &readings, at(1))
        .expect("recorded");
    assert!(dev.store.revocation_reasons_wanted().expect("read"));

    let long = format!("taken by\nsomeone else\u{202E} {}", "x".repeat(400));
    dev.store
        .set_revocation_reasons(&[
            (revoked.clone(), long),
            (standing.clone(), "the hub says so".into()),
        ])
        .expect("kept");
    assert!(
        !dev.store.revocation_reasons_wanted().expect("read"),
        "asked once"
    );
    let RevocationState::Revoked {
        reason: Some(reason),
        ..
    } = held(&dev.store, &revoked).revocation
    else {
        panic!("revoked with a reason");
    };
    assert!(reason.starts_with("taken by someone else x"), "{reason}");
    assert_eq!(reason.chars().count(), MAX_REASON_CHARS);
    assert_eq!(
        held(&dev.store, &standing).revocation,
        RevocationState::NotRevoked {
            checked_at: credential::timestamp(&at(1))
        },
        "the hub's word alone revokes nothing"
    );
}

#[test]
fn a_version_6_store_opens_with_its_credentials_unchecked_and_learns_their_revocation() {
    let dir = tempfile::tempdir().expect("temp");
    let path = dir.path().join("store");
    // The keys of a store made now; then its database replaced by one written at version 6,
    // holding a credential as the version-6 code kept it.
    let learner = Store::open(&path).expect("opens").learner_did();
    let credential = issued(learner, 9);
    let id = credential["id"].as_str().expect("id").to_owned();
    for file in ["skillpack.db", "skillpack.db-wal", "skillpack.db-shm"] {
        let _ = std::fs::remove_file(path.join(file));
    }
    let old = Connection::open(path.join("skillpack.db")).expect("db");
    old.execute_batch(include_str!("../migrations/frozen/v0006.sql"))
        .expect("the version 6 schema");
    old.execute(
        "INSERT INTO credentials (id, achievement, module_id, issuer, issuer_name, valid_from,
         valid_until, received_at, body) VALUES (?1, 'Checking your bike', 'bike-check', ?2,
         'Salama Riders Trust', ?3, NULL, ?3, ?4)",
        rusqlite::params![
            id,
            publisher_key().public_key().to_did_key(),
            credential::timestamp(&now()),
            crate::canonical::to_canonical_json(&credential).expect("canonical")
        ],
    )
    .expect("a credential kept at version 6");
    old.pragma_update(None, "user_version", 6).expect("version");
    drop(old);

    let store = Store::open(&path).expect("opens and upgrades");
    store
        .trust(&publisher_key().public_key(), "fixture publisher")
        .expect("trusts");
    let kept = held(&store, &id);
    assert_eq!(kept.achievement, "Checking your bike");
    assert!(kept.trusted_issuer);
    assert_eq!(kept.revocation, RevocationState::Unknown);
    assert_eq!(kept.revocation_problem, None);
    let targets = store.revocation_targets().expect("targets");
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].credential, credential);
    store
        .record_status_list(LIST, at(1), &reading(&id, ListReading::Revoked), at(1))
        .expect("recorded");
    assert!(matches!(
        held(&store, &id).revocation,
        RevocationState::Revoked { .. }
    ));
}
