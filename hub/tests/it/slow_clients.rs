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
            // stranger signs. The upload is refused on its head at once; the push's body is
            // read before its signature, so the hub waits for it until the idle timeout.
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
fn past_the_connection_bound_a_client_waits_for_a_free_slot() {
    let hub = hub_with(ConnectionLimits {
        header_read_timeout: Duration::from_secs(300),
        idle_timeout: Duration::from_secs(2),
        max_connections: 20,
    });
    let held: Vec<TcpStream> = (0..20).map(|_| connect(&hub)).collect();
    // The hub takes no more connections until idle ones are closed, then serves this one.
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
