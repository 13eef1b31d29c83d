//! Slow and idle clients: connections that send part of a request head, and kept-alive ones
//! that send nothing more, are closed after their timeouts (before, 200 slow heads were held
//! for 45 s and 5,000 idle connections all stayed open), while other clients are served
//! meanwhile. Timeouts are short here; deadlines are generous, for a busy shared machine.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use reqwest::blocking::Client;
use reqwest::StatusCode;
use skillpack_core::protocol::endpoint;
use skillpack_hub::server::ConnectionLimits;
use skillpack_hub::state::HubConfig;

use super::TestHub;

/// Connections of each kind.
const CLIENTS: usize = 200;

fn hub_with(limits: ConnectionLimits) -> TestHub {
    TestHub::start_with(HubConfig {
        connections: limits,
        ..HubConfig::default()
    })
}

fn connect(hub: &TestHub) -> TcpStream {
    let stream = TcpStream::connect(hub.url.trim_start_matches("http://")).unwrap();
    // Far longer than any timeout here: a read that waits this long found the socket open.
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
}

/// Reads until the hub closes the connection; how long that took from `since`.
fn closed_after(mut stream: TcpStream, since: Instant) -> Duration {
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return since.elapsed(),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return since.elapsed(),
            Err(e) => panic!("still open after {:?}: {e}", since.elapsed()),
        }
    }
}

