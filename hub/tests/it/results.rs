//! Devices and results: registration with enrolment codes, pushes signed by the device key,
//! each record stored exactly once, gaps and forks flagged, bad records rejected by name.

use reqwest::StatusCode;
use skillpack_core::keys::SecretKey;
use skillpack_core::protocol::{
    endpoint, ErrorResponse, PushRequest, PushResponse, RecordStatus, RegisterResponse,
};
use skillpack_core::testing::{record_chain, register_request};

use super::TestHub;
use skillpack_hub::storage::Scope;

fn learner_key() -> SecretKey {
    SecretKey::from_seed(&[21; 32])
}

fn learner() -> String {
    learner_key().public_key().to_did_key()
}

fn register(hub: &TestHub, device: &SecretKey, code: &str) -> reqwest::blocking::Response {
    let body = serde_json::to_vec(&register_request(device, &learner_key(), code)).unwrap();
    hub.signed_post(device, endpoint::DEVICES, body)
}

fn push(
    hub: &TestHub,
    device: &SecretKey,
    records: Vec<skillpack_core::ledger::SignedRecord>,
) -> PushResponse {
    let body = serde_json::to_vec(&PushRequest {
        records,
        name: None,
        grants_after: None,
    })
    .unwrap();
    let response = hub.signed_post(device, endpoint::RECORDS, body);
    assert_eq!(response.status(), StatusCode::OK);
    response.json().unwrap()
}

fn statuses(r: &PushResponse) -> Vec<RecordStatus> {
    r.results.iter().map(|r| r.status).collect()
}

#[test]
fn a_device_registers_with_a_code_that_runs_out() {
    let hub = TestHub::start();
    let code = hub
        .run(hub.db.create_enrolment("riders", Some(1), None))
        .unwrap();
    let first = SecretKey::from_seed(&[1; 32]);
    let response = register(&hub, &first, &code.to_lowercase());
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "codes are typed in any case"
    );
    let registered: RegisterResponse = response.json().unwrap();
    assert_eq!(registered.group, "riders");
    assert_eq!(
        register(&hub, &first, &code).status(),
        StatusCode::CREATED,
        "registering again is harmless"
    );
    let second = register(&hub, &SecretKey::from_seed(&[2; 32]), &code);
    assert_eq!(second.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        second.json::<ErrorResponse>().unwrap().error.code,
        "bad_enrolment_code"
    );
    let expired = hub
        .run(hub.db.create_enrolment("riders", None, Some(0)))
        .unwrap();
    assert_eq!(
        register(&hub, &SecretKey::from_seed(&[3; 32]), &expired).status(),
        StatusCode::FORBIDDEN
    );
}

#[test]
fn records_are_stored_exactly_once_however_often_they_are_pushed() {
    let hub = TestHub::start();
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let device = SecretKey::from_seed(&[1; 32]);
    register(&hub, &device, &code);
    let chain = record_chain(&device, &learner(), 5);
    let first = push(&hub, &device, chain[..3].to_vec());
    assert_eq!(statuses(&first), vec![RecordStatus::Accepted; 3]);
    assert!(first.results.iter().all(|r| r.note.is_none()), "{first:?}");
    let again = push(&hub, &device, chain.clone());
    assert_eq!(
        statuses(&again),
        [
            vec![RecordStatus::Duplicate; 3],
            vec![RecordStatus::Accepted; 2]
        ]
        .concat()
    );
    assert_eq!(hub.run(hub.db.record_count()).unwrap(), 5);
    assert!(hub
        .run(hub.db.flags(&Scope::Everything, None))
        .unwrap()
        .is_empty());
}

