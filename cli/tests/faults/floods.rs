//! One address floods the hub with request bodies that come a byte at a time (before the
//! hub capped connections per address and bounded body rates, 4,200 such connections held
//! all of its 4,096 slots and every health check timed out). The hub runs with its default
//! limits; the flood comes from 127.0.0.2, the learner and the balancer's health check from
//! 127.0.0.1. While the flood holds all it may, both are served.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::device::TestDevice;
use crate::proxy::FaultPlan;
use crate::site::Site;

/// Connections the flood opens: more than one address may hold (256 by default).
const FLOOD: usize = 400;

/// A connection from 127.0.0.2 that has sent the head of a wallet's message (which anyone
/// may send) and a first byte of its body. The hub may have refused it already; reading
/// the connection tells.
fn dripping_connection(hub: std::net::SocketAddr) -> std::io::Result<TcpStream> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    let mut stream = runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind("127.0.0.2:0".parse().unwrap())?;
        let stream = socket.connect(hub).await?.into_std()?;
        stream.set_nonblocking(false)?;
        std::io::Result::Ok(stream)
    })?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    write!(
        stream,
        "POST /v1/exchanges/0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: hub\r\n\
         Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n{{"
    )?;
    Ok(stream)
}

#[test]
fn a_slow_body_flood_from_one_address_leaves_health_and_a_sync_working() {
    let seed = crate::seed_for("floods");
    let mut site = Site::start(FaultPlan::quiet(), seed);
    let pack = site.build("talking-with-customers", "1.0.0");
    site.publish(&pack, "riders");
    let code = site.enrol("riders", 1);
    let mut device = TestDevice::new(site.path(), "rider", ("riders", &code), &pack.path, seed);
    device.take(2);
    let hub = site.hubs[0].addr;

    let started = Instant::now();
    let flood: Vec<TcpStream> = (0..FLOOD)
        .map(|_| dripping_connection(hub).unwrap())
        .collect();
    // A byte every second on each: under the idle timeout, far under the body rate.
    let dripping = Arc::new(AtomicBool::new(true));
    let drips: Vec<_> = flood
        .iter()
        .map(|s| {
            let (mut stream, dripping) = (s.try_clone().unwrap(), Arc::clone(&dripping));
            std::thread::spawn(move || {
                while dripping.load(Ordering::Relaxed) && stream.write_all(b" ").is_ok() {
                    std::thread::sleep(Duration::from_secs(1));
                }
            })
        })
        .collect();

    // While the flood holds what it may: the health check answers, the learner syncs.
    let health = reqwest::blocking::Client::new()
        .get(format!("http://{hub}/health"))
        .timeout(Duration::from_secs(5))
        .send()
        .unwrap();
    assert!(health.status().is_success());
    let report = device.connect(&site.url()).unwrap();
    assert_eq!(report.pushed, 2, "{report:?}");
    let served_within = started.elapsed();

    // Each flood connection was refused at once for its address, or cut off for its rate.
    let answers: Vec<String> = flood
        .into_iter()
        .map(|mut stream| {
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            answer
        })
        .collect();
    let flood_over = started.elapsed();
    dripping.store(false, Ordering::Relaxed);
    for drip in drips {
        drip.join().unwrap();
    }
    let crowded = answers
        .iter()
        .filter(|a| a.contains("too_many_connections"))
        .count();
    let too_slow = answers.iter().filter(|a| a.contains("slower than")).count();
    eprintln!(
        "flood of {FLOOD}: {crowded} refused for the address, {too_slow} cut off for their rate, \
         all over within {flood_over:?}; health and a sync served within {served_within:?}"
    );
    assert_eq!(crowded, FLOOD - 256, "the default cap per address");
    assert_eq!(too_slow, 256, "{answers:?}");
    assert!(served_within < Duration::from_secs(10), "{served_within:?}");
}
