//! Bytes on the wire of a sync: `cargo run --release -p skillpack-bench --bin wire`. On
//! loopback, in one run, every byte counted at a TCP proxy (request lines, headers and
//! bodies, both ways): a device pushing 100 real results to a hub, against the same results
//! sent the common way (one xAPI statement each, POSTed to a Learning Record Store with the
//! headers an LRS asks for), and an idle sync (nothing new either way). Markdown out, for
//! docs/benchmarks.md.
#![allow(clippy::print_stdout, missing_docs)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::post;
use skillpack_core::device::Device;
use skillpack_core::ledger::{xapi_statements, XapiContext};
use skillpack_core::pack::Variant;
use skillpack_core::sync::{HubClient, SyncPolicy};
use skillpack_core::testing::{module_files, pack_of, publisher_key, right_answers};
use skillpack_hub::HubDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const RESULTS: usize = 100;

/// Bytes that crossed a proxy, both ways.
#[derive(Default)]
struct Counted {
    up: AtomicU64,
    down: AtomicU64,
}

impl Counted {
    fn total(&self) -> u64 {
        self.up.load(Ordering::Relaxed) + self.down.load(Ordering::Relaxed)
    }
}

fn main() -> anyhow::Result<()> {
    let work = tempfile::tempdir()?;
    let runtime = tokio::runtime::Runtime::new()?;
    let db = runtime.block_on(HubDb::open(&format!(
        "sqlite://{}",
        work.path().join("hub.db").display()
    )))?;
    let code = runtime.block_on(db.create_enrolment("riders", None, None))?;
    let hub = runtime.block_on(TcpListener::bind("127.0.0.1:0"))?;
    let hub_addr = hub.local_addr()?;
    runtime.spawn(skillpack_hub::serve(hub, db, std::future::pending()));
    let lrs = runtime.block_on(TcpListener::bind("127.0.0.1:0"))?;
    let lrs_addr = lrs.local_addr()?;
    runtime.spawn(async move {
        let app = axum::Router::new().route(
            "/xAPI/statements",
            post(|| async { axum::Json(vec![uuid_like()]) }),
        );
        let _ = axum::serve(lrs, app).await;
    });

    let device = device_with_results(work.path(), RESULTS)?;
    let records = device.store().outbox()?;

    // Register first, through no proxy: it happens once per device, not per sync.
    let direct = HubClient::new(&format!("http://{hub_addr}"))?;
    direct.register(device.store(), &code)?;

    let push = runtime.block_on(proxy(hub_addr))?;
    let client = HubClient::new(&push.0)?;
    let report = client.push_outbox(device.store())?;
    anyhow::ensure!(
        report.pushed as usize == RESULTS,
        "pushed {}",
        report.pushed
    );
    std::thread::sleep(Duration::from_millis(100));
    let skillpack_bytes = push.1.total();

    let idle = runtime.block_on(proxy(hub_addr))?;
    let idle_client = HubClient::new(&idle.0)?;
    let downloads = work.path().join("downloads");
    // The catalog once, as every later sync has it: then a sync with nothing new.
    idle_client.sync(device.store(), &downloads)?;
    std::thread::sleep(Duration::from_millis(100));
    let first = idle.1.total();
    let nothing = idle_client.sync(device.store(), &downloads)?;
    anyhow::ensure!(nothing.pushed == 0 && nothing.installed.is_empty());
    std::thread::sleep(Duration::from_millis(100));
    let idle_bytes = idle.1.total() - first;
    // The same, on a day the device also asks what the hub holds of it.
    let asking = HubClient::with_policy(
        &idle.0,
        SyncPolicy {
            held_check_every: Duration::ZERO,
            ..SyncPolicy::default()
        },
    )?;
    let before = idle.1.total();
    asking.sync(device.store(), &downloads)?;
    std::thread::sleep(Duration::from_millis(100));
    let asking_bytes = idle.1.total() - before;

    let statements = runtime.block_on(proxy(lrs_addr))?;
    let lrs_client = reqwest::blocking::Client::new();
    for record in &records {
        let context = XapiContext {
            home_page: "https://hub.example.org",
            name: None,
            received_at: None,
            publisher: "did:key:z6MkBench",
            module: None,
        };
        let statement = xapi_statements(&record.record, &context).remove(0);
        let response = lrs_client
            .post(format!("{}/xAPI/statements", statements.0))
            .header("x-experience-api-version", "1.0.3")
            .header("authorization", "Basic dHJhaW5lcjpzZWNyZXQtcGFzc3dvcmQ=")
            .json(&statement)
            .send()?;
        anyhow::ensure!(response.status().is_success());
        response.bytes()?;
    }
    std::thread::sleep(Duration::from_millis(100));
    let xapi_bytes = statements.1.total();

    let per = |b: u64| b as f64 / RESULTS as f64;
    println!("| What | Bytes on the wire | Per result |");
    println!("|---|---:|---:|");
    println!(
        "| {RESULTS} results pushed to the hub (signed records, zstd, batches of 100) | {skillpack_bytes} | {:.0} |",
        per(skillpack_bytes)
    );
    println!(
        "| The same {RESULTS} results as xAPI statements, one POST each to an LRS | {xapi_bytes} | {:.0} |",
        per(xapi_bytes)
    );
    println!(
        "| Ratio (target at most 0.33) | {:.3} | |",
        skillpack_bytes as f64 / xapi_bytes as f64
    );
    println!("| An idle sync: nothing new either way (target under 1,000) | {idle_bytes} | |");
    println!("| An idle sync that also asks what the hub holds (once a day) | {asking_bytes} | |");
    Ok(())
}

