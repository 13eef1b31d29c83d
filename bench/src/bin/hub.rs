//! The hub ingest benchmark: `cargo run --release -p skillpack-bench --bin hub` (SQLite), or
//! `scripts/with-postgres cargo run --release -p skillpack-bench --bin hub -- --postgres`. On loopback,
//! in one run: devices push signed records to a hub on SQLite concurrently (records per
//! second, and p50/p99 of a 100-record push under that load), against the raw Ed25519 batch
//! verification rate of the same records' signatures. Markdown out, for docs/benchmarks.md.
#![allow(clippy::print_stdout, missing_docs)]

use std::time::{Duration, Instant};

use ed25519_dalek::{Signature, VerifyingKey};
use skillpack_core::keys::SecretKey;
use skillpack_core::ledger::SignedRecord;
use skillpack_core::protocol::{endpoint, PushRequest};
use skillpack_core::testing::{record_chain, register_request, signed_post};
use skillpack_hub::HubDb;

const DEVICES: u8 = 100;
const RECORDS_PER_DEVICE: u64 = 500;
const BATCH: usize = 100;

fn main() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let postgres = std::env::args().any(|a| a == "--postgres");
    let url = if postgres {
        skillpack_hub::testing::fresh_postgres_database("bench")?
    } else {
        format!("sqlite://{}", work.path().join("hub.db").display())
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let packs = skillpack_hub::testing::test_pack_store(work.path())?;
    let db = runtime.block_on(HubDb::open_at(&url, Some(&packs)))?;
    let code = runtime.block_on(db.create_enrolment("bench", None, None))?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let url = format!("http://{}", listener.local_addr()?);
    runtime.spawn(skillpack_hub::serve(
        listener,
        db.clone(),
        std::future::pending(),
    ));

    // The devices and their records, made before anything is timed.
    let devices: Vec<(SecretKey, String, Vec<SignedRecord>)> = (0..DEVICES)
        .map(|d| {
            let key = SecretKey::from_seed(&[d; 32]);
            let learner = SecretKey::from_seed(&[d ^ 0x80; 32])
                .public_key()
                .to_did_key();
            let chain = record_chain(&key, &learner, RECORDS_PER_DEVICE);
            (key, learner, chain)
        })
        .collect();
    let total = u64::from(DEVICES) * RECORDS_PER_DEVICE;

    // Baseline: batch-verify every signature of the same records.
    let mut messages = Vec::new();
    let mut signatures = Vec::new();
    let mut keys = Vec::new();
    for (key, _, chain) in &devices {
        let vk = VerifyingKey::from_bytes(&key.public_key().to_bytes())?;
        for r in chain {
            messages.push(r.signing_message()?);
            let bytes: [u8; 64] = skillpack_core::hex::decode(&r.signature)
                .ok_or_else(|| anyhow::anyhow!("signature"))?;
            signatures.push(Signature::from_bytes(&bytes));
            keys.push(vk);
        }
    }
    let refs: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    // Two baselines: every signature in one batch (the most a verifier can get out of
    // batching), and in the batches the hub receives them in (one push each).
    let verify_start = Instant::now();
    ed25519_dalek::verify_batch(&refs, &signatures, &keys)?;
    let verify_rate = total as f64 / verify_start.elapsed().as_secs_f64();
    let verify_start = Instant::now();
    for ((m, s), k) in refs
        .chunks(BATCH)
        .zip(signatures.chunks(BATCH))
        .zip(keys.chunks(BATCH))
    {
        ed25519_dalek::verify_batch(m, s, k)?;
    }
    let push_verify_rate = total as f64 / verify_start.elapsed().as_secs_f64();

    let (elapsed, mut latencies, cpu) = runtime.block_on(async {
        let client = reqwest::Client::new();
        for (d, (key, _, _)) in devices.iter().enumerate() {
            let learner = SecretKey::from_seed(&[d as u8 ^ 0x80; 32]);
            let body = serde_json::to_vec(&register_request(key, &learner, &code))?;
            signed_post(&client, &url, key, endpoint::DEVICES, body)
                .await?
                .error_for_status()?;
        }
        // A device serialises its outbox before it finds a connection: not the hub's work.
        let pushes: Vec<(SecretKey, Vec<Vec<u8>>)> = devices
            .into_iter()
            .map(|(key, _, chain)| {
                let bodies = chain
                    .chunks(BATCH)
                    .map(|batch| {
                        serde_json::to_vec(&PushRequest {
                            records: batch.to_vec(),
                            name: None,
                            grants_after: None,
                        })
                    })
                    .collect::<Result<_, _>>()?;
                anyhow::Ok((key, bodies))
            })
            .collect::<Result<_, _>>()?;
        let cpu_start = cpu_time();
        let start = Instant::now();
        let mut tasks = Vec::new();
        for (key, bodies) in pushes {
            let (client, url) = (client.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let mut times = Vec::new();
                for body in bodies {
                    let t = Instant::now();
                    signed_post(&client, &url, &key, endpoint::RECORDS, body)
                        .await
                        .and_then(reqwest::Response::error_for_status)
                        .expect("push");
                    times.push(t.elapsed());
                }
                times
            }));
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await?);
        }
        let elapsed = start.elapsed();
        anyhow::Ok((
            elapsed,
            all,
            cpu_time().zip(cpu_start).map(|(end, start)| end - start),
        ))
    })?;
    anyhow::ensure!(
        runtime.block_on(db.record_count())? == total,
        "every record stored once"
    );
    latencies.sort();
    let ingest_rate = total as f64 / elapsed.as_secs_f64();
    let pct = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    println!("## Hub ingest ({})\n", db.engine());
    println!("{DEVICES} devices push {RECORDS_PER_DEVICE} records each concurrently, in batches of {BATCH}, over loopback.\n");
    println!("| what | figure |");
    println!("|---|---|");
    println!(
        "| records ingested per second (verified, chain-checked, stored once) | {ingest_rate:.0} |"
    );
    println!(
        "| raw Ed25519 batch verification of the same records in batches of {BATCH} (as pushed), per second | {push_verify_rate:.0} |"
    );
    println!(
        "| ratio to that (target >= 0.8 on SQLite, 0.6 on PostgreSQL) | **{:.2}** |",
        ingest_rate / push_verify_rate
    );
    println!(
        "| raw Ed25519 verification of all {total} signatures in one batch, per second | {verify_rate:.0} |"
    );
    println!("| ratio to that | {:.2} |", ingest_rate / verify_rate);
    if let Some(cpu) = cpu {
        println!(
            "| cores busy during ingest (hub and client, of {}) | {:.2} |",
            std::thread::available_parallelism().map_or(0, usize::from),
            cpu.as_secs_f64() / elapsed.as_secs_f64()
        );
    }
    println!(
        "| push of {BATCH} records under that load, p50 | {} |",
        ms(pct(50))
    );
    println!(
        "| push of {BATCH} records under that load, p99 | {} |",
        ms(pct(99))
    );
    Ok(())
}

/// CPU time this process has used (user and system), where Linux tells it.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime and stime are the
    // 12th and 13th, in clock ticks (100 a second on Linux).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}
