//! Publishing and distribution: signed uploads re-verified by the hub, the catalog with
//! ETag, resumable pack downloads by range, chunks by hash; and every refusal changes nothing.

use reqwest::blocking::Client;
use reqwest::StatusCode;
use skillpack_core::hash::ContentHash;
use skillpack_core::pack::{PackInfo, PackReader, Variant};
use skillpack_core::protocol::{endpoint, CatalogResponse, ErrorResponse, PublishResponse};
use skillpack_core::testing::{
    module_files, pack_of, pack_with, publisher_key, sample_pack, stranger_key,
};

use super::TestHub;

fn code(response: reqwest::blocking::Response) -> (StatusCode, String) {
    let status = response.status();
    let body: ErrorResponse = response.json().unwrap();
    (status, body.error.code)
}

fn catalog(hub: &TestHub, group: &str) -> CatalogResponse {
    Client::new()
        .get(format!("{}{}", hub.url, endpoint::catalog(group)))
        .send()
        .unwrap()
        .json()
        .unwrap()
}

#[test]
fn health_answers() {
    let hub = TestHub::start();
    let health: serde_json::Value = Client::new()
        .get(format!("{}{}", hub.url, endpoint::HEALTH))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["db"], hub.db.engine());
}

#[test]
fn a_registered_publisher_publishes_and_devices_find_and_download_the_pack() {
    let hub = TestHub::start();
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();
    let pack = sample_pack();
    let response = hub.signed_post(&publisher_key(), &endpoint::publish("riders"), pack.clone());
    assert_eq!(response.status(), StatusCode::CREATED);
    let published: PublishResponse = response.json().unwrap();
    assert_eq!(
        (
            published.id.as_str(),
            published.group.as_str(),
            published.created
        ),
        ("fixture", "riders", true)
    );

    let again = hub.signed_post(&publisher_key(), &endpoint::publish("riders"), pack.clone());
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "publishing the same pack twice is harmless"
    );

    let listed = catalog(&hub, "riders");
    assert_eq!(listed.packs.len(), 1);
    assert_eq!(listed.packs[0].hash, published.hash);
    assert!(
        catalog(&hub, "cleaners").packs.is_empty(),
        "other groups do not see it"
    );

    let whole = Client::new()
        .get(format!("{}{}", hub.url, endpoint::pack(&published.hash)))
        .send()
        .unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert!(whole.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("immutable"));
    assert_eq!(whole.bytes().unwrap().to_vec(), pack);

    // A cut download resumes from where it stopped.
    let half = pack.len() / 2;
    let rest = Client::new()
        .get(format!("{}{}", hub.url, endpoint::pack(&published.hash)))
        .header("range", format!("bytes={half}-"))
        .send()
        .unwrap();
    assert_eq!(rest.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        rest.headers()["content-range"],
        format!("bytes {half}-{}/{}", pack.len() - 1, pack.len()).as_str()
    );
    assert_eq!(rest.bytes().unwrap().to_vec(), pack[half..].to_vec());

    // Single chunks by hash, as an update fetches them.
    let reader = PackReader::open(std::io::Cursor::new(&pack)).unwrap();
    for chunk in &reader.manifest().chunks {
        let got = Client::new()
            .get(format!(
                "{}{}",
                hub.url,
                endpoint::chunk(&chunk.hash.to_string())
            ))
            .send()
            .unwrap();
        assert_eq!(got.status(), StatusCode::OK);
        assert_eq!(ContentHash::of(&got.bytes().unwrap()), chunk.hash);
    }
}

#[test]
fn an_unchanged_catalog_costs_a_304() {
    let hub = TestHub::start();
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();
    hub.signed_post(&publisher_key(), &endpoint::publish("g"), sample_pack());
    let first = Client::new()
        .get(format!("{}{}", hub.url, endpoint::catalog("g")))
        .send()
        .unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let second = Client::new()
        .get(format!("{}{}", hub.url, endpoint::catalog("g")))
        .header("if-none-match", &etag)
        .send()
        .unwrap();
    assert_eq!(second.status(), StatusCode::NOT_MODIFIED);
    assert!(second.bytes().unwrap().is_empty());
}