/// A device holding `n` real results of one module (any number of attempts allowed).
fn device_with_results(dir: &std::path::Path, n: usize) -> anyhow::Result<Device> {
    let mut files = module_files("bike-check");
    let toml = String::from_utf8(files.get("module.toml").unwrap_or_default().to_vec())?
        .replace("attempts = 3", "attempts = 0")
        .replace("cooldown_minutes = 30", "cooldown_minutes = 0");
    files.insert("module.toml", toml);
    let pack = dir.join("bench.skillpack");
    std::fs::write(&pack, pack_of(&[files], Variant::Full, &publisher_key()))?;
    let device = Device::create(&dir.join("device"))?;
    device
        .store()
        .trust(&publisher_key().public_key(), "bench")?;
    device.store().install(&pack)?;
    let module = device.store().module("bike-check")?;
    let answers = right_answers(&module);
    for _ in 0..n {
        let attempt = device.start_attempt("bike-check")?;
        for q in &attempt.questions {
            if let Some(answer) = answers.get(&q.id) {
                device.answer("bike-check", &q.id, answer.clone())?;
            }
        }
        device.submit("bike-check")?;
    }
    Ok(device)
}

/// A TCP proxy on loopback to `upstream` that counts every byte; its URL and the counts.
async fn proxy(upstream: SocketAddr) -> anyhow::Result<(String, Arc<Counted>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let counted = Arc::new(Counted::default());
    let counts = counted.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let counts = counts.clone();
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else {
                    return;
                };
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                let up = pump(client_read, server_write, counts.clone(), true);
                let down = pump(server_read, client_write, counts, false);
                let _ = tokio::join!(up, down);
            });
        }
    });
    Ok((url, counted))
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    counts: Arc<Counted>,
    up: bool,
) {
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 || to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        let counter = if up { &counts.up } else { &counts.down };
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }
    let _ = to.shutdown().await;
}

/// What an LRS answers a stored statement with: its id.
fn uuid_like() -> String {
    "8f9c2d1e-5b7a-4c3d-9e8f-1a2b3c4d5e6f".to_owned()
}
