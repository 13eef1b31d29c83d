//! Strangers against the hub: a flood of unauthenticated nonce requests must not lock devices
//! and trainers out of signed requests (it filled the hub's book of outstanding nonces, after
//! which every signed request was refused `busy` for five minutes), and an address past its
//! rate is refused `rate_limited` without touching anyone else's requests.

use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::StatusCode;
use skillpack_core::keys::SecretKey;
use skillpack_core::protocol::{
    endpoint, ErrorResponse, NonceResponse, PushRequest, PushResponse, RecordStatus,
    RegisterRequest,
};
use skillpack_core::testing::{publisher_key, record_chain, sample_pack};
use skillpack_hub::limits::RateLimit;
use skillpack_hub::routes::HubConfig;

use super::TestHub;

/// Nonce requests in the flood, and connections they come over at once. Past the 200,000
/// nonces the old book held would take minutes here; what fails on the old design at any
/// size is the storage each unused nonce cost, which the flood checks is now none.
const FLOOD: usize = 30_000;
const CONNECTIONS: usize = 64;

#[test]
fn a_flood_of_nonce_requests_does_not_keep_devices_and_trainers_from_signing() {
    // The flood comes from loopback like the device, so the limit per address is lifted to
    // let all of it reach the nonce endpoint.
    let hub = TestHub::start_with(HubConfig {
        per_address: RateLimit {
            burst: 1e9,
            per_second: 1e9,
        },
        ..HubConfig::default()
    });
    let url = format!("{}{}", hub.url, endpoint::NONCE);
    let started = Instant::now();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let served: usize = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(CONNECTIONS)
            .build()
            .unwrap();
        let tasks: Vec<_> = (0..CONNECTIONS)
            .map(|_| {
                let (client, url) = (client.clone(), url.clone());
                tokio::spawn(async move {
                    let mut ok = 0;
                    for _ in 0..FLOOD / CONNECTIONS {
                        let response = client.get(&url).send().await.unwrap();
                        if response.status() == StatusCode::OK {
                            ok += 1;
                        }
                        response.bytes().await.unwrap();
                    }
                    ok
                })
            })
            .collect();
        let mut served = 0;
        for task in tasks {
            served += task.await.unwrap();
        }
        served
    });
    let flood_time = started.elapsed();
    eprintln!(
        "{served} nonces in {:.1} s ({:.0}/s)",
        flood_time.as_secs_f64(),
        served as f64 / flood_time.as_secs_f64()
    );
    assert_eq!(
        served,
        FLOOD / CONNECTIONS * CONNECTIONS,
        "every nonce was issued"
    );
    assert_eq!(
        hub.run(hub.db.stored_nonces()).unwrap(),
        0,
        "nonces never used cost no storage"
    );

    // A device registers and syncs, and a trainer publishes, right after.
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let device = SecretKey::from_seed(&[71; 32]);
    let learner = SecretKey::from_seed(&[72; 32]).public_key().to_did_key();
    let register = serde_json::to_vec(&RegisterRequest {
        enrolment_code: code,
        learner: learner.clone(),
    })
    .unwrap();
    let response = hub.signed_post(&device, endpoint::DEVICES, register);
    assert_eq!(response.status(), StatusCode::CREATED);
    let records = record_chain(&device, &learner, 3);
    let body = serde_json::to_vec(&PushRequest { records }).unwrap();
    let response = hub.signed_post(&device, endpoint::RECORDS, body);
    assert_eq!(response.status(), StatusCode::OK);
    let pushed: PushResponse = response.json().unwrap();
    assert!(pushed
        .results
        .iter()
        .all(|r| r.status == RecordStatus::Accepted));
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "trainer".into()),
    )
    .unwrap();
    let response = hub.signed_post(
        &publisher_key(),
        &endpoint::publish("riders"),
        sample_pack(),
    );
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        hub.run(hub.db.stored_nonces()).unwrap(),
        3,
        "the three nonces used are kept, to refuse replays"
    );
}

#[test]
fn a_nonce_is_good_for_one_request_on_any_endpoint() {
    let hub = TestHub::start();
    let code = hub
        .run(hub.db.create_enrolment("riders", None, None))
        .unwrap();
    let device = SecretKey::from_seed(&[73; 32]);
    let learner = SecretKey::from_seed(&[74; 32]).public_key().to_did_key();
    let register = serde_json::to_vec(&RegisterRequest {
        enrolment_code: code,
        learner,
    })
    .unwrap();
    let nonce = hub.nonce();
    let first = hub.signed_post_with(&device, endpoint::DEVICES, register.clone(), &nonce);
    assert_eq!(first.status(), StatusCode::CREATED);
    let replayed = hub.signed_post_with(&device, endpoint::DEVICES, register, &nonce);
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
    let body: ErrorResponse = replayed.json().unwrap();
    assert_eq!(body.error.code, "bad_nonce");
    assert!(
        body.error.message.contains("already used"),
        "{}",
        body.error.message
    );
    let last = if nonce.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &nonce[..nonce.len() - 1]);
    let response = hub.signed_post_with(&device, endpoint::RECORDS, b"{}".to_vec(), &forged);
    let body: ErrorResponse = response.json().unwrap();
    assert_eq!(body.error.code, "bad_nonce");
    assert!(
        body.error.message.contains("not issued"),
        "{}",
        body.error.message
    );
}

#[test]
fn an_address_past_its_rate_is_refused_and_health_checks_still_answer() {
    let hub = TestHub::start_with(HubConfig {
        per_address: RateLimit {
            burst: 20.0,
            per_second: 0.01,
        },
        ..HubConfig::default()
    });
    let client = Client::new();
    let nonce_url = format!("{}{}", hub.url, endpoint::NONCE);
    for _ in 0..20 {
        let nonce: NonceResponse = client.get(&nonce_url).send().unwrap().json().unwrap();
        assert_eq!(nonce.expires_in, 300);
    }
    for path in [endpoint::NONCE.to_owned(), endpoint::catalog("riders")] {
        let refused = client.get(format!("{}{path}", hub.url)).send().unwrap();
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "{path}");
        let body: ErrorResponse = refused.json().unwrap();
        assert_eq!(body.error.code, "rate_limited");
    }
    // Signed requests from the address are counted too, before their signature is checked.
    let response = hub.signed(
        "POST",
        &SecretKey::from_seed(&[75; 32]),
        endpoint::RECORDS,
        Vec::new(),
        "00",
    );
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let health = client
        .get(format!("{}{}", hub.url, endpoint::HEALTH))
        .timeout(Duration::from_secs(10))
        .send()
        .unwrap();
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "a balancer's checks are not limited"
    );
}
