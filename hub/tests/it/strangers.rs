//! Strangers against the hub: a flood of unauthenticated nonce requests must not lock devices
//! and trainers out of signed requests (it filled the hub's book of outstanding nonces, after
//! which every signed request was refused `busy` for five minutes), and an address past its
//! rate is refused `rate_limited` without touching anyone else's requests.

use std::time::Duration;

use reqwest::blocking::Client;
use reqwest::StatusCode;
use skillpack_core::keys::SecretKey;
use skillpack_core::protocol::{
    endpoint, sign_request, ErrorResponse, NonceResponse, RequestParts,
};
use skillpack_core::testing::{publisher_key, sample_pack, signed_headers, stranger_key};
use skillpack_hub::limits::RateLimit;
use skillpack_hub::state::HubConfig;

use crate::support;
use crate::TestHub;

/// Nonce requests in the flood, and connections they come over at once. The flood that
/// locked out the old hub (past the 200,000 outstanding nonces it held) is in `tests/load.rs`;
/// this one checks what failed on the old design at any size: each unused nonce cost storage.
const FLOOD: usize = 30_000;
const CONNECTIONS: usize = 64;

#[test]
fn a_flood_of_nonce_requests_does_not_keep_devices_and_trainers_from_signing() {
    let hub = TestHub::start_with(support::flood_config());
    let served = support::flood_nonces(&hub, FLOOD, CONNECTIONS);
    assert_eq!(served, FLOOD, "every nonce was issued");
    assert_eq!(
        hub.run(hub.db.stored_nonces()).unwrap(),
        0,
        "nonces never used cost no storage"
    );
    support::register_sync_and_publish(&hub);
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
    let learner = SecretKey::from_seed(&[74; 32]);
    let register = serde_json::to_vec(&skillpack_core::testing::register_request(
        &device, &learner, &code,
    ))
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
fn an_upload_is_refused_on_its_head_before_its_body_is_read() {
    use std::io::{Read, Write};
    let hub = TestHub::start();
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "trainer".into()),
    )
    .unwrap();
    let target = endpoint::publish("riders");
    // A stranger's key, and a forged signature: each announces 200 MB and sends none of it.
    // The old hub read the whole body before checking anything (4 such uploads made it
    // 1.18 GB resident), so it never answered these.
    let parts = RequestParts::new("POST", &target, b"x");
    let stranger = sign_request(&parts, &stranger_key(), &hub.nonce(), 0);
    let mut forged = sign_request(&parts, &publisher_key(), &hub.nonce(), 0);
    forged.signature = stranger.signature.clone();
    for (headers, code) in [(stranger, "unknown_publisher"), (forged, "bad_signature")] {
        let address = hub.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut head =
            format!("POST {target} HTTP/1.1\r\nHost: hub\r\nContent-Length: 200000000\r\n");
        for (name, value) in headers.pairs() {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).unwrap();
        let mut answer = vec![0u8; 4096];
        let n = stream.read(&mut answer).expect("answered without the body");
        let answer = String::from_utf8_lossy(&answer[..n]);
        assert!(answer.contains(code), "{answer}");
    }
    // A body other than the signed one is refused once it has streamed by.
    let headers = signed_headers(
        "POST",
        &target,
        b"another body",
        &publisher_key(),
        &hub.nonce(),
    );
    let response = Client::new()
        .post(format!("{}{target}", hub.url))
        .headers(headers)
        .body(sample_pack())
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: ErrorResponse = response.json().unwrap();
    assert_eq!(body.error.code, "bad_signature");
    assert!(
        body.error.message.contains("Content-Digest"),
        "{}",
        body.error.message
    );
    assert_eq!(hub.run(hub.db.catalog("riders".into())).unwrap().len(), 0);
    let response = hub.signed_post(&publisher_key(), &target, sample_pack());
    assert_eq!(
        response.status(),
        StatusCode::CREATED,
        "the real one goes in"
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

#[test]
fn behind_a_trusted_balancer_each_forwarded_client_has_its_own_limit() {
    let limited = |trusted_proxies| {
        TestHub::start_with(HubConfig {
            per_address: RateLimit {
                burst: 5.0,
                per_second: 0.01,
            },
            trusted_proxies,
            ..HubConfig::default()
        })
    };
    let client = Client::new();
    let nonce = |hub: &TestHub, from: &str| {
        client
            .get(format!("{}{}", hub.url, endpoint::NONCE))
            .header("x-forwarded-for", from)
            .send()
            .unwrap()
            .status()
    };
    let behind = limited(vec!["127.0.0.1".parse().unwrap()]);
    for _ in 0..5 {
        assert_eq!(nonce(&behind, "203.0.113.1"), StatusCode::OK);
    }
    assert_eq!(nonce(&behind, "203.0.113.1"), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        nonce(&behind, "203.0.113.2"),
        StatusCode::OK,
        "another client"
    );
    // Without a trusted proxy the header is anyone's to write, and changes nothing.
    let open = limited(Vec::new());
    for i in 0..5 {
        assert_eq!(nonce(&open, &format!("203.0.113.{i}")), StatusCode::OK);
    }
    assert_eq!(nonce(&open, "203.0.113.99"), StatusCode::TOO_MANY_REQUESTS);
}
