//! Three instances of one hub on one PostgreSQL database and one pack store, as behind a
//! balancer (the fault test then runs real processes through a round-robin proxy, killing
//! them mid-run). What one instance did, every other honours: a nonce one issued is taken
//! once at any of them, a pack one stored downloads whole from another, a record one stored
//! is a duplicate at another. Rate limits are each instance's own: a client gets at most the
//! limit from each, so N instances let a client through N times the limit (docs/operations.md).

use reqwest::blocking::Client;
use reqwest::StatusCode;
use skillpack_core::keys::SecretKey;
use skillpack_core::protocol::{endpoint, ErrorResponse, PushRequest, PushResponse, RecordStatus};
use skillpack_core::testing::{publisher_key, record_chain, register_request, sample_pack};
use skillpack_hub::limits::RateLimit;
use skillpack_hub::state::HubConfig;

use super::support::{fresh_postgres_database, postgres_admin};
use super::TestHub;

fn code(response: reqwest::blocking::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: ErrorResponse = response.json().unwrap();
    (status, body.error.code)
}

fn push(
    hub: &TestHub,
    device: &SecretKey,
    records: Vec<skillpack_core::ledger::SignedRecord>,
) -> Vec<RecordStatus> {
    let body = serde_json::to_vec(&PushRequest {
        records,
        name: None,
        grants_after: None,
    })
    .unwrap();
    let response = hub.signed_post(device, endpoint::RECORDS, body);
    assert_eq!(response.status(), StatusCode::OK);
    let pushed: PushResponse = response.json().unwrap();
    pushed.results.into_iter().map(|r| r.status).collect()
}

#[test]
#[ignore = "PostgreSQL: run under scripts/with-postgres with -- --include-ignored"]
fn three_instances_on_one_database_take_each_nonce_once_and_share_packs_and_records() {
    let a = TestHub::start_on(fresh_postgres_database());
    let limited = HubConfig {
        limit: RateLimit {
            burst: 3.0,
            per_second: 0.001,
        },
        ..Default::default()
    };
    let b = a.beside(limited.clone());
    let c = a.beside(limited);

    // A nonce issued by A is taken at B, and refused after that at C and at A.
    let code_for = a.run(a.db.create_enrolment("riders", None, None)).unwrap();
    let device = SecretKey::from_seed(&[81; 32]);
    let learner_key = SecretKey::from_seed(&[82; 32]);
    let learner = learner_key.public_key().to_did_key();
    let register = serde_json::to_vec(&register_request(&device, &learner_key, &code_for)).unwrap();
    let nonce = a.nonce();
    let taken = b.signed_post_with(&device, endpoint::DEVICES, register.clone(), &nonce);
    assert_eq!(taken.status(), StatusCode::CREATED);
    for again in [&c, &a] {
        let replay = again.signed_post_with(&device, endpoint::DEVICES, register.clone(), &nonce);
        assert_eq!(code(replay), (StatusCode::UNAUTHORIZED, "bad_nonce".into()));
    }

    // Records stored through C are duplicates at A: once, whichever instance a push meets.
    let records = record_chain(&device, &learner, 4);
    assert!(push(&c, &device, records[..2].to_vec())
        .iter()
        .all(|s| *s == RecordStatus::Accepted));
    let statuses = push(&a, &device, records.clone());
    assert_eq!(
        statuses,
        [
            RecordStatus::Duplicate,
            RecordStatus::Duplicate,
            RecordStatus::Accepted,
            RecordStatus::Accepted
        ]
    );
    assert_eq!(b.run(b.db.record_count()).unwrap(), 4);

    // A pack published through A downloads whole, and in ranges, from B and C.
    a.run(a.db.add_publisher(publisher_key().public_key(), "trainer".into()))
        .unwrap();
    let pack = sample_pack();
    let published = a.signed_post(&publisher_key(), &endpoint::publish("riders"), pack.clone());
    assert_eq!(published.status(), StatusCode::CREATED);
    let hash: skillpack_core::protocol::PublishResponse = published.json().unwrap();
    let client = Client::new();
    for other in [&b, &c] {
        let url = format!("{}{}", other.url, endpoint::pack(&hash.hash));
        let whole = client.get(&url).send().unwrap().bytes().unwrap();
        assert!(whole == pack, "whole from {}", other.url);
        let tail = client
            .get(&url)
            .header("range", format!("bytes={}-", pack.len() - 100))
            .send()
            .unwrap();
        assert_eq!(tail.status(), StatusCode::PARTIAL_CONTENT);
        assert!(tail.bytes().unwrap() == pack[pack.len() - 100..]);
    }

    // Rate limits are each instance's: a key past its burst at B is still served at C.
    let stranger = SecretKey::from_seed(&[83; 32]);
    let mut statuses = Vec::new();
    for hub in [&b, &b, &b, &b, &c] {
        let refused = hub.signed_post(&stranger, &endpoint::publish("riders"), pack.clone());
        statuses.push(code(refused).1);
    }
    assert_eq!(
        statuses,
        [
            "unknown_publisher",
            "unknown_publisher",
            "unknown_publisher",
            "rate_limited",
            "unknown_publisher"
        ]
    );
}

#[test]
#[ignore = "PostgreSQL: run under scripts/with-postgres with -- --include-ignored"]
fn ready_is_503_while_the_database_refuses_and_200_again_after() {
    let url = fresh_postgres_database();
    let hub = TestHub::start_on(url.clone());
    let ready = || {
        Client::new()
            .get(format!("{}{}", hub.url, endpoint::READY))
            .send()
            .unwrap()
    };
    assert_eq!(ready().status(), StatusCode::OK);
    let name = url.rsplit('/').next().unwrap().to_owned();
    let admin = std::env::var(skillpack_hub::testing::CLUSTER_VAR).unwrap();
    // No one may connect (superusers included), and the hub's open connections are ended.
    postgres_admin(
        &admin,
        &format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}';"
        ),
    );
    let refused = ready();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
    let why: serde_json::Value = refused.json().unwrap();
    assert_eq!(why["status"], "not_ready", "{why}");
    let health = Client::new()
        .get(format!("{}{}", hub.url, endpoint::HEALTH))
        .send()
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK, "alive all the same");
    postgres_admin(
        &admin,
        &format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true;"),
    );
    assert_eq!(ready().status(), StatusCode::OK);

    // The pool shows on /metrics, with the body bytes each route sent.
    let page = Client::new()
        .get(format!("{}{}", hub.url, endpoint::METRICS))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(page.contains("\nskillpack_db_pool_max "), "{page}");
    assert!(page.contains("\nskillpack_db_pool_waiting 0\n"), "{page}");
}
