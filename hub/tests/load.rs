//! Load, bounded and on loopback only: 200 simulated devices register and push their
//! records concurrently, each pushing one batch twice (as a device on a flaky connection
//! does). Afterwards every record is stored exactly once and no chain is flagged. And a
//! stranger's flood of 210,000 nonce requests, past the 200,000 outstanding nonces the old
//! hub held before it refused every signed request `busy` for five minutes. A test target
//! of its own: it takes seconds, and `--test it` should not wait for it.
#![allow(clippy::unwrap_used)]

#[path = "support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use skillpack_core::keys::SecretKey;
use skillpack_core::protocol::{endpoint, PushRequest, PushResponse, RecordStatus};
use skillpack_core::testing::{record_chain, register_request, signed_post};

use skillpack_hub::storage::Scope;
use support::TestHub;

const DEVICES: u8 = 200;
const RECORDS_PER_DEVICE: u64 = 20;
const BATCH: usize = 5;

#[test]
fn two_hundred_devices_push_concurrently_and_every_record_is_stored_once() {
    // The 200 devices come from one loopback address here, where in the field they come
    // from many: the cap on connections per address is lifted to the whole bound.
    let hub = TestHub::start_with(skillpack_hub::state::HubConfig {
        connections: skillpack_hub::server::ConnectionLimits {
            max_per_address: 4096,
            ..Default::default()
        },
        ..Default::default()
    });
    let code = hub
        .run(hub.db.create_enrolment("load", None, None))
        .unwrap();
    let url = hub.url.clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let started = Instant::now();
    let latencies: Vec<Duration> = runtime.block_on(async move {
        let client = reqwest::Client::new();
        let mut tasks = Vec::new();
        for d in 0..DEVICES {
            let (client, url, code) = (client.clone(), url.clone(), code.clone());
            tasks.push(tokio::spawn(async move {
                let device = SecretKey::from_seed(&[
                    d, 0xAA, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
                    21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
                ]);
                let learner_key = SecretKey::from_seed(&[
                    d, 0xBB, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                    0, 0, 0, 0, 0, 0, 0,
                ]);
                let learner = learner_key.public_key().to_did_key();
                let register =
                    serde_json::to_vec(&register_request(&device, &learner_key, &code)).unwrap();
                assert!(
                    signed_post(&client, &url, &device, endpoint::DEVICES, register)
                        .await
                        .unwrap()
                        .status()
                        .is_success()
                );
                let chain = record_chain(&device, &learner, RECORDS_PER_DEVICE);
                let mut batches: Vec<Vec<_>> = chain.chunks(BATCH).map(<[_]>::to_vec).collect();
                batches.push(batches[0].clone()); // the flaky connection: one batch again
                let mut times = Vec::new();
                for batch in batches {
                    let body = serde_json::to_vec(&PushRequest {
                        records: batch,
                        name: None,
                        grants_after: None,
                    })
                    .unwrap();
                    let t = Instant::now();
                    let response: PushResponse =
                        signed_post(&client, &url, &device, endpoint::RECORDS, body)
                            .await
                            .unwrap()
                            .json()
                            .await
                            .unwrap();
                    times.push(t.elapsed());
                    assert!(
                        response
                            .results
                            .iter()
                            .all(|r| r.status != RecordStatus::Rejected),
                        "{response:?}"
                    );
                }
                times
            }));
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap());
        }
        all
    });
    let elapsed = started.elapsed();
    assert_eq!(
        hub.run(hub.db.record_count()).unwrap(),
        u64::from(DEVICES) * RECORDS_PER_DEVICE
    );
    assert!(
        hub.run(hub.db.flags(&Scope::Everything, None))
            .unwrap()
            .is_empty(),
        "no chain was broken by concurrency"
    );
    let mut sorted = latencies;
    sorted.sort();
    eprintln!(
        "{DEVICES} devices, {} records in {:.1} s; push of {BATCH}: p50 {:?}, p99 {:?}",
        u64::from(DEVICES) * RECORDS_PER_DEVICE,
        elapsed.as_secs_f64(),
        sorted[sorted.len() / 2],
        sorted[sorted.len() * 99 / 100]
    );
}

#[test]
fn a_nonce_flood_past_what_the_old_hub_held_locks_no_one_out() {
    const FLOOD: usize = 210_000;
    let hub = TestHub::start_with(support::flood_config());
    assert_eq!(support::flood_nonces(&hub, FLOOD, 64), FLOOD);
    assert_eq!(hub.run(hub.db.stored_nonces()).unwrap(), 0);
    support::register_sync_and_publish(&hub);
}