/// A normal client gets its answer.
fn health(hub: &TestHub) {
    let response = Client::new()
        .get(format!("{}{}", hub.url, endpoint::HEALTH))
        .timeout(Duration::from_secs(20))
        .send()
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

/// Waits for every connection to close, on a thread each; the slowest close.
fn slowest_close(streams: Vec<TcpStream>, since: Instant) -> Duration {
    let waits: Vec<_> = streams
        .into_iter()
        .map(|s| std::thread::spawn(move || closed_after(s, since)))
        .collect();
    waits.into_iter().map(|w| w.join().unwrap()).max().unwrap()
}

#[test]
fn connections_that_send_part_of_a_head_are_closed_after_the_header_timeout() {
    let hub = hub_with(ConnectionLimits {
        header_read_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(300),
        ..ConnectionLimits::default()
    });
    let since = Instant::now();
    let streams: Vec<TcpStream> = (0..CLIENTS)
        .map(|_| {
            let mut stream = connect(&hub);
            stream
                .write_all(b"GET /health HTTP/1.1\r\nHost: hub\r\nX-Slow: ")
                .unwrap();
            stream
        })
        .collect();
    health(&hub);
    let slowest = slowest_close(streams, since);
    eprintln!("{CLIENTS} partial heads closed within {slowest:?}");
    assert!(
        slowest < Duration::from_secs(30),
        "closed after {slowest:?}"
    );
    health(&hub);
}

#[test]
fn idle_connections_are_closed_after_the_idle_timeout() {
    let hub = hub_with(ConnectionLimits {
        header_read_timeout: Duration::from_secs(300),
        idle_timeout: Duration::from_secs(1),
        ..ConnectionLimits::default()
    });
    let since = Instant::now();
    let mut streams = Vec::new();
    for i in 0..CLIENTS {
        let mut stream = connect(&hub);
        if i % 2 == 0 {
            // Kept alive after one answer, then silent.
            stream
                .write_all(b"GET /health HTTP/1.1\r\nHost: hub\r\n\r\n")
                .unwrap();
            let mut head = [0u8; 12];
            stream.read_exact(&mut head).unwrap();
            assert_eq!(&head, b"HTTP/1.1 200");
        }
        // The others connect and never send a byte.
        streams.push(stream);
    }
    health(&hub);
    let slowest = slowest_close(streams, since);
    eprintln!("{CLIENTS} idle connections closed within {slowest:?}");
    assert!(
        slowest < Duration::from_secs(30),
        "closed after {slowest:?}"
    );
    health(&hub);
}

#[test]
fn requests_whose_body_stops_coming_are_closed_after_the_idle_timeout() {
    let hub = hub_with(ConnectionLimits {
        header_read_timeout: Duration::from_secs(300),
        idle_timeout: Duration::from_secs(1),
        ..ConnectionLimits::default()
    });
    let since = Instant::now();
    let streams: Vec<TcpStream> = (0..CLIENTS)
        .map(|i| {
            let mut stream = connect(&hub);
            // A push and an upload, each promising more body than it sends, signed as a
            // stranger signs: both are refused on their heads, and the connection closed,
            // without waiting for the body.
            let path = if i % 2 == 0 {
                endpoint::RECORDS.to_owned()
            } else {
                endpoint::publish("riders")
            };
            write!(
                stream,
                "POST {path} HTTP/1.1\r\nHost: hub\r\nContent-Length: 100000\r\n\
                 Content-Digest: sha-256=:AAAA:\r\nSignature-Input: sk=()\r\nSignature: sk=:AAAA:\r\n\r\n{{\"records\":["
            )
            .unwrap();
            stream
        })
        .collect();
    health(&hub);
    let slowest = slowest_close(streams, since);
    eprintln!("{CLIENTS} stalled bodies closed within {slowest:?}");
    assert!(
        slowest < Duration::from_secs(30),
        "closed after {slowest:?}"
    );
}

#[test]
fn past_the_connection_bound_the_connection_idle_longest_makes_room() {
    let hub = hub_with(ConnectionLimits {
        header_read_timeout: Duration::from_secs(300),
        idle_timeout: Duration::from_secs(300),
        max_connections: 20,
        ..ConnectionLimits::default()
    });
    let held: Vec<TcpStream> = (0..20)
        .map(|_| {
            let stream = connect(&hub);
            // One at a time, so the first is the one idle longest.
            std::thread::sleep(Duration::from_millis(20));
            stream
        })
        .collect();
    // Long before any timeout, the first connection is closed and this client is served.
    let since = Instant::now();
    health(&hub);
    let mut held = held.into_iter();
    let first = held.next().unwrap();
    let closed = closed_after(first, since);
    eprintln!("a client past the bound was served, the oldest idle closed after {closed:?}");
    assert!(closed < Duration::from_secs(30), "closed after {closed:?}");
}

#[test]
fn past_the_connection_bound_with_none_idle_a_client_waits_for_a_free_slot() {
    let hub = hub_with(ConnectionLimits {
        header_read_timeout: Duration::from_secs(300),
        idle_timeout: Duration::from_secs(2),
        max_connections: 20,
        body_grace: Duration::from_secs(300),
        ..ConnectionLimits::default()
    });
    // Every slot busy: each holds a request whose body is still coming.
    let held: Vec<TcpStream> = (0..20).map(|_| exchange_body_started(&hub)).collect();
    // A moment for the hub to read every head: a connection whose head it has not read yet
    // counts as idle, and would be closed to make room.
    std::thread::sleep(Duration::from_secs(1));
    let since = Instant::now();
    health(&hub);
    let waited = since.elapsed();
    eprintln!("a client past the bound was served after {waited:?}");
    assert!(
        waited >= Duration::from_millis(500),
        "served at once: the bound did not hold"
    );
    drop(held);
}

/// A connection that has sent a wallet's message head (a request anyone may make) and the
/// first byte of its 1,000-byte body.
fn exchange_body_started(hub: &TestHub) -> TcpStream {
    let mut stream = connect(hub);
    write!(
        stream,
        "POST {} HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n\
         Content-Length: 1000\r\n\r\n{{",
        endpoint::exchange("0123456789abcdef0123456789abcdef")
    )
    .unwrap();
    stream
}

#[test]
fn a_body_slower_than_the_minimum_rate_is_cut_off_after_the_grace() {
    let hub = hub_with(ConnectionLimits {
        header_read_timeout: Duration::from_secs(300),
        idle_timeout: Duration::from_secs(300),
        body_grace: Duration::from_secs(1),
        min_body_rate: 256,
        ..ConnectionLimits::default()
    });
    let since = Instant::now();
    let streams: Vec<TcpStream> = (0..CLIENTS).map(|_| exchange_body_started(&hub)).collect();
    // A byte every 200 ms: enough for any idle timeout, far under 256 bytes a second.
    let dripping = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let drips: Vec<_> = streams
        .iter()
        .map(|s| {
            let (mut stream, dripping) = (s.try_clone().unwrap(), dripping.clone());
            std::thread::spawn(move || {
                while dripping.load(std::sync::atomic::Ordering::Relaxed) {
                    if stream.write_all(b" ").is_err() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            })
        })
        .collect();
    let slowest = slowest_close(streams, since);
    dripping.store(false, std::sync::atomic::Ordering::Relaxed);
    for drip in drips {
        drip.join().unwrap();
    }
    eprintln!("{CLIENTS} dripping bodies cut off within {slowest:?}");
    assert!(
        slowest < Duration::from_secs(30),
        "closed after {slowest:?}"
    );
    health(&hub);
}

/// Connects to the hub from `source` (another loopback address: all of 127/8 is this host).
fn connect_from(hub: &TestHub, source: &str) -> std::io::Result<TcpStream> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    runtime.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        socket.bind(format!("{source}:0").parse().unwrap())?;
        let addr = hub.url.trim_start_matches("http://").parse().unwrap();
        let stream = socket.connect(addr).await?;
        let stream = stream.into_std()?;
        stream.set_nonblocking(false)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(stream)
    })
}