#[test]
fn json_answers_go_zstd_compressed_to_clients_that_ask_and_small_ones_as_they_are() {
    let hub = TestHub::start();
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();
    hub.signed_post(&publisher_key(), &endpoint::publish("g"), sample_pack());
    let get = |path: &str, zstd: bool| {
        let mut request = Client::new().get(format!("{}{path}", hub.url));
        if zstd {
            request = request.header("accept-encoding", "zstd");
        }
        let response = request.send().unwrap();
        let encoding = response
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap().to_owned());
        (encoding, response.bytes().unwrap().to_vec())
    };
    let (plain_encoding, plain) = get(&endpoint::catalog("g"), false);
    let (encoding, compressed) = get(&endpoint::catalog("g"), true);
    assert_eq!(plain_encoding, None);
    assert_eq!(encoding.as_deref(), Some("zstd"));
    assert!(
        compressed.len() < plain.len(),
        "{} of {}",
        compressed.len(),
        plain.len()
    );
    assert_eq!(zstd::decode_all(compressed.as_slice()).unwrap(), plain);
    let (nonce_encoding, _) = get(endpoint::NONCE, true);
    assert_eq!(nonce_encoding, None, "too small to gain");
    let pack_hash = serde_json::from_slice::<CatalogResponse>(&plain)
        .unwrap()
        .packs[0]
        .hash
        .clone();
    let (pack_encoding, pack) = get(&endpoint::pack(&pack_hash), true);
    assert_eq!(pack_encoding, None, "a pack is compressed already");
    assert_eq!(pack, sample_pack());
}

#[test]
fn refusals_are_4xx_with_stable_codes_and_change_nothing() {
    let hub = TestHub::start();
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();

    let unknown = hub.signed_post(
        &stranger_key(),
        &endpoint::publish("g"),
        pack_of(&[module_files("x-mod")], Variant::Text, &stranger_key()),
    );
    assert_eq!(
        code(unknown),
        (StatusCode::FORBIDDEN, "unknown_publisher".into())
    );

    let not_theirs = hub.signed_post(
        &publisher_key(),
        &endpoint::publish("g"),
        pack_of(&[module_files("x-mod")], Variant::Text, &stranger_key()),
    );
    assert_eq!(
        code(not_theirs),
        (StatusCode::FORBIDDEN, "not_your_pack".into())
    );

    let mut forged = sample_pack();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert_eq!(
        code(hub.signed_post(&publisher_key(), &endpoint::publish("g"), forged)),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad_pack".into())
    );
    assert_eq!(
        code(hub.signed_post(
            &publisher_key(),
            &endpoint::publish("g"),
            b"not a pack".to_vec()
        )),
        (StatusCode::UNPROCESSABLE_ENTITY, "bad_pack".into())
    );

    let unsigned = Client::new()
        .post(format!("{}{}", hub.url, endpoint::PACKS))
        .body(sample_pack())
        .send()
        .unwrap();
    assert_eq!(
        code(unsigned),
        (StatusCode::UNAUTHORIZED, "unsigned".into())
    );

    assert_eq!(
        code(hub.signed_post_with(
            &publisher_key(),
            endpoint::PACKS,
            sample_pack(),
            "never-issued"
        )),
        (StatusCode::UNAUTHORIZED, "bad_nonce".into())
    );

    assert_eq!(
        code(hub.signed_post(
            &publisher_key(),
            &endpoint::publish("bad group"),
            sample_pack()
        )),
        (StatusCode::BAD_REQUEST, "bad_group".into())
    );

    let missing = Client::new()
        .get(format!("{}{}", hub.url, endpoint::pack(&"00".repeat(32))))
        .send()
        .unwrap();
    assert_eq!(
        code(missing),
        (StatusCode::NOT_FOUND, "no_such_pack".into())
    );
    let bad = Client::new()
        .get(format!("{}{}", hub.url, endpoint::chunk("xyz")))
        .send()
        .unwrap();
    assert_eq!(code(bad), (StatusCode::BAD_REQUEST, "bad_hash".into()));

    for group in ["g", "default"] {
        assert!(catalog(&hub, group).packs.is_empty(), "nothing was stored");
    }
}

