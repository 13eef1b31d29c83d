//! The proxy against a stand-in hub that names itself and echoes the request's target: each
//! fault does what it says, and requests alternate between hubs.

use std::io::{BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::*;

/// A stand-in hub: answers every request with `NAME TARGET` and closes; counts requests.
fn stand_in(name: &'static str) -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let Ok(Some(request)) = read_message(&mut reader, Side::Request) else {
                continue;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            assert!(request.wants_close(), "one request per hub connection");
            let body = format!("{name} {}", request.target());
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    (addr, seen)
}

fn quiet_proxy(hubs: Vec<SocketAddr>) -> Proxy {
    Proxy::start(hubs, FaultPlan::quiet(), 1).unwrap()
}

/// A device's connection to the proxy.
struct Device {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Device {
    fn connect(proxy: &Proxy) -> Self {
        let stream = TcpStream::connect(proxy.addr).unwrap();
        Self {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    fn get(&mut self, target: &str) -> std::io::Result<Option<Message>> {
        let request = format!("GET {target} HTTP/1.1\r\nhost: hub\r\n\r\n");
        self.writer.write_all(request.as_bytes())?;
        read_message(&mut self.reader, Side::Response { to_head: false })
    }
}

#[test]
fn requests_on_one_kept_alive_connection_alternate_between_hubs_and_bytes_are_counted() {
    let ((a, _), (b, _)) = (stand_in("a"), stand_in("b"));
    let proxy = quiet_proxy(vec![a, b]);
    let mut device = Device::connect(&proxy);
    let bodies: Vec<Vec<u8>> = (0..4)
        .map(|i| device.get(&format!("/{i}")).unwrap().unwrap().body)
        .collect();
    assert_eq!(bodies, [&b"a /0"[..], b"b /1", b"a /2", b"b /3"]);
    let stats = proxy.stats();
    assert_eq!((stats.requests, stats.injected.len()), (4, 0));
    assert!(proxy.wait_for_requests(4, Duration::ZERO));
    assert!(!proxy.wait_for_requests(5, Duration::from_millis(10)));
    assert!(stats.sent >= 4 * 30 && stats.received >= 4 * 40, "{stats}");
}

#[test]
fn each_fault_does_what_it_says() {
    let (hub, seen) = stand_in("a");
    let proxy = quiet_proxy(vec![hub]);
    let faults = [
        Fault::DropBefore,
        Fault::DropAfter,
        Fault::Cut,
        Fault::Flip,
        Fault::Status500,
        Fault::Status503,
        Fault::Delay,
    ];
    proxy.script("/", faults.map(Some));

    let mut device = Device::connect(&proxy);
    assert!(device.get("/drop-before").unwrap().is_none());
    assert_eq!(seen.load(Ordering::SeqCst), 0, "never forwarded");

    let mut device = Device::connect(&proxy);
    assert!(device.get("/drop-after").unwrap().is_none());
    assert_eq!(seen.load(Ordering::SeqCst), 1, "forwarded, answer lost");

    let mut device = Device::connect(&proxy);
    assert!(device.get("/cut").is_err(), "half a body is an error");

    let mut device = Device::connect(&proxy);
    let flipped = device.get("/flip").unwrap().unwrap().body;
    let differ = flipped
        .iter()
        .zip(b"a /flip")
        .filter(|(x, y)| x != y)
        .count();
    assert_eq!((flipped.len(), differ), (7, 1), "one byte changed");

    let failed = device.get("/500").unwrap().unwrap();
    assert_eq!(failed.status(), Some(500));
    assert!(String::from_utf8_lossy(&failed.body).contains("\"internal\""));
    assert_eq!(device.get("/503").unwrap().unwrap().status(), Some(503));
    assert_eq!(device.get("/delay").unwrap().unwrap().body, b"a /delay");
    assert_eq!(
        seen.load(Ordering::SeqCst),
        4,
        "500 and 503 come from the proxy"
    );

    let logged: Vec<Option<Fault>> = proxy.arrivals().iter().map(|a| a.fault).collect();
    assert_eq!(logged, faults.map(Some));
    let stats = proxy.stats();
    assert!(Fault::ALL.iter().all(|f| stats.injected[f] == 1), "{stats}");
}

#[test]
fn random_faults_stop_at_the_budget_and_at_the_switch() {
    let (hub, _) = stand_in("a");
    let plan = FaultPlan {
        probability: 1.0,
        max: 3,
        kinds: vec![Fault::Status503],
    };
    let proxy = Proxy::start(vec![hub], plan, 7).unwrap();
    let mut device = Device::connect(&proxy);
    let statuses: Vec<u16> = (0..5)
        .map(|_| device.get("/").unwrap().unwrap().status().unwrap())
        .collect();
    assert_eq!(statuses, [503, 503, 503, 200, 200]);

    let plan = FaultPlan {
        probability: 1.0,
        max: 100,
        kinds: vec![Fault::DropBefore],
    };
    let proxy = Proxy::start(vec![hub], plan, 7).unwrap();
    proxy.set_faults(false);
    let mut device = Device::connect(&proxy);
    assert_eq!(device.get("/").unwrap().unwrap().status(), Some(200));
    assert!(proxy.stats().injected.is_empty(), "switched off");
}

#[test]
fn a_hub_that_is_down_gets_the_device_a_502_and_the_connection_stays_open() {
    let gone = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let proxy = quiet_proxy(vec![gone]);
    let mut device = Device::connect(&proxy);
    for _ in 0..2 {
        let answer = device.get("/v1/nonce").unwrap().unwrap();
        assert_eq!(answer.status(), Some(502));
    }
    let mut body = Vec::new();
    assert!(device.reader.get_mut().set_nonblocking(true).is_ok());
    let pending = device.reader.read_to_end(&mut body);
    assert!(pending.is_err(), "still open, nothing more sent");
}

#[test]
fn a_scripted_fault_waits_for_a_request_to_its_path() {
    let (hub, _) = stand_in("a");
    let proxy = quiet_proxy(vec![hub]);
    proxy.script("/v1/packs/", [Some(Fault::Status503)]);
    let mut device = Device::connect(&proxy);
    let statuses: Vec<u16> = ["/v1/catalog", "/v1/packs/ab", "/v1/packs/ab"]
        .iter()
        .map(|target| device.get(target).unwrap().unwrap().status().unwrap())
        .collect();
    assert_eq!(statuses, [200, 503, 200]);
}
