//! The challenges a client's phone gives, on a real store: each answered once, only while
//! fresh, and only if this phone gave it; and a worker's kept status lists, newest only.

use chrono::Duration;
use serde_json::json;

use super::CHALLENGE_LIFETIME;
use crate::store::revocation::ListReading;
use crate::store::tests::{device, now};
use crate::store::StoreError;

#[test]
fn a_challenge_is_answered_once_while_fresh_and_only_if_given_here() {
    let dev = device();
    let store = &dev.store;
    let first = store
        .give_challenge(Some("client-phone"), now())
        .expect("gives");
    let second = store.give_challenge(None, now()).expect("gives");
    assert_ne!(first, second);
    assert_eq!(first.len(), 32, "128 bits, in hex");

    assert_eq!(
        store
            .use_challenge(&first, now() + Duration::minutes(5))
            .expect("fresh")
            .as_deref(),
        Some("client-phone")
    );
    assert!(matches!(
        store.use_challenge(&first, now() + Duration::minutes(6)),
        Err(StoreError::ChallengeUsed(_))
    ));
    assert!(matches!(
        store.use_challenge("0123456789abcdef0123456789abcdef", now()),
        Err(StoreError::ChallengeNotGiven)
    ));
    assert!(matches!(
        store.use_challenge(&second, now() + CHALLENGE_LIFETIME + Duration::seconds(1)),
        Err(StoreError::ChallengeExpired(_))
    ));
    // Challenges are forgotten two days on: the table does not grow with every meeting.
    store
        .give_challenge(None, now() + Duration::days(3))
        .expect("gives");
    assert!(matches!(
        store.use_challenge(&second, now() + Duration::days(3)),
        Err(StoreError::ChallengeNotGiven)
    ));
}

#[test]
fn only_the_newest_status_list_accepted_from_an_address_is_kept() {
    let dev = device();
    let store = &dev.store;
    let url = "https://hub.example.org/v1/status/1";
    let list = |from: &str| json!({"id": url, "validFrom": from, "credentialSubject": {}});
    assert_eq!(store.status_list(url).expect("reads"), None);
    let at = crate::credential::timestamp(&now());
    store
        .record_status_list(
            url,
            now(),
            &[("urn:x".into(), ListReading::NotRevoked)],
            now(),
        )
        .expect("records");
    // A list other than the one recorded is not kept; the one recorded is.
    store
        .keep_status_list(url, &list("2020-01-01T00:00:00Z"))
        .expect("writes");
    assert_eq!(store.status_list(url).expect("reads"), None);
    store.keep_status_list(url, &list(&at)).expect("writes");
    assert_eq!(store.status_list(url).expect("reads"), Some(list(&at)));
}