#[test]
fn one_address_at_its_cap_is_refused_more_while_others_are_served() {
    let hub = hub_with(ConnectionLimits {
        header_read_timeout: Duration::from_secs(300),
        idle_timeout: Duration::from_secs(300),
        max_connections: 64,
        max_per_address: 16,
        ..ConnectionLimits::default()
    });
    let held: Vec<TcpStream> = (0..16)
        .map(|_| connect_from(&hub, "127.0.0.2").unwrap())
        .collect();
    // The cap is counted when the hub accepts: a moment for it to take all sixteen.
    std::thread::sleep(Duration::from_millis(300));
    for _ in 0..40 {
        let mut past = connect_from(&hub, "127.0.0.2").unwrap();
        let mut answer = String::new();
        past.read_to_string(&mut answer).unwrap();
        assert!(
            answer.starts_with("HTTP/1.1 429") && answer.contains("too_many_connections"),
            "{answer}"
        );
    }
    // Another address is served, and the first again once it lets go.
    health(&hub);
    drop(held);
    std::thread::sleep(Duration::from_millis(300));
    let mut again = connect_from(&hub, "127.0.0.2").unwrap();
    again
        .write_all(b"GET /health HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    again.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn asked_to_stop_the_hub_refuses_new_connections_at_once_and_cuts_the_slow_at_its_deadline() {
    let hub = hub_with(ConnectionLimits {
        header_read_timeout: Duration::from_secs(300),
        idle_timeout: Duration::from_secs(300),
        body_grace: Duration::from_secs(300),
        shutdown_timeout: Duration::from_secs(1),
        ..ConnectionLimits::default()
    });
    let address = hub.url.trim_start_matches("http://").to_owned();
    // A request whose body is still coming: in flight, and would be for minutes.
    let in_flight = exchange_body_started(&hub);
    health(&hub);
    let since = Instant::now();
    let stopping = std::thread::spawn(move || drop(hub));
    std::thread::sleep(Duration::from_millis(300));
    // The listener is closed: a new client is refused, not left waiting in a queue.
    let refused = TcpStream::connect_timeout(&address.parse().unwrap(), Duration::from_secs(2));
    assert!(
        refused.is_err(),
        "a new connection during the drain: {refused:?}"
    );
    stopping.join().unwrap();
    let took = since.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "stopped {took:?} after being asked, with a 1 s deadline"
    );
    drop(in_flight);
}