#[test]
fn a_replayed_request_is_refused() {
    let hub = TestHub::start();
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();
    let client = Client::new();
    let nonce: skillpack_core::protocol::NonceResponse = client
        .get(format!("{}{}", hub.url, endpoint::NONCE))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let first = hub.signed_post_with(
        &publisher_key(),
        &endpoint::publish("g"),
        sample_pack(),
        &nonce.nonce,
    );
    assert_eq!(first.status(), StatusCode::CREATED);
    let replay = hub.signed_post_with(
        &publisher_key(),
        &endpoint::publish("g"),
        sample_pack(),
        &nonce.nonce,
    );
    assert_eq!(code(replay), (StatusCode::UNAUTHORIZED, "bad_nonce".into()));
}

#[test]
fn a_key_that_sends_too_much_is_slowed_down() {
    let hub = TestHub::start_with_limit(skillpack_hub::limits::RateLimit {
        burst: 2.0,
        per_second: 0.01,
    });
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();
    for _ in 0..2 {
        assert!(hub
            .signed_post(&publisher_key(), &endpoint::publish("g"), sample_pack())
            .status()
            .is_success());
    }
    assert_eq!(
        code(hub.signed_post(&publisher_key(), &endpoint::publish("g"), sample_pack())),
        (StatusCode::TOO_MANY_REQUESTS, "rate_limited".into())
    );
    let other = hub.signed_post(&stranger_key(), &endpoint::publish("g"), sample_pack());
    assert_eq!(
        code(other).1,
        "unknown_publisher",
        "another key has its own allowance"
    );
}

#[test]
fn the_catalog_offers_the_newest_version_of_each_variant() {
    let hub = TestHub::start();
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();
    let publish = |pack: Vec<u8>| {
        let response = hub.signed_post(&publisher_key(), &endpoint::publish("riders"), pack);
        assert_eq!(response.status(), StatusCode::CREATED);
    };
    let low = pack_of(
        &[module_files("bike-check")],
        Variant::Low,
        &publisher_key(),
    );
    let newer_full = skillpack_core::testing::pack_with(
        &[module_files("bike-check")],
        skillpack_core::pack::PackInfo {
            id: "fixture".into(),
            version: "1.1.0".into(),
            variant: Variant::Full,
        },
        |_| {},
        &publisher_key(),
    );
    publish(newer_full);
    publish(sample_pack());
    publish(low);
    let mut listed: Vec<_> = catalog(&hub, "riders")
        .packs
        .into_iter()
        .map(|p| (p.id, p.variant, p.version))
        .collect();
    listed.sort();
    let own = |id: &str, variant: &str, version: &str| (id.into(), variant.into(), version.into());
    assert_eq!(
        listed,
        vec![
            own("fixture", "full", "1.1.0"),
            own("fixture", "low", "1.0.0")
        ]
    );
}

