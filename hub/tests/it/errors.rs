//! Every refusal is the documented JSON error `{"error":{"code","message"}}` with a stable
//! code, the framework's own included: an unknown path, a wrong method, a body too large, a
//! query string that does not parse, a body that is not JSON, a range outside the pack.

use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;
use skillpack_core::keys::SecretKey;
use skillpack_core::protocol::{endpoint, ErrorResponse};
use skillpack_core::testing::{publisher_key, sample_pack};

use super::TestHub;

fn refusal(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let kind = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(kind, "application/json", "a refusal is JSON ({status})");
    let body: ErrorResponse = response.json().unwrap();
    assert!(!body.error.message.is_empty());
    (status, body.error.code, body.error.message)
}

#[test]
fn an_unknown_path_is_a_json_not_found() {
    let hub = TestHub::start();
    let response = Client::new()
        .get(format!("{}/v1/nowhere", hub.url))
        .send()
        .unwrap();
    let (status, code, _) = refusal(response);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::NOT_FOUND, "not_found")
    );
}

#[test]
fn a_wrong_method_is_a_json_method_not_allowed() {
    let hub = TestHub::start();
    let response = Client::new()
        .delete(format!("{}{}", hub.url, endpoint::RECORDS))
        .send()
        .unwrap();
    let (status, code, _) = refusal(response);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
    );
}

#[test]
fn a_body_over_the_endpoints_limit_is_a_json_payload_too_large() {
    let hub = TestHub::start();
    let device = SecretKey::from_seed(&[71; 32]);
    let big = vec![b' '; skillpack_hub::routes::MAX_BODY_BYTES + 1];
    let (status, code, _) = refusal(hub.signed_post(&device, endpoint::DEVICES, big));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large")
    );
}

#[test]
fn a_query_string_that_does_not_parse_is_a_json_bad_query() {
    let hub = TestHub::start();
    // `group` is one string; two of them do not parse.
    let response = Client::new()
        .get(format!("{}{}?group=a&group=b", hub.url, endpoint::CATALOG))
        .send()
        .unwrap();
    let (status, code, _) = refusal(response);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "bad_query")
    );
}

#[test]
fn a_body_that_is_not_json_is_a_json_bad_json() {
    let hub = TestHub::start();
    let device = SecretKey::from_seed(&[72; 32]);
    let (status, code, _) = refusal(hub.signed_post(&device, endpoint::DEVICES, b"{not".to_vec()));
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::BAD_REQUEST, "bad_json")
    );
}

#[test]
fn a_range_outside_the_pack_is_a_json_bad_range() {
    let hub = TestHub::start();
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();
    let published: skillpack_core::protocol::PublishResponse = hub
        .signed_post(&publisher_key(), &endpoint::publish("g"), sample_pack())
        .json()
        .unwrap();
    let response = Client::new()
        .get(format!("{}{}", hub.url, endpoint::pack(&published.hash)))
        .header(reqwest::header::RANGE, "bytes=999999999-")
        .send()
        .unwrap();
    let range = response
        .headers()
        .get(reqwest::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (status, code, _) = refusal(response);
    assert_eq!(
        (status, code.as_str()),
        (StatusCode::RANGE_NOT_SATISFIABLE, "bad_range")
    );
    assert_eq!(range, Some(format!("bytes */{}", sample_pack().len())));
}