#[test]
fn every_push_answer_says_what_the_hub_holds_of_the_device() {
    let hub = TestHub::start();
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let device = SecretKey::from_seed(&[1; 32]);
    register(&hub, &device, &code);
    let held = |r: PushResponse| r.held.expect("held");
    let none = held(push(&hub, &device, vec![]));
    assert_eq!((none.count, none.last_seq), (0, None));
    let chain = record_chain(&device, &learner(), 4);
    let some = held(push(&hub, &device, chain[..3].to_vec()));
    assert_eq!((some.count, some.last_seq), (3, Some(3)));
    let all = held(push(&hub, &device, vec![chain[3].clone()]));
    assert_eq!((all.count, all.last_seq), (4, Some(4)));
    let other = SecretKey::from_seed(&[2; 32]);
    register(&hub, &other, &code);
    let theirs = held(push(&hub, &other, vec![]));
    assert_eq!(theirs.count, 0, "one device's records are its own");
}

#[test]
fn gaps_and_forks_are_stored_and_flagged_for_the_trainer() {
    let hub = TestHub::start();
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let device = SecretKey::from_seed(&[1; 32]);
    register(&hub, &device, &code);
    let chain = record_chain(&device, &learner(), 4);
    let gapped = push(&hub, &device, vec![chain[0].clone(), chain[2].clone()]);
    assert_eq!(statuses(&gapped), vec![RecordStatus::Accepted; 2]);
    assert_eq!(gapped.results[1].note.as_deref(), Some("gap"));
    // A different record 2 (from a restored backup, say) fills the gap, but record 3 does
    // not follow it: stored, and flagged as a fork.
    let mut other = chain[1].record.clone();
    other.id = skillpack_core::ledger::record_id(1_900_000_000_000, [9; 10]);
    other.score = 0;
    let forked = push(&hub, &device, vec![other.sign(&device).unwrap()]);
    assert_eq!(forked.results[0].status, RecordStatus::Accepted);
    assert_eq!(forked.results[0].note.as_deref(), Some("fork"));
    // The real record 2 then arrives: a second record numbered 2, another fork.
    let late = push(&hub, &device, vec![chain[1].clone()]);
    assert_eq!(late.results[0].note.as_deref(), Some("fork"));
    let kinds: Vec<String> = hub
        .run(hub.db.flags(&Scope::Everything, None))
        .unwrap()
        .into_iter()
        .map(|f| f.kind)
        .collect();
    assert_eq!(kinds, vec!["gap", "fork", "fork"]);
    assert_eq!(
        hub.run(hub.db.record_count()).unwrap(),
        4,
        "every record kept for the trainer to judge"
    );
}

#[test]
fn bad_records_are_rejected_by_name_and_change_nothing() {
    let hub = TestHub::start();
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let device = SecretKey::from_seed(&[1; 32]);
    register(&hub, &device, &code);
    let mut edited = record_chain(&device, &learner(), 1);
    edited[0].record.score = 0;
    let someone_else = record_chain(&SecretKey::from_seed(&[7; 32]), &learner(), 1);
    let other_learner = record_chain(&device, "did:key:z6MkOther", 1);
    let response = push(
        &hub,
        &device,
        [edited, someone_else, other_learner].concat(),
    );
    assert_eq!(statuses(&response), vec![RecordStatus::Rejected; 3]);
    let notes: Vec<String> = response
        .results
        .iter()
        .map(|r| r.note.clone().unwrap_or_default())
        .collect();
    assert!(notes[0].contains("signature"), "{notes:?}");
    assert!(notes[1].contains("another device"), "{notes:?}");
    assert!(notes[2].contains("another learner"), "{notes:?}");
    assert_eq!(hub.run(hub.db.record_count()).unwrap(), 0);
}

#[test]
fn unknown_devices_and_malformed_bodies_get_4xx() {
    let hub = TestHub::start();
    let stranger = SecretKey::from_seed(&[4; 32]);
    let body = serde_json::to_vec(&PushRequest {
        records: vec![],
        name: None,
        grants_after: None,
    })
    .unwrap();
    let response = hub.signed_post(&stranger, endpoint::RECORDS, body);
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        response.json::<ErrorResponse>().unwrap().error.code,
        "unknown_device"
    );
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    register(&hub, &stranger, &code);
    let response = hub.signed_post(&stranger, endpoint::RECORDS, b"{not json".to_vec());
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json::<ErrorResponse>().unwrap().error.code,
        "bad_json"
    );
}