#[test]
fn a_publisher_cannot_publish_a_pack_id_another_publisher_owns() {
    let hub = TestHub::start();
    for key in [publisher_key(), stranger_key()] {
        hub.run(hub.db.add_publisher(key.public_key(), "publisher".into()))
            .unwrap();
    }
    let files = [module_files("bike-check")];
    let info = |version: &str| PackInfo {
        id: "fixture".into(),
        version: version.into(),
        variant: Variant::Full,
    };
    let first = pack_with(&files, info("1.0.0"), |_| {}, &publisher_key());
    let response = hub.signed_post(&publisher_key(), &endpoint::publish("riders"), first);
    assert_eq!(response.status(), StatusCode::CREATED);
    for group in ["riders", "cleaners"] {
        let takeover = pack_with(&files, info("9.0.0"), |_| {}, &stranger_key());
        let refused = hub.signed_post(&stranger_key(), &endpoint::publish(group), takeover);
        assert_eq!(
            code(refused),
            (StatusCode::FORBIDDEN, "not_your_pack".into()),
            "{group}"
        );
    }
    let offered = catalog(&hub, "riders").packs;
    assert_eq!(offered.len(), 1);
    assert_eq!(
        (offered[0].version.as_str(), offered[0].publisher.as_str()),
        ("1.0.0", publisher_key().public_key().to_did_key().as_str())
    );
    assert!(catalog(&hub, "cleaners").packs.is_empty());
    // The owner still publishes its own updates.
    let update = pack_with(&files, info("1.1.0"), |_| {}, &publisher_key());
    let response = hub.signed_post(&publisher_key(), &endpoint::publish("riders"), update);
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[test]
fn a_group_name_that_breaks_the_rule_is_refused_everywhere_it_enters() {
    let operator = skillpack_core::keys::SecretKey::from_seed(&[80; 32]);
    let hub = TestHub::start_with(skillpack_hub::state::HubConfig {
        operators: vec![operator.public_key()],
        ..Default::default()
    });
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();
    let long = "g".repeat(300);
    for bad in ["a&b", "", "a b", long.as_str()] {
        let get = |path: String| {
            Client::new()
                .get(format!("{}{path}", hub.url))
                .send()
                .unwrap()
        };
        assert_eq!(
            code(get(endpoint::catalog(bad))),
            (StatusCode::BAD_REQUEST, "bad_group".into()),
            "catalog {bad:?}"
        );
        let publish = hub.signed_post(&publisher_key(), &endpoint::publish(bad), sample_pack());
        assert_eq!(
            code(publish),
            (StatusCode::BAD_REQUEST, "bad_group".into()),
            "publish {bad:?}"
        );
        let results = hub.signed_get(&operator, &endpoint::admin_results(Some(bad), "csv", None));
        assert_eq!(
            code(results),
            (StatusCode::BAD_REQUEST, "bad_group".into()),
            "results {bad:?}"
        );
    }
    assert!(catalog(&hub, "a").packs.is_empty());
}

/// A pack signed by a registered publisher whose module breaks a rule every device holds it
/// to (here a pass mark over 100%).
pub(crate) fn unsound_pack() -> Vec<u8> {
    let info = PackInfo {
        id: "fixture".into(),
        version: "1.0.0".into(),
        variant: Variant::Text,
    };
    pack_with(
        &[module_files("bike-check")],
        info,
        |m| m.assessment.pass_mark = 101,
        &publisher_key(),
    )
}

#[test]
fn an_unsound_pack_is_refused_at_publish_in_the_words_a_device_uses() {
    let hub = TestHub::start();
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();
    let refused = hub.signed_post(&publisher_key(), &endpoint::publish("g"), unsound_pack());
    let status = refused.status();
    let body: ErrorResponse = refused.json().unwrap();
    assert_eq!(
        (status, body.error.code.as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unsound_module")
    );
    // The words a device gives when it refuses to install the same pack.
    let device_says = skillpack_core::pack::PackError::Unsound {
        module: "bike-check".into(),
        why: skillpack_core::module::UnsoundModule::PassMark(101),
    }
    .to_string();
    assert_eq!(body.error.message, device_says);
    assert!(catalog(&hub, "g").packs.is_empty(), "nothing was offered");
    assert!(hub.run(hub.db.stored_packs()).unwrap().is_empty());
}

#[test]
fn ready_answers_with_what_it_read_from_the_database() {
    let hub = TestHub::start();
    let ready: serde_json::Value = Client::new()
        .get(format!("{}{}", hub.url, endpoint::READY))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["db"], hub.db.engine());
    let schema = hub.run(hub.db.schema_version()).unwrap();
    assert_eq!(ready["schema"].as_u64(), Some(u64::from(schema)));
}

#[test]
fn metrics_count_requests_by_route_and_status_and_read_the_database() {
    let hub = TestHub::start();
    let client = Client::new();
    for _ in 0..2 {
        assert!(client
            .get(format!("{}{}", hub.url, endpoint::NONCE))
            .send()
            .unwrap()
            .status()
            .is_success());
    }
    let page = client
        .get(format!("{}{}", hub.url, endpoint::METRICS))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("skillpack_http_requests_total{route=\"/v1/nonce\",status=\"200\"} 2\n"),
        "{page}"
    );
    assert!(
        page.contains(&format!(
            "skillpack_records{{db=\"{}\"}} 0\n",
            hub.db.engine()
        )),
        "{page}"
    );
    assert!(page.contains("# TYPE skillpack_http_requests_total counter"));
    // Each nonce answer's body was counted as it went out.
    let sent: u64 = page
        .lines()
        .find_map(|l| {
            l.strip_prefix(
                "skillpack_http_body_bytes_total{route=\"/v1/nonce\",direction=\"sent\"} ",
            )
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{page}"));
    assert!(
        sent > 2 * 64,
        "two nonces of 80 hex digits at least: {sent}"
    );
    assert_eq!(
        page.contains("skillpack_db_pool_max"),
        hub.db.engine() == "postgres",
        "a pool on PostgreSQL only"
    );
}

#[test]
fn the_catalog_is_built_once_until_an_offer_is_made_or_ended_by_anyone() {
    let hub = TestHub::start();
    hub.run(
        hub.db
            .add_publisher(publisher_key().public_key(), "fixture".into()),
    )
    .unwrap();
    let client = Client::new();
    let builds = || -> u64 {
        let page = client
            .get(format!("{}{}", hub.url, endpoint::METRICS))
            .send()
            .unwrap()
            .text()
            .unwrap();
        page.lines()
            .find_map(|l| l.strip_prefix("skillpack_catalog_builds_total "))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{page}"))
    };
    let get = |tag: Option<&str>| {
        let mut request = client.get(format!("{}{}", hub.url, endpoint::catalog("g")));
        if let Some(tag) = tag {
            request = request.header("if-none-match", tag);
        }
        let response = request.send().unwrap();
        let status = response.status();
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        (status, etag, response.text().unwrap())
    };

    let (_, empty, _) = get(None);
    let published = hub.signed_post(&publisher_key(), &endpoint::publish("g"), sample_pack());
    assert_eq!(published.status(), StatusCode::CREATED);
    let (status, offered, body) = get(None);
    assert_eq!(status, StatusCode::OK);
    assert_ne!(offered, empty, "an offer changes the answer at once");
    assert!(body.contains("\"packs\":[{"), "{body}");
    let before = builds();
    for _ in 0..5 {
        assert_eq!(get(Some(&offered)).0, StatusCode::NOT_MODIFIED);
        assert_eq!(get(None).1, offered);
    }
    assert_eq!(builds(), before, "ten answers, nothing built again");

    // An operator's command ends the offer behind this process's back (as from another
    // instance or `skillpack hub withdraw`): the next answer sees it.
    let id = catalog(&hub, "g").packs[0].id.clone();
    assert_eq!(hub.run(hub.db.withdraw("g", &id)).unwrap(), 1);
    let (status, after, body) = get(Some(&offered));
    assert_eq!(status, StatusCode::OK, "no longer the offered catalog");
    assert_eq!(after, empty);
    assert!(body.contains("\"packs\":[]"), "{body}");
    assert_eq!(builds(), before + 1);
}
